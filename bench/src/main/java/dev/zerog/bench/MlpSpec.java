package dev.zerog.bench;

import java.util.SplittableRandom;

/**
 * The MLP of the training-step benchmark and how long to run it, shared by its zerog and DJL sides (the PyTorch
 * side, {@code bench/mlp_step_torch.py}, takes the same options): {@code hidden} layers of {@code width} units
 * with ReLU, on inputs of {@code inputs} features, then a layer of {@code classes} logits, softmax cross-entropy on
 * integer labels, plain SGD with a fixed learning rate. Weights are initialized as Caffe2's XavierFill
 * (U[-s, s), s = sqrt(3 / fan_in)), biases to 0. One batch, fixed for the whole run, feeds every step.
 *
 * <p>Options, each {@code --name value}: {@code --hidden 8 --width 1024 --inputs 1024 --classes 10 --batch 256
 * --lr 0.01 --warmup 30 --steps 60 --seed 7} (the defaults). {@code warmup} steps run untimed, then {@code steps}
 * steps are timed one by one.
 */
record MlpSpec(int hidden, int width, int inputs, int classes, int batch, float lr, int warmup, int steps,
    long seed) {

  static MlpSpec parse(String[] args) {
    int hidden = 8;
    int width = 1024;
    int inputs = 1024;
    int classes = 10;
    int batch = 256;
    float lr = 0.01f;
    int warmup = 30;
    int steps = 60;
    long seed = 7;
    for (int i = 0; i < args.length; i += 2) {
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + args[i] + " has no value");
      }
      String v = args[i + 1];
      switch (args[i]) {
        case "--hidden" -> hidden = Integer.parseInt(v);
        case "--width" -> width = Integer.parseInt(v);
        case "--inputs" -> inputs = Integer.parseInt(v);
        case "--classes" -> classes = Integer.parseInt(v);
        case "--batch" -> batch = Integer.parseInt(v);
        case "--lr" -> lr = Float.parseFloat(v);
        case "--warmup" -> warmup = Integer.parseInt(v);
        case "--steps" -> steps = Integer.parseInt(v);
        case "--seed" -> seed = Long.parseLong(v);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (hidden < 1 || width < 1 || inputs < 1 || classes < 2 || batch < 1 || !(lr > 0) || warmup < 0
        || steps < 1) {
      throw new IllegalArgumentException("bad MLP benchmark options: " + String.join(" ", args));
    }
    return new MlpSpec(hidden, width, inputs, classes, batch, lr, warmup, steps, seed);
  }

  /** The number of FC layers: the hidden ones and the output layer. */
  int layers() {
    return hidden + 1;
  }

  /** Inputs of FC layer {@code i} (0-based). */
  int fanIn(int i) {
    return i == 0 ? inputs : width;
  }

  /** Outputs of FC layer {@code i} (0-based). */
  int fanOut(int i) {
    return i == hidden ? classes : width;
  }

  /** The benchmark's batch: standard normal features, batch × inputs, row-major. */
  float[] features() {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[batch * inputs];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble()));
    }
    return x;
  }

  /** The benchmark's labels: uniform classes in [0, classes). */
  int[] labels() {
    SplittableRandom r = new SplittableRandom(seed + 1);
    int[] y = new int[batch];
    for (int i = 0; i < y.length; i++) {
      y[i] = r.nextInt(classes);
    }
    return y;
  }

  /** Floating-point operations of the matrix products of one step, as PyTorch computes them (no dX of layer 0). */
  double gemmFlops(boolean withInputGradient) {
    double flops = 0;
    for (int i = 0; i < layers(); i++) {
      double mnk = 2.0 * batch * fanIn(i) * fanOut(i);
      flops += 2 * mnk; // Y = X·Wᵀ and dW = dYᵀ·X
      if (i > 0 || withInputGradient) {
        flops += mnk; // dX = dY·W
      }
    }
    return flops;
  }

  String describe() {
    return hidden + " hidden layers of " + width + " (ReLU), " + inputs + " inputs, " + classes + " classes, batch "
        + batch + ", SGD lr " + lr + ", " + warmup + " warm-up and " + steps + " timed steps";
  }
}
