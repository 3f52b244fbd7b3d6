package dev.zerog.train;

import static dev.zerog.train.OptimizerBuilderTest.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.zerog.GradientException;
import dev.zerog.SchemaException;
import dev.zerog.ShapeException;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The training loop on linear.pbtxt: loss = 0.5 * sum((W * V * X - Y)^2), with Y = TARGET * X. */
class TrainerTest {
  private static final NetDef FORWARD = fixture("linear.pbtxt");
  private static final NetDef INIT = fixture("linear_init.pbtxt");
  private static final float[] TARGET = {2, -3, 0.5f};
  private static final long[] DIMS = {3};

  /** X uniform in [-1, 1), Y = TARGET * X, filled in place; a seeded stream, so each step's batch is fixed. */
  static final class LinearData implements BatchFeeder {
    private final SplittableRandom random = new SplittableRandom(1);
    final List<Long> steps = new ArrayList<>();
    boolean record;

    @Override
    public void fill(long step, Batch batch) {
      if (record) {
        steps.add(step);
      }
      float[] x = batch.tensor("X").resize(DataType.FLOAT, DIMS).floats();
      float[] y = batch.tensor("Y").resize(DataType.FLOAT, DIMS).floats();
      for (int i = 0; i < 3; i++) {
        x[i] = (float) random.nextDouble(-1, 1);
        y[i] = TARGET[i] * x[i];
      }
    }
  }

  private static Trainer.Builder trainer(OptimizerConfig config) {
    return Trainer.builder().initNet(INIT).trainNet(FORWARD).loss("loss").parameters(List.of("W", "V"))
        .untouched(List.of("V")).optimizer(config).feeder(new LinearData());
  }

  @Test
  void sgdFitsTheTarget() {
    Trainer t = trainer(OptimizerConfig.sgd(0.5).build()).build();
    float[] losses = t.run(400);
    assertThat(losses).hasSize(400);
    assertThat(t.stepsRun()).isEqualTo(400);
    assertThat(losses[0]).isGreaterThan(0.1f);
    assertThat(losses[399]).isLessThan(1e-8f);
    assertThat(t.workspace().fetch("W").floats()).containsExactly(TARGET, within(1e-3f));
    assertThat(t.workspace().fetch("V").floats()).containsExactly(1, 1, 1);
    assertThat(t.workspace().fetch("optimizer_iteration").longs()).containsExactly(400);
  }

  @Test
  void theLossOfAStepIsItsForwardLossBeforeTheUpdate() {
    LinearData replay = new LinearData();
    Trainer t = trainer(OptimizerConfig.sgd(0.5).build()).build();
    float first = t.step();
    // Step 0 sees W = 0.5, V = 1 and the feeder's first batch.
    Batch probe = new Batch(new dev.zerog.workspace.Workspace());
    replay.fill(0, probe);
    float[] x = probe.tensor("X").floats();
    float[] y = probe.tensor("Y").floats();
    double expected = 0;
    for (int i = 0; i < 3; i++) {
      double d = 0.5f * x[i] - y[i];
      expected += 0.5 * d * d;
    }
    assertThat(first).isCloseTo((float) expected, within(1e-6f));
    // The update of step 0: W -= 0.5 * (W x - y) x, with lr policy fixed.
    for (int i = 0; i < 3; i++) {
      float w = 0.5f - 0.5f * (0.5f * x[i] - y[i]) * x[i];
      assertThat(t.workspace().fetch("W").floats()[i]).isCloseTo(w, within(1e-6f));
    }
  }

  @Test
  void everyOptimizerReducesTheLoss() {
    List<OptimizerConfig> configs = List.of(
        OptimizerConfig.sgd(0.1).momentum(0.9).build(),
        OptimizerConfig.sgd(0.1).momentum(0.9).nesterov(false).policy(LearningRatePolicy.step(100, 0.5)).build(),
        OptimizerConfig.adam(0.05).build(),
        OptimizerConfig.adagrad(0.5).build(),
        OptimizerConfig.sgd(0.5).policy(LearningRatePolicy.inv(0.01, 0.5)).weightDecay(1e-4).build());
    for (OptimizerConfig c : configs) {
      float[] losses = trainer(c).build().run(300);
      assertThat(mean(losses, 290, 300)).as(c.toString()).isLessThan(1e-3 * mean(losses, 0, 10));
    }
  }

  private static double mean(float[] v, int from, int to) {
    double s = 0;
    for (int i = from; i < to; i++) {
      s += v[i];
    }
    return s / (to - from);
  }

  @Test
  void untouchedParametersKeepTheirValues() {
    Trainer both = trainer(OptimizerConfig.sgd(0.2).build()).untouched(List.of()).build();
    both.run(50);
    assertThat(both.workspace().fetch("V").floats()).isNotEqualTo(new float[] {1, 1, 1});
    assertThat(both.optimizer().updatedParameters()).containsExactly("W", "V");

    Trainer frozenW = trainer(OptimizerConfig.sgd(0.2).build()).untouched(List.of("W")).build();
    frozenW.run(50);
    assertThat(frozenW.workspace().fetch("W").floats()).containsExactly(0.5f, 0.5f, 0.5f);
    // V alone can fit the target too: W * V -> TARGET.
    assertThat(frozenW.workspace().fetch("V").floats()[0]).isGreaterThan(1.5f);
  }

