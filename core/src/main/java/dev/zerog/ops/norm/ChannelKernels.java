package dev.zerog.ops.norm;

/**
 * SpatialBN's per-channel loops, FLOAT and DOUBLE. A tensor is viewed as [outer, channels, inner]: NCHW is
 * [N, C, spatial], NHWC is [N · spatial, C, 1]. Per-channel statistics and parameters are double arrays. The FLOAT
 * loops work on a range of channels, planes or rows, which {@link FloatChannelLoops} hands to the kernel threads;
 * the DOUBLE loops cover the whole tensor on the calling thread.
 */
final class ChannelKernels {
  private ChannelKernels() {}

  // ---- float: ranges of channels (the sums) or of planes (the maps), for FloatChannelLoops ----

  /**
   * y = alpha[c] · x + beta[c] over the planes [p0, p1) of [outer · channels] planes of {@code inner} elements
   * (plane p is channel p % channels); y may be x.
   */
  static void affine(float[] x, float[] y, double[] alpha, double[] beta, int channels, int inner, int p0,
      int p1) {
    for (int plane = p0; plane < p1; plane++) {
      final int c = plane % channels;
      final float a = (float) alpha[c];
      final float b = (float) beta[c];
      final int end = (plane + 1) * inner;
      for (int p = plane * inner; p < end; p++) {
        y[p] = a * x[p] + b;
      }
    }
  }

  /** The float partial sums of the channel loops cover at most this many elements before going into double. */
  static final int BLOCK = 256;

  /**
   * Mean and biased variance of the channels [c0, c1), in one pass around a pivot (the channel's first element), so
   * that a mean far from zero does not cancel the variance away. The sums run in float over blocks of
   * {@value #BLOCK} elements, four independent pairs at a time so that no addition waits on the one before, and
   * each block's sums are added up in double.
   */
  static void moments(float[] x, double[] mean, double[] var, int outer, int channels, int inner, int c0,
      int c1) {
    final double count = (double) outer * inner;
    for (int c = c0; c < c1; c++) {
      final float pivot = x[c * inner];
      double sum = 0;
      double squares = 0;
      for (int o = 0; o < outer; o++) {
        final int start = (o * channels + c) * inner;
        for (int p = start, end = start + inner; p < end; ) {
          final int blockEnd = Math.min(end, p + BLOCK);
          float s0 = 0;
          float s1 = 0;
          float s2 = 0;
          float s3 = 0;
          float q0 = 0;
          float q1 = 0;
          float q2 = 0;
          float q3 = 0;
          for (; p + 3 < blockEnd; p += 4) {
            final float d0 = x[p] - pivot;
            final float d1 = x[p + 1] - pivot;
            final float d2 = x[p + 2] - pivot;
            final float d3 = x[p + 3] - pivot;
            s0 += d0;
            s1 += d1;
            s2 += d2;
            s3 += d3;
            q0 += d0 * d0;
            q1 += d1 * d1;
            q2 += d2 * d2;
            q3 += d3 * d3;
          }
          for (; p < blockEnd; p++) {
            final float d = x[p] - pivot;
            s0 += d;
            q0 += d * d;
          }
          sum += (double) s0 + s1 + s2 + s3;
          squares += (double) q0 + q1 + q2 + q3;
        }
      }
      final double shift = sum / count;
      mean[c] = pivot + shift;
      var[c] = Math.max(0, squares / count - shift * shift);
    }
  }

  /** {@link #moments} of NHWC rows [r0, r1) ([rows, channels]), added into the per-channel sums s and q. */
  static void rowMoments(float[] x, double[] pivot, double[] s, double[] q, int channels, int r0, int r1) {
    for (int r = r0; r < r1; r++) {
      final int off = r * channels;
      for (int c = 0; c < channels; c++) {
        final double d = x[off + c] - pivot[c];
        s[c] += d;
        q[c] += d * d;
      }
    }
  }

  /**
   * dbias[c] = Σ dy and dscale[c] = Σ dy · (x - mean[c]) · rstd[c] over the channels [c0, c1): float sums over
   * blocks of {@value #BLOCK} elements, four independent pairs at a time, added up in double.
   */
  static void scaleBiasGradients(float[] dy, float[] x, double[] mean, double[] rstd, double[] dscale,
      double[] dbias, int outer, int channels, int inner, int c0, int c1) {
    for (int c = c0; c < c1; c++) {
      final float m = (float) mean[c];
      final double correction = mean[c] - m;
      double sumG = 0;
      double sumH = 0;
      for (int o = 0; o < outer; o++) {
        final int start = (o * channels + c) * inner;
        for (int p = start, end = start + inner; p < end; ) {
          final int blockEnd = Math.min(end, p + BLOCK);
          float g0 = 0;
          float g1 = 0;
          float g2 = 0;
          float g3 = 0;
          float h0 = 0;
          float h1 = 0;
          float h2 = 0;
          float h3 = 0;
          for (; p + 3 < blockEnd; p += 4) {
            final float d0 = dy[p];
            final float d1 = dy[p + 1];
            final float d2 = dy[p + 2];
            final float d3 = dy[p + 3];
            g0 += d0;
            g1 += d1;
            g2 += d2;
            g3 += d3;
            h0 += d0 * (x[p] - m);
            h1 += d1 * (x[p + 1] - m);
            h2 += d2 * (x[p + 2] - m);
            h3 += d3 * (x[p + 3] - m);
          }
          for (; p < blockEnd; p++) {
            final float d = dy[p];
            g0 += d;
            h0 += d * (x[p] - m);
          }
          sumG += (double) g0 + g1 + g2 + g3;
          sumH += (double) h0 + h1 + h2 + h3;
        }
      }
      // x - mean = (x - m) - (mean - m): the part of the mean that float m drops, added back exactly in double.
      dbias[c] = sumG;
      dscale[c] = (sumH - correction * sumG) * rstd[c];
    }
  }

