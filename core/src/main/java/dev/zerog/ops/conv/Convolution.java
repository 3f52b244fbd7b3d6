package dev.zerog.ops.conv;

import dev.zerog.blas.Blas;
import dev.zerog.ops.conv.ConvPoolArguments.Order;
import java.util.Arrays;

/**
 * The arithmetic of convolution shared by Conv, ConvTranspose and their gradients, one image at a time.
 *
 * <p>A convolution relates an "image" side (Conv's input, ConvTranspose's output) of {@code imageChannels}
 * channels over the window's input positions and a "columns" side (Conv's output, ConvTranspose's input) of
 * {@code colsChannels} channels over its output positions, through a filter W of shape
 * [colsChannels, imageChannels / G, kernel...] (NCHW) or [colsChannels, kernel..., imageChannels / G] (NHWC).
 * Three products cover every direction: {@link #imageToCols} (cols = W · im2col(img)), {@link #colsToImage}
 * (img = col2im(Wᵀ · cols)) and {@link #filterGradient} (dW += cols · im2col(img)ᵀ), each one BLAS GEMM per
 * group. A 1×1 window with stride 1 and no padding skips im2col: the image itself is the matrix.
 *
 * <p>The im2col buffer is kept between runs and grows only when a larger one is needed. Not thread-safe: one
 * instance per operator.
 */
final class Convolution {
  private final Blas blas = Blas.get();
  private final Window window = new Window();
  private Order order;
  private int groups;
  private int imageChannels;
  private int colsChannels;
  /** Image channels per group. */
  private int cgImage;
  /** Columns channels per group. */
  private int mg;
  /** Rows of a group's im2col matrix: cgImage × kernelSize. */
  private int kg;
  private int inSize;
  private int outSize;
  private boolean pointwise;
  private float[] floatCol = new float[0];
  private double[] doubleCol = new double[0];
  private double[] sums = new double[0];

  /** Sets the geometry for the next images (the window is copied). */
  void configure(Order order, int groups, int imageChannels, int colsChannels, Window w) {
    this.order = order;
    this.groups = groups;
    this.imageChannels = imageChannels;
    this.colsChannels = colsChannels;
    this.cgImage = imageChannels / groups;
    this.mg = colsChannels / groups;
    window.set(w);
    this.kg = cgImage * w.kernelSize();
    this.inSize = w.inSize();
    this.outSize = w.outSize();
    this.pointwise = w.isPointwise();
  }

  private int bufferSize() {
    return groups * kg * outSize;
  }

  private float[] floatBuffer() {
    int n = bufferSize();
    if (floatCol.length < n) {
      floatCol = new float[n];
    }
    return floatCol;
  }

  private double[] doubleBuffer() {
    int n = bufferSize();
    if (doubleCol.length < n) {
      doubleCol = new double[n];
    }
    return doubleCol;
  }

  private double[] sums(int n) {
    if (sums.length < n) {
      sums = new double[n];
    }
    Arrays.fill(sums, 0, n, 0d);
    return sums;
  }

  // ---- float ----

  /**
   * One image of the "image → columns" direction: cols = W · im2col(img), per group. This is Conv's forward (img
   * the input X, cols the output Y) and ConvTranspose's input gradient (img dY, cols dX).
   */
  void imageToCols(float[] img, int imgOff, float[] wgt, float[] cols, int colsOff) {
    if (pointwise) {
      for (int g = 0; g < groups; g++) {
        if (order == Order.NCHW) {
          blas.sgemm(false, false, mg, outSize, cgImage, 1f, wgt, g * mg * cgImage, cgImage, img,
              imgOff + g * cgImage * inSize, inSize, 0f, cols, colsOff + g * mg * outSize, outSize);
        } else {
          blas.sgemm(false, true, outSize, mg, cgImage, 1f, img, imgOff + g * cgImage, imageChannels, wgt,
              g * mg * cgImage, cgImage, 0f, cols, colsOff + g * mg, colsChannels);
        }
      }
      return;
    }
    float[] col = floatBuffer();
    if (order == Order.NCHW) {
      Im2Col.nchw(img, imgOff, imageChannels, window, col);
      for (int g = 0; g < groups; g++) {
        blas.sgemm(false, false, mg, outSize, kg, 1f, wgt, g * mg * kg, kg, col, g * kg * outSize, outSize, 0f,
            cols, colsOff + g * mg * outSize, outSize);
      }
    } else {
      Im2Col.nhwc(img, imgOff, imageChannels, groups, window, col);
      for (int g = 0; g < groups; g++) {
        blas.sgemm(false, true, outSize, mg, kg, 1f, col, g * kg, groups * kg, wgt, g * mg * kg, kg, 0f, cols,
            colsOff + g * mg, colsChannels);
      }
    }
  }

