package dev.zerog.ops.conv;

import java.util.Arrays;

/**
 * The loops of MaxPool, AveragePool and their gradients over a {@link Window} (1 to 3 spatial axes as three),
 * NCHW and NHWC, FLOAT and DOUBLE. A window is clipped to the image: the padding never wins a maximum and, unless
 * {@code count_include_pad}, does not count in an average. Nothing is allocated.
 */
final class PoolKernels {
  private PoolKernels() {}

  /** True for a window over 1 or 2 spatial axes (the depth axis of size 1). */
  static boolean isPlanar(Window w) {
    return w.in[0] == 1 && w.out[0] == 1 && w.kernel[0] == 1;
  }

  /**
   * Max pooling of {@link #isPlanar} NCHW planes [p0, p1), one output row at a time and one tap (kh, kw) at a time
   * over the whole row: y[ow] = max(y[ow], x[h, ow · stride - pad + kw]) for the outputs whose tap is inside the
   * image. The inner loop runs along the output row, rather than over a window of a few taps, which is what
   * makes it fast: short loops cost more than their work. The same maximum as window by window (max is exact and
   * NaN wins in any order); a window wholly in the padding gives 0.
   */
  static void maxPlanes(float[] x, float[] y, int p0, int p1, Window w) {
    final int inH = w.in[1];
    final int inW = w.in[2];
    final int outH = w.out[1];
    final int outW = w.out[2];
    final int inSize = inH * inW;
    final int outSize = outH * outW;
    for (int p = p0; p < p1; p++) {
      final int xp = p * inSize;
      for (int oh = 0; oh < outH; oh++) {
        final int row = p * outSize + oh * outW;
        Arrays.fill(y, row, row + outW, Float.NEGATIVE_INFINITY);
        final int h0 = oh * w.stride[1] - w.padHead[1];
        final int hLo = Math.max(h0, 0);
        final int hHi = Math.min(h0 + w.kernel[1], inH);
        for (int h = hLo; h < hHi; h++) {
          final int xrow = xp + h * inW;
          for (int kw = 0; kw < w.kernel[2]; kw++) {
            final int off = kw - w.padHead[2];
            final int lo = Math.min(Window.firstValid(off, w.stride[2]), outW);
            final int hi = Math.max(Window.endValid(off, w.stride[2], inW, outW), lo);
            final int sw = w.stride[2];
            final int base = xrow + off;
            for (int ow = lo; ow < hi; ow++) {
              y[row + ow] = Math.max(y[row + ow], x[base + ow * sw]);
            }
          }
        }
        if (hLo >= hHi) {
          Arrays.fill(y, row, row + outW, 0f);
          continue;
        }
        for (int ow = 0; ow < outW; ow++) {
          if (y[row + ow] == Float.NEGATIVE_INFINITY && isEmptyColumn(ow, w)) {
            y[row + ow] = 0f;
          }
        }
      }
    }
  }

  /** True when output column {@code ow}'s window has no tap inside the image (it lies in the padding). */
  private static boolean isEmptyColumn(int ow, Window w) {
    int w0 = ow * w.stride[2] - w.padHead[2];
    return Math.max(w0, 0) >= Math.min(w0 + w.kernel[2], w.in[2]);
  }

