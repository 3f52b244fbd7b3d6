package dev.zerog.ops.shape;

import dev.zerog.SchemaException;
import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.Arity;
import dev.zerog.op.BlobType;
import dev.zerog.op.Linearity;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Concat: joins tensors along an axis (or, with {@code add_axis: 1}, stacks them along a new axis), and writes
 * each input's size along it into {@code split_info}. Any type. It is also how the backward builder
 * accumulates sparse gradients: one Concat of the indices and one of the values, both along axis 0.
 *
 * <p>Gradient (Caffe2's GetConcatGradient): {@code Split(dY, split_info) -> (dX0, dX1, ...)} with the forward
 * op's arguments.
 */
final class Concat extends Operator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("Concat")
      .linearity(Concat::linearity)
      .inputs(Arity.atLeast(1))
      .outputs(2)
      .doc("Concatenates the inputs along `axis`: Y's dim at the axis is the sum of the inputs' dims there, and "
          + "input k fills the positions after inputs 0 .. k-1. The inputs must have the same type (any type), "
          + "the same rank and the same dims except at the axis. With `add_axis: 1` the inputs must have "
          + "the same dims and are stacked along a new axis inserted at `axis` (of size the number of inputs).\n\n"
          + "The axis is `axis` (in [-r, r), r being the rank of Y), or the C axis of `order` (1 for NCHW, 3 for "
          + "NHWC); without either it is 1; giving both is an error. split_info is an INT32 vector with each "
          + "input's size along the axis (1s with add_axis).\n\n"
          + "Gradient: Split(dY, split_info) -> (dX0, dX1, ...).")
      .input("X0...", "the tensors to join, of one type")
      .output("concat_result", "the concatenation")
      .output("split_info", "INT32 [number of inputs]: the size of each input along the axis")
      .arg("axis", ArgType.INT, "the axis to join along (default 1)")
      .arg("order", ArgType.STRING, "\"NCHW\" (axis 1) or \"NHWC\" (axis 3), instead of axis")
      .arg("add_axis", ArgType.INT, "1: stack along a new axis inserted at `axis`")
      .inference(Concat::infer)
      .build();

  /** Caffe2's GetConcatGradient: Split(dY, split_info) -> dX for every input. */
  static final GradientMaker GRADIENT = (GradientContext g) -> {
    if (!g.hasGO(0)) {
      return List.of();
    }
    List<String> grads = new ArrayList<>(g.inputCount());
    for (int i = 0; i < g.inputCount(); i++) {
      grads.add(g.GI(i));
    }
    return GradientContext.single("Split", List.of(g.GO(0), g.O(1)), grads);
  };

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(Concat::new).gradient(GRADIENT).build();

  private final long axis;
  private final boolean addAxis;
  private final int[] splits;

  Concat(OperatorInit init) {
    super(init);
    axis = axisArgument(init.args());
    addAxis = init.args().has("axis") && init.args().getBool("add_axis", false);
    splits = new int[init.inputs().length];
  }

  /** The axis from {@code axis} or {@code order} (Caffe2: giving both is an error; NCHW by default). */
  static long axisArgument(Arguments args) {
    if (args.has("axis") && args.has("order")) {
      throw new SchemaException("You shouldn't specify both the dim to concat or split, and the order in the case "
          + "of 4-D images: give 'axis' or 'order', not both.");
    }
    if (args.has("axis")) {
      return args.getLong("axis", -1);
    }
    String order = args.getString("order", "NCHW");
    switch (order.toUpperCase(Locale.ROOT)) {
      case "NCHW":
        return 1;
      case "NHWC":
        return 3;
      default:
        throw new SchemaException("Unsupported storage order: '" + order + "' (NCHW or NHWC)");
    }
  }

  @Override
  public void run() {
    int n = inputSize();
    Tensor x0 = input(0);
    String name0 = inputBlob(0).name();
    DataType dtype = x0.dtype();
    long[] dims0 = x0.dims();
    int rank = dims0.length;
    int adjusted = rank + (addAxis ? 1 : 0);
    if (axis < -adjusted || axis >= adjusted) {
      throw ElementArrays.error(name0, "axis " + axis + " is out of range for " + (addAxis ? "stacking" : "joining")
          + " inputs of shape " + Shapes.format(dims0) + " (rank " + adjusted + (addAxis ? " after adding the axis"
          : "") + ")");
    }
    int a = (int) (axis < 0 ? axis + adjusted : axis);
    long total = 0;
    for (int i = 0; i < n; i++) {
      Tensor x = input(i);
      String name = inputBlob(i).name();
      if (x.dtype() != dtype) {
        throw ElementArrays.error(name, "All inputs must have the same type, expected: " + dtype + " but got: "
            + x.dtype() + " for input: " + i + " '" + name + "'");
      }
      if (i > 0 && !compatible(x.dims(), dims0, a)) {
        throw ElementArrays.error(name, "input " + i + " '" + name + "' has shape " + Shapes.format(x.dims())
            + " but input 0 '" + name0 + "' has " + Shapes.format(dims0) + "; the inputs may differ only "
            + (addAxis ? "in nothing when add_axis = 1" : "along axis " + a));
      }
      splits[i] = addAxis ? 1 : (int) x.dim(a);
      total += splits[i];
    }
    long[] out;
    if (addAxis) {
      out = new long[rank + 1];
      for (int k = 0, j = 0; k <= rank; k++) {
        out[k] = k == a ? n : dims0[j++];
      }
    } else {
      out = dims0;
      out[a] = total;
    }
    int before = (int) Shapes.sizeBetween(dims0, 0, a);
    int after = addAxis ? (int) Shapes.sizeBetween(dims0, a, rank) : (int) Shapes.sizeBetween(dims0, a + 1, rank);
    Tensor y = output(0).resize(dtype, out);
    Object dst = y.data();
    int outRow = (int) total * after;
    int offset = 0;
    for (int i = 0; i < n; i++) {
      Tensor x = input(i);
      int chunk = splits[i] * after;
      boolean zero = x.isKnownZero();
      Object src = zero ? null : x.data();
      for (int b = 0; b < before; b++) {
        int at = b * outRow + offset;
        if (zero) {
          ElementArrays.zero(dst, at, at + chunk);
        } else {
          System.arraycopy(src, b * chunk, dst, at, chunk);
        }
      }
      offset += chunk;
    }
    Tensor info = output(1).resize(DataType.INT32, n);
    System.arraycopy(splits, 0, info.ints(), 0, n);
  }

  /** True if {@code dims} equals {@code first} except at the join axis (everywhere with add_axis). */
  private boolean compatible(long[] dims, long[] first, int a) {
    if (dims.length != first.length) {
      return false;
    }
    for (int k = 0; k < dims.length; k++) {
      if (dims[k] != first[k] && (addAxis || k != a)) {
        return false;
      }
    }
    return true;
  }

  static List<BlobType> infer(OperatorDef def, Arguments args, List<BlobType> in) {
    long axis = axisArgument(args);
    boolean addAxis = args.has("axis") && args.getBool("add_axis", false);
    BlobType info = BlobType.of(DataType.INT32, in.size());
    DataType dtype = null;
    for (int i = 0; i < in.size(); i++) {
      DataType t = in.get(i).dtype();
      if (t != null && dtype != null && t != dtype) {
        throw ElementArrays.error(def.getInput(i), "All inputs must have the same type, expected: " + dtype
            + " but got: " + t + " for input: " + i);
      }
      dtype = dtype == null ? t : dtype;
    }
    long[] out = null;
    for (int i = 0; i < in.size(); i++) {
      long[] d = in.get(i).dims();
      if (d == null) {
        return List.of(new BlobType(dtype, null), info);
      }
      int adjusted = d.length + (addAxis ? 1 : 0);
      if (axis < -adjusted || axis >= adjusted) {
        throw ElementArrays.error(def.getInput(i), "axis " + axis + " is out of range for inputs of shape "
            + Shapes.format(d));
      }
      int a = (int) (axis < 0 ? axis + adjusted : axis);
      if (out == null) {
        if (addAxis) {
          out = new long[d.length + 1];
          for (int k = 0, j = 0; k < out.length; k++) {
            out[k] = k == a ? in.size() : d[j++];
          }
        } else {
          out = d.clone();
        }
        continue;
      }
      long[] first = in.get(0).dims();
      boolean ok = d.length == first.length;
      for (int k = 0; ok && k < d.length; k++) {
        ok = d[k] == first[k] || (!addAxis && k == a);
      }
      if (!ok) {
        throw ElementArrays.error(def.getInput(i), "input " + i + " has shape " + Shapes.format(d)
            + " but input 0 has " + Shapes.format(first) + "; the inputs may differ only "
            + (addAxis ? "in nothing when add_axis = 1" : "along axis " + a));
      }
      if (!addAxis) {
        out[a] += d[a];
      }
    }
    return List.of(new BlobType(dtype, out), info);
  }

  /** Linear in all its inputs together; the concatenation is zero when they are, the split sizes never are. */
  static List<Linearity> linearity(OperatorDef def) {
    List<Integer> in = new ArrayList<>();
    for (int i = 0; i < def.getInputCount(); i++) {
      in.add(i);
    }
    return in.isEmpty() ? List.of() : List.of(new Linearity(in, List.of(0)));
  }
}
