package dev.zerog.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.zerog.GradientException;
import dev.zerog.SchemaException;
import dev.zerog.grad.BackwardPass;
import dev.zerog.net.Net;
import dev.zerog.net.NetDefs;
import dev.zerog.op.Arguments;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.workspace.Workspace;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainNetsTest {
  private static String line(OperatorDef op) {
    return op.getType() + " " + op.getInputList() + " -> " + op.getOutputList();
  }

  @Test
  void thePredictNetAsShippedCannotBeDifferentiated() {
    GradientException e = catchThrowableOfType(GradientException.class,
        () -> BackwardPass.build(SmallCnn.predict(), List.of("prob")));
    assertThat(e.getMessage()).contains("needs output \"fc1\" at version 1, but currently we have version 2");
  }

  @Test
  void trainingModeLossAndNewNamesForOverwrittenVersions() {
    TrainNet t = TrainNets.fromPredictNet(SmallCnn.predict());
    NetDef net = t.net();
    assertThat(net.getName()).isEqualTo("small_cnn_train");
    assertThat(net.getOpList()).extracting(TrainNetsTest::line).containsExactly(
        "Conv [data, conv1_w, conv1_b] -> [conv1]",
        "SpatialBN [conv1, bn1_scale, bn1_bias, bn1_mean, bn1_var] -> [bn1, bn1_mean, bn1_var, bn1_sm, bn1_siv]",
        "Mul [bn1, bn1_w] -> [bn1_internal]",
        "Add [bn1_internal, bn1_b] -> [bn1_add]",
        "Relu [bn1_add] -> [bn1_add]",
        "MaxPool [bn1_add] -> [pool1]",
        "FC [pool1, fc1_w, fc1_b] -> [fc1]",
        "Relu [fc1] -> [fc1]",
        "Dropout [fc1] -> [fc1_dropout, _fc1_mask]",
        "FC [fc1_dropout, fc2_w, fc2_b] -> [fc2]",
        "SoftmaxWithLoss [fc2, label] -> [prob, loss]");
    assertThat(Arguments.of(net.getOp(1).getArgList()).getLong("is_test", -1)).isZero();
    assertThat(Arguments.of(net.getOp(1).getArgList()).getFloat("epsilon", 0)).isEqualTo(1e-5f);
    assertThat(Arguments.of(net.getOp(8).getArgList()).getLong("is_test", -1)).isZero();
    assertThat(t.renamed()).containsExactly(Map.entry("bn1", "bn1_add"), Map.entry("fc1", "fc1_dropout"));
    assertThat(t.blob("fc1")).isEqualTo("fc1_dropout");
    assertThat(t.blob("conv1")).isEqualTo("conv1");
    assertThat(t.label()).isEqualTo("label");
    assertThat(t.loss()).isEqualTo("loss");
    assertThat(t.softmax()).isEqualTo("prob");
    assertThat(net.getExternalInputList()).endsWith("label");
    assertThat(net.getExternalOutputList()).containsExactly("prob", "loss");
  }

  @Test
  void theTrainNetRunsForwardAndBackward() {
    TrainNet t = TrainNets.fromPredictNet(SmallCnn.predict());
    BackwardPass pass = BackwardPass.build(t.net(), List.of(t.loss()));
    Workspace ws = new Workspace();
    Net.runOnce(InitNetGenerator.generate(t.net(), SmallCnn.shapes()), ws);
    SmallCnn.feed(ws, t.label());
    Net.runOnce(SmallCnn.seeded(pass.appendTo(t.net())), ws);
    float loss = ws.fetch(t.loss()).floats()[0];
    assertThat(loss).isPositive().isLessThan(100f);
    for (String p : SmallCnn.shapes().names()) {
      if (p.equals("bn1_mean") || p.equals("bn1_var")) {
        // Running statistics are updated by SpatialBN, not learned.
        assertThat(pass.gradientMap()).doesNotContainKey(p);
        continue;
      }
      String g = pass.gradientMap().get(p).dense();
      assertThat(ws.fetch(g).dims()).as(p).containsExactly(ws.fetch(p).dims());
      assertThat(SmallCnn.squaredNorm(ws, g)).as("gradient of %s", p).isPositive();
    }
    // Training mode: the running mean moved from its initial zeros towards the batch mean.
    assertThat(SmallCnn.squaredNorm(ws, "bn1_mean")).isPositive();
  }

  @Test
  void aNetWithoutAFinalSoftmaxGetsOneWithItsLoss() {
    NetDef predict = NetDefs.parseText("name: \"n\" op { input: \"x\" input: \"w\" input: \"b\" output: \"y\" "
        + "type: \"FC\" } external_input: \"x\" external_output: \"y\"", "n");
    TrainNet t = TrainNets.fromPredictNet(predict, "lbl", "xent", OperatorRegistry.standard());
    assertThat(t.net().getOpList()).extracting(TrainNetsTest::line).containsExactly(
        "FC [x, w, b] -> [y]", "SoftmaxWithLoss [y, lbl] -> [y_softmax, xent]");
    assertThat(t.softmax()).isEqualTo("y_softmax");
    assertThat(t.net().getExternalInputList()).containsExactly("x", "lbl");
    assertThat(t.net().getExternalOutputList()).containsExactly("y", "y_softmax", "xent");
    assertThat(t.renamed()).isEmpty();
  }

  @Test
  void dropoutWithoutAMaskGetsOneAndSpatialBnAlreadyTrainingIsKept() {
    NetDef predict = NetDefs.parseText("op { input: \"x\" output: \"x\" type: \"Dropout\" }\n"
        + "op { input: \"x\" input: \"s\" input: \"b\" input: \"m\" input: \"v\" output: \"y\" output: \"m\" "
        + "output: \"v\" output: \"sm\" output: \"siv\" type: \"SpatialBN\" }\n"
        + "op { input: \"y\" output: \"p\" type: \"Softmax\" }", "n");
    TrainNet t = TrainNets.fromPredictNet(predict);
    assertThat(t.net().getOp(0).getOutputList()).containsExactly("x", "_x_mask");
    assertThat(t.net().getOp(0).getArgList()).extracting(a -> a.getName() + "=" + a.getI())
        .containsExactly("is_test=0");
    assertThat(t.net().getOp(1).getOutputList()).containsExactly("y", "m", "v", "sm", "siv");
  }

  @Test
  void badNamesAndShapesAreRefused() {
    assertThat(catchThrowableOfType(SchemaException.class, () -> TrainNets.fromPredictNet(SmallCnn.predict(),
        "prob", "loss", OperatorRegistry.standard()))).hasMessageContaining("already has a blob named 'prob'");
    assertThat(catchThrowableOfType(SchemaException.class, () -> TrainNets.fromPredictNet(SmallCnn.predict(),
        "x", "x", OperatorRegistry.standard()))).hasMessageContaining("cannot both be named 'x'");
    assertThat(catchThrowableOfType(SchemaException.class,
        () -> TrainNets.fromPredictNet(NetDef.getDefaultInstance()))).hasMessageContaining("no ops");
    NetDef threeOutputs = NetDefs.parseText("op { input: \"x\" input: \"s\" input: \"b\" input: \"m\" "
        + "input: \"v\" output: \"y\" output: \"m\" output: \"v\" type: \"SpatialBN\" }\n"
        + "op { input: \"y\" output: \"p\" type: \"Softmax\" }", "n");
    SchemaException e = catchThrowableOfType(SchemaException.class, () -> TrainNets.fromPredictNet(threeOutputs));
    assertThat(e.getMessage()).startsWith("op #0 (SpatialBN): SpatialBN has 3 outputs");
  }
}
