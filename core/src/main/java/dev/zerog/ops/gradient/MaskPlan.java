package dev.zerog.ops.gradient;

import dev.zerog.ShapeException;
import dev.zerog.op.Operator;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;

/**
 * How a mask broadcasts over a tensor, planned once per pair of shapes: the axes are merged into segments in
 * which the mask is either present (it has the tensor's dim) or repeated (its dim is 1), so that the product
 * runs as rows of one inner length, with one index per row and none per element. Kept while the shapes stay the
 * same; planning allocates only when they change.
 */
final class MaskPlan {
  private long[] xDims = new long[0];
  private long[] maskDims = new long[0];
  private boolean planned;
  /** Segment lengths, outermost first; the last one is the inner row. */
  private int[] lengths = new int[0];
  /** The mask's stride for each segment, 0 where the mask is repeated. */
  private int[] maskStrides = new int[0];
  private boolean innerPresent;
  private int total;
  private int[] counter = new int[0];

  /**
   * Checks that {@code mask} broadcasts to {@code x}'s shape: its dims, aligned to the end of x's, are each 1 or
   * x's dim. A mismatch is a ShapeException located at {@code op} and its input {@code maskInput}.
   */
  static void check(Tensor x, Tensor mask, Operator op, int maskInput) {
    int r = x.rank();
    int m = mask.rank();
    boolean ok = m <= r;
    for (int a = 0; ok && a < m; a++) {
      long md = mask.dim(a);
      long xd = x.dim(r - m + a);
      ok = md == 1 || md == xd;
    }
    if (!ok) {
      throw (ShapeException) new ShapeException("the mask " + Shapes.format(mask.dims()) + " does not broadcast to "
          + Shapes.format(x.dims()) + ": aligned to the end, each of its dims must be 1 or the tensor's")
          .atOp(op.index(), op.type()).atBlob(op.def().getInput(maskInput));
    }
  }

  /** Plans the product of {@code x} by {@code mask} (already checked), unless the shapes are the planned ones. */
  void prepare(Tensor x, Tensor mask) {
    if (planned && same(xDims, x) && same(maskDims, mask)) {
      return;
    }
    xDims = x.dims();
    maskDims = mask.dims();
    int r = xDims.length;
    int m = maskDims.length;
    int[] lens = new int[Math.max(1, r)];
    boolean[] present = new boolean[lens.length];
    int segments = 0;
    for (int a = 0; a < r; a++) {
      int xd = (int) xDims[a];
      if (xd == 1) {
        continue;
      }
      boolean p = a >= r - m && maskDims[a - (r - m)] == xd;
      if (segments > 0 && present[segments - 1] == p) {
        lens[segments - 1] *= xd;
      } else {
        lens[segments] = xd;
        present[segments] = p;
        segments++;
      }
    }
    if (segments == 0) {
      lens[0] = 1;
      present[0] = true;
      segments = 1;
    }
    lengths = new int[segments];
    maskStrides = new int[segments];
    int inner = 1;
    for (int s = segments - 1; s >= 0; s--) {
      lengths[s] = lens[s];
      maskStrides[s] = present[s] ? inner : 0;
      if (present[s]) {
        inner *= lens[s];
      }
    }
    innerPresent = present[segments - 1];
    total = x.size();
    counter = new int[segments];
    planned = true;
  }

  private static boolean same(long[] dims, Tensor t) {
    if (dims.length != t.rank()) {
      return false;
    }
    for (int a = 0; a < dims.length; a++) {
      if (dims[a] != t.dim(a)) {
        return false;
      }
    }
    return true;
  }

  /** out = x * mask (broadcast); out may be x. */
  void multiply(float[] x, float[] mask, float[] out) {
    if (total == 0) {
      return;
    }
    int last = lengths.length - 1;
    int inner = lengths[last];
    int rows = total / inner;
    java.util.Arrays.fill(counter, 0);
    int m = 0;
    for (int row = 0, off = 0; row < rows; row++, off += inner) {
      if (innerPresent) {
        for (int i = 0; i < inner; i++) {
          out[off + i] = x[off + i] * mask[m + i];
        }
      } else {
        float v = mask[m];
        for (int i = 0; i < inner; i++) {
          out[off + i] = x[off + i] * v;
        }
      }
      m = advance(m, last);
    }
  }

  /** out = x * mask (broadcast); out may be x. */
  void multiply(double[] x, double[] mask, double[] out) {
    if (total == 0) {
      return;
    }
    int last = lengths.length - 1;
    int inner = lengths[last];
    int rows = total / inner;
    java.util.Arrays.fill(counter, 0);
    int m = 0;
    for (int row = 0, off = 0; row < rows; row++, off += inner) {
      if (innerPresent) {
        for (int i = 0; i < inner; i++) {
          out[off + i] = x[off + i] * mask[m + i];
        }
      } else {
        double v = mask[m];
        for (int i = 0; i < inner; i++) {
          out[off + i] = x[off + i] * v;
        }
      }
      m = advance(m, last);
    }
  }

  /** Moves the odometer of the outer segments one row on; returns the mask offset of the next row. */
  private int advance(int m, int last) {
    for (int s = last - 1; s >= 0; s--) {
      counter[s]++;
      m += maskStrides[s];
      if (counter[s] < lengths[s]) {
        return m;
      }
      m -= maskStrides[s] * lengths[s];
      counter[s] = 0;
    }
    return m;
  }
}
