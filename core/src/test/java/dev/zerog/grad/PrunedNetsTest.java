package dev.zerog.grad;

import static dev.zerog.grad.ZeroAwareNets.assertSameGradients;
import static dev.zerog.grad.ZeroAwareNets.fixture;
import static dev.zerog.grad.ZeroAwareNets.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zerog.op.BlobType;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Exactness of the pruned backward pass on the FC MLP of the training tests and on a small CNN (Conv, ReLU, max
 * and average pooling, FC): for every choice of frozen layers the wanted gradients are bitwise the faithful ones,
 * and FCGradient and ConvGradient lose the dX nobody needs.
 */
class PrunedNetsTest {
  private static final OperatorRegistry REGISTRY = OperatorRegistry.standard();
  private static final NetDef MLP = dev.zerog.train.TrainFixtures.fixture("mlp.pbtxt");
  private static final NetDef MLP_INIT = dev.zerog.train.TrainFixtures.fixture("mlp_init.pbtxt");
  private static final List<String> MLP_PARAMS = List.of("W1", "b1", "W2", "b2", "W3", "b3");
  private static final NetDef CNN = fixture("cnn.pbtxt");
  private static final NetDef CNN_INIT = fixture("cnn_init.pbtxt");
  private static final List<String> CNN_PARAMS = List.of("c1_w", "c1_b", "c2_w", "c2_b", "fc_w", "fc_b");

  private static Map<String, Tensor> inputs(long seed, long[] xDims, int batch, int classes) {
    SplittableRandom r = new SplittableRandom(seed);
    Tensor x = Tensor.allocate(DataType.FLOAT, xDims);
    float[] xs = x.floats();
    for (int i = 0; i < xs.length; i++) {
      xs[i] = (float) r.nextDouble(-2, 2);
    }
    Tensor label = Tensor.allocate(DataType.INT32, batch);
    for (int i = 0; i < batch; i++) {
      label.ints()[i] = r.nextInt(classes);
    }
    return Map.of("X", x, "label", label);
  }

  /** Every frozen prefix of the layers (none, the first, the first two, ...): pruned equals faithful, bitwise. */
  private static void everyFrozenPrefix(NetDef init, NetDef net, List<String> params, Map<String, Tensor> in) {
    BackwardPass full = BackwardPass.build(net, List.of("loss"));
    Workspace faithful = run(init, net, full, in, REGISTRY);
    for (int frozen = 0; frozen <= params.size(); frozen += 2) {
      List<String> patterns = new ArrayList<>(params.subList(0, frozen));
      for (boolean zeroAware : new boolean[] {false, true}) {
        PrunedBackward p = GradientPruning.of(net, full).parameters(params).freeze(patterns).zeroAware(zeroAware)
            .prune();
        assertSameGradients(faithful, full, run(init, net, p.pass(), in, REGISTRY), p, false);
      }
    }
  }

  @Test
  void fcMlpIsExactForEveryFrozenPrefix() {
    everyFrozenPrefix(MLP_INIT, MLP, MLP_PARAMS, inputs(1, new long[] {20, 16}, 20, 10));
  }

  @Test
  void cnnIsExactForEveryFrozenPrefix() {
    everyFrozenPrefix(CNN_INIT, CNN, CNN_PARAMS, inputs(2, new long[] {2, 3, 8, 8}, 2, 5));
  }

  private static OperatorDef only(List<OperatorDef> ops, String type) {
    List<OperatorDef> found = ops.stream().filter(o -> o.getType().equals(type)).toList();
    assertThat(found).as(type).hasSize(1);
    return found.get(0);
  }

  @Test
  void aFrozenTrunkLeavesTheClassifiersFcGradientWithoutDx() {
    BackwardPass full = BackwardPass.build(MLP, List.of("loss"));
    PrunedBackward p = GradientPruning.of(MLP, full).parameters(MLP_PARAMS).freeze(List.of("?1", "?2")).initNet(
        MLP_INIT).inputTypes(Map.of("X", BlobType.of(DataType.FLOAT, 20, 16))).prune();
    OperatorDef fc = only(p.pass().gradientOps(), "FCGradient");
    assertThat(fc.getOutputList()).containsExactly("W3_grad", "b3_grad");
    // Removed: two FCGradients (each 2·20·64·16 or 2·20·64·64, twice with dX, plus db), two ReluGradients, and
    // the classifier's dX (2·20·10·64).
    long layer1 = 2L * 2 * 20 * 64 * 16 + 20 * 64;
    long layer2 = 2L * 2 * 20 * 64 * 64 + 20 * 64;
    long relus = 2L * 20 * 64;
    long dx3 = 2L * 20 * 10 * 64;
    assertThat(p.savedFlops()).isEqualTo(layer1 + layer2 + relus + dx3);
    assertThat(p.removedOps()).isEqualTo(4);
  }

