package dev.zerog.blas;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.JavaBLAS;
import dev.ludovic.netlib.blas.NativeBLAS;
import dev.zerog.ZerogException;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.slf4j.LoggerFactory;

/**
 * Row-major matrix products (GEMM and GEMV, single and double precision) for zerog's operators.
 *
 * <p>zerog stores tensors row-major; BLAS is column-major. A row-major product {@code C = op(A)·op(B)} is the
 * column-major product {@code Cᵀ = op(B)ᵀ·op(A)ᵀ}, so each call here swaps the operands and passes the same
 * arrays on: nothing is copied or transposed in memory.
 *
 * <p>The implementation comes from dev.ludovic.netlib's {@code blas} artifact: the machine's native BLAS (the
 * {@code libblas.so.3} that the system resolves, OpenBLAS when {@code libopenblas0-pthread} is installed), or, when
 * that cannot be loaded, a pure-Java implementation. The system property {@code zerog.blas} chooses:
 * <ul>
 *   <li>{@code auto} (the default): native where it loads, else Java;</li>
 *   <li>{@code native}: native, and an error if it cannot be loaded;</li>
 *   <li>{@code java}: the pure-Java implementation even where native is available.</li>
 * </ul>
 * Native OpenBLAS runs its own threads; their number is set by the environment variable
 * {@code OPENBLAS_NUM_THREADS} (default: all cores). The Java implementation runs on the calling thread.
 *
 * <p>Degenerate sizes are handled here rather than passed to BLAS (which rejects a leading dimension of 0): a
 * product with no rows or columns does nothing, and one with an inner size of 0 only scales {@code C} by
 * {@code beta}. Instances are immutable and safe to share between threads.
 */
public final class Blas {

  /** The system property that chooses the implementation: {@code auto}, {@code native} or {@code java}. */
  public static final String PROPERTY = "zerog.blas";

  private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(Blas.class);

  /**
   * netlib reports a native library it cannot load as a java.util.logging warning on stderr; zerog reports the
   * choice itself, through SLF4J. The logger is held here so that its level stays set.
   */
  private static final Logger NETLIB_LOG = Logger.getLogger("dev.ludovic.netlib.blas.InstanceBuilder");

  private static volatile Blas defaultInstance;

  private final BLAS blas;
  private final String name;

  private Blas(BLAS blas, String name) {
    this.blas = blas;
    this.name = name;
  }

  /** The implementation chosen by {@value #PROPERTY}, loaded once. */
  public static Blas get() {
    Blas b = defaultInstance;
    if (b == null) {
      synchronized (Blas.class) {
        b = defaultInstance;
        if (b == null) {
          b = choose(System.getProperty(PROPERTY, "auto"));
          LOG.debug("BLAS: {}", b.name);
          defaultInstance = b;
        }
      }
    }
    return b;
  }

  /** The pure-Java implementation, whatever the property says. */
  public static Blas java() {
    Level before = NETLIB_LOG.getLevel();
    // Without the jdk.incubator.vector module, netlib warns that it falls back from its vectorized Java BLAS.
    NETLIB_LOG.setLevel(Level.OFF);
    try {
      JavaBLAS j = JavaBLAS.getInstance();
      return new Blas(j, "java (" + j.getClass().getSimpleName() + ")");
    } finally {
      NETLIB_LOG.setLevel(before);
    }
  }

  /** The native implementation, or {@code null} when the machine has no loadable native BLAS. */
  public static Blas nativeOrNull() {
    Level before = NETLIB_LOG.getLevel();
    NETLIB_LOG.setLevel(Level.OFF);
    try {
      NativeBLAS n = NativeBLAS.getInstance();
      return new Blas(n, "native (" + System.getProperty("dev.ludovic.netlib.blas.nativeLib", "libblas.so.3") + ")");
    } catch (RuntimeException | LinkageError e) {
      LOG.debug("no native BLAS: {}", e.toString());
      return null;
    } finally {
      NETLIB_LOG.setLevel(before);
    }
  }

  static Blas choose(String choice) {
    switch (choice.trim().toLowerCase(Locale.ROOT)) {
      case "java":
        return java();
      case "native": {
        Blas n = nativeOrNull();
        if (n == null) {
          throw new ZerogException("-D" + PROPERTY + "=native, but no native BLAS can be loaded (install"
              + " libopenblas0-pthread, or use -D" + PROPERTY + "=auto or java)");
        }
        return n;
      }
      case "auto":
      case "": {
        Blas n = nativeOrNull();
        return n != null ? n : java();
      }
      default:
        throw new ZerogException(
            "-D" + PROPERTY + "=" + choice + " is not one of auto, native, java");
    }
  }

  /** Says which implementation this is, for logs and reports: for example {@code native (libblas.so.3)}. */
  public String name() {
    return name;
  }

  /** True for the machine's native BLAS. */
  public boolean isNative() {
    return blas instanceof NativeBLAS;
  }

