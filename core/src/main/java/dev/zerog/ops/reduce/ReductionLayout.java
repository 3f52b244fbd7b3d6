package dev.zerog.ops.reduce;

import java.util.Arrays;

/**
 * The loop structure of a reduction over some axes of a row-major tensor X into Y (Y has X's dims with the
 * reduced axes set to 1). Adjacent axes that are both reduced or both kept are merged into one group, so that
 * the innermost group is one contiguous run of X: either summed into a single element of Y (reduced) or added
 * element by element to a run of Y (kept). The outer groups are walked with an odometer that tracks Y's index.
 *
 * <p>Built once per input shape and reused while the shape stays the same; {@link #odometer} is its scratch.
 */
final class ReductionLayout {
  final long[] dims;
  final boolean[] reducedAxes;
  /** Elements of X and Y. */
  final int xSize;
  final int ySize;
  /** How many elements of X each element of Y sums: xSize / ySize (0 when X is empty). */
  final long count;
  /** The innermost group: its length and whether it is reduced. */
  final int inner;
  final boolean innerReduced;
  /** The number of inner runs: xSize / inner. */
  final int runs;
  /** The outer groups, outermost first: their lengths and Y strides (0 when reduced). */
  final int[] outerCount;
  final int[] outerYStride;
  final int[] odometer;

