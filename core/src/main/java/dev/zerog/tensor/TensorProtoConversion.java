package dev.zerog.tensor;

import com.google.protobuf.ByteString;
import dev.zerog.MalformedInputException;
import dev.zerog.ShapeException;
import dev.zerog.ZerogException;
import dev.zerog.proto.Caffe2.TensorProto;
import dev.zerog.proto.Caffe2.TensorProtos;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Conversion between {@link Tensor} and Caffe2's {@code TensorProto}, reading everything Caffe2 writes and
 * writing what Caffe2 reads.
 *
 * <p><b>Writing</b> uses the field Caffe2 itself writes by default for each type:
 * <table>
 *   <caption>Field per type</caption>
 *   <tr><th>type</th><th>field</th></tr>
 *   <tr><td>FLOAT</td><td>float_data</td></tr>
 *   <tr><td>DOUBLE</td><td>double_data</td></tr>
 *   <tr><td>INT32</td><td>int32_data</td></tr>
 *   <tr><td>INT64</td><td>int64_data</td></tr>
 *   <tr><td>BOOL, UINT8, INT8, UINT16, INT16</td><td>int32_data (unsigned types as 0..255 and 0..65535)</td></tr>
 *   <tr><td>FLOAT16</td><td>int32_data, each element's 16-bit pattern as 0..65535</td></tr>
 *   <tr><td>STRING</td><td>string_data, UTF-8</td></tr>
 * </table>
 * with {@code dims}, {@code data_type} and, when given, {@code name}. No segment is written: the proto holds
 * the whole tensor. A known-zero tensor is written as zeros without materializing it.
 *
 * <p><b>Reading</b> also accepts the other encodings Caffe2 and its neighbours produce: {@code byte_data}
 * holding the little-endian elements of BOOL, UINT8, INT8, UINT16, INT16 and FLOAT16 (Caffe2's
 * "bytes as holder" options); the legacy BYTE type (byte_data, read as UINT8); {@code raw_data} holding
 * little-endian elements of any numeric type; and {@code data_format: 1} (FMT_BFLOAT16), FLOAT elements as
 * bfloat16 in raw_data. A field holding values that the type does not read is ignored, as Caffe2 ignores
 * it; two fields that could both hold the type's values are an error.
 *
 * <p><b>Checks.</b> The number of values must equal the product of the dims ({@link ShapeException}); a
 * negative dim is a {@link ShapeException}, a shape too large for one tensor a
 * {@link dev.zerog.ResourceLimitException}. UNDEFINED, ZERO_COLLISION_HASH, REBATCHING_BUFFER and data type
 * numbers caffe2.proto does not define are refused, as are int32_data values that do not fit the element
 * type and strings that are not valid UTF-8 ({@link MalformedInputException}). A {@code segment} is accepted
 * only when it covers the whole tensor (begin 0, end = element count), which is what Caffe2 writes for a
 * tensor stored in one piece; a chunk of a larger tensor is refused, since it cannot stand alone. Every
 * error names the tensor (as its blob) when the proto has a name.
 */
public final class TensorProtoConversion {
  private static final int DATA_TYPE_FIELD = TensorProto.DATA_TYPE_FIELD_NUMBER;
  private static final int FMT_PROTOBUF = 0;
  private static final int FMT_BFLOAT16 = 1;

  private TensorProtoConversion() {}

  /** The tensor a TensorProto holds; see the class doc for what is accepted. */
  public static Tensor fromProto(TensorProto proto) {
    Objects.requireNonNull(proto, "proto");
    String name = proto.getName();
    try {
      return decode(proto);
    } catch (ZerogException e) {
      throw e.atBlob(name.isEmpty() ? null : name);
    }
  }

  /** A TensorProto of the tensor, without a name. */
  public static TensorProto toProto(Tensor tensor) {
    return toProto(null, tensor);
  }

  /** A TensorProto of the tensor, named {@code name} (null or empty for none). */
  public static TensorProto toProto(String name, Tensor tensor) {
    Objects.requireNonNull(tensor, "tensor");
    TensorProto.Builder b = TensorProto.newBuilder();
    for (long d : tensor.dims()) {
      b.addDims(d);
    }
    b.setDataType(tensor.dtype().proto());
    if (name != null && !name.isEmpty()) {
      b.setName(name);
    }
    encode(tensor, b);
    return b.build();
  }

