package dev.zerog.ops.conv;

import java.util.Arrays;

/**
 * im2col and its inverse for convolutions: lays out the input taps of every output position as the columns
 * (NCHW) or rows (NHWC) of a matrix, so that a convolution becomes one matrix product per group, and scatters
 * such a matrix back into an image, adding. Geometry comes from a {@link Window} (1 to 3 spatial axes as three).
 * One loop nest per order and element type; rows are copied with {@code System.arraycopy} where contiguous, and
 * nothing is allocated.
 */
final class Im2Col {
  private Im2Col() {}

  /**
   * True when every im2col row of a 2-D plane is the input plane shifted: stride 1 along H and W and an output as
   * wide as the input (a "same" window, such as 3×3 with pad 1). Then the valid part of a row (c, kd, kh, kw) is
   * one contiguous run of the input plane, copied at once rather than output row by output row, and only the
   * output columns whose tap falls outside the image at the left or right need fixing. Small planes (7×7, 14×14)
   * gain most: a short copy per output row costs more than the copying.
   */
  static boolean isShiftedPlane(Window w) {
    return w.stride[1] == 1 && w.stride[2] == 1 && w.in[2] == w.out[2] && w.in[1] >= 1 && w.out[2] >= 1;
  }

  /** {@link #nchw} for {@link #isShiftedPlane} windows. */
  private static void shiftedPlanes(float[] x, int xOff, int channels, Window w, float[] col, int colOff, int ld) {
    final int inD = w.in[0];
    final int inH = w.in[1];
    final int width = w.in[2];
    final int outD = w.out[0];
    final int outH = w.out[1];
    final int plane = outH * width;
    final int planeOut = outD * plane;
    int dst = colOff;
    for (int c = 0; c < channels; c++) {
      final int xc = xOff + c * inD * inH * width;
      for (int kd = 0; kd < w.kernel[0]; kd++) {
        final int offD = kd * w.dilation[0] - w.padHead[0];
        final int dLo = Window.firstValid(offD, w.stride[0]);
        final int dHi = Window.endValid(offD, w.stride[0], inD, outD);
        for (int kh = 0; kh < w.kernel[1]; kh++) {
          final int offH = kh * w.dilation[1] - w.padHead[1];
          final int hLo = Math.min(Window.firstValid(offH, 1), outH);
          final int hHi = Math.max(Window.endValid(offH, 1, inH, outH), hLo);
          for (int kw = 0; kw < w.kernel[2]; kw++) {
            final int offW = kw * w.dilation[2] - w.padHead[2];
            if (dLo >= dHi || hLo >= hHi || offW >= width || -offW >= width) {
              Arrays.fill(col, dst, dst + planeOut, 0f);
              dst += ld;
              continue;
            }
            Arrays.fill(col, dst, dst + dLo * plane, 0f);
            for (int od = dLo; od < dHi; od++) {
              final int id = od * w.stride[0] + offD;
              final int rows = dst + od * plane;
              Arrays.fill(col, rows, rows + hLo * width, 0f);
              // Output positions [hLo·W, hHi·W) of the plane read input positions shifted by offH·W + offW; the
              // first -offW (or last offW) of them would read across the plane's edge, and are zeroed below.
              final int from = hLo * width + Math.max(0, -offW);
              final int to = hHi * width - Math.max(0, offW);
              System.arraycopy(x, xc + id * inH * width + offH * width + offW + from, col, rows + from, to - from);
              if (offW < 0) {
                for (int oh = hLo; oh < hHi; oh++) {
                  Arrays.fill(col, rows + oh * width, rows + oh * width - offW, 0f);
                }
              } else if (offW > 0) {
                for (int oh = hLo; oh < hHi; oh++) {
                  Arrays.fill(col, rows + (oh + 1) * width - offW, rows + (oh + 1) * width, 0f);
                }
              }
              Arrays.fill(col, rows + hHi * width, rows + plane, 0f);
            }
            Arrays.fill(col, dst + dHi * plane, dst + planeOut, 0f);
            dst += ld;
          }
        }
      }
    }
  }

