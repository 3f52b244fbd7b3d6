package dev.zerog.ops.indexing;

import dev.zerog.SchemaException;
import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.Arity;
import dev.zerog.op.BlobType;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * SparseToDense: scatters slices into a zero tensor, adding the slices whose indices repeat. It turns a
 * GradientSlice (indices, values) into the dense gradient it stands for, and is Gather's dense gradient.
 *
 * <p>Gradient (Caffe2's GetSparseToDenseGradient): {@code Gather(dY, indices) -> dValues}.
 */
final class SparseToDense extends Operator {
  private static final Set<DataType> TYPES =
      EnumSet.of(DataType.FLOAT, DataType.DOUBLE, DataType.INT32, DataType.INT64);

  static final OperatorSchema SCHEMA = OperatorSchema.builder("SparseToDense")
      .linearIn(1)
      .inputs(Arity.range(2, 3))
      .outputs(1)
      .doc("Scatters the slices `values` into zeros: output[indices[i], ...] += values[i, ...] for every i, so "
          + "rows whose index repeats are summed and rows no index names are 0.\n\n"
          + "indices is INT32 or INT64; values is FLOAT, DOUBLE, INT32 or INT64, and its leading dims are those "
          + "of indices (for 1-D indices of length K, values has shape [K, ...]; indices of higher rank, which "
          + "Caffe2 refuses, are read flat). The output has values's type and shape [D, ...], the trailing dims "
          + "being values's after the index dims. D is `output_first_dim` when positive (there must then be no "
          + "third input), else the first dim of `data_to_infer_dim`, else the largest index + 1 (0 without "
          + "indices). Every index must lie in [0, D).\n\n"
          + "Gradient: Gather(dOutput, indices) -> dValues.")
      .input("indices", "INT32 or INT64, any shape")
      .input("values", "the slices, FLOAT, DOUBLE, INT32 or INT64, shaped indices.dims + slice dims")
      .input("data_to_infer_dim", "optional: a tensor whose first dim is D")
      .output("output", "the dense tensor, values's type, [D] + slice dims")
      .arg("output_first_dim", ArgType.INT, "D, when positive (default 0: inferred)")
      .inference(SparseToDense::infer)
      .build();

  /** Caffe2's GetSparseToDenseGradient: Gather(dY, indices) -> dValues. */
  static final GradientMaker GRADIENT = (GradientContext g) -> GradientContext.single(
      "Gather", List.of(g.GO(0), g.I(0)), List.of(g.GI(1)));

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(SparseToDense::new).gradient(GRADIENT).build();

  private final long outputFirstDim;

  SparseToDense(OperatorInit init) {
    super(init);
    outputFirstDim = init.args().getLong("output_first_dim", 0);
    if (outputFirstDim > 0 && init.inputs().length != 2) {
      throw new SchemaException("with a positive 'output_first_dim', SparseToDense takes no data_to_infer_dim "
          + "input");
    }
  }

  /** The slice dims: values's after the index dims, which must match. */
  static long[] sliceDims(long[] indices, long[] values, String indicesBlob, String valuesBlob) {
    if (indices.length == 0) {
      throw Indices.error(indicesBlob, "the indices must have rank >= 1, got a 0-d tensor");
    }
    boolean ok = values.length >= indices.length;
    if (ok && indices.length == 1) {
      ok = values[0] == indices[0];
    } else {
      for (int k = 0; ok && k < indices.length; k++) {
        ok = values[k] == indices[k];
      }
    }
    if (!ok) {
      throw Indices.error(valuesBlob, "the values " + Shapes.format(values) + " must start with the indices' dims "
          + Shapes.format(indices));
    }
    return Arrays.copyOfRange(values, indices.length, values.length);
  }

  @Override
  public void run() {
    Tensor indices = input(0);
    Tensor values = input(1);
    String indicesName = inputBlob(0).name();
    String valuesName = inputBlob(1).name();
    if (!TYPES.contains(values.dtype())) {
      throw Indices.error(valuesName, "SparseToDense supports FLOAT, DOUBLE, INT32 and INT64 values, got "
          + values.dtype());
    }
    Indices idx = Indices.of(indices, indicesName);
    long[] slice = sliceDims(indices.dims(), values.dims(), indicesName, valuesName);
    long first;
    if (outputFirstDim > 0) {
      first = outputFirstDim;
    } else if (inputSize() == 3) {
      Tensor like = input(2);
      if (like.rank() < 1) {
        throw Indices.error(inputBlob(2).name(), "data_to_infer_dim must have rank >= 1, got a 0-d tensor");
      }
      first = like.dim(0);
    } else {
      first = 0;
      for (int k = 0; k < idx.size; k++) {
        first = Math.max(first, idx.raw(k) + 1);
      }
    }
    long[] out = new long[slice.length + 1];
    out[0] = first;
    System.arraycopy(slice, 0, out, 1, slice.length);
    Tensor y = output(0).resize(values.dtype(), out);
    int block = (int) Shapes.elementCount(slice);
    int n = idx.size;
    switch (values.dtype()) {
      case FLOAT: {
        float[] v = values.floats();
        float[] d = y.floats();
        Arrays.fill(d, 0f);
        for (int k = 0; k < n; k++) {
          int at = idx.at(k, first, false, indicesName) * block;
          for (int j = 0; j < block; j++) {
            d[at + j] += v[k * block + j];
          }
        }
        break;
      }
      case DOUBLE: {
        double[] v = values.doubles();
        double[] d = y.doubles();
        Arrays.fill(d, 0d);
        for (int k = 0; k < n; k++) {
          int at = idx.at(k, first, false, indicesName) * block;
          for (int j = 0; j < block; j++) {
            d[at + j] += v[k * block + j];
          }
        }
        break;
      }
      case INT32: {
        int[] v = values.ints();
        int[] d = y.ints();
        Arrays.fill(d, 0);
        for (int k = 0; k < n; k++) {
          int at = idx.at(k, first, false, indicesName) * block;
          for (int j = 0; j < block; j++) {
            d[at + j] += v[k * block + j];
          }
        }
        break;
      }
      default: {
        long[] v = values.longs();
        long[] d = y.longs();
        Arrays.fill(d, 0L);
        for (int k = 0; k < n; k++) {
          int at = idx.at(k, first, false, indicesName) * block;
          for (int j = 0; j < block; j++) {
            d[at + j] += v[k * block + j];
          }
        }
        break;
      }
    }
  }

  static List<BlobType> infer(OperatorDef def, Arguments args, List<BlobType> in) {
    BlobType indices = in.get(0);
    BlobType values = in.get(1);
    if (indices.dims() == null || values.dims() == null) {
      return List.of(new BlobType(values.dtype(), null));
    }
    long[] slice = sliceDims(indices.dims(), values.dims(), def.getInput(0), def.getInput(1));
    long first = args.getLong("output_first_dim", 0);
    if (first <= 0) {
      long[] like = in.size() == 3 ? in.get(2).dims() : null;
      if (like == null || like.length == 0) {
        return List.of(new BlobType(values.dtype(), null));
      }
      first = like[0];
    }
    long[] out = new long[slice.length + 1];
    out[0] = first;
    System.arraycopy(slice, 0, out, 1, slice.length);
    return List.of(new BlobType(values.dtype(), out));
  }
}
