package dev.zerog.ops.shape;

import dev.zerog.GradientException;
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
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Split: cuts a tensor along an axis into consecutive pieces, one per output, of the sizes given by the
 * {@code split} argument or a second input (equal pieces without either). Any type. With {@code add_axis: 1}
 * (which Concat's gradient passes on) every piece has size 1 and the axis is removed.
 *
 * <p>Gradient (Caffe2's GetSplitGradient): {@code Concat(dY0, dY1, ...) -> (dX, _<dX>_dims)} with the forward
 * op's arguments.
 */
final class Split extends Operator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("Split")
      .linearIn(0)
      .inputs(Arity.range(1, 2))
      .outputs(Arity.atLeast(1))
      .doc("Cuts X along the axis into consecutive pieces, output k holding the k-th: its dims are X's with the "
          + "axis dim set to the piece's size. The sizes come from the `split` argument or the second input "
          + "(a 1-D INT32 or INT64 tensor), one per output, and must add up to X's dim at the axis; without "
          + "either, X's dim is cut into equal pieces (it must be divisible by the number of outputs). With "
          + "`add_axis: 1` there must be one output per position along the axis, and each output drops the axis."
          + "\n\n"
          + "The axis is `axis` (in [-r, r)), or the C axis of `order` (1 for NCHW, 3 for NHWC); without either "
          + "it is 1; giving both is an error. The outputs have X's type (any type).\n\n"
          + "Gradient: Concat(dY0, dY1, ...) -> (dX, _<dX>_dims). Every output must then have a gradient: Caffe2 "
          + "would concatenate only the gradients present, into a dX of the wrong shape, so zerog refuses.")
      .input("input", "X: the tensor to cut, any type")
      .input("split", "optional: the size of each piece, 1-D INT32 or INT64")
      .output("Y0...", "the pieces, in order")
      .arg("axis", ArgType.INT, "the axis to cut along (default 1)")
      .arg("split", ArgType.INTS, "the size of each piece (default: equal pieces)")
      .arg("order", ArgType.STRING, "\"NCHW\" (axis 1) or \"NHWC\" (axis 3), instead of axis")
      .arg("add_axis", ArgType.INT, "1: pieces of size 1 with the axis removed (Concat's gradient of add_axis)")
      .inference(Split::infer)
      .build();

  /** Caffe2's GetSplitGradient: Concat of the output gradients into dX. */
  static final GradientMaker GRADIENT = (GradientContext g) -> {
    List<String> grads = new ArrayList<>(g.outputCount());
    List<String> missing = new ArrayList<>();
    for (int i = 0; i < g.outputCount(); i++) {
      if (g.hasGO(i)) {
        grads.add(g.GO(i));
      } else {
        missing.add(g.O(i));
      }
    }
    if (grads.isEmpty()) {
      return List.of();
    }
    if (!missing.isEmpty()) {
      throw (GradientException) new GradientException("Split's gradient needs the gradient of every output, but "
          + missing + " have none; concatenating only the others (as Caffe2 would) gives '" + g.I(0)
          + "' a gradient of the wrong shape").atBlob(missing.get(0));
    }
    String dx = g.GI(0);
    return GradientContext.single("Concat", grads, List.of(dx, "_" + dx + "_dims"));
  };

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(Split::new).gradient(GRADIENT).build();

  private final long axis;
  private final boolean addAxis;
  private final long[] split;
  private final long[] sizes;

  Split(OperatorInit init) {
    super(init);
    Arguments args = init.args();
    axis = Concat.axisArgument(args);
    addAxis = args.has("axis") && args.getBool("add_axis", false);
    split = args.getLongs("split");
    int outputs = init.outputs().length;
    if (init.inputs().length == 2 && split.length > 0) {
      throw new SchemaException("If you set split with an input blob, do not pass in split in the argument.");
    }
    if (split.length > 0 && split.length != outputs) {
      throw new SchemaException("The number of splits specified should be equal to the number of outputs: "
          + "'split' has " + split.length + " entries for " + outputs + " outputs");
    }
    sizes = new long[outputs];
  }

  @Override
  public void run() {
    Tensor x = input(0);
    String name = inputBlob(0).name();
    long[] dims = x.dims();
    int a = ElementArrays.axis(axis, dims.length, name, dims);
    long dim = dims[a];
    int n = outputSize();
    if (inputSize() == 2) {
      long[] given = ElementArrays.integers(input(1), inputBlob(1).name(), "the split sizes");
      if (given.length != n) {
        throw ElementArrays.error(inputBlob(1).name(), "the split input has " + given.length + " sizes for " + n
            + " outputs");
      }
      System.arraycopy(given, 0, sizes, 0, n);
    } else if (split.length > 0) {
      System.arraycopy(split, 0, sizes, 0, n);
    } else {
      if (dim % n != 0) {
        throw ElementArrays.error(name, "If you did not specify split explicitly, the number of input channels "
            + "should be divisible by the output size: " + dim + " along axis " + a + " for " + n + " outputs");
      }
      Arrays.fill(sizes, dim / n);
    }
    long sum = 0;
    for (long s : sizes) {
      if (s < 0) {
        throw ElementArrays.error(name, "split sizes must not be negative: " + Arrays.toString(sizes));
      }
      sum += s;
    }
    if ((addAxis ? n : sum) != dim) {
      throw ElementArrays.error(name, "Sum of split dimensions do not match: should be " + dim + " (the dim of '"
          + name + "' " + Shapes.format(dims) + " along axis " + a + "), got " + (addAxis ? n + " outputs"
          : Arrays.toString(sizes)));
    }
    int before = (int) Shapes.sizeBetween(dims, 0, a);
    int after = (int) Shapes.sizeBetween(dims, a + 1, dims.length);
    int row = (int) dim * after;
    boolean zero = x.isKnownZero();
    Object src = zero ? null : x.data();
    int offset = 0;
    for (int i = 0; i < n; i++) {
      long piece = addAxis ? 1 : sizes[i];
      long[] out = pieceDims(dims, a, piece, addAxis);
      int chunk = (int) piece * after;
      if (zero) {
        output(i).setKnownZero(x.dtype(), out);
      } else {
        Object dst = output(i).resize(x.dtype(), out).data();
        for (int b = 0; b < before; b++) {
          System.arraycopy(src, b * row + offset, dst, b * chunk, chunk);
        }
      }
      offset += chunk;
    }
  }

  private static long[] pieceDims(long[] dims, int a, long piece, boolean addAxis) {
    if (!addAxis) {
      long[] out = dims.clone();
      out[a] = piece;
      return out;
    }
    long[] out = new long[dims.length - 1];
    for (int k = 0, j = 0; k < dims.length; k++) {
      if (k != a) {
        out[j++] = dims[k];
      }
    }
    return out;
  }

  static List<BlobType> infer(OperatorDef def, Arguments args, List<BlobType> in) {
    BlobType x = in.get(0);
    int n = def.getOutputCount();
    long axis = Concat.axisArgument(args);
    boolean addAxis = args.has("axis") && args.getBool("add_axis", false);
    long[] split = args.getLongs("split");
    List<BlobType> out = new ArrayList<>(n);
    long[] dims = x.dims();
    if (dims == null || in.size() == 2 || (split.length != 0 && split.length != n)) {
      for (int i = 0; i < n; i++) {
        out.add(new BlobType(x.dtype(), null));
      }
      return out;
    }
    int a = ElementArrays.axis(axis, dims.length, def.getInput(0), dims);
    long sum = 0;
    for (int i = 0; i < n; i++) {
      long piece = addAxis ? 1 : split.length > 0 ? split[i] : dims[a] / n;
      sum += piece;
      out.add(new BlobType(x.dtype(), pieceDims(dims, a, piece, addAxis)));
    }
    if (sum != dims[a]) {
      throw ElementArrays.error(def.getInput(0), "Sum of split dimensions do not match: should be " + dims[a]
          + " (the dim of " + Shapes.format(dims) + " along axis " + a + "), got " + sum + " from " + n
          + " outputs" + (split.length > 0 ? " of sizes " + Arrays.toString(split) : ""));
    }
    return out;
  }
}
