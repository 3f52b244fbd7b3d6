package dev.zerog.tensor;

import dev.zerog.ShapeException;
import java.util.Arrays;
import java.util.Objects;

/**
 * A dense, row-major tensor: an element type, int64 dims (0-d scalars and zero-size dims included) and a
 * Java array holding the elements.
 *
 * <p>Tensors are mutable, as Caffe2's are: an operator resizes its output tensor and writes into it. When a
 * tensor is resized to the same type and element count it keeps its array, so an operator that refills an
 * output every step does not allocate ({@link #resize}).
 *
 * <p>A tensor may also be a <em>known zero</em>: a tensor created by {@link #zeros} knows its type and shape
 * and that every element is zero, and holds no array until something asks for its data (any typed accessor
 * such as {@link #floats()}) or writes into it. {@link #isKnownZero()} tells, without allocating.
 * {@link #materializedBytes()} counts the memory actually held.
 *
 * <p>Every allocation of element memory is checked first against the thread's memory budget
 * ({@link Allocations}): a request over a cap is a {@link dev.zerog.ResourceLimitException} before anything is
 * allocated.
 *
 * <p>Not thread-safe; a tensor belongs to one workspace, which is used by one thread at a time.
 */
public final class Tensor {
  private DataType dtype;
  private long[] dims;
  private int size;
  /** The element array, or null for a known-zero tensor that has not been materialized. */
  private Object data;

  private Tensor(DataType dtype, long[] dims, int size, Object data) {
    this.dtype = dtype;
    this.dims = dims;
    this.size = size;
    this.data = data;
  }

  /** A new tensor of the given type and dims, every element zero (false, "" for strings), memory allocated. */
  public static Tensor allocate(DataType dtype, long... dims) {
    Objects.requireNonNull(dtype, "dtype");
    long[] d = dims.clone();
    int n = Shapes.checkedElementCount(d);
    Allocations.check(dtype, d, n, 0);
    return new Tensor(dtype, d, n, dtype.newArray(n));
  }

  /** A known-zero tensor: all elements zero, no memory held until its data is needed. */
  public static Tensor zeros(DataType dtype, long... dims) {
    Objects.requireNonNull(dtype, "dtype");
    long[] d = dims.clone();
    int n = Shapes.checkedElementCount(d);
    return new Tensor(dtype, d, n, null);
  }

  /** An empty tensor: FLOAT, shape [0]. */
  public static Tensor empty() {
    return allocate(DataType.FLOAT, 0);
  }

  /**
   * A tensor that takes ownership of {@code data} (no copy). The array's type must be the storage of
   * {@code dtype} (see {@link DataType}) and its length the product of {@code dims}.
   */
  public static Tensor wrap(DataType dtype, Object data, long... dims) {
    Objects.requireNonNull(dtype, "dtype");
    Objects.requireNonNull(data, "data");
    long[] d = dims.clone();
    int n = Shapes.checkedElementCount(d);
    Object probe = dtype.newArray(0);
    if (probe.getClass() != data.getClass()) {
      throw new ShapeException(
          "a " + dtype + " tensor is stored in " + probe.getClass().getSimpleName() + ", not "
              + data.getClass().getSimpleName());
    }
    int len = java.lang.reflect.Array.getLength(data);
    if (len != n) {
      throw new ShapeException(
          "shape " + Shapes.format(d) + " has " + n + " elements but the array has " + len);
    }
    if (data instanceof String[]) {
      String[] strings = (String[]) data;
      for (int i = 0; i < strings.length; i++) {
        if (strings[i] == null) {
          throw new ShapeException("element " + i + " of a STRING tensor is null; use \"\" for an empty string");
        }
      }
    }
    return new Tensor(dtype, d, n, data);
  }

  /** A FLOAT tensor over {@code values} (no copy); with no dims given, 1-D of the array's length. */
  public static Tensor of(float[] values, long... dims) {
    return wrap(DataType.FLOAT, values, dims.length == 0 ? new long[] {values.length} : dims);
  }

  /** A DOUBLE tensor over {@code values} (no copy); with no dims given, 1-D. */
  public static Tensor of(double[] values, long... dims) {
    return wrap(DataType.DOUBLE, values, dims.length == 0 ? new long[] {values.length} : dims);
  }

  /** An INT32 tensor over {@code values} (no copy); with no dims given, 1-D. */
  public static Tensor of(int[] values, long... dims) {
    return wrap(DataType.INT32, values, dims.length == 0 ? new long[] {values.length} : dims);
  }

  /** An INT64 tensor over {@code values} (no copy); with no dims given, 1-D. */
  public static Tensor of(long[] values, long... dims) {
    return wrap(DataType.INT64, values, dims.length == 0 ? new long[] {values.length} : dims);
  }