  /**
   * One image of the "columns → image" direction: img = col2im(Wᵀ · cols), per group, overwriting img. This is
   * Conv's input gradient (cols dY, img dX) and ConvTranspose's forward (cols X, img Y).
   */
  void colsToImage(float[] cols, int colsOff, float[] wgt, float[] img, int imgOff) {
    if (pointwise) {
      for (int g = 0; g < groups; g++) {
        if (order == Order.NCHW) {
          blas.sgemm(true, false, cgImage, inSize, mg, 1f, wgt, g * mg * cgImage, cgImage, cols,
              colsOff + g * mg * outSize, outSize, 0f, img, imgOff + g * cgImage * inSize, inSize);
        } else {
          blas.sgemm(false, false, inSize, cgImage, mg, 1f, cols, colsOff + g * mg, colsChannels, wgt,
              g * mg * cgImage, cgImage, 0f, img, imgOff + g * cgImage, imageChannels);
        }
      }
      return;
    }
    float[] col = floatBuffer();
    if (order == Order.NCHW) {
      for (int g = 0; g < groups; g++) {
        blas.sgemm(true, false, kg, outSize, mg, 1f, wgt, g * mg * kg, kg, cols, colsOff + g * mg * outSize,
            outSize, 0f, col, g * kg * outSize, outSize);
      }
      Arrays.fill(img, imgOff, imgOff + imageChannels * inSize, 0f);
      Im2Col.nchwAdd(col, imageChannels, window, img, imgOff);
    } else {
      for (int g = 0; g < groups; g++) {
        blas.sgemm(false, false, outSize, kg, mg, 1f, cols, colsOff + g * mg, colsChannels, wgt, g * mg * kg, kg,
            0f, col, g * kg, groups * kg);
      }
      Arrays.fill(img, imgOff, imgOff + imageChannels * inSize, 0f);
      Im2Col.nhwcAdd(col, imageChannels, groups, window, img, imgOff);
    }
  }

  /**
   * One image of the filter gradient, added into dw: dW += cols · im2col(img)ᵀ, per group. Conv: img X, cols dY;
   * ConvTranspose: img dY, cols X.
   */
  void filterGradient(float[] img, int imgOff, float[] cols, int colsOff, float[] dw) {
    if (pointwise) {
      for (int g = 0; g < groups; g++) {
        if (order == Order.NCHW) {
          blas.sgemm(false, true, mg, cgImage, outSize, 1f, cols, colsOff + g * mg * outSize, outSize, img,
              imgOff + g * cgImage * inSize, inSize, 1f, dw, g * mg * cgImage, cgImage);
        } else {
          blas.sgemm(true, false, mg, cgImage, outSize, 1f, cols, colsOff + g * mg, colsChannels, img,
              imgOff + g * cgImage, imageChannels, 1f, dw, g * mg * cgImage, cgImage);
        }
      }
      return;
    }
    float[] col = floatBuffer();
    if (order == Order.NCHW) {
      Im2Col.nchw(img, imgOff, imageChannels, window, col);
      for (int g = 0; g < groups; g++) {
        blas.sgemm(false, true, mg, kg, outSize, 1f, cols, colsOff + g * mg * outSize, outSize, col,
            g * kg * outSize, outSize, 1f, dw, g * mg * kg, kg);
      }
    } else {
      Im2Col.nhwc(img, imgOff, imageChannels, groups, window, col);
      for (int g = 0; g < groups; g++) {
        blas.sgemm(true, false, mg, kg, outSize, 1f, cols, colsOff + g * mg, colsChannels, col, g * kg,
            groups * kg, 1f, dw, g * mg * kg, kg);
      }
    }
  }

