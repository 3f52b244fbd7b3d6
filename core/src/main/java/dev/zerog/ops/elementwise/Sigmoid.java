package dev.zerog.ops.elementwise;

import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.FlopEstimate;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import java.util.List;

/**
 * Sigmoid: {@code Y = 1 / (1 + exp(-X))}; and SigmoidGradient(Y, dY) -> dX with {@code dX = dY * Y * (1 - Y)}.
 */
final class Sigmoid extends FloatingUnaryOp {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("Sigmoid")
      .flops(FlopEstimate.perOutputElement(4))
      .inputs(1)
      .outputs(1)
      .allowInPlace(0, 0)
      .doc("The logistic function, elementwise: Y = 1 / (1 + exp(-X)).\n\n"
          + "Y has X's shape and type (FLOAT or DOUBLE) and may be X (in place). FLOAT is computed in double and "
          + "rounded once.\n\n"
          + "Gradient: SigmoidGradient(Y, dY) -> dX, dX = dY * Y * (1 - Y).")
      .input("X", "the input, any shape")
      .output("Y", "the output, in [0, 1], of X's shape; may be X")
      .inference(FloatingUnaryOp::infer)
      .build();

  static final OperatorSchema GRADIENT_SCHEMA = OperatorSchema.builder("SigmoidGradient")
      .linearIn(1)
      .flops(FlopEstimate.perOutputElement(3))
      .inputs(2)
      .outputs(1)
      .allowInPlace(1, 0)
      .doc("The gradient of Sigmoid: dX = dY * Y * (1 - Y). Y and dY have one type (FLOAT or DOUBLE) and one "
          + "shape, which dX takes; dX may be dY (in place).")
      .input("Y", "Sigmoid's output")
      .input("dY", "the gradient of Y")
      .output("dX", "the gradient of X")
      .inference(FloatingUnaryGradientOp::inferDySecond)
      .build();

  /** Caffe2's GetSigmoidGradient: SigmoidGradient(Y, dY) -> dX. */
  static final GradientMaker GRADIENT = (GradientContext g) ->
      GradientContext.single("SigmoidGradient", List.of(g.O(0), g.GO(0)), List.of(g.GI(0)));

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(Sigmoid::new).gradient(GRADIENT).build();

  static final OperatorDefinition GRADIENT_DEFINITION =
      OperatorDefinition.builder(GRADIENT_SCHEMA).cpu(Gradient::new).gradientNotImplemented().build();

  Sigmoid(OperatorInit init) {
    super(init);
  }

  @Override
  void apply(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = (float) (1 / (1 + Math.exp(-x[i])));
    }
  }

  @Override
  void apply(double[] x, double[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = 1 / (1 + Math.exp(-x[i]));
    }
  }

  /** SigmoidGradient's kernel. */
  static final class Gradient extends FloatingUnaryGradientOp {
    Gradient(OperatorInit init) {
      super(init, 1);
    }

    @Override
    void apply(float[] y, float[] dy, float[] dx, int n) {
      for (int i = 0; i < n; i++) {
        dx[i] = dy[i] * y[i] * (1 - y[i]);
      }
    }

    @Override
    void apply(double[] y, double[] dy, double[] dx, int n) {
      for (int i = 0; i < n; i++) {
        dx[i] = dy[i] * y[i] * (1 - y[i]);
      }
    }
  }
}