  /**
   * {@link #nchwAdd} for {@link #isShiftedPlane} windows. The entries of a row whose tap falls outside the image at
   * the left or right are set to zero in col first (col is the caller's scratch), so that the valid part of the
   * row adds into the image in one contiguous run.
   */
  private static void shiftedPlanesAdd(float[] col, int colOff, int ld, int channels, Window w, float[] x,
      int xOff) {
    final int inD = w.in[0];
    final int inH = w.in[1];
    final int width = w.in[2];
    final int outD = w.out[0];
    final int outH = w.out[1];
    final int plane = outH * width;
    int src = colOff;
    for (int c = 0; c < channels; c++) {
      final int xc = xOff + c * inD * inH * width;
      for (int kd = 0; kd < w.kernel[0]; kd++) {
        final int offD = kd * w.dilation[0] - w.padHead[0];
        final int dLo = Window.firstValid(offD, w.stride[0]);
        final int dHi = Window.endValid(offD, w.stride[0], inD, outD);
        for (int kh = 0; kh < w.kernel[1]; kh++) {
          final int offH = kh * w.dilation[1] - w.padHead[1];
          final int hLo = Math.min(Window.firstValid(offH, 1), outH);
          final int hHi = Math.max(Window.endValid(offH, 1, inH, outH), hLo);
          for (int kw = 0; kw < w.kernel[2]; kw++) {
            final int offW = kw * w.dilation[2] - w.padHead[2];
            if (hLo >= hHi || offW >= width || -offW >= width) {
              src += ld;
              continue;
            }
            for (int od = dLo; od < dHi; od++) {
              final int id = od * w.stride[0] + offD;
              final int rows = src + od * plane;
              if (offW < 0) {
                for (int oh = hLo; oh < hHi; oh++) {
                  Arrays.fill(col, rows + oh * width, rows + oh * width - offW, 0f);
                }
              } else if (offW > 0) {
                for (int oh = hLo; oh < hHi; oh++) {
                  Arrays.fill(col, rows + (oh + 1) * width - offW, rows + (oh + 1) * width, 0f);
                }
              }
              final int from = hLo * width + Math.max(0, -offW);
              final int to = hHi * width - Math.max(0, offW);
              final int shift = xc + id * inH * width + offH * width + offW - rows;
              for (int p = rows + from; p < rows + to; p++) {
                x[p + shift] += col[p];
              }
            }
            src += ld;
          }
        }
      }
    }
  }

  // ---- float ----

  /**
   * NCHW im2col: col[(c, kd, kh, kw), (od, oh, ow)] = x[c, id, ih, iw] at the tap's input position, 0 in the
   * padding. col has channels × kernelSize rows of outSize columns, row r starting at colOff + r · ld (ld >= outSize,
   * so that several images can sit side by side in one matrix).
   */
  static void nchw(float[] x, int xOff, int channels, Window w, float[] col, int colOff, int ld) {
    if (isShiftedPlane(w)) {
      shiftedPlanes(x, xOff, channels, w, col, colOff, ld);
      return;
    }
    final int inD = w.in[0];
    final int inH = w.in[1];
    final int inW = w.in[2];
    final int outD = w.out[0];
    final int outH = w.out[1];
    final int outW = w.out[2];
    final int strideD = w.stride[0];
    final int strideH = w.stride[1];
    final int strideW = w.stride[2];
    final int planeOut = outD * outH * outW;
    final int rowsOut = outH * outW;
    int dst = colOff;
    for (int c = 0; c < channels; c++) {
      final int xc = xOff + c * inD * inH * inW;
      for (int kd = 0; kd < w.kernel[0]; kd++) {
        final int offD = kd * w.dilation[0] - w.padHead[0];
        final int dLo = Window.firstValid(offD, strideD);
        final int dHi = Window.endValid(offD, strideD, inD, outD);
        for (int kh = 0; kh < w.kernel[1]; kh++) {
          final int offH = kh * w.dilation[1] - w.padHead[1];
          final int hLo = Window.firstValid(offH, strideH);
          final int hHi = Window.endValid(offH, strideH, inH, outH);
          for (int kw = 0; kw < w.kernel[2]; kw++) {
            final int offW = kw * w.dilation[2] - w.padHead[2];
            final int wLo = Math.min(Window.firstValid(offW, strideW), outW);
            final int wHi = Math.max(Window.endValid(offW, strideW, inW, outW), wLo);
            if (dLo >= dHi || hLo >= hHi || wLo >= wHi) {
              Arrays.fill(col, dst, dst + planeOut, 0f);
              dst += ld;
              continue;
            }
            Arrays.fill(col, dst, dst + dLo * rowsOut, 0f);
            for (int od = dLo; od < dHi; od++) {
              final int id = od * strideD + offD;
              final int plane = dst + od * rowsOut;
              Arrays.fill(col, plane, plane + hLo * outW, 0f);
              for (int oh = hLo; oh < hHi; oh++) {
                final int ih = oh * strideH + offH;
                final int row = plane + oh * outW;
                final int src = xc + (id * inH + ih) * inW + offW;
                Arrays.fill(col, row, row + wLo, 0f);
                if (strideW == 1) {
                  System.arraycopy(x, src + wLo, col, row + wLo, wHi - wLo);
                } else {
                  for (int ow = wLo; ow < wHi; ow++) {
                    col[row + ow] = x[src + ow * strideW];
                  }
                }
                Arrays.fill(col, row + wHi, row + outW, 0f);
              }
              Arrays.fill(col, plane + hHi * outW, plane + rowsOut, 0f);
            }
            Arrays.fill(col, dst + dHi * rowsOut, dst + planeOut, 0f);
            dst += ld;
          }
        }
      }
    }
  }

