package dev.zerog.bench;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * DJL's side of the MLP training-step benchmark ({@code bench/run-mlp.sh}): the MLP of {@link MlpSpec} trained
 * with DJL's PyTorch engine the way DJL's own {@code EasyTrain.trainBatch} does it: a {@link SequentialBlock} of
 * {@link Linear} and ReLU blocks, {@link Loss#softmaxCrossEntropyLoss()} (sparse integer labels, from logits,
 * mean over the batch), {@link Optimizer#sgd()} with a fixed learning rate, and per step a gradient collector
 * around forward, loss and backward, then {@link Trainer#step()}.
 *
 * <p>Weights are initialized as Caffe2's XavierFill (uniform, factor "in", magnitude 3: U[-s, s], s =
 * sqrt(3 / fan_in)), biases to 0. The step's intermediate arrays live in a sub-manager closed after each step, so
 * that native memory stays flat.
 *
 * <p>{@code -Dzerog.mlp.mode=frozen} freezes every hidden layer with DJL's {@code Block.freezeParameters(true)}
 * (their parameters stop requiring gradients) and trains the classifier only; the RESULT line's side is then
 * {@code djl-frozen}.
 *
 * <p>Threads: run with {@code -Dai.djl.pytorch.num_threads=2 -Dai.djl.pytorch.num_interop_threads=1} (and
 * {@code OMP_NUM_THREADS}, {@code MKL_NUM_THREADS}); the counts libtorch reports after loading are printed, and
 * the run stops if the intra-op count differs from {@code ai.djl.pytorch.num_threads}. Offline
 * ({@code -Dai.djl.offline=true}), the engine loads libtorch from the {@code pytorch-native-cpu} jar on the class
 * path.
 */
public final class DjlMlpStep {
  private DjlMlpStep() {}

  /** Runs the benchmark; options as {@link MlpSpec}. */
  public static void main(String[] args) throws Exception {
    MlpSpec spec = MlpSpec.parse(args);
    String mode = System.getProperty("zerog.mlp.mode", "full");
    if (!mode.equals("full") && !mode.equals("frozen")) {
      throw new IllegalArgumentException("zerog.mlp.mode is full or frozen for DJL, not " + mode);
    }
    Engine engine = Engine.getEngine("PyTorch");
    engine.setRandomSeed((int) spec.seed());
    int intra = JniUtils.getNumThreads();
    int interop = JniUtils.getNumInteropThreads();
    String wanted = System.getProperty("ai.djl.pytorch.num_threads");
    if (wanted != null && Integer.parseInt(wanted) != intra) {
      throw new IllegalStateException("ai.djl.pytorch.num_threads=" + wanted + " but libtorch runs " + intra
          + " intra-op threads");
    }
    System.out.println("djl: " + spec.describe() + "; DJL " + Engine.getDjlVersion() + ", engine "
        + engine.getEngineName() + " " + engine.getVersion() + ", intra-op threads " + intra + ", inter-op threads "
        + interop + ", OS threads now " + osThreads());

    SequentialBlock block = new SequentialBlock();
    for (int i = 0; i < spec.layers(); i++) {
      block.add(Linear.builder().setUnits(spec.fanOut(i)).build());
      if (i < spec.hidden()) {
        block.add(Activation.reluBlock());
      }
    }
    try (Model model = Model.newInstance("mlp", Device.cpu(), "PyTorch")) {
      model.setBlock(block);
      DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
          .optInitializer(new XavierInitializer(XavierInitializer.RandomType.UNIFORM,
              XavierInitializer.FactorType.IN, 3), Parameter.Type.WEIGHT)
          .optInitializer(new ConstantInitializer(0f), Parameter.Type.BIAS)
          .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(spec.lr())).build())
          .optDevices(new Device[] {Device.cpu()});
      try (Trainer trainer = model.newTrainer(config)) {
        trainer.initialize(new Shape(spec.batch(), spec.inputs()));
        if (mode.equals("frozen")) {
          // DJL's way to freeze: every block before the classifier stops requiring gradients, so the engine
          // neither computes nor applies them.
          List<Block> children = block.getChildren().values();
          for (Block child : children.subList(0, children.size() - 1)) {
            child.freezeParameters(true);
          }
        }
        NDManager manager = trainer.getManager();
        NDArray x = manager.create(spec.features(), new Shape(spec.batch(), spec.inputs()));
        NDArray y = manager.create(spec.labels(), new Shape(spec.batch()));
        StepTimer.run(mode.equals("full") ? "djl" : "djl-" + mode, spec, () -> step(trainer, manager, x, y),
            "intra_threads=" + intra + " interop_threads=" + interop + " os_threads=" + osThreads());
      }
    }
  }

  /** One step, as EasyTrain.trainBatch: forward, loss, backward under a gradient collector, then the update. */
  private static float step(Trainer trainer, NDManager manager, NDArray x, NDArray y) {
    try (NDManager stepManager = manager.newSubManager()) {
      x.tempAttach(stepManager);
      y.tempAttach(stepManager);
      NDList labels = new NDList(y);
      float loss;
      try (GradientCollector collector = trainer.newGradientCollector()) {
        NDList predictions = trainer.forward(new NDList(x), labels);
        NDArray lossValue = trainer.getLoss().evaluate(labels, predictions);
        collector.backward(lossValue);
        loss = lossValue.getFloat();
      }
      trainer.step();
      return loss;
    }
  }

  /** The threads of this process, from /proc (-1 where there is none). */
  private static long osThreads() {
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      return tasks.count();
    } catch (java.io.IOException e) {
      return -1;
    }
  }
}
