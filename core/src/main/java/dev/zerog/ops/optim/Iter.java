package dev.zerog.ops.optim;

import dev.zerog.ShapeException;
import dev.zerog.op.Arity;
import dev.zerog.op.BlobType;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Blob;
import java.util.List;

/**
 * Iter: the iteration counter of a training net, an INT64 tensor of one element incremented in place each run.
 * The optimizer builder initializes it to 0 in the init net ({@code optimizer_iteration}), so the first training
 * step sees 1.
 */
final class Iter extends Operator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("Iter")
      .inputs(Arity.range(0, 1))
      .outputs(1)
      .enforceInPlace(0, 0)
      .doc("Increments an iteration counter in place: ITER[0] += 1.\n\n"
          + "ITER is an INT64 tensor of one element (usually shape [1]), at least 0 before the increment. The "
          + "input, when given, must be the output blob. Without an input, a blob that holds no tensor yet starts "
          + "at 0 (so the first run leaves 1), as Caffe2's old Iter definition does; a blob that holds a tensor is "
          + "incremented, which resumes a counter. Incrementing past the largest INT64 is an error.")
      .input("ITER", "optional, the counter; the same blob as the output")
      .output("ITER", "the counter, incremented")
      .inference((def, args, in) -> List.of(in.isEmpty() || in.get(0).dims() == null
          ? BlobType.of(DataType.INT64, 1) : new BlobType(DataType.INT64, in.get(0).dims())))
      .build();

  static final OperatorDefinition DEFINITION = OperatorDefinition.builder(SCHEMA).cpu(Iter::new).noGradient().build();

  private static final long[] ONE = {1};

  Iter(OperatorInit init) {
    super(init);
  }

  @Override
  public void run() {
    Blob blob = outputBlob(0);
    if (inputSize() == 0 && !blob.isTensor()) {
      Tensor start = output(0);
      start.resize(DataType.INT64, ONE);
      start.longs()[0] = 0;
    }
    Tensor t = inputSize() > 0 ? input(0) : output(0);
    if (t.dtype() != DataType.INT64 || t.size() != 1) {
      throw (ShapeException) new ShapeException("the counter must be an INT64 tensor of one element, got "
          + t.dtype() + " " + Shapes.format(t.dims())).atBlob(blob.name());
    }
    long[] v = t.longs();
    if (v[0] < 0) {
      throw (ShapeException) new ShapeException("the previous iteration number is negative: " + v[0])
          .atBlob(blob.name());
    }
    if (v[0] == Long.MAX_VALUE) {
      throw (ShapeException) new ShapeException("the iteration counter would overflow INT64").atBlob(blob.name());
    }
    v[0]++;
  }
}
