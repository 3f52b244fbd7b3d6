package dev.zerog.ops.fill;

import dev.zerog.SchemaException;
import dev.zerog.ShapeException;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.Arity;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * GivenTensorFill and its typed variants GivenTensorDoubleFill, GivenTensorIntFill, GivenTensorInt64Fill,
 * GivenTensorBoolFill and GivenTensorStringFill: fill the output with the values listed in the {@code values}
 * argument, in row-major order. This is how Caffe2 stores trained parameters in an init net.
 *
 * <p>The values are read once, when the operator is created, into a primitive array; every run copies them.
 * Their count must equal Y's element count (an error otherwise; Caffe2 checks it only in debug builds).
 *
 * <p>Which {@link Argument} field holds the values follows Caffe2: {@code floats} for FLOAT and DOUBLE (so
 * GivenTensorDoubleFill's values have float precision, as in Caffe2), {@code ints} for the integer types and
 * BOOL (nonzero is true), {@code strings} for STRING. GivenTensorFill is FLOAT unless its {@code dtype} argument
 * names another type; the typed variants ignore {@code dtype}, as Caffe2's do.
 */
final class GivenTensorFill extends Filler {
  /** The types GivenTensorFill's {@code dtype} may name. */
  static final Set<DataType> TYPES = EnumSet.of(DataType.FLOAT, DataType.DOUBLE, DataType.BOOL, DataType.INT16,
      DataType.UINT16, DataType.INT32, DataType.INT64, DataType.STRING);

  static final OperatorDefinition DEFINITION = definition("GivenTensorFill", null, ArgType.LIST,
      "FLOAT, or the type `dtype` names: FLOAT (1), DOUBLE (13), BOOL (5), INT16 (9), UINT16 (8), INT32 (2), "
          + "INT64 (10) or STRING (4). The values are in `floats` for FLOAT and DOUBLE, in `ints` for the integer "
          + "types and BOOL (nonzero is true), in `strings` for STRING.");
  static final OperatorDefinition DOUBLE_DEFINITION = definition("GivenTensorDoubleFill", DataType.DOUBLE,
      ArgType.FLOATS, "DOUBLE; the values are in `floats`, so they have float precision (as in Caffe2).");
  static final OperatorDefinition INT_DEFINITION = definition("GivenTensorIntFill", DataType.INT32, ArgType.INTS,
      "INT32; the values are in `ints` and must fit 32 bits.");
  static final OperatorDefinition INT64_DEFINITION = definition("GivenTensorInt64Fill", DataType.INT64,
      ArgType.INTS, "INT64; the values are in `ints`.");
  static final OperatorDefinition BOOL_DEFINITION = definition("GivenTensorBoolFill", DataType.BOOL, ArgType.INTS,
      "BOOL; the values are in `ints`, nonzero being true.");
  static final OperatorDefinition STRING_DEFINITION = definition("GivenTensorStringFill", DataType.STRING,
      ArgType.STRINGS, "STRING; the values are in `strings` (UTF-8).");

  private static OperatorDefinition definition(String type, DataType fixed, ArgType valuesType, String typeDoc) {
    OperatorSchema.Builder b = OperatorSchema.builder(type)
        .inputs(Arity.range(0, 1))
        .outputs(1)
        .allowInPlace(0, 0)
        .doc("Fills the output with the given values, in row-major order: Y[i] = values[i]. The number of values "
            + "must equal Y's element count.\n\n"
            + "Y's type: " + typeDoc + "\n\n"
            + SHAPE_DOC)
        .input("X", "optional; its shape (or, with input_as_shape, its values) gives Y's shape")
        .output("Y", "the values, shaped")
        .arg("values", valuesType, "the values, row-major");
    if (fixed == null) {
      b.arg("dtype", ArgType.INT, "the output type, a TensorProto.DataType code (default FLOAT)");
    }
    OperatorSchema schema = b
        .arg("shape", ArgType.INTS, "the output dims when there is no input")
        .arg("extra_shape", ArgType.INTS, "dims appended to the input's shape")
        .arg("input_as_shape", ArgType.INT, "1: the input's values are the shape")
        .inference((def, args, in) -> infer(fixed != null ? fixed
            : dtypeArgument(def, args, DataType.FLOAT, TYPES), args, in))
        .build();
    return OperatorDefinition.builder(schema).cpu(init -> new GivenTensorFill(init, fixed)).noGradient().build();
  }

  private final DataType dtype;
  /** The values in the storage array of dtype: float[], double[], boolean[], short[], int[], long[], String[]. */
  private final Object values;
  private final int count;

  GivenTensorFill(OperatorInit init, DataType fixed) {
    super(init);
    Arguments args = init.args();
    this.dtype = fixed != null ? fixed : dtypeArgument(init.def(), args, DataType.FLOAT, TYPES);
    Argument a = args.get("values");
    if (a == null) {
      throw new SchemaException("argument 'values' is required");
    }
    this.values = read(a, dtype);
    this.count = java.lang.reflect.Array.getLength(values);
  }

  /** The values of {@code a} in the storage of {@code dtype}; the field must fit the type. */
  private static Object read(Argument a, DataType dtype) {
    boolean empty = a.getFloatsCount() == 0 && a.getIntsCount() == 0 && a.getStringsCount() == 0;
    switch (dtype) {
      case FLOAT:
      case DOUBLE: {
        if (!empty && a.getFloatsCount() == 0) {
          throw wrongField(a, "a float list (floats)", dtype);
        }
        int n = a.getFloatsCount();
        if (dtype == DataType.FLOAT) {
          float[] out = new float[n];
          for (int i = 0; i < n; i++) {
            out[i] = a.getFloats(i);
          }
          return out;
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
          out[i] = a.getFloats(i);
        }
        return out;
      }
      case STRING: {
        if (!empty && a.getStringsCount() == 0) {
          throw wrongField(a, "a string list (strings)", dtype);
        }
        String[] out = new String[a.getStringsCount()];
        for (int i = 0; i < out.length; i++) {
          out[i] = a.getStrings(i).toString(StandardCharsets.UTF_8);
        }
        return out;
      }
      default:
        break;
    }
    if (!empty && a.getIntsCount() == 0) {
      throw wrongField(a, "an integer list (ints)", dtype);
    }
    int n = a.getIntsCount();
    switch (dtype) {
      case BOOL: {
        boolean[] out = new boolean[n];
        for (int i = 0; i < n; i++) {
          out[i] = a.getInts(i) != 0;
        }
        return out;
      }
      case INT16:
      case UINT16: {
        long lo = dtype == DataType.INT16 ? Short.MIN_VALUE : 0;
        long hi = dtype == DataType.INT16 ? Short.MAX_VALUE : 65535;
        short[] out = new short[n];
        for (int i = 0; i < n; i++) {
          out[i] = (short) inRange(a.getInts(i), lo, hi, i, dtype);
        }
        return out;
      }
      case INT32: {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
          out[i] = (int) inRange(a.getInts(i), Integer.MIN_VALUE, Integer.MAX_VALUE, i, dtype);
        }
        return out;
      }
      case INT64: {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
          out[i] = a.getInts(i);
        }
        return out;
      }
      default:
        throw new AssertionError(dtype);
    }
  }

  private static long inRange(long v, long lo, long hi, int index, DataType dtype) {
    if (v < lo || v > hi) {
      throw new SchemaException("argument 'values' element " + index + " = " + v + " does not fit " + dtype + " ("
          + lo + " to " + hi + ")");
    }
    return v;
  }

  private static SchemaException wrongField(Argument a, String expected, DataType dtype) {
    return new SchemaException("argument 'values' must be " + expected + " for a " + dtype + " fill, found "
        + ArgType.describe(a));
  }

  @Override
  DataType outputType() {
    return dtype;
  }

  @Override
  void fill(Tensor y) {
    if (y.size() != count) {
      throw (ShapeException) new ShapeException(type() + " has " + count + " values, but Y's shape "
          + Shapes.format(y.dims()) + " has " + y.size() + " elements").atBlob(outputBlob(0).name());
    }
    System.arraycopy(values, 0, y.data(), 0, count);
  }

  /** The definitions of the family. */
  static List<OperatorDefinition> definitions() {
    return List.of(DEFINITION, DOUBLE_DEFINITION, INT_DEFINITION, INT64_DEFINITION, BOOL_DEFINITION,
        STRING_DEFINITION);
  }
}
