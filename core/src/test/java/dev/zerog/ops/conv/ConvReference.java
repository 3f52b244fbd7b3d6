package dev.zerog.ops.conv;

import dev.zerog.tensor.Tensor;

/**
 * Direct, loop-by-loop reference implementations for the convolution tests (DOUBLE, NCHW, 1 to 3 spatial axes),
 * written from the definitions rather than from the kernels under test, and layout helpers.
 */
final class ConvReference {
  private ConvReference() {}

  /**
   * Y[n, m, o] = b[m] + Σ_{c in m's group} Σ_k W[m, c, k] X[n, g·C/G + c, o·s - ph + k·d] (0 outside X), with
   * the output size floor((in + ph + pt - (d (k - 1) + 1)) / s) + 1.
   */
  static Tensor conv(Tensor x, Tensor w, Tensor b, int[] stride, int[] dilation, int[] pads, int group) {
    long[] xd = x.dims();
    long[] wd = w.dims();
    int sp = xd.length - 2;
    int n = (int) xd[0];
    int c = (int) xd[1];
    int m = (int) wd[0];
    int cg = c / group;
    int mg = m / group;
    int[] in = new int[3];
    int[] k = new int[3];
    int[] s = new int[3];
    int[] d = new int[3];
    int[] ph = new int[3];
    int[] out = new int[3];
    for (int a = 0; a < 3; a++) {
      in[a] = 1;
      k[a] = 1;
      s[a] = 1;
      d[a] = 1;
      out[a] = 1;
    }
    for (int i = 0; i < sp; i++) {
      int a = 3 - sp + i;
      in[a] = (int) xd[2 + i];
      k[a] = (int) wd[2 + i];
      s[a] = stride[i];
      d[a] = dilation[i];
      ph[a] = pads[i];
      out[a] = (in[a] + pads[i] + pads[i + sp] - (d[a] * (k[a] - 1) + 1)) / s[a] + 1;
    }
    long[] yd = new long[sp + 2];
    yd[0] = n;
    yd[1] = m;
    for (int i = 0; i < sp; i++) {
      yd[2 + i] = out[3 - sp + i];
    }
    Tensor y = Tensor.allocate(x.dtype(), yd);
    int inSize = in[0] * in[1] * in[2];
    int outSize = out[0] * out[1] * out[2];
    int kSize = k[0] * k[1] * k[2];
    for (int i = 0; i < n; i++) {
      for (int mm = 0; mm < m; mm++) {
        int g = mm / mg;
        for (int od = 0; od < out[0]; od++) {
          for (int oh = 0; oh < out[1]; oh++) {
            for (int ow = 0; ow < out[2]; ow++) {
              double acc = b == null ? 0 : b.getDouble(mm);
              for (int cc = 0; cc < cg; cc++) {
                int ch = g * cg + cc;
                for (int kd = 0; kd < k[0]; kd++) {
                  int id = od * s[0] - ph[0] + kd * d[0];
                  for (int kh = 0; kh < k[1]; kh++) {
                    int ih = oh * s[1] - ph[1] + kh * d[1];
                    for (int kw = 0; kw < k[2]; kw++) {
                      int iw = ow * s[2] - ph[2] + kw * d[2];
                      if (id < 0 || id >= in[0] || ih < 0 || ih >= in[1] || iw < 0 || iw >= in[2]) {
                        continue;
                      }
                      double xv = x.getDouble((i * c + ch) * inSize + (id * in[1] + ih) * in[2] + iw);
                      double wv = w.getDouble((mm * cg + cc) * kSize + (kd * k[1] + kh) * k[2] + kw);
                      acc += xv * wv;
                    }
                  }
                }
              }
              set(y, (i * m + mm) * outSize + (od * out[1] + oh) * out[2] + ow, acc);
            }
          }
        }
      }
    }
    return y;
  }

