package dev.zerog.ops.elementwise;

import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.FlopEstimate;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import java.util.List;

/** Log: {@code Y = ln(X)}; its gradient is {@code Div(dY, X) -> dX}, as Caffe2 writes it. */
final class Log extends FloatingUnaryOp {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("Log")
      .flops(FlopEstimate.perOutputElement(1))
      .inputs(1)
      .outputs(1)
      .allowInPlace(0, 0)
      .doc("The natural logarithm, elementwise: Y = ln(X) (NaN for X < 0, -inf for 0).\n\n"
          + "Y has X's shape and type (FLOAT or DOUBLE) and may be X (in place).\n\n"
          + "Gradient: Div(dY, X) -> dX, dX = dY / X (no gradient operator of its own). The gradient reads X: in "
          + "place, X holds Y by then and the gradient is wrong (Caffe2's backward builder does not catch this, "
          + "and neither does zerog's).")
      .input("X", "the input, any shape")
      .output("Y", "ln(X), of X's shape; may be X")
      .inference(FloatingUnaryOp::infer)
      .build();

  /** Caffe2's GetLogGradient: Div(dY, X) -> dX. */
  static final GradientMaker GRADIENT = (GradientContext g) ->
      GradientContext.single("Div", List.of(g.GO(0), g.I(0)), List.of(g.GI(0)));

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(Log::new).gradient(GRADIENT).build();

  Log(OperatorInit init) {
    super(init);
  }

  @Override
  void apply(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = (float) Math.log(x[i]);
    }
  }

  @Override
  void apply(double[] x, double[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = Math.log(x[i]);
    }
  }
}