  /**
   * NCHW col2im: adds every column entry into the input position it was read from (the inverse scatter); rows as
   * in {@link #nchw}.
   */
  static void nchwAdd(float[] col, int colOff, int ld, int channels, Window w, float[] x, int xOff) {
    if (isShiftedPlane(w)) {
      shiftedPlanesAdd(col, colOff, ld, channels, w, x, xOff);
      return;
    }
    final int inD = w.in[0];
    final int inH = w.in[1];
    final int inW = w.in[2];
    final int outD = w.out[0];
    final int outH = w.out[1];
    final int outW = w.out[2];
    final int strideD = w.stride[0];
    final int strideH = w.stride[1];
    final int strideW = w.stride[2];
    final int planeOut = outD * outH * outW;
    final int rowsOut = outH * outW;
    int dst = colOff;
    for (int c = 0; c < channels; c++) {
      final int xc = xOff + c * inD * inH * inW;
      for (int kd = 0; kd < w.kernel[0]; kd++) {
        final int offD = kd * w.dilation[0] - w.padHead[0];
        final int dLo = Window.firstValid(offD, strideD);
        final int dHi = Window.endValid(offD, strideD, inD, outD);
        for (int kh = 0; kh < w.kernel[1]; kh++) {
          final int offH = kh * w.dilation[1] - w.padHead[1];
          final int hLo = Window.firstValid(offH, strideH);
          final int hHi = Window.endValid(offH, strideH, inH, outH);
          for (int kw = 0; kw < w.kernel[2]; kw++) {
            final int offW = kw * w.dilation[2] - w.padHead[2];
            final int wLo = Math.min(Window.firstValid(offW, strideW), outW);
            final int wHi = Math.max(Window.endValid(offW, strideW, inW, outW), wLo);
            for (int od = dLo; od < dHi; od++) {
              final int id = od * strideD + offD;
              final int plane = dst + od * rowsOut;
              for (int oh = hLo; oh < hHi; oh++) {
                final int ih = oh * strideH + offH;
                final int row = plane + oh * outW;
                final int base = xc + (id * inH + ih) * inW + offW;
                if (strideW == 1) {
                  final int shift = base - row;
                  for (int ow = row + wLo; ow < row + wHi; ow++) {
                    x[ow + shift] += col[ow];
                  }
                } else {
                  for (int ow = wLo; ow < wHi; ow++) {
                    x[base + ow * strideW] += col[row + ow];
                  }
                }
              }
            }
            dst += ld;
          }
        }
      }
    }
  }

