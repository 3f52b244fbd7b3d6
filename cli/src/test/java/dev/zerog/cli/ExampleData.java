package dev.zerog.cli;

import dev.zerog.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The generator of examples/mlp_data.npz: 512 examples of 8 features in 4 classes, each class two Gaussian
 * clusters (so that no linear classifier separates them), in a shuffled order. X is FLOAT [512, 8], label INT32
 * [512].
 */
final class ExampleData {
  static final int EXAMPLES = 512;
  static final int FEATURES = 8;
  static final int CLASSES = 4;
  static final int CLUSTERS_PER_CLASS = 2;

  private ExampleData() {}

  static Map<String, Tensor> generate() {
    SplittableRandom r = new SplittableRandom(2024);
    int clusters = CLASSES * CLUSTERS_PER_CLASS;
    double[][] centers = new double[clusters][FEATURES];
    for (double[] c : centers) {
      for (int j = 0; j < FEATURES; j++) {
        c[j] = 1.5 * gaussian(r);
      }
    }
    int[] order = new int[EXAMPLES];
    for (int i = 0; i < EXAMPLES; i++) {
      order[i] = i;
    }
    for (int i = EXAMPLES - 1; i > 0; i--) {
      int k = r.nextInt(i + 1);
      int t = order[i];
      order[i] = order[k];
      order[k] = t;
    }
    float[] x = new float[EXAMPLES * FEATURES];
    int[] label = new int[EXAMPLES];
    for (int i = 0; i < EXAMPLES; i++) {
      int cluster = order[i] % clusters;
      label[i] = cluster % CLASSES;
      for (int j = 0; j < FEATURES; j++) {
        x[i * FEATURES + j] = (float) (centers[cluster][j] + 0.8 * gaussian(r));
      }
    }
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("X", Tensor.of(x, EXAMPLES, FEATURES));
    m.put("label", Tensor.of(label, EXAMPLES));
    return m;
  }

  /** A standard normal value (Box–Muller with StrictMath, the same on every JVM). */
  private static double gaussian(SplittableRandom r) {
    double u = 1 - r.nextDouble();
    double v = r.nextDouble();
    return StrictMath.sqrt(-2 * StrictMath.log(u)) * StrictMath.cos(2 * StrictMath.PI * v);
  }
}
