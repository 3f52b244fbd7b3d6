package dev.zerog.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerog.SchemaException;
import dev.zerog.net.Net;
import dev.zerog.net.NetDefs;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GivenTensorInitNetTest {
  @Test
  void theInitNetRecreatesEveryTensorExactly() {
    Map<String, Tensor> values = new LinkedHashMap<>();
    values.put("W", Tensor.of(new float[] {1.5f, -0.0f, Float.MIN_VALUE, 3e38f, Float.NaN, -7}, 2, 3));
    values.put("count", Tensor.of(new long[] {Long.MAX_VALUE}, 1));
    values.put("idx", Tensor.of(new int[] {-1, 2}, 2));
    values.put("mask", Tensor.of(new boolean[] {true, false, true}, 3));
    values.put("s", Tensor.wrap(DataType.INT16, new short[] {-5, 7}, 2));
    values.put("names", Tensor.of(new String[] {"a", "é"}, 2));
    values.put("scalar", Tensor.scalar(2.5f));
    NetDef init = GivenTensorInitNet.of("trained", values);
    assertThat(init.getName()).isEqualTo("trained");
    assertThat(init.getExternalOutputList()).containsExactlyElementsOf(values.keySet());
    assertThat(init.getOpList()).extracting(op -> op.getType()).containsExactly("GivenTensorFill",
        "GivenTensorInt64Fill", "GivenTensorIntFill", "GivenTensorBoolFill", "GivenTensorFill",
        "GivenTensorStringFill", "GivenTensorFill");
    // Through the text format and back, then run.
    NetDef reread = NetDefs.parseText(NetDefs.toText(init), "init.pbtxt");
    Workspace ws = new Workspace();
    Net.create(reread, ws).run();
    values.forEach((name, t) -> assertThat(ws.fetch(name).contentEquals(t)).as(name).isTrue());
  }

  @Test
  void doublesKeepFloatPrecisionAsInCaffe2() {
    NetDef init = GivenTensorInitNet.of(null, Map.of("d", Tensor.of(new double[] {0.1, 2}, 2)));
    assertThat(init.getOp(0).getType()).isEqualTo("GivenTensorDoubleFill");
    Workspace ws = new Workspace();
    Net.create(init, ws).run();
    assertThat(ws.fetch("d").doubles()).containsExactly((double) 0.1f, 2.0);
  }

  @Test
  void typesWithoutAFillAreRefused() {
    assertThatThrownBy(() -> GivenTensorInitNet.of(null, Map.of("h", Tensor.allocate(DataType.FLOAT16, 2))))
        .isInstanceOf(SchemaException.class)
        .hasMessage("blob 'h': Caffe2 has no GivenTensorFill variant for a FLOAT16 tensor");
  }
}
