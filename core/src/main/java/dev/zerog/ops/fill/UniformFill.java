package dev.zerog.ops.fill;

import dev.zerog.SchemaException;
import dev.zerog.ShapeException;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.Arity;
import dev.zerog.op.BlobType;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * UniformFill and UniformIntFill: fill their output with independent samples of a uniform distribution, as
 * Caffe2's UniformFillOp&lt;float&gt; and UniformFillOp&lt;int&gt;.
 *
 * <p>The range is the {@code min} and {@code max} arguments, or, with three inputs (shape source, min, max), the
 * two one-element tensors MIN and MAX, given at run time. From the arguments, min &lt; max is required; from the
 * inputs it is not, and when max &lt; min the output's first dim becomes 0 (Caffe2's rule, which lets a net sample
 * indices into a tensor that may be empty). UniformFill draws from [min, max), UniformIntFill from [min, max].
 *
 * <p>Shape rules: {@link Filler}. Random numbers: {@link RandomStream}.
 */
final class UniformFill extends Filler {
  static final Set<DataType> FLOAT_TYPES = EnumSet.of(DataType.FLOAT, DataType.DOUBLE);

  static final OperatorSchema SCHEMA = OperatorSchema.builder("UniformFill")
      .inputs(Arity.oneOf(0, 1, 3))
      .outputs(1)
      .allowInPlace(0, 0)
      .doc("Fills the output with samples of a uniform distribution: Y[i] ~ U[min, max), independently.\n\n"
          + "The range is given by the `min` and `max` arguments (then min < max is required), or by the inputs MIN "
          + "and MAX, one-element tensors, when the op has three inputs (then the arguments must not be set, and "
          + "if max < min, Y's first dim is set to 0, so that Y is empty).\n\n"
          + SHAPE_DOC + "\n\n" + RANDOM_DOC)
      .input("X", "optional; its shape (or, with input_as_shape, its values) gives Y's shape")
      .input("MIN", "optional (with MAX), a one-element tensor: the lower bound")
      .input("MAX", "optional (with MIN), a one-element tensor: the upper bound")
      .output("Y", "the samples, FLOAT unless `dtype` says DOUBLE")
      .arg("min", ArgType.FLOAT, "the lower bound, inclusive (default 0)")
      .arg("max", ArgType.FLOAT, "the upper bound, exclusive (default 1)")
      .arg("dtype", ArgType.INT, "FLOAT (1, the default) or DOUBLE (13); Caffe2 fills FLOAT only")
      .arg("shape", ArgType.INTS, "the output dims when there is no input")
      .arg("extra_shape", ArgType.INTS, "dims appended to the input's shape")
      .arg("input_as_shape", ArgType.INT, "1: the first input's values are the shape")
      .inference((def, args, in) -> inferRange(def, args, in,
          dtypeArgument(def, args, DataType.FLOAT, FLOAT_TYPES)))
      .build();

  static final OperatorSchema INT_SCHEMA = OperatorSchema.builder("UniformIntFill")
      .inputs(Arity.oneOf(0, 1, 3))
      .outputs(1)
      .allowInPlace(0, 0)
      .doc("Fills the output with INT32 samples of a uniform distribution over the integers: Y[i] ~ U{min, ..., "
          + "max}, independently, both bounds included.\n\n"
          + "The range is given by the `min` and `max` arguments (then min < max is required), or by the inputs MIN "
          + "and MAX, one-element integer tensors, when the op has three inputs (then the arguments must not be "
          + "set, and if max < min, Y's first dim is set to 0, so that Y is empty).\n\n"
          + SHAPE_DOC + "\n\n" + RANDOM_DOC)
      .input("X", "optional; its shape (or, with input_as_shape, its values) gives Y's shape")
      .input("MIN", "optional (with MAX), a one-element integer tensor: the lower bound")
      .input("MAX", "optional (with MIN), a one-element integer tensor: the upper bound")
      .output("Y", "the samples, INT32")
      .arg("min", ArgType.INT, "the lower bound, inclusive (default 0)")
      .arg("max", ArgType.INT, "the upper bound, inclusive (default 1)")
      .arg("shape", ArgType.INTS, "the output dims when there is no input")
      .arg("extra_shape", ArgType.INTS, "dims appended to the input's shape")
      .arg("input_as_shape", ArgType.INT, "1: the first input's values are the shape")
      .inference((def, args, in) -> inferRange(def, args, in, DataType.INT32))
      .build();

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(init -> new UniformFill(init, false)).noGradient().build();

  static final OperatorDefinition INT_DEFINITION =
      OperatorDefinition.builder(INT_SCHEMA).cpu(init -> new UniformFill(init, true)).noGradient().build();

  private final boolean integers;
  private final DataType dtype;
  private final boolean rangeFromInputs;
  private final double min;
  private final double max;
  private final int intMin;
  private final int intMax;
  private final RandomStream random;