  /** Adds bias[c] to every element of channel c of an image tensor of {@code images} images. */
  static void addBias(float[] y, float[] bias, int images, int channels, int size, Order order) {
    if (order == Order.NCHW) {
      int p = 0;
      for (int n = 0; n < images; n++) {
        for (int c = 0; c < channels; c++) {
          final float b = bias[c];
          for (int end = p + size; p < end; p++) {
            y[p] += b;
          }
        }
      }
    } else {
      final int rows = images * size;
      for (int r = 0; r < rows; r++) {
        final int off = r * channels;
        for (int c = 0; c < channels; c++) {
          y[off + c] += bias[c];
        }
      }
    }
  }

  /** db[c] = the sum of channel c of dy over every image and position (accumulated in double). */
  void biasGradient(float[] dy, float[] db, int images, int channels, int size, Order order) {
    double[] acc = sums(channels);
    if (order == Order.NCHW) {
      int p = 0;
      for (int n = 0; n < images; n++) {
        for (int c = 0; c < channels; c++) {
          double s = 0;
          for (int end = p + size; p < end; p++) {
            s += dy[p];
          }
          acc[c] += s;
        }
      }
    } else {
      final int rows = images * size;
      for (int r = 0; r < rows; r++) {
        final int off = r * channels;
        for (int c = 0; c < channels; c++) {
          acc[c] += dy[off + c];
        }
      }
    }
    for (int c = 0; c < channels; c++) {
      db[c] = (float) acc[c];
    }
  }

  // ---- double: the same over double[] with dgemm ----

  /**
   * One image of the "image → columns" direction: cols = W · im2col(img), per group. This is Conv's forward (img
   * the input X, cols the output Y) and ConvTranspose's input gradient (img dY, cols dX).
   */
  void imageToCols(double[] img, int imgOff, double[] wgt, double[] cols, int colsOff) {
    if (pointwise) {
      for (int g = 0; g < groups; g++) {
        if (order == Order.NCHW) {
          blas.dgemm(false, false, mg, outSize, cgImage, 1d, wgt, g * mg * cgImage, cgImage, img,
              imgOff + g * cgImage * inSize, inSize, 0d, cols, colsOff + g * mg * outSize, outSize);
        } else {
          blas.dgemm(false, true, outSize, mg, cgImage, 1d, img, imgOff + g * cgImage, imageChannels, wgt,
              g * mg * cgImage, cgImage, 0d, cols, colsOff + g * mg, colsChannels);
        }
      }
      return;
    }
    double[] col = doubleBuffer();
    if (order == Order.NCHW) {
      Im2Col.nchw(img, imgOff, imageChannels, window, col);
      for (int g = 0; g < groups; g++) {
        blas.dgemm(false, false, mg, outSize, kg, 1d, wgt, g * mg * kg, kg, col, g * kg * outSize, outSize, 0d,
            cols, colsOff + g * mg * outSize, outSize);
      }
    } else {
      Im2Col.nhwc(img, imgOff, imageChannels, groups, window, col);
      for (int g = 0; g < groups; g++) {
        blas.dgemm(false, true, outSize, mg, kg, 1d, col, g * kg, groups * kg, wgt, g * mg * kg, kg, 0d, cols,
            colsOff + g * mg, colsChannels);
      }
    }
  }

