package dev.zerog.ops.elementwise;

import dev.zerog.ShapeException;
import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.FlopEstimate;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import java.util.List;

/** Negative: {@code Y = -X}; its gradient is {@code Negative(dY) -> dX}. */
final class Negative extends Operator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("Negative")
      .linearIn(0)
      .flops(FlopEstimate.perOutputElement(1))
      .inputs(1)
      .outputs(1)
      .allowInPlace(0, 0)
      .doc("The negation, elementwise: Y = -X.\n\n"
          + "Types: FLOAT, DOUBLE, INT32 and INT64 (integers wrap: the most negative value stays itself). Y has "
          + "X's shape and type and may be X (in place). A known-zero X gives a known-zero Y.\n\n"
          + "Gradient: Negative(dY) -> dX.")
      .input("X", "the input, any shape")
      .output("Y", "-X, of X's shape; may be X")
      .inference((def, args, in) -> {
        DataType t = in.get(0).dtype();
        if (t != null && !Arithmetic.supports(t)) {
          throw (ShapeException) unsupported(t).atBlob(def.getInput(0));
        }
        return List.of(in.get(0));
      })
      .build();

  /** Caffe2's GetNegativeGradient: Negative(dY) -> dX. */
  static final GradientMaker GRADIENT = (GradientContext g) ->
      GradientContext.single("Negative", List.of(g.GO(0)), List.of(g.GI(0)));

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(Negative::new).gradient(GRADIENT).build();

  Negative(OperatorInit init) {
    super(init);
  }

  private static ShapeException unsupported(DataType t) {
    return new ShapeException("Negative supports FLOAT, DOUBLE, INT32 and INT64 tensors, got " + t);
  }

  @Override
  public void run() {
    Tensor x = input(0);
    DataType dtype = x.dtype();
    if (!Arithmetic.supports(dtype)) {
      throw (ShapeException) unsupported(dtype).atOp(index(), type()).atBlob(inputBlob(0).name());
    }
    Tensor y = output(0);
    if (x.isKnownZero()) {
      y.setKnownZero(dtype, x.dims());
      return;
    }
    Outputs.shapeLike(y, dtype, x);
    int n = x.size();
    switch (dtype) {
      case FLOAT:
        FloatKernels.negate(x.floats(), y.floats(), n);
        break;
      case DOUBLE:
        DoubleKernels.negate(x.doubles(), y.doubles(), n);
        break;
      case INT32:
        IntKernels.negate(x.ints(), y.ints(), n);
        break;
      case INT64:
        LongKernels.negate(x.longs(), y.longs(), n);
        break;
      default:
        throw new AssertionError(dtype);
    }
  }

}
