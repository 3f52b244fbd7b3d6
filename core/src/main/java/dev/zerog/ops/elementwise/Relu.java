package dev.zerog.ops.elementwise;

import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
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

  /** ReluGradient's kernel. */
  static final class Gradient extends FloatingUnaryGradientOp {
    private float[] fy;
    private float[] fdy;
    private float[] fdx;
    private final KernelThreads.Body floatLoop = (from, to) -> gradient(fy, fdy, fdx, from, to);

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

    /**
     * dx = dy where y > 0, else 0, without a branch (a branch on the sign of activations is mispredicted half the
     * time and costs ten times the loop): y > 0 exactly when y's bits minus one, read as an unsigned number, are
     * below those of +infinity (which excludes +0, every negative number and NaN), and dx is dy's bits masked.
     * The double loop does the same with 64-bit patterns.
     */
    static void gradient(float[] y, float[] dy, float[] dx, int from, int to) {
      for (int i = from; i < to; i++) {
        int below = Float.floatToRawIntBits(y[i]) - 1;
        int mask = ((below >>> 23) - 0xff) >> 31;
        dx[i] = Float.intBitsToFloat(Float.floatToRawIntBits(dy[i]) & mask);
      }
    }

    @Override
    void apply(double[] y, double[] dy, double[] dx, int n) {
      for (int i = 0; i < n; i++) {
        long below = Double.doubleToRawLongBits(y[i]) - 1;
        long mask = ((below >>> 52) - 0x7ff) >> 63;
        dx[i] = Double.longBitsToDouble(Double.doubleToRawLongBits(dy[i]) & mask);
      }
    }
  }
}
