package dev.zerog.ops.shape;

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
import java.util.List;

/**
 * Slice: a box of X given by a start and an end index per leading axis, and its gradient op SliceGradient.
 * Any type.
 *
 * <p>Indices follow Caffe2: a negative start or end s stands for dim + 1 + s (so an end of -1 means "through
 * the last element"), values past the dim are clamped to it, and then 0 <= start <= end is required. Axes past
 * the given indices are taken whole.
 *
 * <p>Gradient (Caffe2's GetSliceGradient): {@code SliceGradient(X, [starts, ends,] dY) -> dX}, zeros shaped
 * like X with dY in the box.
 */
final class Slice extends Operator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("Slice")
      .linearIn(0)
      .inputs(Arity.oneOf(1, 3))
      .outputs(1)
      .doc("The box of X from `starts` (inclusive) to `ends` (exclusive), one pair per leading axis; axes past "
          + "the pairs are taken whole. The indices are the `starts` and `ends` arguments, or the second and "
          + "third inputs (1-D INT32 or INT64 tensors) when there are three inputs. A negative index s means "
          + "dim + 1 + s, so an end of -1 takes everything to the end; indices past the dim are clamped to it; "
          + "then 0 <= start <= end must hold. On an axis of size 0 the box is empty. Y has X's type (any "
          + "type) and dims end - start on each sliced axis.\n\n"
          + "Slicing several axes at once is allowed (Caffe2 allows only one).\n\n"
          + "Gradient: SliceGradient(X, [starts, ends,] dY) -> dX.")
      .input("data", "X: any type, rank >= the number of index pairs")
      .input("starts", "optional: the start indices, 1-D INT32 or INT64")
      .input("ends", "optional: the end indices, 1-D INT32 or INT64")
      .output("output", "the box of X")
      .arg("starts", ArgType.INTS, "the start indices, when there are no index inputs")
      .arg("ends", ArgType.INTS, "the end indices, when there are no index inputs")
      .inference(Slice::infer)
      .build();

  /** Caffe2's GetSliceGradient: SliceGradient(X, [starts, ends,] dY) -> dX. */
  static final GradientMaker GRADIENT = (GradientContext g) -> g.inputCount() > 1
      ? GradientContext.single("SliceGradient", List.of(g.I(0), g.I(1), g.I(2), g.GO(0)), List.of(g.GI(0)))
      : GradientContext.single("SliceGradient", List.of(g.I(0), g.GO(0)), List.of(g.GI(0)));

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(Slice::new).gradient(GRADIENT).build();

  private final long[] starts;
  private final long[] ends;

  Slice(OperatorInit init) {
    super(init);
    Bounds b = Bounds.fromArguments(init.args(), init.inputs().length > 1);
    starts = b.starts;
    ends = b.ends;
  }

  /** The start and end indices given as arguments (null when they come from inputs). */
  record Bounds(long[] starts, long[] ends) {
    static Bounds fromArguments(Arguments args, boolean fromInputs) {
      if (fromInputs) {
        return new Bounds(null, null);
      }
      if (!args.has("starts") || !args.has("ends")) {
        throw new SchemaException("Slice needs the 'starts' and 'ends' arguments when it has no index inputs");
      }
      long[] s = args.getLongs("starts");
      long[] e = args.getLongs("ends");
      if (s.length != e.length) {
        throw new SchemaException("'starts' has " + s.length + " entries but 'ends' has " + e.length);
      }
      return new Bounds(s, e);
    }
  }

  /** The box: for each axis, its start and its size. */
  static long[][] box(long[] dims, long[] starts, long[] ends, String blob) {
    if (starts.length != ends.length) {
      throw ElementArrays.error(blob, "there are " + starts.length + " starts but " + ends.length + " ends");
    }
    if (starts.length > dims.length) {
      throw ElementArrays.error(blob, starts.length + " index pairs for '" + blob + "' of shape "
          + Shapes.format(dims) + ", which has rank " + dims.length);
    }
    long[] from = new long[dims.length];
    long[] size = dims.clone();
    for (int i = 0; i < starts.length; i++) {
      long d = dims[i];
      if (d == 0) {
        size[i] = 0;
        continue;
      }
      long s = starts[i] < 0 ? d + 1 + starts[i] : starts[i];
      long e = ends[i] < 0 ? d + 1 + ends[i] : ends[i];
      s = Math.min(s, d);
      e = Math.min(e, d);
      if (s < 0 || e < 0 || e < s) {
        throw ElementArrays.error(blob, "bad slice on axis " + i + " of '" + blob + "' " + Shapes.format(dims)
            + ": start " + starts[i] + " and end " + ends[i] + " give [" + s + ", " + e + "); need "
            + "0 <= start <= end");
      }
      from[i] = s;
      size[i] = e - s;
    }
    return new long[][] {from, size};
  }

  private long[][] box(Tensor x, String name) {
    if (starts != null) {
      return box(x.dims(), starts, ends, name);
    }
    return box(x.dims(), ElementArrays.integers(input(1), inputBlob(1).name(), "the starts"),
        ElementArrays.integers(input(2), inputBlob(2).name(), "the ends"), name);
  }

  @Override
  public void run() {
    Tensor x = input(0);
    long[][] box = box(x, inputBlob(0).name());
    if (x.isKnownZero()) {
      output(0).setKnownZero(x.dtype(), box[1]);
      return;
    }
    Tensor y = output(0).resize(x.dtype(), box[1]);
    walk(x.dims(), box[0], box[1], x.data(), y.data(), true);
  }

  /**
   * Moves the elements of the box {@code from}/{@code size} of a tensor of dims {@code dims} between that
   * tensor's array ({@code full}) and a compact array of the box's shape: out of the full array when
   * {@code extract}, into it otherwise. Each contiguous run is one {@link System#arraycopy}.
   */
  static void walk(long[] dims, long[] from, long[] size, Object full, Object compact, boolean extract) {
    int rank = dims.length;
    long boxSize = Shapes.elementCount(size);
    if (boxSize == 0) {
      return;
    }
    // The innermost axes taken whole, plus the first partial one from the end, form one contiguous run.
    int p = rank - 1;
    long run = 1;
    while (p >= 0 && from[p] == 0 && size[p] == dims[p]) {
      run *= dims[p];
      p--;
    }
    long[] stride = new long[rank];
    long s = 1;
    for (int a = rank - 1; a >= 0; a--) {
      stride[a] = s;
      s *= dims[a];
    }
    if (p < 0) {
      System.arraycopy(extract ? full : compact, 0, extract ? compact : full, 0, (int) boxSize);
      return;
    }
    run *= size[p];
    int base = 0;
    for (int a = 0; a <= p; a++) {
      base += (int) (from[a] * stride[a]);
    }
    int[] idx = new int[p];
    int runs = (int) (boxSize / run);
    for (int r = 0, c = 0; r < runs; r++, c += (int) run) {
      if (extract) {
        System.arraycopy(full, base, compact, c, (int) run);
      } else {
        System.arraycopy(compact, c, full, base, (int) run);
      }
      for (int a = p - 1; a >= 0; a--) {
        base += (int) stride[a];
        if (++idx[a] < size[a]) {
          break;
        }
        base -= (int) (stride[a] * size[a]);
        idx[a] = 0;
      }
    }
  }

  static List<BlobType> infer(OperatorDef def, Arguments args, List<BlobType> in) {
    BlobType x = in.get(0);
    if (in.size() > 1 || x.dims() == null) {
      return List.of(new BlobType(x.dtype(), null));
    }
    Bounds b = Bounds.fromArguments(args, false);
    return List.of(new BlobType(x.dtype(), box(x.dims(), b.starts(), b.ends(), def.getInput(0))[1]));
  }

  /** SliceGradient(X, [starts, ends,] dY) -> dX. */
  static final class Gradient extends Operator {
    static final OperatorSchema SCHEMA = OperatorSchema.builder("SliceGradient")
      .linearIn(-1)
        .inputs(Arity.oneOf(2, 4))
        .outputs(1)
        .doc("The gradient of Slice: dX has X's shape and dY's type, dY in the box that Slice took and zeros "
            + "elsewhere. The box comes from the `starts` and `ends` arguments, or from the two index inputs "
            + "between X and dY.")
        .input("X", "Slice's input")
        .input("starts", "optional: Slice's starts input")
        .input("ends", "optional: Slice's ends input")
        .input("dY", "the gradient of Slice's output")
        .output("dX", "the gradient of X")
        .arg("starts", ArgType.INTS, "as in Slice")
        .arg("ends", ArgType.INTS, "as in Slice")
        .inference((def, args, in) -> List.of(new BlobType(in.get(in.size() - 1).dtype(), in.get(0).dims())))
        .build();

    static final OperatorDefinition DEFINITION =
        OperatorDefinition.builder(SCHEMA).cpu(Gradient::new).noGradient().build();

    private final long[] starts;
    private final long[] ends;

    Gradient(OperatorInit init) {
      super(init);
      Bounds b = Bounds.fromArguments(init.args(), init.inputs().length > 2);
      starts = b.starts();
      ends = b.ends();
    }

    @Override
    public void run() {
      Tensor x = input(0);
      String name = inputBlob(0).name();
      Tensor dy = input(inputSize() - 1);
      long[] dims = x.dims();
      long[][] box = starts != null ? box(dims, starts, ends, name)
          : box(dims, ElementArrays.integers(input(1), inputBlob(1).name(), "the starts"),
              ElementArrays.integers(input(2), inputBlob(2).name(), "the ends"), name);
      String dyName = inputBlob(inputSize() - 1).name();
      if (!dy.hasDims(box[1])) {
        throw ElementArrays.error(dyName, "the gradient '" + dyName + "' has shape " + Shapes.format(dy.dims())
            + " but the slice of '" + name + "' " + Shapes.format(dims) + " has shape " + Shapes.format(box[1]));
      }
      if (dy.isKnownZero()) {
        output(0).setKnownZero(dy.dtype(), dims);
        return;
      }
      Tensor dx = output(0).resize(dy.dtype(), dims);
      Object full = dx.data();
      ElementArrays.zero(full, 0, dx.size());
      walk(dims, box[0], box[1], full, dy.data(), false);
    }
  }
}
