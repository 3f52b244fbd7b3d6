package dev.zerog.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.zerog.SchemaException;
import dev.zerog.ShapeException;
import dev.zerog.UnsupportedOperatorException;
import dev.zerog.ZerogException;
import dev.zerog.op.Arity;
import dev.zerog.op.BlobType;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.op.OperatorSchema;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.tensor.DataType;
import dev.zerog.workspace.Workspace;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShapeInferenceTest {
  private static NetDef resource(String name) throws Exception {
    return NetDefs.read(Path.of(ShapeInferenceTest.class.getResource("/shapes/" + name).toURI()));
  }

  private static Map<String, BlobType> mlpInputs(long k) {
    Map<String, BlobType> in = new LinkedHashMap<>();
    in.put("data", BlobType.of(DataType.FLOAT, 4, 8));
    in.put("fc1_w", BlobType.of(DataType.FLOAT, 16, k));
    in.put("fc1_b", BlobType.of(DataType.FLOAT, 16));
    in.put("fc2_w", BlobType.of(DataType.FLOAT, 10, 16));
    in.put("fc2_b", BlobType.of(DataType.FLOAT, 10));
    return in;
  }

  @Test
  void everyBlobOfAnMlpFromItsInputs() throws Exception {
    NetShapes s = ShapeInference.infer(resource("mlp.pbtxt"), mlpInputs(8));
    assertThat(s.type("fc1")).isEqualTo(BlobType.of(DataType.FLOAT, 4, 16));
    assertThat(s.type("fc2")).isEqualTo(BlobType.of(DataType.FLOAT, 4, 10));
    assertThat(s.type("prob")).isEqualTo(BlobType.of(DataType.FLOAT, 4, 10));
    assertThat(s.blobs().keySet()).containsExactly("data", "fc1_w", "fc1_b", "fc1", "fc2_w", "fc2_b", "fc2",
        "prob");
    assertThat(s.origins()).containsEntry("data", "input").containsEntry("fc1", "op #1 (Relu)")
        .containsEntry("prob", "op #3 (Softmax)");
    assertThat(s.opOutputs()).hasSize(4);
    assertThat(s.opOutputs().get(2)).containsExactly(BlobType.of(DataType.FLOAT, 4, 10));
    assertThat(s.isComplete()).isTrue();
    assertThat(s.uninferred()).isEmpty();
    assertThat(s.unknownInputs()).isEmpty();
  }

  @Test
  void theFirstOpWhoseInputsDoNotFitIsNamed() throws Exception {
    ZerogException e = catchThrowableOfType(ZerogException.class,
        () -> ShapeInference.infer(resource("mlp.pbtxt"), mlpInputs(7)));
    assertThat(e).isInstanceOf(ShapeException.class);
    assertThat(e.opIndex()).isZero();
    assertThat(e.opType()).isEqualTo("FC");
    assertThat(e.getMessage()).startsWith("op #0 (FC): ").contains("8").contains("7");
  }

  @Test
  void parametersComeFromTheInitNet() throws Exception {
    NetShapes init = ShapeInference.infer(resource("mlp_init.pbtxt"), Map.of());
    NetShapes s = ShapeInference.infer(resource("mlp.pbtxt"), Map.of("data", BlobType.of(DataType.FLOAT, 3, 8)),
        init);
    assertThat(s.type("prob")).isEqualTo(BlobType.of(DataType.FLOAT, 3, 10));
    assertThat(s.origins()).containsEntry("fc2_w", "init").containsEntry("data", "input");
  }

  @Test
  void aGivenInputWinsOverTheInitNet() throws Exception {
    NetShapes init = ShapeInference.infer(resource("mlp_init.pbtxt"), Map.of());
    Map<String, BlobType> in = new LinkedHashMap<>();
    in.put("data", BlobType.of(DataType.FLOAT, 3, 4));
    in.put("fc1_w", BlobType.of(DataType.FLOAT, 16, 4));
    NetShapes s = ShapeInference.infer(resource("mlp.pbtxt"), in, init);
    assertThat(s.type("fc1_w")).isEqualTo(BlobType.of(DataType.FLOAT, 16, 4));
    assertThat(s.type("fc1")).isEqualTo(BlobType.of(DataType.FLOAT, 3, 16));
  }

  @Test
  void aBadInitNetIsFoundAtTheOpThatReadsIt() throws Exception {
    NetShapes init = ShapeInference.infer(resource("mlp_bad_init.pbtxt"), Map.of());
    ZerogException e = catchThrowableOfType(ZerogException.class, () -> ShapeInference.infer(
        resource("mlp.pbtxt"), Map.of("data", BlobType.of(DataType.FLOAT, 3, 8)), init));
    assertThat(e.opIndex()).isEqualTo(2);
    assertThat(e.opType()).isEqualTo("FC");
  }

  @Test
  void blobsNobodyGivesAreListedAndUnknown() throws Exception {
    NetShapes s = ShapeInference.infer(resource("mlp.pbtxt"), Map.of("data", BlobType.of(DataType.FLOAT, 4, 8)));
    assertThat(s.unknownInputs()).containsExactly("fc1_w", "fc1_b", "fc2_w", "fc2_b");
    assertThat(s.origins()).containsEntry("fc1_w", "unknown");
    assertThat(s.type("fc1").dims()).isNull();
    assertThat(s.type("fc1").dtype()).isEqualTo(DataType.FLOAT);
    assertThat(s.isComplete()).isFalse();
  }

  @Test
  void anOpWithoutInferenceIsNamedAndItsOutputsAreUnknown() {
    OperatorDefinition opaque = OperatorDefinition.builder(OperatorSchema.builder("NoInference")
        .inputs(1).outputs(Arity.range(1, 2)).build()).noGradient().build();
    OperatorRegistry registry = OperatorRegistry.standard().toBuilder().add(opaque).build();
    NetDef net = NetDefs.parseText("op { input: \"x\" output: \"y\" output: \"z\" type: \"NoInference\" }\n"
        + "op { input: \"y\" output: \"w\" type: \"Relu\" }\n"
        + "op { input: \"x\" output: \"v\" type: \"Relu\" }\n", "t");
    NetShapes s = ShapeInference.infer(net, Map.of("x", BlobType.of(DataType.FLOAT, 2)), null, registry);
    assertThat(s.uninferred()).containsExactly(new NetShapes.Uninferred("net", 0, "NoInference", List.of("y", "z")));
    assertThat(s.uninferred().get(0).describe())
        .isEqualTo("op #0 (NoInference) has no shape inference; its outputs are unknown: y, z");
    assertThat(s.type("y")).isEqualTo(BlobType.UNKNOWN);
    assertThat(s.type("w").dims()).isNull();
    assertThat(s.type("v")).isEqualTo(BlobType.of(DataType.FLOAT, 2));
  }

  @Test
  void uninferredOpsOfTheInitNetAreKeptAndMarked() {
    OperatorDefinition opaque = OperatorDefinition.builder(OperatorSchema.builder("NoInferenceFill")
        .outputs(1).build()).noGradient().build();
    OperatorRegistry registry = OperatorRegistry.standard().toBuilder().add(opaque).build();
    NetShapes init = ShapeInference.infer(NetDefs.parseText("op { output: \"w\" type: \"NoInferenceFill\" }", "i"),
        Map.of(), null, registry);
    NetShapes s = ShapeInference.infer(NetDefs.parseText("op { input: \"w\" output: \"y\" type: \"Relu\" }", "n"),
        Map.of(), init, registry);
    assertThat(s.uninferred()).containsExactly(new NetShapes.Uninferred("init", 0, "NoInferenceFill", List.of("w")));
    assertThat(s.uninferred().get(0).describe()).contains("of the init net");
    assertThat(s.unknownInputs()).isEmpty();
  }

  @Test
  void anUnknownOperatorTypeIsAnError() {
    NetDef net = NetDefs.parseText("op { input: \"x\" output: \"y\" type: \"Relu\" }\n"
        + "op { input: \"y\" output: \"z\" type: \"NoSuchOp\" }", "t");
    UnsupportedOperatorException e = catchThrowableOfType(UnsupportedOperatorException.class,
        () -> ShapeInference.infer(net, Map.of("x", BlobType.of(DataType.FLOAT, 1))));
    assertThat(e.getMessage()).isEqualTo("op #1 (NoSuchOp): unknown operator type 'NoSuchOp'");
  }

  @Test
  void wrongCountsAndArgumentTypesAreSchemaErrors() {
    NetDef arity = NetDefs.parseText("op { input: \"x\" input: \"x\" output: \"y\" type: \"Relu\" }", "t");
    SchemaException e = catchThrowableOfType(SchemaException.class,
        () -> ShapeInference.infer(arity, Map.of("x", BlobType.of(DataType.FLOAT, 1))));
    assertThat(e.getMessage()).startsWith("op #0 (Relu): Relu takes 1 input, got 2");
    NetDef arg = NetDefs.parseText("op { input: \"x\" output: \"y\" type: \"Softmax\" "
        + "arg { name: \"axis\" f: 1.5 } }", "t");
    SchemaException a = catchThrowableOfType(SchemaException.class,
        () -> ShapeInference.infer(arg, Map.of("x", BlobType.of(DataType.FLOAT, 1, 2))));
    assertThat(a.getMessage()).startsWith("op #0 (Softmax): argument 'axis' must be");
  }

  @Test
  void inferenceAgreesWithARun() throws Exception {
    NetDef init = resource("mlp_init.pbtxt");
    NetDef net = resource("mlp.pbtxt");
    Workspace ws = new Workspace();
    Net.runOnce(init, ws);
    ws.feed("data", dev.zerog.tensor.Tensor.allocate(DataType.FLOAT, 5, 8));
    Net.runOnce(net, ws);
    NetShapes s = ShapeInference.infer(net, Map.of("data", BlobType.of(DataType.FLOAT, 5, 8)),
        ShapeInference.infer(init, Map.of()));
    for (String blob : s.blobs().keySet()) {
      assertThat(s.dims(blob)).as(blob).containsExactly(ws.fetch(blob).dims());
      assertThat(s.type(blob).dtype()).as(blob).isEqualTo(ws.fetch(blob).dtype());
    }
  }
}
