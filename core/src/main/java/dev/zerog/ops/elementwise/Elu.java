package dev.zerog.ops.elementwise;

import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.ArgType;
import dev.zerog.op.FlopEstimate;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import java.util.List;

/**
 * Elu: {@code Y = X where X >= 0, else alpha * (exp(X) - 1)}; and EluGradient(Y, dY) -> dX with
 * {@code dX = dY where Y >= 0, else dY * (Y + alpha)}.
 */
final class Elu extends FloatingUnaryOp {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("Elu")
      .flops(FlopEstimate.perOutputElement(3))
      .inputs(1)
      .outputs(1)
      .allowInPlace(0, 0)
      .doc("Exponential linear unit, elementwise: Y = X where X >= 0, alpha * (exp(X) - 1) elsewhere "
          + "(exp(X) - 1 computed as expm1, exact near 0).\n\n"
          + "Y has X's shape and type (FLOAT or DOUBLE) and may be X (in place).\n\n"
          + "Gradient: EluGradient(Y, dY) -> dX with the same alpha, dX = dY where Y >= 0 and dY * (Y + alpha) "
          + "elsewhere.")
      .input("X", "the input, any shape")
      .output("Y", "the output, of X's shape; may be X")
      .arg("alpha", ArgType.FLOAT, "the scale of the negative part (default 1.0)")
      .inference(FloatingUnaryOp::infer)
      .build();

  static final OperatorSchema GRADIENT_SCHEMA = OperatorSchema.builder("EluGradient")
      .linearIn(1)
      .flops(FlopEstimate.perOutputElement(2))
      .inputs(2)
      .outputs(1)
      .allowInPlace(1, 0)
      .doc("The gradient of Elu: dX = dY where Y >= 0, dY * (Y + alpha) elsewhere. Y and dY have one type "
          + "(FLOAT or DOUBLE) and one shape, which dX takes; dX may be dY (in place).")
      .input("Y", "Elu's output")
      .input("dY", "the gradient of Y")
      .output("dX", "the gradient of X")
      .arg("alpha", ArgType.FLOAT, "the forward op's alpha (default 1.0)")
      .inference(FloatingUnaryGradientOp::inferDySecond)
      .build();

  /** Caffe2's GetEluGradient: EluGradient(Y, dY) -> dX; the builder copies alpha. */
  static final GradientMaker GRADIENT = (GradientContext g) ->
      GradientContext.single("EluGradient", List.of(g.O(0), g.GO(0)), List.of(g.GI(0)));

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(Elu::new).gradient(GRADIENT).build();

  static final OperatorDefinition GRADIENT_DEFINITION =
      OperatorDefinition.builder(GRADIENT_SCHEMA).cpu(Gradient::new).gradientNotImplemented().build();

  private final float alpha;

  Elu(OperatorInit init) {
    super(init);
    this.alpha = init.args().getFloat("alpha", 1f);
  }

  @Override
  void apply(float[] x, float[] y, int n) {
    double a = alpha;
    for (int i = 0; i < n; i++) {
      float v = x[i];
      y[i] = v < 0 ? (float) (a * Math.expm1(v)) : v;
    }
  }

  @Override
  void apply(double[] x, double[] y, int n) {
    double a = alpha;
    for (int i = 0; i < n; i++) {
      double v = x[i];
      y[i] = v < 0 ? a * Math.expm1(v) : v;
    }
  }

  /** EluGradient's kernel. */
  static final class Gradient extends FloatingUnaryGradientOp {
    private final float alpha;

    Gradient(OperatorInit init) {
      super(init, 1);
      this.alpha = init.args().getFloat("alpha", 1f);
    }

    @Override
    void apply(float[] y, float[] dy, float[] dx, int n) {
      float a = alpha;
      for (int i = 0; i < n; i++) {
        dx[i] = y[i] < 0 ? dy[i] * (y[i] + a) : dy[i];
      }
    }

    @Override
    void apply(double[] y, double[] dy, double[] dx, int n) {
      double a = alpha;
      for (int i = 0; i < n; i++) {
        dx[i] = y[i] < 0 ? dy[i] * (y[i] + a) : dy[i];
      }
    }
  }
}
