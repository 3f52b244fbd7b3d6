package dev.zerog.ops.reduce;

import dev.zerog.ShapeException;
import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.BlobType;
import dev.zerog.op.FlopEstimate;
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
 * ReduceSum and ReduceMean: the sum or the mean of X over some axes, and their gradient ops ReduceSumGradient
 * and ReduceMeanGradient.
 *
 * <p>{@code axes} lists the reduced axes (negative ones count from the end; repeats count once); without it,
 * every axis is reduced. With {@code keepdims: 1} (the default) the reduced axes stay as 1s, else they are
 * dropped. ReduceSum takes FLOAT, DOUBLE, INT32 and INT64 (integer sums wrap); ReduceMean FLOAT and DOUBLE.
 *
 * <p>Gradient (Caffe2's GetReduceGradient): {@code ReduceSumGradient(dY, X, Y) -> dX} (and the same for
 * ReduceMean), dY broadcast back over the reduced axes, divided by the number of elements averaged for the
 * mean.
 */
final class Reduce extends Operator {
  private static final Set<DataType> SUM_TYPES =
      EnumSet.of(DataType.FLOAT, DataType.DOUBLE, DataType.INT32, DataType.INT64);
  private static final Set<DataType> MEAN_TYPES = EnumSet.of(DataType.FLOAT, DataType.DOUBLE);

  static final OperatorSchema SUM_SCHEMA = schema("ReduceSum", "sum",
      "Y[j] = Σ X[i] over the elements i that the reduced axes map to j",
      "FLOAT, DOUBLE, INT32 or INT64 (integer sums wrap on overflow); the sum over no elements is 0",
      "dX = dY broadcast back over the reduced axes");
  static final OperatorSchema MEAN_SCHEMA = schema("ReduceMean", "mean",
      "Y[j] = (Σ X[i]) / n over the n elements i that the reduced axes map to j",
      "FLOAT or DOUBLE; the mean over no elements is NaN",
      "dX = dY broadcast back over the reduced axes, divided by n");

  private static OperatorSchema schema(String type, String what, String math, String types, String gradient) {
    return OperatorSchema.builder(type)
        .linearIn(0)
        .flops(FlopEstimate.perInputElement(0, 1))
        .inputs(1)
        .outputs(1)
        .doc("The " + what + " of X over `axes`: " + math + ".\n\n"
            + "`axes` lists the reduced axes, each in [-r, r) for X of rank r (negative axes count from the end; "
            + "an axis listed twice counts once); without `axes` every axis is reduced. Y has X's type; its dims "
            + "are X's with each reduced axis set to 1 (`keepdims: 1`, the default) or removed (`keepdims: 0`). "
            + "Types: " + types + ".\n\n"
            + "Gradient: " + type + "Gradient(dY, X, Y) -> dX, X's type and shape: " + gradient + ".")
        .input("X", "the tensor to reduce")
        .output("Y", "the " + what + ", X's type")
        .arg("axes", ArgType.INTS, "the axes to reduce (default: all)")
        .arg("keepdims", ArgType.INT, "1 (default): keep each reduced axis as a 1; 0: remove it")
        .inference(Reduce::infer)
        .build();
  }

  /** Caffe2's GetReduceGradient: {@code <type>Gradient(dY, X, Y) -> dX}. */
  static final GradientMaker GRADIENT = (GradientContext g) -> GradientContext.single(
      g.def().getType() + "Gradient", List.of(g.GO(0), g.I(0), g.O(0)), List.of(g.GI(0)));

  static final OperatorDefinition SUM =
      OperatorDefinition.builder(SUM_SCHEMA).cpu(init -> new Reduce(init, false)).gradient(GRADIENT).build();
  static final OperatorDefinition MEAN =
      OperatorDefinition.builder(MEAN_SCHEMA).cpu(init -> new Reduce(init, true)).gradient(GRADIENT).build();

  private final boolean mean;
  private final long[] axes;
  private final boolean keepDims;
  private ReductionLayout layout;

  private Reduce(OperatorInit init, boolean mean) {
    super(init);
    this.mean = mean;
    this.axes = init.args().getLongs("axes");
    this.keepDims = init.args().getBool("keepdims", true);
  }

  /** Which axes of a rank-r tensor are reduced: those of {@code axes}, or all when it is empty. */
  static boolean[] reducedAxes(long[] axes, int rank, String blob) {
    boolean[] reduced = new boolean[rank];
    if (axes.length == 0) {
      Arrays.fill(reduced, true);
      return reduced;
    }
    for (long a : axes) {
      if (a < -rank || a >= rank) {
        throw (ShapeException) new ShapeException("axis " + a + " in 'axes' is out of range for a tensor of rank "
            + rank).atBlob(blob);
      }
      reduced[(int) (a < 0 ? a + rank : a)] = true;
    }
    return reduced;
  }

  /** Y's dims: X's with the reduced axes set to 1 or removed. */
  static long[] reducedDims(long[] dims, boolean[] reduced, boolean keepDims) {
    int n = 0;
    long[] out = new long[dims.length];
    for (int i = 0; i < dims.length; i++) {
      if (!reduced[i]) {
        out[n++] = dims[i];
      } else if (keepDims) {
        out[n++] = 1;
      }
    }
    return Arrays.copyOf(out, n);
  }

  /** The layout for {@code x}'s dims, reused while they stay the same. */
  static ReductionLayout layout(ReductionLayout cached, long[] dims, boolean[] reduced) {
    return cached != null && cached.matches(dims, reduced) ? cached : new ReductionLayout(dims, reduced);
  }

