package dev.zerog.ops.elementwise;

import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.FlopEstimate;
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

  Relu(OperatorInit init) {
    super(init);
  }

  @Override
  void apply(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) {
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
    Gradient(OperatorInit init) {
      super(init, 1);
    }

    @Override
    void apply(float[] y, float[] dy, float[] dx, int n) {
      for (int i = 0; i < n; i++) {
        dx[i] = y[i] > 0 ? dy[i] : 0f;
      }
    }

    @Override
    void apply(double[] y, double[] dy, double[] dx, int n) {
      for (int i = 0; i < n; i++) {
        dx[i] = y[i] > 0 ? dy[i] : 0d;
      }
    }
  }
}
