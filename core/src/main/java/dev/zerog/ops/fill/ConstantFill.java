package dev.zerog.ops.fill;

import dev.zerog.SchemaException;
import dev.zerog.ZerogException;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.Arity;
import dev.zerog.op.BlobType;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.proto.Caffe2.TensorProto;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * ConstantFill: fills its output with one value. This is the op that ZeroGradient's gradient emits (with
 * {@code value: 0.0}), so its fill is the whole cost of a materialized zero gradient.
 *
 * <p>Rules, as Caffe2's: the shape is {@code shape} when there is no input; with an input, the input's shape,
 * or, with {@code input_as_shape: 1}, the input's contents (a non-empty 1-D integer tensor), and
 * {@code extra_shape} is appended (see {@link Filler}). Without {@code dtype} the type follows {@code value} (a
 * float gives FLOAT, an integer INT64; no value gives FLOAT 0.0).
 *
 * <p>The schema's doc lists where zerog differs from Caffe2 on purpose.
 *
 * <p>When the output blob already holds a tensor of the same type and size, its memory is reused, so a
 * gradient refilled every step does not allocate.
 *
 * <p>A fill with the zero of its type (0, +0.0, false, "") makes Y a known zero ({@link Tensor#zeros}): no
 * memory, nothing written, whatever its size, until something reads Y's data. If Y already holds memory of
 * the same type and element count (something read or wrote it before), that memory is zero-filled instead,
 * so that a reader that materializes Y every step does not make it allocate every step.
 */
final class ConstantFill extends Filler {
  static final Set<DataType> SUPPORTED = EnumSet.of(DataType.FLOAT, DataType.DOUBLE, DataType.BOOL,
      DataType.INT32, DataType.INT64, DataType.UINT8, DataType.UINT16, DataType.STRING);

  static final OperatorSchema SCHEMA = OperatorSchema.builder("ConstantFill")
      .inputs(Arity.range(0, 1))
      .outputs(1)
      .allowInPlace(0, 0)
      .doc("Fills the output with one constant value: Y[i] = value for every i.\n\n"
          + SHAPE_DOC + "\n\n"
          + "Y's type is `dtype`, a TensorProto.DataType code: FLOAT (1), DOUBLE (13), BOOL (5), INT32 (2), "
          + "INT64 (10), UINT8 (6), UINT16 (8) or STRING (4). Without `dtype` it follows `value`: a float "
          + "value (f) gives FLOAT, an integer value (i) INT64, and no value FLOAT 0.0. The value must fit the "
          + "type: a string (s) for STRING and only for STRING, a whole number in range for the integer "
          + "types; for BOOL any nonzero whole number is true.\n\n"
          + "If Y already holds a tensor of the same type and element count, its memory is reused: refilling "
          + "it allocates nothing.\n\n"
          + "A fill with the zero of the type (0, +0.0, false or \"\") writes nothing: Y becomes a known zero, a "
          + "tensor that holds no memory until something reads its data (zerog, not Caffe2; the values are "
          + "the same). If Y already holds memory of the same type and size, that memory is zero-filled "
          + "instead.\n\n"
          + "Differences from Caffe2, on purpose: `value` may be given in either numeric field whatever the "
          + "type, as long as it converts exactly (Caffe2 wants `f` for FLOAT and DOUBLE and `i` for the "
          + "integer types); `input_as_shape` also takes an INT32 tensor (Caffe2: INT64 only); INT8 and INT16 "
          + "outputs, which Caffe2 also fills, are refused.")
      .input("X", "optional; its shape (or, with input_as_shape, its values) gives Y's shape")
      .output("Y", "the filled tensor")
      .arg("value", ArgType.SCALAR, "the fill value (default 0, or \"\" for STRING); a string (s) for STRING")
      .arg("dtype", ArgType.INT, "the output type, a TensorProto.DataType code (default: from value)")
      .arg("shape", ArgType.INTS, "the output dims when there is no input")
      .arg("extra_shape", ArgType.INTS, "dims appended to the input's shape")
      .arg("input_as_shape", ArgType.INT, "1: the input's values are the shape")
      .inference(ConstantFill::infer)
      .build();

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(ConstantFill::new).noGradient().build();

  private final DataType dtype;
  // The fill value, in the field that fits dtype.
  private final double floatValue;
  private final long longValue;
  private final String stringValue;
  /** True if the value is the zero of the type, so that Y can be a known zero. */
  private final boolean zero;

  ConstantFill(OperatorInit init) {
    super(init);
    Arguments args = init.args();
    this.dtype = outputType(args);
    Argument value = args.get("value");
    double f = 0;
    long l = 0;
    String s = "";
    if (value != null) {
      if (dtype == DataType.STRING) {
        if (!value.hasS()) {
          throw new SchemaException("argument 'value' must be a string (s) for a STRING fill, found "
              + ArgType.describe(value));
        }
        s = value.getS().toString(StandardCharsets.UTF_8);
      } else if (value.hasS()) {
        throw new SchemaException("argument 'value' is a string (s), but the fill type is " + dtype);
      } else if (dtype.isFloatingPoint()) {
        f = value.hasF() ? value.getF() : exactFloatingValue(value.getI());
      } else {
        l = value.hasI() ? value.getI() : wholeValue(value.getF());
        checkRange(l);
      }
    }
    this.floatValue = f;
    this.longValue = l;
    this.stringValue = s;
    this.zero = dtype == DataType.STRING ? s.isEmpty()
        : dtype.isFloatingPoint() ? Double.doubleToRawLongBits(f) == 0 : l == 0;
  }

  @Override
  public void run() {
    if (!zero) {
      super.run();
      return;
    }
    Tensor y = output(0);
    long[] dims;
    int n;
    try {
      dims = outputDims();
      n = Shapes.checkedElementCount(dims);
    } catch (ZerogException e) {
      throw e.atBlob(outputBlob(0).name());
    }
    if (y.isKnownZero()) {
      if (y.dtype() != dtype || !y.hasDims(dims)) {
        y.setKnownZero(dtype, dims);
      }
    } else if (y.dtype() == dtype && y.size() == n && n > 0) {
      y.resize(dtype, dims);
      fill(y);
    } else {
      y.setKnownZero(dtype, dims);
    }
  }

  /** An integer {@code value} for a FLOAT or DOUBLE fill, which must convert exactly. */
  private double exactFloatingValue(long v) {
    boolean exact = dtype == DataType.FLOAT ? (long) (float) v == v && v != Long.MAX_VALUE
        : (long) (double) v == v && v != Long.MAX_VALUE;
    if (!exact) {
      throw new SchemaException("argument 'value' = " + v + " cannot be represented exactly in the fill type "
          + dtype);
    }
    return dtype == DataType.FLOAT ? (float) v : (double) v;
  }

  /** A float {@code value} for an integer or BOOL fill, which must be a whole number that fits 64 bits. */
  private long wholeValue(float v) {
    // 0x1p63 is the first float past Long.MAX_VALUE; every whole float below it converts exactly.
    if (v != Math.rint(v) || Float.isInfinite(v) || v >= 0x1p63f || v < -0x1p63f) {
      throw new SchemaException("argument 'value' = " + v + " is not a whole number that fits the fill type "
          + dtype);
    }
    return (long) v;
  }

  private void checkRange(long v) {
    long min;
    long max;
    switch (dtype) {
      case INT32:
        min = Integer.MIN_VALUE;
        max = Integer.MAX_VALUE;
        break;
      case UINT8:
        min = 0;
        max = 255;
        break;
      case UINT16:
        min = 0;
        max = 65535;
        break;
      default:
        // INT64 takes any long; BOOL takes any integer, nonzero being true, as Caffe2 reads a bool argument.
        return;
    }
    if (v < min || v > max) {
      throw new SchemaException("argument 'value' = " + v + " does not fit the fill type " + dtype + " (" + min
          + " to " + max + ")");
    }
  }

  /** The output type from {@code dtype}, else from {@code value}'s field. */
  static DataType outputType(Arguments args) {
    if (args.has("dtype")) {
      long code = args.getLong("dtype", 1);
      if (code == 0) {
        throw new SchemaException("ConstantFill cannot have an undefined 'dtype' (0)");
      }
      // BYTE (3) is read as UINT8 in tensors, but Caffe2's ConstantFill refuses it as a dtype; so does zerog.
      DataType t = code == TensorProto.DataType.BYTE_VALUE ? null : DataType.fromCode(code);
      if (t == null || !SUPPORTED.contains(t)) {
        TensorProto.DataType named = code >= Integer.MIN_VALUE && code <= Integer.MAX_VALUE
            ? TensorProto.DataType.forNumber((int) code) : null;
        throw new SchemaException("ConstantFill does not support 'dtype' " + code
            + (named == null ? "" : " (" + named + ")") + "; it supports " + supportedList());
      }
      return t;
    }
    Argument value = args.get("value");
    if (value == null || value.hasF()) {
      return DataType.FLOAT;
    }
    if (value.hasI()) {
      return DataType.INT64;
    }
    throw new SchemaException("argument 'value' must be a float (f) or an integer (i) when 'dtype' is not given,"
        + " found " + ArgType.describe(value));
  }

  private static String supportedList() {
    StringBuilder sb = new StringBuilder();
    for (DataType t : SUPPORTED) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(t).append(" (").append(t.code()).append(')');
    }
    return sb.toString();
  }

  @Override
  DataType outputType() {
    return dtype;
  }

  @Override
  void fill(Tensor y) {
    Fill.fill(y, floatValue, longValue, stringValue);
  }

  static List<BlobType> infer(OperatorDef def, Arguments args, List<BlobType> in) {
    return Filler.infer(outputType(args), args, in);
  }
}