  /**
   * One image of the "columns → image" direction: img = col2im(Wᵀ · cols), per group, overwriting img. This is
   * Conv's input gradient (cols dY, img dX) and ConvTranspose's forward (cols X, img Y).
   */
  void colsToImage(double[] cols, int colsOff, double[] wgt, double[] img, int imgOff) {
    if (pointwise) {
      for (int g = 0; g < groups; g++) {
        if (order == Order.NCHW) {
          blas.dgemm(true, false, cgImage, inSize, mg, 1d, wgt, g * mg * cgImage, cgImage, cols,
              colsOff + g * mg * outSize, outSize, 0d, img, imgOff + g * cgImage * inSize, inSize);
        } else {
          blas.dgemm(false, false, inSize, cgImage, mg, 1d, cols, colsOff + g * mg, colsChannels, wgt,
              g * mg * cgImage, cgImage, 0d, img, imgOff + g * cgImage, imageChannels);
        }
      }
      return;
    }
    double[] col = doubleBuffer();
    if (order == Order.NCHW) {
      for (int g = 0; g < groups; g++) {
        blas.dgemm(true, false, kg, outSize, mg, 1d, wgt, g * mg * kg, kg, cols, colsOff + g * mg * outSize,
            outSize, 0d, col, g * kg * outSize, outSize);
      }
      Arrays.fill(img, imgOff, imgOff + imageChannels * inSize, 0d);
      Im2Col.nchwAdd(col, imageChannels, window, img, imgOff);
    } else {
      for (int g = 0; g < groups; g++) {
        blas.dgemm(false, false, outSize, kg, mg, 1d, cols, colsOff + g * mg, colsChannels, wgt, g * mg * kg, kg,
            0d, col, g * kg, groups * kg);
      }
      Arrays.fill(img, imgOff, imgOff + imageChannels * inSize, 0d);
      Im2Col.nhwcAdd(col, imageChannels, groups, window, img, imgOff);
    }
  }

  /**
   * One image of the filter gradient, added into dw: dW += cols · im2col(img)ᵀ, per group. Conv: img X, cols dY;
   * ConvTranspose: img dY, cols X.
   */
  void filterGradient(double[] img, int imgOff, double[] cols, int colsOff, double[] dw) {
    if (pointwise) {
      for (int g = 0; g < groups; g++) {
        if (order == Order.NCHW) {
          blas.dgemm(false, true, mg, cgImage, outSize, 1d, cols, colsOff + g * mg * outSize, outSize, img,
              imgOff + g * cgImage * inSize, inSize, 1d, dw, g * mg * cgImage, cgImage);
        } else {
          blas.dgemm(true, false, mg, cgImage, outSize, 1d, cols, colsOff + g * mg, colsChannels, img,
              imgOff + g * cgImage, imageChannels, 1d, dw, g * mg * cgImage, cgImage);
        }
      }
      return;
    }
    double[] col = doubleBuffer();
    if (order == Order.NCHW) {
      Im2Col.nchw(img, imgOff, imageChannels, window, col);
      for (int g = 0; g < groups; g++) {
        blas.dgemm(false, true, mg, kg, outSize, 1d, cols, colsOff + g * mg * outSize, outSize, col,
            g * kg * outSize, outSize, 1d, dw, g * mg * kg, kg);
      }
    } else {
      Im2Col.nhwc(img, imgOff, imageChannels, groups, window, col);
      for (int g = 0; g < groups; g++) {
        blas.dgemm(true, false, mg, kg, outSize, 1d, cols, colsOff + g * mg, colsChannels, col, g * kg,
            groups * kg, 1d, dw, g * mg * kg, kg);
      }
    }
  }

  /** Adds bias[c] to every element of channel c of an image tensor of {@code images} images. */
  static void addBias(double[] y, double[] bias, int images, int channels, int size, Order order) {
    if (order == Order.NCHW) {
      int p = 0;
      for (int n = 0; n < images; n++) {
        for (int c = 0; c < channels; c++) {
          final double b = bias[c];
          for (int end = p + size; p < end; p++) {
            y[p] += b;
          }
        }
      }
    } else {
      final int rows = images * size;
      for (int r = 0; r < rows; r++) {
        final int off = r * channels;
        for (int c = 0; c < channels; c++) {
          y[off + c] += bias[c];
        }
      }
    }
  }

  /** db[c] = the sum of channel c of dy over every image and position (accumulated in double). */
  void biasGradient(double[] dy, double[] db, int images, int channels, int size, Order order) {
    double[] acc = sums(channels);
    if (order == Order.NCHW) {
      int p = 0;
      for (int n = 0; n < images; n++) {
        for (int c = 0; c < channels; c++) {
          double s = 0;
          for (int end = p + size; p < end; p++) {
            s += dy[p];
          }
          acc[c] += s;
        }
      }
    } else {
      final int rows = images * size;
      for (int r = 0; r < rows; r++) {
        final int off = r * channels;
        for (int c = 0; c < channels; c++) {
          acc[c] += dy[off + c];
        }
      }
    }
    for (int c = 0; c < channels; c++) {
      db[c] = acc[c];
    }
  }
}
