package dev.zerog.ops.elementwise;

import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.FlopEstimate;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.proto.Caffe2.Argument;
import java.util.List;

/**
 * Sqr: {@code Y = X * X}; its gradient is Caffe2's two ops {@code Scale(dY) -> dY} with {@code scale: 2.0} (in
 * place on dY) and {@code Mul(dY, X) -> dX}.
 */
final class Sqr extends FloatingUnaryOp {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("Sqr")
      .flops(FlopEstimate.perOutputElement(1))
      .inputs(1)
      .outputs(1)
      .allowInPlace(0, 0)
      .doc("The square, elementwise: Y = X * X.\n\n"
          + "Y has X's shape and type (FLOAT or DOUBLE) and may be X (in place).\n\n"
          + "Gradient: Scale(dY) -> dY with scale 2.0 (overwriting dY, as Caffe2 does), then Mul(dY, X) -> dX: "
          + "dX = 2 * X * dY. The gradient reads X: in place, X holds Y by then and the gradient is wrong "
          + "(Caffe2's backward builder does not catch this, and neither does zerog's).")
      .input("X", "the input, any shape")
      .output("Y", "X squared, of X's shape; may be X")
      .inference(FloatingUnaryOp::infer)
      .build();

  /** Caffe2's GetSqrGradient. */
  static final GradientMaker GRADIENT = (GradientContext g) -> List.of(
      GradientContext.op("Scale", List.of(g.GO(0)), List.of(g.GO(0)),
          Argument.newBuilder().setName("scale").setF(2.0f).build()),
      GradientContext.op("Mul", List.of(g.GO(0), g.I(0)), List.of(g.GI(0))));

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(Sqr::new).gradient(GRADIENT).build();

  Sqr(OperatorInit init) {
    super(init);
  }

  @Override
  void apply(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = x[i] * x[i];
    }
  }

  @Override
  void apply(double[] x, double[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = x[i] * x[i];
    }
  }
}
