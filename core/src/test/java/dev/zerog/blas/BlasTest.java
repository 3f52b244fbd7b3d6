package dev.zerog.blas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.zerog.ZerogException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BlasTest {

  /** Every implementation this machine has: always Java, and native where it loads. */
  static List<Blas> implementations() {
    List<Blas> all = new ArrayList<>();
    all.add(Blas.java());
    Blas n = Blas.nativeOrNull();
    if (n != null) {
      all.add(n);
    }
    return all;
  }

  @Test
  void javaPathIsPureJava() {
    Blas j = Blas.java();
    assertThat(j.isNative()).isFalse();
    assertThat(j.name()).startsWith("java");
  }

  @Test
  void choosingByPropertyValue() {
    assertThat(Blas.choose("java").isNative()).isFalse();
    assertThat(Blas.choose(" JAVA ").isNative()).isFalse();
    Blas auto = Blas.choose("auto");
    assertThat(auto.isNative()).isEqualTo(Blas.nativeOrNull() != null);
    assertThatThrownBy(() -> Blas.choose("mkl"))
        .isInstanceOf(ZerogException.class)
        .hasMessageContaining("zerog.blas=mkl")
        .hasMessageContaining("auto, native, java");
  }

  @Test
  void nativeIsUsedWhenInstalled() {
    // CI installs libopenblas0-pthread, so there this exercises the native path; elsewhere it is skipped.
    Blas n = Blas.nativeOrNull();
    assumeThat(n).isNotNull();
    assertThat(Blas.choose("native").isNative()).isTrue();
    assertThat(Blas.choose("auto").isNative()).isTrue();
  }

  @ParameterizedTest
  @MethodSource("implementations")
  void sgemmMatchesTheDefinitionForEveryTransposeAndStride(Blas blas) {
    SplittableRandom rnd = new SplittableRandom(7);
    for (int trial = 0; trial < 40; trial++) {
      int m = rnd.nextInt(1, 9);
      int n = rnd.nextInt(1, 9);
      int k = rnd.nextInt(1, 9);
      boolean ta = rnd.nextBoolean();
      boolean tb = rnd.nextBoolean();
      // Stored shapes, with padding columns to check the leading dimensions, and an offset into each array.
      int aRows = ta ? k : m;
      int aCols = ta ? m : k;
      int bRows = tb ? n : k;
      int bCols = tb ? k : n;
      int lda = aCols + rnd.nextInt(3);
      int ldb = bCols + rnd.nextInt(3);
      int ldc = n + rnd.nextInt(3);
      int off = rnd.nextInt(4);
      float[] a = randomFloats(rnd, off + aRows * lda);
      float[] b = randomFloats(rnd, off + bRows * ldb);
      float[] c = randomFloats(rnd, off + m * ldc);
      float[] expected = c.clone();
      float alpha = 1.5f;
      float beta = trial % 3 == 0 ? 0f : 0.5f;
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double s = 0;
          for (int p = 0; p < k; p++) {
            double av = ta ? a[off + p * lda + i] : a[off + i * lda + p];
            double bv = tb ? b[off + j * ldb + p] : b[off + p * ldb + j];
            s += av * bv;
          }
          int ci = off + i * ldc + j;
          expected[ci] = (float) (alpha * s + (beta == 0f ? 0 : beta * c[ci]));
        }
      }
      blas.sgemm(ta, tb, m, n, k, alpha, a, off, lda, b, off, ldb, beta, c, off, ldc);
      for (int i = 0; i < c.length; i++) {
        assertThat(c[i]).as("trial %d element %d (%s)", trial, i, blas).isCloseTo(expected[i],
            org.assertj.core.data.Offset.offset(1e-4f));
      }
    }
  }

  @ParameterizedTest
  @MethodSource("implementations")
  void dgemmAndGemvMatchTheDefinition(Blas blas) {
    // A = [[1,2,3],[4,5,6]] (2×3), B = [[1,0],[0,1],[1,1]] (3×2): A·B = [[4,5],[10,11]].
    double[] a = {1, 2, 3, 4, 5, 6};
    double[] b = {1, 0, 0, 1, 1, 1};
    double[] c = new double[4];
    blas.dgemm(false, false, 2, 2, 3, 1, a, 0, 3, b, 0, 2, 0, c, 0, 2);
    assertThat(c).containsExactly(4, 5, 10, 11);
    // Aᵀ·Aᵀᵀ = Aᵀ·A is 3×3.
    double[] ata = new double[9];
    blas.dgemm(true, false, 3, 3, 2, 1, a, 0, 3, a, 0, 3, 0, ata, 0, 3);
    assertThat(ata).containsExactly(17, 22, 27, 22, 29, 36, 27, 36, 45);

    float[] af = {1, 2, 3, 4, 5, 6};
    float[] y = {100, 100};
    blas.sgemv(false, 2, 3, 1f, af, 0, 3, new float[] {1, 1, 1}, 0, 1, 1f, y, 0, 1);
    assertThat(y).containsExactly(106f, 115f);
    float[] yt = new float[3];
    blas.sgemv(true, 2, 3, 2f, af, 0, 3, new float[] {1, -1}, 0, 1, 0f, yt, 0, 1);
    assertThat(yt).containsExactly(-6f, -6f, -6f);
    double[] yd = new double[2];
    blas.dgemv(false, 2, 3, 1, a, 0, 3, new double[] {1, 0, -1}, 0, 1, 0, yd, 0, 1);
    assertThat(yd).containsExactly(-2, -2);
  }

  @ParameterizedTest
  @MethodSource("implementations")
  void degenerateSizesNeverReachBlas(Blas blas) {
    float[] c = {Float.NaN, 2f, 3f, 4f};
    // k = 0: C = beta·C; beta = 0 overwrites even NaN, as BLAS does.
    blas.sgemm(false, false, 2, 2, 0, 1f, new float[0], 0, 0, new float[0], 0, 2, 0f, c, 0, 2);
    assertThat(c).containsExactly(0f, 0f, 0f, 0f);
    float[] d = {1f, 2f};
    blas.sgemm(false, false, 1, 2, 0, 1f, new float[0], 0, 0, new float[0], 0, 2, 2f, d, 0, 2);
    assertThat(d).containsExactly(2f, 4f);
    // m = 0 or n = 0: nothing at all.
    blas.sgemm(true, true, 0, 3, 4, 1f, new float[0], 0, 0, new float[12], 0, 4, 0f, new float[0], 0, 3);
    double[] y = {5, 6};
    blas.dgemv(false, 2, 0, 1, new double[0], 0, 0, new double[0], 0, 1, 3, y, 0, 1);
    assertThat(y).containsExactly(15, 18);
  }

  @Test
  void theDefaultIsLoadedOnce() {
    assertThat(Blas.get()).isSameAs(Blas.get());
  }

  private static float[] randomFloats(SplittableRandom rnd, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rnd.nextDouble(-1, 1);
    }
    return v;
  }
}