  UniformFill(OperatorInit init, boolean integers) {
    super(init);
    Arguments args = init.args();
    this.integers = integers;
    this.dtype = integers ? DataType.INT32 : dtypeArgument(init.def(), args, DataType.FLOAT, FLOAT_TYPES);
    this.rangeFromInputs = init.inputs().length == 3;
    checkRangeArguments(init.def(), args, init.inputs().length);
    if (integers) {
      this.intMin = args.getInt("min", 0);
      this.intMax = args.getInt("max", 1);
      this.min = intMin;
      this.max = intMax;
    } else {
      this.min = args.getFloat("min", 0f);
      this.max = args.getFloat("max", 1f);
      this.intMin = 0;
      this.intMax = 0;
    }
    this.random = RandomStream.forOperator(init);
  }

  /** With three inputs the range comes from the inputs only; from the arguments, min must be below max. */
  private static void checkRangeArguments(OperatorDef def, Arguments args, int nIn) {
    boolean integers = def.getType().equals("UniformIntFill");
    if (nIn == 3) {
      for (String arg : List.of("min", "max")) {
        if (args.has(arg)) {
          throw new SchemaException("cannot set both the '" + arg + "' argument and the " + arg.toUpperCase(
              java.util.Locale.ROOT) + " input");
        }
      }
      return;
    }
    double lo = integers ? args.getInt("min", 0) : args.getFloat("min", 0f);
    double hi = integers ? args.getInt("max", 1) : args.getFloat("max", 1f);
    if (!(lo < hi)) {
      throw new SchemaException("argument 'max' (" + format(hi, integers) + ") must be greater than 'min' ("
          + format(lo, integers) + ")");
    }
  }

  private static String format(double v, boolean integers) {
    return integers ? Long.toString((long) v) : Float.toString((float) v);
  }

  private static List<BlobType> inferRange(OperatorDef def, Arguments args, List<BlobType> in, DataType t) {
    checkRangeArguments(def, args, in.size());
    List<BlobType> out = infer(t, args, in);
    // With the range from inputs, Y may lose its first dim at run time: only the rank is certain.
    if (in.size() == 3 && out.get(0).dims() != null && out.get(0).dims().length > 0) {
      return List.of(new BlobType(t, null));
    }
    return out;
  }

  @Override
  DataType outputType() {
    return dtype;
  }

  @Override
  void fill(Tensor y) {
    double lo = min;
    double hi = max;
    int intLo = intMin;
    int intHi = intMax;
    if (rangeFromInputs) {
      Tensor minT = bound(1);
      Tensor maxT = bound(2);
      if (integers) {
        intLo = intBound(minT, 1);
        intHi = intBound(maxT, 2);
        lo = intLo;
        hi = intHi;
      } else {
        lo = minT.getDouble(0);
        hi = maxT.getDouble(0);
      }
      if (hi < lo) {
        emptyFirstDim(y);
        return;
      }
    }
    switch (dtype) {
      case FLOAT: {
        float[] out = y.floats();
        float top = (float) hi;
        for (int i = 0; i < out.length; i++) {
          float v = (float) (lo + (hi - lo) * random.nextDouble());
          // Rounding to float can reach the excluded upper bound; keep the sample below it.
          out[i] = v < top || lo == hi ? v : Math.nextDown(top);
        }
        break;
      }
      case DOUBLE: {
        double[] out = y.doubles();
        for (int i = 0; i < out.length; i++) {
          double v = lo + (hi - lo) * random.nextDouble();
          out[i] = v < hi || lo == hi ? v : Math.nextDown(hi);
        }
        break;
      }
      case INT32: {
        int[] out = y.ints();
        long bound = (long) intHi + 1;
        for (int i = 0; i < out.length; i++) {
          out[i] = (int) random.nextLong(intLo, bound);
        }
        break;
      }
      default:
        throw new AssertionError(dtype);
    }
  }

  private Tensor bound(int input) {
    Tensor t = input(input);
    if (t.size() != 1) {
      throw (ShapeException) new ShapeException((input == 1 ? "MIN" : "MAX") + " must hold one element, got "
          + t.dtype() + " " + Shapes.format(t.dims())).atBlob(inputBlob(input).name());
    }
    if (t.dtype() == DataType.STRING || (integers && !t.dtype().isInteger())) {
      throw (ShapeException) new ShapeException((input == 1 ? "MIN" : "MAX") + " must be " + (integers
          ? "an integer" : "a numeric") + " tensor, got " + t.dtype()).atBlob(inputBlob(input).name());
    }
    return t;
  }

  private int intBound(Tensor t, int input) {
    long v = t.getLong(0);
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw (ShapeException) new ShapeException((input == 1 ? "MIN" : "MAX") + " = " + v
          + " does not fit INT32").atBlob(inputBlob(input).name());
    }
    return (int) v;
  }

  /** Caffe2's rule for max < min given as inputs: Y keeps its rank and loses its first dim. */
  private void emptyFirstDim(Tensor y) {
    if (y.rank() == 0) {
      throw (ShapeException) new ShapeException("max < min asks for an empty Y, but Y is 0-d and has no first dim"
          + " to set to 0").atBlob(outputBlob(0).name());
    }
    long[] dims = y.dims();
    dims[0] = 0;
    y.resize(dtype, dims);
  }
}
