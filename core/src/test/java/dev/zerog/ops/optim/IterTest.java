package dev.zerog.ops.optim;

import static dev.zerog.testing.OpDefs.net;
import static dev.zerog.testing.OpDefs.op;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerog.SchemaException;
import dev.zerog.ShapeException;
import dev.zerog.grad.GradientKind;
import dev.zerog.net.Net;
import dev.zerog.op.Arguments;
import dev.zerog.op.BlobType;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.List;
import org.junit.jupiter.api.Test;

class IterTest {
  private static final OperatorDef IN_PLACE = op("Iter", List.of("it"), List.of("it"));

  @Test
  void incrementsInPlace() {
    Workspace ws = new Workspace();
    ws.feed("it", Tensor.of(new long[] {0}));
    Net n = Net.create(net(IN_PLACE), ws);
    n.run();
    assertThat(ws.fetch("it").longs()).containsExactly(1);
    long[] held = ws.fetch("it").longs();
    n.run();
    n.run();
    assertThat(ws.fetch("it").longs()).isSameAs(held).containsExactly(3);
  }

  @Test
  void withoutAnInputAnEmptyBlobStartsAtZero() {
    Workspace ws = new Workspace();
    Net n = Net.create(net(op("Iter", List.of(), List.of("it"))), ws);
    n.run();
    Tensor it = ws.fetch("it");
    assertThat(it.dtype()).isEqualTo(DataType.INT64);
    assertThat(it.dims()).containsExactly(1);
    assertThat(it.longs()).containsExactly(1);
    n.run();
    assertThat(ws.fetch("it").longs()).containsExactly(2);
  }

  @Test
  void withoutAnInputAnExistingCounterResumes() {
    Workspace ws = new Workspace();
    ws.feed("it", Tensor.of(new long[] {41}));
    Net.create(net(op("Iter", List.of(), List.of("it"))), ws).run();
    assertThat(ws.fetch("it").longs()).containsExactly(42);
  }

  @Test
  void aZeroDimensionalCounterWorks() {
    Workspace ws = new Workspace();
    ws.feed("it", Tensor.wrap(DataType.INT64, new long[] {7}));
    Net.create(net(IN_PLACE), ws).run();
    assertThat(ws.fetch("it").longs()).containsExactly(8);
  }

  @Test
  void errors() {
    assertThatThrownBy(() -> run(Tensor.of(new float[] {0})))
        .isInstanceOf(ShapeException.class).hasMessageContaining("INT64 tensor of one element, got FLOAT [1]")
        .satisfies(e -> assertThat(((ShapeException) e).blob()).isEqualTo("it"));
    assertThatThrownBy(() -> run(Tensor.of(new long[] {0, 0})))
        .isInstanceOf(ShapeException.class).hasMessageContaining("got INT64 [2]");
    assertThatThrownBy(() -> run(Tensor.of(new long[] {-1})))
        .isInstanceOf(ShapeException.class).hasMessageContaining("previous iteration number is negative: -1");
    assertThatThrownBy(() -> run(Tensor.of(new long[] {Long.MAX_VALUE})))
        .isInstanceOf(ShapeException.class).hasMessageContaining("overflow");
    Workspace ws = new Workspace();
    ws.feed("a", Tensor.of(new long[] {0}));
    assertThatThrownBy(() -> Net.create(net(op("Iter", List.of("a"), List.of("b"))), ws))
        .isInstanceOf(SchemaException.class).hasMessageContaining("Iter must run in place");
  }

  private static void run(Tensor counter) {
    Workspace ws = new Workspace();
    ws.feed("it", counter);
    Net.create(net(IN_PLACE), ws).run();
  }

  @Test
  void schema() {
    var def = OperatorRegistry.standard().get("Iter");
    assertThat(def.gradientKind()).isEqualTo(GradientKind.NONE);
    assertThat(def.schema().enforcedInPlace()).hasSize(1);
    assertThat(def.schema().inference().infer(IN_PLACE, Arguments.of(List.of()), List.of(BlobType.of(
        DataType.INT64, 1)))).containsExactly(BlobType.of(DataType.INT64, 1));
    OperatorDef noInput = op("Iter", List.of(), List.of("it"));
    assertThat(def.schema().inference().infer(noInput, Arguments.of(List.of()), List.of()))
        .containsExactly(BlobType.of(DataType.INT64, 1));
  }
}
