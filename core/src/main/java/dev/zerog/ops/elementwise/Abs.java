package dev.zerog.ops.elementwise;

import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.FlopEstimate;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import java.util.List;

/**
 * Abs: {@code Y = |X|}; and AbsGradient(X, dY) -> dX with {@code dX = sign(X) * dY} (0 where X is 0).
 */
final class Abs extends FloatingUnaryOp {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("Abs")
      .flops(FlopEstimate.perOutputElement(1))
      .inputs(1)
      .outputs(1)
      .doc("The absolute value, elementwise: Y = |X|.\n\n"
          + "Y has X's shape and type (FLOAT or DOUBLE). Not in place (as in Caffe2: the gradient reads X).\n\n"
          + "Gradient: AbsGradient(X, dY) -> dX, dX = dY where X > 0, -dY where X < 0, 0 where X = 0.")
      .input("X", "the input, any shape")
      .output("Y", "|X|, of X's shape")
      .inference(FloatingUnaryOp::infer)
      .build();

  static final OperatorSchema GRADIENT_SCHEMA = OperatorSchema.builder("AbsGradient")
      .linearIn(1)
      .flops(FlopEstimate.perOutputElement(1))
      .inputs(2)
      .outputs(1)
      .doc("The gradient of Abs: dX = dY where X > 0, -dY where X < 0, 0 where X = 0. X and dY have one type "
          + "(FLOAT or DOUBLE) and one shape, which dX takes.")
      .input("X", "Abs's input")
      .input("dY", "the gradient of Y")
      .output("dX", "the gradient of X")
      .inference(FloatingUnaryGradientOp::inferDySecond)
      .build();

  /** Caffe2's GetAbsGradient: AbsGradient(X, dY) -> dX. */
  static final GradientMaker GRADIENT = (GradientContext g) ->
      GradientContext.single("AbsGradient", List.of(g.I(0), g.GO(0)), List.of(g.GI(0)));

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(Abs::new).gradient(GRADIENT).build();

  static final OperatorDefinition GRADIENT_DEFINITION =
      OperatorDefinition.builder(GRADIENT_SCHEMA).cpu(Gradient::new).gradientNotImplemented().build();

  Abs(OperatorInit init) {
    super(init);
  }

  @Override
  void apply(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = Math.abs(x[i]);
    }
  }

  @Override
  void apply(double[] x, double[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = Math.abs(x[i]);
    }
  }

  /** AbsGradient's kernel. */
  static final class Gradient extends FloatingUnaryGradientOp {
    Gradient(OperatorInit init) {
      super(init, 1);
    }

    @Override
    void apply(float[] x, float[] dy, float[] dx, int n) {
      for (int i = 0; i < n; i++) {
        dx[i] = x[i] > 0 ? dy[i] : x[i] < 0 ? -dy[i] : 0f;
      }
    }

    @Override
    void apply(double[] x, double[] dy, double[] dx, int n) {
      for (int i = 0; i < n; i++) {
        dx[i] = x[i] > 0 ? dy[i] : x[i] < 0 ? -dy[i] : 0d;
      }
    }
  }
}
