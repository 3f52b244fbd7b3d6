package dev.zerog.cli;

import dev.zerog.net.Net;
import dev.zerog.net.Ops;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.DeviceOption;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.Tensor;
import dev.zerog.train.Dataset;
import dev.zerog.train.GivenTensorInitNet;
import dev.zerog.train.OptimizerConfig;
import dev.zerog.train.Trainer;
import dev.zerog.train.TrunkFreezer;
import dev.zerog.workspace.Workspace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The story {@code zerog demo} tells: a small CNN is trained on task A ({@link DemoData}), then its head is replaced
 * and it is fine-tuned on task B three ways, step by step in turn so that all three see the same machine load:
 *
 * <ol>
 *   <li>(a) everything trainable;</li>
 *   <li>(b) the trunk frozen the Caffe2 way: {@code StopGradient} on the trunk's output and {@code ZeroGradient} on
 *       every trunk parameter ({@link TrunkFreezer}), the optimizer over all parameters, no pruning;</li>
 *   <li>(c) the trunk frozen by zerog: {@code freeze} with pruning ({@link Trainer.Builder#freeze},
 *       {@link Trainer.Builder#prune}).</li>
 * </ol>
 *
 * <p>The net: Conv 3×3 (1→8) · Relu · MaxPool 2 · Conv 3×3 (8→16) · Relu · MaxPool 2 · FC (256→hidden) · Relu
 * (= {@value #CUT}, the trunk's output) · FC (hidden→4) · SoftmaxWithLoss. Most of the trunk's parameters are in its
 * FC layer, as in the classic CNNs (AlexNet's and VGG's fc6 and fc7). Every run uses momentum SGD (Caffe2's
 * default Nesterov momentum 0.9) without weight decay, from the same initial values and on the same batches.
 */
final class FineTuningDemo {
  /** The blob where the trunk ends. */
  static final String CUT = "features";
  /** The trunk's parameters. */
  static final List<String> TRUNK = List.of("conv1_w", "conv1_b", "conv2_w", "conv2_b", "fc1_w", "fc1_b");
  /** The head's parameters. */
  static final List<String> HEAD = List.of("head_w", "head_b");

  private static final int CONV1 = 8;
  private static final int CONV2 = 16;
  private static final int FLAT = CONV2 * (DemoData.SIZE / 4) * (DemoData.SIZE / 4);

  /**
   * The sizes of a demo.
   *
   * @param pretrainSteps steps on task A
   * @param fineTuneSteps steps on task B, for each of the three runs
   * @param batch examples per step
   * @param hidden the width of the trunk's FC layer
   * @param trainExamples examples of each task to train on
   * @param testExamples held-out examples of each task, for the accuracy
   * @param learningRate momentum SGD's learning rate
   */
  record Config(int pretrainSteps, int fineTuneSteps, int batch, int hidden, int trainExamples, int testExamples,
      double learningRate) {}

  /**
   * One fine-tuning run and what it cost.
   *
   * @param key "a", "b" or "c"
   * @param title what it is
   * @param losses the training loss of each step
   * @param medianStepMillis the median time of a step
   * @param testLoss the loss on the held-out examples of task B
   * @param testAccuracy the share of them classified right
   * @param trunkUnchanged whether every trunk parameter has its task-A bits
   * @param gradientOps the backward ops the train net runs each step
   * @param updateOps the parameters that get an update op
   * @param zeroGradientBytes the bytes the outputs of the zero-gradient fills hold after a step: memory written with
   *     zeros every step (0 when the zeros stay symbolic or there are none)
   * @param trainNet the net run each step
   */
  record Run(String key, String title, float[] losses, double medianStepMillis, float testLoss, double testAccuracy,
      boolean trunkUnchanged, int gradientOps, int updateOps, long zeroGradientBytes, NetDef trainNet) {}

  /**
   * The demo's outcome.
   *
   * @param pretrainLosses the loss of each step on task A
   * @param pretrainAccuracy the accuracy on task A's held-out examples
   * @param runs (a), (b) and (c)
   * @param sameHead whether (b) and (c) trained the head to the same bits
   * @param forward the fine-tuning forward net
   * @param init its init net (trunk from task A, new head)
   */
  record Result(float[] pretrainLosses, double pretrainAccuracy, List<Run> runs, boolean sameHead, NetDef forward,
      NetDef init) {}

  /** Progress and interruption, from the command. */
  interface Listener {
    /** True to stop at the next step. */
    boolean stopRequested();

    /** Task A: {@code done} steps done, the last one's loss. */
    void pretrainStep(int done, float loss);

    /** Task B: {@code done} steps done by each run, their last losses in the order (a), (b), (c). */
    void fineTuneStep(int done, float[] losses);
  }

  /** Thrown when the listener asks to stop. */
  static final class Stopped extends Exception {
    private static final long serialVersionUID = 1L;

    /** The phase ("task A", "task B") and the steps it had done. */
    Stopped(String phase, int steps) {
      super(phase + " at step " + steps);
    }
  }

  private FineTuningDemo() {}

  /** Runs the demo. */
  static Result run(Config config, Listener listener) throws Stopped {
    Dataset trainA = DemoData.taskA(config.trainExamples(), 1);
    Dataset testA = DemoData.taskA(config.testExamples(), 2);
    Dataset trainB = DemoData.taskB(config.trainExamples(), 3);
    Dataset testB = DemoData.taskB(config.testExamples(), 4);
    NetDef forward = forward();
    List<String> parameters = new ArrayList<>(TRUNK);
    parameters.addAll(HEAD);

    // Task A: everything from scratch.
    Trainer pretrain = Trainer.builder().initNet(initNet(config.hidden(), 11)).trainNet(forward).loss("loss")
        .parameters(parameters).optimizer(optimizer(config)).feeder(trainA.batches(config.batch(), 5)).build();
    float[] pretrainLosses = new float[config.pretrainSteps()];
    for (int s = 0; s < config.pretrainSteps(); s++) {
      if (listener.stopRequested()) {
        throw new Stopped("task A", s);
      }
      pretrainLosses[s] = pretrain.step();
      listener.pretrainStep(s + 1, pretrainLosses[s]);
    }
    pretrain.initialize();
    Map<String, Tensor> trunk = new LinkedHashMap<>();
    for (String p : TRUNK) {
      trunk.put(p, pretrain.workspace().fetch(p).copy());
    }
    double pretrainAccuracy = evaluate(forward, pretrain.workspace(), parameters, testA)[1];

    // Task B: the trunk from task A, a new head.
    NetDef init = GivenTensorInitNet.of("fine_tune_init", trunk).toBuilder()
        .addAllOp(headInit(config.hidden(), 12)).build();
    Trainer all = Trainer.builder().initNet(init).trainNet(forward).loss("loss").parameters(parameters)
        .optimizer(optimizer(config)).feeder(trainB.batches(config.batch(), 6)).build();
    TrunkFreezer.FrozenNet caffe2 = TrunkFreezer.freeze(forward, CUT, parameters);
    Trainer stopped = Trainer.builder().initNet(init).trainNet(caffe2.net()).loss("loss").parameters(parameters)
        .optimizer(optimizer(config)).feeder(trainB.batches(config.batch(), 6)).build();
    Trainer frozen = Trainer.builder().initNet(init).trainNet(forward).loss("loss").parameters(parameters)
        .freeze(TRUNK).prune(true).optimizer(optimizer(config)).feeder(trainB.batches(config.batch(), 6)).build();
    Trainer[] trainers = {all, stopped, frozen};
    int n = config.fineTuneSteps();
    float[][] losses = new float[3][n];
    long[][] nanos = new long[3][n];
    float[] last = new float[3];
    for (int s = 0; s < n; s++) {
      if (listener.stopRequested()) {
        throw new Stopped("task B", s);
      }
      for (int j = 0; j < 3; j++) {
        // A different run first at each step, so that none is always the one after another (caches, JIT).
        int k = (s + j) % 3;
        long t0 = System.nanoTime();
        float loss = trainers[k].step();
        nanos[k][s] = System.nanoTime() - t0;
        losses[k][s] = loss;
        last[k] = loss;
      }
      listener.fineTuneStep(s + 1, last);
    }

    String[] keys = {"a", "b", "c"};
    String[] titles = {"all trainable", "Caffe2: StopGradient + ZeroGradient", "zerog: freeze + prune"};
    List<Run> runs = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      Trainer t = trainers[k];
      t.initialize();
      double[] test = evaluate(forward, t.workspace(), parameters, testB);
      boolean unchanged = true;
      for (String p : TRUNK) {
        unchanged &= t.workspace().fetch(p).contentEquals(trunk.get(p));
      }
      runs.add(new Run(keys[k], titles[k], losses[k], median(nanos[k]) / 1e6, (float) test[0], test[1], unchanged,
          t.optimizer().backward().pass().gradientOps().size(), t.optimizer().updatedParameters().size(),
          zeroGradientBytes(t), t.trainNet()));
    }
    boolean sameHead = true;
    for (String p : HEAD) {
      sameHead &= stopped.workspace().fetch(p).contentEquals(frozen.workspace().fetch(p));
    }
    return new Result(pretrainLosses, pretrainAccuracy, runs, sameHead, forward, init);
  }

  private static OptimizerConfig optimizer(Config config) {
    return OptimizerConfig.sgd(config.learningRate()).momentum(0.9).build();
  }

  /** The loss and the accuracy of the trained parameters in {@code trained} on {@code test}, in a new workspace. */
  static double[] evaluate(NetDef forward, Workspace trained, List<String> parameters, Dataset test) {
    Workspace ws = new Workspace();
    for (String p : parameters) {
      ws.feed(p, trained.fetch(p).copy());
    }
    ws.feed("data", test.array("data").copy());
    Tensor labels = test.array("label");
    ws.feed("label", labels.copy());
    Net.create(forward, ws).run();
    float[] prob = ws.fetch("softmax").floats();
    int classes = DemoData.CLASSES;
    int right = 0;
    for (int i = 0; i < labels.size(); i++) {
      int best = 0;
      for (int c = 1; c < classes; c++) {
        if (prob[i * classes + c] > prob[i * classes + best]) {
          best = c;
        }
      }
      if (best == labels.ints()[i]) {
        right++;
      }
    }
    return new double[] {ws.fetch("loss").getDouble(0), (double) right / labels.size()};
  }

  /**
   * The bytes held by the outputs of the train net's zero-gradient fills (the ConstantFills of value 0 that
   * ZeroGradient's gradient is): a symbolic zero holds none; a gradient that an update op has read as memory holds
   * its full size, and its fill writes that many zero bytes again at every step.
   */
  static long zeroGradientBytes(Trainer t) {
    long bytes = 0;
    for (OperatorDef op : t.trainNet().getOpList()) {
      if (op.getIsGradientOp() && op.getType().equals("ConstantFill") && fillsZeros(op)) {
        bytes += t.workspace().fetch(op.getOutput(0)).materializedBytes();
      }
    }
    return bytes;
  }

  private static boolean fillsZeros(OperatorDef op) {
    for (Argument a : op.getArgList()) {
      if (a.getName().equals("value")) {
        return a.hasF() ? a.getF() == 0 : !a.hasI() || a.getI() == 0;
      }
    }
    return true;
  }

  private static double median(long[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int m = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2.0;
  }

  // ------------------------------------------------------------------------------------------------ the nets

  /** The forward net; see the class doc. */
  static NetDef forward() {
    NetDef.Builder b = NetDef.newBuilder().setName("demo_cnn").addExternalInput("data").addExternalInput("label");
    b.addOp(Ops.create("Conv", List.of("data", "conv1_w", "conv1_b"), List.of("conv1"), Ops.arg("kernel", 3),
        Ops.arg("pad", 1)));
    b.addOp(Ops.create("Relu", List.of("conv1"), List.of("relu1")));
    b.addOp(Ops.create("MaxPool", List.of("relu1"), List.of("pool1"), Ops.arg("kernel", 2), Ops.arg("stride", 2)));
    b.addOp(Ops.create("Conv", List.of("pool1", "conv2_w", "conv2_b"), List.of("conv2"), Ops.arg("kernel", 3),
        Ops.arg("pad", 1)));
    b.addOp(Ops.create("Relu", List.of("conv2"), List.of("relu2")));
    b.addOp(Ops.create("MaxPool", List.of("relu2"), List.of("pool2"), Ops.arg("kernel", 2), Ops.arg("stride", 2)));
    b.addOp(Ops.create("FC", List.of("pool2", "fc1_w", "fc1_b"), List.of("fc1")));
    b.addOp(Ops.create("Relu", List.of("fc1"), List.of(CUT)));
    b.addOp(Ops.create("FC", List.of(CUT, "head_w", "head_b"), List.of("logits")));
    b.addOp(Ops.create("SoftmaxWithLoss", List.of("logits", "label"), List.of("softmax", "loss")));
    return b.addExternalOutput("softmax").addExternalOutput("loss").build();
  }

  /** Xavier weights and zero biases for every parameter, seeded from {@code seed}. */
  static NetDef initNet(int hidden, long seed) {
    NetDef.Builder b = NetDef.newBuilder().setName("demo_init");
    b.addOp(fill("conv1_w", seed, CONV1, 1, 3, 3));
    b.addOp(zeros("conv1_b", CONV1));
    b.addOp(fill("conv2_w", seed + 1, CONV2, CONV1, 3, 3));
    b.addOp(zeros("conv2_b", CONV2));
    b.addOp(fill("fc1_w", seed + 2, hidden, FLAT));
    b.addOp(zeros("fc1_b", hidden));
    b.addAllOp(headInit(hidden, seed + 3));
    return b.build();
  }

  /** A new head: Xavier weights, zero biases. */
  static List<OperatorDef> headInit(int hidden, long seed) {
    return List.of(fill("head_w", seed, DemoData.CLASSES, hidden), zeros("head_b", DemoData.CLASSES));
  }

  private static OperatorDef fill(String blob, long seed, long... shape) {
    return Ops.create("XavierFill", List.of(), List.of(blob), Ops.ints("shape", shape)).toBuilder()
        .setDeviceOption(DeviceOption.newBuilder().setRandomSeed((int) seed)).build();
  }

  private static OperatorDef zeros(String blob, long size) {
    return Ops.create("ConstantFill", List.of(), List.of(blob), Ops.ints("shape", size),
        Ops.arg("value", 0f));
  }
}
