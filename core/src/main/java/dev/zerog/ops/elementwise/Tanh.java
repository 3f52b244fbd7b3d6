package dev.zerog.ops.elementwise;

import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.FlopEstimate;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import java.util.List;

/**
 * Tanh: {@code Y = tanh(X)}; and TanhGradient(dY, Y) -> dX with {@code dX = dY * (1 - Y * Y)}. Note Caffe2's
 * input order for this one: dY first.
 */
final class Tanh extends FloatingUnaryOp {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("Tanh")
      .flops(FlopEstimate.perOutputElement(4))
      .inputs(1)
      .outputs(1)
      .allowInPlace(0, 0)
      .doc("The hyperbolic tangent, elementwise: Y = tanh(X).\n\n"
          + "Y has X's shape and type (FLOAT or DOUBLE) and may be X (in place).\n\n"
          + "Gradient: TanhGradient(dY, Y) -> dX (dY first, as in Caffe2), dX = dY * (1 - Y^2).")
      .input("X", "the input, any shape")
      .output("Y", "the output, in [-1, 1], of X's shape; may be X")
      .inference(FloatingUnaryOp::infer)
      .build();

  static final OperatorSchema GRADIENT_SCHEMA = OperatorSchema.builder("TanhGradient")
      .linearIn(0)
      .flops(FlopEstimate.perOutputElement(3))
      .inputs(2)
      .outputs(1)
      .allowInPlace(0, 0)
      .doc("The gradient of Tanh: dX = dY * (1 - Y^2). dY and Y have one type (FLOAT or DOUBLE) and one shape, "
          + "which dX takes; dX may be dY (in place).")
      .input("dY", "the gradient of Y")
      .input("Y", "Tanh's output")
      .output("dX", "the gradient of X")
      .inference(FloatingUnaryGradientOp::inferDyFirst)
      .build();

  /** Caffe2's GetTanhGradient: TanhGradient(dY, Y) -> dX. */
  static final GradientMaker GRADIENT = (GradientContext g) ->
      GradientContext.single("TanhGradient", List.of(g.GO(0), g.O(0)), List.of(g.GI(0)));

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(Tanh::new).gradient(GRADIENT).build();

  static final OperatorDefinition GRADIENT_DEFINITION =
      OperatorDefinition.builder(GRADIENT_SCHEMA).cpu(Gradient::new).gradientNotImplemented().build();

  Tanh(OperatorInit init) {
    super(init);
  }

  @Override
  void apply(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = (float) Math.tanh(x[i]);
    }
  }

  @Override
  void apply(double[] x, double[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = Math.tanh(x[i]);
    }
  }

  /** TanhGradient's kernel. */
  static final class Gradient extends FloatingUnaryGradientOp {
    Gradient(OperatorInit init) {
      super(init, 0);
    }

    @Override
    void apply(float[] y, float[] dy, float[] dx, int n) {
      for (int i = 0; i < n; i++) {
        dx[i] = dy[i] * (1 - y[i] * y[i]);
      }
    }

    @Override
    void apply(double[] y, double[] dy, double[] dx, int n) {
      for (int i = 0; i < n; i++) {
        dx[i] = dy[i] * (1 - y[i] * y[i]);
      }
    }
  }
}
