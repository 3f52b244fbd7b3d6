package dev.zerog.ops.conv;

import dev.zerog.blas.Blas;
import dev.zerog.ops.conv.ConvPoolArguments.Order;
import java.util.Arrays;

/**
 * The arithmetic of convolution shared by Conv, ConvTranspose and their gradients.
 *
 * <p>A convolution relates an "image" side (Conv's input, ConvTranspose's output) of {@code imageChannels}
 * channels over the window's input positions and a "columns" side (Conv's output, ConvTranspose's input) of
 * {@code colsChannels} channels over its output positions, through a filter W of shape
 * [colsChannels, imageChannels / G, kernel...] (NCHW) or [colsChannels, kernel..., imageChannels / G] (NHWC).
 * Three products cover every direction: {@link #imageToCols} (cols = W · im2col(img)), {@link #colsToImage}
 * (img = col2im(Wᵀ · cols)) and {@link #filterGradient} (dW += cols · im2col(img)ᵀ), each one BLAS GEMM per
 * group for a run of images: their im2col matrices side by side (NCHW) or one under the other (NHWC), so that small
 * images still make large products ({@link #imagesPerCall}). A 1×1 window with stride 1 and no padding skips
 * im2col: the images themselves are the matrix.
 *
 * <p>The buffers are kept between runs and grow only when a larger one is needed. Not thread-safe: one instance
 * per operator.
 */
