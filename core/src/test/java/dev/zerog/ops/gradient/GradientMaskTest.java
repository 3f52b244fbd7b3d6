package dev.zerog.ops.gradient;

import static dev.zerog.testing.OpDefs.op;
import static dev.zerog.testing.OperatorHarness.assertGradientsMatch;
import static dev.zerog.testing.OperatorHarness.canonical;
import static dev.zerog.testing.OperatorHarness.feeds;
import static dev.zerog.testing.OperatorHarness.gradientOps;
import static dev.zerog.testing.OperatorHarness.run;
import static dev.zerog.testing.OperatorHarness.uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerog.ShapeException;
import dev.zerog.ZerogException;
import dev.zerog.grad.GradientChecker;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.op.OperatorSchema;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GradientMaskTest {
  private static final OperatorDef MASK = op("GradientMask", List.of("X", "M"), List.of("Y"));
  private static final OperatorDef MASK_IN_PLACE = op("GradientMask", List.of("X", "M"), List.of("X"));
  private static final OperatorDef GRAD = op("GradientMaskGradient", List.of("dY", "M"), List.of("dX"));

  @Test
  void forwardIsTheIdentity() {
    Tensor x = Tensor.of(new float[] {1, -2, 3, 4}, 2, 2);
    Workspace ws = run(MASK, feeds("X", x, "M", Tensor.of(new float[] {0, 1})));
    assertThat(ws.fetch("Y").contentEquals(x)).isTrue();
    assertThat(ws.fetch("Y")).isNotSameAs(x);
    ws = run(MASK_IN_PLACE, feeds("X", x, "M", Tensor.of(new float[] {0, 1})));
    assertThat(ws.fetch("X")).isSameAs(x);
    assertThat(x.floats()).containsExactly(1, -2, 3, 4);
    ws = run(MASK, feeds("X", Tensor.zeros(DataType.DOUBLE, 1 << 20), "M", Tensor.of(new double[] {1})));
    assertThat(ws.fetch("Y").isKnownZero()).isTrue();
  }

  @Test
  void gradientMultipliesByTheBroadcastMask() {
    Tensor dy = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    assertThat(grad(dy, Tensor.of(new float[] {1, 0, 1, 0, 1, 1}, 2, 3)).floats()).containsExactly(1, 0, 3, 0, 5, 6);
    assertThat(grad(dy, Tensor.of(new float[] {0, 1, 2}, 3)).floats()).containsExactly(0, 2, 6, 0, 5, 12);
    assertThat(grad(dy, Tensor.of(new float[] {2, 0}, 2, 1)).floats()).containsExactly(2, 4, 6, 0, 0, 0);
    assertThat(grad(dy, Tensor.of(new float[] {3}, 1, 1)).floats()).containsExactly(3, 6, 9, 12, 15, 18);
    assertThat(grad(dy, Tensor.scalar(-1)).floats()).containsExactly(-1, -2, -3, -4, -5, -6);
  }

  @Test
  void gradientBroadcastsOverMixedAxes() {
    SplittableRandom r = new SplittableRandom(3);
    Tensor dy = uniform(r, -1, 1, 2, 3, 4, 5);
    Tensor mask = uniform(r, -1, 1, 3, 1, 5);
    double[] out = grad(dy, mask).doubles();
    double[] d = dy.doubles();
    double[] m = mask.doubles();
    for (int a = 0; a < 2; a++) {
      for (int b = 0; b < 3; b++) {
        for (int c = 0; c < 4; c++) {
          for (int e = 0; e < 5; e++) {
            int i = ((a * 3 + b) * 4 + c) * 5 + e;
            assertThat(out[i]).isEqualTo(d[i] * m[b * 5 + e]);
          }
        }
      }
    }
  }

  @Test
  void gradientInPlaceAndOnKnownZeros() {
    Tensor dy = Tensor.of(new double[] {1, 2, 3}, 3);
    Workspace ws = run(op("GradientMaskGradient", List.of("dY", "M"), List.of("dY")),
        feeds("dY", dy, "M", Tensor.of(new double[] {0, 1, 0})));
    assertThat(ws.fetch("dY").doubles()).containsExactly(0, 2, 0);
    Tensor zeroMask = Tensor.zeros(DataType.FLOAT, 1 << 20);
    Tensor big = Tensor.allocate(DataType.FLOAT, 1 << 20);
    ws = run(GRAD, feeds("dY", big, "M", zeroMask));
    assertThat(ws.fetch("dX").isKnownZero()).isTrue();
    assertThat(zeroMask.isKnownZero()).isTrue();
    ws = run(GRAD, feeds("dY", Tensor.zeros(DataType.FLOAT, 4), "M", Tensor.of(new float[] {1, 2, 3, 4})));
    assertThat(ws.fetch("dX").isKnownZero()).isTrue();
    assertThat(ws.fetch("dX").dims()).containsExactly(4);
  }

  @Test
  void badMasksAreErrorsNamingTheMask() {
    assertThatThrownBy(() -> run(MASK, feeds("X", Tensor.allocate(DataType.FLOAT, 2, 3), "M",
        Tensor.allocate(DataType.FLOAT, 2)))).isInstanceOf(ShapeException.class)
        .hasMessageContaining("does not broadcast").satisfies(e -> {
          assertThat(((ZerogException) e).opType()).isEqualTo("GradientMask");
          assertThat(((ZerogException) e).blob()).isEqualTo("M");
        });
    assertThatThrownBy(() -> run(MASK, feeds("X", Tensor.allocate(DataType.FLOAT, 3), "M",
        Tensor.allocate(DataType.FLOAT, 1, 3)))).isInstanceOf(ShapeException.class);
    assertThatThrownBy(() -> run(MASK, feeds("X", Tensor.allocate(DataType.FLOAT, 3), "M",
        Tensor.allocate(DataType.DOUBLE, 3)))).isInstanceOf(ShapeException.class).hasMessageContaining("type");
    assertThatThrownBy(() -> run(GRAD, feeds("dY", Tensor.allocate(DataType.INT32, 3), "M",
        Tensor.allocate(DataType.INT32, 3)))).isInstanceOf(ShapeException.class);
  }

  @Test
  void withAMaskOfOnesTheGradientIsTheIdentitysAndOtherwiseIsChangedOnPurpose() {
    // The true derivative of the identity: the checker passes with ones; any other mask changes the gradient.
    SplittableRandom r = new SplittableRandom(11);
    Tensor x = uniform(r, -1, 1, 3, 4);
    Tensor ones = Tensor.allocate(DataType.DOUBLE, 4);
    java.util.Arrays.fill(ones.doubles(), 1);
    assertGradientsMatch(GradientChecker.forDouble(), MASK, feeds("X", x, "M", ones), 0);
    List<GradientChecker.Result> masked = GradientChecker.forDouble().check(MASK,
        feeds("X", x, "M", Tensor.of(new double[] {1, 0, 1, 1})), 0);
    assertThat(masked.get(0).passed()).isFalse();
  }

  @Test
  void builderEmitsGradientMaskGradient() {
    assertThat(gradientOps(MASK, "Y")).isEqualTo(canonical(
        "op { input: \"Y\" output: \"Y_autogen_grad\" type: \"ConstantFill\" arg { name: \"value\" f: 1.0 } }\n"
            + "op { input: \"Y_autogen_grad\" input: \"M\" output: \"X_grad\" type: \"GradientMaskGradient\" "
            + "is_gradient_op: true }"));
  }

  @Test
  void schemasDeclareTheLinearities() {
    OperatorSchema g = OperatorRegistry.standard().get("GradientMaskGradient").schema();
    assertThat(g.zeroOutputs(GRAD, i -> i == 1)).containsExactly(true);
    assertThat(g.zeroOutputs(GRAD, i -> i == 0)).containsExactly(true);
    assertThat(g.zeroOutputs(GRAD, i -> false)).containsExactly(false);
    OperatorSchema f = OperatorRegistry.standard().get("GradientMask").schema();
    assertThat(f.zeroOutputs(MASK, i -> i == 1)).containsExactly(false);
  }

  private static Tensor grad(Tensor dy, Tensor mask) {
    return run(GRAD, feeds("dY", dy, "M", mask)).fetch("dX");
  }
}
