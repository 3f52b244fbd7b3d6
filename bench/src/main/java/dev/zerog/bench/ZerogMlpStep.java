package dev.zerog.bench;

import dev.zerog.blas.Blas;
import dev.zerog.net.Ops;
import dev.zerog.proto.Caffe2.DeviceOption;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.tensor.Tensor;
import dev.zerog.train.OptimizerConfig;
import dev.zerog.train.Trainer;
import dev.zerog.workspace.Workspace;
import java.util.ArrayList;
import java.util.List;

/**
 * zerog's side of the MLP training-step benchmark ({@code bench/run-mlp.sh}): the MLP of {@link MlpSpec} as a
 * Caffe2 NetDef, trained by {@link Trainer} with plain SGD.
 *
 * <p>Init net: {@code XavierFill -> fc<i>_w} ([out, in]) and {@code ConstantFill -> fc<i>_b} ([out], 0) for every
 * layer, seeded by the net's {@code random_seed}. Train net: {@code FC(X, fc1_w, fc1_b) -> fc1},
 * {@code Relu(fc1) -> relu1}, ..., {@code FC(relu<h>, ...) -> fc<h+1>} (the logits),
 * {@code SoftmaxWithLoss(fc<h+1>, label) -> (softmax, loss)}. The trainer adds the backward pass (the loss's
 * ConstantFill, SoftmaxWithLossGradient, FCGradient and ReluGradient for each layer) and the optimizer (Iter,
 * LearningRate, one in-place WeightedSum per parameter). X and label are fed once; every step trains on them.
 *
 * <p>Run it with {@code OPENBLAS_NUM_THREADS} set: zerog's only threads are OpenBLAS's, for the matrix products;
 * everything else runs on the calling thread.
 *
 * <p>{@code -Dzerog.mlp.mode} picks what is trained (docs/zero-aware.md): {@code full} (the default) every layer;
 * {@code frozen} only the classifier, the hidden layers frozen with the backward pass pruned
 * ({@code Trainer.Builder.freeze} and {@code prune}); {@code caffe2} only the classifier, the Caffe2 way: a
 * StopGradient in place on the classifier's input and a ZeroGradient on every hidden parameter, the backward pass
 * not pruned. The RESULT line's side is {@code zerog}, {@code zerog-frozen} or {@code zerog-caffe2}.
 */
public final class ZerogMlpStep {
  private ZerogMlpStep() {}

  /** Runs the benchmark; options as {@link MlpSpec}. */
  public static void main(String[] args) {
    MlpSpec spec = MlpSpec.parse(args);
    String mode = System.getProperty("zerog.mlp.mode", "full");
    Trainer trainer = trainer(spec, mode);
    Blas blas = Blas.get();
    System.out.println("zerog: " + spec.describe() + "; BLAS " + blas.name() + ", OPENBLAS_NUM_THREADS="
        + System.getenv("OPENBLAS_NUM_THREADS") + "; train net of " + trainer.trainNet().getOpCount() + " ops");
    StepTimer.run(mode.equals("full") ? "zerog" : "zerog-" + mode, spec, trainer::step,
        "blas=" + (blas.isNative() ? "native" : "java"));
  }

  /** The trainer of the benchmark's MLP, every layer trained, with X and label already fed. */
  static Trainer trainer(MlpSpec spec) {
    return trainer(spec, "full");
  }

  /** The trainer of the benchmark's MLP in a mode of the class doc, with X and label already fed. */
  static Trainer trainer(MlpSpec spec, String mode) {
    Workspace ws = new Workspace();
    ws.feed("X", Tensor.of(spec.features(), spec.batch(), spec.inputs()));
    ws.feed("label", Tensor.of(spec.labels(), spec.batch()));
    List<String> parameters = new ArrayList<>();
    for (int i = 1; i <= spec.layers(); i++) {
      parameters.add("fc" + i + "_w");
      parameters.add("fc" + i + "_b");
    }
    List<String> hidden = parameters.subList(0, 2 * spec.hidden());
    Trainer.Builder b = Trainer.builder()
        .initNet(initNet(spec))
        .loss("loss")
        .parameters(parameters)
        .optimizer(OptimizerConfig.sgd(spec.lr()).build())
        .workspace(ws);
    switch (mode) {
      case "full":
        return b.trainNet(trainNet(spec)).build();
      case "frozen":
        return b.trainNet(trainNet(spec)).freeze(hidden).prune(true).build();
      case "caffe2": {
        NetDef.Builder net = trainNet(spec).toBuilder();
        String cut = "relu" + spec.hidden();
        int classifier = 2 * spec.hidden();
        net.addOp(classifier, Ops.create("StopGradient", List.of(cut), List.of(cut)));
        for (String p : hidden) {
          net.addOp(Ops.create("ZeroGradient", List.of(p), List.of()));
        }
        return b.trainNet(net.build()).build();
      }
      default:
        throw new IllegalArgumentException("zerog.mlp.mode is full, frozen or caffe2, not " + mode);
    }
  }

  static NetDef initNet(MlpSpec spec) {
    NetDef.Builder net = NetDef.newBuilder().setName("mlp_init")
        .setDeviceOption(DeviceOption.newBuilder().setRandomSeed((int) spec.seed()));
    for (int i = 0; i < spec.layers(); i++) {
      net.addOp(Ops.create("XavierFill", List.of(), List.of("fc" + (i + 1) + "_w"),
          Ops.ints("shape", spec.fanOut(i), spec.fanIn(i))));
      net.addOp(Ops.create("ConstantFill", List.of(), List.of("fc" + (i + 1) + "_b"),
          Ops.ints("shape", spec.fanOut(i)), Ops.arg("value", 0f)));
    }
    return net.build();
  }

  static NetDef trainNet(MlpSpec spec) {
    NetDef.Builder net = NetDef.newBuilder().setName("mlp_train");
    String in = "X";
    for (int i = 1; i <= spec.layers(); i++) {
      String fc = "fc" + i;
      net.addOp(Ops.create("FC", List.of(in, fc + "_w", fc + "_b"), List.of(fc)));
      in = fc;
      if (i <= spec.hidden()) {
        String relu = "relu" + i;
        net.addOp(Ops.create("Relu", List.of(in), List.of(relu)));
        in = relu;
      }
    }
    net.addOp(Ops.create("SoftmaxWithLoss", List.of(in, "label"), List.of("softmax", "loss")));
    return net.build();
  }
}