final class Convolution {
  /** NCHW: images are put side by side until a product has about this many columns. */
  static final int TARGET_COLUMNS = 2048;
  /** The largest buffer, in elements, that batching images may ask for (64 MiB of floats). */
  static final int MAX_BUFFER = 1 << 24;

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
  private int imgStride;
  private int colsStride;
  private boolean pointwise;
  private float[] floatCol = new float[0];
  private float[] floatOut = new float[0];
  private double[] doubleCol = new double[0];
  private double[] doubleOut = new double[0];
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
    this.imgStride = imageChannels * inSize;
    this.colsStride = colsChannels * outSize;
    this.pointwise = w.isPointwise();
  }

  /**
   * How many of {@code images} images to pass to one call: NCHW, enough for about {@link #TARGET_COLUMNS} columns
   * (1 for large images); NHWC, as many as the buffer limit allows; never so many that a buffer would exceed
   * {@link #MAX_BUFFER} elements (but at least 1).
   */
  int imagesPerCall(int images) {
    long perImage = Math.max((long) groups * kg * outSize,
        Math.max((long) colsChannels * outSize, (long) imageChannels * inSize));
    long byBuffer = Math.max(1, MAX_BUFFER / Math.max(1, perImage));
    long wanted = order == Order.NCHW ? Math.max(1, TARGET_COLUMNS / Math.max(1, outSize)) : images;
    return (int) Math.max(1, Math.min(images, Math.min(wanted, byBuffer)));
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
   * {@code count} images of the "image → columns" direction: cols = W · im2col(img), per group. This is Conv's
   * forward (img the input X, cols the output Y) and ConvTranspose's input gradient (img dY, cols dX).
   */
  void imageToCols(float[] img, int imgOff, float[] wgt, float[] cols, int colsOff, int count) {
    if (order == Order.NHWC) {
      final int rows = count * outSize;
      float[] a = img;
      int aOff = imgOff;
      int lda = imageChannels;
      int k = cgImage;
      if (!pointwise) {
        a = floatCol(rows * groups * kg);
        for (int i = 0; i < count; i++) {
          Im2Col.nhwc(img, imgOff + i * imgStride, imageChannels, groups, window, a, i * outSize * groups * kg);
        }
        aOff = 0;
        lda = groups * kg;
        k = kg;
      }
      for (int g = 0; g < groups; g++) {
        blas.sgemm(false, true, rows, mg, k, 1f, a, aOff + g * k, lda, wgt, g * mg * k, k, 0f, cols, colsOff + g * mg,
            colsChannels);
      }
      return;
    }
    final int n = count * outSize;
    float[] b;
    int bOff;
    int k;
    if (pointwise) {
      k = cgImage;
      if (count == 1) {
        b = img;
        bOff = imgOff;
      } else {
        b = floatCol(imageChannels * n);
        bOff = 0;
        for (int i = 0; i < count; i++) {
          for (int c = 0; c < imageChannels; c++) {
            System.arraycopy(img, imgOff + i * imgStride + c * inSize, b, c * n + i * inSize, inSize);
          }
        }
      }
    } else {
      k = kg;
      b = floatCol(groups * kg * n);
      bOff = 0;
      for (int i = 0; i < count; i++) {
        Im2Col.nchw(img, imgOff + i * imgStride, imageChannels, window, b, i * outSize, n);
      }
    }
    float[] c = count == 1 ? cols : floatOut(colsChannels * n);
    int cOff = count == 1 ? colsOff : 0;
    for (int g = 0; g < groups; g++) {
      blas.sgemm(false, false, mg, n, k, 1f, wgt, g * mg * k, k, b, bOff + g * k * n, n, 0f, c, cOff + g * mg * n, n);
    }
    if (count > 1) {
      for (int i = 0; i < count; i++) {
        for (int m = 0; m < colsChannels; m++) {
          System.arraycopy(c, m * n + i * outSize, cols, colsOff + i * colsStride + m * outSize, outSize);
        }
      }
    }
  }

  /**
   * {@code count} images of the "columns → image" direction: img = col2im(Wᵀ · cols), per group, overwriting img.
   * This is Conv's input gradient (cols dY, img dX) and ConvTranspose's forward (cols X, img Y).
   */
  void colsToImage(float[] cols, int colsOff, float[] wgt, float[] img, int imgOff, int count) {
    if (order == Order.NHWC) {
      final int rows = count * outSize;
      if (pointwise) {
        for (int g = 0; g < groups; g++) {
          blas.sgemm(false, false, rows, cgImage, mg, 1f, cols, colsOff + g * mg, colsChannels, wgt,
              g * mg * cgImage, cgImage, 0f, img, imgOff + g * cgImage, imageChannels);
        }
        return;
      }
      float[] col = floatCol(rows * groups * kg);
      for (int g = 0; g < groups; g++) {
        blas.sgemm(false, false, rows, kg, mg, 1f, cols, colsOff + g * mg, colsChannels, wgt, g * mg * kg, kg, 0f,
            col, g * kg, groups * kg);
      }
      Arrays.fill(img, imgOff, imgOff + count * imgStride, 0f);
      for (int i = 0; i < count; i++) {
        Im2Col.nhwcAdd(col, i * outSize * groups * kg, imageChannels, groups, window, img, imgOff + i * imgStride);
      }
      return;
    }
    final int n = count * outSize;
    float[] b = cols;
    int bOff = colsOff;
    if (count > 1) {
      b = floatOut(colsChannels * n);
      bOff = 0;
      for (int i = 0; i < count; i++) {
        for (int m = 0; m < colsChannels; m++) {
          System.arraycopy(cols, colsOff + i * colsStride + m * outSize, b, m * n + i * outSize, outSize);
        }
      }
    }
    if (pointwise) {
      float[] c = count == 1 ? img : floatCol(imageChannels * n);
      int cOff = count == 1 ? imgOff : 0;
      for (int g = 0; g < groups; g++) {
        blas.sgemm(true, false, cgImage, n, mg, 1f, wgt, g * mg * cgImage, cgImage, b, bOff + g * mg * n, n, 0f, c,
            cOff + g * cgImage * n, n);
      }
      if (count > 1) {
        for (int i = 0; i < count; i++) {
          for (int ch = 0; ch < imageChannels; ch++) {
            System.arraycopy(c, ch * n + i * inSize, img, imgOff + i * imgStride + ch * inSize, inSize);
          }
        }
      }
      return;
    }
    float[] col = floatCol(groups * kg * n);
    for (int g = 0; g < groups; g++) {
      blas.sgemm(true, false, kg, n, mg, 1f, wgt, g * mg * kg, kg, b, bOff + g * mg * n, n, 0f, col, g * kg * n, n);
    }
    Arrays.fill(img, imgOff, imgOff + count * imgStride, 0f);
    for (int i = 0; i < count; i++) {
      Im2Col.nchwAdd(col, i * outSize, n, imageChannels, window, img, imgOff + i * imgStride);
    }
  }

  /**
   * {@code count} images of the filter gradient, added into dw: dW += cols · im2col(img)ᵀ, per group. Conv: img X,
   * cols dY; ConvTranspose: img dY, cols X.
   */
  void filterGradient(float[] img, int imgOff, float[] cols, int colsOff, float[] dw, int count) {
    if (order == Order.NHWC) {
      final int rows = count * outSize;
      float[] b = img;
      int bOff = imgOff;
      int ldb = imageChannels;
      int k = cgImage;
      if (!pointwise) {
        b = floatCol(rows * groups * kg);
        for (int i = 0; i < count; i++) {
          Im2Col.nhwc(img, imgOff + i * imgStride, imageChannels, groups, window, b, i * outSize * groups * kg);
        }
        bOff = 0;
        ldb = groups * kg;
        k = kg;
      }
      for (int g = 0; g < groups; g++) {
        blas.sgemm(true, false, mg, k, rows, 1f, cols, colsOff + g * mg, colsChannels, b, bOff + g * k, ldb, 1f, dw,
            g * mg * k, k);
      }
      return;
    }
    final int n = count * outSize;
    float[] a = cols;
    int aOff = colsOff;
    if (count > 1) {
      a = floatOut(colsChannels * n);
      aOff = 0;
      for (int i = 0; i < count; i++) {
        for (int m = 0; m < colsChannels; m++) {
          System.arraycopy(cols, colsOff + i * colsStride + m * outSize, a, m * n + i * outSize, outSize);
        }
      }
    }
    float[] b;
    int bOff;
    int k;
    if (pointwise) {
      k = cgImage;
      if (count == 1) {
        b = img;
        bOff = imgOff;
      } else {
        b = floatCol(imageChannels * n);
        bOff = 0;
        for (int i = 0; i < count; i++) {
          for (int c = 0; c < imageChannels; c++) {
            System.arraycopy(img, imgOff + i * imgStride + c * inSize, b, c * n + i * inSize, inSize);
          }
        }
      }
    } else {
      k = kg;
      b = floatCol(groups * kg * n);
      bOff = 0;
      for (int i = 0; i < count; i++) {
        Im2Col.nchw(img, imgOff + i * imgStride, imageChannels, window, b, i * outSize, n);
      }
    }
    for (int g = 0; g < groups; g++) {
      blas.sgemm(false, true, mg, k, n, 1f, a, aOff + g * mg * n, n, b, bOff + g * k * n, n, 1f, dw, g * mg * k, k);
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

  private float[] floatCol(int n) {
    if (floatCol.length < n) {
      floatCol = new float[n];
    }
    return floatCol;
  }

  private float[] floatOut(int n) {
    if (floatOut.length < n) {
      floatOut = new float[n];
    }
    return floatOut;
  }

  // ---- double: the same over double[] with dgemm ----

  /**
   * {@code count} images of the "image → columns" direction: cols = W · im2col(img), per group. This is Conv's
   * forward (img the input X, cols the output Y) and ConvTranspose's input gradient (img dY, cols dX).
   */
  void imageToCols(double[] img, int imgOff, double[] wgt, double[] cols, int colsOff, int count) {
    if (order == Order.NHWC) {
      final int rows = count * outSize;
      double[] a = img;
      int aOff = imgOff;
      int lda = imageChannels;
      int k = cgImage;
      if (!pointwise) {
        a = doubleCol(rows * groups * kg);
        for (int i = 0; i < count; i++) {
          Im2Col.nhwc(img, imgOff + i * imgStride, imageChannels, groups, window, a, i * outSize * groups * kg);
        }
        aOff = 0;
        lda = groups * kg;
        k = kg;
      }
      for (int g = 0; g < groups; g++) {
        blas.dgemm(false, true, rows, mg, k, 1d, a, aOff + g * k, lda, wgt, g * mg * k, k, 0d, cols, colsOff + g * mg,
            colsChannels);
      }
      return;
    }
    final int n = count * outSize;
    double[] b;
    int bOff;
    int k;
    if (pointwise) {
      k = cgImage;
      if (count == 1) {
        b = img;
        bOff = imgOff;
      } else {
        b = doubleCol(imageChannels * n);
        bOff = 0;
        for (int i = 0; i < count; i++) {
          for (int c = 0; c < imageChannels; c++) {
            System.arraycopy(img, imgOff + i * imgStride + c * inSize, b, c * n + i * inSize, inSize);
          }
        }
      }
    } else {
      k = kg;
      b = doubleCol(groups * kg * n);
      bOff = 0;
      for (int i = 0; i < count; i++) {
        Im2Col.nchw(img, imgOff + i * imgStride, imageChannels, window, b, i * outSize, n);
      }
    }
    double[] c = count == 1 ? cols : doubleOut(colsChannels * n);
    int cOff = count == 1 ? colsOff : 0;
    for (int g = 0; g < groups; g++) {
      blas.dgemm(false, false, mg, n, k, 1d, wgt, g * mg * k, k, b, bOff + g * k * n, n, 0d, c, cOff + g * mg * n, n);
    }
    if (count > 1) {
      for (int i = 0; i < count; i++) {
        for (int m = 0; m < colsChannels; m++) {
          System.arraycopy(c, m * n + i * outSize, cols, colsOff + i * colsStride + m * outSize, outSize);
        }
      }
    }
  }

  /**
   * {@code count} images of the "columns → image" direction: img = col2im(Wᵀ · cols), per group, overwriting img.
   * This is Conv's input gradient (cols dY, img dX) and ConvTranspose's forward (cols X, img Y).
   */
  void colsToImage(double[] cols, int colsOff, double[] wgt, double[] img, int imgOff, int count) {
    if (order == Order.NHWC) {
      final int rows = count * outSize;
      if (pointwise) {
        for (int g = 0; g < groups; g++) {
          blas.dgemm(false, false, rows, cgImage, mg, 1d, cols, colsOff + g * mg, colsChannels, wgt,
              g * mg * cgImage, cgImage, 0d, img, imgOff + g * cgImage, imageChannels);
        }
        return;
      }
      double[] col = doubleCol(rows * groups * kg);
      for (int g = 0; g < groups; g++) {
        blas.dgemm(false, false, rows, kg, mg, 1d, cols, colsOff + g * mg, colsChannels, wgt, g * mg * kg, kg, 0d,
            col, g * kg, groups * kg);
      }
      Arrays.fill(img, imgOff, imgOff + count * imgStride, 0d);
      for (int i = 0; i < count; i++) {
        Im2Col.nhwcAdd(col, i * outSize * groups * kg, imageChannels, groups, window, img, imgOff + i * imgStride);
      }
      return;
    }
    final int n = count * outSize;
    double[] b = cols;
    int bOff = colsOff;
    if (count > 1) {
      b = doubleOut(colsChannels * n);
      bOff = 0;
      for (int i = 0; i < count; i++) {
        for (int m = 0; m < colsChannels; m++) {
          System.arraycopy(cols, colsOff + i * colsStride + m * outSize, b, m * n + i * outSize, outSize);
        }
      }
    }
    if (pointwise) {
      double[] c = count == 1 ? img : doubleCol(imageChannels * n);
      int cOff = count == 1 ? imgOff : 0;
      for (int g = 0; g < groups; g++) {
        blas.dgemm(true, false, cgImage, n, mg, 1d, wgt, g * mg * cgImage, cgImage, b, bOff + g * mg * n, n, 0d, c,
            cOff + g * cgImage * n, n);
      }
      if (count > 1) {
        for (int i = 0; i < count; i++) {
          for (int ch = 0; ch < imageChannels; ch++) {
            System.arraycopy(c, ch * n + i * inSize, img, imgOff + i * imgStride + ch * inSize, inSize);
          }
        }
      }
      return;
    }
    double[] col = doubleCol(groups * kg * n);
    for (int g = 0; g < groups; g++) {
      blas.dgemm(true, false, kg, n, mg, 1d, wgt, g * mg * kg, kg, b, bOff + g * mg * n, n, 0d, col, g * kg * n, n);
    }
    Arrays.fill(img, imgOff, imgOff + count * imgStride, 0d);
    for (int i = 0; i < count; i++) {
      Im2Col.nchwAdd(col, i * outSize, n, imageChannels, window, img, imgOff + i * imgStride);
    }
  }

  /**
   * {@code count} images of the filter gradient, added into dw: dW += cols · im2col(img)ᵀ, per group. Conv: img X,
   * cols dY; ConvTranspose: img dY, cols X.
   */
  void filterGradient(double[] img, int imgOff, double[] cols, int colsOff, double[] dw, int count) {
    if (order == Order.NHWC) {
      final int rows = count * outSize;
      double[] b = img;
      int bOff = imgOff;
      int ldb = imageChannels;
      int k = cgImage;
      if (!pointwise) {
        b = doubleCol(rows * groups * kg);
        for (int i = 0; i < count; i++) {
          Im2Col.nhwc(img, imgOff + i * imgStride, imageChannels, groups, window, b, i * outSize * groups * kg);
        }
        bOff = 0;
        ldb = groups * kg;
        k = kg;
      }
      for (int g = 0; g < groups; g++) {
        blas.dgemm(true, false, mg, k, rows, 1d, cols, colsOff + g * mg, colsChannels, b, bOff + g * k, ldb, 1d, dw,
            g * mg * k, k);
      }
      return;
    }
    final int n = count * outSize;
    double[] a = cols;
    int aOff = colsOff;
    if (count > 1) {
      a = doubleOut(colsChannels * n);
      aOff = 0;
      for (int i = 0; i < count; i++) {
        for (int m = 0; m < colsChannels; m++) {
          System.arraycopy(cols, colsOff + i * colsStride + m * outSize, a, m * n + i * outSize, outSize);
        }
      }
    }
    double[] b;
    int bOff;
    int k;
    if (pointwise) {
      k = cgImage;
      if (count == 1) {
        b = img;
        bOff = imgOff;
      } else {
        b = doubleCol(imageChannels * n);
        bOff = 0;
        for (int i = 0; i < count; i++) {
          for (int c = 0; c < imageChannels; c++) {
            System.arraycopy(img, imgOff + i * imgStride + c * inSize, b, c * n + i * inSize, inSize);
          }
        }
      }
    } else {
      k = kg;
      b = doubleCol(groups * kg * n);
      bOff = 0;
      for (int i = 0; i < count; i++) {
        Im2Col.nchw(img, imgOff + i * imgStride, imageChannels, window, b, i * outSize, n);
      }
    }
    for (int g = 0; g < groups; g++) {
      blas.dgemm(false, true, mg, k, n, 1d, a, aOff + g * mg * n, n, b, bOff + g * k * n, n, 1d, dw, g * mg * k, k);
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

  private double[] doubleCol(int n) {
    if (doubleCol.length < n) {
      doubleCol = new double[n];
    }
    return doubleCol;
  }

  private double[] doubleOut(int n) {
    if (doubleOut.length < n) {
      doubleOut = new double[n];
    }
    return doubleOut;
  }
}
