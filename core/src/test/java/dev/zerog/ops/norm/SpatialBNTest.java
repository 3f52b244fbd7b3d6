package dev.zerog.ops.norm;

import static dev.zerog.testing.OpDefs.f;
import static dev.zerog.testing.OpDefs.i;
import static dev.zerog.testing.OpDefs.op;
import static dev.zerog.testing.OpDefs.s;
import static dev.zerog.testing.OperatorHarness.assertGradientsMatch;
import static dev.zerog.testing.OperatorHarness.canonical;
import static dev.zerog.testing.OperatorHarness.feeds;
import static dev.zerog.testing.OperatorHarness.gradientOps;
import static dev.zerog.testing.OperatorHarness.infer;
import static dev.zerog.testing.OperatorHarness.run;
import static dev.zerog.testing.OperatorHarness.uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import dev.zerog.SchemaException;
import dev.zerog.ShapeException;
import dev.zerog.grad.GradientChecker;
import dev.zerog.op.BlobType;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SpatialBNTest {
  private static OperatorDef testMode(Argument... args) {
    return op("SpatialBN", List.of("X", "scale", "bias", "mean", "var"), List.of("Y"), with(i("is_test", 1), args));
  }

  private static OperatorDef training(Argument... args) {
    return op("SpatialBN", List.of("X", "scale", "bias", "rm", "rv"), List.of("Y", "rm", "rv", "sm", "sv"), args);
  }

  private static Argument[] with(Argument first, Argument... rest) {
    Argument[] all = new Argument[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  @Test
  void testModeUsesTheGivenStatistics() {
    Tensor y = run(testMode(f("epsilon", 1e-6f)), feeds("X", Tensor.of(new float[] {1, 3, 2, 6}, 1, 2, 1, 2),
        "scale", Tensor.of(new float[] {2, 1}, 2), "bias", Tensor.of(new float[] {0, 1}, 2),
        "mean", Tensor.of(new float[] {2, 4}, 2), "var", Tensor.of(new float[] {1, 4}, 2))).fetch("Y");
    assertThat(y.floats()).containsExactly(new float[] {-2, 2, 0, 2}, within(1e-5f));
  }

  @Test
  void trainingNormalizesWithBatchStatisticsAndUpdatesTheRunningOnes() {
    // Channel 0 holds 1, 3, 5, 7 (mean 4, biased variance 5); channel 1 holds 2, 2, 2, 2.
    Tensor x = Tensor.of(new double[] {1, 3, 2, 2, 5, 7, 2, 2}, 2, 2, 2);
    Workspace ws = run(training(f("momentum", 0.75f), f("epsilon", 1e-5f)), feeds("X", x,
        "scale", Tensor.of(new double[] {1, 3}, 2), "bias", Tensor.of(new double[] {0, -1}, 2),
        "rm", Tensor.of(new double[] {8, 0}, 2), "rv", Tensor.of(new double[] {1, 1}, 2)));
    double eps = 1e-5f;
    assertThat(ws.fetch("sm").doubles()).containsExactly(4, 2);
    assertThat(ws.fetch("sv").doubles()).containsExactly(new double[] {1 / Math.sqrt(5 + eps), 1 / Math.sqrt(eps)},
        within(1e-9));
    assertThat(ws.fetch("rm").doubles()).containsExactly(new double[] {0.75 * 8 + 0.25 * 4, 0.25 * 2},
        within(1e-12));
    assertThat(ws.fetch("rv").doubles()).containsExactly(new double[] {0.75 + 0.25 * 5, 0.75}, within(1e-12));
    double r = 1 / Math.sqrt(5 + eps);
    assertThat(ws.fetch("Y").doubles()).containsExactly(new double[] {-3 * r, -r, -1, -1, r, 3 * r, -1, -1},
        within(1e-9));
  }

  @Test
  void uninitializedRunningStatisticsStartAtZero() {
    Workspace ws = run(training(), feeds("X", Tensor.of(new float[] {1, 3}, 1, 1, 2), "scale",
        Tensor.of(new float[] {1}, 1), "bias", Tensor.of(new float[] {0}, 1), "rm", Tensor.of(new float[0], 0),
        "rv", Tensor.of(new float[0], 0)));
    assertThat(ws.fetch("rm").dims()).containsExactly(1);
    assertThat(ws.fetch("rm").floats()[0]).isCloseTo(0.2f, within(1e-6f));
    assertThat(ws.fetch("rv").floats()[0]).isCloseTo(0.1f, within(1e-7f));
  }

  @Test
  void nhwcEqualsNchwAndInPlaceWorks() {
    SplittableRandom r = new SplittableRandom(41);
    Tensor x = uniform(r, -2, 2, 2, 3, 2, 4);
    Map<String, Tensor> nchw = params(r, 3, x);
    Map<String, Tensor> nhwc = Map.of("X", channelsLast(x), "scale", nchw.get("scale"), "bias", nchw.get("bias"),
        "rm", nchw.get("rm").copy(), "rv", nchw.get("rv").copy());
    Workspace a = run(training(), nchw);
    Workspace b = run(training(s("order", "NHWC")), nhwc);
    assertThat(channelsLast(a.fetch("Y")).doubles()).containsExactly(b.fetch("Y").doubles(), within(1e-12));
    assertThat(a.fetch("rv").doubles()).containsExactly(b.fetch("rv").doubles(), within(1e-12));
    OperatorDef inPlace = op("SpatialBN", List.of("X", "scale", "bias", "rm", "rv"),
        List.of("X", "rm", "rv", "sm", "sv"));
    Map<String, Tensor> again = params(new SplittableRandom(41), 3, x.copy());
    Workspace c = run(inPlace, Map.of("X", x.copy(), "scale", nchw.get("scale"), "bias", nchw.get("bias"),
        "rm", again.get("rm"), "rv", again.get("rv")));
    assertThat(c.fetch("X").doubles()).containsExactly(a.fetch("Y").doubles(), within(1e-12));
  }

  private static Map<String, Tensor> params(SplittableRandom r, int c, Tensor x) {
    return Map.of("X", x, "scale", uniform(r, 0.5, 2, c), "bias", uniform(r, -1, 1, c), "rm", uniform(r, -1, 1, c),
        "rv", uniform(r, 0.5, 2, c));
  }

  private static Tensor channelsLast(Tensor t) {
    long[] d = t.dims();
    int n = (int) d[0];
    int c = (int) d[1];
    int s = t.size() / (n * c);
    long[] nd = new long[d.length];
    nd[0] = d[0];
    System.arraycopy(d, 2, nd, 1, d.length - 2);
    nd[d.length - 1] = c;
    Tensor out = Tensor.allocate(DataType.DOUBLE, nd);
    for (int i = 0; i < n; i++) {
      for (int ch = 0; ch < c; ch++) {
        for (int p = 0; p < s; p++) {
          out.doubles()[(i * s + p) * c + ch] = t.getDouble((i * c + ch) * s + p);
        }
      }
    }
    return out;
  }

  @Test
  void errors() {
    Map<String, Tensor> ok = Map.of("X", Tensor.allocate(DataType.FLOAT, 1, 2, 2), "scale",
        Tensor.allocate(DataType.FLOAT, 2), "bias", Tensor.allocate(DataType.FLOAT, 2), "mean",
        Tensor.allocate(DataType.FLOAT, 2), "var", Tensor.allocate(DataType.FLOAT, 2));
    assertThat(catchThrowableOfType(SchemaException.class, () -> run(op("SpatialBN",
        List.of("X", "scale", "bias", "mean", "var"), List.of("Y")), ok)).detail())
        .isEqualTo("SpatialBN takes 1 output in test mode (is_test: 1) and 5 in training mode, got 1 with is_test: 0");
    assertThat(catchThrowableOfType(SchemaException.class, () -> run(op("SpatialBN",
        List.of("X", "scale", "bias", "mean", "var"), List.of("Y", "m2", "v2", "sm", "sv")), ok)).detail())
        .startsWith("SpatialBN must run in place: input 3 'mean' and output 1 'm2' must be the same blob");
    assertThat(catchThrowableOfType(SchemaException.class, () -> run(testMode(i("num_batches", 2)), ok)).detail())
        .isEqualTo("num_batches: 2 (statistics over several batches) is not supported by zerog; only 1 is");
    assertThat(catchThrowableOfType(SchemaException.class, () -> run(testMode(f("epsilon", 0)), ok)).detail())
        .isEqualTo("epsilon must be positive, got 0.0");
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(testMode(), Map.of("X",
        Tensor.allocate(DataType.FLOAT, 1, 3, 2), "scale", Tensor.allocate(DataType.FLOAT, 2), "bias",
        Tensor.allocate(DataType.FLOAT, 2), "mean", Tensor.allocate(DataType.FLOAT, 2), "var",
        Tensor.allocate(DataType.FLOAT, 2)))).detail())
        .isEqualTo("'scale' (scale) must hold one value per channel, 3, got [2]");
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(testMode(), Map.of("X",
        Tensor.allocate(DataType.FLOAT, 2, 2), "scale", Tensor.allocate(DataType.FLOAT, 2), "bias",
        Tensor.allocate(DataType.FLOAT, 2), "mean", Tensor.allocate(DataType.FLOAT, 2), "var",
        Tensor.allocate(DataType.FLOAT, 2)))).detail())
        .isEqualTo("SpatialBN needs an input of rank 3 or more (N, C, spatial...), got [2, 2]");
  }

  @Test
  void typeInference() {
    BlobType x = BlobType.of(DataType.FLOAT, 2, 8, 5, 5);
    BlobType c = BlobType.of(DataType.FLOAT, 8);
    assertThat(infer(testMode(), x, c, c, c, c)).containsExactly(x);
    assertThat(infer(training(), x, c, c, c, c)).containsExactly(x, c, c, c, c);
    assertThat(infer(training(s("order", "NHWC")), BlobType.of(DataType.DOUBLE, 2, 5, 5, 3), BlobType.UNKNOWN,
        BlobType.UNKNOWN, BlobType.UNKNOWN, BlobType.UNKNOWN)).element(1)
        .isEqualTo(BlobType.of(DataType.DOUBLE, 3));
    assertThat(infer(op("SpatialBNGradient", List.of("X", "scale", "dY", "sm", "sv"), List.of("dX", "ds", "db")), x,
        c, x, c, c)).containsExactly(x, c, c);
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    SplittableRandom r = new SplittableRandom(42);
    for (int trial = 0; trial < 6; trial++) {
      boolean nhwc = trial % 3 == 2;
      long[] dims = trial % 2 == 0 ? new long[] {2, 3, 2, 2} : new long[] {3, 2, 3};
      Tensor x = uniform(r, -2, 2, dims);
      int c = (int) (nhwc ? dims[dims.length - 1] : dims[1]);
      Map<String, Tensor> in = params(r, c, x);
      assertGradientsMatch(GradientChecker.forDouble().onlyOutputs(0), training(s("order", nhwc ? "NHWC" : "NCHW")),
          in, 0, 1, 2);
      Map<String, Tensor> test = Map.of("X", x, "scale", in.get("scale"), "bias", in.get("bias"), "mean",
          in.get("rm"), "var", in.get("rv"));
      assertGradientsMatch(GradientChecker.forDouble(), testMode(s("order", nhwc ? "NHWC" : "NCHW")), test, 0, 1, 2);
    }
  }

  /**
   * FLOAT tensors large enough to be split across the kernel threads (per channel for the sums, per plane or row
   * for the maps), with channel means far from zero: training and test mode, forward and gradient, NCHW and NHWC,
   * against the definitions computed here in double.
   */
  @Test
  void largeFloatTensorsMatchTheDefinition() {
    int n = 8;
    int c = 5;
    int size = 64 * 64;
    SplittableRandom r = new SplittableRandom(43);
    float[] xs = new float[n * c * size];
    float[] dys = new float[xs.length];
    for (int i = 0; i < xs.length; i++) {
      int ch = (i / size) % c;
      xs[i] = (float) (300 * ch - 500 + r.nextDouble(-1, 1) * (ch + 1));
      dys[i] = (float) r.nextDouble(-1, 1);
    }
    float[] scale = {0.5f, 1.5f, -1, 2, 1};
    float[] bias = {0, 1, -2, 0.25f, 3};
    double eps = 1e-5f;
    double momentum = 0.9f;
    // The definitions, per channel, in double.
    double count = (double) n * size;
    double[] mean = new double[c];
    double[] var = new double[c];
    double[] dbias = new double[c];
    double[] dscale = new double[c];
    for (int i = 0; i < xs.length; i++) {
      mean[(i / size) % c] += xs[i] / count;
    }
    for (int i = 0; i < xs.length; i++) {
      int ch = (i / size) % c;
      var[ch] += (xs[i] - mean[ch]) * (xs[i] - mean[ch]) / count;
    }
    for (int i = 0; i < xs.length; i++) {
      int ch = (i / size) % c;
      dbias[ch] += dys[i];
      dscale[ch] += dys[i] * (xs[i] - mean[ch]) / Math.sqrt(var[ch] + eps);
    }
    for (boolean nhwc : new boolean[] {false, true}) {
      Tensor x = Tensor.of(xs.clone(), n, c, 64, 64);
      Tensor dy = Tensor.of(dys.clone(), n, c, 64, 64);
      if (nhwc) {
        x = toFloat(channelsLast(x));
        dy = toFloat(channelsLast(dy));
      }
      String order = nhwc ? "NHWC" : "NCHW";
      Workspace ws = run(training(s("order", order), f("momentum", (float) momentum)), Map.of("X", x,
          "scale", Tensor.of(scale.clone(), c), "bias", Tensor.of(bias.clone(), c),
          "rm", Tensor.of(new float[] {1, 2, 3, 4, 5}, c), "rv", Tensor.of(new float[] {1, 1, 1, 1, 1}, c)));
      Workspace test = run(testMode(s("order", order), f("epsilon", (float) eps)), Map.of("X", x,
          "scale", Tensor.of(scale.clone(), c), "bias", Tensor.of(bias.clone(), c),
          "mean", Tensor.of(toFloats(mean), c), "var", Tensor.of(toFloats(var), c)));
      for (int ch = 0; ch < c; ch++) {
        double rstd = 1 / Math.sqrt(var[ch] + eps);
        assertThat(ws.fetch("sm").floats()[ch]).as("%s mean %d", order, ch).isCloseTo((float) mean[ch],
            within((float) (1e-6 * Math.abs(mean[ch]) + 1e-6)));
        assertThat(ws.fetch("sv").floats()[ch]).as("%s inverse std %d", order, ch).isCloseTo((float) rstd,
            within((float) (1e-5 * rstd)));
        assertThat(ws.fetch("rm").floats()[ch]).isCloseTo((float) (momentum * (ch + 1) + (1 - momentum) * mean[ch]),
            within((float) (1e-5 * Math.abs(mean[ch]) + 1e-5)));
        assertThat(ws.fetch("rv").floats()[ch]).isCloseTo((float) (momentum + (1 - momentum) * var[ch]),
            within((float) (1e-5 * var[ch] + 1e-5)));
      }
      float[] y = ws.fetch("Y").floats();
      float[] yTest = test.fetch("Y").floats();
      double worst = 0;
      for (int i = 0; i < xs.length; i++) {
        int ch = nhwc ? i % c : (i / size) % c;
        float xv = x.floats()[i];
        double expected = scale[ch] * (xv - mean[ch]) / Math.sqrt(var[ch] + eps) + bias[ch];
        worst = Math.max(worst, Math.max(Math.abs(y[i] - expected), Math.abs(yTest[i] - expected)));
      }
      assertThat(worst).as("%s: the largest error of Y", order).isLessThan(2e-4);
      // The gradients of both modes.
      Workspace g = run(op("SpatialBNGradient", List.of("X", "scale", "dY", "sm", "sv"), List.of("dX", "ds", "db"),
          s("order", order)), Map.of("X", x, "scale", Tensor.of(scale.clone(), c), "dY", dy,
          "sm", ws.fetch("sm"), "sv", ws.fetch("sv")));
      Workspace gTest = run(op("SpatialBNGradient", List.of("X", "scale", "dY", "mean", "var"),
          List.of("dX", "ds", "db"), i("is_test", 1), f("epsilon", (float) eps), s("order", order)), Map.of("X", x,
          "scale", Tensor.of(scale.clone(), c), "dY", dy, "mean", Tensor.of(toFloats(mean), c),
          "var", Tensor.of(toFloats(var), c)));
      // The definitions over the statistics the ops were given (rounded to float).
      float[] sm = ws.fetch("sm").floats();
      float[] sv = ws.fetch("sv").floats();
      float[] meanF = toFloats(mean);
      float[] varF = toFloats(var);
      double[] rTest = new double[c];
      for (int ch = 0; ch < c; ch++) {
        rTest[ch] = 1 / Math.sqrt(varF[ch] + eps);
      }
      double[][] sums = sums(x.floats(), dy.floats(), sm, sv, c, size, nhwc);
      double[][] sumsTest = sums(x.floats(), dy.floats(), meanF, rTest, c, size, nhwc);
      for (int ch = 0; ch < c; ch++) {
        assertThat((double) g.fetch("db").floats()[ch]).isCloseTo(sums[0][ch], within(1e-3));
        assertThat((double) g.fetch("ds").floats()[ch]).isCloseTo(sums[1][ch], within(1e-3));
        assertThat((double) gTest.fetch("db").floats()[ch]).isCloseTo(sumsTest[0][ch], within(1e-3));
        assertThat((double) gTest.fetch("ds").floats()[ch]).isCloseTo(sumsTest[1][ch], within(1e-3));
        assertThat(sums[1][ch]).isCloseTo(dscale[ch], within(0.01 + 1e-4 * Math.abs(dscale[ch])));
      }
      float[] dx = g.fetch("dX").floats();
      float[] dxTest = gTest.fetch("dX").floats();
      double worstDx = 0;
      double worstTest = 0;
      for (int i = 0; i < xs.length; i++) {
        int ch = nhwc ? i % c : (i / size) % c;
        double rstd = sv[ch];
        double centered = x.floats()[i] - (double) sm[ch];
        double expected = scale[ch] * rstd * (dy.floats()[i] - sums[0][ch] / count
            - centered * rstd * sums[1][ch] / count);
        worstDx = Math.max(worstDx, Math.abs(dx[i] - expected) / (1e-1 + Math.abs(expected)));
        worstTest = Math.max(worstTest, Math.abs(dxTest[i] - scale[ch] * rTest[ch] * dy.floats()[i]));
      }
      assertThat(worstDx).as("%s: the largest relative error of dX", order).isLessThan(1e-4);
      assertThat(worstTest).as("%s: the largest error of dX in test mode", order).isLessThan(1e-5);
    }
  }

  /** Per channel: Σ dy, and Σ dy · (x - mean) · rstd, in double. */
  private static double[][] sums(float[] x, float[] dy, float[] mean, double[] rstd, int c, int size,
      boolean nhwc) {
    double[][] out = new double[2][c];
    for (int i = 0; i < x.length; i++) {
      int ch = nhwc ? i % c : (i / size) % c;
      out[0][ch] += dy[i];
      out[1][ch] += dy[i] * (x[i] - (double) mean[ch]) * rstd[ch];
    }
    return out;
  }

  private static double[][] sums(float[] x, float[] dy, float[] mean, float[] rstd, int c, int size,
      boolean nhwc) {
    double[] r = new double[c];
    for (int ch = 0; ch < c; ch++) {
      r[ch] = rstd[ch];
    }
    return sums(x, dy, mean, r, c, size, nhwc);
  }

  private static float[] toFloats(double[] a) {
    float[] f = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      f[i] = (float) a[i];
    }
    return f;
  }

  private static Tensor toFloat(Tensor t) {
    return Tensor.of(toFloats(t.doubles()), t.dims());
  }

  @Test
  void gradientOpsAreCaffe2s() {
    assertThat(gradientOps(training(f("momentum", 0.5f)), "Y")).isEqualTo(canonical("""
        op { input: "Y" output: "Y_autogen_grad" type: "ConstantFill" arg { name: "value" f: 1 } }
        op { input: "X" input: "scale" input: "Y_autogen_grad" input: "sm" input: "sv"
             output: "X_grad" output: "scale_grad" output: "bias_grad" type: "SpatialBNGradient"
             arg { name: "momentum" f: 0.5 } is_gradient_op: true }
        """));
    assertThat(gradientOps(testMode(f("epsilon", 1e-3f)), "Y")).isEqualTo(canonical("""
        op { input: "Y" output: "Y_autogen_grad" type: "ConstantFill" arg { name: "value" f: 1 } }
        op { input: "X" input: "scale" input: "Y_autogen_grad" input: "mean" input: "var"
             output: "X_grad" output: "scale_grad" output: "bias_grad" type: "SpatialBNGradient"
             arg { name: "is_test" i: 1 } arg { name: "epsilon" f: 0.001 } is_gradient_op: true }
        """));
  }
}