  /** A BOOL tensor over {@code values} (no copy); with no dims given, 1-D. */
  public static Tensor of(boolean[] values, long... dims) {
    return wrap(DataType.BOOL, values, dims.length == 0 ? new long[] {values.length} : dims);
  }

  /** A STRING tensor over {@code values} (no copy); with no dims given, 1-D. */
  public static Tensor of(String[] values, long... dims) {
    return wrap(DataType.STRING, values, dims.length == 0 ? new long[] {values.length} : dims);
  }

  /** A 0-d FLOAT tensor. */
  public static Tensor scalar(float value) {
    return wrap(DataType.FLOAT, new float[] {value});
  }

  /** The element type. */
  public DataType dtype() {
    return dtype;
  }

  /** A copy of the dims. */
  public long[] dims() {
    return dims.clone();
  }

  /** The size of one axis (negative axes count from the end). */
  public long dim(int axis) {
    return dims[Shapes.canonicalAxis(axis, dims.length)];
  }

  /** The number of axes; 0 for a scalar. */
  public int rank() {
    return dims.length;
  }

  /** The number of elements. */
  public int size() {
    return size;
  }

  /** The bytes the elements take when materialized (strings count their UTF-16 chars twice). */
  public long nbytes() {
    if (dtype == DataType.STRING && data != null) {
      long n = 0;
      for (String s : (String[]) data) {
        n += 2L * s.length();
      }
      return n;
    }
    return (long) size * dtype.itemSize();
  }

  /** The bytes of element memory this tensor holds right now: 0 for an unmaterialized known zero. */
  public long materializedBytes() {
    return data == null ? 0 : nbytes();
  }

  /** True if this tensor is a known zero that holds no memory yet. */
  public boolean isKnownZero() {
    return data == null;
  }

  /** True if the dims equal {@code other}. */
  public boolean hasDims(long... other) {
    return Arrays.equals(dims, other);
  }

  /**
   * Gives this tensor a type and dims. Keeps the current array when the type and the element count are
   * unchanged (its contents are then whatever they were); otherwise allocates a new, zero-filled one.
   * A known-zero tensor of unchanged type and count stays one until its data is asked for. Resizing to the
   * type and dims the tensor already has changes nothing and allocates nothing, so an operator may call it
   * on every run. The tensor keeps its own copy of {@code dims}.
   */
  public Tensor resize(DataType dtype, long... dims) {
    Objects.requireNonNull(dtype, "dtype");
    int n = Shapes.checkedElementCount(dims);
    if (dtype != this.dtype || n != this.size) {
      Allocations.check(dtype, dims, n, data == null ? 0 : Allocations.bytesOf(this.dtype, this.size));
      this.data = null;
      this.data = dtype.newArray(n);
    }
    this.dtype = dtype;
    // The dims are copied: into the tensor's own array when the rank is unchanged, so that resizing every step
    // to the same rank allocates nothing.
    if (this.dims.length == dims.length) {
      System.arraycopy(dims, 0, this.dims, 0, dims.length);
    } else {
      this.dims = dims.clone();
    }
    this.size = n;
    return this;
  }

  /**
   * Gives this tensor a type and {@code other}'s dims, as {@link #resize} does, without copying the dims out of
   * {@code other} first: an operator that resizes its output like an input every step allocates nothing.
   */
  public Tensor resizeLike(DataType dtype, Tensor other) {
    return resize(dtype, other.dims);
  }

  /** True if this tensor has the same dims as {@code other} (compared without copying either). */
  public boolean hasSameDims(Tensor other) {
    return Arrays.equals(dims, other.dims);
  }

  /** Changes the dims keeping the element count and data (no copy). */
  public Tensor reshape(long... dims) {
    long[] d = dims.clone();
    long n = Shapes.elementCount(d);
    if (n != size) {
      throw new ShapeException(
          "cannot reshape " + Shapes.format(this.dims) + " (" + size + " elements) to " + Shapes.format(d)
              + " (" + n + " elements)");
    }
    this.dims = d;
    return this;
  }

  /** Makes this tensor a known zero of the given type and dims, dropping its memory. */
  public Tensor setKnownZero(DataType dtype, long... dims) {
    Objects.requireNonNull(dtype, "dtype");
    long[] d = dims.clone();
    this.size = Shapes.checkedElementCount(d);
    this.dtype = dtype;
    this.dims = d;
    this.data = null;
    return this;
  }

  /** The element array (allocating a known zero's memory); its type depends on {@link #dtype()}. */
  public Object data() {
    if (data == null) {
      Allocations.check(dtype, dims, size, 0);
      data = dtype.newArray(size);
    }
    return data;
  }

  private Object typed(DataType a, DataType b, DataType c) {
    if (dtype != a && dtype != b && dtype != c) {
      throw new ShapeException("expected a " + a + (b != a ? " or " + b : "") + (c != b ? " or " + c : "")
          + " tensor, got " + dtype + " " + Shapes.format(dims));
    }
    return data();
  }

