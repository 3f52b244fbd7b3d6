package dev.zerog.train;

import static dev.zerog.train.OptimizerBuilderTest.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zerog.net.Net;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The acceptance test of the training loop: an MLP with two hidden layers (mlp.pbtxt: FC, Relu, FC, Relu, FC,
 * SoftmaxWithLoss) reaches at least 95% training accuracy within 200 steps on a generated 10-class dataset.
 */
class MlpTrainingTest {
  private static final int CLASSES = 10;
  private static final int FEATURES = 16;
  private static final int PER_CLASS = 100;
  private static final int SAMPLES = CLASSES * PER_CLASS;
  private static final int BATCH = 100;
  /** Clusters per class: two, so that no linear classifier separates the classes. */
  private static final int CENTERS = 2;
  private static final double NOISE = 1.0;

  /**
   * Gaussian clusters: each class owns {@link #CENTERS} random centers (standard normal features), each sample is
   * one of its class's centers plus noise of standard deviation {@link #NOISE}, in a fixed shuffled order.
   */
  static final class Blobs implements BatchFeeder {
    final float[] features = new float[SAMPLES * FEATURES];
    final int[] labels = new int[SAMPLES];
    private final long[] xDims = {BATCH, FEATURES};
    private final long[] labelDims = {BATCH};

    Blobs(long seed) {
      SplittableRandom r = new SplittableRandom(seed);
      double[][] centers = new double[CLASSES * CENTERS][FEATURES];
      for (double[] c : centers) {
        for (int j = 0; j < FEATURES; j++) {
          c[j] = gaussian(r);
        }
      }
      int[] order = new int[SAMPLES];
      for (int i = 0; i < SAMPLES; i++) {
        order[i] = i;
      }
      for (int i = SAMPLES - 1; i > 0; i--) {
        int k = r.nextInt(i + 1);
        int t = order[i];
        order[i] = order[k];
        order[k] = t;
      }
      for (int i = 0; i < SAMPLES; i++) {
        int cluster = order[i] % (CLASSES * CENTERS);
        int label = cluster % CLASSES;
        labels[i] = label;
        for (int j = 0; j < FEATURES; j++) {
          features[i * FEATURES + j] = (float) (centers[cluster][j] + NOISE * gaussian(r));
        }
      }
    }

    private static double gaussian(SplittableRandom r) {
      return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    @Override
    public void fill(long step, Batch batch) {
      int first = (int) (step % (SAMPLES / BATCH)) * BATCH;
      float[] x = batch.tensor("X").resize(DataType.FLOAT, xDims).floats();
      int[] y = batch.tensor("label").resize(DataType.INT32, labelDims).ints();
      System.arraycopy(features, first * FEATURES, x, 0, BATCH * FEATURES);
      System.arraycopy(labels, first, y, 0, BATCH);
    }
  }

  @Test
  void twoHiddenLayersReach95PercentTrainingAccuracyWithin200Steps() {
    NetDef forward = fixture("mlp.pbtxt");
    Blobs data = new Blobs(2024);
    Trainer trainer = Trainer.builder()
        .initNet(fixture("mlp_init.pbtxt"))
        .trainNet(forward)
        .loss("loss")
        .parameters(List.of("W1", "b1", "W2", "b2", "W3", "b3"))
        .optimizer(OptimizerConfig.sgd(0.1).momentum(0.9).build())
        .feeder(data)
        .build();
    float[] losses = trainer.run(200);
    assertThat(losses[0]).isGreaterThan(1.5f); // about log(10) at the start
    assertThat(losses[199]).isLessThan(0.5f * losses[0]);

    // Accuracy on the whole training set, with the trained parameters: the forward ops up to the logits.
    Workspace ws = trainer.workspace();
    ws.feed("X", Tensor.of(data.features.clone(), SAMPLES, FEATURES));
    NetDef predict = forward.toBuilder().clearOp().addAllOp(forward.getOpList().subList(0, 5)).build();
    Net.create(predict, ws).run();
    float[] logits = ws.fetch("logits").floats();
    int correct = 0;
    for (int i = 0; i < SAMPLES; i++) {
      int best = 0;
      for (int c = 1; c < CLASSES; c++) {
        if (logits[i * CLASSES + c] > logits[i * CLASSES + best]) {
          best = c;
        }
      }
      correct += best == data.labels[i] ? 1 : 0;
    }
    assertThat(correct / (double) SAMPLES).as("training accuracy").isGreaterThanOrEqualTo(0.95);
  }
}
