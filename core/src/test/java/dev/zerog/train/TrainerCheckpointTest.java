package dev.zerog.train;

import static dev.zerog.train.OptimizerBuilderTest.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerog.SchemaException;
import dev.zerog.ShapeException;
import dev.zerog.io.Checkpoints;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Checkpoints of a Trainer: a run saved at step k and restored into a new trainer ends as an uninterrupted run. */
class TrainerCheckpointTest {
  private static final NetDef FORWARD = fixture("mlp.pbtxt");
  private static final NetDef INIT = fixture("mlp_init.pbtxt");
  private static final List<String> PARAMS = List.of("W1", "b1", "W2", "b2", "W3", "b3");

  @TempDir Path tmp;

  /** 60 examples of 16 random features, labels 0-9. */
  static Dataset data() {
    SplittableRandom r = new SplittableRandom(3);
    float[] x = new float[60 * 16];
    int[] label = new int[60];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextDouble(-1, 1);
    }
    for (int i = 0; i < label.length; i++) {
      label[i] = r.nextInt(10);
    }
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("X", Tensor.of(x, 60, 16));
    m.put("label", Tensor.of(label, 60));
    return Dataset.of(m, "generated");
  }

  static Stream<OptimizerConfig> optimizers() {
    return Stream.of(
        OptimizerConfig.sgd(0.1).momentum(0.9).weightDecay(1e-3).policy(LearningRatePolicy.step(7, 0.5)).build(),
        OptimizerConfig.adam(0.01).build(),
        OptimizerConfig.adagrad(0.1).weightDecay(1e-3).build());
  }

  private static Trainer trainer(OptimizerConfig config) {
    return Trainer.builder().initNet(INIT).trainNet(FORWARD).loss("loss").parameters(PARAMS)
        .freeze(List.of("W1")).optimizer(config).feeder(data().batches(16, 5)).build();
  }

  @ParameterizedTest
  @MethodSource("optimizers")
  void aResumedRunEndsBitwiseAsAnUninterruptedOne(OptimizerConfig config) {
    Trainer whole = trainer(config);
    float[] wholeLosses = whole.run(20);

    Trainer first = trainer(config);
    float[] firstLosses = first.run(8);
    Path dir = tmp.resolve(config.type().name());
    Path file = first.saveCheckpoint(dir, Map.of("losses", Tensor.of(firstLosses.clone())));
    assertThat(file.getFileName().toString()).isEqualTo(Checkpoints.fileName(8));

    Trainer resumed = trainer(config);
    Map<String, Tensor> extra = resumed.restore(Checkpoints.latest(dir).orElseThrow());
    assertThat(resumed.stepsRun()).isEqualTo(8);
    assertThat(extra.keySet()).containsExactly("losses");
    assertThat(extra.get("losses").floats()).containsExactly(firstLosses);
    float[] rest = resumed.run(12);

    for (int i = 0; i < 12; i++) {
      assertThat(Float.floatToRawIntBits(rest[i])).as("loss of step %d", 8 + i)
          .isEqualTo(Float.floatToRawIntBits(wholeLosses[8 + i]));
    }
    assertThat(resumed.stateBlobs()).isEqualTo(whole.stateBlobs()).contains("optimizer_iteration")
        .containsAll(PARAMS);
    for (String blob : whole.stateBlobs()) {
      assertThat(resumed.workspace().fetch(blob).contentEquals(whole.workspace().fetch(blob)))
          .as("state blob %s", blob).isTrue();
    }
    assertThat(resumed.workspace().fetch("optimizer_iteration").longs()).containsExactly(20);
  }

  @Test
  void theStateIsWhatTheInitNetCreates() {
    Trainer t = trainer(OptimizerConfig.sgd(0.1).momentum(0.9).build());
    assertThat(t.stateBlobs()).containsExactly("W1", "b1", "W2", "b2", "W3", "b3", "optimizer_iteration",
        "ONE_0_0", "b1_momentum", "W2_momentum", "b2_momentum", "W3_momentum", "b3_momentum");
  }

  @Test
  void restoringAfterAStepIsAnError() {
    Trainer t = trainer(OptimizerConfig.sgd(0.1).build());
    Path file = t.saveCheckpoint(tmp);
    t.step();
    assertThatThrownBy(() -> t.restore(file)).isInstanceOf(SchemaException.class)
        .hasMessageContaining("before its first step");
  }

  @Test
  void aCheckpointOfAnotherOptimizerIsAnErrorNamingTheBlob() {
    Path file = trainer(OptimizerConfig.sgd(0.1).build()).saveCheckpoint(tmp);
    Trainer adam = trainer(OptimizerConfig.adam(0.01).build());
    assertThatThrownBy(() -> adam.restore(file)).isInstanceOf(SchemaException.class)
        .hasMessageStartingWith(file + ": blob 'b1_first_moment': the checkpoint has no blob");
  }

  @Test
  void aStateBlobOfOtherDimsIsAnError() {
    Trainer t = trainer(OptimizerConfig.sgd(0.1).build());
    t.initialize();
    Map<String, Tensor> state = new LinkedHashMap<>();
    for (String blob : t.stateBlobs()) {
      state.put(blob, t.workspace().fetch(blob));
    }
    state.put("W3", Tensor.of(new float[64 * 9], 9, 64));
    Path file = tmp.resolve(Checkpoints.fileName(3));
    Checkpoints.write(state, file);
    Trainer other = trainer(OptimizerConfig.sgd(0.1).build());
    assertThatThrownBy(() -> other.restore(file)).isInstanceOf(ShapeException.class)
        .hasMessage(file + ": blob 'W3': the checkpoint holds FLOAT [9, 64] where the init net makes FLOAT [10, 64]");
  }

  @Test
  void anExtraTensorMayNotShadowTheState() {
    Trainer t = trainer(OptimizerConfig.sgd(0.1).build());
    assertThatThrownBy(() -> t.saveCheckpoint(tmp, Map.of("W2", Tensor.scalar(1))))
        .isInstanceOf(SchemaException.class).hasMessageContaining("'W2'");
  }
}
