package dev.zerog.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerog.GradientException;
import dev.zerog.SchemaException;
import dev.zerog.grad.BackwardPass;
import dev.zerog.grad.GradientBlob;
import dev.zerog.net.NetDefs;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptimizerBuilderTest {
  static NetDef fixture(String name) {
    try (InputStream in = OptimizerBuilderTest.class.getResourceAsStream("/train/" + name)) {
      return NetDefs.parseText(new String(in.readAllBytes(), StandardCharsets.UTF_8), name);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static final NetDef FORWARD = fixture("linear.pbtxt");
  private static final NetDef INIT = fixture("linear_init.pbtxt");
  private static final BackwardPass PASS = BackwardPass.build(FORWARD, List.of("loss"));
  private static final NetDef TRAIN = PASS.appendTo(FORWARD);

  private static OptimizerBuilder builder() {
    return OptimizerBuilder.forNets(TRAIN, INIT).gradients(PASS.gradientMap()).parameters(List.of("W", "V"));
  }

  /** The ops a net has after its first {@code n}. */
  private static List<OperatorDef> added(NetDef net, NetDef before) {
    return net.getOpList().subList(before.getOpCount(), net.getOpCount());
  }

  @Test
  void plainSgd() {
    OptimizedNets nets = builder().build(OptimizerConfig.sgd(0.1).build());
    assertThat(added(nets.trainNet(), TRAIN)).isEqualTo(fixture("sgd_ops.pbtxt").getOpList());
    assertThat(added(nets.initNet(), INIT)).isEqualTo(fixture("sgd_init_ops.pbtxt").getOpList());
    assertThat(nets.trainNet().getOpList().subList(0, TRAIN.getOpCount())).isEqualTo(TRAIN.getOpList());
    assertThat(nets.updatedParameters()).containsExactly("W", "V");
    assertThat(nets.stateBlobs()).containsExactly("optimizer_iteration", "ONE_0_0");
    assertThat(nets.learningRateBlob()).isEqualTo("SgdOptimizer_0_lr_cpu");
    assertThat(nets.iterationBlob()).isEqualTo("optimizer_iteration");
    assertThat(nets.trainNet().getName()).isEqualTo("linear");
    assertThat(nets.trainNet().getExternalInputList()).containsExactly("X", "Y");
  }

  @Test
  void nesterovMomentumWithStepPolicyAndWeightDecayExceptOnV() {
    OptimizedNets nets = builder().withoutWeightDecay(List.of("V")).build(OptimizerConfig.sgd(0.1).momentum(0.9)
        .weightDecay(0.001).policy(LearningRatePolicy.step(10, 0.5)).build());
    assertThat(added(nets.trainNet(), TRAIN)).isEqualTo(fixture("momentum_wd_ops.pbtxt").getOpList());
    assertThat(added(nets.initNet(), INIT)).isEqualTo(fixture("momentum_wd_init_ops.pbtxt").getOpList());
    assertThat(nets.stateBlobs()).containsExactly("ONE_0_0", "wd_0_0", "optimizer_iteration", "W_momentum",
        "V_momentum");
  }

  @Test
  void plainMomentum() {
    OptimizedNets nets = builder().build(OptimizerConfig.sgd(0.1).momentum(0.5).nesterov(false).build());
    OperatorDef update = nets.trainNet().getOp(nets.trainNet().getOpCount() - 1);
    assertThat(update.getType()).isEqualTo("MomentumSGDUpdate");
    assertThat(update.getArg(1).getName()).isEqualTo("nesterov");
    assertThat(update.getArg(1).getI()).isZero();
  }

  @Test
  void adamWithAnUntouchedParameter() {
    OptimizedNets nets = builder().untouched(List.of("V")).build(OptimizerConfig.adam(0.01).build());
    assertThat(added(nets.trainNet(), TRAIN)).isEqualTo(fixture("adam_ops.pbtxt").getOpList());
    assertThat(added(nets.initNet(), INIT)).isEqualTo(fixture("adam_init_ops.pbtxt").getOpList());
    assertThat(nets.updatedParameters()).containsExactly("W");
  }

  @Test
  void adagradTakesTheWeightDecayAsAnArgument() {
    OptimizedNets nets = builder().withoutWeightDecay(List.of("V")).build(OptimizerConfig.adagrad(0.05)
        .weightDecay(0.01).policy(LearningRatePolicy.inv(0.1, 0.5)).build());
    assertThat(added(nets.trainNet(), TRAIN)).isEqualTo(fixture("adagrad_ops.pbtxt").getOpList());
    assertThat(nets.stateBlobs()).containsExactly("optimizer_iteration", "W_squared_sum", "V_squared_sum");
  }

  @Test
  void everyPolicysArguments() {
    assertThat(lrArgs(LearningRatePolicy.exp(0.99))).isEqualTo("base_lr policy gamma");
    assertThat(lrArgs(LearningRatePolicy.poly(2, 500))).isEqualTo("base_lr policy power max_iter");
    assertThat(lrArgs(LearningRatePolicy.multistep(0.1, 100, 200))).isEqualTo("base_lr policy gamma stepsizes");
    OperatorDef lr = builder().build(OptimizerConfig.sgd(1).policy(LearningRatePolicy.multistep(0.1, 100, 200))
        .build()).trainNet().getOpList().stream().filter(o -> o.getType().equals("LearningRate")).findFirst()
        .orElseThrow();
    assertThat(lr.getArg(3).getIntsList()).containsExactly(100L, 200L);
  }

  private static String lrArgs(LearningRatePolicy policy) {
    OperatorDef lr = builder().build(OptimizerConfig.sgd(1).policy(policy).build()).trainNet().getOpList().stream()
        .filter(o -> o.getType().equals("LearningRate")).findFirst().orElseThrow();
    return String.join(" ", lr.getArgList().stream().map(a -> a.getName()).toList());
  }

  @Test
  void aSecondOptimizerOnTheSameNetsSharesTheCounter() {
    OptimizedNets first = OptimizerBuilder.forNets(TRAIN, INIT).gradients(PASS.gradientMap())
        .parameters(List.of("W")).build(OptimizerConfig.sgd(0.1).build());
    OptimizedNets second = OptimizerBuilder.forNets(first.trainNet(), first.initNet())
        .gradients(PASS.gradientMap()).parameters(List.of("V")).build(OptimizerConfig.sgd(0.01).build());
    assertThat(second.learningRateBlob()).isEqualTo("SgdOptimizer_1_lr_cpu");
    assertThat(second.stateBlobs()).isEmpty();
    assertThat(added(second.trainNet(), first.trainNet())).extracting(OperatorDef::getType)
        .containsExactly("LearningRate", "WeightedSum");
    assertThat(added(second.initNet(), first.initNet())).isEmpty();
  }

  @Test
  void theBuilderIsPure() {
    NetDef trainBefore = TRAIN.toBuilder().build();
    builder().build(OptimizerConfig.adam(0.1).build());
    assertThat(TRAIN).isEqualTo(trainBefore);
    assertThat(builder().build(OptimizerConfig.adam(0.1).build()))
        .isEqualTo(builder().build(OptimizerConfig.adam(0.1).build()));
  }

  @Test
  void errors() {
    assertThatThrownBy(() -> OptimizerBuilder.forNets(TRAIN, INIT).gradients(Map.of("W", GradientBlob.dense("W_grad")))
        .parameters(List.of("W", "V")).build(OptimizerConfig.sgd(0.1).build()))
        .isInstanceOf(GradientException.class).hasMessageContaining("parameter 'V' has no gradient")
        .satisfies(e -> assertThat(((GradientException) e).blob()).isEqualTo("V"));
    assertThatThrownBy(() -> OptimizerBuilder.forNets(TRAIN, INIT)
        .gradients(Map.of("W", GradientBlob.sparse("i", "v"))).parameters(List.of("W"))
        .build(OptimizerConfig.sgd(0.1).build()))
        .isInstanceOf(GradientException.class).hasMessageContaining("sparse gradient GradientSlice(i, v)");
    assertThatThrownBy(() -> builder().untouched(List.of("U")).build(OptimizerConfig.sgd(0.1).build()))
        .isInstanceOf(SchemaException.class)
        .hasMessageContaining("untouched parameter 'U' is not one of the parameters");
    assertThatThrownBy(() -> builder().withoutWeightDecay(List.of("U")).build(OptimizerConfig.sgd(0.1).build()))
        .isInstanceOf(SchemaException.class).hasMessageContaining("parameter 'U' (without weight decay)");
    assertThatThrownBy(() -> builder().parameters(List.of("W", "W")).build(OptimizerConfig.sgd(0.1).build()))
        .isInstanceOf(SchemaException.class).hasMessageContaining("parameter 'W' is listed twice");
    OptimizedNets once = builder().build(OptimizerConfig.adam(0.1).build());
    assertThatThrownBy(() -> OptimizerBuilder.forNets(once.trainNet(), once.initNet()).gradients(PASS.gradientMap())
        .parameters(List.of("W")).build(OptimizerConfig.adam(0.1).build()))
        .isInstanceOf(SchemaException.class)
        .hasMessageContaining("state blob 'W_first_moment' already exists: 'W' seems to have an optimizer already");
  }

  @Test
  void untouchedParametersNeedNoGradient() {
    OptimizedNets nets = OptimizerBuilder.forNets(TRAIN, INIT).gradients(Map.of("W", GradientBlob.dense("W_grad")))
        .parameters(List.of("W", "frozen")).untouched(List.of("frozen")).build(OptimizerConfig.sgd(0.1).build());
    assertThat(nets.updatedParameters()).containsExactly("W");
  }

  @Test
  void configurationChecks() {
    assertThatThrownBy(() -> OptimizerConfig.sgd(0).build()).isInstanceOf(SchemaException.class)
        .hasMessageContaining("the base learning rate must be positive, got 0.0");
    assertThatThrownBy(() -> OptimizerConfig.sgd(0.1).momentum(-1).build()).isInstanceOf(SchemaException.class)
        .hasMessageContaining("momentum must be 0 or more");
    assertThatThrownBy(() -> OptimizerConfig.adam(0.1).betas(1, 0.9).build()).isInstanceOf(SchemaException.class)
        .hasMessageContaining("beta1 must be in [0, 1)");
    assertThatThrownBy(() -> OptimizerConfig.adam(0.1).build().toBuilder().momentum(0.9).build())
        .isInstanceOf(SchemaException.class).hasMessageContaining("momentum applies to SGD only, not ADAM");
    assertThatThrownBy(() -> OptimizerConfig.sgd(0.1).decay(0.5).build())
        .isInstanceOf(SchemaException.class).hasMessageContaining("decay applies to Adagrad only");
    assertThatThrownBy(() -> OptimizerConfig.sgd(0.1).weightDecay(-1).build())
        .isInstanceOf(SchemaException.class).hasMessageContaining("weight decay must be 0 or more");
    assertThatThrownBy(() -> LearningRatePolicy.step(0, 0.5)).isInstanceOf(SchemaException.class)
        .hasMessageContaining("policy 'step' needs a positive stepsize");
    assertThatThrownBy(() -> LearningRatePolicy.multistep(0.5, 10, 5)).isInstanceOf(SchemaException.class)
        .hasMessageContaining("strictly ascending, got [10, 5]");
    assertThatThrownBy(() -> new LearningRatePolicy("cosine", 0, 0, 0, 0, List.of()))
        .isInstanceOf(SchemaException.class).hasMessageContaining("unknown learning rate policy 'cosine'");
    OptimizerConfig c = OptimizerConfig.adam(0.1).epsilon(1e-6).build();
    assertThat(c.toBuilder().build()).isEqualTo(c);
    assertThat(OptimizerConfig.sgd(0.1).build().nesterov()).isTrue();
    assertThat(OptimizerConfig.adagrad(0.1).build().epsilon()).isEqualTo(1e-4);
  }
}
