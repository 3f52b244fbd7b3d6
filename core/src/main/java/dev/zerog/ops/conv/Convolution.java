package dev.zerog.ops.conv;

import dev.zerog.blas.Blas;
import dev.zerog.op.KernelThreads;
import dev.zerog.ops.conv.ConvPoolArguments.Order;
import java.util.Arrays;

/**
 * The arithmetic of convolution shared by Conv, ConvTranspose and their gradients.
 *
 * <p>A convolution relates an "image" side (Conv's input, ConvTranspose's output) of {@code imageChannels}
 * channels over the window's input positions and a "columns" side (Conv's output, ConvTranspose's input) of
 * {@code colsChannels} channels over its output positions, through a filter W of shape
 * [colsChannels, imageChannels / G, kernel...] (NCHW) or [colsChannels, kernel..., imageChannels / G] (NHWC).
 * Three products cover every direction: cols = W · im2col(img), img = col2im(Wᵀ · cols) and dW += cols ·
 * im2col(img)ᵀ, each one BLAS GEMM per group for a run of images: their im2col matrices side by side (NCHW) or one
 * under the other (NHWC), so that small images still make large products ({@link #imagesPerCall}). A 1×1 window
 * with stride 1 and no padding skips im2col: the images themselves are the matrix. FLOAT runs go through the
 * drivers {@link #imageToCols(float[], float[], float[], int)}, {@link #colsToImage(float[], float[], float[], int)},
 * {@link #convGradient(float[], float[], float[], float[], float[], int)} and
 * {@link #transposeGradient(float[], float[], float[], float[], float[], int)}, which share the cores as described
 * at the FLOAT section; DOUBLE runs go call by call on the calling thread.
 *
 * <p>The buffers are kept between runs and grow only when a larger one is needed. One instance per operator: an
 * instance is used by one thread at a time (its split runs hand each block of images to one kernel thread).
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
  //
  // The drivers below run all n images of an op. Unless the run is split, they go through the images in calls of
  // imagesPerCall images, each product on the BLAS's own threads and each im2col, col2im or row copy split across
  // the kernel threads. When the BLAS runs products on one thread and zerog has several (splitImages), the images
  // are cut into one contiguous block per kernel thread instead, and each block runs whole on one thread with its
  // own buffers: a product of half the images on each core, with no synchronization inside it. Piece k of a split
  // run always takes the same images and adds its filter gradient into its own buffer, which are summed in piece
  // order afterwards, so the results do not depend on which thread ran which piece.

  /** The buffers of one piece of a split run; a run that is not split uses the first. */
  private static final class Scratch {
    float[] col = new float[0];
    float[] out = new float[0];
    float[] dw = new float[0];

    float[] col(int n) {
      if (col.length < n) {
        col = new float[n];
      }
      return col;
    }

    float[] out(int n) {
      if (out.length < n) {
        out = new float[n];
      }
      return out;
    }

    float[] dw(int n) {
      if (dw.length < n) {
        dw = new float[n];
      }
      return dw;
    }
  }

  private final Scratch[] scratch;
  /** True when FLOAT runs split their images across the kernel threads (see above). */
  private final boolean splitImages;

  /**
   * An engine that splits FLOAT runs into one block of images per kernel thread when the BLAS runs each product on
   * one thread and there are several kernel threads, and does not split them otherwise.
   */
  Convolution() {
    this(KernelThreads.threads() > 1 && Blas.get().threads() == 1 ? KernelThreads.threads() : 1);
  }

  /** An engine that splits FLOAT runs into {@code imageBlocks} blocks of images (none if 1). */
  Convolution(int imageBlocks) {
    scratch = newScratch(imageBlocks);
    splitImages = imageBlocks > 1;
  }

  private static Scratch[] newScratch(int n) {
    Scratch[] s = new Scratch[Math.max(1, n)];
    for (int i = 0; i < s.length; i++) {
      s[i] = new Scratch();
    }
    return s;
  }

  /** True when FLOAT runs of this engine split their images across the kernel threads. */
  boolean splitsImages() {
    return splitImages;
  }

  private static final int IMAGE_TO_COLS = 0;
  private static final int COLS_TO_IMAGE = 1;
  private static final int CONV_GRADIENT = 2;
  private static final int TRANSPOSE_GRADIENT = 3;

  private int runKind;
  private int runImages;
  private float[] runA;
  private float[] runB;
  private float[] runW;
  private float[] runDw;
  private float[] runDx;
  private final KernelThreads.Body pieceLoop = this::runPieces;

  /**
   * All n images of the "image → columns" direction: cols = W · im2col(img). Conv's forward (img X, cols Y) and
   * ConvTranspose's input gradient (img dY, cols dX).
   */
  void imageToCols(float[] img, float[] wgt, float[] cols, int n) {
    run(IMAGE_TO_COLS, n, img, cols, wgt, null, null);
  }

  /**
   * All n images of the "columns → image" direction: img = col2im(Wᵀ · cols), overwriting img. ConvTranspose's
   * forward (cols X, img Y).
   */
  void colsToImage(float[] cols, float[] wgt, float[] img, int n) {
    run(COLS_TO_IMAGE, n, img, cols, wgt, null, null);
  }

  /**
   * Conv's gradient for all n images: dW = Σ dY · im2col(X)ᵀ (dw overwritten) and, when {@code dx} is not null,
   * dX = col2im(Wᵀ · dY).
   */
  void convGradient(float[] x, float[] dy, float[] wgt, float[] dw, float[] dx, int n) {
    run(CONV_GRADIENT, n, x, dy, wgt, dw, dx);
  }

  /**
   * ConvTranspose's gradient for all n images: dW = Σ X · im2col(dY)ᵀ (dw overwritten) and, when {@code dx} is not
   * null, dX = W · im2col(dY).
   */
  void transposeGradient(float[] dy, float[] x, float[] wgt, float[] dw, float[] dx, int n) {
    run(TRANSPOSE_GRADIENT, n, dy, x, wgt, dw, dx);
  }

  /** Runs one of the drivers: {@code img} is the image side, {@code cols} the columns side. */
  private void run(int kind, int n, float[] img, float[] cols, float[] wgt, float[] dw, float[] dx) {
    if (dw != null) {
      Arrays.fill(dw, 0f);
    }
    int pieces = Math.min(n, scratch.length);
    if (!splitImages || pieces < 2) {
      runImages(kind, 0, n, img, cols, wgt, dw, dx, scratch[0], false);
      return;
    }
    runKind = kind;
    runImages = n;
    runA = img;
    runB = cols;
    runW = wgt;
    runDw = dw;
    runDx = dx;
    try {
      KernelThreads.forRange(pieces, 1, pieceLoop);
    } finally {
      runA = null;
      runB = null;
      runW = null;
      runDw = null;
      runDx = null;
    }
    if (dw != null) {
      for (int k = 1; k < pieces; k++) {
        float[] part = scratch[k].dw;
        for (int i = 0; i < dw.length; i++) {
          dw[i] += part[i];
        }
      }
    }
  }

  private void runPieces(int from, int to) {
    int pieces = Math.min(runImages, scratch.length);
    for (int k = from; k < to; k++) {
      int first = (int) ((long) k * runImages / pieces);
      int end = (int) ((long) (k + 1) * runImages / pieces);
      float[] dw = runDw;
      if (dw != null && k > 0) {
        dw = scratch[k].dw(dw.length);
        Arrays.fill(dw, 0, runDw.length, 0f);
      }
      runImages(runKind, first, end, runA, runB, runW, dw, runDx, scratch[k], true);
    }
  }

  /** Images [first, end) of a driver, in calls of {@link #imagesPerCall}; {@code inline}: all on this thread. */
  private void runImages(int kind, int first, int end, float[] img, float[] cols, float[] wgt, float[] dw,
      float[] dx, Scratch s, boolean inline) {
    for (int i = first, per = imagesPerCall(end - first); i < end; i += per) {
      int count = Math.min(per, end - i);
      int imgOff = i * imgStride;
      int colsOff = i * colsStride;
      switch (kind) {
        case IMAGE_TO_COLS:
          imageToCols(img, imgOff, wgt, cols, colsOff, count, s, inline);
          break;
        case COLS_TO_IMAGE:
          colsToImage(cols, colsOff, wgt, img, imgOff, count, s, inline);
          break;
        case CONV_GRADIENT:
          convGradient(img, imgOff, cols, colsOff, wgt, dw, dx, count, s, inline);
          break;
        default:
          filterGradient(img, imgOff, cols, colsOff, dw, count, s, inline);
          if (dx != null) {
            imageToCols(img, imgOff, wgt, dx, colsOff, count, s, inline);
          }
          break;
      }
    }
  }

  /** One call of the "image → columns" direction over {@code count} images. */
  private void imageToCols(float[] img, int imgOff, float[] wgt, float[] cols, int colsOff, int count, Scratch s,
      boolean inline) {
    if (order == Order.NHWC) {
      final int rows = count * outSize;
      float[] a = img;
      int aOff = imgOff;
      int lda = imageChannels;
      int k = cgImage;
      if (!pointwise) {
        a = s.col(rows * groups * kg);
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
    float[] b = imageMatrix(img, imgOff, count, s, inline);
    int bOff = b == img ? imgOff : 0;
    int k = pointwise ? cgImage : kg;
    float[] c = count == 1 ? cols : s.out(colsChannels * n);
    int cOff = count == 1 ? colsOff : 0;
    for (int g = 0; g < groups; g++) {
      blas.sgemm(false, false, mg, n, k, 1f, wgt, g * mg * k, k, b, bOff + g * k * n, n, 0f, c, cOff + g * mg * n, n);
    }
    if (count > 1) {
      copyRows(cols, colsOff, colsStride, c, n, outSize, colsChannels, count, false, inline);
    }
  }

  /** One call of the "columns → image" direction over {@code count} images, overwriting img. */
  private void colsToImage(float[] cols, int colsOff, float[] wgt, float[] img, int imgOff, int count, Scratch s,
      boolean inline) {
    if (order == Order.NHWC) {
      final int rows = count * outSize;
      if (pointwise) {
        for (int g = 0; g < groups; g++) {
          blas.sgemm(false, false, rows, cgImage, mg, 1f, cols, colsOff + g * mg, colsChannels, wgt,
              g * mg * cgImage, cgImage, 0f, img, imgOff + g * cgImage, imageChannels);
        }
        return;
      }
      float[] col = s.col(rows * groups * kg);
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
    float[] b = colsMatrix(cols, colsOff, count, s, inline);
    columnsToImage(b, b == cols ? colsOff : 0, wgt, img, imgOff, count, s, inline);
  }

  /** One call of Conv's gradient over {@code count} images: dW += dY · im2col(X)ᵀ; dX = col2im(Wᵀ · dY). */
  private void convGradient(float[] x, int xOff, float[] dy, int dyOff, float[] wgt, float[] dw, float[] dx,
      int count, Scratch s, boolean inline) {
    if (order == Order.NHWC) {
      filterGradient(x, xOff, dy, dyOff, dw, count, s, inline);
      if (dx != null) {
        colsToImage(dy, dyOff, wgt, dx, xOff, count, s, inline);
      }
      return;
    }
    // NCHW lays the images' dY side by side once for both products.
    float[] a = colsMatrix(dy, dyOff, count, s, inline);
    int aOff = a == dy ? dyOff : 0;
    filterProduct(x, xOff, a, aOff, dw, count, s, inline);
    if (dx != null) {
      columnsToImage(a, aOff, wgt, dx, xOff, count, s, inline);
    }
  }

  /**
   * One call of the filter gradient over {@code count} images, added into dw: dW += cols · im2col(img)ᵀ, per
   * group. Conv: img X, cols dY; ConvTranspose: img dY, cols X.
   */
  private void filterGradient(float[] img, int imgOff, float[] cols, int colsOff, float[] dw, int count, Scratch s,
      boolean inline) {
    if (order == Order.NHWC) {
      final int rows = count * outSize;
      float[] b = img;
      int bOff = imgOff;
      int ldb = imageChannels;
      int k = cgImage;
      if (!pointwise) {
        b = s.col(rows * groups * kg);
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
    float[] a = colsMatrix(cols, colsOff, count, s, inline);
    filterProduct(img, imgOff, a, a == cols ? colsOff : 0, dw, count, s, inline);
  }

  /** NCHW: dW += a · im2col(img)ᵀ per group, a the columns side already laid out as [colsChannels, count · outSize]. */
  private void filterProduct(float[] img, int imgOff, float[] a, int aOff, float[] dw, int count, Scratch s,
      boolean inline) {
    final int n = count * outSize;
    float[] b = imageMatrix(img, imgOff, count, s, inline);
    int bOff = b == img ? imgOff : 0;
    int k = pointwise ? cgImage : kg;
    for (int g = 0; g < groups; g++) {
      blas.sgemm(false, true, mg, k, n, 1f, a, aOff + g * mg * n, n, b, bOff + g * k * n, n, 1f, dw, g * mg * k, k);
    }
  }

  /** NCHW: img = col2im(Wᵀ · b) per group, b the columns side laid out as [colsChannels, count · outSize]. */
  private void columnsToImage(float[] b, int bOff, float[] wgt, float[] img, int imgOff, int count, Scratch s,
      boolean inline) {
    final int n = count * outSize;
    if (pointwise) {
      float[] c = count == 1 ? img : s.col(imageChannels * n);
      int cOff = count == 1 ? imgOff : 0;
      for (int g = 0; g < groups; g++) {
        blas.sgemm(true, false, cgImage, n, mg, 1f, wgt, g * mg * cgImage, cgImage, b, bOff + g * mg * n, n, 0f, c,
            cOff + g * cgImage * n, n);
      }
      if (count > 1) {
        copyRows(img, imgOff, imgStride, c, n, inSize, imageChannels, count, false, inline);
      }
      return;
    }
    float[] col = s.col(groups * kg * n);
    for (int g = 0; g < groups; g++) {
      blas.sgemm(true, false, kg, n, mg, 1f, wgt, g * mg * kg, kg, b, bOff + g * mg * n, n, 0f, col, g * kg * n, n);
    }
    im2col(img, imgOff, col, n, count, true, inline);
  }

  /**
   * NCHW: the image side of {@code count} images as one matrix of [imageChannels · kernelSize, count · outSize]:
   * img itself for one pointwise image, else the images' channels (pointwise) or their im2col side by side in the
   * column buffer.
   */
  private float[] imageMatrix(float[] img, int imgOff, int count, Scratch s, boolean inline) {
    final int n = count * outSize;
    if (pointwise) {
      if (count == 1) {
        return img;
      }
      float[] b = s.col(imageChannels * n);
      copyRows(img, imgOff, imgStride, b, n, inSize, imageChannels, count, true, inline);
      return b;
    }
    float[] b = s.col(groups * kg * n);
    im2col(img, imgOff, b, n, count, false, inline);
    return b;
  }

  /** NCHW: the columns side of {@code count} images as [colsChannels, count · outSize]: cols itself for one image. */
  private float[] colsMatrix(float[] cols, int colsOff, int count, Scratch s, boolean inline) {
    if (count == 1) {
      return cols;
    }
    final int n = count * outSize;
    float[] a = s.out(colsChannels * n);
    copyRows(cols, colsOff, colsStride, a, n, outSize, colsChannels, count, true, inline);
    return a;
  }

  // NCHW row copies and im2col/col2im, split across the kernel threads by (image, channel) unless inline. The
  // arguments of a split call are kept in fields for the loop bodies, which are created once.

  /** A piece of a split loop moves at least this many elements. */
  static final int PIECE = 1 << 15;

  private float[] loopImg;
  private float[] loopMatrix;
  private int loopImgOff;
  private int loopImgStride;
  private int loopRows;
  private int loopLength;
  private int loopLd;
  private boolean loopFlag;
  private final KernelThreads.Body copyLoop = (from, to) -> copyRange(loopImg, loopImgOff, loopImgStride,
      loopMatrix, loopLd, loopLength, loopRows, loopFlag, from, to);
  private final KernelThreads.Body im2colLoop = (from, to) -> im2colRange(loopImg, loopImgOff, loopMatrix, loopLd,
      loopFlag, from, to);

  /**
   * Copies {@code rows} rows of {@code length} elements of each of {@code count} images between the images (image i
   * at imagesOff + i · imageStride, its row j at + j · length) and a matrix that holds them side by side (row j at
   * j · ld, image i's part at + i · length): into the matrix when {@code gather}, out of it otherwise.
   */
  private void copyRows(float[] images, int imagesOff, int imageStride, float[] matrix, int ld, int length,
      int rows, int count, boolean gather, boolean inline) {
    if (inline) {
      copyRange(images, imagesOff, imageStride, matrix, ld, length, rows, gather, 0, count * rows);
      return;
    }
    loopImg = images;
    loopImgOff = imagesOff;
    loopImgStride = imageStride;
    loopMatrix = matrix;
    loopLd = ld;
    loopLength = length;
    loopRows = rows;
    loopFlag = gather;
    try {
      KernelThreads.forRange(count * rows, Math.max(1, PIECE / Math.max(1, length)), copyLoop);
    } finally {
      loopImg = null;
      loopMatrix = null;
    }
  }

  /** The rows [from, to) (row u is image u / rows, row u % rows) of {@link #copyRows}. */
  private static void copyRange(float[] images, int imagesOff, int imageStride, float[] matrix, int ld, int length,
      int rows, boolean gather, int from, int to) {
    for (int u = from; u < to; u++) {
      int i = u / rows;
      int j = u - i * rows;
      int imgAt = imagesOff + i * imageStride + j * length;
      int matAt = j * ld + i * length;
      if (gather) {
        System.arraycopy(images, imgAt, matrix, matAt, length);
      } else {
        System.arraycopy(matrix, matAt, images, imgAt, length);
      }
    }
  }

  /**
   * im2col of {@code count} images into col (row r of image i at r · ld + i · outSize), or, when {@code add}, the
   * inverse: the images zeroed and col's entries added back into them.
   */
  private void im2col(float[] img, int imgOff, float[] col, int ld, int count, boolean add, boolean inline) {
    if (inline) {
      im2colRange(img, imgOff, col, ld, add, 0, count * imageChannels);
      return;
    }
    loopImg = img;
    loopImgOff = imgOff;
    loopMatrix = col;
    loopLd = ld;
    loopFlag = add;
    try {
      int perChannel = window.kernelSize() * outSize;
      KernelThreads.forRange(count * imageChannels, Math.max(1, PIECE / Math.max(1, perChannel)), im2colLoop);
    } finally {
      loopImg = null;
      loopMatrix = null;
    }
  }

  /** The (image, channel) units [from, to) of {@link #im2col}: unit u is image u / C, channel u % C. */
  private void im2colRange(float[] img, int imgOff, float[] col, int ld, boolean add, int from, int to) {
    final int kernelSize = window.kernelSize();
    for (int i = from / imageChannels; i * imageChannels < to; i++) {
      int c0 = Math.max(from - i * imageChannels, 0);
      int c1 = Math.min(to - i * imageChannels, imageChannels);
      int imgAt = imgOff + i * imgStride + c0 * inSize;
      int colAt = c0 * kernelSize * ld + i * outSize;
      if (add) {
        Arrays.fill(img, imgAt, imgAt + (c1 - c0) * inSize, 0f);
        Im2Col.nchwAdd(col, colAt, ld, c1 - c0, window, img, imgAt);
      } else {
        Im2Col.nchw(img, imgAt, c1 - c0, window, col, colAt, ld);
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
