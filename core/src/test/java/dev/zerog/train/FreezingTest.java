package dev.zerog.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerog.grad.BackwardPass;
import dev.zerog.grad.ParameterGradient;
import dev.zerog.net.NetDefs;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Exact freezing: after many steps of every optimizer, with and without weight decay, with the backward pass
 * pruned or not, the frozen parameters are bitwise unchanged while the others train; and how that differs from a
 * zero gradient (ZeroGradient), which momentum, Adam's moments and weight decay still move.
 */
class FreezingTest {
  private static final NetDef MLP = fixture("mlp.pbtxt");
  private static final NetDef MLP_INIT = fixture("mlp_init.pbtxt");
  private static final List<String> PARAMS = List.of("W1", "b1", "W2", "b2", "W3", "b3");
  private static final int STEPS = 40;

  static NetDef fixture(String name) {
    try (InputStream in = FreezingTest.class.getResourceAsStream("/zero/" + name)) {
      return NetDefs.parseText(new String(in.readAllBytes(), StandardCharsets.UTF_8), name);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** X [8, 6] uniform in [-2, 2), labels in [0, 6): a new batch every step, from a fixed stream. */
  static BatchFeeder batches() {
    SplittableRandom r = new SplittableRandom(5);
    long[] xDims = {8, 6};
    long[] labelDims = {8};
    return (step, batch) -> {
      float[] x = batch.tensor("X").resize(DataType.FLOAT, xDims).floats();
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) r.nextDouble(-2, 2);
      }
      int[] y = batch.tensor("label").resize(DataType.INT32, labelDims).ints();
      for (int i = 0; i < y.length; i++) {
        y[i] = r.nextInt(6);
      }
    };
  }

  static Stream<Arguments> optimizers() {
    List<Arguments> out = new ArrayList<>();
    for (double wd : new double[] {0, 1e-2}) {
      out.add(Arguments.of("sgd", OptimizerConfig.sgd(0.1).weightDecay(wd).build()));
      out.add(Arguments.of("momentum", OptimizerConfig.sgd(0.1).momentum(0.9).nesterov(false).weightDecay(wd)
          .build()));
      out.add(Arguments.of("nesterov", OptimizerConfig.sgd(0.1).momentum(0.9).nesterov(true).weightDecay(wd)
          .build()));
      out.add(Arguments.of("adam", OptimizerConfig.adam(0.01).weightDecay(wd).build()));
      out.add(Arguments.of("adagrad", OptimizerConfig.adagrad(0.1).weightDecay(wd).build()));
    }
    return out.stream();
  }

