package dev.zerog.ops.fill;

import static dev.zerog.ops.fill.FillTesting.filler;
import static dev.zerog.ops.fill.FillTesting.run;
import static dev.zerog.testing.OpDefs.i;
import static dev.zerog.testing.OpDefs.ints;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerog.SchemaException;
import dev.zerog.grad.GradientKind;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import org.junit.jupiter.api.Test;

class RangeFillTest {
  @Test
  void flatIndices() {
    Tensor y = run(filler("RangeFill", ints("shape", 2, 3)));
    assertThat(y.dtype()).isEqualTo(DataType.FLOAT);
    assertThat(y.floats()).containsExactly(0, 1, 2, 3, 4, 5);
  }

  @Test
  void otherTypes() {
    assertThat(run(filler("RangeFill", i("dtype", 13), ints("shape", 3))).doubles()).containsExactly(0, 1, 2);
    assertThat(run(filler("RangeFill", i("dtype", 2), ints("shape", 3))).ints()).containsExactly(0, 1, 2);
    assertThat(run(filler("RangeFill", i("dtype", 10), ints("shape", 2))).longs()).containsExactly(0, 1);
    assertThat(run(filler("RangeFill")).floats()).containsExactly(0);
    assertThatThrownBy(() -> run(filler("RangeFill", i("dtype", 5))))
        .isInstanceOf(SchemaException.class).hasMessageContaining("RangeFill does not support 'dtype' 5 (BOOL)");
  }

  @Test
  void schema() {
    assertThat(OperatorRegistry.standard().get("RangeFill").gradientKind()).isEqualTo(GradientKind.NONE);
  }
}
