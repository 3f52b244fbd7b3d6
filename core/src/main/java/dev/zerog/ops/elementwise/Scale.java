package dev.zerog.ops.elementwise;

import dev.zerog.ShapeException;
import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.ArgType;
import dev.zerog.op.FlopEstimate;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import java.util.List;

/** Scale: {@code Y = scale * X}; its gradient is {@code Scale(dY) -> dX} with the same scale. */
final class Scale extends Operator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("Scale")
      .linearIn(0)
      .flops(FlopEstimate.perOutputElement(1))
      .inputs(1)
      .outputs(1)
      .allowInPlace(0, 0)
      .doc("Multiplies every element by a constant: Y = scale * X.\n\n"
          + "Y has X's shape and type (FLOAT or DOUBLE) and may be X (in place). A known-zero X gives a known-zero "
          + "Y when scale is finite.\n\n"
          + "Gradient: Scale(dY) -> dX, with the forward op's arguments (so the same scale).")
      .input("X", "the input, any shape")
      .output("Y", "scale * X, of X's shape; may be X")
      .arg("scale", ArgType.FLOAT, "the factor (default 1.0)")
      .inference(FloatingUnaryOp::infer)
      .build();

  /** Caffe2's GetScaleGradient: Scale(dY) -> dX; the builder copies the forward op's scale. */
  static final GradientMaker GRADIENT = (GradientContext g) ->
      GradientContext.single("Scale", List.of(g.GO(0)), List.of(g.GI(0)));

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(Scale::new).gradient(GRADIENT).build();

  private final float scale;

  Scale(OperatorInit init) {
    super(init);
    this.scale = init.args().getFloat("scale", 1f);
  }

  @Override
  public void run() {
    Tensor x = input(0);
    DataType dtype = x.dtype();
    if (dtype != DataType.FLOAT && dtype != DataType.DOUBLE) {
      throw (ShapeException) FloatingUnaryOp.unsupported(type(), dtype).atOp(index(), type())
          .atBlob(inputBlob(0).name());
    }
    Tensor y = output(0);
    if (x.isKnownZero() && Float.isFinite(scale)) {
      y.setKnownZero(dtype, x.dims());
      return;
    }
    Outputs.shapeLike(y, dtype, x);
    int n = x.size();
    if (dtype == DataType.FLOAT) {
      float s = scale;
      float[] in = x.floats();
      float[] out = y.floats();
      for (int i = 0; i < n; i++) {
        out[i] = s * in[i];
      }
    } else {
      double s = scale;
      double[] in = x.doubles();
      double[] out = y.doubles();
      for (int i = 0; i < n; i++) {
        out[i] = s * in[i];
      }
    }
  }
}
