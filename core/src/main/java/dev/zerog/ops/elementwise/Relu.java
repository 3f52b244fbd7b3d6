package dev.zerog.ops.elementwise;

import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.FlopEstimate;
import dev.zerog.op.KernelThreads;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import java.util.List;

/**
 * Relu: {@code Y = max(X, 0)} elementwise; and its gradient operator ReluGradient(Y, dY) -> dX with
 * {@code dX = dY where Y > 0, else 0}.
 */
final class Relu extends FloatingUnaryOp {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("Relu")
      .flops(FlopEstimate.perOutputElement(1))
      .inputs(1)
      .outputs(1)
      .allowInPlace(0, 0)
      .doc("Rectified linear unit, elementwise: Y = max(X, 0).\n\n"
          + "Y has X's shape and type (FLOAT or DOUBLE) and may be X (in place), as the model zoo nets use it. "
          + "NaN stays NaN.\n\n"
          + "Gradient: ReluGradient(Y, dY) -> dX, dX = dY where Y > 0 and 0 elsewhere.")
      .input("X", "the input, any shape")
      .output("Y", "max(X, 0), of X's shape; may be X")
      .inference(FloatingUnaryOp::infer)
      .build();

  static final OperatorSchema GRADIENT_SCHEMA = OperatorSchema.builder("ReluGradient")
      .linearIn(1)
      .flops(FlopEstimate.perOutputElement(1))
      .inputs(2)
      .outputs(1)
      .allowInPlace(1, 0)
      .doc("The gradient of Relu: dX = dY where Y > 0, else 0. Y and dY have one type (FLOAT or DOUBLE) and one "
          + "shape, which dX takes; dX may be dY (in place). A known-zero dY gives a known-zero dX.")
      .input("Y", "Relu's output")
      .input("dY", "the gradient of Y")
      .output("dX", "the gradient of X")
      .inference(FloatingUnaryGradientOp::inferDySecond)
      .build();

  /** Caffe2's GetReluGradient: ReluGradient(Y, dY) -> dX. */
  static final GradientMaker GRADIENT = (GradientContext g) ->
      GradientContext.single("ReluGradient", List.of(g.O(0), g.GO(0)), List.of(g.GI(0)));

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(Relu::new).gradient(GRADIENT).build();

  static final OperatorDefinition GRADIENT_DEFINITION =
      OperatorDefinition.builder(GRADIENT_SCHEMA).cpu(Gradient::new).gradientNotImplemented().build();

  /** Loops of at least this many elements are split across the kernel threads. */
  static final int PIECE = 1 << 16;

  private float[] fx;
  private float[] fy;
  private final KernelThreads.Body floatLoop = (from, to) -> relu(fx, fy, from, to);

  Relu(OperatorInit init) {
    super(init);
  }

  @Override
  void apply(float[] x, float[] y, int n) {
    fx = x;
    fy = y;
    try {
      KernelThreads.forRange(n, PIECE, floatLoop);
    } finally {
      fx = null;
      fy = null;
    }
  }

  static void relu(float[] x, float[] y, int from, int to) {
    for (int i = from; i < to; i++) {
      y[i] = Math.max(x[i], 0f);
    }
  }

  @Override
  void apply(double[] x, double[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = Math.max(x[i], 0d);
    }
  }

  /**
   * ReluGradient's kernel: {@code dx[i] = y[i] > 0 ? dy[i] : 0}.
   *
   * <p>Written as that select, the loop branches on the sign of every element, and a ReLU's outputs are zero or
   * not about half the time at random: the mispredicted branches made it cost about 1.4 ms on 262,144 floats
   * (one layer of 1024 on a batch of 256), seven times the pass below. So it runs as arithmetic that C2
   * vectorizes: {@code f = min(max(y · 2^127 · 2^127, 0), 1)} is 1 for every {@code y > 0} (the two factors lift
   * even the smallest subnormal above 1) and 0 for {@code y <= 0}, and {@code dx = dy · f + (0.5 - f) · 0}. The
   * added term is {@code -0} where f is 1, which leaves {@code dy} as it is (a {@code -0} too), and {@code +0}
   * where f is 0, which turns the {@code -0} of a negative {@code dy} times 0 into the select's {@code +0}. That is
   * the select, bit for bit, except where {@code y} is NaN or {@code dy} is infinite or NaN with {@code y <= 0};
   * each of those makes a NaN that the select would not have, so the pass also keeps the maximum of what it wrote
   * (Java's max propagates NaN), and when that is NaN the select runs again; in place (dx is dy) that still gives
   * the select, since where {@code y > 0} the pass wrote dy itself. FLOAT loops are split across the kernel
   * threads, each piece with its own check and fallback.
   */
  static final class Gradient extends FloatingUnaryGradientOp {
    private static final float LIFT_F = 0x1p127f;
    private static final double LIFT_D = 0x1p1023;

    private float[] fy;
    private float[] fdy;
    private float[] fdx;
    private final KernelThreads.Body floatLoop = (from, to) -> apply(fy, fdy, fdx, from, to);

    Gradient(OperatorInit init) {
      super(init, 1);
    }

    @Override
    void apply(float[] y, float[] dy, float[] dx, int n) {
      fy = y;
      fdy = dy;
      fdx = dx;
      try {
        KernelThreads.forRange(n, PIECE, floatLoop);
      } finally {
        fy = null;
        fdy = null;
        fdx = null;
      }
    }

    /** The kernel over [from, to). */
    static void apply(float[] y, float[] dy, float[] dx, int from, int to) {
      if (Float.isNaN(applyArithmetic(y, dy, dx, from, to))) {
        applySelect(y, dy, dx, from, to);
      }
    }

    @Override
    void apply(double[] y, double[] dy, double[] dx, int n) {
      if (Double.isNaN(applyArithmetic(y, dy, dx, n))) {
        applySelect(y, dy, dx, n);
      }
    }

    /** The vectorized pass over [0, n); returns the maximum of dx, NaN if any element is NaN. */
    static float applyArithmetic(float[] y, float[] dy, float[] dx, int n) {
      return applyArithmetic(y, dy, dx, 0, n);
    }

    /** The vectorized pass over [from, to); returns the maximum of dx there, NaN if any element is NaN. */
    static float applyArithmetic(float[] y, float[] dy, float[] dx, int from, int to) {
      float max = 0f;
      for (int i = from; i < to; i++) {
        float f = Math.min(Math.max(y[i] * LIFT_F * LIFT_F, 0f), 1f);
        float v = dy[i] * f + (0.5f - f) * 0f;
        dx[i] = v;
        max = Math.max(max, v);
      }
      return max;
    }

    static double applyArithmetic(double[] y, double[] dy, double[] dx, int n) {
      double max = 0d;
      for (int i = 0; i < n; i++) {
        double f = Math.min(Math.max(y[i] * LIFT_D * LIFT_D, 0d), 1d);
        double v = dy[i] * f + (0.5d - f) * 0d;
        dx[i] = v;
        max = Math.max(max, v);
      }
      return max;
    }

    /** The definition, element by element over [from, to); dx may be dy. */
    static void applySelect(float[] y, float[] dy, float[] dx, int from, int to) {
      for (int i = from; i < to; i++) {
        dx[i] = y[i] > 0 ? dy[i] : 0f;
      }
    }

    static void applySelect(double[] y, double[] dy, double[] dx, int n) {
      for (int i = 0; i < n; i++) {
        dx[i] = y[i] > 0 ? dy[i] : 0d;
      }
    }
  }
}
