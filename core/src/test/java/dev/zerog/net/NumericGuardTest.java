package dev.zerog.net;

import static dev.zerog.testing.OpDefs.net;
import static dev.zerog.testing.OpDefs.op;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.zerog.NonFiniteException;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Float16;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.List;
import org.junit.jupiter.api.Test;

class NumericGuardTest {
  /** Relu then Log: Log of the zeros Relu makes is -Infinity. */
  private static final NetDef RELU_LOG = net(
      op("Relu", List.of("X"), List.of("R")),
      op("Log", List.of("R"), List.of("L")),
      op("Exp", List.of("L"), List.of("E")));

  @Test
  void offByDefault() {
    Workspace ws = new Workspace();
    ws.feed("X", Tensor.of(new float[] {1, -2, 3, -4}));
    Net n = Net.create(RELU_LOG, ws);
    assertThat(n.checksFinite()).isFalse();
    n.run();
    assertThat(ws.fetch("L").floats()[1]).isEqualTo(Float.NEGATIVE_INFINITY);
  }

  @Test
  void namesTheFirstOpThatProducesANonFiniteValue() {
    Workspace ws = new Workspace();
    ws.feed("X", Tensor.of(new float[] {1, -2, 3, -4}));
    Net n = Net.create(RELU_LOG, ws).setCheckFinite(true);
    NonFiniteException e = catchThrowableOfType(NonFiniteException.class, n::run);
    assertThat(e.opIndex()).isEqualTo(1);
    assertThat(e.opType()).isEqualTo("Log");
    assertThat(e.blob()).isEqualTo("L");
    assertThat(e.count()).isEqualTo(2);
    assertThat(e.firstIndex()).isEqualTo(1);
    assertThat(e.firstValue()).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(e).hasMessage("op #1 (Log): blob 'L': 2 of 4 elements are not finite; the first is element 1"
        + " = -Infinity (numeric guard)");
    // The op after it did not run.
    assertThat(ws.hasBlob("E") && ws.getBlob("E").isTensor()).isFalse();
  }

  @Test
  void saysWhenTheInputWasAlreadyNotFinite() {
    Workspace ws = new Workspace();
    ws.feed("X", Tensor.of(new double[] {1, Double.NaN, 2}));
    NonFiniteException e = catchThrowableOfType(NonFiniteException.class,
        () -> Net.create(net(op("Relu", List.of("X"), List.of("Y"))), ws).setCheckFinite(true).run());
    assertThat(e.firstValue()).isNaN();
    assertThat(e).hasMessageContaining("op #0 (Relu): blob 'Y': 1 of 3 elements")
        .hasMessageContaining("input 0 'X' already held 1 non-finite elements (the first at 1)");
  }

  @Test
  void checksHalfPrecisionAndSkipsIntegersAndKnownZeros() {
    Workspace ws = new Workspace();
    short inf = Float16.fromFloat(Float.POSITIVE_INFINITY);
    ws.feed("H", Tensor.wrap(DataType.FLOAT16, new short[] {0, inf}, 2));
    ws.feed("I", Tensor.of(new int[] {1, 2}));
    ws.feed("Z", Tensor.zeros(DataType.FLOAT, 1 << 20));
    Net.create(net(op("Copy", List.of("I"), List.of("I2")), op("Copy", List.of("Z"), List.of("Z2"))), ws)
        .setCheckFinite(true).run();
    assertThat(ws.fetch("Z2").isKnownZero()).isTrue();
    NonFiniteException e = catchThrowableOfType(NonFiniteException.class,
        () -> Net.create(net(op("Copy", List.of("H"), List.of("H2"))), ws).setCheckFinite(true).run());
    assertThat(e.firstIndex()).isEqualTo(1);
    assertThat(e.firstValue()).isEqualTo(Double.POSITIVE_INFINITY);
  }

  @Test
  void canBeTurnedOff() {
    Workspace ws = new Workspace();
    ws.feed("X", Tensor.of(new float[] {-1}));
    Net n = Net.create(RELU_LOG, ws).setCheckFinite(true).setCheckFinite(false);
    n.run();
    assertThat(ws.fetch("E").floats()).containsExactly(0f);
  }
}
