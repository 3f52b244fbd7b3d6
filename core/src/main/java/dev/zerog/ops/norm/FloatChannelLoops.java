package dev.zerog.ops.norm;

import dev.zerog.op.KernelThreads;
import java.util.Arrays;

/**
 * SpatialBN's FLOAT loops ({@link ChannelKernels}) over a tensor viewed as [outer, channels, inner], split across
 * the {@link KernelThreads}: the per-channel sums by ranges of channels, the maps by ranges of planes (NCHW) or rows
 * (NHWC). Each channel's sums are computed by one thread in one fixed order, so the results do not depend on the
 * number of threads; NHWC sums, which every row adds to, stay on the calling thread. One instance per operator; it
 * keeps the arrays of the current call in fields for its loop bodies, and allocates nothing per call.
 */
final class FloatChannelLoops {
  /** A piece of a split loop covers at least this many elements. */
  static final int PIECE = 1 << 15;

  private float[] x;
  private float[] y;
  private float[] dy;
  private double[] a;
  private double[] b;
  private double[] g;
  private double[] mean;
  private double[] var;
  private double[] dscale;
  private double[] dbias;
  private int outer;
  private int channels;
  private int inner;
  /** NHWC moments: each channel's pivot and sum of squares. */
  private double[] pivots = new double[0];
  private double[] squares = new double[0];

  private final KernelThreads.Body momentsLoop =
      (c0, c1) -> ChannelKernels.moments(x, mean, var, outer, channels, inner, c0, c1);
  private final KernelThreads.Body affineLoop =
      (p0, p1) -> ChannelKernels.affine(x, y, a, b, channels, inner, p0, p1);
  private final KernelThreads.Body rowAffineLoop =
      (r0, r1) -> ChannelKernels.rowAffine(x, y, a, b, channels, r0, r1);
  private final KernelThreads.Body sumsLoop =
      (c0, c1) -> ChannelKernels.scaleBiasGradients(dy, x, mean, var, dscale, dbias, outer, channels, inner, c0, c1);
  private final KernelThreads.Body inputGradientLoop =
      (p0, p1) -> ChannelKernels.inputGradient(dy, x, y, a, b, g, channels, inner, p0, p1);
  private final KernelThreads.Body rowInputGradientLoop =
      (r0, r1) -> ChannelKernels.rowInputGradient(dy, x, y, a, b, g, channels, r0, r1);

  private void view(int outer, int channels, int inner) {
    this.outer = outer;
    this.channels = channels;
    this.inner = inner;
  }

  private void clear() {
    x = null;
    y = null;
    dy = null;
    a = null;
    b = null;
    g = null;
    mean = null;
    var = null;
    dscale = null;
    dbias = null;
  }

  /** Per-channel mean and biased variance of x ({@code outer · inner} > 0 elements per channel). */
  void moments(float[] x, double[] mean, double[] var, int outer, int channels, int inner) {
    if (inner == 1) {
      // NHWC: every row adds to every channel, so the sums stay on this thread; the first row is the pivot.
      if (pivots.length < channels) {
        pivots = new double[channels];
        squares = new double[channels];
      }
      for (int c = 0; c < channels; c++) {
        pivots[c] = x[c];
      }
      Arrays.fill(mean, 0, channels, 0d);
      Arrays.fill(squares, 0, channels, 0d);
      ChannelKernels.rowMoments(x, pivots, mean, squares, channels, 0, outer);
      for (int c = 0; c < channels; c++) {
        double shift = mean[c] / outer;
        mean[c] = pivots[c] + shift;
        var[c] = Math.max(0, squares[c] / outer - shift * shift);
      }
      return;
    }
    view(outer, channels, inner);
    this.x = x;
    this.mean = mean;
    this.var = var;
    try {
      KernelThreads.forRange(channels, perPiece((long) outer * inner), momentsLoop);
    } finally {
      clear();
    }
  }

  /** y = alpha[c] · x + beta[c] for every element of channel c; y may be x. */
  void affine(float[] x, float[] y, double[] alpha, double[] beta, int outer, int channels, int inner) {
    view(outer, channels, inner);
    this.x = x;
    this.y = y;
    this.a = alpha;
    this.b = beta;
    try {
      if (inner == 1) {
        KernelThreads.forRange(outer, perPiece(channels), rowAffineLoop);
      } else {
        KernelThreads.forRange(outer * channels, perPiece(inner), affineLoop);
      }
    } finally {
      clear();
    }
  }

  /** dbias[c] = Σ dy and dscale[c] = Σ dy · (x - mean[c]) · rstd[c] over channel c, in double. */
  void scaleBiasGradients(float[] dy, float[] x, double[] mean, double[] rstd, double[] dscale, double[] dbias,
      int outer, int channels, int inner) {
    if (inner == 1) {
      Arrays.fill(dscale, 0, channels, 0d);
      Arrays.fill(dbias, 0, channels, 0d);
      ChannelKernels.rowScaleBiasGradients(dy, x, mean, dscale, dbias, channels, 0, outer);
      for (int c = 0; c < channels; c++) {
        dscale[c] *= rstd[c];
      }
      return;
    }
    view(outer, channels, inner);
    this.dy = dy;
    this.x = x;
    this.mean = mean;
    this.var = rstd;
    this.dscale = dscale;
    this.dbias = dbias;
    try {
      KernelThreads.forRange(channels, perPiece((long) outer * inner), sumsLoop);
    } finally {
      clear();
    }
  }

  /** dx = alpha[c] · dy + beta[c] · x + gamma[c] for every element of channel c. */
  void inputGradient(float[] dy, float[] x, float[] dx, double[] alpha, double[] beta, double[] gamma, int outer,
      int channels, int inner) {
    view(outer, channels, inner);
    this.dy = dy;
    this.x = x;
    this.y = dx;
    this.a = alpha;
    this.b = beta;
    this.g = gamma;
    try {
      if (inner == 1) {
        KernelThreads.forRange(outer, perPiece(channels), rowInputGradientLoop);
      } else {
        KernelThreads.forRange(outer * channels, perPiece(inner), inputGradientLoop);
      }
    } finally {
      clear();
    }
  }

  /** How many units of {@code unitSize} elements make a piece of at least {@link #PIECE} elements. */
  private static int perPiece(long unitSize) {
    return (int) Math.max(1, PIECE / Math.max(1, unitSize));
  }
}