  ReductionLayout(long[] dims, boolean[] reducedAxes) {
    this.dims = dims.clone();
    this.reducedAxes = reducedAxes.clone();
    long x = 1;
    long y = 1;
    for (int i = 0; i < dims.length; i++) {
      x *= dims[i];
      y *= reducedAxes[i] ? 1 : dims[i];
    }
    xSize = (int) x;
    ySize = (int) y;
    count = y == 0 ? 0 : x / y;
    // Merge axes into groups: size-1 axes join their neighbours whatever their flag.
    int[] counts = new int[dims.length + 1];
    boolean[] flags = new boolean[dims.length + 1];
    int groups = 0;
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] == 1) {
        continue;
      }
      if (groups > 0 && flags[groups - 1] == reducedAxes[i]) {
        counts[groups - 1] *= (int) dims[i];
      } else {
        counts[groups] = (int) dims[i];
        flags[groups] = reducedAxes[i];
        groups++;
      }
    }
    if (groups == 0) {
      counts[0] = 1;
      flags[0] = true;
      groups = 1;
    }
    inner = counts[groups - 1];
    innerReduced = flags[groups - 1];
    runs = inner == 0 ? 0 : xSize / inner;
    outerCount = Arrays.copyOf(counts, groups - 1);
    outerYStride = new int[groups - 1];
    int stride = innerReduced ? 1 : inner;
    for (int g = groups - 2; g >= 0; g--) {
      outerYStride[g] = flags[g] ? 0 : stride;
      if (!flags[g]) {
        stride *= counts[g];
      }
    }
    odometer = new int[groups - 1];
  }

  /** True if this layout is for these dims and reduced axes. */
  boolean matches(long[] dims, boolean[] reducedAxes) {
    return Arrays.equals(this.dims, dims) && Arrays.equals(this.reducedAxes, reducedAxes);
  }

  /** Resets the odometer to the first run; returns Y's index for it (0). */
  int start() {
    Arrays.fill(odometer, 0);
    return 0;
  }

  /** Advances the odometer by one run and returns Y's index for the next run. */
  int next(int yIndex) {
    int yi = yIndex;
    for (int g = odometer.length - 1; g >= 0; g--) {
      yi += outerYStride[g];
      if (++odometer[g] < outerCount[g]) {
        return yi;
      }
      yi -= outerYStride[g] * outerCount[g];
      odometer[g] = 0;
    }
    return yi;
  }

  // Forward: Y[y] = Σ X over the reduced axes, times scale. Y is overwritten.

  void sum(float[] x, float[] y, float scale) {
    Arrays.fill(y, 0f);
    int yi = start();
    for (int r = 0, xi = 0; r < runs; r++, xi += inner) {
      if (innerReduced) {
        float acc = 0;
        for (int k = 0; k < inner; k++) {
          acc += x[xi + k];
        }
        y[yi] += acc;
      } else {
        for (int k = 0; k < inner; k++) {
          y[yi + k] += x[xi + k];
        }
      }
      yi = next(yi);
    }
    if (scale != 1) {
      for (int i = 0; i < y.length; i++) {
        y[i] *= scale;
      }
    }
  }

  void sum(double[] x, double[] y, double scale) {
    Arrays.fill(y, 0d);
    int yi = start();
    for (int r = 0, xi = 0; r < runs; r++, xi += inner) {
      if (innerReduced) {
        double acc = 0;
        for (int k = 0; k < inner; k++) {
          acc += x[xi + k];
        }
        y[yi] += acc;
      } else {
        for (int k = 0; k < inner; k++) {
          y[yi + k] += x[xi + k];
        }
      }
      yi = next(yi);
    }
    if (scale != 1) {
      for (int i = 0; i < y.length; i++) {
        y[i] *= scale;
      }
    }
  }

  void sum(int[] x, int[] y) {
    Arrays.fill(y, 0);
    int yi = start();
    for (int r = 0, xi = 0; r < runs; r++, xi += inner) {
      if (innerReduced) {
        int acc = 0;
        for (int k = 0; k < inner; k++) {
          acc += x[xi + k];
        }
        y[yi] += acc;
      } else {
        for (int k = 0; k < inner; k++) {
          y[yi + k] += x[xi + k];
        }
      }
      yi = next(yi);
    }
  }

  void sum(long[] x, long[] y) {
    Arrays.fill(y, 0L);
    int yi = start();
    for (int r = 0, xi = 0; r < runs; r++, xi += inner) {
      if (innerReduced) {
        long acc = 0;
        for (int k = 0; k < inner; k++) {
          acc += x[xi + k];
        }
        y[yi] += acc;
      } else {
        for (int k = 0; k < inner; k++) {
          y[yi + k] += x[xi + k];
        }
      }
      yi = next(yi);
    }
  }

  // Backward: dX[x] = dY[y(x)] times scale, dY broadcast back over the reduced axes.

  void broadcast(float[] dy, float[] dx, float scale) {
    int yi = start();
    for (int r = 0, xi = 0; r < runs; r++, xi += inner) {
      if (innerReduced) {
        Arrays.fill(dx, xi, xi + inner, dy[yi] * scale);
      } else {
        for (int k = 0; k < inner; k++) {
          dx[xi + k] = dy[yi + k] * scale;
        }
      }
      yi = next(yi);
    }
  }

  void broadcast(double[] dy, double[] dx, double scale) {
    int yi = start();
    for (int r = 0, xi = 0; r < runs; r++, xi += inner) {
      if (innerReduced) {
        Arrays.fill(dx, xi, xi + inner, dy[yi] * scale);
      } else {
        for (int k = 0; k < inner; k++) {
          dx[xi + k] = dy[yi + k] * scale;
        }
      }
      yi = next(yi);
    }
  }

  void broadcast(int[] dy, int[] dx) {
    int yi = start();
    for (int r = 0, xi = 0; r < runs; r++, xi += inner) {
      if (innerReduced) {
        Arrays.fill(dx, xi, xi + inner, dy[yi]);
      } else {
        System.arraycopy(dy, yi, dx, xi, inner);
      }
      yi = next(yi);
    }
  }

  void broadcast(long[] dy, long[] dx) {
    int yi = start();
    for (int r = 0, xi = 0; r < runs; r++, xi += inner) {
      if (innerReduced) {
        Arrays.fill(dx, xi, xi + inner, dy[yi]);
      } else {
        System.arraycopy(dy, yi, dx, xi, inner);
      }
      yi = next(yi);
    }
  }
}