  /** The sums of {@link #scaleBiasGradients} over NHWC rows [r0, r1), added into dscale (not yet × rstd), dbias. */
  static void rowScaleBiasGradients(float[] dy, float[] x, double[] mean, double[] dscale, double[] dbias,
      int channels, int r0, int r1) {
    for (int r = r0; r < r1; r++) {
      final int off = r * channels;
      for (int c = 0; c < channels; c++) {
        final double d = dy[off + c];
        dbias[c] += d;
        dscale[c] += d * (x[off + c] - mean[c]);
      }
    }
  }

  /** {@link #affine} over NHWC rows [r0, r1) of {@code channels} elements. */
  static void rowAffine(float[] x, float[] y, double[] alpha, double[] beta, int channels, int r0, int r1) {
    for (int r = r0; r < r1; r++) {
      final int off = r * channels;
      for (int c = 0; c < channels; c++) {
        y[off + c] = (float) alpha[c] * x[off + c] + (float) beta[c];
      }
    }
  }

  /** {@link #inputGradient} over NHWC rows [r0, r1) of {@code channels} elements. */
  static void rowInputGradient(float[] dy, float[] x, float[] dx, double[] alpha, double[] beta, double[] gamma,
      int channels, int r0, int r1) {
    for (int r = r0; r < r1; r++) {
      final int off = r * channels;
      for (int c = 0; c < channels; c++) {
        dx[off + c] = (float) alpha[c] * dy[off + c] + (float) beta[c] * x[off + c] + (float) gamma[c];
      }
    }
  }

  /** dx = alpha[c] · dy + beta[c] · x + gamma[c] over the planes [p0, p1), as in {@link #affine}. */
  static void inputGradient(float[] dy, float[] x, float[] dx, double[] alpha, double[] beta, double[] gamma,
      int channels, int inner, int p0, int p1) {
    for (int plane = p0; plane < p1; plane++) {
      final int c = plane % channels;
      final float a = (float) alpha[c];
      final float b = (float) beta[c];
      final float g = (float) gamma[c];
      final int end = (plane + 1) * inner;
      for (int p = plane * inner; p < end; p++) {
        dx[p] = a * dy[p] + b * x[p] + g;
      }
    }
  }

  static void read(float[] from, double[] to, int n) {
    for (int i = 0; i < n; i++) {
      to[i] = from[i];
    }
  }

  static void write(double[] from, float[] to, int n) {
    for (int i = 0; i < n; i++) {
      to[i] = (float) from[i];
    }
  }

  // ---- double: the same loops over double[] ----

  /** y = alpha[c] · x + beta[c] for every element of channel c (y may be x). */
  static void affine(double[] x, double[] y, double[] alpha, double[] beta, int outer, int channels, int inner) {
    int p = 0;
    for (int o = 0; o < outer; o++) {
      for (int c = 0; c < channels; c++) {
        final double a = alpha[c];
        final double b = beta[c];
        for (int end = p + inner; p < end; p++) {
          y[p] = a * x[p] + b;
        }
      }
    }
  }

  /** Per-channel mean and biased variance, two passes in double. */
  static void moments(double[] x, double[] mean, double[] var, int outer, int channels, int inner) {
    java.util.Arrays.fill(mean, 0, channels, 0d);
    java.util.Arrays.fill(var, 0, channels, 0d);
    int p = 0;
    for (int o = 0; o < outer; o++) {
      for (int c = 0; c < channels; c++) {
        double s = 0;
        for (int end = p + inner; p < end; p++) {
          s += x[p];
        }
        mean[c] += s;
      }
    }
    final double count = (double) outer * inner;
    for (int c = 0; c < channels; c++) {
      mean[c] /= count;
    }
    p = 0;
    for (int o = 0; o < outer; o++) {
      for (int c = 0; c < channels; c++) {
        final double m = mean[c];
        double s = 0;
        for (int end = p + inner; p < end; p++) {
          final double d = x[p] - m;
          s += d * d;
        }
        var[c] += s;
      }
    }
    for (int c = 0; c < channels; c++) {
      var[c] /= count;
    }
  }

  /** dbias[c] = Σ dy and dscale[c] = Σ dy · (x - mean[c]) · rstd[c] over channel c, in double. */
  static void scaleBiasGradients(double[] dy, double[] x, double[] mean, double[] rstd, double[] dscale,
      double[] dbias, int outer, int channels, int inner) {
    java.util.Arrays.fill(dscale, 0, channels, 0d);
    java.util.Arrays.fill(dbias, 0, channels, 0d);
    int p = 0;
    for (int o = 0; o < outer; o++) {
      for (int c = 0; c < channels; c++) {
        final double m = mean[c];
        double sg = 0;
        double sgx = 0;
        for (int end = p + inner; p < end; p++) {
          sg += dy[p];
          sgx += dy[p] * (x[p] - m);
        }
        dbias[c] += sg;
        dscale[c] += sgx * rstd[c];
      }
    }
  }

  /** dx = alpha[c] · dy + beta[c] · x + gamma[c] for every element of channel c. */
  static void inputGradient(double[] dy, double[] x, double[] dx, double[] alpha, double[] beta, double[] gamma,
      int outer, int channels, int inner) {
    int p = 0;
    for (int o = 0; o < outer; o++) {
      for (int c = 0; c < channels; c++) {
        final double a = alpha[c];
        final double b = beta[c];
        final double g = gamma[c];
        for (int end = p + inner; p < end; p++) {
          dx[p] = a * dy[p] + b * x[p] + g;
        }
      }
    }
  }

}