  /**
   * The tensors of a TensorProtos, by name, in order. Every proto must have a name, and no two the same.
   */
  public static Map<String, Tensor> fromProtos(TensorProtos protos) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (int i = 0; i < protos.getProtosCount(); i++) {
      TensorProto p = protos.getProtos(i);
      if (p.getName().isEmpty()) {
        throw new MalformedInputException("tensor #" + i + " of the TensorProtos has no name");
      }
      if (out.containsKey(p.getName())) {
        throw (MalformedInputException) new MalformedInputException(
            "two tensors of the TensorProtos have this name (#" + i + " and an earlier one)").atBlob(p.getName());
      }
      out.put(p.getName(), fromProto(p));
    }
    return out;
  }

  /** A TensorProtos holding each tensor under its name, in the map's order. */
  public static TensorProtos toProtos(Map<String, Tensor> tensors) {
    TensorProtos.Builder b = TensorProtos.newBuilder();
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      if (e.getKey() == null || e.getKey().isEmpty()) {
        throw new ShapeException("a tensor stored in a TensorProtos needs a name");
      }
      b.addProtos(toProto(e.getKey(), e.getValue()));
    }
    return b.build();
  }

  // ---------------------------------------------------------------------------------------------- reading

  private static Tensor decode(TensorProto p) {
    TensorProto.DataType protoType = p.getDataType();
    if (!p.hasDataType() && p.getUnknownFields().hasField(DATA_TYPE_FIELD)) {
      List<Long> codes = p.getUnknownFields().getField(DATA_TYPE_FIELD).getVarintList();
      throw new MalformedInputException("data_type "
          + (codes.isEmpty() ? "?" : codes.get(codes.size() - 1)) + " is not a type caffe2.proto defines");
    }
    boolean legacyByte = protoType == TensorProto.DataType.BYTE;
    DataType dtype = DataType.fromProto(protoType);
    if (dtype == null) {
      throw new MalformedInputException("data_type " + protoType + " cannot be read as a tensor"
          + (protoType == TensorProto.DataType.UNDEFINED ? " (UNDEFINED says nothing about the elements)"
              : " by zerog"));
    }
    long[] dims = new long[p.getDimsCount()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = p.getDims(i);
    }
    int n = Shapes.checkedElementCount(dims);
    Allocations.check(dtype, dims, n, 0);
    if (p.hasSegment()) {
      long begin = p.getSegment().getBegin();
      long end = p.getSegment().getEnd();
      if (begin != 0 || end != n) {
        throw new MalformedInputException("holds elements [" + begin + ", " + end + ") of a tensor of " + n
            + " elements (one chunk of a chunked blob); zerog reads only protos that hold a whole tensor");
      }
    }
    int format = p.getDataFormat();
    if (format == FMT_BFLOAT16) {
      if (dtype != DataType.FLOAT) {
        throw new MalformedInputException("data_format 1 (bfloat16) is defined for FLOAT tensors only, not "
            + dtype);
      }
      return Tensor.wrap(DataType.FLOAT, bfloat16(p.getRawData(), n, dims), dims);
    }
    if (format != FMT_PROTOBUF) {
      throw new MalformedInputException("data_format " + Integer.toUnsignedString(format)
          + " is not a serialization format zerog knows (0 = typed fields, 1 = bfloat16)");
    }
    String what = dtype + " tensor of shape " + Shapes.format(dims);
    switch (dtype) {
      case FLOAT: {
        float[] a = new float[n];
        if (pick(p.getFloatDataCount(), "float_data", p.getRawData(), what) == Source.RAW) {
          raw(p.getRawData(), 4, n, what).asFloatBuffer().get(a);
        } else {
          count(p.getFloatDataCount(), n, "float_data", what);
          for (int i = 0; i < n; i++) {
            a[i] = p.getFloatData(i);
          }
        }
        return Tensor.wrap(dtype, a, dims);
      }
      case DOUBLE: {
        double[] a = new double[n];
        if (pick(p.getDoubleDataCount(), "double_data", p.getRawData(), what) == Source.RAW) {
          raw(p.getRawData(), 8, n, what).asDoubleBuffer().get(a);
        } else {
          count(p.getDoubleDataCount(), n, "double_data", what);
          for (int i = 0; i < n; i++) {
            a[i] = p.getDoubleData(i);
          }
        }
        return Tensor.wrap(dtype, a, dims);
      }
      case INT32: {
        int[] a = new int[n];
        if (pick(p.getInt32DataCount(), "int32_data", p.getRawData(), what) == Source.RAW) {
          raw(p.getRawData(), 4, n, what).asIntBuffer().get(a);
        } else {
          count(p.getInt32DataCount(), n, "int32_data", what);
          for (int i = 0; i < n; i++) {
            a[i] = p.getInt32Data(i);
          }
        }
        return Tensor.wrap(dtype, a, dims);
      }
      case INT64: {
        long[] a = new long[n];
        if (pick(p.getInt64DataCount(), "int64_data", p.getRawData(), what) == Source.RAW) {
          raw(p.getRawData(), 8, n, what).asLongBuffer().get(a);
        } else {
          count(p.getInt64DataCount(), n, "int64_data", what);
          for (int i = 0; i < n; i++) {
            a[i] = p.getInt64Data(i);
          }
        }
        return Tensor.wrap(dtype, a, dims);
      }
      case STRING: {
        if (!p.getRawData().isEmpty() || !p.getByteData().isEmpty()) {
          throw new MalformedInputException("a STRING tensor keeps its elements in string_data, not in "
              + (p.getRawData().isEmpty() ? "byte_data" : "raw_data"));
        }
        count(p.getStringDataCount(), n, "string_data", what);
        String[] a = new String[n];
        var decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
        for (int i = 0; i < n; i++) {
          try {
            a[i] = decoder.decode(p.getStringData(i).asReadOnlyByteBuffer()).toString();
          } catch (CharacterCodingException e) {
            throw new MalformedInputException("string_data[" + i + "] is not valid UTF-8; zerog keeps strings as text");
          }
        }
        return Tensor.wrap(dtype, a, dims);
      }
      case BOOL:
      case UINT8:
      case INT8:
        return Tensor.wrap(dtype, smallFromProto(p, dtype, n, what, legacyByte), dims);
      case UINT16:
      case INT16:
      case FLOAT16:
        return Tensor.wrap(dtype, shortsFromProto(p, dtype, n, what), dims);
      default:
        throw new AssertionError(dtype);
    }
  }

  private enum Source { TYPED, RAW, BYTES }

  /** Which field holds the values: the typed one, or raw_data; both holding values is an error. */
  private static Source pick(int typedCount, String typedField, ByteString raw, String what) {
    if (!raw.isEmpty()) {
      if (typedCount > 0) {
        throw new MalformedInputException("the " + what + " has values in both " + typedField + " and raw_data");
      }
      return Source.RAW;
    }
    return Source.TYPED;
  }

  /** Where BOOL, UINT8, INT8, UINT16, INT16 and FLOAT16 values are: byte_data, raw_data or int32_data. */
  private static Source pickNarrow(TensorProto p, String what) {
    int present = (p.hasByteData() ? 1 : 0) + (p.getRawData().isEmpty() ? 0 : 1) + (p.getInt32DataCount() > 0 ? 1 : 0);
    if (present > 1) {
      throw new MalformedInputException("the " + what + " has values in more than one of byte_data, raw_data "
          + "and int32_data");
    }
    if (p.hasByteData()) {
      return Source.BYTES;
    }
    return p.getRawData().isEmpty() ? Source.TYPED : Source.RAW;
  }

  private static Object smallFromProto(TensorProto p, DataType dtype, int n, String what, boolean legacyByte) {
    Source source = pickNarrow(p, what);
    if (legacyByte && source == Source.TYPED && n > 0) {
      throw new ShapeException("the BYTE " + what.substring(what.indexOf(' ') + 1)
          + " keeps its " + n + " values in byte_data, which is empty");
    }
    byte[] bytes;
    if (source == Source.TYPED) {
      count(p.getInt32DataCount(), n, "int32_data", what);
      bytes = new byte[n];
      int low = dtype == DataType.BOOL ? Integer.MIN_VALUE : -128;
      int high = dtype == DataType.BOOL ? Integer.MAX_VALUE : 255;
      for (int i = 0; i < n; i++) {
        int v = p.getInt32Data(i);
        if (v < low || v > high) {
          throw new MalformedInputException("int32_data[" + i + "] = " + v + " does not fit a " + dtype + " element");
        }
        bytes[i] = dtype == DataType.BOOL ? (byte) (v != 0 ? 1 : 0) : (byte) v;
      }
    } else {
      ByteString field = source == Source.BYTES ? p.getByteData() : p.getRawData();
      String fieldName = source == Source.BYTES ? "byte_data" : "raw_data";
      if (field.size() != n) {
        throw new ShapeException("the " + what + " needs " + n + " values (" + n + " bytes); " + fieldName
            + " holds " + field.size() + " bytes");
      }
      bytes = field.toByteArray();
    }
    if (dtype != DataType.BOOL) {
      return bytes;
    }
    boolean[] out = new boolean[n];
    for (int i = 0; i < n; i++) {
      out[i] = bytes[i] != 0;
    }
    return out;
  }

  private static short[] shortsFromProto(TensorProto p, DataType dtype, int n, String what) {
    short[] out = new short[n];
    Source source = pickNarrow(p, what);
    if (source == Source.TYPED) {
      count(p.getInt32DataCount(), n, "int32_data", what);
      for (int i = 0; i < n; i++) {
        int v = p.getInt32Data(i);
        if (v < -32768 || v > 65535) {
          throw new MalformedInputException("int32_data[" + i + "] = " + v + " does not fit a " + dtype
              + " element" + (dtype == DataType.FLOAT16 ? " (a 16-bit pattern)" : ""));
        }
        out[i] = (short) v;
      }
    } else {
      ByteString field = source == Source.BYTES ? p.getByteData() : p.getRawData();
      raw(field, 2, n, what, source == Source.BYTES ? "byte_data" : "raw_data").asShortBuffer().get(out);
    }
    return out;
  }

  private static float[] bfloat16(ByteString raw, int n, long[] dims) {
    ByteBuffer b = raw(raw, 2, n, "FLOAT tensor of shape " + Shapes.format(dims) + " in bfloat16", "raw_data");
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = Float.intBitsToFloat((b.getShort() & 0xFFFF) << 16);
    }
    return out;
  }

  private static ByteBuffer raw(ByteString field, int itemSize, int n, String what) {
    return raw(field, itemSize, n, what, "raw_data");
  }

  private static ByteBuffer raw(ByteString field, int itemSize, int n, String what, String fieldName) {
    long need = (long) n * itemSize;
    if (field.size() != need) {
      throw new ShapeException("the " + what + " needs " + n + " values (" + need + " bytes); " + fieldName
          + " holds " + field.size() + " bytes");
    }
    return field.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  private static void count(int have, int need, String field, String what) {
    if (have != need) {
      throw new ShapeException("the " + what + " needs " + need + " values; " + field + " holds " + have);
    }
  }

  // ---------------------------------------------------------------------------------------------- writing

  private static void encode(Tensor t, TensorProto.Builder b) {
    int n = t.size();
    boolean zero = t.isKnownZero();
    switch (t.dtype()) {
      case FLOAT: {
        float[] a = zero ? new float[n] : t.floats();
        b.addAllFloatData(new AbstractList<Float>() {
          @Override
          public Float get(int i) {
            return a[i];
          }

          @Override
          public int size() {
            return n;
          }
        });
        break;
      }
      case DOUBLE: {
        double[] a = zero ? new double[n] : t.doubles();
        b.addAllDoubleData(new AbstractList<Double>() {
          @Override
          public Double get(int i) {
            return a[i];
          }

          @Override
          public int size() {
            return n;
          }
        });
        break;
      }
      case INT64: {
        long[] a = zero ? new long[n] : t.longs();
        b.addAllInt64Data(new AbstractList<Long>() {
          @Override
          public Long get(int i) {
            return a[i];
          }

          @Override
          public int size() {
            return n;
          }
        });
        break;
      }
      case STRING: {
        String[] a = zero ? null : t.strings();
        for (int i = 0; i < n; i++) {
          b.addStringData(a == null ? ByteString.EMPTY : ByteString.copyFromUtf8(a[i]));
        }
        break;
      }
      default: {
        int[] a = zero ? new int[n] : int32Values(t);
        b.addAllInt32Data(new AbstractList<Integer>() {
          @Override
          public Integer get(int i) {
            return a[i];
          }

          @Override
          public int size() {
            return n;
          }
        });
        break;
      }
    }
  }

  /** The elements of an INT32, BOOL, UINT8, INT8, UINT16, INT16 or FLOAT16 tensor as Caffe2 puts them in int32_data. */
  private static int[] int32Values(Tensor t) {
    int n = t.size();
    switch (t.dtype()) {
      case INT32:
        return t.ints();
      case BOOL: {
        boolean[] a = t.bools();
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
          out[i] = a[i] ? 1 : 0;
        }
        return out;
      }
      case UINT8:
      case INT8: {
        byte[] a = t.bytes();
        int mask = t.dtype() == DataType.UINT8 ? 0xFF : -1;
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
          out[i] = a[i] & mask;
        }
        return out;
      }
      case UINT16:
      case INT16:
      case FLOAT16: {
        short[] a = t.shorts();
        int mask = t.dtype() == DataType.INT16 ? -1 : 0xFFFF;
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
          out[i] = a[i] & mask;
        }
        return out;
      }
      default:
        throw new AssertionError(t.dtype());
    }
  }
}
