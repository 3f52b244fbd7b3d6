package dev.zerog.ops.elementwise;

import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.FlopEstimate;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import java.util.List;

/**
 * Softplus: {@code Y = ln(1 + exp(X))}; and SoftplusGradient(Y, dY) -> dX with {@code dX = dY * (1 - exp(-Y))}.
 */
final class Softplus extends FloatingUnaryOp {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("Softplus")
      .flops(FlopEstimate.perOutputElement(4))
      .inputs(1)
      .outputs(1)
      .allowInPlace(0, 0)
      .doc("Softplus, elementwise: Y = ln(1 + exp(X)).\n\n"
          + "Computed as max(X, 0) + ln(1 + exp(-|X|)), which equals it and does not overflow for large X (Caffe2's "
          + "direct formula gives inf there). Y has X's shape and type (FLOAT or DOUBLE) and may be X (in "
          + "place).\n\n"
          + "Gradient: SoftplusGradient(Y, dY) -> dX, dX = dY * (1 - exp(-Y)) (which is dY * sigmoid(X)).")
      .input("X", "the input, any shape")
      .output("Y", "the output, positive, of X's shape; may be X")
      .inference(FloatingUnaryOp::infer)
      .build();

  static final OperatorSchema GRADIENT_SCHEMA = OperatorSchema.builder("SoftplusGradient")
      .linearIn(1)
      .flops(FlopEstimate.perOutputElement(4))
      .inputs(2)
      .outputs(1)
      .allowInPlace(1, 0)
      .doc("The gradient of Softplus: dX = dY * (1 - exp(-Y)). Y and dY have one type (FLOAT or DOUBLE) and one "
          + "shape, which dX takes; dX may be dY (in place).")
      .input("Y", "Softplus's output")
      .input("dY", "the gradient of Y")
      .output("dX", "the gradient of X")
      .inference(FloatingUnaryGradientOp::inferDySecond)
      .build();

  /** Caffe2's GetSoftplusGradient: SoftplusGradient(Y, dY) -> dX. */
  static final GradientMaker GRADIENT = (GradientContext g) ->
      GradientContext.single("SoftplusGradient", List.of(g.O(0), g.GO(0)), List.of(g.GI(0)));

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(Softplus::new).gradient(GRADIENT).build();

  static final OperatorDefinition GRADIENT_DEFINITION =
      OperatorDefinition.builder(GRADIENT_SCHEMA).cpu(Gradient::new).gradientNotImplemented().build();

  Softplus(OperatorInit init) {
    super(init);
  }

  @Override
  void apply(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) {
      double v = x[i];
      y[i] = (float) (Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))));
    }
  }

  @Override
  void apply(double[] x, double[] y, int n) {
    for (int i = 0; i < n; i++) {
      double v = x[i];
      y[i] = Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
    }
  }

  /** SoftplusGradient's kernel. */
  static final class Gradient extends FloatingUnaryGradientOp {
    Gradient(OperatorInit init) {
      super(init, 1);
    }

    @Override
    void apply(float[] y, float[] dy, float[] dx, int n) {
      for (int i = 0; i < n; i++) {
        dx[i] = (float) (dy[i] * -Math.expm1(-y[i]));
      }
    }

    @Override
    void apply(double[] y, double[] dy, double[] dx, int n) {
      for (int i = 0; i < n; i++) {
        dx[i] = dy[i] * -Math.expm1(-y[i]);
      }
    }
  }
}
