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
import dev.zerog.workspace.Workspace;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SquaredL2DistanceTest {
  private static final OperatorDef DIST = op("SquaredL2Distance", List.of("X", "Y"), List.of("Z"));

  @Test
  void halfSquaredDistanceOfEachRow() {
    Tensor z = run(DIST, feeds("X", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3),
        "Y", Tensor.of(new float[] {1, 0, 3, 0, 0, 0}, 2, 3))).fetch("Z");
    assertThat(z.dims()).containsExactly(2);
    assertThat(z.floats()).containsExactly(2f, 38.5f);
    // A 0-d pair is one row; a zero-size pair gives no rows.
    Tensor scalar = run(DIST, feeds("X", Tensor.wrap(DataType.DOUBLE, new double[] {3}), "Y",
        Tensor.wrap(DataType.DOUBLE, new double[] {1}))).fetch("Z");
    assertThat(scalar.dims()).containsExactly(1);
    assertThat(scalar.doubles()).containsExactly(2);
    Tensor empty = run(DIST, feeds("X", Tensor.of(new double[0], 0, 3), "Y", Tensor.of(new double[0], 0, 3)))
        .fetch("Z");
    assertThat(empty.dims()).containsExactly(0);
  }

  @Test
  void errors() {
    ShapeException e = catchThrowableOfType(ShapeException.class, () -> run(DIST,
        feeds("X", Tensor.of(new float[] {1, 2}), "Y", Tensor.of(new float[] {1, 2}, 2, 1))));
    assertThat(e.detail()).isEqualTo("'Y' has shape [2, 1] but 'X' has [2]; they must have the same shape");
    ShapeException t = catchThrowableOfType(ShapeException.class, () -> run(DIST,
        feeds("X", Tensor.of(new float[] {1, 2}), "Y", Tensor.of(new double[] {1, 2}))));
    assertThat(t.detail()).isEqualTo("'Y' is DOUBLE [2] but 'X' is FLOAT; they must have the same type");
  }

  @Test
  void typeInference() {
    assertThat(infer(DIST, BlobType.of(DataType.FLOAT, 4, 3), BlobType.UNKNOWN))
        .containsExactly(BlobType.of(DataType.FLOAT, 4));
    assertThat(infer(DIST, BlobType.UNKNOWN, BlobType.of(DataType.DOUBLE)))
        .containsExactly(BlobType.of(DataType.DOUBLE, 1));
    assertThat(catchThrowableOfType(ShapeException.class, () -> infer(DIST, BlobType.of(DataType.FLOAT, 4),
        BlobType.of(DataType.FLOAT, 5))).detail()).contains("they must have the same shape");
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    SplittableRandom r = new SplittableRandom(4);
    for (int trial = 0; trial < 5; trial++) {
      long[] dims = OperatorHarness.dims(r, r.nextInt(0, 4), 4);
      assertGradientsMatch(GradientChecker.forDouble(), DIST,
          feeds("X", OperatorHarness.uniform(r, -2, 2, dims), "Y", OperatorHarness.uniform(r, -2, 2, dims)), 0, 1);
    }
    assertGradientsMatch(GradientChecker.forFloat(), DIST, feeds("X", OperatorHarness.uniformFloat(r, -1, 1, 3, 2),
        "Y", OperatorHarness.uniformFloat(r, -1, 1, 3, 2)), 0, 1);
  }

  @Test
  void gradientOpIsCaffe2s() {
    assertThat(gradientOps(DIST, "Z")).isEqualTo(canonical("""
        op { input: "Z" output: "Z_autogen_grad" type: "ConstantFill" arg { name: "value" f: 1 } }
        op { input: "X" input: "Y" input: "Z_autogen_grad" output: "X_grad" output: "Y_grad"
             type: "SquaredL2DistanceGradient" is_gradient_op: true }
        """));
    Workspace ws = run(op("SquaredL2DistanceGradient", List.of("X", "Y", "dZ"), List.of("dX", "dY")),
        feeds("X", Tensor.of(new float[] {1, 2, 3, 4}, 2, 2), "Y", Tensor.of(new float[] {0, 0, 1, 1}, 2, 2),
            "dZ", Tensor.of(new float[] {2, -1})));
    assertThat(ws.fetch("dX").floats()).containsExactly(2, 4, -2, -3);
    assertThat(ws.fetch("dY").floats()).containsExactly(-2, -4, 2, 3);
  }
}
