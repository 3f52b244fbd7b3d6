package dev.zerog.ops.fill;

import static dev.zerog.ops.fill.FillTesting.filler;
import static dev.zerog.ops.fill.FillTesting.max;
import static dev.zerog.ops.fill.FillTesting.mean;
import static dev.zerog.ops.fill.FillTesting.min;
import static dev.zerog.ops.fill.FillTesting.run;
import static dev.zerog.ops.fill.FillTesting.seeded;
import static dev.zerog.ops.fill.FillTesting.std;
import static dev.zerog.ops.fill.FillTesting.with;
import static dev.zerog.testing.OpDefs.i;
import static dev.zerog.testing.OpDefs.ints;
import static dev.zerog.testing.OpDefs.op;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.zerog.ShapeException;
import dev.zerog.grad.GradientKind;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** XavierFill and MSRAFill: scaled by the output's shape, with Caffe2's fan_in and fan_out. */
class XavierMsraFillTest {
  @Test
  void xavierIsUniformWithinSqrtThreeOverFanIn() {
    // An FC weight [out, in] = [400, 50]: fan_in = size / dim 0 = 50.
    Tensor w = run(seeded(filler("XavierFill", ints("shape", 400, 50)), 1));
    double bound = Math.sqrt(3.0 / 50);
    assertThat(w.dtype()).isEqualTo(DataType.FLOAT);
    assertThat(min(w)).isGreaterThanOrEqualTo(-bound).isLessThan(-0.98 * bound);
    assertThat(max(w)).isLessThan(bound).isGreaterThan(0.98 * bound);
    assertThat(mean(w)).isCloseTo(0, within(0.01));
    // U[-s, s) has variance s^2 / 3 = 1 / fan_in.
    assertThat(std(w)).isCloseTo(Math.sqrt(1.0 / 50), within(0.003));
  }

  @Test
  void xavierFanInIsEverythingButTheFirstDim() {
    // A convolution kernel [8, 3, 5, 5]: fan_in = 75.
    Tensor w = run(filler("XavierFill", ints("shape", 8, 3, 5, 5), i("dtype", 13)));
    assertThat(w.dtype()).isEqualTo(DataType.DOUBLE);
    double bound = Math.sqrt(3.0 / 75);
    assertThat(min(w)).isGreaterThanOrEqualTo(-bound);
    assertThat(max(w)).isLessThan(bound).isGreaterThan(0.9 * bound);
    // A 1-D tensor has fan_in 1.
    Tensor v = run(filler("XavierFill", ints("shape", 1000)));
    assertThat(max(v)).isLessThan(Math.sqrt(3)).isGreaterThan(0.9 * Math.sqrt(3));
  }

  @Test
  void msraIsNormalWithStdSqrtTwoOverFanOut() {
    // [out, in] = [200, 500]: fan_out = size / dim 1 = 200, std = sqrt(2 / 200) = 0.1.
    Tensor w = run(seeded(filler("MSRAFill", ints("shape", 200, 500)), 3));
    assertThat(w.dtype()).isEqualTo(DataType.FLOAT);
    assertThat(mean(w)).isCloseTo(0, within(0.002));
    assertThat(std(w)).isCloseTo(0.1, within(0.002));
    // Normal, not uniform: values beyond 3 std exist.
    assertThat(max(w)).isGreaterThan(0.3);
  }

  @Test
  void determinismAndOutputNames() {
    for (String type : List.of("XavierFill", "MSRAFill")) {
      OperatorDef op = seeded(filler(type, ints("shape", 4, 6)), 21);
      assertThat(run(op).floats()).containsExactly(run(op).floats());
      OperatorDef w1 = op(type, List.of(), List.of("W1"), ints("shape", 4, 6));
      OperatorDef w2 = op(type, List.of(), List.of("W2"), ints("shape", 4, 6));
      assertThat(run(w1).floats()).containsExactly(run(w1).floats()).isNotEqualTo(run(w2).floats());
    }
  }

  @Test
  void shapeFromAnInput() {
    Tensor w = FillTesting.run(with("like", Tensor.allocate(DataType.FLOAT, 3, 7)),
        op("XavierFill", List.of("like"), List.of("Y")));
    assertThat(w.dims()).containsExactly(3, 7);
    assertThat(max(w)).isLessThan(Math.sqrt(3.0 / 7));
  }

  @Test
  void shapesWithoutTheNeededAxesAreErrors() {
    assertThatThrownBy(() -> run(filler("XavierFill")))
        .isInstanceOf(ShapeException.class).hasMessageContaining("at least one axis")
        .satisfies(e -> assertThat(((ShapeException) e).blob()).isEqualTo("Y"));
    assertThatThrownBy(() -> run(filler("MSRAFill", ints("shape", 5))))
        .isInstanceOf(ShapeException.class).hasMessageContaining("at least two axes (fan_out is size / dim 1)");
  }

  @Test
  void emptyOutputsStayEmpty() {
    assertThat(run(filler("XavierFill", ints("shape", 0, 4))).size()).isZero();
    assertThat(run(filler("MSRAFill", ints("shape", 4, 0))).size()).isZero();
  }

  @Test
  void schema() {
    for (String type : List.of("XavierFill", "MSRAFill")) {
      var def = OperatorRegistry.standard().get(type);
      assertThat(def.gradientKind()).isEqualTo(GradientKind.NONE);
      assertThat(def.schema().allowsInPlace(0, 0)).isTrue();
    }
    assertThat(OperatorRegistry.standard().get("XavierFill").schema().doc()).contains("sqrt(3 / fan_in)");
    assertThat(OperatorRegistry.standard().get("MSRAFill").schema().doc()).contains("sqrt(2 / fan_out)");
  }
}