  /** The elements of a FLOAT tensor. */
  public float[] floats() {
    return (float[]) typed(DataType.FLOAT, DataType.FLOAT, DataType.FLOAT);
  }

  /** The elements of a DOUBLE tensor. */
  public double[] doubles() {
    return (double[]) typed(DataType.DOUBLE, DataType.DOUBLE, DataType.DOUBLE);
  }

  /** The elements of an INT32 tensor. */
  public int[] ints() {
    return (int[]) typed(DataType.INT32, DataType.INT32, DataType.INT32);
  }

  /** The elements of an INT64 tensor. */
  public long[] longs() {
    return (long[]) typed(DataType.INT64, DataType.INT64, DataType.INT64);
  }

  /** The elements of a BOOL tensor. */
  public boolean[] bools() {
    return (boolean[]) typed(DataType.BOOL, DataType.BOOL, DataType.BOOL);
  }

  /** The elements of a UINT8 or INT8 tensor. */
  public byte[] bytes() {
    return (byte[]) typed(DataType.UINT8, DataType.INT8, DataType.INT8);
  }

  /** The elements of a UINT16, INT16 or FLOAT16 tensor (FLOAT16 as bit patterns). */
  public short[] shorts() {
    return (short[]) typed(DataType.UINT16, DataType.INT16, DataType.FLOAT16);
  }

  /** The elements of a STRING tensor. */
  public String[] strings() {
    return (String[]) typed(DataType.STRING, DataType.STRING, DataType.STRING);
  }

  /** Element {@code i} (flat index) as a double, for any numeric type or BOOL; 0 for a known zero. */
  public double getDouble(int i) {
    Objects.checkIndex(i, size);
    if (dtype == DataType.STRING) {
      throw new ShapeException("a STRING tensor has no numeric elements");
    }
    if (data == null) {
      return 0;
    }
    switch (dtype) {
      case FLOAT:
        return ((float[]) data)[i];
      case DOUBLE:
        return ((double[]) data)[i];
      case INT32:
        return ((int[]) data)[i];
      case INT64:
        return ((long[]) data)[i];
      case BOOL:
        return ((boolean[]) data)[i] ? 1 : 0;
      case UINT8:
        return ((byte[]) data)[i] & 0xFF;
      case INT8:
        return ((byte[]) data)[i];
      case UINT16:
        return ((short[]) data)[i] & 0xFFFF;
      case INT16:
        return ((short[]) data)[i];
      case FLOAT16:
        return Float16.toFloat(((short[]) data)[i]);
      default:
        throw new ShapeException("a " + dtype + " tensor has no numeric elements");
    }
  }

  /** Element {@code i} (flat index) as a long, for the integer types and BOOL; 0 for a known zero. */
  public long getLong(int i) {
    Objects.checkIndex(i, size);
    if (!dtype.isInteger() && dtype != DataType.BOOL) {
      throw new ShapeException("expected an integer tensor, got " + dtype + " " + Shapes.format(dims));
    }
    if (data == null) {
      return 0;
    }
    switch (dtype) {
      case INT32:
        return ((int[]) data)[i];
      case INT64:
        return ((long[]) data)[i];
      case BOOL:
        return ((boolean[]) data)[i] ? 1 : 0;
      case UINT8:
        return ((byte[]) data)[i] & 0xFF;
      case INT8:
        return ((byte[]) data)[i];
      case UINT16:
        return ((short[]) data)[i] & 0xFFFF;
      case INT16:
        return ((short[]) data)[i];
      default:
        throw new ShapeException("expected an integer tensor, got " + dtype + " " + Shapes.format(dims));
    }
  }

  /** Makes this tensor an exact copy of {@code src}: type, dims and elements (reusing memory when it can). */
  public Tensor copyFrom(Tensor src) {
    if (src == this) {
      return this;
    }
    if (src.data == null) {
      return setKnownZero(src.dtype, src.dims);
    }
    resize(src.dtype, src.dims);
    Object dst = data();
    System.arraycopy(src.data, 0, dst, 0, size);
    return this;
  }

  /** A new tensor equal to this one (a known zero stays a known zero). */
  public Tensor copy() {
    if (data != null) {
      Allocations.check(dtype, dims, size, 0);
    }
    return new Tensor(dtype, dims.clone(), size, data == null ? null : cloneArray(data));
  }

  private static Object cloneArray(Object a) {
    if (a instanceof float[]) {
      return ((float[]) a).clone();
    } else if (a instanceof double[]) {
      return ((double[]) a).clone();
    } else if (a instanceof int[]) {
      return ((int[]) a).clone();
    } else if (a instanceof long[]) {
      return ((long[]) a).clone();
    } else if (a instanceof boolean[]) {
      return ((boolean[]) a).clone();
    } else if (a instanceof byte[]) {
      return ((byte[]) a).clone();
    } else if (a instanceof short[]) {
      return ((short[]) a).clone();
    } else {
      return ((String[]) a).clone();
    }
  }

