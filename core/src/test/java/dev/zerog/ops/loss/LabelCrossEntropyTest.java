package dev.zerog.ops.loss;

import static dev.zerog.testing.OpDefs.op;
import static dev.zerog.testing.OperatorHarness.assertGradientsMatch;
import static dev.zerog.testing.OperatorHarness.canonical;
import static dev.zerog.testing.OperatorHarness.feeds;
import static dev.zerog.testing.OperatorHarness.gradientOps;
import static dev.zerog.testing.OperatorHarness.infer;
import static dev.zerog.testing.OperatorHarness.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import dev.zerog.ShapeException;
import dev.zerog.grad.GradientChecker;
import dev.zerog.op.BlobType;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.testing.OperatorHarness;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LabelCrossEntropyTest {
  private static final OperatorDef XENT = op("LabelCrossEntropy", List.of("X", "label"), List.of("Y"));

  @Test
  void caffe2sExample() {
    Tensor x = Tensor.of(new float[] {.01f, .05f, .02f, .02f, .9f, .03f, .1f, .42f, .05f, .4f}, 2, 5);
    Tensor y = run(XENT, feeds("X", x, "label", Tensor.of(new int[] {4, 2}))).fetch("Y");
    assertThat(y.dims()).containsExactly(2);
    assertThat(y.floats()).containsExactly(new float[] {0.10536055f, 0.8675006f}, within(1e-6f));
  }

  @Test
  void oneRowZeroProbabilityAndLabelShapes() {
    // A 1-D X is one row; a zero probability is clamped at 1e-20.
    Tensor y = run(XENT, feeds("X", Tensor.of(new double[] {0, 1}), "label", Tensor.of(new long[] {0}, 1, 1)))
        .fetch("Y");
    assertThat(y.dims()).containsExactly(1);
    assertThat(y.doubles()[0]).isCloseTo(20 * Math.log(10), within(1e-12));
    // X of rank 3: rows of 2 x 2.
    Tensor z = run(XENT, feeds("X", Tensor.of(new double[] {.1, .2, .3, .4, .5, .6, .7, .8}, 2, 2, 2),
        "label", Tensor.of(new int[] {3, 0}))).fetch("Y");
    assertThat(z.doubles()).containsExactly(new double[] {-Math.log(.4), -Math.log(.5)}, within(1e-15));
  }

  @Test
  void errors() {
    Tensor x = Tensor.of(new float[] {.5f, .5f}, 1, 2);
    ShapeException range = catchThrowableOfType(ShapeException.class,
        () -> run(XENT, feeds("X", x, "label", Tensor.of(new int[] {2}))));
    assertThat(range.detail()).startsWith("Label seems to be outside of supported range. Supported labels are in "
        + "range [0,2)");
    ShapeException shape = catchThrowableOfType(ShapeException.class,
        () -> run(XENT, feeds("X", x, "label", Tensor.of(new int[] {0, 0}, 1, 2))));
    assertThat(shape.detail()).isEqualTo("the labels must have shape [1] or [1, 1] for X of shape [1, 2], got [1, 2]");
    ShapeException scalar = catchThrowableOfType(ShapeException.class,
        () -> run(XENT, feeds("X", Tensor.scalar(1), "label", Tensor.of(new int[] {0}))));
    assertThat(scalar.detail()).isEqualTo("X must have rank >= 1, got a 0-d tensor");
  }

  @Test
  void typeInference() {
    assertThat(infer(XENT, BlobType.of(DataType.FLOAT, 4, 3), BlobType.UNKNOWN))
        .containsExactly(BlobType.of(DataType.FLOAT, 4));
    assertThat(infer(XENT, BlobType.of(DataType.DOUBLE, 3), BlobType.UNKNOWN))
        .containsExactly(BlobType.of(DataType.DOUBLE, 1));
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    SplittableRandom r = new SplittableRandom(3);
    for (int trial = 0; trial < 5; trial++) {
      int n = r.nextInt(1, 5);
      int d = r.nextInt(1, 5);
      int[] labels = new int[n];
      for (int k = 0; k < n; k++) {
        labels[k] = r.nextInt(d);
      }
      assertGradientsMatch(GradientChecker.forDouble(), XENT,
          feeds("X", OperatorHarness.uniform(r, 0.1, 1, n, d), "label", Tensor.of(labels)), 0);
    }
    assertGradientsMatch(GradientChecker.forFloat(), XENT,
        feeds("X", OperatorHarness.uniformFloat(r, 0.3, 1, 3, 2), "label", Tensor.of(new int[] {1, 0, 1})), 0);
  }

  @Test
  void gradientOpIsCaffe2s() {
    assertThat(gradientOps(XENT, "Y")).isEqualTo(canonical("""
        op { input: "Y" output: "Y_autogen_grad" type: "ConstantFill" arg { name: "value" f: 1 } }
        op { input: "X" input: "label" input: "Y_autogen_grad" output: "X_grad"
             type: "LabelCrossEntropyGradient" is_gradient_op: true }
        """));
  }
}
