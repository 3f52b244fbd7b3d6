package dev.zerog.ops.linear;

import dev.zerog.blas.Blas;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.tensor.Tensor;
import java.util.HashSet;
import java.util.Set;

/** What the linear operators' tests share: a registry whose linear operators use a chosen BLAS, and references. */
final class LinearTesting {
  private LinearTesting() {}

  /** The standard registry, with the linear operators running on {@code blas}. */
  static OperatorRegistry registryWith(Blas blas) {
    Set<String> linear = new HashSet<>();
    for (OperatorDefinition d : LinearOperators.definitions(blas)) {
      linear.add(d.type());
    }
    OperatorRegistry.Builder b = OperatorRegistry.builder();
    for (OperatorDefinition d : OperatorRegistry.standard().definitions()) {
      if (!linear.contains(d.type())) {
        b.add(d);
      }
    }
    return b.addAll(LinearOperators.definitions(blas)).build();
  }

  /**
   * The reference product {@code op(A)·op(B)} in double, row-major: A stored {@code rowsA×colsA}, B stored
   * {@code rowsB×colsB}, op transposing when asked.
   */
  static double[] product(double[] a, int rowsA, int colsA, boolean transA, double[] b, int rowsB, int colsB,
      boolean transB) {
    int m = transA ? colsA : rowsA;
    int k = transA ? rowsA : colsA;
    int n = transB ? rowsB : colsB;
    double[] c = new double[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) {
          double av = transA ? a[p * colsA + i] : a[i * colsA + p];
          double bv = transB ? b[j * colsB + p] : b[p * colsB + j];
          s += av * bv;
        }
        c[i * n + j] = s;
      }
    }
    return c;
  }

  /** A tensor's elements as doubles. */
  static double[] values(Tensor t) {
    double[] out = new double[t.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = t.getDouble(i);
    }
    return out;
  }
}
