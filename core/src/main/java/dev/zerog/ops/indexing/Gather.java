package dev.zerog.ops.indexing;

import dev.zerog.GradientException;
import dev.zerog.SchemaException;
import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.BlobType;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.util.List;

/**
 * Gather: the entries of DATA along an axis (the first by default) picked by INDICES. Any type.
 *
 * <p>Gradient (Caffe2's GetGatherGradient): along axis 0 it is sparse, the GradientSlice (INDICES, dY) with no
 * op at all (the rows INDICES of dDATA hold dY, the other rows are zero); when several ops send such slices to
 * one DATA, the backward builder concatenates them. With {@code dense_gradient: 1} it is dense instead,
 * {@code SparseToDense(INDICES, dY, DATA) -> dDATA}. Along another axis it is always dense,
 * {@code BatchGatherGradient(DATA, INDICES, dY) -> dDATA}.
 */
final class Gather extends Operator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("Gather")
      .linearIn(0)
      .inputs(2)
      .outputs(1)
      .doc("Picks entries of DATA along `axis`: for DATA of shape [d0, ..., dr-1] and INDICES of shape "
          + "[k0, ..., kq-1], OUTPUT has shape [d0, ..., d(axis-1), k0, ..., kq-1, d(axis+1), ..., dr-1] and "
          + "OUTPUT[..., j0, ..., jq-1, ...] = DATA[..., INDICES[j0, ..., jq-1], ...]. DATA has any type and rank "
          + ">= 1; INDICES is INT32 or INT64, each index in [0, d(axis)) or, with `wrap_indices`, in "
          + "[-d(axis), d(axis)) where a negative index counts from the end. When d(axis) is 0, OUTPUT has DATA's "
          + "shape. OUTPUT has DATA's type.\n\n"
          + "Gradient: along axis 0, the sparse GradientSlice (INDICES, dOUTPUT), made by no op: dDATA is zero "
          + "except the rows INDICES, which hold dOUTPUT (summed where an index repeats). The backward builder "
          + "joins the slices that several ops send to one DATA with Concat; SparseToDense makes a slice dense. "
          + "With `dense_gradient: 1`, SparseToDense(INDICES, dOUTPUT, DATA) -> dDATA. Along another axis, "
          + "BatchGatherGradient(DATA, INDICES, dOUTPUT) -> dDATA (`dense_gradient: 0` is then an error).")
      .input("DATA", "the tensor to pick from, rank >= 1, any type")
      .input("INDICES", "INT32 or INT64 indices along the axis, any shape")
      .output("OUTPUT", "the picked entries, DATA's type")
      .arg("axis", ArgType.INT, "the axis to pick along (default 0; negative counts from the end)")
      .arg("wrap_indices", ArgType.INT, "1: negative indices count from the end (default: 1 for axis 0, else 0)")
      .arg("dense_gradient", ArgType.INT, "1: a dense gradient for axis 0 (default 0: a GradientSlice)")
      .arg("match_outer", ArgType.INT, "not supported; must be 0")
      .inference(Gather::infer)
      .build();

  /** Caffe2's GetGatherGradient. */
  static final GradientMaker GRADIENT = new GradientMaker() {
    @Override
    public List<OperatorDef> gradientDefs(GradientContext g) {
      Arguments args = Arguments.of(g.def().getArgList());
      boolean dense = args.getBool("dense_gradient", false);
      long axis = args.getLong("axis", 0);
      if (axis == 0) {
        if (!dense) {
          g.setSparse(0, g.I(1), g.GO(0));
          return List.of();
        }
        OperatorDef.Builder b = GradientContext.op("SparseToDense", List.of(g.I(1), g.GO(0), g.I(0)),
            List.of(g.GI(0))).toBuilder().addAllArg(g.def().getArgList());
        return List.of(b.build());
      }
      if (args.has("dense_gradient") && !dense) {
        throw new GradientException("Gather with axis > 0 must use dense_gradient");
      }
      // Caffe2 adds `axis` and then copies every forward argument, `axis` again among them; zerog copies the
      // others, so that the argument is not given twice.
      OperatorDef.Builder b = GradientContext.op("BatchGatherGradient", List.of(g.I(0), g.I(1), g.GO(0)),
          List.of(g.GI(0)), Argument.newBuilder().setName("axis").setI(axis).build()).toBuilder();
      for (Argument a : g.def().getArgList()) {
        if (!a.getName().equals("axis")) {
          b.addArg(a);
        }
      }
      return List.of(b.build());
    }

    @Override
    public boolean copyArguments() {
      return false;
    }
  };

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(Gather::new).gradient(GRADIENT).build();

  private final long axis;
  private final boolean wrap;

  Gather(OperatorInit init) {
    super(init);
    Arguments args = init.args();
    axis = args.getLong("axis", 0);
    wrap = args.has("wrap_indices") ? args.getBool("wrap_indices", false) : axis == 0;
    if (args.getBool("match_outer", false)) {
      throw new SchemaException("Gather's 'match_outer' is not supported");
    }
  }

  /** The axis of DATA, checked: negative axes count from the end. */
  static int axis(long axis, long[] dims, String blob) {
    if (dims.length == 0) {
      throw Indices.error(blob, "DATA should be at least 1-D, got a 0-d tensor");
    }
    if (axis < -dims.length || axis >= dims.length) {
      throw Indices.error(blob, "axis " + axis + " is out of range for DATA of shape " + Shapes.format(dims));
    }
    return (int) (axis < 0 ? axis + dims.length : axis);
  }

  /** OUTPUT's dims: DATA's before the axis, INDICES's, DATA's after; DATA's own when its axis dim is 0. */
  static long[] outputDims(long[] data, long[] indices, int a) {
    if (data[a] == 0) {
      return data.clone();
    }
    long[] out = new long[data.length - 1 + indices.length];
    System.arraycopy(data, 0, out, 0, a);
    System.arraycopy(indices, 0, out, a, indices.length);
    System.arraycopy(data, a + 1, out, a + indices.length, data.length - a - 1);
    return out;
  }

  @Override
  public void run() {
    Tensor data = input(0);
    Tensor indices = input(1);
    String dataName = inputBlob(0).name();
    String indicesName = inputBlob(1).name();
    long[] dims = data.dims();
    int a = axis(axis, dims, dataName);
    Indices idx = Indices.of(indices, indicesName);
    Tensor y = output(0).resize(data.dtype(), outputDims(dims, indices.dims(), a));
    if (y.size() == 0) {
      return;
    }
    int outer = (int) Shapes.sizeBetween(dims, 0, a);
    long axisDim = dims[a];
    int block = (int) Shapes.sizeBetween(dims, a + 1, dims.length);
    int n = idx.size;
    Object src = data.data();
    Object dst = y.data();
    for (int k = 0; k < n; k++) {
      idx.at(k, axisDim, wrap, indicesName);
    }
    int srcBatch = (int) axisDim * block;
    int dstBatch = n * block;
    if (block == 1 && src instanceof float[]) {
      float[] s = (float[]) src;
      float[] d = (float[]) dst;
      for (int b = 0; b < outer; b++) {
        for (int k = 0; k < n; k++) {
          d[b * dstBatch + k] = s[b * srcBatch + idx.at(k, axisDim, wrap, indicesName)];
        }
      }
      return;
    }
    for (int b = 0; b < outer; b++) {
      for (int k = 0; k < n; k++) {
        int i = idx.at(k, axisDim, wrap, indicesName);
        System.arraycopy(src, b * srcBatch + i * block, dst, b * dstBatch + k * block, block);
      }
    }
  }

  static List<BlobType> infer(OperatorDef def, Arguments args, List<BlobType> in) {
    BlobType data = in.get(0);
    BlobType indices = in.get(1);
    if (indices.dtype() != null && indices.dtype() != DataType.INT32
        && indices.dtype() != DataType.INT64) {
      throw Indices.error(def.getInput(1), "the indices must be INT32 or INT64, got " + indices.dtype());
    }
    if (data.dims() == null || indices.dims() == null) {
      return List.of(new BlobType(data.dtype(), null));
    }
    int a = axis(args.getLong("axis", 0), data.dims(), def.getInput(0));
    return List.of(new BlobType(data.dtype(), outputDims(data.dims(), indices.dims(), a)));
  }
}
