package dev.zerog.ops.elementwise;

import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.FlopEstimate;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import java.util.List;

/** Exp: {@code Y = exp(X)}; its gradient is {@code Mul(Y, dY) -> dX}, as Caffe2 writes it. */
final class Exp extends FloatingUnaryOp {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("Exp")
      .flops(FlopEstimate.perOutputElement(1))
      .inputs(1)
      .outputs(1)
      .allowInPlace(0, 0)
      .doc("The exponential, elementwise: Y = exp(X).\n\n"
          + "Y has X's shape and type (FLOAT or DOUBLE) and may be X (in place).\n\n"
          + "Gradient: Mul(Y, dY) -> dX, dX = dY * Y (no gradient operator of its own).")
      .input("X", "the input, any shape")
      .output("Y", "exp(X), of X's shape; may be X")
      .inference(FloatingUnaryOp::infer)
      .build();

  /** Caffe2's GetExpGradient: Mul(Y, dY) -> dX. */
  static final GradientMaker GRADIENT = (GradientContext g) ->
      GradientContext.single("Mul", List.of(g.O(0), g.GO(0)), List.of(g.GI(0)));

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(Exp::new).gradient(GRADIENT).build();

  Exp(OperatorInit init) {
    super(init);
  }

  @Override
  void apply(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = (float) Math.exp(x[i]);
    }
  }

  @Override
  void apply(double[] x, double[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = Math.exp(x[i]);
    }
  }
}