  /**
   * The gradient of {@link #maxPlanes} over planes [p0, p1), into dx (overwritten), in the same order: every input
   * equal to its window's maximum gets the window's gradient (every one of them on a tie, as in Caffe2).
   */
  static void maxPlanesGradient(float[] x, float[] y, float[] dy, float[] dx, int p0, int p1, Window w) {
    final int inH = w.in[1];
    final int inW = w.in[2];
    final int outH = w.out[1];
    final int outW = w.out[2];
    final int inSize = inH * inW;
    final int outSize = outH * outW;
    Arrays.fill(dx, p0 * inSize, p1 * inSize, 0f);
    for (int p = p0; p < p1; p++) {
      final int xp = p * inSize;
      for (int oh = 0; oh < outH; oh++) {
        final int row = p * outSize + oh * outW;
        final int h0 = oh * w.stride[1] - w.padHead[1];
        final int hLo = Math.max(h0, 0);
        final int hHi = Math.min(h0 + w.kernel[1], inH);
        for (int h = hLo; h < hHi; h++) {
          final int xrow = xp + h * inW;
          for (int kw = 0; kw < w.kernel[2]; kw++) {
            final int off = kw - w.padHead[2];
            final int lo = Math.min(Window.firstValid(off, w.stride[2]), outW);
            final int hi = Math.max(Window.endValid(off, w.stride[2], inW, outW), lo);
            final int sw = w.stride[2];
            final int base = xrow + off;
            for (int ow = lo; ow < hi; ow++) {
              final int i = base + ow * sw;
              if (x[i] == y[row + ow]) {
                dx[i] += dy[row + ow];
              }
            }
          }
        }
      }
    }
  }

  // ---- float ----

  /** Max or average pooling of the (image, channel) planes [p0, p1) of an NCHW tensor. */
  static void forwardNchw(float[] x, float[] y, int p0, int p1, Window w, boolean max, boolean countPad) {
    if (max && isPlanar(w)) {
      maxPlanes(x, y, p0, p1, w);
      return;
    }
    final int inD = w.in[0];
    final int inH = w.in[1];
    final int inW = w.in[2];
    final int inSize = w.inSize();
    final int outSize = w.outSize();
    final int full = w.kernelSize();
    for (int p = p0; p < p1; p++) {
      final int xp = p * inSize;
      int yi = p * outSize;
      for (int od = 0; od < w.out[0]; od++) {
        final int d0 = od * w.stride[0] - w.padHead[0];
        final int dLo = Math.max(d0, 0);
        final int dHi = Math.min(d0 + w.kernel[0], inD);
        for (int oh = 0; oh < w.out[1]; oh++) {
          final int h0 = oh * w.stride[1] - w.padHead[1];
          final int hLo = Math.max(h0, 0);
          final int hHi = Math.min(h0 + w.kernel[1], inH);
          for (int ow = 0; ow < w.out[2]; ow++) {
            final int w0 = ow * w.stride[2] - w.padHead[2];
            final int wLo = Math.max(w0, 0);
            final int wHi = Math.min(w0 + w.kernel[2], inW);
            if (max) {
              float m = Float.NEGATIVE_INFINITY;
              for (int d = dLo; d < dHi; d++) {
                for (int h = hLo; h < hHi; h++) {
                  final int row = xp + (d * inH + h) * inW;
                  for (int i = row + wLo; i < row + wHi; i++) {
                    m = Math.max(m, x[i]);
                  }
                }
              }
              y[yi++] = m == Float.NEGATIVE_INFINITY && (dLo >= dHi || hLo >= hHi || wLo >= wHi) ? 0f : m;
            } else {
              double s = 0;
              for (int d = dLo; d < dHi; d++) {
                for (int h = hLo; h < hHi; h++) {
                  final int row = xp + (d * inH + h) * inW;
                  for (int i = row + wLo; i < row + wHi; i++) {
                    s += x[i];
                  }
                }
              }
              int count = countPad ? full : Math.max(0, dHi - dLo) * Math.max(0, hHi - hLo) * Math.max(0, wHi - wLo);
              y[yi++] = count == 0 ? 0f : (float) (s / count);
            }
          }
        }
      }
    }
  }

