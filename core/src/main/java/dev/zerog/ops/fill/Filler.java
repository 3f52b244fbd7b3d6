package dev.zerog.ops.fill;

import dev.zerog.SchemaException;
import dev.zerog.ShapeException;
import dev.zerog.ZerogException;
import dev.zerog.op.Arguments;
import dev.zerog.op.BlobType;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorInit;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.proto.Caffe2.TensorProto;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * What every filler shares, as Caffe2's FillerOp: where the output's shape comes from, checked when the operator
 * is created and applied every run without allocating.
 *
 * <p>The shape is {@code shape} when there is no input (a 0-d scalar when {@code shape} is not set either). With
 * an input X (input 0), it is X's shape, or, with {@code input_as_shape: 1}, the values of X (a non-empty 1-D
 * INT64 or INT32 tensor); {@code extra_shape} is then appended. A non-empty {@code shape} together with an input,
 * a non-empty {@code extra_shape} or {@code input_as_shape} without an input, a scalar {@code shape} and negative
 * dims are errors. An empty {@code shape} or {@code extra_shape} list counts as not set, as in Caffe2.
 */
abstract class Filler extends Operator {
  /** The schema doc paragraph that every filler shares. */
  static final String SHAPE_DOC = "The shape of Y is `shape` when there is no input (a 0-d scalar when `shape` is "
      + "not set either). With an input X, it is X's shape, or, with `input_as_shape: 1`, the values of X (a "
      + "non-empty 1-D INT64 or INT32 tensor); `extra_shape` is then appended. A non-empty `shape` together with "
      + "an input, a non-empty `extra_shape` or `input_as_shape` without an input, a scalar `shape` and negative "
      + "dims are errors.";

  /** The schema doc paragraph of the random fillers. */
  static final String RANDOM_DOC = "Random numbers: every operator has its own generator (SplitMix64), seeded when "
      + "the net is created from the operator's `device_option.random_seed` (else the net's), so that a seed gives "
      + "the same values on every run of the program and on every JVM, and two fillers with the same seed draw the "
      + "same values, as in Caffe2. Without a seed Caffe2 seeds from the clock; zerog stays deterministic and "
      + "derives the seed from a fixed constant and the name of Y, so unseeded fillers of different blobs differ. "
      + "Each run of the operator continues its stream.";

  private static final long[] SCALAR = new long[0];

  private final long[] shape;
  private final long[] extraShape;
  private final boolean inputAsShape;
  /** The output dims when they must be assembled (input_as_shape, extra_shape); reused between runs. */
  private long[] scratch = SCALAR;

  Filler(OperatorInit init) {
    super(init);
    Arguments args = init.args();
    checkShapeArguments(args, init.inputs().length);
    this.shape = args.getLongs("shape");
    this.extraShape = args.getLongs("extra_shape");
    this.inputAsShape = args.getBool("input_as_shape", false);
  }

  /** Writes the values into {@code y}, which already has its type and dims. */
  abstract void fill(Tensor y);

  /** The type of Y. */
  abstract DataType outputType();

  @Override
  public void run() {
    Tensor y = output(0);
    try {
      resizeOutput(y, outputType());
    } catch (ZerogException e) {
      throw e.atBlob(outputBlob(0).name());
    }
    fill(y);
  }

  /** Gives {@code y} its type and this run's dims. */
  final void resizeOutput(Tensor y, DataType dtype) {
    y.resize(dtype, outputDims());
  }