  /**
   * The gradients of {@link #conv} by their definition, in DOUBLE: for every output position o and tap k that
   * reads X[n, ch, p] (ch = g·C/G + c, p = o·s - ph + k·d inside X), dW[m, c, k] += dY[n, m, o] · X[n, ch, p] and
   * dX[n, ch, p] += dY[n, m, o] · W[m, c, k]. Returns {dW, dX}, shaped like W and X.
   */
  static Tensor[] convGradients(Tensor x, Tensor w, Tensor dy, int[] stride, int[] dilation, int[] pads,
      int group) {
    long[] xd = x.dims();
    long[] wd = w.dims();
    int sp = xd.length - 2;
    int n = (int) xd[0];
    int c = (int) xd[1];
    int m = (int) wd[0];
    int cg = c / group;
    int mg = m / group;
    int[] in = {1, 1, 1};
    int[] k = {1, 1, 1};
    int[] s = {1, 1, 1};
    int[] d = {1, 1, 1};
    int[] ph = {0, 0, 0};
    int[] out = {1, 1, 1};
    for (int i = 0; i < sp; i++) {
      int a = 3 - sp + i;
      in[a] = (int) xd[2 + i];
      k[a] = (int) wd[2 + i];
      s[a] = stride[i];
      d[a] = dilation[i];
      ph[a] = pads[i];
      out[a] = (in[a] + pads[i] + pads[i + sp] - (d[a] * (k[a] - 1) + 1)) / s[a] + 1;
    }
    int inSize = in[0] * in[1] * in[2];
    int outSize = out[0] * out[1] * out[2];
    int kSize = k[0] * k[1] * k[2];
    double[] dw = new double[w.size()];
    double[] dx = new double[x.size()];
    for (int i = 0; i < n; i++) {
      for (int mm = 0; mm < m; mm++) {
        int g = mm / mg;
        for (int od = 0; od < out[0]; od++) {
          for (int oh = 0; oh < out[1]; oh++) {
            for (int ow = 0; ow < out[2]; ow++) {
              double g0 = dy.getDouble((i * m + mm) * outSize + (od * out[1] + oh) * out[2] + ow);
              for (int cc = 0; cc < cg; cc++) {
                int ch = g * cg + cc;
                for (int kd = 0; kd < k[0]; kd++) {
                  int id = od * s[0] - ph[0] + kd * d[0];
                  for (int kh = 0; kh < k[1]; kh++) {
                    int ih = oh * s[1] - ph[1] + kh * d[1];
                    for (int kw = 0; kw < k[2]; kw++) {
                      int iw = ow * s[2] - ph[2] + kw * d[2];
                      if (id < 0 || id >= in[0] || ih < 0 || ih >= in[1] || iw < 0 || iw >= in[2]) {
                        continue;
                      }
                      int xi = (i * c + ch) * inSize + (id * in[1] + ih) * in[2] + iw;
                      int wi = (mm * cg + cc) * kSize + (kd * k[1] + kh) * k[2] + kw;
                      dw[wi] += g0 * x.getDouble(xi);
                      dx[xi] += g0 * w.getDouble(wi);
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    return new Tensor[] {Tensor.of(dw, wd), Tensor.of(dx, xd)};
  }

  /**
   * The transposed convolution by its definition: every X[n, ci, o] adds X · W[ci, co, k] into
   * Y[n, g·Co/G + co, o·s - ph + k] (dropped outside Y), Y of size (in - 1) s + k + adj - ph - pt; then the bias.
   */
  static Tensor convTranspose(Tensor x, Tensor w, Tensor b, int[] stride, int[] pads, int[] adj, int group) {
    long[] xd = x.dims();
    long[] wd = w.dims();
    int sp = xd.length - 2;
    int n = (int) xd[0];
    int ci = (int) xd[1];
    int cog = (int) wd[1];
    int co = cog * group;
    int cig = ci / group;
    int[] in = {1, 1, 1};
    int[] k = {1, 1, 1};
    int[] s = {1, 1, 1};
    int[] ph = {0, 0, 0};
    int[] out = {1, 1, 1};
    for (int i = 0; i < sp; i++) {
      int a = 3 - sp + i;
      in[a] = (int) xd[2 + i];
      k[a] = (int) wd[2 + i];
      s[a] = stride[i];
      ph[a] = pads[i];
      out[a] = (in[a] - 1) * s[a] + k[a] + adj[i] - pads[i] - pads[i + sp];
    }
    long[] yd = new long[sp + 2];
    yd[0] = n;
    yd[1] = co;
    for (int i = 0; i < sp; i++) {
      yd[2 + i] = out[3 - sp + i];
    }
    Tensor y = Tensor.allocate(x.dtype(), yd);
    int inSize = in[0] * in[1] * in[2];
    int outSize = out[0] * out[1] * out[2];
    int kSize = k[0] * k[1] * k[2];
    double[] acc = new double[y.size()];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < ci; c++) {
        int g = c / cig;
        for (int id = 0; id < in[0]; id++) {
          for (int ih = 0; ih < in[1]; ih++) {
            for (int iw = 0; iw < in[2]; iw++) {
              double xv = x.getDouble((i * ci + c) * inSize + (id * in[1] + ih) * in[2] + iw);
              for (int oc = 0; oc < cog; oc++) {
                for (int kd = 0; kd < k[0]; kd++) {
                  for (int kh = 0; kh < k[1]; kh++) {
                    for (int kw = 0; kw < k[2]; kw++) {
                      int od = id * s[0] - ph[0] + kd;
                      int oh = ih * s[1] - ph[1] + kh;
                      int ow = iw * s[2] - ph[2] + kw;
                      if (od < 0 || od >= out[0] || oh < 0 || oh >= out[1] || ow < 0 || ow >= out[2]) {
                        continue;
                      }
                      double wv = w.getDouble((c * cog + oc) * kSize + (kd * k[1] + kh) * k[2] + kw);
                      acc[(i * co + g * cog + oc) * outSize + (od * out[1] + oh) * out[2] + ow] += xv * wv;
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    for (int j = 0; j < acc.length; j++) {
      double bias = b == null ? 0 : b.getDouble((j / outSize) % co);
      set(y, j, acc[j] + bias);
    }
    return y;
  }

  static void set(Tensor t, int i, double v) {
    if (t.dtype() == dev.zerog.tensor.DataType.FLOAT) {
      t.floats()[i] = (float) v;
    } else {
      t.doubles()[i] = v;
    }
  }

  /** The same tensor with its axis 1 moved last (NCHW to NHWC; for W, [M, C, k...] to [M, k..., C]). */
  static Tensor channelsLast(Tensor t) {
    long[] d = t.dims();
    int r = d.length;
    long[] nd = new long[r];
    nd[0] = d[0];
    for (int i = 2; i < r; i++) {
      nd[i - 1] = d[i];
    }
    nd[r - 1] = d[1];
    Tensor out = Tensor.allocate(t.dtype(), nd);
    int n = (int) d[0];
    int c = (int) d[1];
    int s = t.size() / Math.max(1, n * c);
    for (int i = 0; i < n; i++) {
      for (int ch = 0; ch < c; ch++) {
        for (int p = 0; p < s; p++) {
          set(out, (i * s + p) * c + ch, t.getDouble((i * c + ch) * s + p));
        }
      }
    }
    return out;
  }

  /** The inverse of {@link #channelsLast}. */
  static Tensor channelsFirst(Tensor t) {
    long[] d = t.dims();
    int r = d.length;
    long[] nd = new long[r];
    nd[0] = d[0];
    nd[1] = d[r - 1];
    for (int i = 1; i < r - 1; i++) {
      nd[i + 1] = d[i];
    }
    Tensor out = Tensor.allocate(t.dtype(), nd);
    int n = (int) d[0];
    int c = (int) d[r - 1];
    int s = t.size() / Math.max(1, n * c);
    for (int i = 0; i < n; i++) {
      for (int ch = 0; ch < c; ch++) {
        for (int p = 0; p < s; p++) {
          set(out, (i * c + ch) * s + p, t.getDouble((i * s + p) * c + ch));
        }
      }
    }
    return out;
  }

  /** The largest absolute difference between two tensors of equal size. */
  static double maxDiff(Tensor a, Tensor b) {
    double worst = 0;
    for (int i = 0; i < a.size(); i++) {
      worst = Math.max(worst, Math.abs(a.getDouble(i) - b.getDouble(i)));
    }
    return worst;
  }
}