  /**
   * NHWC im2col: col[(od, oh, ow), (g, kd, kh, kw, c)] = x[id, ih, iw, g·C/G + c], 0 in the padding; each
   * output position is one row of channels × kernelSize entries, group by group, from colOff on.
   */
  static void nhwc(float[] x, int xOff, int channels, int groups, Window w, float[] col, int colOff) {
    final int inH = w.in[1];
    final int inW = w.in[2];
    final int kD = w.kernel[0];
    final int kH = w.kernel[1];
    final int kW = w.kernel[2];
    final int cg = channels / groups;
    final int dilW = w.dilation[2];
    int dst = colOff;
    for (int od = 0; od < w.out[0]; od++) {
      for (int oh = 0; oh < w.out[1]; oh++) {
        for (int ow = 0; ow < w.out[2]; ow++) {
          final int iw0 = ow * w.stride[2] - w.padHead[2];
          for (int g = 0; g < groups; g++) {
            final int cOff = g * cg;
            for (int kd = 0; kd < kD; kd++) {
              final int id = od * w.stride[0] - w.padHead[0] + kd * w.dilation[0];
              if (id < 0 || id >= w.in[0]) {
                Arrays.fill(col, dst, dst + kH * kW * cg, 0f);
                dst += kH * kW * cg;
                continue;
              }
              for (int kh = 0; kh < kH; kh++) {
                final int ih = oh * w.stride[1] - w.padHead[1] + kh * w.dilation[1];
                if (ih < 0 || ih >= inH) {
                  Arrays.fill(col, dst, dst + kW * cg, 0f);
                  dst += kW * cg;
                  continue;
                }
                final int rowBase = xOff + (id * inH + ih) * inW * channels + cOff;
                if (groups == 1 && dilW == 1) {
                  // The taps of one kernel row are contiguous in x: copy the valid run at once.
                  final int lo = Math.min(Math.max(0, -iw0), kW);
                  final int hi = Math.max(Math.min(kW, inW - iw0), lo);
                  Arrays.fill(col, dst, dst + lo * cg, 0f);
                  System.arraycopy(x, rowBase + (iw0 + lo) * channels, col, dst + lo * cg, (hi - lo) * cg);
                  Arrays.fill(col, dst + hi * cg, dst + kW * cg, 0f);
                  dst += kW * cg;
                  continue;
                }
                for (int kw = 0; kw < kW; kw++) {
                  final int iw = iw0 + kw * dilW;
                  if (iw < 0 || iw >= inW) {
                    Arrays.fill(col, dst, dst + cg, 0f);
                  } else {
                    System.arraycopy(x, rowBase + iw * channels, col, dst, cg);
                  }
                  dst += cg;
                }
              }
            }
          }
        }
      }
    }
  }

  /** NHWC col2im: adds every column entry into the input position it was read from. */
  static void nhwcAdd(float[] col, int colOff, int channels, int groups, Window w, float[] x, int xOff) {
    final int inH = w.in[1];
    final int inW = w.in[2];
    final int kD = w.kernel[0];
    final int kH = w.kernel[1];
    final int kW = w.kernel[2];
    final int cg = channels / groups;
    final int dilW = w.dilation[2];
    int src = colOff;
    for (int od = 0; od < w.out[0]; od++) {
      for (int oh = 0; oh < w.out[1]; oh++) {
        for (int ow = 0; ow < w.out[2]; ow++) {
          final int iw0 = ow * w.stride[2] - w.padHead[2];
          for (int g = 0; g < groups; g++) {
            final int cOff = g * cg;
            for (int kd = 0; kd < kD; kd++) {
              final int id = od * w.stride[0] - w.padHead[0] + kd * w.dilation[0];
              if (id < 0 || id >= w.in[0]) {
                src += kH * kW * cg;
                continue;
              }
              for (int kh = 0; kh < kH; kh++) {
                final int ih = oh * w.stride[1] - w.padHead[1] + kh * w.dilation[1];
                if (ih < 0 || ih >= inH) {
                  src += kW * cg;
                  continue;
                }
                final int rowBase = xOff + (id * inH + ih) * inW * channels + cOff;
                for (int kw = 0; kw < kW; kw++) {
                  final int iw = iw0 + kw * dilW;
                  if (iw >= 0 && iw < inW) {
                    final int t = rowBase + iw * channels;
                    for (int c = 0; c < cg; c++) {
                      x[t + c] += col[src + c];
                    }
                  }
                  src += cg;
                }
              }
            }
          }
        }
      }
    }
  }

  // ---- double: the same loops over double[] ----

