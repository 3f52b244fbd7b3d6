package dev.zerog.ops.reduce;

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

class SumElementsTest {
  private static OperatorDef sum(Argument... args) {
    return op("SumElements", List.of("X"), List.of("S"), args);
  }

  @Test
  void sumAndAverage() {
    Tensor x = Tensor.of(new float[] {7, 2, 5, 9, 4, 2, 1, 2, 5}, 3, 3);
    Tensor s = run(sum(), feeds("X", x)).fetch("S");
    assertThat(s.dims()).isEmpty();
    assertThat(s.floats()).containsExactly(37);
    assertThat(run(sum(i("average", 1)), feeds("X", x)).fetch("S").floats()[0]).isCloseTo(4.111111f, within(1e-6f));
    assertThat(run(sum(), feeds("X", Tensor.of(new double[0], 0))).fetch("S").doubles()).containsExactly(0);
    assertThat(run(sum(i("average", 1)), feeds("X", Tensor.of(new double[0], 0))).fetch("S").doubles()[0]).isNaN();
  }

  @Test
  void errorsAndInference() {
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(sum(), feeds("X", Tensor.of(new long[] {1}))))
        .detail()).isEqualTo("SumElements supports FLOAT and DOUBLE tensors, got INT64 [1]");
    assertThat(infer(sum(), BlobType.of(DataType.DOUBLE, 2))).containsExactly(BlobType.of(DataType.DOUBLE));
    ShapeException g = catchThrowableOfType(ShapeException.class, () -> run(
        op("SumElementsGradient", List.of("X", "dS"), List.of("dX")),
        feeds("X", Tensor.of(new float[] {1, 2}), "dS", Tensor.of(new float[] {1, 2}))));
    assertThat(g.detail()).isEqualTo("the gradient 'dS' must be one FLOAT element, got FLOAT [2]");
  }

  @Test
  void gradient() {
    SplittableRandom r = new SplittableRandom(8);
    assertGradientsMatch(GradientChecker.forDouble(), sum(), feeds("X", OperatorHarness.uniform(r, -1, 1, 2, 3)), 0);
    assertGradientsMatch(GradientChecker.forDouble(), sum(i("average", 1)),
        feeds("X", OperatorHarness.uniform(r, -1, 1, 4)), 0);
    assertGradientsMatch(GradientChecker.forFloat(), sum(), feeds("X", OperatorHarness.uniformFloat(r, -1, 1, 3)), 0);
    assertThat(gradientOps(sum(i("average", 1)), "S")).isEqualTo(canonical("""
        op { input: "S" output: "S_autogen_grad" type: "ConstantFill" arg { name: "value" f: 1 } }
        op { input: "X" input: "S_autogen_grad" output: "X_grad" type: "SumElementsGradient"
             arg { name: "average" i: 1 } is_gradient_op: true }
        """));
    Tensor dx = run(op("SumElementsGradient", List.of("X", "dS"), List.of("dX"), i("average", 1)),
        feeds("X", Tensor.of(new float[4], 2, 2), "dS", Tensor.scalar(2))).fetch("dX");
    assertThat(dx.dims()).containsExactly(2, 2);
    assertThat(dx.floats()).containsExactly(0.5f, 0.5f, 0.5f, 0.5f);
  }
}
