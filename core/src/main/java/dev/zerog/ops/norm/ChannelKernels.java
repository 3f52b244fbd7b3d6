package dev.zerog.ops.norm;

/**
 * SpatialBN's per-channel loops, FLOAT and DOUBLE. A tensor is viewed as [outer, channels, inner]: NCHW is
 * [N, C, spatial], NHWC is [N · spatial, C, 1]. Per-channel statistics and parameters are double arrays.
 */
final class ChannelKernels {
  private ChannelKernels() {}

  // ---- float ----

  /** y = alpha[c] · x + beta[c] for every element of channel c (y may be x). */
  static void affine(float[] x, float[] y, double[] alpha, double[] beta, int outer, int channels, int inner) {
    int p = 0;
    for (int o = 0; o < outer; o++) {
      for (int c = 0; c < channels; c++) {
        final float a = (float) alpha[c];
        final float b = (float) beta[c];
        for (int end = p + inner; p < end; p++) {
          y[p] = a * x[p] + b;
        }
      }
    }
  }

  /** Per-channel mean and biased variance, two passes in double. */
  static void moments(float[] x, double[] mean, double[] var, int outer, int channels, int inner) {
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
  static void scaleBiasGradients(float[] dy, float[] x, double[] mean, double[] rstd, double[] dscale,
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
  static void inputGradient(float[] dy, float[] x, float[] dx, double[] alpha, double[] beta, double[] gamma,
      int outer, int channels, int inner) {
    int p = 0;
    for (int o = 0; o < outer; o++) {
      for (int c = 0; c < channels; c++) {
        final float a = (float) alpha[c];
        final float b = (float) beta[c];
        final float g = (float) gamma[c];
        for (int end = p + inner; p < end; p++) {
          dx[p] = a * dy[p] + b * x[p] + g;
        }
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