  /**
   * NCHW im2col: col[(c, kd, kh, kw), (od, oh, ow)] = x[c, id, ih, iw] at the tap's input position, 0 in the
   * padding. col has channels × kernelSize rows of outSize columns, row r starting at colOff + r · ld (ld >= outSize,
   * so that several images can sit side by side in one matrix).
   */
  static void nchw(double[] x, int xOff, int channels, Window w, double[] col, int colOff, int ld) {
    final int inD = w.in[0];
    final int inH = w.in[1];
    final int inW = w.in[2];
    final int outD = w.out[0];
    final int outH = w.out[1];
    final int outW = w.out[2];
    final int strideD = w.stride[0];
    final int strideH = w.stride[1];
    final int strideW = w.stride[2];
    final int planeOut = outD * outH * outW;
    final int rowsOut = outH * outW;
    int dst = colOff;
    for (int c = 0; c < channels; c++) {
      final int xc = xOff + c * inD * inH * inW;
      for (int kd = 0; kd < w.kernel[0]; kd++) {
        final int offD = kd * w.dilation[0] - w.padHead[0];
        final int dLo = Window.firstValid(offD, strideD);
        final int dHi = Window.endValid(offD, strideD, inD, outD);
        for (int kh = 0; kh < w.kernel[1]; kh++) {
          final int offH = kh * w.dilation[1] - w.padHead[1];
          final int hLo = Window.firstValid(offH, strideH);
          final int hHi = Window.endValid(offH, strideH, inH, outH);
          for (int kw = 0; kw < w.kernel[2]; kw++) {
            final int offW = kw * w.dilation[2] - w.padHead[2];
            final int wLo = Math.min(Window.firstValid(offW, strideW), outW);
            final int wHi = Math.max(Window.endValid(offW, strideW, inW, outW), wLo);
            if (dLo >= dHi || hLo >= hHi || wLo >= wHi) {
              Arrays.fill(col, dst, dst + planeOut, 0d);
              dst += ld;
              continue;
            }
            Arrays.fill(col, dst, dst + dLo * rowsOut, 0d);
            for (int od = dLo; od < dHi; od++) {
              final int id = od * strideD + offD;
              final int plane = dst + od * rowsOut;
              Arrays.fill(col, plane, plane + hLo * outW, 0d);
              for (int oh = hLo; oh < hHi; oh++) {
                final int ih = oh * strideH + offH;
                final int row = plane + oh * outW;
                final int src = xc + (id * inH + ih) * inW + offW;
                Arrays.fill(col, row, row + wLo, 0d);
                if (strideW == 1) {
                  System.arraycopy(x, src + wLo, col, row + wLo, wHi - wLo);
                } else {
                  for (int ow = wLo; ow < wHi; ow++) {
                    col[row + ow] = x[src + ow * strideW];
                  }
                }
                Arrays.fill(col, row + wHi, row + outW, 0d);
              }
              Arrays.fill(col, plane + hHi * outW, plane + rowsOut, 0d);
            }
            Arrays.fill(col, dst + dHi * rowsOut, dst + planeOut, 0d);
            dst += ld;
          }
        }
      }
    }
  }

  /**
   * NCHW col2im: adds every column entry into the input position it was read from (the inverse scatter); rows as
   * in {@link #nchw}.
   */
  static void nchwAdd(double[] col, int colOff, int ld, int channels, Window w, double[] x, int xOff) {
    final int inD = w.in[0];
    final int inH = w.in[1];
    final int inW = w.in[2];
    final int outD = w.out[0];
    final int outH = w.out[1];
    final int outW = w.out[2];
    final int strideD = w.stride[0];
    final int strideH = w.stride[1];
    final int strideW = w.stride[2];
    final int planeOut = outD * outH * outW;
    final int rowsOut = outH * outW;
    int dst = colOff;
    for (int c = 0; c < channels; c++) {
      final int xc = xOff + c * inD * inH * inW;
      for (int kd = 0; kd < w.kernel[0]; kd++) {
        final int offD = kd * w.dilation[0] - w.padHead[0];
        final int dLo = Window.firstValid(offD, strideD);
        final int dHi = Window.endValid(offD, strideD, inD, outD);
        for (int kh = 0; kh < w.kernel[1]; kh++) {
          final int offH = kh * w.dilation[1] - w.padHead[1];
          final int hLo = Window.firstValid(offH, strideH);
          final int hHi = Window.endValid(offH, strideH, inH, outH);
          for (int kw = 0; kw < w.kernel[2]; kw++) {
            final int offW = kw * w.dilation[2] - w.padHead[2];
            final int wLo = Math.min(Window.firstValid(offW, strideW), outW);
            final int wHi = Math.max(Window.endValid(offW, strideW, inW, outW), wLo);
            for (int od = dLo; od < dHi; od++) {
              final int id = od * strideD + offD;
              final int plane = dst + od * rowsOut;
              for (int oh = hLo; oh < hHi; oh++) {
                final int ih = oh * strideH + offH;
                final int row = plane + oh * outW;
                final int base = xc + (id * inH + ih) * inW + offW;
                if (strideW == 1) {
                  final int shift = base - row;
                  for (int ow = row + wLo; ow < row + wHi; ow++) {
                    x[ow + shift] += col[ow];
                  }
                } else {
                  for (int ow = wLo; ow < wHi; ow++) {
                    x[base + ow * strideW] += col[row + ow];
                  }
                }
              }
            }
            dst += ld;
          }
        }
      }
    }
  }

