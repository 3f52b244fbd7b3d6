package dev.zerog.ops.elementwise;

import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.FlopEstimate;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import java.util.List;

/**
 * Clip: {@code Y = min(max(X, min), max)}; and ClipGradient(Y, dY) -> dX with
 * {@code dX = dY where min < Y < max, else 0}.
 */
final class Clip extends FloatingUnaryOp {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("Clip")
      .flops(FlopEstimate.perOutputElement(2))
      .inputs(1)
      .outputs(1)
      .allowInPlace(0, 0)
      .doc("Limits every element to [min, max]: Y = min(max(X, min), max). NaN stays NaN; with min > max every "
          + "element becomes max (as in Caffe2, which does not check).\n\n"
          + "Y has X's shape and type (FLOAT or DOUBLE) and may be X (in place).\n\n"
          + "Gradient: ClipGradient(Y, dY) -> dX with the same bounds, dX = dY where min < Y < max and 0 "
          + "elsewhere.")
      .input("X", "the input, any shape")
      .output("Y", "the clipped input, of X's shape; may be X")
      .arg("min", ArgType.FLOAT, "the lower bound (default: the lowest finite value of the type)")
      .arg("max", ArgType.FLOAT, "the upper bound (default: the largest finite value of the type)")
      .inference(FloatingUnaryOp::infer)
      .build();

  static final OperatorSchema GRADIENT_SCHEMA = OperatorSchema.builder("ClipGradient")
      .linearIn(1)
      .flops(FlopEstimate.perOutputElement(2))
      .inputs(2)
      .outputs(1)
      .allowInPlace(1, 0)
      .doc("The gradient of Clip: dX = dY where min < Y < max, else 0. Y and dY have one type (FLOAT or DOUBLE) "
          + "and one shape, which dX takes; dX may be dY (in place).")
      .input("Y", "Clip's output")
      .input("dY", "the gradient of Y")
      .output("dX", "the gradient of X")
      .arg("min", ArgType.FLOAT, "the forward op's lower bound")
      .arg("max", ArgType.FLOAT, "the forward op's upper bound")
      .inference(FloatingUnaryGradientOp::inferDySecond)
      .build();

  /** Caffe2's GetClipGradient: ClipGradient(Y, dY) -> dX; the builder copies min and max. */
  static final GradientMaker GRADIENT = (GradientContext g) ->
      GradientContext.single("ClipGradient", List.of(g.O(0), g.GO(0)), List.of(g.GI(0)));

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(Clip::new).gradient(GRADIENT).build();

  static final OperatorDefinition GRADIENT_DEFINITION =
      OperatorDefinition.builder(GRADIENT_SCHEMA).cpu(Gradient::new).gradientNotImplemented().build();

  private final Bounds bounds;

  Clip(OperatorInit init) {
    super(init);
    this.bounds = Bounds.read(init.args());
  }

  /** The bounds, as floats and doubles; an absent bound is the extreme finite value of each type. */
  private record Bounds(float minF, float maxF, double minD, double maxD) {
    static Bounds read(Arguments args) {
      boolean hasMin = args.has("min");
      boolean hasMax = args.has("max");
      float min = args.getFloat("min", -Float.MAX_VALUE);
      float max = args.getFloat("max", Float.MAX_VALUE);
      return new Bounds(min, max, hasMin ? min : -Double.MAX_VALUE, hasMax ? max : Double.MAX_VALUE);
    }
  }

  @Override
  void apply(float[] x, float[] y, int n) {
    float lo = bounds.minF();
    float hi = bounds.maxF();
    for (int i = 0; i < n; i++) {
      y[i] = Math.min(Math.max(x[i], lo), hi);
    }
  }

  @Override
  void apply(double[] x, double[] y, int n) {
    double lo = bounds.minD();
    double hi = bounds.maxD();
    for (int i = 0; i < n; i++) {
      y[i] = Math.min(Math.max(x[i], lo), hi);
    }
  }

  /** ClipGradient's kernel. */
  static final class Gradient extends FloatingUnaryGradientOp {
    private final Bounds bounds;

    Gradient(OperatorInit init) {
      super(init, 1);
      this.bounds = Bounds.read(init.args());
    }

    @Override
    void apply(float[] y, float[] dy, float[] dx, int n) {
      float lo = bounds.minF();
      float hi = bounds.maxF();
      for (int i = 0; i < n; i++) {
        dx[i] = y[i] > lo && y[i] < hi ? dy[i] : 0f;
      }
    }

    @Override
    void apply(double[] y, double[] dy, double[] dx, int n) {
      double lo = bounds.minD();
      double hi = bounds.maxD();
      for (int i = 0; i < n; i++) {
        dx[i] = y[i] > lo && y[i] < hi ? dy[i] : 0d;
      }
    }
  }
}