  /** Max or average pooling of an NHWC tensor: each window reduces whole channel rows at once. */
  static void forwardNhwc(float[] x, float[] y, int images, int channels, Window w, boolean max, boolean countPad) {
    final int inD = w.in[0];
    final int inH = w.in[1];
    final int inW = w.in[2];
    final int inSize = w.inSize();
    final int outSize = w.outSize();
    final int full = w.kernelSize();
    for (int n = 0; n < images; n++) {
      final int xn = n * inSize * channels;
      int yi = n * outSize * channels;
      for (int od = 0; od < w.out[0]; od++) {
        final int d0 = od * w.stride[0] - w.padHead[0];
        final int dLo = Math.max(d0, 0);
        final int dHi = Math.min(d0 + w.kernel[0], inD);
        for (int oh = 0; oh < w.out[1]; oh++) {
          final int h0 = oh * w.stride[1] - w.padHead[1];
          final int hLo = Math.max(h0, 0);
          final int hHi = Math.min(h0 + w.kernel[1], inH);
          for (int ow = 0; ow < w.out[2]; ow++) {
            final int w0 = ow * w.stride[2] - w.padHead[2];
            final int wLo = Math.max(w0, 0);
            final int wHi = Math.min(w0 + w.kernel[2], inW);
            final int count = Math.max(0, dHi - dLo) * Math.max(0, hHi - hLo) * Math.max(0, wHi - wLo);
            Arrays.fill(y, yi, yi + channels, max && count > 0 ? Float.NEGATIVE_INFINITY : 0f);
            for (int d = dLo; d < dHi; d++) {
              for (int h = hLo; h < hHi; h++) {
                for (int ww = wLo; ww < wHi; ww++) {
                  final int xi = xn + ((d * inH + h) * inW + ww) * channels;
                  if (max) {
                    for (int c = 0; c < channels; c++) {
                      y[yi + c] = Math.max(y[yi + c], x[xi + c]);
                    }
                  } else {
                    for (int c = 0; c < channels; c++) {
                      y[yi + c] += x[xi + c];
                    }
                  }
                }
              }
            }
            if (!max) {
              int div = countPad ? full : count;
              if (div > 0) {
                final float inv = 1f / div;
                for (int c = 0; c < channels; c++) {
                  y[yi + c] *= inv;
                }
              }
            }
            yi += channels;
          }
        }
      }
    }
  }

