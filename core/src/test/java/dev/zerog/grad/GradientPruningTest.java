package dev.zerog.grad;

import static dev.zerog.grad.ZeroAwareNets.assertSameGradients;
import static dev.zerog.grad.ZeroAwareNets.fixture;
import static dev.zerog.grad.ZeroAwareNets.mlpInputs;
import static dev.zerog.grad.ZeroAwareNets.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerog.GradientException;
import dev.zerog.op.BlobType;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class GradientPruningTest {
  private static final OperatorRegistry REGISTRY = OperatorRegistry.standard();
  private static final NetDef MLP = fixture("mlp.pbtxt");
  private static final NetDef MLP_INIT = fixture("mlp_init.pbtxt");
  private static final BackwardPass MLP_PASS = BackwardPass.build(MLP, List.of("loss"));
  private static final List<String> MLP_PARAMS = List.of("W1", "b1", "W2", "b2", "W3", "b3");
  private static final NetDef MASKED = fixture("masked.pbtxt");
  private static final NetDef MASKED_INIT = fixture("masked_init.pbtxt");
  private static final BackwardPass MASKED_PASS = BackwardPass.build(MASKED, List.of("loss"));
  private static final List<String> MASKED_PARAMS = List.of("W1", "b1", "W2", "b2", "W3", "b3", "U");

  private static List<String> types(List<OperatorDef> ops) {
    return ops.stream().map(OperatorDef::getType).collect(Collectors.toList());
  }

  private static void assertExact(NetDef init, NetDef forward, BackwardPass full, PrunedBackward pruned,
      boolean zeros) {
    for (long seed = 1; seed <= 3; seed++) {
      Map<String, Tensor> inputs = mlpInputs(seed, 5);
      Workspace a = run(init, forward, full, inputs, REGISTRY);
      Workspace b = run(init, forward, pruned.pass(), inputs, REGISTRY);
      assertSameGradients(a, full, b, pruned, zeros);
    }
  }

  @Test
  void withNothingToPruneOnlyUnwantedGradientsGo() {
    PrunedBackward p = GradientPruning.of(MLP, MLP_PASS).parameters(MLP_PARAMS).prune();
    assertThat(p.pass().gradientMap().keySet()).containsExactlyInAnyOrderElementsOf(MLP_PARAMS);
    // MulGradient of the first layer still runs (W1 wants it); only the ops nothing wanted reads went.
    assertThat(p.pass().gradientOps()).hasSize(MLP_PASS.gradientOps().size());
    assertThat(p.parameters().values()).allMatch(s -> s.status() == ParameterGradient.Status.REAL);
    assertExact(MLP_INIT, MLP, MLP_PASS, p, false);
  }

  @Test
  void freezingTheFirstTwoLayersPrunesEverythingBelowTheClassifier() {
    PrunedBackward p = GradientPruning.of(MLP, MLP_PASS).parameters(MLP_PARAMS).freeze(List.of("?1", "*2"))
        .prune();
    assertThat(p.pass().gradientMap().keySet()).containsExactlyInAnyOrder("W3", "b3");
    // The loss gradient, SoftmaxWithLossGradient, AddGradient and MulGradient of the last layer only.
    assertThat(types(p.pass().gradientOps())).containsExactly("ConstantFill", "SoftmaxWithLossGradient",
        "AddGradient", "MulGradient");
    assertThat(p.pass().generators()).containsExactly(-1, 8, 7, 6);
    assertThat(p.parameters().get("W1").status()).isEqualTo(ParameterGradient.Status.FROZEN);
    assertThat(p.parameters().get("b2").status()).isEqualTo(ParameterGradient.Status.FROZEN);
    assertThat(p.parameters().get("W3").status()).isEqualTo(ParameterGradient.Status.REAL);
    assertThat(p.removedOps()).isEqualTo(MLP_PASS.gradientOps().size() - 4);
    assertThat(p.pruned()).allMatch(o -> o.reason() == PrunedOp.Reason.DEAD);
    assertExact(MLP_INIT, MLP, MLP_PASS, p, false);
  }

  @Test
  void estimatesCountTheRemovedWorkWhenShapesAreKnown() {
    PrunedBackward blind = GradientPruning.of(MLP, MLP_PASS).parameters(MLP_PARAMS).freeze(List.of("*1"))
        .initNet(MLP_INIT).prune();
    PrunedBackward seen = GradientPruning.of(MLP, MLP_PASS).parameters(MLP_PARAMS).freeze(List.of("*1"))
        .initNet(MLP_INIT).inputTypes(Map.of("X", BlobType.of(DataType.FLOAT, 5, 6),
            "label", BlobType.of(DataType.INT32, 5))).prune();
    assertThat(seen.removedOps()).isEqualTo(blind.removedOps()).isPositive();
    // Removed: MulGradient (dC [5, 6]: 4 flops per element), AddGradient (2), ReluGradient (1).
    assertThat(seen.savedFlops()).isEqualTo(30L * (4 + 2 + 1));
    // Their outputs: dX [5,6] + dW1 [6]; dm1 [5,6] + db1 [6]; da1 [5,6]; FLOAT.
    assertThat(seen.savedBytes()).isEqualTo(4L * (36 + 36 + 30));
    assertThat(blind.savedBytes()).isLessThan(seen.savedBytes());
  }

  @Test
  void withoutZeroAwarenessFreezingKeepsEveryOtherGradient() {
    PrunedBackward p = GradientPruning.of(MLP, MLP_PASS).parameters(MLP_PARAMS).freeze(List.of("W1", "b1"))
        .zeroAware(false).prune();
    // X's gradient is still computed, so the first layer's ops stay: only nothing is removed here...
    assertThat(p.pass().gradientMap()).containsKeys("X", "W2", "h1").doesNotContainKeys("W1", "b1");
    assertExact(MLP_INIT, MLP, MLP_PASS, p, false);
    // ...while X's gradient unwanted prunes AddGradient and MulGradient of the first layer.
    PrunedBackward q = GradientPruning.of(MLP, MLP_PASS).parameters(MLP_PARAMS).freeze(List.of("W1", "b1"))
        .prune();
    assertThat(q.pass().gradientOps().size()).isLessThan(p.pass().gradientOps().size());
  }

  @Test
  void aWantedInputKeepsItsGradient() {
    PrunedBackward p = GradientPruning.of(MLP, MLP_PASS).parameters(MLP_PARAMS).freeze(List.of("*"))
        .wanted(List.of("X")).prune();
    assertThat(p.pass().gradientMap().keySet()).containsExactly("X");
    assertExact(MLP_INIT, MLP, MLP_PASS, p, false);
  }

  @Test
  void statusesAndCausesOfGradientControl() {
    PrunedBackward p = GradientPruning.of(MASKED, MASKED_PASS).parameters(MASKED_PARAMS).initNet(MASKED_INIT)
        .prune();
    Map<String, ParameterGradient> s = p.parameters();
    assertThat(s.get("W1").status()).isEqualTo(ParameterGradient.Status.ZERO);
    assertThat(s.get("W1").cause()).isEqualTo("#0 GradientMask");
    assertThat(s.get("W1").path()).containsExactly("W1");
    assertThat(s.get("b1").status()).isEqualTo(ParameterGradient.Status.REAL);
    assertThat(s.get("b2").status()).isEqualTo(ParameterGradient.Status.NONE);
    assertThat(s.get("b2").cause()).isEqualTo("#5 StopGradient");
    assertThat(s.get("b2").path()).containsExactly("b2");
    assertThat(s.get("U").status()).isEqualTo(ParameterGradient.Status.ZERO);
    assertThat(s.get("U").cause()).isEqualTo("#11 ZeroGradient");
    // W3 reaches the loss and has a ZeroGradient too: its zeros are dropped from the Sum, its gradient is real.
    assertThat(s.get("W3").status()).isEqualTo(ParameterGradient.Status.REAL);
    assertThat(s.get("W3").cause()).isNull();
    // W1's gradient is a zero fill like W1 (a known zero at run time); the MulGradient that made W1m's is gone.
    List<OperatorDef> ops = p.pass().gradientOps();
    assertThat(ops).noneMatch(o -> o.getType().equals("GradientMaskGradient"));
    assertThat(ops).filteredOn(o -> o.getOutputList().contains("W1_grad")).singleElement()
        .satisfies(o -> {
          assertThat(o.getType()).isEqualTo("ConstantFill");
          assertThat(o.getInputList()).containsExactly("W1");
        });
    // MulGradient of layer 1 stays for b1's sake (dX is not skippable), but nothing else below is wasted.
    assertExact(MASKED_INIT, MASKED, MASKED_PASS, p, true);
    Workspace ws = run(MASKED_INIT, MASKED, p.pass(), mlpInputs(1, 5), REGISTRY);
    assertThat(ws.fetch("W1_grad").isKnownZero()).isTrue();
    assertThat(ws.fetch("U_grad").isKnownZero()).isTrue();
    assertThat(ws.fetch("W1_grad").dims()).containsExactly(6);
  }

  @Test
  void aZeroMaskAndAZeroGradientPruneAllTheWorkUpstream() {
    // With b1 frozen, nothing below the mask needs the first layer's gradients at all.
    PrunedBackward p = GradientPruning.of(MASKED, MASKED_PASS).parameters(MASKED_PARAMS).initNet(MASKED_INIT)
        .freeze(List.of("b1")).prune();
    assertThat(types(p.pass().gradientOps())).doesNotContain("ReluGradient");
    assertThat(p.pruned()).anyMatch(o -> o.reason() == PrunedOp.Reason.ZERO);
    assertExact(MASKED_INIT, MASKED, MASKED_PASS, p, true);
  }

  @Test
  void aMaskThatIsNotAllZeroIsReal() {
    NetDef init = MASKED_INIT.toBuilder().setOp(1, MASKED_INIT.getOp(1).toBuilder().setArg(1,
        MASKED_INIT.getOp(1).getArg(1).toBuilder().setF(1.0f))).build();
    PrunedBackward p = GradientPruning.of(MASKED, MASKED_PASS).parameters(MASKED_PARAMS).initNet(init).prune();
    assertThat(p.parameters().get("W1").status()).isEqualTo(ParameterGradient.Status.REAL);
    assertThat(types(p.pass().gradientOps())).contains("GradientMaskGradient");
    assertExact(init, MASKED, MASKED_PASS, p, false);
  }

  @Test
  void aZeroFilledBiasIsNotAKnownZero() {
    // b3 starts at zero, but it is a parameter: it changes as the net trains, so nothing may assume it stays 0.
    NetDef forward = MLP.toBuilder().addOp(OperatorDef.newBuilder().setType("Mul").addInput("logits")
        .addInput("b3").addOutput("scaled")).build();
    BackwardPass pass = BackwardPass.build(forward, List.of("scaled"));
    PrunedBackward p = GradientPruning.of(forward, pass).parameters(MLP_PARAMS).initNet(MLP_INIT).prune();
    assertThat(p.parameters().values()).allMatch(s -> s.status() == ParameterGradient.Status.REAL);
  }

  @Test
  void aPatternThatMatchesNothingIsAnError() {
    assertThatThrownBy(() -> GradientPruning.of(MLP, MLP_PASS).parameters(MLP_PARAMS).freeze(List.of("conv*"))
        .prune()).isInstanceOf(GradientException.class).hasMessageContaining("'conv*' matches no parameter");
  }

  @Test
  void unseededLossesAreExplainedByTheCallersList() {
    PrunedBackward p = GradientPruning.of(MASKED, MASKED_PASS).parameters(List.of("b2")).losses(List.of("loss"))
        .prune();
    assertThat(p.parameters().get("b2").cause()).isEqualTo("#5 StopGradient");
    assertThat(GradientPruning.of(MASKED, MASKED_PASS).parameters(List.of("b2")).losses(List.of("softmax"))
        .prune().parameters().get("b2").cause()).isEqualTo("#5 StopGradient");
  }

  @Test
  void reportsWhichOutputsOfTheUnprunedOpsAreKnownZeros() {
    List<OperatorDef> ops = MASKED_PASS.gradientOps();
    PrunedBackward aware = GradientPruning.of(MASKED, MASKED_PASS).parameters(MASKED_PARAMS).initNet(MASKED_INIT)
        .prune();
    PrunedBackward faithful = GradientPruning.of(MASKED, MASKED_PASS).parameters(MASKED_PARAMS)
        .initNet(MASKED_INIT).zeroAware(false).prune();
    assertThat(aware.zeroOutputs()).hasSize(ops.size()).isEqualTo(faithful.zeroOutputs());
    int seed = writerOf(ops, "loss_autogen_grad");
    int zeroGradientFill = writerOf(ops, "U_grad");
    int masked = writerOf(ops, "W1_grad");
    assertThat(aware.isKnownZero(seed, 0)).isFalse();
    assertThat(aware.isKnownZero(zeroGradientFill, 0)).isTrue();
    // The mask is all zeros, so the gradient GradientMask passes on to W1 is a known zero too.
    assertThat(aware.isKnownZero(masked, 0)).isTrue();
    assertThat(aware.isKnownZero(-1, 0)).isFalse();
    assertThat(aware.isKnownZero(ops.size(), 0)).isFalse();
  }

  private static int writerOf(List<OperatorDef> ops, String blob) {
    for (int j = 0; j < ops.size(); j++) {
      if (ops.get(j).getOutputList().contains(blob)) {
        return j;
      }
    }
    throw new AssertionError("no gradient op writes " + blob);
  }
}
