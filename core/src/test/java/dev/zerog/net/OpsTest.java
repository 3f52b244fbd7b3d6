package dev.zerog.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.TextFormat;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpsTest {
  @Test
  void buildsWhatTheTextFormatSays() throws Exception {
    OperatorDef built = Ops.create("Op", List.of("X", "W"), List.of("Y"), Ops.arg("i", 3), Ops.arg("f", 0.5f),
        Ops.arg("d", 0.25), Ops.arg("s", "NCHW"), Ops.ints("shape", 2, 3), Ops.floats("fs", 1f, -1f),
        Ops.strings("ss", "a", "é"));
    OperatorDef.Builder expected = OperatorDef.newBuilder();
    TextFormat.merge("type: 'Op' input: 'X' input: 'W' output: 'Y' arg { name: 'i' i: 3 } arg { name: 'f' f: 0.5 }"
        + " arg { name: 'd' f: 0.25 } arg { name: 's' s: 'NCHW' } arg { name: 'shape' ints: 2 ints: 3 }"
        + " arg { name: 'fs' floats: 1 floats: -1 } arg { name: 'ss' strings: 'a' strings: '\\303\\251' }",
        expected);
    assertThat(built).isEqualTo(expected.build());
  }

  @Test
  void anIntegerLiteralIsAnIntegerArgument() {
    assertThat(Ops.arg("axis", 1).hasI()).isTrue();
    assertThat(Ops.arg("value", 1.0).hasF()).isTrue();
  }

  @Test
  void theOperatorsRun() {
    Workspace ws = new Workspace();
    Net.create(net(Ops.create("ConstantFill", List.of(), List.of("Z"), Ops.ints("shape", 2, 3),
        Ops.arg("value", 2.5f))), ws).run();
    assertThat(ws.fetch("Z").contentEquals(Tensor.of(new float[] {2.5f, 2.5f, 2.5f, 2.5f, 2.5f, 2.5f}, 2, 3))).isTrue();
  }

  @Test
  void namesAreRequired() {
    assertThatThrownBy(() -> Ops.arg(null, 1)).isInstanceOf(NullPointerException.class).hasMessage("name");
    assertThatThrownBy(() -> Ops.create(null, List.of(), List.of())).isInstanceOf(NullPointerException.class)
        .hasMessage("type");
  }

  private static dev.zerog.proto.Caffe2.NetDef net(OperatorDef op) {
    return dev.zerog.proto.Caffe2.NetDef.newBuilder().addOp(op).build();
  }
}
