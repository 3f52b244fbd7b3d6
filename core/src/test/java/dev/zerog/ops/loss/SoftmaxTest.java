package dev.zerog.ops.loss;

import static dev.zerog.testing.OpDefs.i;
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
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.testing.OperatorHarness;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SoftmaxTest {
  private static OperatorDef softmax(Argument... args) {
    return op("Softmax", List.of("X"), List.of("Y"), args);
  }

  @Test
  void normalizesEachRow() {
    Tensor y = run(softmax(), feeds("X", Tensor.of(new float[] {1, 2, 3, 0, 0, (float) Math.log(3)}, 2, 3)))
        .fetch("Y");
    assertThat(y.dims()).containsExactly(2, 3);
    assertThat(y.floats()).containsExactly(new float[] {0.09003057f, 0.24472847f, 0.66524096f, 0.2f, 0.2f, 0.6f},
        within(1e-6f));
  }

  @Test
  void axisChoosesTheRows() {
    double[] x = {1, 2, 3, 4};
    // axis 0: one row of all four elements.
    double[] all = run(softmax(i("axis", 0)), feeds("X", Tensor.of(x.clone(), 2, 2))).fetch("Y").doubles();
    double z = Math.exp(1) + Math.exp(2) + Math.exp(3) + Math.exp(4);
    assertThat(all).containsExactly(new double[] {Math.exp(1) / z, Math.exp(2) / z, Math.exp(3) / z,
        Math.exp(4) / z}, within(1e-15));
    // axis -1 on [2, 1, 2]: rows of 2.
    double[] rows = run(softmax(i("axis", -1)), feeds("X", Tensor.of(x.clone(), 2, 1, 2))).fetch("Y").doubles();
    double a = 1 / (1 + Math.E);
    assertThat(rows).containsExactly(new double[] {a, 1 - a, a, 1 - a}, within(1e-15));
  }

  @Test
  void largeInputsDoNotOverflow() {
    float[] y = run(softmax(), feeds("X", Tensor.of(new float[] {1000, 1000, -1000}, 1, 3))).fetch("Y").floats();
    assertThat(y).containsExactly(0.5f, 0.5f, 0f);
  }

  @Test
  void zeroSizeInputs() {
    assertThat(run(softmax(), feeds("X", Tensor.of(new double[0], 0, 4))).fetch("Y").dims()).containsExactly(0, 4);
    assertThat(run(softmax(), feeds("X", Tensor.of(new double[0], 3, 0))).fetch("Y").dims()).containsExactly(3, 0);
  }

  @Test
  void errors() {
    ShapeException scalar = catchThrowableOfType(ShapeException.class,
        () -> run(softmax(), feeds("X", Tensor.scalar(1))));
    assertThat(scalar.detail()).isEqualTo("axis 1 is out of range for 'X' of shape []");
    assertThat(scalar.blob()).isEqualTo("X");
    ShapeException ints = catchThrowableOfType(ShapeException.class,
        () -> run(softmax(), feeds("X", Tensor.of(new int[] {1, 2}, 1, 2))));
    assertThat(ints.detail()).isEqualTo("Softmax supports FLOAT and DOUBLE tensors, got INT32 [1, 2]");
    assertThat(ints.opType()).isEqualTo("Softmax");
  }

  @Test
  void typeInference() {
    assertThat(infer(softmax(), BlobType.of(DataType.DOUBLE, 4, 5))).containsExactly(BlobType.of(DataType.DOUBLE, 4, 5));
    assertThat(infer(softmax(), BlobType.UNKNOWN)).containsExactly(BlobType.UNKNOWN);
    assertThat(catchThrowableOfType(ShapeException.class,
        () -> infer(softmax(i("axis", 2)), BlobType.of(DataType.FLOAT, 4, 5))).detail())
        .isEqualTo("axis 2 is out of range for shape [4, 5]");
    assertThat(catchThrowableOfType(ShapeException.class,
        () -> infer(softmax(), BlobType.of(DataType.INT64, 4, 5))).detail())
        .isEqualTo("Softmax supports FLOAT and DOUBLE tensors, got INT64");
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    SplittableRandom r = new SplittableRandom(1);
    for (int trial = 0; trial < 6; trial++) {
      int rank = r.nextInt(1, 4);
      long[] dims = OperatorHarness.dims(r, rank, 4);
      int axis = r.nextInt(-rank, rank);
      assertGradientsMatch(GradientChecker.forDouble(), softmax(i("axis", axis)),
          feeds("X", OperatorHarness.uniform(r, -3, 3, dims)), 0);
    }
    assertGradientsMatch(GradientChecker.forFloat(), softmax(),
        feeds("X", OperatorHarness.uniformFloat(r, -2, 2, 3, 5)), 0);
  }

  @Test
  void gradientOpIsCaffe2s() {
    assertThat(gradientOps(softmax(i("axis", 0)), "Y")).isEqualTo(canonical("""
        op { input: "Y" output: "Y_autogen_grad" type: "ConstantFill" arg { name: "value" f: 1 } }
        op { input: "Y" input: "Y_autogen_grad" output: "X_grad" type: "SoftmaxGradient"
             arg { name: "axis" i: 0 } is_gradient_op: true }
        """));
  }

  @Test
  void softmaxGradientChecksItsInputs() {
    OperatorDef g = op("SoftmaxGradient", List.of("Y", "dY"), List.of("dX"));
    ShapeException e = catchThrowableOfType(ShapeException.class, () -> run(g,
        feeds("Y", Tensor.of(new float[] {0.5f, 0.5f}, 1, 2), "dY", Tensor.of(new float[] {1, 2, 3}, 1, 3))));
    assertThat(e.detail()).isEqualTo("'dY' has shape [1, 3] but 'Y' has [1, 2]; they must have the same shape");
    float[] dx = run(g, feeds("Y", Tensor.of(new float[] {0.25f, 0.75f}, 1, 2),
        "dY", Tensor.of(new float[] {1, 0}, 1, 2))).fetch("dX").floats();
    // dot = 0.25; dX = Y * (dY - dot)
    assertThat(dx).containsExactly(0.25f * 0.75f, 0.75f * -0.25f);
  }
}