  /**
   * NHWC im2col: col[(od, oh, ow), (g, kd, kh, kw, c)] = x[id, ih, iw, g·C/G + c], 0 in the padding; each
   * output position is one row of channels × kernelSize entries, group by group, from colOff on.
   */
  static void nhwc(double[] x, int xOff, int channels, int groups, Window w, double[] col, int colOff) {
    final int inH = w.in[1];
    final int inW = w.in[2];
    final int kD = w.kernel[0];
    final int kH = w.kernel[1];
    final int kW = w.kernel[2];
    final int cg = channels / groups;
    final int dilW = w.dilation[2];
    int dst = colOff;
    for (int od = 0; od < w.out[0]; od++) {
      for (int oh = 0; oh < w.out[1]; oh++) {
        for (int ow = 0; ow < w.out[2]; ow++) {
          final int iw0 = ow * w.stride[2] - w.padHead[2];
          for (int g = 0; g < groups; g++) {
            final int cOff = g * cg;
            for (int kd = 0; kd < kD; kd++) {
              final int id = od * w.stride[0] - w.padHead[0] + kd * w.dilation[0];
              if (id < 0 || id >= w.in[0]) {
                Arrays.fill(col, dst, dst + kH * kW * cg, 0d);
                dst += kH * kW * cg;
                continue;
              }
              for (int kh = 0; kh < kH; kh++) {
                final int ih = oh * w.stride[1] - w.padHead[1] + kh * w.dilation[1];
                if (ih < 0 || ih >= inH) {
                  Arrays.fill(col, dst, dst + kW * cg, 0d);
                  dst += kW * cg;
                  continue;
                }
                final int rowBase = xOff + (id * inH + ih) * inW * channels + cOff;
                if (groups == 1 && dilW == 1) {
                  // The taps of one kernel row are contiguous in x: copy the valid run at once.
                  final int lo = Math.min(Math.max(0, -iw0), kW);
                  final int hi = Math.max(Math.min(kW, inW - iw0), lo);
                  Arrays.fill(col, dst, dst + lo * cg, 0d);
                  System.arraycopy(x, rowBase + (iw0 + lo) * channels, col, dst + lo * cg, (hi - lo) * cg);
                  Arrays.fill(col, dst + hi * cg, dst + kW * cg, 0d);
                  dst += kW * cg;
                  continue;
                }
                for (int kw = 0; kw < kW; kw++) {
                  final int iw = iw0 + kw * dilW;
                  if (iw < 0 || iw >= inW) {
                    Arrays.fill(col, dst, dst + cg, 0d);
                  } else {
                    System.arraycopy(x, rowBase + iw * channels, col, dst, cg);
                  }
                  dst += cg;
                }
              }
            }
          }
        }
      }
    }
  }

  /** NHWC col2im: adds every column entry into the input position it was read from. */
  static void nhwcAdd(double[] col, int colOff, int channels, int groups, Window w, double[] x, int xOff) {
    final int inH = w.in[1];
    final int inW = w.in[2];
    final int kD = w.kernel[0];
    final int kH = w.kernel[1];
    final int kW = w.kernel[2];
    final int cg = channels / groups;
    final int dilW = w.dilation[2];
    int src = colOff;
    for (int od = 0; od < w.out[0]; od++) {
      for (int oh = 0; oh < w.out[1]; oh++) {
        for (int ow = 0; ow < w.out[2]; ow++) {
          final int iw0 = ow * w.stride[2] - w.padHead[2];
          for (int g = 0; g < groups; g++) {
            final int cOff = g * cg;
            for (int kd = 0; kd < kD; kd++) {
              final int id = od * w.stride[0] - w.padHead[0] + kd * w.dilation[0];
              if (id < 0 || id >= w.in[0]) {
                src += kH * kW * cg;
                continue;
              }
              for (int kh = 0; kh < kH; kh++) {
                final int ih = oh * w.stride[1] - w.padHead[1] + kh * w.dilation[1];
                if (ih < 0 || ih >= inH) {
                  src += kW * cg;
                  continue;
                }
                final int rowBase = xOff + (id * inH + ih) * inW * channels + cOff;
                for (int kw = 0; kw < kW; kw++) {
                  final int iw = iw0 + kw * dilW;
                  if (iw >= 0 && iw < inW) {
                    final int t = rowBase + iw * channels;
                    for (int c = 0; c < cg; c++) {
                      x[t + c] += col[src + c];
                    }
                  }
                  src += cg;
                }
              }
            }
          }
        }
      }
    }
  }
}
