package dev.zerog.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.zerog.SchemaException;
import dev.zerog.net.Net;
import dev.zerog.net.NetDefs;
import dev.zerog.op.Arguments;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InitNetGeneratorTest {
  @Test
  void fillsEachParameterByItsRoleInTheOrderTheNetReadsThem() {
    NetDef init = InitNetGenerator.generate(SmallCnn.predict(), SmallCnn.shapes());
    assertThat(init.getName()).isEqualTo("small_cnn_init");
    List<String> lines = new ArrayList<>();
    for (OperatorDef op : init.getOpList()) {
      Arguments a = Arguments.of(op.getArgList());
      lines.add(op.getOutput(0) + " " + op.getType()
          + (op.getType().equals("ConstantFill") ? " " + a.getFloat("value", Float.NaN)
              : " seed " + op.getDeviceOption().getRandomSeed())
          + " " + java.util.Arrays.toString(a.getLongs("shape")));
    }
    assertThat(lines).containsExactly(
        "conv1_w MSRAFill seed 1 [4, 3, 3, 3]",
        "conv1_b ConstantFill 0.0 [4]",
        "bn1_scale ConstantFill 1.0 [4]",
        "bn1_bias ConstantFill 0.0 [4]",
        "bn1_mean ConstantFill 0.0 [4]",
        "bn1_var ConstantFill 1.0 [4]",
        "bn1_w ConstantFill 1.0 [4]",
        "bn1_b ConstantFill 0.0 [4]",
        "fc1_w XavierFill seed 2 [6, 64]",
        "fc1_b ConstantFill 0.0 [6]",
        "fc2_w XavierFill seed 3 [5, 6]",
        "fc2_b ConstantFill 0.0 [5]");
    assertThat(init.getExternalOutputList()).containsExactlyElementsOf(SmallCnn.shapes().names());
    assertThat(InitNetGenerator.inputsLeftToCaller(SmallCnn.predict(), SmallCnn.shapes())).containsExactly("data");
  }

  @Test
  void theSameSeedGivesTheSameValuesAndAnotherSeedOthers() {
    NetDef a = InitNetGenerator.generate(SmallCnn.predict(), SmallCnn.shapes(), 7);
    assertThat(InitNetGenerator.generate(SmallCnn.predict(), SmallCnn.shapes(), 7)).isEqualTo(a);
    Workspace one = new Workspace();
    Net.runOnce(a, one);
    Workspace two = new Workspace();
    Net.runOnce(NetDefs.parseText(NetDefs.toText(a), "copy"), two);
    Workspace other = new Workspace();
    Net.runOnce(InitNetGenerator.generate(SmallCnn.predict(), SmallCnn.shapes(), 8), other);
    Tensor w = one.fetch("conv1_w");
    assertThat(w.dims()).containsExactly(4, 3, 3, 3);
    assertThat(w.contentEquals(two.fetch("conv1_w"))).isTrue();
    assertThat(w.contentEquals(other.fetch("conv1_w"))).isFalse();
    assertThat(one.fetch("bn1_var").floats()).containsOnly(1f);
    assertThat(one.fetch("fc2_b").floats()).containsOnly(0f);
  }

  @Test
  void theGeneratedInitNetRunsThePredictNet() {
    Workspace ws = new Workspace();
    Net.runOnce(InitNetGenerator.generate(SmallCnn.predict(), SmallCnn.shapes()), ws);
    SmallCnn.feed(ws, null);
    Net.runOnce(SmallCnn.predict(), ws);
    float[] prob = ws.fetch("prob").floats();
    assertThat(prob).hasSize(10);
    assertThat(prob[0] + prob[1] + prob[2] + prob[3] + prob[4]).isCloseTo(1f, org.assertj.core.data.Offset.offset(
        1e-5f));
  }

  @Test
  void aParameterNoOpReadsIsRefused() {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    shapes.put("conv1_w", new long[] {4, 3, 3, 3});
    shapes.put("conv9_w", new long[] {1});
    SchemaException e = catchThrowableOfType(SchemaException.class,
        () -> InitNetGenerator.generate(SmallCnn.predict(), ParameterShapes.of(shapes)));
    assertThat(e.getMessage()).isEqualTo("blob 'conv9_w': the shapes give parameter 'conv9_w', which no op of the "
        + "net reads");
  }

  @Test
  void aParameterAnOpWritesFirstIsRefused() {
    SchemaException e = catchThrowableOfType(SchemaException.class, () -> InitNetGenerator.generate(
        SmallCnn.predict(), ParameterShapes.of(Map.of("pool1", new long[] {1}))));
    assertThat(e.getMessage()).contains("'pool1'").contains("op #5 of the net writes it before any op reads it");
    SchemaException unread = catchThrowableOfType(SchemaException.class, () -> InitNetGenerator.generate(
        SmallCnn.predict(), ParameterShapes.of(Map.of("prob", new long[] {1}))));
    assertThat(unread.getMessage()).contains("op #10 of the net writes it");
  }

  @Test
  void aRoleWithoutARuleIsRefusedNotGuessed() {
    SchemaException e = catchThrowableOfType(SchemaException.class, () -> InitNetGenerator.generate(
        SmallCnn.predict(), ParameterShapes.of(Map.of("data", new long[] {2, 3, 8, 8}))));
    assertThat(e.getMessage()).isEqualTo("blob 'data': no filler rule for parameter 'data': it is input 0 of op #0 "
        + "(Conv); parameters are filled as Conv and FC weights and biases, SpatialBN statistics, or the second "
        + "operand of Mul and Add");
  }

  @Test
  void aTrainNetWithRunningStatisticsInPlaceIsFilledToo() {
    TrainNet train = TrainNets.fromPredictNet(SmallCnn.predict());
    NetDef init = InitNetGenerator.generate(train.net(), SmallCnn.shapes());
    assertThat(init.getOpCount()).isEqualTo(12);
    assertThat(InitNetGenerator.inputsLeftToCaller(train.net(), SmallCnn.shapes())).containsExactly("data",
        "label");
  }
}