  private static Map<String, Tensor> initialValues() {
    Workspace ws = new Workspace();
    dev.zerog.net.Net.create(MLP_INIT, ws).run();
    Map<String, Tensor> out = new HashMap<>();
    for (String p : PARAMS) {
      out.put(p, ws.fetch(p).copy());
    }
    return out;
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("optimizers")
  void frozenParametersAreBitwiseUnchanged(String name, OptimizerConfig config) {
    Map<String, Tensor> initial = initialValues();
    for (boolean prune : new boolean[] {false, true}) {
      Trainer t = Trainer.builder().initNet(MLP_INIT).trainNet(MLP).loss("loss").parameters(PARAMS)
          .freeze(List.of("*1", "W2")).prune(prune).optimizer(config).feeder(batches()).build();
      float[] losses = t.run(STEPS);
      assertThat(losses[STEPS - 1]).isFinite();
      Workspace ws = t.workspace();
      for (String p : List.of("W1", "b1", "W2")) {
        assertThat(ws.fetch(p).contentEquals(initial.get(p))).as("%s (prune %s)", p, prune).isTrue();
        assertThat(t.optimizer().backward().pass().gradientMap()).doesNotContainKey(p);
        // Pruned, no op computes it; unpruned, an op that also computes X's gradient (MulGradient) still does.
        assertThat(ws.hasBlob(p + "_grad")).as("%s has a gradient (prune %s)", p, prune).isEqualTo(!prune);
      }
      for (String p : List.of("b2", "W3", "b3")) {
        assertThat(ws.fetch(p).contentEquals(initial.get(p))).as("%s trains", p).isFalse();
      }
      assertThat(t.optimizer().frozenParameters()).containsExactly("W1", "b1", "W2");
      assertThat(t.optimizer().updatedParameters()).containsExactly("b2", "W3", "b3");
      assertThat(t.trainNet().getOpList()).noneMatch(op -> op.getOutputList().equals(List.of("W2_grad")));
      assertThat(t.initNet().getOpList()).noneMatch(op -> op.getOutput(0).startsWith("W1_"));
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("optimizers")
  void pruningChangesNoTrainedValue(String name, OptimizerConfig config) {
    Trainer faithful = Trainer.builder().initNet(MLP_INIT).trainNet(MLP).loss("loss").parameters(PARAMS)
        .freeze(List.of("W1")).optimizer(config).feeder(batches()).build();
    Trainer pruned = Trainer.builder().initNet(MLP_INIT).trainNet(MLP).loss("loss").parameters(PARAMS)
        .freeze(List.of("W1")).prune(true).optimizer(config).feeder(batches()).build();
    assertThat(pruned.trainNet().getOpCount()).isLessThan(faithful.trainNet().getOpCount());
    assertThat(pruned.run(STEPS)).containsExactly(faithful.run(STEPS));
    for (String p : PARAMS) {
      assertThat(pruned.workspace().fetch(p).contentEquals(faithful.workspace().fetch(p))).as(p).isTrue();
    }
  }

  /** The MLP with U, a parameter the loss does not read, given a zero gradient by ZeroGradient. */
  private static NetDef withZeroGradient() {
    return MLP.toBuilder().addOp(OperatorDef.newBuilder().setType("ZeroGradient").addInput("U")).build();
  }

  private static NetDef initWithU() {
    return MLP_INIT.toBuilder().addOp(OperatorDef.newBuilder().setType("ConstantFill").addOutput("U")
        .addArg(dev.zerog.proto.Caffe2.Argument.newBuilder().setName("shape").addInts(4))
        .addArg(dev.zerog.proto.Caffe2.Argument.newBuilder().setName("value").setF(1.5f))).build();
  }

  private static List<String> withU() {
    List<String> p = new ArrayList<>(PARAMS);
    p.add("U");
    return p;
  }

  @Test
  void aZeroGradientStillLetsWeightDecayMoveAParameterFreezingDoesNot() {
    OptimizerConfig sgdWd = OptimizerConfig.sgd(0.1).weightDecay(0.1).build();
    Trainer zero = Trainer.builder().initNet(initWithU()).trainNet(withZeroGradient()).loss("loss")
        .parameters(withU()).optimizer(sgdWd).feeder(batches()).build();
    zero.run(5);
    // U_grad = 0 + 0.1 * U each step, so U shrinks: 1.5 * (1 - 0.01)^5.
    assertThat(zero.workspace().fetch("U").floats()[0]).isLessThan(1.5f);
    Trainer frozen = Trainer.builder().initNet(initWithU()).trainNet(withZeroGradient()).loss("loss")
        .parameters(withU()).freeze(List.of("U")).optimizer(sgdWd).feeder(batches()).build();
    frozen.run(5);
    assertThat(frozen.workspace().fetch("U").floats()).containsOnly(1.5f);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("statefulOptimizers")
  void aZeroGradientStillLetsOptimizerStateMoveAParameterFreezingDoesNot(String state, OptimizerConfig config) {
    // Optimizer state carried over from earlier training (here: set by hand after the first step).
    Trainer zero = Trainer.builder().initNet(initWithU()).trainNet(withZeroGradient()).loss("loss")
        .parameters(withU()).optimizer(config).feeder(batches()).build();
    zero.step();
    float[] s = zero.workspace().fetch("U" + state).floats();
    java.util.Arrays.fill(s, 0.5f);
    zero.run(3);
    assertThat(zero.workspace().fetch("U").floats()[0]).isNotEqualTo(1.5f);
    Trainer frozen = Trainer.builder().initNet(initWithU()).trainNet(withZeroGradient()).loss("loss")
        .parameters(withU()).freeze(List.of("U")).optimizer(config).feeder(batches()).build();
    frozen.run(4);
    assertThat(frozen.workspace().fetch("U").floats()).containsOnly(1.5f);
    assertThat(frozen.workspace().hasBlob("U" + state)).isFalse();
  }

  static Stream<Arguments> statefulOptimizers() {
    return Stream.of(Arguments.of("_momentum", OptimizerConfig.sgd(0.1).momentum(0.9).build()),
        Arguments.of("_first_moment", OptimizerConfig.adam(0.01).build()));
  }

  @Test
  void plainSgdSkipsTheUpdateOfAKnownZeroGradient() {
    OptimizedNets plain = OptimizerBuilder.forBackward(withZeroGradient(), BackwardPass.build(withZeroGradient(),
        List.of("loss")), initWithU()).parameters(withU()).build(OptimizerConfig.sgd(0.1).build());
    assertThat(plain.skippedParameters()).containsExactly("U");
    assertThat(plain.updatedParameters()).doesNotContain("U");
    assertThat(plain.backward().parameters().get("U").status()).isEqualTo(ParameterGradient.Status.ZERO);
    assertThat(plain.trainNet().getOpList()).noneMatch(op -> op.getType().equals("WeightedSum")
        && op.getOutputList().contains("U"));
    // Weight decay or momentum would move U: then it is updated.
    assertThat(OptimizerBuilder.forBackward(withZeroGradient(), BackwardPass.build(withZeroGradient(),
        List.of("loss")), initWithU()).parameters(withU()).build(OptimizerConfig.sgd(0.1).weightDecay(0.1).build())
        .skippedParameters()).isEmpty();
    assertThat(OptimizerBuilder.forBackward(withZeroGradient(), BackwardPass.build(withZeroGradient(),
        List.of("loss")), initWithU()).parameters(withU()).build(OptimizerConfig.sgd(0.1).momentum(0.5).build())
        .updatedParameters()).contains("U");
  }

  @Test
  void aTrainerWithAKnownZeroGradientNeverMaterializesIt() {
    Trainer t = Trainer.builder().initNet(initWithU()).trainNet(withZeroGradient()).loss("loss")
        .parameters(withU()).prune(true).optimizer(OptimizerConfig.sgd(0.1).build()).feeder(batches()).build();
    t.run(3);
    assertThat(t.workspace().fetch("U_grad").isKnownZero()).isTrue();
    assertThat(t.workspace().fetch("U").floats()).containsOnly(1.5f);
  }
}
