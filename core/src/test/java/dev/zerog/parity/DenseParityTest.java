package dev.zerog.parity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Forward outputs and gradients of FC, FCTransposed, MatMul and BatchMatMul against PyTorch's, on the fixtures
 * of {@code tools/parity/make_parity_fixtures.py} (see docs/parity.md), with {@link OperatorParityTest}'s
 * tolerance. BatchMatMul with {@code broadcast: 1} is compared forward only: Caffe2 has no gradient for it.
 */
class DenseParityTest {
  /** The cases of this class, as the script names them. */
  static final List<String> CASES = List.of(
      "fc", "fc_axis2", "fc_axis_w2", "fc_transposed", "fc_transposed_axis2",
      "matmul", "matmul_trans_a", "matmul_trans_b", "matmul_trans_both", "matmul_3d_default_axes",
      "matmul_axis_a2_axis_b2", "matmul_axes_trans_both",
      "batch_matmul", "batch_matmul_trans_a", "batch_matmul_trans_b", "batch_matmul_trans_both_4d",
      "batch_matmul_2d", "batch_matmul_broadcast", "batch_matmul_broadcast_vector");

  private static final Set<String> FORWARD_ONLY = Set.of("batch_matmul_broadcast", "batch_matmul_broadcast_vector");

  static Stream<String> caseNames() {
    return CASES.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("caseNames")
  void matchesPyTorch(String name) {
    ParityCase c = ParityCase.load(name);
    assertThat(c.hasGradients()).as("gradients compared").isEqualTo(!FORWARD_ONLY.contains(name));
    c.check();
  }
}
