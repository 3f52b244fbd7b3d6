package dev.zerog.bench;

import dev.zerog.blas.Blas;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.DeviceOption;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
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
 */
public final class ZerogMlpStep {
  private ZerogMlpStep() {}

  /** Runs the benchmark; options as {@link MlpSpec}. */
  public static void main(String[] args) {
    MlpSpec spec = MlpSpec.parse(args);
    Trainer trainer = trainer(spec);
    Blas blas = Blas.get();
    System.out.println("zerog: " + spec.describe() + "; BLAS " + blas.name() + ", OPENBLAS_NUM_THREADS="
        + System.getenv("OPENBLAS_NUM_THREADS") + "; train net of " + trainer.trainNet().getOpCount() + " ops");
    StepTimer.run("zerog", spec, trainer::step, "blas=" + (blas.isNative() ? "native" : "java"));
  }

  /** The trainer of the benchmark's MLP, with X and label already fed. */
  static Trainer trainer(MlpSpec spec) {
    Workspace ws = new Workspace();
    ws.feed("X", Tensor.of(spec.features(), spec.batch(), spec.inputs()));
    ws.feed("label", Tensor.of(spec.labels(), spec.batch()));
    List<String> parameters = new ArrayList<>();
    for (int i = 1; i <= spec.layers(); i++) {
      parameters.add("fc" + i + "_w");
      parameters.add("fc" + i + "_b");
    }
    return Trainer.builder()
        .initNet(initNet(spec))
        .trainNet(trainNet(spec))
        .loss("loss")
        .parameters(parameters)
        .optimizer(OptimizerConfig.sgd(spec.lr()).build())
        .workspace(ws)
        .build();
  }

  static NetDef initNet(MlpSpec spec) {
    NetDef.Builder net = NetDef.newBuilder().setName("mlp_init")
        .setDeviceOption(DeviceOption.newBuilder().setRandomSeed((int) spec.seed()));
    for (int i = 0; i < spec.layers(); i++) {
      net.addOp(OperatorDef.newBuilder().setType("XavierFill").addOutput("fc" + (i + 1) + "_w")
          .addArg(ints("shape", spec.fanOut(i), spec.fanIn(i))));
      net.addOp(OperatorDef.newBuilder().setType("ConstantFill").addOutput("fc" + (i + 1) + "_b")
          .addArg(ints("shape", spec.fanOut(i)))
          .addArg(Argument.newBuilder().setName("value").setF(0f)));
    }
    return net.build();
  }

  static NetDef trainNet(MlpSpec spec) {
    NetDef.Builder net = NetDef.newBuilder().setName("mlp_train");
    String in = "X";
    for (int i = 1; i <= spec.layers(); i++) {
      String fc = "fc" + i;
      net.addOp(OperatorDef.newBuilder().setType("FC").addInput(in).addInput(fc + "_w").addInput(fc + "_b")
          .addOutput(fc));
      in = fc;
      if (i <= spec.hidden()) {
        String relu = "relu" + i;
        net.addOp(OperatorDef.newBuilder().setType("Relu").addInput(in).addOutput(relu));
        in = relu;
      }
    }
    net.addOp(OperatorDef.newBuilder().setType("SoftmaxWithLoss").addInput(in).addInput("label")
        .addOutput("softmax").addOutput("loss"));
    return net.build();
  }

  private static Argument ints(String name, long... values) {
    Argument.Builder a = Argument.newBuilder().setName(name);
    for (long v : values) {
      a.addInts(v);
    }
    return a.build();
  }
}