  static DataType checkType(String type, Tensor x, String blob, boolean mean) {
    DataType d = x.dtype();
    if (!(mean ? MEAN_TYPES : SUM_TYPES).contains(d)) {
      throw (ShapeException) new ShapeException(type + " supports " + (mean ? "FLOAT and DOUBLE"
          : "FLOAT, DOUBLE, INT32 and INT64") + " tensors, got " + d + " " + Shapes.format(x.dims()))
          .atBlob(blob);
    }
    return d;
  }

  @Override
  public void run() {
    Tensor x = input(0);
    String name = inputBlob(0).name();
    DataType dtype = checkType(type(), x, name, mean);
    long[] dims = x.dims();
    boolean[] reduced = reducedAxes(axes, dims.length, name);
    layout = layout(layout, dims, reduced);
    Tensor y = output(0).resize(dtype, reducedDims(dims, reduced, keepDims));
    switch (dtype) {
      case FLOAT:
        layout.sum(x.floats(), y.floats(), mean ? (float) (1.0 / layout.count) : 1f);
        break;
      case DOUBLE:
        layout.sum(x.doubles(), y.doubles(), mean ? 1.0 / layout.count : 1);
        break;
      case INT32:
        layout.sum(x.ints(), y.ints());
        break;
      default:
        layout.sum(x.longs(), y.longs());
        break;
    }
  }

  static List<BlobType> infer(OperatorDef def, Arguments args, List<BlobType> in) {
    BlobType x = in.get(0);
    boolean mean = def.getType().equals("ReduceMean");
    if (x.dtype() != null && !(mean ? MEAN_TYPES : SUM_TYPES).contains(x.dtype())) {
      throw (ShapeException) new ShapeException(def.getType() + " supports " + (mean ? "FLOAT and DOUBLE"
          : "FLOAT, DOUBLE, INT32 and INT64") + " tensors, got " + x.dtype()).atBlob(def.getInput(0));
    }
    if (x.dims() == null) {
      return List.of(new BlobType(x.dtype(), null));
    }
    long[] dims = x.dims();
    boolean[] reduced = reducedAxes(args.getLongs("axes"), dims.length, def.getInput(0));
    return List.of(new BlobType(x.dtype(), reducedDims(dims, reduced, args.getBool("keepdims", true))));
  }

  /** ReduceSumGradient and ReduceMeanGradient: (dY, X, Y) -> dX. */
  static final class Gradient extends Operator {
    static final OperatorDefinition SUM = definition("ReduceSumGradient", "ReduceSum", false);
    static final OperatorDefinition MEAN = definition("ReduceMeanGradient", "ReduceMean", true);

    private static OperatorDefinition definition(String type, String forward, boolean mean) {
      OperatorSchema schema = OperatorSchema.builder(type)
          .linearIn(0)
          .flops(FlopEstimate.perOutputElement(1))
          .inputs(3)
          .outputs(1)
          .doc("The gradient of " + forward + ": dX has X's type and shape, dX[i] = dY[j]" + (mean ? " / n" : "")
              + " where j is the element of Y that X[i] is reduced into" + (mean ? " and n the number of "
              + "elements reduced into each" : "") + ". dY has Y's size (with or without the kept 1s); Y itself "
              + "is not read.")
          .input("dY", "the gradient of Y")
          .input("X", forward + "'s input")
          .input("Y", forward + "'s output (unused)")
          .output("dX", "the gradient of X")
          .arg("axes", ArgType.INTS, "as in " + forward)
          .arg("keepdims", ArgType.INT, "as in " + forward)
          .inference((def, args, in) -> List.of(new BlobType(in.get(0).dtype(), in.get(1).dims())))
          .build();
      return OperatorDefinition.builder(schema).cpu(init -> new Gradient(init, mean)).noGradient().build();
    }

    private final boolean mean;
    private final long[] axes;
    private ReductionLayout layout;

    private Gradient(OperatorInit init, boolean mean) {
      super(init);
      this.mean = mean;
      this.axes = init.args().getLongs("axes");
    }

    @Override
    public void run() {
      Tensor dy = input(0);
      Tensor x = input(1);
      String dyName = inputBlob(0).name();
      DataType dtype = checkType(type(), dy, dyName, mean);
      long[] dims = x.dims();
      boolean[] reduced = reducedAxes(axes, dims.length, inputBlob(1).name());
      layout = layout(layout, dims, reduced);
      if (dy.size() != layout.ySize) {
        throw (ShapeException) new ShapeException("the gradient '" + dyName + "' has shape "
            + Shapes.format(dy.dims()) + " (" + dy.size() + " elements) but reducing X of shape "
            + Shapes.format(dims) + " gives " + layout.ySize + " elements").atBlob(dyName);
      }
      Tensor dx = output(0).resize(dtype, dims);
      switch (dtype) {
        case FLOAT:
          layout.broadcast(dy.floats(), dx.floats(), mean ? (float) (1.0 / layout.count) : 1f);
          break;
        case DOUBLE:
          layout.broadcast(dy.doubles(), dx.doubles(), mean ? 1.0 / layout.count : 1);
          break;
        case INT32:
          layout.broadcast(dy.ints(), dx.ints());
          break;
        default:
          layout.broadcast(dy.longs(), dx.longs());
          break;
      }
    }
  }
}
