package dev.zerog.net;

import static dev.zerog.testing.OpDefs.f;
import static dev.zerog.testing.OpDefs.ints;
import static dev.zerog.testing.OpDefs.net;
import static dev.zerog.testing.OpDefs.op;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.zerog.ResourceLimitException;
import dev.zerog.ResourceLimits;
import dev.zerog.SchemaException;
import dev.zerog.ShapeException;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The resource limits as a net meets them: every refusal comes before the memory is allocated. */
class NetLimitsTest {
  private static NetDef fill(String out, long... shape) {
    return net(op("ConstantFill", List.of(), List.of(out), ints("shape", shape), f("value", 1f)));
  }

  @Test
  void aFillOfTenToTheFifteenElementsIsRefusedBeforeAllocating() {
    Workspace ws = new Workspace();
    ResourceLimitException e = catchThrowableOfType(ResourceLimitException.class,
        () -> Net.create(fill("Y", 1_000_000_000_000_000L), ws).run());
    assertThat(e.opIndex()).isZero();
    assertThat(e.opType()).isEqualTo("ConstantFill");
    assertThat(e).hasMessageContaining("1000000000000000 elements");
    assertThat(ws.materializedBytes()).isZero();
  }

  @Test
  void dimsWhoseProductOverflows64BitsAreRefused() {
    Workspace ws = new Workspace();
    assertThatThrownBy(() -> Net.create(fill("Y", 1L << 40, 1L << 40), ws).run())
        .isInstanceOf(ResourceLimitException.class)
        .hasMessageContaining("op #0 (ConstantFill)")
        .hasMessageContaining("more elements than fit in 64 bits");
  }

  @Test
  void aNegativeDimIsAnErrorWhenTheNetIsCreated() {
    assertThatThrownBy(() -> Net.create(fill("Y", 2, -3), new Workspace()))
        .isInstanceOf(SchemaException.class)
        .hasMessageContaining("op #0 (ConstantFill)")
        .hasMessageContaining("negative dimension -3");
    assertThatThrownBy(() -> Tensor.allocate(DataType.FLOAT, 2, -3)).isInstanceOf(ShapeException.class);
  }

  @Test
  void aTensorOverTheTensorCapIsRefusedWithBothSizes() {
    Workspace ws = new Workspace(ResourceLimits.of(4096, ResourceLimits.UNLIMITED));
    Net.create(fill("small", 1024), ws).run(); // 4096 bytes: exactly the cap
    assertThatThrownBy(() -> Net.create(fill("big", 1025), ws).run())
        .isInstanceOf(ResourceLimitException.class)
        .hasMessageContaining("op #0 (ConstantFill)")
        .hasMessageContaining("a FLOAT tensor of shape [1025] needs 4100 bytes")
        .hasMessageContaining("at most 4096 bytes");
  }

  @Test
  void theWorkspaceCapCountsEveryBlob() {
    Workspace ws = new Workspace(ResourceLimits.of(ResourceLimits.UNLIMITED, 10_000));
    ws.feed("fed", Tensor.allocate(DataType.FLOAT, 1000)); // 4000 bytes, not checked, but counted
    NetDef twoFills = net(
        op("ConstantFill", List.of(), List.of("A"), ints("shape", 1000), f("value", 1f)),
        op("ConstantFill", List.of(), List.of("B"), ints("shape", 1000), f("value", 1f)));
    assertThatThrownBy(() -> Net.create(twoFills, ws).run())
        .isInstanceOf(ResourceLimitException.class)
        .hasMessageContaining("op #1 (ConstantFill)")
        .hasMessageContaining("would bring the workspace to 12000 bytes")
        .hasMessageContaining("at most 10000 bytes");
    assertThat(ws.fetch("A").size()).isEqualTo(1000);
  }

  @Test
  void resizingAnOutputReleasesItsOldArray() {
    Workspace ws = new Workspace(ResourceLimits.of(ResourceLimits.UNLIMITED, 6_000));
    Net.create(fill("A", 1000), ws).run(); // 4000 bytes
    // Refilling A with another shape of the same bytes replaces its array: 4000 - 4000 + 4000 is within the cap.
    Net.create(fill("A", 10, 100), ws).run();
    assertThat(ws.fetch("A").dims()).containsExactly(10, 100);
  }

  @Test
  void theSteadyStateIsNotCheckedAgain() {
    Workspace ws = new Workspace(ResourceLimits.of(4000, 4000));
    Net n = Net.create(fill("A", 1000), ws);
    for (int i = 0; i < 3; i++) {
      n.run();
    }
    assertThat(ws.materializedBytes()).isEqualTo(4000);
  }

  @Test
  void limitsCanChangeBetweenRuns() {
    Workspace ws = new Workspace(ResourceLimits.unlimited());
    Net n = Net.create(fill("A", 1000), ws);
    ws.setLimits(ResourceLimits.of(100, ResourceLimits.UNLIMITED));
    assertThatThrownBy(n::run).isInstanceOf(ResourceLimitException.class);
    ws.setLimits(ResourceLimits.unlimited());
    n.run();
    assertThat(ws.limits()).isEqualTo(ResourceLimits.unlimited());
  }

  @Test
  void materializingAKnownZeroIsChecked() {
    Workspace ws = new Workspace(ResourceLimits.of(100, ResourceLimits.UNLIMITED));
    ws.feed("Z", Tensor.zeros(DataType.FLOAT, 1000));
    // Sum of a known zero with itself stays a known zero and allocates nothing; Relu needs the values.
    Net.create(net(op("Sum", List.of("Z", "Z"), List.of("S"))), ws).run();
    assertThat(ws.fetch("S").isKnownZero()).isTrue();
    assertThatThrownBy(() -> Net.create(net(op("Relu", List.of("Z"), List.of("R"))), ws).run())
        .isInstanceOf(ResourceLimitException.class)
        .hasMessageContaining("op #0 (Relu)");
  }
}
