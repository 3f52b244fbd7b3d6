package dev.zerog.ops.elementwise;

import dev.zerog.ShapeException;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.util.Arrays;

/**
 * How the elements of {@code C = A op B} line up with the elements of A and B: the one place where the
 * binary elementwise operators and their gradients work out broadcasting.
 *
 * <p>Two modes, as Caffe2's:
 * <ul>
 *   <li><b>NumPy</b> ({@link #numpy}): the dims are aligned from the right; each pair must be equal or one of
 *       them 1 (a missing dim counts as 1); C takes the larger of each pair, or 0 when either is 0.</li>
 *   <li><b>Legacy</b> ({@link #legacy}, Caffe2's {@code broadcast: 1}): C has A's shape and B is either one
 *       element or a contiguous run of A's dims starting at {@code axis} (by default, A's last dims); B's
 *       leading and trailing dims of size 1 are ignored. A is seen as {@code [pre, n, post]} and B as
 *       {@code [n]} broadcast over {@code pre} and {@code post}.</li>
 * </ul>
 *
 * <p>The plan: the dims of size 1 in C are dropped and neighbouring dims in which A and B are both present,
 * only A is present, or only B is present are merged, so any broadcast becomes a few <em>rows</em> of one
 * <em>inner</em> length. In the inner loop A and B are each either contiguous or one element repeated
 * ({@link #kind}); rows are visited in order with an odometer ({@link #start}, {@link #next}) whose cost is per
 * row, not per element. Equal shapes are one row of every element; a scalar B is one row with B repeated;
 * Caffe2's legacy {@code [pre, n, post]} is {@code pre} rows of {@code n} (post = 1) or {@code pre * n} rows of
 * {@code post} with B repeated.
 *
 * <p>An instance belongs to one operator and is recomputed only when its inputs' shapes change: the steady
 * state allocates nothing. Not thread-safe.
 */
final class Broadcast {
  /** Inner kind: A and B both contiguous. */
  static final int BOTH = 0;
  /** Inner kind: A contiguous, one element of B repeated. */
  static final int B_REPEATED = 1;
  /** Inner kind: one element of A repeated, B contiguous. */
  static final int A_REPEATED = 2;

  private static final int HAS_A = 1;
  private static final int HAS_B = 2;

  // The shapes the plan was made for (null: none yet), so that an unchanged shape costs no work.
  private long[] aDimsSeen;
  private long[] bDimsSeen;
  private boolean legacySeen;
  private int axisSeen;

  private long[] cDims = new long[0];
  private int aSize;
  private int bSize;
  private int cSize;
  private int rows;
  private int inner;
  private int kind;
  private int outerRank;
  private int[] outerSize = new int[0];
  private int[] aStride = new int[0];
  private int[] bStride = new int[0];

  // The odometer over the rows.
  private int[] counter = new int[0];
  private int aOffset;
  private int bOffset;

  /** Plans NumPy broadcasting of A with B; a {@link ShapeException} when the shapes do not broadcast. */
  Broadcast numpy(Tensor a, Tensor b) {
    if (!legacySeen && aDimsSeen != null && a.hasDims(aDimsSeen) && b.hasDims(bDimsSeen)) {
      return this;
    }
    long[] ad = a.dims();
    long[] bd = b.dims();
    long[] cd = numpyDims(ad, bd);
    plan(ad, bd, cd);
    remember(ad, bd, false, -1);
    return this;
  }

  /**
   * Plans Caffe2's legacy broadcasting ({@code broadcast: 1}) of B over A with {@code axis} (-1: B's dims are
   * A's last dims). C has A's shape.
   */
  Broadcast legacy(Tensor a, Tensor b, int axis) {
    if (legacySeen && axisSeen == axis && aDimsSeen != null && a.hasDims(aDimsSeen) && b.hasDims(bDimsSeen)) {
      return this;
    }
    long[] ad = a.dims();
    long[] bd = b.dims();
    long[] sizes = legacySizes(ad, bd, axis);
    if (sizes == null) {
      // B has one element: A is one run of all its elements, B is repeated over it.
      plan(new long[] {Shapes.elementCount(ad)}, new long[] {1}, ad);
    } else {
      plan(new long[] {sizes[0], sizes[1], sizes[2]}, new long[] {sizes[1], 1}, ad);
    }
    remember(ad, bd, true, axis);
    return this;
  }

