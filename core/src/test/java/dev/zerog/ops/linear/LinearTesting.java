package dev.zerog.ops.linear;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.zerog.blas.Blas;
import dev.zerog.net.Net;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.tensor.Tensor;
import java.lang.management.ManagementFactory;
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

  /**
   * The fewest bytes this thread allocates in 1000 runs of {@code net}, over several windows after a warm-up (until
   * the JIT has compiled the code, interpreted code may allocate what compiled code keeps in registers). Skips the
   * test where the JVM cannot count allocations.
   */
  static long bytesPerThousandRuns(Net net) {
    var threads = ManagementFactory.getThreadMXBean();
    assumeTrue(threads instanceof com.sun.management.ThreadMXBean);
    var counter = (com.sun.management.ThreadMXBean) threads;
    assumeTrue(counter.isThreadAllocatedMemorySupported() && counter.isThreadAllocatedMemoryEnabled());
    for (int k = 0; k < 3000; k++) {
      net.run();
    }
    long thread = Thread.currentThread().getId();
    long best = Long.MAX_VALUE;
    for (int window = 0; window < 10 && best > 0; window++) {
      long before = counter.getThreadAllocatedBytes(thread);
      for (int k = 0; k < 1000; k++) {
        net.run();
      }
      best = Math.min(best, counter.getThreadAllocatedBytes(thread) - before);
    }
    return best;
  }
}
