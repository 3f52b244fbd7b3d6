package dev.zerog.ops.elementwise;

import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import java.util.Arrays;

/** Shaping output tensors without allocating when their type and shape are already right. */
final class Outputs {
  private Outputs() {}

  /** Gives {@code out} the type and dims, keeping its memory when they are unchanged (no allocation at all). */
  static Tensor shape(Tensor out, DataType dtype, long[] dims) {
    if (out.dtype() != dtype || !out.hasDims(dims)) {
      out.resize(dtype, dims);
    }
    return out;
  }

  /** Gives {@code out} the type and {@code like}'s dims, allocating nothing when they are unchanged. */
  static Tensor shapeLike(Tensor out, DataType dtype, Tensor like) {
    if (out == like) {
      return out;
    }
    boolean same = out.dtype() == dtype && out.rank() == like.rank();
    for (int i = 0; same && i < like.rank(); i++) {
      same = out.dim(i) == like.dim(i);
    }
    if (!same) {
      out.resize(dtype, like.dims());
    }
    return out;
  }

  /** Sets every element of a FLOAT, DOUBLE, INT32 or INT64 tensor to zero. */
  static void zero(Tensor t) {
    switch (t.dtype()) {
      case FLOAT:
        Arrays.fill(t.floats(), 0);
        break;
      case DOUBLE:
        Arrays.fill(t.doubles(), 0);
        break;
      case INT32:
        Arrays.fill(t.ints(), 0);
        break;
      case INT64:
        Arrays.fill(t.longs(), 0);
        break;
      default:
        throw new AssertionError(t.dtype());
    }
  }
}