  private void remember(long[] ad, long[] bd, boolean legacy, int axis) {
    aDimsSeen = ad;
    bDimsSeen = bd;
    legacySeen = legacy;
    axisSeen = axis;
  }

  /**
   * C's dims under NumPy broadcasting (Caffe2's ComputeBinaryBroadcastForwardDims), or a
   * {@link ShapeException} naming both shapes.
   */
  static long[] numpyDims(long[] a, long[] b) {
    int nd = Math.max(a.length, b.length);
    long[] c = new long[nd];
    for (int k = nd - 1, i = a.length - 1, j = b.length - 1; k >= 0; k--, i--, j--) {
      long x = i >= 0 ? a[i] : 1;
      long y = j >= 0 ? b[j] : 1;
      if (x != y && x != 1 && y != 1) {
        throw new ShapeException("shapes " + Shapes.format(a) + " and " + Shapes.format(b)
            + " do not broadcast: at axis " + (k - nd) + " (from the end) they have " + x + " and " + y
            + "; aligned from the right, each pair of dims must be equal or one of them 1");
      }
      c[k] = x == 0 || y == 0 ? 0 : Math.max(x, y);
    }
    return c;
  }

  /**
   * Caffe2's ComputeLegacyBroadcastSizes: {pre, n, post} such that A is [pre, n, post] and B is [n]; null when
   * B has exactly one element (any shape), which broadcasts over all of A.
   */
  static long[] legacySizes(long[] a, long[] b, int axis) {
    if (Shapes.elementCount(b) == 1) {
      return null;
    }
    if (a.length < b.length) {
      throw new ShapeException("with broadcast: 1, B " + Shapes.format(b) + " must have at most as many dims as A "
          + Shapes.format(a));
    }
    int start = axis == -1 ? a.length - b.length : axis;
    if (start < 0 || start > a.length - b.length) {
      throw new ShapeException("broadcast axis must be in [0, " + (a.length - b.length) + "] (A's rank minus B's)"
          + " or -1, got " + axis + " for A " + Shapes.format(a) + " and B " + Shapes.format(b));
    }
    int first = 0;
    while (first < b.length && b[first] == 1) {
      first++;
    }
    int last = b.length - 1;
    while (last >= first && b[last] == 1) {
      last--;
    }
    long pre = 1;
    long n = 1;
    long post = 1;
    for (int i = 0; i < start + first; i++) {
      pre *= a[i];
    }
    for (int i = first; i <= last; i++) {
      if (a[i + start] != b[i]) {
        throw new ShapeException("B " + Shapes.format(b) + " does not match A " + Shapes.format(a) + " at axis "
            + start + ": B's dim " + i + " is " + b[i] + " but A's dim " + (i + start) + " is " + a[i + start]
            + " (with broadcast: 1, B's dims must equal A's dims from the axis on)");
      }
      n *= b[i];
    }
    for (int i = start + last + 1; i < a.length; i++) {
      post *= a[i];
    }
    return new long[] {pre, n, post};
  }

