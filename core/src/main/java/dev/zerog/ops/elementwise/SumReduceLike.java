package dev.zerog.ops.elementwise;

import dev.zerog.ShapeException;
import dev.zerog.op.ArgType;
import dev.zerog.op.BlobType;
import dev.zerog.op.FlopEstimate;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * SumReduceLike: sums A over the axes that Caffe2's legacy broadcasting would repeat B along, so that the result
 * has B's shape; the reduction that undoes {@code broadcast: 1}. Pow's gradient uses it.
 */
final class SumReduceLike extends Operator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("SumReduceLike")
      .linearIn(0)
      .flops(FlopEstimate.perInputElement(0, 1))
      .inputs(2)
      .outputs(1)
      .doc("Sums A down to B's shape: C[j] = the sum of A over every position where Caffe2's legacy broadcasting "
          + "(`broadcast: 1`) of B over A puts B[j]. B is a single element (C is the sum of all of A) or a "
          + "contiguous run of A's dims starting at `axis` (default: A's last dims), possibly padded with dims "
          + "of 1; only B's shape is read.\n\n"
          + "C has B's shape and A's type (FLOAT or DOUBLE). Not in place.")
      .input("A", "the tensor to reduce")
      .input("B", "the tensor whose shape C takes")
      .output("C", "the sums, of B's shape")
      .arg("axis", ArgType.INT, "the axis of A where B's dims start (default -1: B's dims are A's last dims)")
      .arg("axis_str", ArgType.STRING, "the axis as a letter of `order`; not together with axis")
      .arg("order", ArgType.STRING, "the layout that axis_str is a letter of (default \"NCHW\")")
      .inference((def, args, in) -> List.of(new BlobType(in.get(0).dtype(), in.get(1).dims())))
      .build();

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(SumReduceLike::new).gradientNotImplemented().build();

  private final int axis;
  private final Broadcast plan = new Broadcast();

  SumReduceLike(OperatorInit init) {
    super(init);
    this.axis = BroadcastArguments.legacyAxis(init.args());
  }

  @Override
  public void run() {
    Tensor a = input(0);
    Tensor b = input(1);
    DataType dtype = a.dtype();
    if (dtype != DataType.FLOAT && dtype != DataType.DOUBLE) {
      throw (ShapeException) FloatingUnaryOp.unsupported(type(), dtype).atOp(index(), type())
          .atBlob(inputBlob(0).name());
    }
    try {
      plan.legacy(a, b, axis);
    } catch (ShapeException e) {
      throw (ShapeException) e.atOp(index(), type()).atBlob(inputBlob(1).name());
    }
    Tensor c = Outputs.shapeLike(output(0), dtype, b);
    if (dtype == DataType.FLOAT) {
      float[] out = c.floats();
      Arrays.fill(out, 0);
      FloatKernels.sumRows(plan, false, a.floats(), out);
    } else {
      double[] out = c.doubles();
      Arrays.fill(out, 0);
      DoubleKernels.sumRows(plan, false, a.doubles(), out);
    }
  }
}
