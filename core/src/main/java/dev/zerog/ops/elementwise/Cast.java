package dev.zerog.ops.elementwise;

import dev.zerog.GradientException;
import dev.zerog.SchemaException;
import dev.zerog.ShapeException;
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
import dev.zerog.proto.Caffe2.TensorProto;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Float16;
import dev.zerog.tensor.Tensor;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Cast: converts every element to the type {@code to}, as C++'s {@code static_cast} does (Caffe2's CastOp).
 * Its gradient, when the op names its input type in {@code from_type}, is a Cast back.
 *
 * <p>The conversion first widens the input exactly to int, long, float or double (BOOL, UINT8, INT8, UINT16 and
 * INT16 to int, FLOAT16 to float), then narrows to the output type; each step is one primitive loop.
 */
final class Cast extends Operator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("Cast")
      .inputs(1)
      .outputs(1)
      .doc("Converts every element to the type `to`: Y[i] = (to) X[i], with Y of X's shape.\n\n"
          + "`to` is a TensorProto.DataType, as its number (FLOAT 1, INT32 2, STRING 4, BOOL 5, UINT8 6, INT8 7, "
          + "UINT16 8, INT16 9, INT64 10, FLOAT16 12, DOUBLE 13) or its name in any case (\"float\"). X may be "
          + "any of those types but STRING.\n\n"
          + "Conversions follow C++'s static_cast: floating point to integer truncates toward zero, integers "
          + "narrow by keeping their low bits (300 to UINT8 is 44, -1 to UINT16 is 65535), anything to BOOL is "
          + "true when nonzero (NaN too), BOOL to a number is 0 or 1. Where C++ leaves the result undefined "
          + "(NaN or an out-of-range value to an integer type) zerog gives Java's: NaN is 0 and a value past "
          + "the 32-bit (or, for INT64, 64-bit) range saturates before narrowing. STRING output is "
          + "std::to_string's text: integers in decimal, floating point with six decimals (\"1.500000\"), BOOL "
          + "as \"1\" or \"0\". DOUBLE to FLOAT16 rounds through FLOAT.\n\n"
          + "Differences from Caffe2: FLOAT16 input and output are supported (Caffe2 refuses them on the CPU); "
          + "BYTE (3) is refused (Caffe2 aborts on it). Not in place.\n\n"
          + "Gradient: needs `from_type`, the input's type (as `to`); it is Cast(dY) -> dX with to = from_type "
          + "and from_type = to.")
      .input("X", "the input, any shape, any type but STRING")
      .output("Y", "the converted elements, of X's shape and type `to`")
      .arg("to", ArgType.SCALAR, "the output type: a TensorProto.DataType number (i) or name (s)")
      .arg("from_type", ArgType.SCALAR, "the input's type, as `to`; only read by the gradient")
      .inference(Cast::infer)
      .build();

  /** Caffe2's GetCastGradient: Cast(dY) -> dX, converting back; the forward op's arguments are not copied. */
  static final GradientMaker GRADIENT = new GradientMaker() {
    @Override
    public List<OperatorDef> gradientDefs(GradientContext g) {
      Arguments args = Arguments.of(g.def().getArgList());
      DataType to;
      DataType from;
      try {
        to = typeArgument(args, "to");
        if (!args.has("from_type")) {
          throw new SchemaException("the gradient of Cast needs the argument 'from_type' (the input's type, an "
              + "integer or a type name)");
        }
        from = typeArgument(args, "from_type");
      } catch (SchemaException e) {
        throw (GradientException) new GradientException(e.detail(), e).atBlob(g.I(0));
      }
      return GradientContext.single("Cast", List.of(g.GO(0)), List.of(g.GI(0)),
          Argument.newBuilder().setName("to").setI(from.code()).build(),
          Argument.newBuilder().setName("from_type").setI(to.code()).build());
    }

    @Override
    public boolean copyArguments() {
      return false;
    }
  };

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(Cast::new).gradient(GRADIENT).build();

  private final DataType to;
  // Scratch for widening the narrow types, kept between runs.
  private int[] intScratch = new int[0];
  private float[] floatScratch = new float[0];

  Cast(OperatorInit init) {
    super(init);
    this.to = typeArgument(init.args(), "to");
  }

  /**
   * The type named by argument {@code name}: an integer code or a case-insensitive name. Absent, 0, BYTE,
   * unknown codes and names, and values of another kind are errors.
   */
  static DataType typeArgument(Arguments args, String name) {
    Argument a = args.get(name);
    if (a == null) {
      throw new SchemaException("Cast needs the argument '" + name + "', a TensorProto.DataType (number or name)");
    }
    TensorProto.DataType proto;
    if (a.hasI()) {
      long code = a.getI();
      proto = code >= 0 && code <= Integer.MAX_VALUE ? TensorProto.DataType.forNumber((int) code) : null;
      if (proto == null) {
        throw new SchemaException("argument '" + name + "' = " + code + " is not a TensorProto.DataType");
      }
    } else if (a.hasS()) {
      String s = a.getS().toString(StandardCharsets.UTF_8).toUpperCase(Locale.ROOT);
      try {
        proto = TensorProto.DataType.valueOf(s);
      } catch (IllegalArgumentException e) {
        throw new SchemaException("argument '" + name + "' = \"" + s + "\" is not a TensorProto.DataType name");
      }
    } else {
      throw new SchemaException("argument '" + name + "' must be a type number (i) or name (s), found "
          + ArgType.describe(a));
    }
    if (proto == TensorProto.DataType.UNDEFINED) {
      throw new SchemaException("argument '" + name + "' is UNDEFINED (0); Cast needs a data type");
    }
    if (proto == TensorProto.DataType.BYTE) {
      throw new SchemaException("argument '" + name + "' is BYTE (3), which Caffe2 deprecates; use UINT8 (6)");
    }
    DataType t = DataType.fromProto(proto);
    if (t == null) {
      throw new SchemaException("argument '" + name + "' is " + proto + ", which zerog tensors cannot hold");
    }
    return t;
  }

  private static List<BlobType> infer(OperatorDef def, Arguments args, List<BlobType> in) {
    BlobType x = in.get(0);
    if (x.dtype() == DataType.STRING) {
      throw (ShapeException) new ShapeException("Cast cannot convert from STRING").atBlob(def.getInput(0));
    }
    return List.of(new BlobType(typeArgument(args, "to"), x.dims()));
  }

  @Override
  public void run() {
    Tensor x = input(0);
    DataType from = x.dtype();
    if (from == DataType.STRING) {
      throw (ShapeException) new ShapeException("Cast cannot convert from STRING").atOp(index(), type())
          .atBlob(inputBlob(0).name());
    }
    Tensor y = output(0);
    if (x.isKnownZero() && to != DataType.STRING) {
      // Zero is zero (false) in every numeric type.
      y.setKnownZero(to, x.dims());
      return;
    }
    int n = x.size();
    Object wide = widen(x, n);
    Outputs.shapeLike(y, to, x);
    switch (to) {
      case FLOAT:
        toFloat(wide, y.floats(), n);
        break;
      case DOUBLE:
        toDouble(wide, y.doubles(), n);
        break;
      case INT32:
        toInt(wide, y.ints(), n);
        break;
      case INT64:
        toLong(wide, y.longs(), n);
        break;
      case BOOL:
        toBool(wide, y.bools(), n);
        break;
      case UINT8:
      case INT8:
        toByte(wide, y.bytes(), n);
        break;
      case UINT16:
      case INT16:
        toShort(wide, y.shorts(), n);
        break;
      case FLOAT16:
        toHalf(wide, y.shorts(), n);
        break;
      case STRING:
        toText(wide, y.strings(), n);
        break;
      default:
        throw new AssertionError(to);
    }
  }

  /** The elements as an int[], long[], float[] or double[] holding the same values exactly. */
  private Object widen(Tensor x, int n) {
    switch (x.dtype()) {
      case FLOAT:
        return x.floats();
      case DOUBLE:
        return x.doubles();
      case INT32:
        return x.ints();
      case INT64:
        return x.longs();
      case FLOAT16: {
        float[] out = floats(n);
        short[] s = x.shorts();
        for (int i = 0; i < n; i++) {
          out[i] = Float16.toFloat(s[i]);
        }
        return out;
      }
      case BOOL: {
        int[] out = ints(n);
        boolean[] b = x.bools();
        for (int i = 0; i < n; i++) {
          out[i] = b[i] ? 1 : 0;
        }
        return out;
      }
      case UINT8: {
        int[] out = ints(n);
        byte[] b = x.bytes();
        for (int i = 0; i < n; i++) {
          out[i] = b[i] & 0xFF;
        }
        return out;
      }
      case INT8: {
        int[] out = ints(n);
        byte[] b = x.bytes();
        for (int i = 0; i < n; i++) {
          out[i] = b[i];
        }
        return out;
      }
      case UINT16: {
        int[] out = ints(n);
        short[] s = x.shorts();
        for (int i = 0; i < n; i++) {
          out[i] = s[i] & 0xFFFF;
        }
        return out;
      }
      case INT16: {
        int[] out = ints(n);
        short[] s = x.shorts();
        for (int i = 0; i < n; i++) {
          out[i] = s[i];
        }
        return out;
      }
      default:
        throw new AssertionError(x.dtype());
    }
  }

  private int[] ints(int n) {
    if (intScratch.length < n) {
      intScratch = new int[n];
    }
    return intScratch;
  }

  private float[] floats(int n) {
    if (floatScratch.length < n) {
      floatScratch = new float[n];
    }
    return floatScratch;
  }

  private static void toFloat(Object w, float[] y, int n) {
    if (w instanceof int[]) {
      int[] s = (int[]) w;
      for (int i = 0; i < n; i++) {
        y[i] = s[i];
      }
    } else if (w instanceof long[]) {
      long[] s = (long[]) w;
      for (int i = 0; i < n; i++) {
        y[i] = s[i];
      }
    } else if (w instanceof float[]) {
      System.arraycopy((float[]) w, 0, y, 0, n);
    } else {
      double[] s = (double[]) w;
      for (int i = 0; i < n; i++) {
        y[i] = (float) s[i];
      }
    }
  }

  private static void toDouble(Object w, double[] y, int n) {
    if (w instanceof int[]) {
      int[] s = (int[]) w;
      for (int i = 0; i < n; i++) {
        y[i] = s[i];
      }
    } else if (w instanceof long[]) {
      long[] s = (long[]) w;
      for (int i = 0; i < n; i++) {
        y[i] = s[i];
      }
    } else if (w instanceof float[]) {
      float[] s = (float[]) w;
      for (int i = 0; i < n; i++) {
        y[i] = s[i];
      }
    } else {
      System.arraycopy((double[]) w, 0, y, 0, n);
    }
  }

  private static void toInt(Object w, int[] y, int n) {
    if (w instanceof int[]) {
      System.arraycopy((int[]) w, 0, y, 0, n);
    } else if (w instanceof long[]) {
      long[] s = (long[]) w;
      for (int i = 0; i < n; i++) {
        y[i] = (int) s[i];
      }
    } else if (w instanceof float[]) {
      float[] s = (float[]) w;
      for (int i = 0; i < n; i++) {
        y[i] = (int) s[i];
      }
    } else {
      double[] s = (double[]) w;
      for (int i = 0; i < n; i++) {
        y[i] = (int) s[i];
      }
    }
  }

  private static void toLong(Object w, long[] y, int n) {
    if (w instanceof int[]) {
      int[] s = (int[]) w;
      for (int i = 0; i < n; i++) {
        y[i] = s[i];
      }
    } else if (w instanceof long[]) {
      System.arraycopy((long[]) w, 0, y, 0, n);
    } else if (w instanceof float[]) {
      float[] s = (float[]) w;
      for (int i = 0; i < n; i++) {
        y[i] = (long) s[i];
      }
    } else {
      double[] s = (double[]) w;
      for (int i = 0; i < n; i++) {
        y[i] = (long) s[i];
      }
    }
  }

  private static void toBool(Object w, boolean[] y, int n) {
    if (w instanceof int[]) {
      int[] s = (int[]) w;
      for (int i = 0; i < n; i++) {
        y[i] = s[i] != 0;
      }
    } else if (w instanceof long[]) {
      long[] s = (long[]) w;
      for (int i = 0; i < n; i++) {
        y[i] = s[i] != 0;
      }
    } else if (w instanceof float[]) {
      float[] s = (float[]) w;
      for (int i = 0; i < n; i++) {
        y[i] = s[i] != 0;
      }
    } else {
      double[] s = (double[]) w;
      for (int i = 0; i < n; i++) {
        y[i] = s[i] != 0;
      }
    }
  }

  private static void toByte(Object w, byte[] y, int n) {
    if (w instanceof int[]) {
      int[] s = (int[]) w;
      for (int i = 0; i < n; i++) {
        y[i] = (byte) s[i];
      }
    } else if (w instanceof long[]) {
      long[] s = (long[]) w;
      for (int i = 0; i < n; i++) {
        y[i] = (byte) s[i];
      }
    } else if (w instanceof float[]) {
      float[] s = (float[]) w;
      for (int i = 0; i < n; i++) {
        y[i] = (byte) (int) s[i];
      }
    } else {
      double[] s = (double[]) w;
      for (int i = 0; i < n; i++) {
        y[i] = (byte) (int) s[i];
      }
    }
  }

  private static void toShort(Object w, short[] y, int n) {
    if (w instanceof int[]) {
      int[] s = (int[]) w;
      for (int i = 0; i < n; i++) {
        y[i] = (short) s[i];
      }
    } else if (w instanceof long[]) {
      long[] s = (long[]) w;
      for (int i = 0; i < n; i++) {
        y[i] = (short) s[i];
      }
    } else if (w instanceof float[]) {
      float[] s = (float[]) w;
      for (int i = 0; i < n; i++) {
        y[i] = (short) (int) s[i];
      }
    } else {
      double[] s = (double[]) w;
      for (int i = 0; i < n; i++) {
        y[i] = (short) (int) s[i];
      }
    }
  }

  private static void toHalf(Object w, short[] y, int n) {
    if (w instanceof int[]) {
      int[] s = (int[]) w;
      for (int i = 0; i < n; i++) {
        y[i] = Float16.fromFloat(s[i]);
      }
    } else if (w instanceof long[]) {
      long[] s = (long[]) w;
      for (int i = 0; i < n; i++) {
        y[i] = Float16.fromFloat(s[i]);
      }
    } else if (w instanceof float[]) {
      float[] s = (float[]) w;
      for (int i = 0; i < n; i++) {
        y[i] = Float16.fromFloat(s[i]);
      }
    } else {
      double[] s = (double[]) w;
      for (int i = 0; i < n; i++) {
        y[i] = Float16.fromFloat((float) s[i]);
      }
    }
  }

  private static void toText(Object w, String[] y, int n) {
    if (w instanceof int[]) {
      int[] s = (int[]) w;
      for (int i = 0; i < n; i++) {
        y[i] = Integer.toString(s[i]);
      }
    } else if (w instanceof long[]) {
      long[] s = (long[]) w;
      for (int i = 0; i < n; i++) {
        y[i] = Long.toString(s[i]);
      }
    } else if (w instanceof float[]) {
      float[] s = (float[]) w;
      for (int i = 0; i < n; i++) {
        y[i] = fixed(s[i]);
      }
    } else {
      double[] s = (double[]) w;
      for (int i = 0; i < n; i++) {
        y[i] = fixed(s[i]);
      }
    }
  }

  /** std::to_string of a floating-point value: printf's "%f" ("inf", "-inf", "nan" for the specials). */
  static String fixed(double v) {
    if (Double.isNaN(v)) {
      return Double.doubleToRawLongBits(v) < 0 ? "-nan" : "nan";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    // The exact binary value rounded to six decimals, ties to even, as glibc's printf; the sign is kept when the
    // value rounds to zero.
    String text = new BigDecimal(v).setScale(6, RoundingMode.HALF_EVEN).toPlainString();
    boolean negative = v < 0 || (v == 0 && 1 / v < 0);
    return negative && !text.startsWith("-") ? "-" + text : text;
  }
}