  /**
   * Makes the plan for A and B (dims as the broadcast sees them) and C's dims {@code outDims} (C's element count
   * is the product of the broadcast dims; outDims is what the output tensor is given).
   */
  private void plan(long[] ad, long[] bd, long[] outDims) {
    long[] cd = numpyDims(ad, bd);
    Shapes.checkedElementCount(cd);
    int nd = cd.length;
    // Collapse: drop dims of size 1 in C; merge neighbours with the same presence pattern.
    long[] sizes = new long[Math.max(nd, 1)];
    int[] patterns = new int[Math.max(nd, 1)];
    int m = 0;
    for (int k = 0; k < nd; k++) {
      if (cd[k] == 1) {
        continue;
      }
      long x = k - (nd - ad.length) >= 0 ? ad[k - (nd - ad.length)] : 1;
      long y = k - (nd - bd.length) >= 0 ? bd[k - (nd - bd.length)] : 1;
      int p = (x != 1 ? HAS_A : 0) | (y != 1 ? HAS_B : 0);
      if (m > 0 && patterns[m - 1] == p) {
        sizes[m - 1] *= cd[k];
      } else {
        sizes[m] = cd[k];
        patterns[m] = p;
        m++;
      }
    }
    if (m == 0) {
      // Every dim of C is 1 (or C is 0-d): one row of one element.
      sizes[0] = 1;
      patterns[0] = HAS_A | HAS_B;
      m = 1;
    }
    this.cDims = outDims.clone();
    this.aSize = Shapes.checkedElementCount(ad);
    this.bSize = Shapes.checkedElementCount(bd);
    this.cSize = Shapes.checkedElementCount(cd);
    this.inner = (int) sizes[m - 1];
    int last = patterns[m - 1];
    this.kind = last == (HAS_A | HAS_B) ? BOTH : last == HAS_A ? B_REPEATED : A_REPEATED;
    this.outerRank = m - 1;
    this.outerSize = new int[outerRank];
    this.aStride = new int[outerRank];
    this.bStride = new int[outerRank];
    this.counter = new int[outerRank];
    long aRun = (last & HAS_A) != 0 ? inner : 1;
    long bRun = (last & HAS_B) != 0 ? inner : 1;
    long rowCount = 1;
    for (int k = outerRank - 1; k >= 0; k--) {
      outerSize[k] = (int) sizes[k];
      aStride[k] = (patterns[k] & HAS_A) != 0 ? (int) aRun : 0;
      bStride[k] = (patterns[k] & HAS_B) != 0 ? (int) bRun : 0;
      if ((patterns[k] & HAS_A) != 0) {
        aRun *= sizes[k];
      }
      if ((patterns[k] & HAS_B) != 0) {
        bRun *= sizes[k];
      }
      rowCount *= sizes[k];
    }
    this.rows = cSize == 0 ? 0 : (int) rowCount;
  }

  /** C's dims (A's dims in legacy mode). */
  long[] cDims() {
    return cDims;
  }

  /** True if the output tensor already has C's dims (no allocation). */
  boolean hasCDims(Tensor t) {
    return t.hasDims(cDims);
  }

  /** Elements of A. */
  int aSize() {
    return aSize;
  }

  /** Elements of B. */
  int bSize() {
    return bSize;
  }

  /** Elements of C. */
  int cSize() {
    return cSize;
  }

  /** True if A and B have the same number of elements as C: every loop is one row, both contiguous. */
  boolean sameSize() {
    return aSize == cSize && bSize == cSize;
  }

  /** The number of rows (0 when C is empty). */
  int rows() {
    return rows;
  }

  /** The length of one row; C's row r starts at {@code r * inner()}. */
  int inner() {
    return inner;
  }

  /** {@link #BOTH}, {@link #B_REPEATED} or {@link #A_REPEATED}. */
  int kind() {
    return kind;
  }

  /** Puts the odometer on row 0. */
  void start() {
    Arrays.fill(counter, 0);
    aOffset = 0;
    bOffset = 0;
  }

  /** Where the current row starts in A. */
  int aOffset() {
    return aOffset;
  }

  /** Where the current row starts in B. */
  int bOffset() {
    return bOffset;
  }

  /** Moves the odometer to the next row. */
  void next() {
    for (int k = outerRank - 1; k >= 0; k--) {
      aOffset += aStride[k];
      bOffset += bStride[k];
      if (++counter[k] < outerSize[k]) {
        return;
      }
      aOffset -= aStride[k] * outerSize[k];
      bOffset -= bStride[k] * outerSize[k];
      counter[k] = 0;
    }
  }
}
