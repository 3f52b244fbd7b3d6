package dev.zerog.bench;

import dev.zerog.blas.Blas;
import java.util.Locale;

/**
 * The floor of the MLP training step ({@code bench/run-mlp.sh}): only the matrix products of one zerog step, the
 * same calls with the same shapes, through the same {@link Blas} facade, and nothing else. Per layer: FC's
 * {@code Y = X·Wᵀ} (M×N, K deep), FCGradient's {@code dW = dYᵀ·X} and {@code dX = dY·W} (zerog computes dX of the
 * first layer too, as Caffe2's FCGradient always does; PyTorch and DJL skip it). Reported like a side, so the
 * script can say which share of zerog's step the products take, and at how many GFLOP/s the BLAS ran.
 */
public final class GemmFloor {
  private GemmFloor() {}

  /** Runs the benchmark; options as {@link MlpSpec}. */
  public static void main(String[] args) {
    MlpSpec spec = MlpSpec.parse(args);
    Blas blas = Blas.get();
    int layers = spec.layers();
    int m = spec.batch();
    float[][] x = new float[layers][];
    float[][] w = new float[layers][];
    float[][] y = new float[layers][];
    float[][] dw = new float[layers][];
    float[][] dx = new float[layers][];
    for (int i = 0; i < layers; i++) {
      int k = spec.fanIn(i);
      int n = spec.fanOut(i);
      x[i] = filled(m * k, 0.01f);
      w[i] = filled(n * k, 0.02f);
      y[i] = new float[m * n];
      dw[i] = new float[n * k];
      dx[i] = new float[m * k];
    }
    double gflop = spec.gemmFlops(true) / 1e9;
    System.out.println(String.format(Locale.ROOT, "gemm: the %d matrix products of one zerog step, %.2f GFLOP; "
        + "BLAS %s, OPENBLAS_NUM_THREADS=%s", 3 * layers, gflop, blas.name(), System.getenv("OPENBLAS_NUM_THREADS")));
    StepTimer.run("gemm", spec, () -> {
      for (int i = 0; i < layers; i++) {
        int k = spec.fanIn(i);
        int n = spec.fanOut(i);
        blas.sgemm(false, true, m, n, k, 1f, x[i], 0, k, w[i], 0, k, 1f, y[i], 0, n);
      }
      for (int i = layers - 1; i >= 0; i--) {
        int k = spec.fanIn(i);
        int n = spec.fanOut(i);
        // dY stands in with Y: same shape, and the products do not care about the values.
        blas.sgemm(true, false, n, k, m, 1f, y[i], 0, n, x[i], 0, k, 0f, dw[i], 0, k);
        blas.sgemm(false, false, m, k, n, 1f, y[i], 0, n, w[i], 0, k, 0f, dx[i], 0, k);
      }
      return 0f;
    }, "gflop_per_step=" + String.format(Locale.ROOT, "%.3f", gflop));
  }

  private static float[] filled(int size, float value) {
    float[] a = new float[size];
    for (int i = 0; i < size; i++) {
      a[i] = value * ((i % 7) - 3);
    }
    return a;
  }
}
