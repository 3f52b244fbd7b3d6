package dev.zerog.ops.indexing;

import dev.zerog.SchemaException;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.BlobType;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * BatchGatherGradient: the dense gradient of a Gather along an axis other than the first (Caffe2's name): the
 * output gradient scattered back into zeros shaped like DATA, adding where an index repeats.
 */
final class BatchGatherGradient extends Operator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("BatchGatherGradient")
      .linearIn(2)
      .inputs(3)
      .outputs(1)
      .doc("The gradient of Gather along `axis`: dDATA has DATA's shape and GRAD's type (FLOAT or DOUBLE), zero "
          + "except dDATA[..., INDICES[j], ...] += GRAD[..., j, ...] for every index position j. GRAD has "
          + "Gather's output shape. Negative indices count from the end with `wrap_indices: 1`.")
      .input("DATA", "Gather's DATA (only its shape is read)")
      .input("INDICES", "Gather's INDICES, INT32 or INT64")
      .input("GRAD", "the gradient of Gather's output")
      .output("dDATA", "the gradient of DATA")
      .arg("axis", ArgType.INT, "the axis Gather picked along (default 1)")
      .arg("wrap_indices", ArgType.INT, "1: negative indices count from the end (default 0)")
      .arg("match_outer", ArgType.INT, "not supported; must be 0")
      .inference((def, args, in) -> List.of(new BlobType(in.get(2).dtype(), in.get(0).dims())))
      .build();

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(BatchGatherGradient::new).noGradient().build();

  private final long axis;
  private final boolean wrap;

  BatchGatherGradient(OperatorInit init) {
    super(init);
    Arguments args = init.args();
    axis = args.getLong("axis", 1);
    wrap = args.getBool("wrap_indices", false);
    if (args.getBool("match_outer", false)) {
      throw new SchemaException("BatchGatherGradient's 'match_outer' is not supported");
    }
  }

  @Override
  public void run() {
    Tensor data = input(0);
    Tensor indices = input(1);
    Tensor grad = input(2);
    String indicesName = inputBlob(1).name();
    String gradName = inputBlob(2).name();
    long[] dims = data.dims();
    int a = Gather.axis(axis, dims, inputBlob(0).name());
    Indices idx = Indices.of(indices, indicesName);
    long[] expected = Gather.outputDims(dims, indices.dims(), a);
    if (!grad.hasDims(expected)) {
      throw Indices.error(gradName, "the gradient '" + gradName + "' has shape " + Shapes.format(grad.dims())
          + " but Gather's output has shape " + Shapes.format(expected));
    }
    DataType dtype = grad.dtype();
    if (dtype != DataType.FLOAT && dtype != DataType.DOUBLE) {
      throw Indices.error(gradName, "BatchGatherGradient supports FLOAT and DOUBLE gradients, got " + dtype);
    }
    Tensor dx = output(0).resize(dtype, dims);
    int outer = (int) Shapes.sizeBetween(dims, 0, a);
    long axisDim = dims[a];
    int block = (int) Shapes.sizeBetween(dims, a + 1, dims.length);
    int n = grad.size() == 0 ? 0 : idx.size;
    int dstBatch = (int) axisDim * block;
    int srcBatch = n * block;
    if (dtype == DataType.FLOAT) {
      float[] g = grad.floats();
      float[] d = dx.floats();
      Arrays.fill(d, 0f);
      for (int b = 0; b < outer; b++) {
        for (int k = 0; k < n; k++) {
          int at = b * dstBatch + idx.at(k, axisDim, wrap, indicesName) * block;
          int from = b * srcBatch + k * block;
          for (int j = 0; j < block; j++) {
            d[at + j] += g[from + j];
          }
        }
      }
    } else {
      double[] g = grad.doubles();
      double[] d = dx.doubles();
      Arrays.fill(d, 0d);
      for (int b = 0; b < outer; b++) {
        for (int k = 0; k < n; k++) {
          int at = b * dstBatch + idx.at(k, axisDim, wrap, indicesName) * block;
          int from = b * srcBatch + k * block;
          for (int j = 0; j < block; j++) {
            d[at + j] += g[from + j];
          }
        }
      }
    }
  }
}
