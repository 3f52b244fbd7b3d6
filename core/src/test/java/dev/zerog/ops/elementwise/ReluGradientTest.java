package dev.zerog.ops.elementwise;

import static dev.zerog.testing.OpDefs.op;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zerog.net.Net;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * ReluGradient's kernel, which runs as vectorizable arithmetic and falls back to the select: it must equal
 * {@code dx = y > 0 ? dy : 0} bit for bit (signed zeros, infinities, NaN, subnormals), in and out of place.
 */
class ReluGradientTest {
  private static final float[] SPECIAL_F = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL,
      Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
      Float.intBitsToFloat(0x7fc00123), 1f, -1f, 3e-39f};
  private static final double[] SPECIAL_D = {0d, -0d, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL,
      Double.MAX_VALUE, -Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, 1d, -1d,
      3e-310};

  private static float[] floats(SplittableRandom r, int n, double specialShare) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = r.nextDouble() < specialShare ? SPECIAL_F[r.nextInt(SPECIAL_F.length)]
          : (float) (r.nextDouble(-2, 2) * Math.pow(10, r.nextInt(-6, 6)));
    }
    return a;
  }

  private static double[] doubles(SplittableRandom r, int n, double specialShare) {
    double[] a = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = r.nextDouble() < specialShare ? SPECIAL_D[r.nextInt(SPECIAL_D.length)]
          : r.nextDouble(-2, 2) * Math.pow(10, r.nextInt(-6, 6));
    }
    return a;
  }

  private static float[] select(float[] y, float[] dy) {
    float[] dx = new float[y.length];
    for (int i = 0; i < y.length; i++) {
      dx[i] = y[i] > 0 ? dy[i] : 0f;
    }
    return dx;
  }

  private static double[] select(double[] y, double[] dy) {
    double[] dx = new double[y.length];
    for (int i = 0; i < y.length; i++) {
      dx[i] = y[i] > 0 ? dy[i] : 0d;
    }
    return dx;
  }

  private static void assertSameBits(float[] actual, float[] expected, String what) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.length; i++) {
      assertThat(Float.floatToRawIntBits(actual[i])).as("%s, element %d: %s for %s", what, i, actual[i],
          expected[i]).isEqualTo(Float.floatToRawIntBits(expected[i]));
    }
  }

  private static void assertSameBits(double[] actual, double[] expected, String what) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.length; i++) {
      assertThat(Double.doubleToRawLongBits(actual[i])).as("%s, element %d: %s for %s", what, i, actual[i],
          expected[i]).isEqualTo(Double.doubleToRawLongBits(expected[i]));
    }
  }

  @Test
  void floatOpIsTheSelectBitForBitInAndOutOfPlace() {
    SplittableRandom r = new SplittableRandom(41);
    for (double share : new double[] {0, 0.05, 0.5}) {
      for (int n : new int[] {0, 1, 7, 64, 1000}) {
        float[] y = floats(r, n, share);
        float[] dy = floats(r, n, share);
        float[] expected = select(y, dy);
        Workspace ws = new Workspace();
        ws.feed("y", Tensor.of(y.clone(), n));
        ws.feed("dy", Tensor.of(dy.clone(), n));
        Net.runOperatorOnce(op("ReluGradient", List.of("y", "dy"), List.of("dx")), ws);
        assertSameBits(ws.fetch("dx").floats(), expected, "out of place, share " + share);
        assertSameBits(ws.fetch("dy").floats(), dy, "dY untouched");
        Net.runOperatorOnce(op("ReluGradient", List.of("y", "dy"), List.of("dy")), ws);
        assertSameBits(ws.fetch("dy").floats(), expected, "in place, share " + share);
      }
    }
  }

  @Test
  void doubleOpIsTheSelectBitForBitInAndOutOfPlace() {
    SplittableRandom r = new SplittableRandom(43);
    for (double share : new double[] {0, 0.05, 0.5}) {
      for (int n : new int[] {0, 1, 7, 64, 1000}) {
        double[] y = doubles(r, n, share);
        double[] dy = doubles(r, n, share);
        double[] expected = select(y, dy);
        Workspace ws = new Workspace();
        ws.feed("y", Tensor.of(y.clone(), n));
        ws.feed("dy", Tensor.of(dy.clone(), n));
        Net.runOperatorOnce(op("ReluGradient", List.of("y", "dy"), List.of("dx")), ws);
        assertSameBits(ws.fetch("dx").doubles(), expected, "out of place, share " + share);
        Net.runOperatorOnce(op("ReluGradient", List.of("y", "dy"), List.of("dy")), ws);
        assertSameBits(ws.fetch("dy").doubles(), expected, "in place, share " + share);
      }
    }
  }

  @Test
  void arithmeticPassAloneIsExactWhenItReportsNoNaN() {
    // Signed zeros, subnormals and infinities of y, and finite dY of both signs: the arithmetic pass is the
    // select and reports a number, so no fallback runs.
    float[] y = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, 3e-39f, 1f, -1f, Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, Float.MAX_VALUE};
    for (float d : new float[] {-0f, 0f, -2.5f, 2.5f, -Float.MAX_VALUE, Float.MIN_VALUE}) {
      float[] dy = new float[y.length];
      java.util.Arrays.fill(dy, d);
      float[] dx = new float[y.length];
      assertThat(Relu.Gradient.applyArithmetic(y, dy, dx, y.length)).isNotNaN();
      assertSameBits(dx, select(y, dy), "dY " + d);
    }
    // The cases where it differs from the select report NaN, which makes the kernel run the select.
    float[] dx = new float[1];
    assertThat(Relu.Gradient.applyArithmetic(new float[] {Float.NaN}, new float[] {1f}, dx, 1)).isNaN();
    assertThat(Relu.Gradient.applyArithmetic(new float[] {0f}, new float[] {Float.POSITIVE_INFINITY}, dx, 1))
        .isNaN();
    assertThat(Relu.Gradient.applyArithmetic(new float[] {-1f}, new float[] {Float.NaN}, dx, 1)).isNaN();
    double[] ddx = new double[1];
    assertThat(Relu.Gradient.applyArithmetic(new double[] {Double.MIN_VALUE}, new double[] {-0d}, ddx, 1))
        .isNotNaN();
    assertThat(Double.doubleToRawLongBits(ddx[0])).isEqualTo(Double.doubleToRawLongBits(-0d));
    assertThat(Relu.Gradient.applyArithmetic(new double[] {-0d}, new double[] {-3d}, ddx, 1)).isNotNaN();
    assertThat(Double.doubleToRawLongBits(ddx[0])).isEqualTo(0L);
    assertThat(Relu.Gradient.applyArithmetic(new double[] {0d}, new double[] {Double.NEGATIVE_INFINITY}, ddx, 1))
        .isNaN();
  }
}