  /**
   * The gradient of max or average pooling, NCHW, into dx (overwritten). Max: every input equal to its window's
   * maximum receives that window's gradient (all of them on a tie, as in Caffe2). Average: every input of a
   * window receives the window's gradient divided by the window's count. Covers the planes [p0, p1), whose dx
   * only their own windows write.
   */
  static void backwardNchw(float[] x, float[] y, float[] dy, float[] dx, int p0, int p1, Window w, boolean max,
      boolean countPad) {
    if (max && isPlanar(w)) {
      maxPlanesGradient(x, y, dy, dx, p0, p1, w);
      return;
    }
    final int inD = w.in[0];
    final int inH = w.in[1];
    final int inW = w.in[2];
    final int inSize = w.inSize();
    final int outSize = w.outSize();
    final int full = w.kernelSize();
    Arrays.fill(dx, p0 * inSize, p1 * inSize, 0f);
    for (int p = p0; p < p1; p++) {
      final int xp = p * inSize;
      int yi = p * outSize;
      for (int od = 0; od < w.out[0]; od++) {
        final int d0 = od * w.stride[0] - w.padHead[0];
        final int dLo = Math.max(d0, 0);
        final int dHi = Math.min(d0 + w.kernel[0], inD);
        for (int oh = 0; oh < w.out[1]; oh++) {
          final int h0 = oh * w.stride[1] - w.padHead[1];
          final int hLo = Math.max(h0, 0);
          final int hHi = Math.min(h0 + w.kernel[1], inH);
          for (int ow = 0; ow < w.out[2]; ow++, yi++) {
            final int w0 = ow * w.stride[2] - w.padHead[2];
            final int wLo = Math.max(w0, 0);
            final int wHi = Math.min(w0 + w.kernel[2], inW);
            final float g = dy[yi];
            if (max) {
              final float m = y[yi];
              for (int d = dLo; d < dHi; d++) {
                for (int h = hLo; h < hHi; h++) {
                  final int row = xp + (d * inH + h) * inW;
                  for (int i = row + wLo; i < row + wHi; i++) {
                    if (x[i] == m) {
                      dx[i] += g;
                    }
                  }
                }
              }
            } else {
              int count = countPad ? full : Math.max(0, dHi - dLo) * Math.max(0, hHi - hLo) * Math.max(0, wHi - wLo);
              if (count == 0) {
                continue;
              }
              final float share = g / count;
              for (int d = dLo; d < dHi; d++) {
                for (int h = hLo; h < hHi; h++) {
                  final int row = xp + (d * inH + h) * inW;
                  for (int i = row + wLo; i < row + wHi; i++) {
                    dx[i] += share;
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  /** The gradient of max or average pooling, NHWC, into dx (overwritten); as {@link #backwardNchw}. */
  static void backwardNhwc(float[] x, float[] y, float[] dy, float[] dx, int images, int channels, Window w,
      boolean max, boolean countPad) {
    final int inD = w.in[0];
    final int inH = w.in[1];
    final int inW = w.in[2];
    final int inSize = w.inSize();
    final int outSize = w.outSize();
    final int full = w.kernelSize();
    Arrays.fill(dx, 0, images * inSize * channels, 0f);
    for (int n = 0; n < images; n++) {
      final int xn = n * inSize * channels;
      int yi = n * outSize * channels;
      for (int od = 0; od < w.out[0]; od++) {
        final int d0 = od * w.stride[0] - w.padHead[0];
        final int dLo = Math.max(d0, 0);
        final int dHi = Math.min(d0 + w.kernel[0], inD);
        for (int oh = 0; oh < w.out[1]; oh++) {
          final int h0 = oh * w.stride[1] - w.padHead[1];
          final int hLo = Math.max(h0, 0);
          final int hHi = Math.min(h0 + w.kernel[1], inH);
          for (int ow = 0; ow < w.out[2]; ow++, yi += channels) {
            final int w0 = ow * w.stride[2] - w.padHead[2];
            final int wLo = Math.max(w0, 0);
            final int wHi = Math.min(w0 + w.kernel[2], inW);
            final int count = Math.max(0, dHi - dLo) * Math.max(0, hHi - hLo) * Math.max(0, wHi - wLo);
            final int div = countPad ? full : count;
            if (!max && div == 0) {
              continue;
            }
            final float scale = max ? 1f : 1f / div;
            for (int d = dLo; d < dHi; d++) {
              for (int h = hLo; h < hHi; h++) {
                for (int ww = wLo; ww < wHi; ww++) {
                  final int xi = xn + ((d * inH + h) * inW + ww) * channels;
                  if (max) {
                    for (int c = 0; c < channels; c++) {
                      if (x[xi + c] == y[yi + c]) {
                        dx[xi + c] += dy[yi + c];
                      }
                    }
                  } else {
                    for (int c = 0; c < channels; c++) {
                      dx[xi + c] += dy[yi + c] * scale;
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  // ---- double: the same loops over double[] ----

  /** Max or average pooling of every (image, channel) plane of an NCHW tensor. */
  static void forwardNchw(double[] x, double[] y, int planes, Window w, boolean max, boolean countPad) {
    final int inD = w.in[0];
    final int inH = w.in[1];
    final int inW = w.in[2];
    final int inSize = w.inSize();
    final int outSize = w.outSize();
    final int full = w.kernelSize();
    for (int p = 0; p < planes; p++) {
      final int xp = p * inSize;
      int yi = p * outSize;
      for (int od = 0; od < w.out[0]; od++) {
        final int d0 = od * w.stride[0] - w.padHead[0];
        final int dLo = Math.max(d0, 0);
        final int dHi = Math.min(d0 + w.kernel[0], inD);
        for (int oh = 0; oh < w.out[1]; oh++) {
          final int h0 = oh * w.stride[1] - w.padHead[1];
          final int hLo = Math.max(h0, 0);
          final int hHi = Math.min(h0 + w.kernel[1], inH);
          for (int ow = 0; ow < w.out[2]; ow++) {
            final int w0 = ow * w.stride[2] - w.padHead[2];
            final int wLo = Math.max(w0, 0);
            final int wHi = Math.min(w0 + w.kernel[2], inW);
            if (max) {
              double m = Double.NEGATIVE_INFINITY;
              for (int d = dLo; d < dHi; d++) {
                for (int h = hLo; h < hHi; h++) {
                  final int row = xp + (d * inH + h) * inW;
                  for (int i = row + wLo; i < row + wHi; i++) {
                    m = Math.max(m, x[i]);
                  }
                }
              }
              y[yi++] = m == Double.NEGATIVE_INFINITY && (dLo >= dHi || hLo >= hHi || wLo >= wHi) ? 0d : m;
            } else {
              double s = 0;
              for (int d = dLo; d < dHi; d++) {
                for (int h = hLo; h < hHi; h++) {
                  final int row = xp + (d * inH + h) * inW;
                  for (int i = row + wLo; i < row + wHi; i++) {
                    s += x[i];
                  }
                }
              }
              int count = countPad ? full : Math.max(0, dHi - dLo) * Math.max(0, hHi - hLo) * Math.max(0, wHi - wLo);
              y[yi++] = count == 0 ? 0d : s / count;
            }
          }
        }
      }
    }
  }

  /** Max or average pooling of an NHWC tensor: each window reduces whole channel rows at once. */
  static void forwardNhwc(double[] x, double[] y, int images, int channels, Window w, boolean max, boolean countPad) {
    final int inD = w.in[0];
    final int inH = w.in[1];
    final int inW = w.in[2];
    final int inSize = w.inSize();
    final int outSize = w.outSize();
    final int full = w.kernelSize();
    for (int n = 0; n < images; n++) {
      final int xn = n * inSize * channels;
      int yi = n * outSize * channels;
      for (int od = 0; od < w.out[0]; od++) {
        final int d0 = od * w.stride[0] - w.padHead[0];
        final int dLo = Math.max(d0, 0);
        final int dHi = Math.min(d0 + w.kernel[0], inD);
        for (int oh = 0; oh < w.out[1]; oh++) {
          final int h0 = oh * w.stride[1] - w.padHead[1];
          final int hLo = Math.max(h0, 0);
          final int hHi = Math.min(h0 + w.kernel[1], inH);
          for (int ow = 0; ow < w.out[2]; ow++) {
            final int w0 = ow * w.stride[2] - w.padHead[2];
            final int wLo = Math.max(w0, 0);
            final int wHi = Math.min(w0 + w.kernel[2], inW);
            final int count = Math.max(0, dHi - dLo) * Math.max(0, hHi - hLo) * Math.max(0, wHi - wLo);
            Arrays.fill(y, yi, yi + channels, max && count > 0 ? Double.NEGATIVE_INFINITY : 0d);
            for (int d = dLo; d < dHi; d++) {
              for (int h = hLo; h < hHi; h++) {
                for (int ww = wLo; ww < wHi; ww++) {
                  final int xi = xn + ((d * inH + h) * inW + ww) * channels;
                  if (max) {
                    for (int c = 0; c < channels; c++) {
                      y[yi + c] = Math.max(y[yi + c], x[xi + c]);
                    }
                  } else {
                    for (int c = 0; c < channels; c++) {
                      y[yi + c] += x[xi + c];
                    }
                  }
                }
              }
            }
            if (!max) {
              int div = countPad ? full : count;
              if (div > 0) {
                final double inv = 1d / div;
                for (int c = 0; c < channels; c++) {
                  y[yi + c] *= inv;
                }
              }
            }
            yi += channels;
          }
        }
      }
    }
  }

  /**
   * The gradient of max or average pooling, NCHW, into dx (overwritten). Max: every input equal to its window's
   * maximum receives that window's gradient (all of them on a tie, as in Caffe2). Average: every input of a
   * window receives the window's gradient divided by the window's count.
   */
  static void backwardNchw(double[] x, double[] y, double[] dy, double[] dx, int planes, Window w, boolean max,
      boolean countPad) {
    final int inD = w.in[0];
    final int inH = w.in[1];
    final int inW = w.in[2];
    final int inSize = w.inSize();
    final int outSize = w.outSize();
    final int full = w.kernelSize();
    Arrays.fill(dx, 0, planes * inSize, 0d);
    for (int p = 0; p < planes; p++) {
      final int xp = p * inSize;
      int yi = p * outSize;
      for (int od = 0; od < w.out[0]; od++) {
        final int d0 = od * w.stride[0] - w.padHead[0];
        final int dLo = Math.max(d0, 0);
        final int dHi = Math.min(d0 + w.kernel[0], inD);
        for (int oh = 0; oh < w.out[1]; oh++) {
          final int h0 = oh * w.stride[1] - w.padHead[1];
          final int hLo = Math.max(h0, 0);
          final int hHi = Math.min(h0 + w.kernel[1], inH);
          for (int ow = 0; ow < w.out[2]; ow++, yi++) {
            final int w0 = ow * w.stride[2] - w.padHead[2];
            final int wLo = Math.max(w0, 0);
            final int wHi = Math.min(w0 + w.kernel[2], inW);
            final double g = dy[yi];
            if (max) {
              final double m = y[yi];
              for (int d = dLo; d < dHi; d++) {
                for (int h = hLo; h < hHi; h++) {
                  final int row = xp + (d * inH + h) * inW;
                  for (int i = row + wLo; i < row + wHi; i++) {
                    if (x[i] == m) {
                      dx[i] += g;
                    }
                  }
                }
              }
            } else {
              int count = countPad ? full : Math.max(0, dHi - dLo) * Math.max(0, hHi - hLo) * Math.max(0, wHi - wLo);
              if (count == 0) {
                continue;
              }
              final double share = g / count;
              for (int d = dLo; d < dHi; d++) {
                for (int h = hLo; h < hHi; h++) {
                  final int row = xp + (d * inH + h) * inW;
                  for (int i = row + wLo; i < row + wHi; i++) {
                    dx[i] += share;
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  /** The gradient of max or average pooling, NHWC, into dx (overwritten); as {@link #backwardNchw}. */
  static void backwardNhwc(double[] x, double[] y, double[] dy, double[] dx, int images, int channels, Window w,
      boolean max, boolean countPad) {
    final int inD = w.in[0];
    final int inH = w.in[1];
    final int inW = w.in[2];
    final int inSize = w.inSize();
    final int outSize = w.outSize();
    final int full = w.kernelSize();
    Arrays.fill(dx, 0, images * inSize * channels, 0d);
    for (int n = 0; n < images; n++) {
      final int xn = n * inSize * channels;
      int yi = n * outSize * channels;
      for (int od = 0; od < w.out[0]; od++) {
        final int d0 = od * w.stride[0] - w.padHead[0];
        final int dLo = Math.max(d0, 0);
        final int dHi = Math.min(d0 + w.kernel[0], inD);
        for (int oh = 0; oh < w.out[1]; oh++) {
          final int h0 = oh * w.stride[1] - w.padHead[1];
          final int hLo = Math.max(h0, 0);
          final int hHi = Math.min(h0 + w.kernel[1], inH);
          for (int ow = 0; ow < w.out[2]; ow++, yi += channels) {
            final int w0 = ow * w.stride[2] - w.padHead[2];
            final int wLo = Math.max(w0, 0);
            final int wHi = Math.min(w0 + w.kernel[2], inW);
            final int count = Math.max(0, dHi - dLo) * Math.max(0, hHi - hLo) * Math.max(0, wHi - wLo);
            final int div = countPad ? full : count;
            if (!max && div == 0) {
              continue;
            }
            final double scale = max ? 1d : 1d / div;
            for (int d = dLo; d < dHi; d++) {
              for (int h = hLo; h < hHi; h++) {
                for (int ww = wLo; ww < wHi; ww++) {
                  final int xi = xn + ((d * inH + h) * inW + ww) * channels;
                  if (max) {
                    for (int c = 0; c < channels; c++) {
                      if (x[xi + c] == y[yi + c]) {
                        dx[xi + c] += dy[yi + c];
                      }
                    }
                  } else {
                    for (int c = 0; c < channels; c++) {
                      dx[xi + c] += dy[yi + c] * scale;
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}
