package dev.zerog.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.zerog.SchemaException;
import dev.zerog.grad.BackwardPass;
import dev.zerog.net.Net;
import dev.zerog.net.NetDefs;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.workspace.Workspace;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrunkFreezerTest {
  private static final List<String> TRUNK = List.of("conv1_w", "conv1_b", "bn1_scale", "bn1_bias", "bn1_w",
      "bn1_b");
  private static final List<String> HEAD = List.of("fc1_w", "fc1_b", "fc2_w", "fc2_b");

  @Test
  void parametersComeFromTheInitNetLessWhatTheNetComputes() {
    TrainNet t = TrainNets.fromPredictNet(SmallCnn.predict());
    NetDef init = InitNetGenerator.generate(t.net(), SmallCnn.shapes());
    List<String> params = TrunkFreezer.parameters(t.net(), init, List.of());
    assertThat(params).containsExactly("conv1_w", "conv1_b", "bn1_scale", "bn1_bias", "bn1_w", "bn1_b", "fc1_w",
        "fc1_b", "fc2_w", "fc2_b");
    // Without an init net: every blob read and never written, less the data named.
    assertThat(TrunkFreezer.parameters(t.net(), null, List.of("data", "label"))).isEqualTo(params);
    // In the predict net, SpatialBN does not write its statistics, so they count.
    assertThat(TrunkFreezer.parameters(SmallCnn.predict(), null, List.of("data"))).contains("bn1_mean", "bn1_var");
  }

  @Test
  void stopGradientAfterTheLastWriteAndZeroGradientOnTheTrunk() {
    TrainNet t = TrainNets.fromPredictNet(SmallCnn.predict());
    List<String> params = TrunkFreezer.parameters(t.net(), null, List.of("data", "label"));
    TrunkFreezer.FrozenNet f = TrunkFreezer.freeze(t.net(), "pool1", params);
    assertThat(f.stopGradientIndex()).isEqualTo(6);
    assertThat(f.frozen()).containsExactlyElementsOf(TRUNK);
    List<OperatorDef> ops = f.net().getOpList();
    assertThat(ops.get(5).getType()).isEqualTo("MaxPool");
    assertThat(ops.get(6).getType()).isEqualTo("StopGradient");
    assertThat(ops.get(6).getInputList()).containsExactly("pool1");
    assertThat(ops.get(6).getOutputList()).containsExactly("pool1");
    for (int k = 0; k < TRUNK.size(); k++) {
      assertThat(ops.get(7 + k).getType()).isEqualTo("ZeroGradient");
      assertThat(ops.get(7 + k).getInputList()).containsExactly(TRUNK.get(k));
    }
    assertThat(ops.get(7 + TRUNK.size()).getType()).isEqualTo("FC");
    assertThat(f.net().getOpCount()).isEqualTo(t.net().getOpCount() + 1 + TRUNK.size());
  }

  @Test
  void theFrozenTrunkGetsZeroGradientsAndTheHeadRealOnes() {
    TrainNet t = TrainNets.fromPredictNet(SmallCnn.predict());
    NetDef init = InitNetGenerator.generate(t.net(), SmallCnn.shapes());
    TrunkFreezer.FrozenNet f = TrunkFreezer.freeze(t.net(), "pool1", TrunkFreezer.parameters(t.net(), init,
        List.of()));
    BackwardPass pass = BackwardPass.build(f.net(), List.of(t.loss()));
    NetDef step = SmallCnn.seeded(pass.appendTo(f.net()));
    // No gradient op for the trunk: the only ops that write trunk gradients are the zero fills.
    for (OperatorDef op : pass.gradientOps()) {
      assertThat(op.getType()).isNotIn("ConvGradient", "SpatialBNGradient", "MaxPoolGradient", "MulGradient");
    }
    Workspace ws = new Workspace();
    Net.runOnce(init, ws);
    SmallCnn.feed(ws, t.label());
    Net.runOnce(step, ws);
    for (String p : TRUNK) {
      String g = pass.gradientMap().get(p).dense();
      assertThat(ws.fetch(g).dims()).as(p).containsExactly(ws.fetch(p).dims());
      assertThat(SmallCnn.squaredNorm(ws, g)).as("gradient of %s", p).isZero();
    }
    for (String p : HEAD) {
      assertThat(SmallCnn.squaredNorm(ws, pass.gradientMap().get(p).dense())).as("gradient of %s", p).isPositive();
    }
    assertThat(pass.gradientMap()).doesNotContainKey("data");
  }

  @Test
  void anOptimizerOverEveryParameterBuildsAndLeavesTheTrunkAsItWas() {
    TrainNet t = TrainNets.fromPredictNet(SmallCnn.predict());
    NetDef init = InitNetGenerator.generate(t.net(), SmallCnn.shapes());
    List<String> params = TrunkFreezer.parameters(t.net(), init, List.of());
    TrunkFreezer.FrozenNet f = TrunkFreezer.freeze(t.net(), "pool1", params);
    BackwardPass pass = BackwardPass.build(f.net(), List.of(t.loss()));
    // Every parameter has a gradient, so the optimizer takes them all (it refuses one without).
    OptimizedNets nets = OptimizerBuilder.forNets(pass.appendTo(f.net()), init).gradients(pass.gradientMap())
        .parameters(params).build(OptimizerConfig.sgd(0.5).build());
    assertThat(nets.updatedParameters()).containsExactlyInAnyOrderElementsOf(params);
    Workspace ws = new Workspace();
    Net.runOnce(nets.initNet(), ws);
    SmallCnn.feed(ws, t.label());
    java.util.Map<String, dev.zerog.tensor.Tensor> before = new java.util.HashMap<>();
    for (String p : params) {
      before.put(p, ws.fetch(p).copy());
    }
    Net step = Net.create(SmallCnn.seeded(nets.trainNet()), ws);
    step.run();
    step.run();
    for (String p : TRUNK) {
      assertThat(ws.fetch(p).contentEquals(before.get(p))).as("frozen %s", p).isTrue();
    }
    for (String p : List.of("fc1_w", "fc2_w", "fc2_b")) {
      assertThat(ws.fetch(p).contentEquals(before.get(p))).as("trained %s", p).isFalse();
    }
  }

  @Test
  void aParameterTheHeadAlsoReadsIsNotFrozen() {
    NetDef net = NetDefs.parseText("op { input: \"x\" input: \"w\" output: \"y\" type: \"Mul\" }\n"
        + "op { input: \"y\" input: \"w\" output: \"z\" type: \"Mul\" }\n"
        + "op { input: \"z\" input: \"v\" output: \"u\" type: \"Mul\" }", "n");
    TrunkFreezer.FrozenNet f = TrunkFreezer.freeze(net, "y", List.of("w", "v"));
    assertThat(f.frozen()).isEmpty();
    assertThat(f.net().getOp(1).getType()).isEqualTo("StopGradient");
  }

  @Test
  void cuttingAtANetInputPutsTheStopGradientFirst() {
    NetDef net = NetDefs.parseText("op { input: \"x\" input: \"w\" output: \"y\" type: \"Mul\" }", "n");
    TrunkFreezer.FrozenNet f = TrunkFreezer.freeze(net, "x", List.of("w"));
    assertThat(f.stopGradientIndex()).isZero();
    assertThat(f.frozen()).isEmpty();
  }

  @Test
  void aCutNobodyReadsOrNoneAtAllIsRefused() {
    NetDef net = SmallCnn.predict();
    SchemaException none = catchThrowableOfType(SchemaException.class,
        () -> TrunkFreezer.freeze(net, "nope", List.of()));
    assertThat(none.getMessage()).isEqualTo("blob 'nope': the net has no blob named 'nope' to cut at");
    SchemaException last = catchThrowableOfType(SchemaException.class,
        () -> TrunkFreezer.freeze(net, "prob", List.of()));
    assertThat(last.getMessage()).startsWith("blob 'prob': no op reads 'prob' after op #10 (Softmax), the last to "
        + "write it");
  }

  @Test
  void zeroGradientGoesAfterTheLastWriteOrFirst() {
    NetDef mlp = OptimizerBuilderTest.fixture("mlp.pbtxt");
    NetDef onHidden = TrunkFreezer.addZeroGradient(mlp, "r1");
    assertThat(onHidden.getOpCount()).isEqualTo(mlp.getOpCount() + 1);
    assertThat(onHidden.getOp(2).getType()).isEqualTo("ZeroGradient");
    assertThat(onHidden.getOp(2).getInputList()).containsExactly("r1");
    assertThat(onHidden.getOp(2).getOutputCount()).isZero();
    NetDef onParameter = TrunkFreezer.addZeroGradient(mlp, "W2");
    assertThat(onParameter.getOp(0).getType()).isEqualTo("ZeroGradient");
    assertThat(onParameter.getOpList().subList(1, onParameter.getOpCount())).isEqualTo(mlp.getOpList());
    // W2 now gets the sum of its real gradient and a zero fill, as in Caffe2.
    BackwardPass pass = BackwardPass.build(onParameter, List.of("loss"));
    assertThat(pass.gradientOps()).anyMatch(op -> op.getType().equals("ConstantFill")
        && op.getInputList().equals(List.of("W2")));
    assertThat(pass.gradientOps()).anyMatch(op -> op.getType().equals("Sum") && op.getOutput(0).equals("W2_grad"));
    SchemaException e = catchThrowableOfType(SchemaException.class,
        () -> TrunkFreezer.addZeroGradient(mlp, "nowhere"));
    assertThat(e).hasMessage("blob 'nowhere': the net has no blob named 'nowhere' to give a zero gradient");
  }
}
