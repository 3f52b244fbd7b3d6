package dev.zerog.ops.conv;

import java.util.Arrays;

/**
 * The geometry of a sliding window over one image, for 1 to 3 spatial axes stored as three (D, H, W): an image
 * with fewer axes has leading axes of size 1 with kernel 1, stride 1 and no padding, so one set of loops serves
 * 1-D, 2-D and 3-D. Mutable, so that an operator reuses one instance while its input shape stays the same.
 */
final class Window {
  /** The number of real spatial axes (1 to 3). */
  int spatialRank;
  final int[] in = new int[3];
  final int[] out = new int[3];
  final int[] kernel = new int[3];
  final int[] stride = new int[3];
  final int[] dilation = new int[3];
  final int[] padHead = new int[3];
  final int[] padTail = new int[3];

  /** Sets every axis to size 1, kernel 1, stride 1, dilation 1, no padding, for {@code spatialRank} real axes. */
  void reset(int spatialRank) {
    this.spatialRank = spatialRank;
    Arrays.fill(in, 1);
    Arrays.fill(out, 1);
    Arrays.fill(kernel, 1);
    Arrays.fill(stride, 1);
    Arrays.fill(dilation, 1);
    Arrays.fill(padHead, 0);
    Arrays.fill(padTail, 0);
  }

  /** The number of positions in the input image. */
  int inSize() {
    return in[0] * in[1] * in[2];
  }

  /** The number of positions in the output image. */
  int outSize() {
    return out[0] * out[1] * out[2];
  }

  /** The number of kernel taps. */
  int kernelSize() {
    return kernel[0] * kernel[1] * kernel[2];
  }

  /**
   * True for a 1×1 window with stride 1 and no padding: the output positions are the input positions, so a
   * convolution is a plain matrix product with no im2col.
   */
  boolean isPointwise() {
    for (int a = 0; a < 3; a++) {
      if (kernel[a] != 1 || stride[a] != 1 || padHead[a] != 0 || padTail[a] != 0 || in[a] != out[a]) {
        return false;
      }
    }
    return true;
  }

  /** Copies {@code other}. */
  void set(Window other) {
    spatialRank = other.spatialRank;
    System.arraycopy(other.in, 0, in, 0, 3);
    System.arraycopy(other.out, 0, out, 0, 3);
    System.arraycopy(other.kernel, 0, kernel, 0, 3);
    System.arraycopy(other.stride, 0, stride, 0, 3);
    System.arraycopy(other.dilation, 0, dilation, 0, 3);
    System.arraycopy(other.padHead, 0, padHead, 0, 3);
    System.arraycopy(other.padTail, 0, padTail, 0, 3);
  }

  /** The first output index along an axis whose tap {@code tap} lands at or after input position 0. */
  static int firstValid(int offset, int stride) {
    // offset = tap * dilation - padHead; input position = o * stride + offset >= 0.
    return offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  }

  /** One past the last output index (capped at {@code outSize}) whose tap lands before input position {@code in}. */
  static int endValid(int offset, int stride, int in, int outSize) {
    int last = in - 1 - offset;
    if (last < 0) {
      return 0;
    }
    return Math.min(outSize, last / stride + 1);
  }
}