  @Test
  void aFrozenFirstConvolutionLeavesTheSecondWithoutDx() {
    BackwardPass full = BackwardPass.build(CNN, List.of("loss"));
    PrunedBackward p = GradientPruning.of(CNN, full).parameters(CNN_PARAMS).freeze(List.of("c1_*")).prune();
    List<OperatorDef> ops = p.pass().gradientOps();
    OperatorDef conv = only(ops, "ConvGradient");
    assertThat(conv.getInputList()).containsExactly("p1", "c2_w", "c2_grad");
    assertThat(conv.getOutputList()).containsExactly("c2_w_grad", "c2_b_grad");
    assertThat(ops).extracting(OperatorDef::getType).doesNotContain("MaxPoolGradient");
    // Without bias: (dW, dX), and dX is the one skipped.
    NetDef noBias = CNN.toBuilder()
        .setOp(3, CNN.getOp(3).toBuilder().clearInput().addInput("p1").addInput("c2_w")).build();
    BackwardPass nb = BackwardPass.build(noBias, List.of("loss"));
    OperatorDef c2 = only(GradientPruning.of(noBias, nb).parameters(List.of("c1_w", "c1_b", "c2_w", "fc_w", "fc_b"))
        .freeze(List.of("c1_*")).prune().pass().gradientOps(), "ConvGradient");
    assertThat(c2.getOutputList()).containsExactly("c2_w_grad");
    Map<String, Tensor> in = inputs(3, new long[] {2, 3, 8, 8}, 2, 5);
    NetDef init = CNN_INIT;
    Workspace faithful = run(init, noBias, nb, in, REGISTRY);
    PrunedBackward q = GradientPruning.of(noBias, nb).parameters(List.of("c1_w", "c1_b", "c2_w", "fc_w", "fc_b"))
        .freeze(List.of("c1_*")).prune();
    assertSameGradients(faithful, nb, run(init, noBias, q.pass(), in, REGISTRY), q, false);
  }

  @Test
  void zeroGradientAndStopGradientInTheCnn() {
    // The Caffe2 way to freeze conv1: a StopGradient after it, and ZeroGradient on its parameters.
    NetDef.Builder b = CNN.toBuilder().clearOp();
    for (int i = 0; i < CNN.getOpCount(); i++) {
      OperatorDef op = CNN.getOp(i);
      if (i == 2) {
        b.addOp(op.toBuilder().setOutput(0, "p1_raw"));
        b.addOp(OperatorDef.newBuilder().setType("StopGradient").addInput("p1_raw").addOutput("p1"));
      } else {
        b.addOp(op);
      }
    }
    b.addOp(OperatorDef.newBuilder().setType("ZeroGradient").addInput("c1_w"));
    b.addOp(OperatorDef.newBuilder().setType("ZeroGradient").addInput("c1_b"));
    NetDef net = b.build();
    BackwardPass full = BackwardPass.build(net, List.of("loss"));
    PrunedBackward p = GradientPruning.of(net, full).parameters(CNN_PARAMS).prune();
    assertThat(p.parameters().get("c1_w").status()).isEqualTo(ParameterGradient.Status.ZERO);
    assertThat(p.parameters().get("c1_w").cause()).isEqualTo("#9 ZeroGradient");
    assertThat(p.parameters().get("c2_w").status()).isEqualTo(ParameterGradient.Status.REAL);
    // The second convolution no longer computes dX: only the StopGradient's output would get it.
    assertThat(only(p.pass().gradientOps(), "ConvGradient").getOutputCount()).isEqualTo(2);
    Map<String, Tensor> in = inputs(4, new long[] {2, 3, 8, 8}, 2, 5);
    Workspace faithful = run(CNN_INIT, net, full, in, REGISTRY);
    Workspace pruned = run(CNN_INIT, net, p.pass(), in, REGISTRY);
    assertSameGradients(faithful, full, pruned, p, false);
    assertThat(pruned.fetch("c1_w_grad").isKnownZero()).isTrue();
  }
}