  /**
   * This run's dims of Y, in an array the filler owns and reuses (valid until the next call): computing them
   * allocates nothing once the rank is stable.
   */
  final long[] outputDims() {
    if (inputSize() == 0) {
      return shape;
    }
    Tensor x = input(0);
    if (!inputAsShape) {
      int rank = x.rank();
      long[] dims = scratch(rank + extraShape.length);
      for (int i = 0; i < rank; i++) {
        dims[i] = x.dim(i);
      }
      System.arraycopy(extraShape, 0, dims, rank, extraShape.length);
      return dims;
    }
    if (x.rank() != 1 || !(x.dtype() == DataType.INT64 || x.dtype() == DataType.INT32)) {
      throw (ShapeException) new ShapeException("with input_as_shape, the input must be a 1-D INT64 or INT32"
          + " tensor, got " + x.dtype() + " " + Shapes.format(x.dims())).atBlob(inputBlob(0).name());
    }
    int rank = x.size();
    if (rank == 0) {
      throw (ShapeException) new ShapeException("with input_as_shape, the input must hold at least one dim, got"
          + " an empty tensor").atBlob(inputBlob(0).name());
    }
    long[] dims = scratch(rank + extraShape.length);
    for (int i = 0; i < rank; i++) {
      dims[i] = x.getLong(i);
      if (dims[i] < 0) {
        throw (ShapeException) new ShapeException("with input_as_shape, the input holds a negative dimension "
            + dims[i] + " at index " + i).atBlob(inputBlob(0).name());
      }
    }
    System.arraycopy(extraShape, 0, dims, rank, extraShape.length);
    return dims;
  }

  private long[] scratch(int length) {
    if (scratch.length != length) {
      scratch = new long[length];
    }
    return scratch;
  }

  /** The shape rules that can be checked from the arguments alone; see the class doc. */
  static void checkShapeArguments(Arguments args, int nIn) {
    if (args.has("shape") && args.get("shape").hasI()) {
      throw new SchemaException("argument 'shape' is a scalar (i); a list of dims (ints) is expected");
    }
    long[] shape = args.getLongs("shape");
    long[] extraShape = args.getLongs("extra_shape");
    if (nIn > 0) {
      if (shape.length > 0) {
        throw new SchemaException("cannot set the 'shape' argument and pass an input at the same time");
      }
    } else {
      if (extraShape.length > 0) {
        throw new SchemaException("cannot set 'extra_shape' when there is no input");
      }
      if (args.getBool("input_as_shape", false)) {
        throw new SchemaException("'input_as_shape' needs an input");
      }
      checkDims("shape", shape);
    }
    checkDims("extra_shape", extraShape);
  }

  private static void checkDims(String arg, long[] dims) {
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] < 0) {
        throw new SchemaException("argument '" + arg + "' has a negative dimension " + dims[i] + " at axis " + i);
      }
    }
  }

  /**
   * The shape inference every filler shares: Y is of type {@code t}; its dims are {@code shape} without an input,
   * else the input's dims with {@code extra_shape} appended, unknown with {@code input_as_shape}.
   */
  static List<BlobType> infer(DataType t, Arguments args, List<BlobType> in) {
    checkShapeArguments(args, in.size());
    if (in.isEmpty()) {
      return List.of(new BlobType(t, args.getLongs("shape")));
    }
    if (args.getBool("input_as_shape", false) || in.get(0).dims() == null) {
      return List.of(new BlobType(t, null));
    }
    long[] base = in.get(0).dims();
    long[] extra = args.getLongs("extra_shape");
    long[] out = Arrays.copyOf(base, base.length + extra.length);
    System.arraycopy(extra, 0, out, base.length, extra.length);
    return List.of(new BlobType(t, out));
  }

  /**
   * The output type from the {@code dtype} argument, which must be one of {@code supported}; {@code dflt} when
   * it is absent.
   */
  static DataType dtypeArgument(OperatorDef def, Arguments args, DataType dflt, Set<DataType> supported) {
    if (!args.has("dtype")) {
      return dflt;
    }
    long code = args.getLong("dtype", dflt.code());
    if (code == 0) {
      throw new SchemaException(def.getType() + " cannot have an undefined 'dtype' (0)");
    }
    DataType t = code == TensorProto.DataType.BYTE_VALUE ? null : DataType.fromCode(code);
    if (t == null || !supported.contains(t)) {
      TensorProto.DataType named = code >= Integer.MIN_VALUE && code <= Integer.MAX_VALUE
          ? TensorProto.DataType.forNumber((int) code) : null;
      throw new SchemaException(def.getType() + " does not support 'dtype' " + code
          + (named == null ? "" : " (" + named + ")") + "; it supports " + list(supported));
    }
    return t;
  }

  /** "FLOAT (1), DOUBLE (13)". */
  static String list(Set<DataType> types) {
    StringBuilder sb = new StringBuilder();
    for (DataType t : types) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(t).append(" (").append(t.code()).append(')');
    }
    return sb.toString();
  }
}
