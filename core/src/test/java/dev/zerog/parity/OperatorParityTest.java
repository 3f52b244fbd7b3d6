package dev.zerog.parity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Forward outputs and gradients of zerog's elementwise, softmax, loss, reduction and Gather operators against
 * PyTorch's, on the fixtures of {@code tools/parity/make_parity_fixtures.py} (see docs/parity.md): every
 * output and gradient within {@code |a - e| <= 1e-5 * max(|e|, min(1, max |E|))} (see {@link ParityCase#allowed}).
 */
class OperatorParityTest {
  private static final List<String> ARITHMETIC_SHAPES = List.of("same_shape", "broadcast_trailing",
      "broadcast_middle", "broadcast_both", "broadcast_both_ranks", "broadcast_a", "scalar_b", "legacy_trailing",
      "legacy_axis1", "legacy_axis0", "legacy_single", "legacy_ones");

  /** The cases of this class, as the script names them. */
  static final List<String> CASES = cases();

  private static List<String> cases() {
    List<String> all = new ArrayList<>();
    for (String op : List.of("add", "sub", "mul", "div")) {
      for (String shapes : ARITHMETIC_SHAPES) {
        all.add(op + "_" + shapes);
      }
    }
    all.addAll(List.of("softmax_2d", "softmax_axis2", "softmax_axis1_3d", "softmax_axis_negative", "softmax_axis0",
        "softmax_with_loss_labels", "softmax_with_loss_int64_label_column", "softmax_with_loss_label_prob",
        "softmax_with_loss_weights", "softmax_with_loss_scale", "softmax_with_loss_label_prob_weights_scale",
        "softmax_with_loss_axis2",
        "label_cross_entropy", "label_cross_entropy_int64_column", "label_cross_entropy_one_row",
        "squared_l2_distance", "squared_l2_distance_3d", "squared_l2_distance_1d",
        "sum_elements", "sum_elements_average", "averaged_loss"));
    for (String op : List.of("reduce_sum", "reduce_mean")) {
      for (String variant : List.of("axes_0_2_keepdims", "axis_1_no_keepdims", "negative_axis_keepdims",
          "all_no_keepdims", "all_keepdims")) {
        all.add(op + "_" + variant);
      }
    }
    all.addAll(List.of("gather_rows_sparse_gradient", "gather_dense_gradient", "gather_axis1",
        "gather_twice_accumulated"));
    return List.copyOf(all);
  }

  static Stream<String> caseNames() {
    return CASES.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("caseNames")
  void matchesPyTorch(String name) {
    ParityCase c = ParityCase.load(name);
    assertThat(c.hasGradients()).as("every case of this class compares gradients").isTrue();
    c.check();
  }

  @Test
  void everyFixtureIsACaseOfOneParityTest() throws IOException {
    TreeSet<String> onDisk = new TreeSet<>();
    try (Stream<Path> files = Files.list(ParityCase.directory())) {
      // Subdirectories (parity/cnn) belong to other parity tests.
      files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).forEach(f -> {
        assertThat(f).as("a parity fixture file").matches(".+\\.(pbtxt|npz)");
        onDisk.add(f);
      });
    }
    TreeSet<String> expected = new TreeSet<>();
    for (String name : CASES) {
      expected.add(name + ".pbtxt");
      expected.add(name + ".npz");
    }
    for (String name : DenseParityTest.CASES) {
      expected.add(name + ".pbtxt");
      expected.add(name + ".npz");
    }
    assertThat(onDisk).as("the fixtures in %s (after removing a case, mvn clean drops its stale copy there)",
        ParityCase.directory()).containsExactlyElementsOf(expected);
  }

  @Test
  void aGradientOffByTwiceTheAllowedDifferenceFails() {
    ParityCase c = ParityCase.load("softmax_with_loss_weights");
    Tensor good = c.array("grad.X");
    int k = 7;
    float e = good.floats()[k];
    double allowed = ParityCase.allowed(e, ParityCase.scale(good));
    assertThat(allowed).isGreaterThan(1e-7).isLessThan(1e-5);
    assertThatThrownBy(() -> c.withArray("grad.X", perturbed(good, k, (float) (e + 2 * allowed))).check())
        .isInstanceOf(AssertionError.class).hasMessageContaining("softmax_with_loss_weights: gradient of X: element 7");
    assertThatCode(() -> c.withArray("grad.X", perturbed(good, k, (float) (e - 0.5 * allowed))).check())
        .doesNotThrowAnyException();
  }

  @Test
  void anOutputOffByTwiceTheRelativeToleranceFails() {
    ParityCase c = ParityCase.load("mul_broadcast_both");
    Tensor good = c.array("out.C");
    int k = largestMagnitude(good);
    float e = good.floats()[k];
    assertThat(Math.abs(e)).as("a large element: the tolerance is relative there").isGreaterThan(1f);
    assertThatThrownBy(() -> c.withArray("out.C", perturbed(good, k, e * (1 + 2e-5f))).check())
        .isInstanceOf(AssertionError.class).hasMessageContaining("output C: element " + k);
    assertThatCode(() -> c.withArray("out.C", perturbed(good, k, e * (1 + 0.5e-5f))).check())
        .doesNotThrowAnyException();
  }

  @Test
  void theToleranceIsRelativeWithAFloorAtTheTensorsScale() {
    // Scale min(1, 1000) = 1: 1e-5 of the element above magnitude 1, 1e-5 absolute below.
    Tensor large = Tensor.of(new float[] {1000f, 0.5f, 0f});
    assertThat(ParityCase.scale(large)).isEqualTo(1.0);
    assertThatCode(() -> ParityCase.assertClose("t", Tensor.of(new float[] {1000.009f, 0.500009f, 9e-6f}), large))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> ParityCase.assertClose("t", Tensor.of(new float[] {1000.011f, 0.5f, 0f}), large))
        .hasMessageContaining("element 0");
    assertThatThrownBy(() -> ParityCase.assertClose("t", Tensor.of(new float[] {1000f, 0.500011f, 0f}), large))
        .hasMessageContaining("element 1");
    assertThatThrownBy(() -> ParityCase.assertClose("t", Tensor.of(new float[] {1000f, 0.5f, -1.1e-5f}), large))
        .hasMessageContaining("element 2");
    // Scale 0.002: an element of 1e-4 may be off by 1e-5 * 0.002 = 2e-8, not 1e-5.
    Tensor small = Tensor.of(new float[] {0.002f, 0.0001f});
    assertThat(ParityCase.allowed(0.0001f, ParityCase.scale(small))).isCloseTo(2e-8, within(1e-12));
    assertThatCode(() -> ParityCase.assertClose("t", Tensor.of(new float[] {0.002f, 0.000100015f}), small))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> ParityCase.assertClose("t", Tensor.of(new float[] {0.002f, 0.00010003f}), small))
        .hasMessageContaining("element 1");
    // An all-zero expectation must be met exactly.
    Tensor zeros = Tensor.of(new float[] {0f, 0f});
    assertThatCode(() -> ParityCase.assertClose("t", Tensor.of(new float[] {0f, -0f}), zeros))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> ParityCase.assertClose("t", Tensor.of(new float[] {0f, 1e-30f}), zeros))
        .hasMessageContaining("element 1");
  }

  @Test
  void theUpstreamGradientIsUsed() {
    // A different seed gives different gradients: the fixture's seed reaches the gradient ops.
    ParityCase c = ParityCase.load("softmax_2d");
    Tensor seed = c.array("seed.Y");
    assertThatThrownBy(() -> c.withArray("seed.Y", perturbed(seed, 0, seed.floats()[0] + 0.01f)).check())
        .isInstanceOf(AssertionError.class).hasMessageContaining("gradient of X");
  }

  @Test
  void aWrongShapeOrTypeFails() {
    Tensor e = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    assertThatThrownBy(() -> ParityCase.assertClose("t", e.copy().reshape(3, 2), e))
        .isInstanceOf(AssertionError.class).hasMessageContaining("dims");
    assertThatThrownBy(() -> ParityCase.assertClose("t", Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3), e))
        .isInstanceOf(AssertionError.class).hasMessageContaining("type");
    assertThatThrownBy(() -> ParityCase.assertClose("t", perturbed(e, 2, Float.NaN), e))
        .isInstanceOf(AssertionError.class).hasMessageContaining("element 2");
  }

  @Test
  void aSparseGradientIsSummedWhereIndicesRepeat() {
    Tensor dense = ParityCase.densify(Tensor.of(new int[] {2, 0, 2}), Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2),
        Tensor.zeros(DataType.FLOAT, 3, 2));
    assertThat(dense.dims()).containsExactly(3, 2);
    assertThat(dense.floats()).containsExactly(3, 4, 0, 0, 6, 8);
  }

  static Tensor perturbed(Tensor t, int index, float value) {
    Tensor copy = t.copy();
    copy.floats()[index] = value;
    return copy;
  }

  private static int largestMagnitude(Tensor t) {
    float[] a = t.floats();
    int best = 0;
    for (int i = 1; i < a.length; i++) {
      if (Math.abs(a[i]) > Math.abs(a[best])) {
        best = i;
      }
    }
    return best;
  }
}
