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
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LRNTest {
  private static OperatorDef lrn(List<String> outputs, Argument... args) {
    return op("LRN", List.of("X"), outputs, args);
  }

  @Test
  void handComputed() {
    // alpha / size = 1: scale = 1 + the sum of squares over the neighbouring channels.
    Workspace ws = run(lrn(List.of("Y", "scale"), i("size", 3), f("alpha", 3), f("beta", 1)),
        feeds("X", Tensor.of(new double[] {1, 2, 3}, 1, 3, 1, 1)));
    assertThat(ws.fetch("scale").doubles()).containsExactly(6, 15, 14);
    assertThat(ws.fetch("Y").doubles()).containsExactly(new double[] {1.0 / 6, 2.0 / 15, 3.0 / 14}, within(1e-15));
    Tensor y = run(lrn(List.of("Y"), i("size", 1), f("alpha", 1), f("beta", 0.75f), f("bias", 2)),
        feeds("X", Tensor.of(new float[] {2}, 1, 1, 1, 1))).fetch("Y");
    assertThat(y.floats()[0]).isCloseTo((float) (2 * Math.pow(6, -0.75)), within(1e-6f));
  }

  @Test
  void nhwcEqualsNchwAndMatchesTheDefinition() {
    SplittableRandom r = new SplittableRandom(51);
    Tensor x = uniform(r, -2, 2, 2, 7, 3, 2);
    Argument[] args = {i("size", 5), f("alpha", 0.3f), f("beta", 0.6f), f("bias", 1.5f)};
    double[] nchw = run(lrn(List.of("Y"), args), feeds("X", x)).fetch("Y").doubles();
    double[] nhwc = run(lrn(List.of("Y"), i("size", 5), f("alpha", 0.3f), f("beta", 0.6f), f("bias", 1.5f),
        s("order", "NHWC")), feeds("X", channelsLast(x))).fetch("Y").doubles();
    double[] xs = x.doubles();
    for (int n = 0; n < 2; n++) {
      for (int c = 0; c < 7; c++) {
        for (int p = 0; p < 6; p++) {
          double sum = 0;
          for (int k = Math.max(0, c - 2); k <= Math.min(6, c + 2); k++) {
            double v = xs[(n * 7 + k) * 6 + p];
            sum += v * v;
          }
          double expected = xs[(n * 7 + c) * 6 + p] * Math.pow(1.5 + 0.3f / 5 * sum, -0.6f);
          assertThat(nchw[(n * 7 + c) * 6 + p]).isCloseTo(expected, within(1e-12));
          assertThat(nhwc[(n * 6 + p) * 7 + c]).isCloseTo(expected, within(1e-12));
        }
      }
    }
  }

  private static Tensor channelsLast(Tensor t) {
    long[] d = t.dims();
    int n = (int) d[0];
    int c = (int) d[1];
    int s = t.size() / (n * c);
    Tensor out = Tensor.allocate(DataType.DOUBLE, d[0], d[2], d[3], d[1]);
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
    Tensor x = Tensor.allocate(DataType.FLOAT, 1, 3, 2, 2);
    assertThat(catchThrowableOfType(SchemaException.class, () -> run(lrn(List.of("Y"), i("size", 4), f("alpha", 1),
        f("beta", 1)), feeds("X", x))).detail()).isEqualTo("size must be a positive odd number of channels, got 4");
    assertThat(catchThrowableOfType(SchemaException.class, () -> run(lrn(List.of("Y"), i("size", 3)),
        feeds("X", x))).detail()).isEqualTo("alpha and beta must be positive, got alpha 0.0 and beta 0.0");
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(op("LRNGradient", List.of("X", "Y", "dY"),
        List.of("dX"), i("size", 3), f("alpha", 1), f("beta", 1)), feeds("X", x, "Y", x, "dY",
        Tensor.allocate(DataType.FLOAT, 1, 3, 2)))).detail()).isEqualTo("'dY' is FLOAT [1, 3, 2] but 'X' is FLOAT "
        + "[1, 3, 2, 2]; they must have the same type and shape");
  }

  @Test
  void typeInference() {
    BlobType x = BlobType.of(DataType.FLOAT, 1, 96, 55, 55);
    assertThat(infer(lrn(List.of("Y", "scale"), i("size", 5), f("alpha", 1e-4f), f("beta", 0.75f)), x))
        .containsExactly(x, x);
    assertThat(infer(lrn(List.of("Y"), i("size", 5), f("alpha", 1e-4f), f("beta", 0.75f)), BlobType.UNKNOWN))
        .containsExactly(BlobType.UNKNOWN);
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    SplittableRandom r = new SplittableRandom(52);
    for (int trial = 0; trial < 6; trial++) {
      int size = 2 * r.nextInt(0, 3) + 1;
      Argument[] args = {i("size", size), f("alpha", (float) r.nextDouble(0.1, 2)),
          f("beta", (float) r.nextDouble(0.3, 1.2)), f("bias", (float) r.nextDouble(1, 2)),
          s("order", trial % 2 == 0 ? "NCHW" : "NHWC")};
      assertGradientsMatch(GradientChecker.forDouble(), lrn(List.of("Y"), args),
          feeds("X", uniform(r, -2, 2, 2, 4, 3, 2)), 0);
    }
  }

  @Test
  void gradientOpIsCaffe2s() {
    assertThat(gradientOps(lrn(List.of("Y", "scale"), i("size", 5), f("alpha", 1), f("beta", 1)), "Y"))
        .isEqualTo(canonical("""
        op { input: "Y" output: "Y_autogen_grad" type: "ConstantFill" arg { name: "value" f: 1 } }
        op { input: "X" input: "Y" input: "Y_autogen_grad" output: "X_grad" type: "LRNGradient"
             arg { name: "size" i: 5 } arg { name: "alpha" f: 1 } arg { name: "beta" f: 1 } is_gradient_op: true }
        """));
  }
}
