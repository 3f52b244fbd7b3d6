package dev.zerog.ops.shape;

import dev.zerog.op.BlobType;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.util.List;

/**
 * ResizeLike: the elements of one tensor under the dims of another of the same size. It is the gradient of
 * Flatten and FlattenToVec. As in Caffe2 (SHOULD_NOT_DO_GRADIENT), asking for its own gradient is an error.
 */
final class ResizeLike extends Operator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("ResizeLike")
      .linearIn(0)
      .inputs(2)
      .outputs(1)
      .doc("Y = the elements of `data` (any type, row-major order) under the dims of `shape_tensor`, which must "
          + "have the same number of elements. Y has data's type.\n\n"
          + "No gradient: the backward pass refuses to go through it, as Caffe2 does.")
      .input("data", "the elements, any type")
      .input("shape_tensor", "a tensor of the wanted dims and of data's size; its elements are not read")
      .output("output", "data's elements with shape_tensor's dims")
      .inference((def, args, in) -> List.of(new BlobType(in.get(0).dtype(), in.get(1).dims())))
      .build();

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(ResizeLike::new).gradientNotImplemented().build();

  ResizeLike(OperatorInit init) {
    super(init);
  }

  @Override
  public void run() {
    Tensor data = input(0);
    Tensor like = input(1);
    if (data.size() != like.size()) {
      throw ElementArrays.error(inputBlob(0).name(), "'" + inputBlob(0).name() + "' has " + data.size()
          + " elements (shape " + Shapes.format(data.dims()) + ") but '" + inputBlob(1).name() + "' has "
          + like.size() + " (shape " + Shapes.format(like.dims()) + "); ResizeLike needs the same number");
    }
    long[] dims = like.dims();
    output(0).copyFrom(data).reshape(dims);
  }
}