  /**
   * How many threads one product may use, as far as zerog can tell: 1 for the Java implementation; for the native
   * one, OpenBLAS's own choice, which is the first of the environment variables {@code OPENBLAS_NUM_THREADS},
   * {@code GOTO_NUM_THREADS} and {@code OMP_NUM_THREADS} that holds a positive number, else the number of
   * processors. (A native BLAS other than OpenBLAS may ignore these variables.)
   */
  public int threads() {
    if (!isNative()) {
      return 1;
    }
    for (String name : new String[] {"OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS"}) {
      String v = System.getenv(name);
      if (v != null) {
        try {
          int n = Integer.parseInt(v.trim());
          if (n > 0) {
            return n;
          }
        } catch (NumberFormatException e) {
          // OpenBLAS ignores a value it cannot read; so does this.
        }
      }
    }
    return Runtime.getRuntime().availableProcessors();
  }

  @Override
  public String toString() {
    return "Blas[" + name + "]";
  }

  /**
   * {@code C[m×n] = alpha·op(A)·op(B) + beta·C}, row-major, where {@code op(A)} is {@code m×k} and {@code op(B)}
   * is {@code k×n}. {@code lda}, {@code ldb}, {@code ldc} are the row strides of the arrays as stored (for a
   * dense {@code A} stored {@code m×k}, {@code lda = k}; stored transposed, {@code k×m}, {@code lda = m}).
   */
  public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOffset,
      int lda, float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc) {
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0 || alpha == 0f) {
      scaleRows(m, n, beta, c, cOffset, ldc);
      return;
    }
    blas.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, alpha, b, bOffset, Math.max(1, ldb), a, aOffset,
        Math.max(1, lda), beta, c, cOffset, Math.max(1, ldc));
  }

  /** The double-precision {@link #sgemm}. */
  public void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a, int aOffset,
      int lda, double[] b, int bOffset, int ldb, double beta, double[] c, int cOffset, int ldc) {
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0 || alpha == 0d) {
      scaleRows(m, n, beta, c, cOffset, ldc);
      return;
    }
    blas.dgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, alpha, b, bOffset, Math.max(1, ldb), a, aOffset,
        Math.max(1, lda), beta, c, cOffset, Math.max(1, ldc));
  }

  /**
   * {@code y = alpha·op(A)·x + beta·y}, row-major, where {@code A} is stored {@code m×n} with row stride
   * {@code lda}; {@code op(A)} is {@code A} ({@code x} has {@code n} elements, {@code y} has {@code m}) or
   * {@code Aᵀ} ({@code x} has {@code m}, {@code y} has {@code n}).
   */
  public void sgemv(boolean transA, int m, int n, float alpha, float[] a, int aOffset, int lda, float[] x,
      int xOffset, int incX, float beta, float[] y, int yOffset, int incY) {
    int rows = transA ? n : m;
    int cols = transA ? m : n;
    if (rows == 0) {
      return;
    }
    if (cols == 0 || alpha == 0f) {
      scaleVector(rows, beta, y, yOffset, incY);
      return;
    }
    // Row-major m×n is column-major n×m: A's transpose as BLAS sees it.
    blas.sgemv(transA ? "N" : "T", n, m, alpha, a, aOffset, Math.max(1, lda), x, xOffset, incX, beta, y, yOffset,
        incY);
  }

  /** The double-precision {@link #sgemv}. */
  public void dgemv(boolean transA, int m, int n, double alpha, double[] a, int aOffset, int lda, double[] x,
      int xOffset, int incX, double beta, double[] y, int yOffset, int incY) {
    int rows = transA ? n : m;
    int cols = transA ? m : n;
    if (rows == 0) {
      return;
    }
    if (cols == 0 || alpha == 0d) {
      scaleVector(rows, beta, y, yOffset, incY);
      return;
    }
    blas.dgemv(transA ? "N" : "T", n, m, alpha, a, aOffset, Math.max(1, lda), x, xOffset, incX, beta, y, yOffset,
        incY);
  }

  // BLAS semantics for beta: 0 overwrites C (even NaN in C), 1 leaves it, anything else scales it.
  private static void scaleRows(int m, int n, float beta, float[] c, int off, int ldc) {
    if (beta == 1f) {
      return;
    }
    for (int i = 0; i < m; i++) {
      int row = off + i * ldc;
      for (int j = 0; j < n; j++) {
        c[row + j] = beta == 0f ? 0f : beta * c[row + j];
      }
    }
  }

  private static void scaleRows(int m, int n, double beta, double[] c, int off, int ldc) {
    if (beta == 1d) {
      return;
    }
    for (int i = 0; i < m; i++) {
      int row = off + i * ldc;
      for (int j = 0; j < n; j++) {
        c[row + j] = beta == 0d ? 0d : beta * c[row + j];
      }
    }
  }

  private static void scaleVector(int len, float beta, float[] y, int off, int inc) {
    if (beta == 1f) {
      return;
    }
    for (int i = 0; i < len; i++) {
      int p = off + i * inc;
      y[p] = beta == 0f ? 0f : beta * y[p];
    }
  }

  private static void scaleVector(int len, double beta, double[] y, int off, int inc) {
    if (beta == 1d) {
      return;
    }
    for (int i = 0; i < len; i++) {
      int p = off + i * inc;
      y[p] = beta == 0d ? 0d : beta * y[p];
    }
  }
}