  @Test
  void theFeederSeesEveryStepInOrder() {
    LinearData data = new LinearData();
    data.record = true;
    Trainer t = trainer(OptimizerConfig.sgd(0.1).build()).feeder(data).build();
    t.run(3);
    t.step();
    assertThat(data.steps).containsExactly(0L, 1L, 2L, 3L);
    assertThat(t.run(0)).isEmpty();
  }

  @Test
  void theNetsAreThereToSee() {
    Trainer t = trainer(OptimizerConfig.adam(0.01).build()).build();
    assertThat(t.trainNet().getOpList()).extracting(OperatorDef::getType).startsWith("TrainMul", "TrainMul",
        "WeightedSum", "TrainHalfSquaredNorm", "ConstantFill").endsWith("Iter", "LearningRate", "Adam");
    assertThat(t.initNet().getOpList()).extracting(OperatorDef::getType).endsWith("ConstantFill");
    assertThat(t.stepsRun()).isZero();
    assertThat(t.workspace().hasBlob("W")).isFalse();
  }

  @Test
  void aStepAllocatesNothingInTheSteadyState() {
    var threads = ManagementFactory.getThreadMXBean();
    assumeTrue(threads instanceof com.sun.management.ThreadMXBean);
    var counter = (com.sun.management.ThreadMXBean) threads;
    assumeTrue(counter.isThreadAllocatedMemorySupported() && counter.isThreadAllocatedMemoryEnabled());
    for (OptimizerConfig c : List.of(OptimizerConfig.sgd(0.1).build(),
        OptimizerConfig.sgd(0.1).momentum(0.9).weightDecay(1e-3).policy(LearningRatePolicy.step(50, 0.9)).build(),
        OptimizerConfig.adam(0.01).build(), OptimizerConfig.adagrad(0.1).weightDecay(1e-3).build())) {
      Trainer t = trainer(c).untouched(List.of()).build();
      for (int k = 0; k < 2000; k++) {
        t.step(); // the first step allocates every tensor; the rest warm up the JIT
      }
      // Until the JIT has compiled the hot code, interpreted and C1 code may allocate objects that compiled code
      // keeps in registers; the steady state is the best of several windows.
      long thread = Thread.currentThread().getId();
      long best = Long.MAX_VALUE;
      for (int window = 0; window < 10 && best > 0; window++) {
        long before = counter.getThreadAllocatedBytes(thread);
        for (int k = 0; k < 1000; k++) {
          t.step();
        }
        best = Math.min(best, counter.getThreadAllocatedBytes(thread) - before);
      }
      // A thousand steps; one small array per step would be 16 KB or more.
      assertThat(best).as(c + ": bytes allocated by 1000 steps").isLessThan(1000);
    }
  }

  @Test
  void errors() {
    assertThatThrownBy(() -> Trainer.builder().initNet(INIT).trainNet(FORWARD).loss("loss")
        .optimizer(OptimizerConfig.sgd(0.1).build()).build())
        .isInstanceOf(SchemaException.class).hasMessageContaining("the trainer needs the parameters to train");
    assertThatThrownBy(() -> Trainer.builder().initNet(INIT).trainNet(FORWARD).parameters(List.of("W"))
        .optimizer(OptimizerConfig.sgd(0.1).build()).build())
        .isInstanceOf(SchemaException.class).hasMessageContaining("the trainer needs a loss blob");
    assertThatThrownBy(() -> trainer(OptimizerConfig.sgd(0.1).build()).loss("nope").build())
        .isInstanceOf(GradientException.class).hasMessageContaining("loss blob 'nope' is not a blob of the net");
    assertThatThrownBy(() -> trainer(OptimizerConfig.sgd(0.1).build()).parameters(List.of("W", "V", "one"))
        .build())
        .isInstanceOf(GradientException.class).hasMessageContaining("parameter 'one' has no gradient");
    Trainer vectorLoss = trainer(OptimizerConfig.sgd(0.1).build()).loss("diff").build();
    assertThatThrownBy(vectorLoss::step)
        .isInstanceOf(ShapeException.class).hasMessageContaining("the loss must be one floating-point element, "
            + "got FLOAT [3]");
    assertThatThrownBy(() -> trainer(OptimizerConfig.sgd(0.1).build()).build().run(-1))
        .isInstanceOf(SchemaException.class).hasMessageContaining("negative number of steps");
    // Without a feeder the inputs must already be in the workspace.
    assertThatThrownBy(() -> trainer(OptimizerConfig.sgd(0.1).build()).feeder(null).build().step())
        .isInstanceOf(SchemaException.class).hasMessageContaining("does not exist in the workspace");
  }

  @Test
  void withoutAFeederTheWorkspacesInputsAreUsed() {
    dev.zerog.workspace.Workspace ws = new dev.zerog.workspace.Workspace();
    ws.feed("X", Tensor.of(new float[] {1, 1, 1}));
    ws.feed("Y", Tensor.of(new float[] {2, -3, 0.5f}));
    Trainer t = trainer(OptimizerConfig.sgd(0.5).build()).feeder(null).workspace(ws).build();
    t.run(100);
    assertThat(t.workspace()).isSameAs(ws);
    assertThat(ws.fetch("W").floats()).containsExactly(TARGET, within(1e-5f));
  }
}
