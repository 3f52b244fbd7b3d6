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

class AveragedLossTest {
  private static final OperatorDef AVG = op("AveragedLoss", List.of("X"), List.of("L"));

  @Test
  void meanAsAScalar() {
    Tensor l = run(AVG, feeds("X", Tensor.of(new float[] {8, 10, 12}))).fetch("L");
    assertThat(l.dims()).isEmpty();
    assertThat(l.floats()).containsExactly(10);
    assertThat(run(AVG, feeds("X", Tensor.of(new double[] {1, 2, 3, 6}, 2, 2))).fetch("L").doubles())
        .containsExactly(3);
    assertThat(run(AVG, feeds("X", Tensor.of(new double[0], 0))).fetch("L").doubles()[0]).isNaN();
  }

  @Test
  void integerInputIsRefused() {
    ShapeException e = catchThrowableOfType(ShapeException.class,
        () -> run(AVG, feeds("X", Tensor.of(new int[] {1}))));
    assertThat(e.detail()).isEqualTo("AveragedLoss supports FLOAT and DOUBLE tensors, got INT32 [1]");
  }

  @Test
  void typeInference() {
    assertThat(infer(AVG, BlobType.of(DataType.FLOAT, 4, 3))).containsExactly(BlobType.of(DataType.FLOAT));
  }

  @Test
  void gradient() {
    SplittableRandom r = new SplittableRandom(5);
    assertGradientsMatch(GradientChecker.forDouble(), AVG, feeds("X", OperatorHarness.uniform(r, -1, 1, 3, 4)), 0);
    assertGradientsMatch(GradientChecker.forFloat(), AVG, feeds("X", OperatorHarness.uniformFloat(r, -1, 1, 5)), 0);
    assertThat(gradientOps(AVG, "L")).isEqualTo(canonical("""
        op { input: "L" output: "L_autogen_grad" type: "ConstantFill" arg { name: "value" f: 1 } }
        op { input: "X" input: "L_autogen_grad" output: "X_grad" type: "AveragedLossGradient" is_gradient_op: true }
        """));
    Tensor dx = run(op("AveragedLossGradient", List.of("X", "dL"), List.of("dX")),
        feeds("X", Tensor.of(new float[] {1, 2, 3, 4}, 2, 2), "dL", Tensor.scalar(2))).fetch("dX");
    assertThat(dx.dims()).containsExactly(2, 2);
    assertThat(dx.floats()).containsExactly(0.5f, 0.5f, 0.5f, 0.5f);
  }
}