  /**
   * True if both tensors have the same type, dims and elements (bitwise for floating point, so NaN equals
   * a NaN of the same bits and 0.0 differs from -0.0). A known zero equals a materialized all-zero tensor.
   */
  public boolean contentEquals(Tensor other) {
    if (other == this) {
      return true;
    }
    if (other == null || other.dtype != dtype || !Arrays.equals(other.dims, dims)) {
      return false;
    }
    if (data == null || other.data == null) {
      // A known zero equals the other only if all of the other's elements are zero; nothing is allocated.
      return (data == null || isAllZero(data)) && (other.data == null || isAllZero(other.data));
    }
    Object a = data;
    Object b = other.data;
    if (a instanceof float[]) {
      float[] x = (float[]) a;
      float[] y = (float[]) b;
      for (int i = 0; i < size; i++) {
        if (Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(y[i])) {
          return false;
        }
      }
      return true;
    } else if (a instanceof double[]) {
      double[] x = (double[]) a;
      double[] y = (double[]) b;
      for (int i = 0; i < size; i++) {
        if (Double.doubleToRawLongBits(x[i]) != Double.doubleToRawLongBits(y[i])) {
          return false;
        }
      }
      return true;
    } else if (a instanceof int[]) {
      return Arrays.equals((int[]) a, (int[]) b);
    } else if (a instanceof long[]) {
      return Arrays.equals((long[]) a, (long[]) b);
    } else if (a instanceof boolean[]) {
      return Arrays.equals((boolean[]) a, (boolean[]) b);
    } else if (a instanceof byte[]) {
      return Arrays.equals((byte[]) a, (byte[]) b);
    } else if (a instanceof short[]) {
      return Arrays.equals((short[]) a, (short[]) b);
    }
    return Arrays.equals((String[]) a, (String[]) b);
  }

  /** True if every element is the zero of its type, bitwise (+0.0, not -0.0; false; ""). */
  private static boolean isAllZero(Object a) {
    if (a instanceof float[]) {
      for (float v : (float[]) a) {
        if (Float.floatToRawIntBits(v) != 0) {
          return false;
        }
      }
    } else if (a instanceof double[]) {
      for (double v : (double[]) a) {
        if (Double.doubleToRawLongBits(v) != 0) {
          return false;
        }
      }
    } else if (a instanceof int[]) {
      for (int v : (int[]) a) {
        if (v != 0) {
          return false;
        }
      }
    } else if (a instanceof long[]) {
      for (long v : (long[]) a) {
        if (v != 0) {
          return false;
        }
      }
    } else if (a instanceof boolean[]) {
      for (boolean v : (boolean[]) a) {
        if (v) {
          return false;
        }
      }
    } else if (a instanceof byte[]) {
      for (byte v : (byte[]) a) {
        if (v != 0) {
          return false;
        }
      }
    } else if (a instanceof short[]) {
      for (short v : (short[]) a) {
        if (v != 0) {
          return false;
        }
      }
    } else {
      for (String v : (String[]) a) {
        if (!v.isEmpty()) {
          return false;
        }
      }
    }
    return true;
  }

  /** "FLOAT [2, 3] {0.0, 1.0, ...}" with at most {@code limit} elements. */
  public String describe(int limit) {
    StringBuilder sb = new StringBuilder();
    sb.append(dtype).append(' ').append(Shapes.format(dims));
    if (data == null) {
      return sb.append(" (known zero)").toString();
    }
    sb.append(" {");
    int n = Math.min(limit, size);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(elementString(i));
    }
    if (size > n) {
      sb.append(", ...");
    }
    return sb.append('}').toString();
  }

  /** Element {@code i} rendered as text. */
  public String elementString(int i) {
    Objects.checkIndex(i, size);
    if (data == null) {
      // Rendered as a materialized zero of the same type would be.
      switch (dtype) {
        case FLOAT:
        case DOUBLE:
        case FLOAT16:
          return "0.0";
        case BOOL:
          return "false";
        case STRING:
          return "\"\"";
        default:
          return "0";
      }
    }
    switch (dtype) {
      case FLOAT:
        return Float.toString(((float[]) data)[i]);
      case DOUBLE:
      case FLOAT16:
        return Double.toString(getDouble(i));
      case BOOL:
        return Boolean.toString(((boolean[]) data)[i]);
      case STRING:
        return '"' + ((String[]) data)[i] + '"';
      default:
        return Long.toString(getLong(i));
    }
  }

  @Override
  public String toString() {
    return describe(8);
  }
}
