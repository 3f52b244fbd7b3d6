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
 * Sqrt: {@code Y = sqrt(X)}; its gradient is Caffe2's two ops {@code Scale(dY) -> dX} with {@code scale: 0.5}
 * and {@code Div(dX, Y) -> dX}.
 */
final class Sqrt extends FloatingUnaryOp {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("Sqrt")
      .flops(FlopEstimate.perOutputElement(1))
      .inputs(1)
      .outputs(1)
      .allowInPlace(0, 0)
      .doc("The square root, elementwise: Y = sqrt(X) (NaN for X < 0).\n\n"
          + "Y has X's shape and type (FLOAT or DOUBLE) and may be X (in place).\n\n"
          + "Gradient: Scale(dY) -> dX with scale 0.5, then Div(dX, Y) -> dX: dX = dY / (2 * Y).")
      .input("X", "the input, any shape")
      .output("Y", "the square root of X, of X's shape; may be X")
      .inference(FloatingUnaryOp::infer)
      .build();

  /** Caffe2's GetSqrtGradient. */
  static final GradientMaker GRADIENT = (GradientContext g) -> List.of(
      GradientContext.op("Scale", List.of(g.GO(0)), List.of(g.GI(0)),
          Argument.newBuilder().setName("scale").setF(0.5f).build()),
      GradientContext.op("Div", List.of(g.GI(0), g.O(0)), List.of(g.GI(0))));

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(Sqrt::new).gradient(GRADIENT).build();

  Sqrt(OperatorInit init) {
    super(init);
  }

  @Override
  void apply(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = (float) Math.sqrt(x[i]);
    }
  }

  @Override
  void apply(double[] x, double[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = Math.sqrt(x[i]);
    }
  }
}
