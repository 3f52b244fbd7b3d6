package dev.zerog.bench;

import dev.zerog.blas.Blas;
import dev.zerog.grad.BackwardPass;
import dev.zerog.grad.GradientPruning;
import dev.zerog.grad.PrunedBackward;
import dev.zerog.net.Net;
import dev.zerog.net.NetDefs;
import dev.zerog.op.KernelThreads;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import dev.zerog.train.InitNetGenerator;
import dev.zerog.train.ParameterShapes;
import dev.zerog.train.TrainNet;
import dev.zerog.train.TrainNets;
import dev.zerog.train.TrunkFreezer;
import dev.zerog.workspace.Workspace;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The training step of a model zoo net, timed step by step (ResNet-50 in bench/run-resnet.sh). The predict net
 * becomes a train net with {@link TrainNets#fromPredictNet} (SpatialBN in training mode, SoftmaxWithLoss on an INT32
 * label); its parameters are filled by the init net {@link InitNetGenerator} writes for the zoo's weight shapes;
 * the data is uniform in [-1, 1) and the labels uniform over the classes. Nothing needs the data's gradient, so the
 * Conv that reads the data gets Caffe2's {@code no_gradient_to_input: 1} (as PyTorch's input does not require
 * grad). Modes:
 *
 * <ul>
 *   <li>{@code full}: Caffe2's backward pass ({@link BackwardPass#build}) of the whole train net;</li>
 *   <li>{@code frozen}: the trunk frozen the Caffe2 way at the classifier's input ({@link TrunkFreezer}:
 *       StopGradient on the cut, ZeroGradient on every trunk parameter), then Caffe2's backward pass;</li>
 *   <li>{@code pruned}: zerog's own freeze, the full train net's pass pruned by {@link GradientPruning} with every
 *       trunk parameter frozen (no StopGradient: the trunk's gradient ops go because nothing wanted needs them).</li>
 * </ul>
 *
 * <p>A step is the forward net (the train net's ops) then the backward net (the gradient ops), each a {@link Net}
 * over one workspace created once; times are wall-clock per step. Prints one {@code RESULT} line per mode for
 * bench/run-resnet.sh and, with {@code --profile N}, the time per operator type and the slowest operators over N
 * more steps (each op timed on its own, so the total is a little above a step's); {@code --clock cpu} times them in
 * the calling thread's CPU time instead of wall time, which a loaded machine disturbs less but which counts no
 * other thread's work (meaningful with OPENBLAS_NUM_THREADS=1 and -Dzerog.threads=1).
 *
 * <pre>
 * ResNetTrainStep --net predict_net.pbtxt --shapes resnet50.shapes.json
 *     [--batch 8] [--size 224] [--warmup 3] [--steps 10] [--modes full,frozen,pruned] [--profile N]
 *     [--clock wall|cpu]
 * </pre>
 */
public final class ResNetTrainStep {
  private static final String CLASSIFIER = "FC";

  private ResNetTrainStep() {}

  /** Runs the benchmark; see the class doc for the arguments. */
  public static void main(String[] argv) {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i < argv.length; i += 2) {
      if (!argv[i].startsWith("--") || i + 1 >= argv.length) {
        throw new IllegalArgumentException("expected --name value pairs, got " + argv[i]);
      }
      a.put(argv[i].substring(2), argv[i + 1]);
    }
    Path netFile = Path.of(required(a, "net"));
    Path shapesFile = Path.of(required(a, "shapes"));
    int batch = Integer.parseInt(a.getOrDefault("batch", "8"));
    int size = Integer.parseInt(a.getOrDefault("size", "224"));
    int warmup = Integer.parseInt(a.getOrDefault("warmup", "3"));
    int steps = Integer.parseInt(a.getOrDefault("steps", "10"));
    int profile = Integer.parseInt(a.getOrDefault("profile", "0"));
    boolean cpuClock = a.getOrDefault("clock", "wall").equals("cpu");
    List<String> modes = List.of(a.getOrDefault("modes", "full,frozen,pruned").split(","));

    PrintStream out = System.out;
    OperatorRegistry registry = OperatorRegistry.standard();
    NetDef predict = NetDefs.read(netFile);
    String data = predict.getOp(0).getInput(0);
    TrainNet train = TrainNets.fromPredictNet(noGradientToData(predict, data));
    ParameterShapes shapes = ParameterShapes.read(shapesFile);
    NetDef init = InitNetGenerator.generate(train.net(), shapes);
    List<String> params = TrunkFreezer.parameters(train.net(), init, List.of(data));
    String cut = classifierInput(train.net());
    List<String> trunk = new ArrayList<>(params);
    trunk.removeIf(p -> readBy(train.net(), p, CLASSIFIER));
    long[] dims = {batch, 3, size, size};
    out.printf(Locale.ROOT, "zerog: BLAS %s, OPENBLAS_NUM_THREADS=%s, %d kernel threads, %d processors, %s %s%n",
        Blas.get().name(), System.getenv().getOrDefault("OPENBLAS_NUM_THREADS", "(unset)"), KernelThreads.threads(),
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
        System.getProperty("java.version"));
    out.printf(Locale.ROOT, "zerog: %s, batch %d at %dx%d, %d parameters (%d values, %d frozen in the frozen "
        + "modes), cut at %s%n", predict.getName(), batch, size, size, params.size(), trainable(shapes, params),
        trunk.size(), cut);

    for (String mode : modes) {
      NetDef forward;
      List<OperatorDef> gradientOps;
      switch (mode) {
        case "full":
          forward = train.net();
          gradientOps = BackwardPass.build(forward, List.of(train.loss())).gradientOps();
          break;
        case "frozen":
          forward = TrunkFreezer.freeze(train.net(), cut, params).net();
          gradientOps = BackwardPass.build(forward, List.of(train.loss())).gradientOps();
          break;
        case "pruned": {
          forward = train.net();
          BackwardPass pass = BackwardPass.build(forward, List.of(train.loss()));
          PrunedBackward pruned = GradientPruning.of(forward, pass).registry(registry).initNet(init)
              .parameters(params).freeze(trunk).prune();
          gradientOps = pruned.pass().gradientOps();
          break;
        }
        default:
          throw new IllegalArgumentException("unknown mode " + mode + " (full, frozen or pruned)");
      }
      NetDef backward = NetDef.newBuilder().setName(forward.getName() + "_backward").addAllOp(gradientOps).build();
      Workspace ws = new Workspace();
      Net.runOnce(init, ws);
      feed(ws, data, train.label(), dims, 1000, 7);
      Net fwd = Net.create(forward, ws, registry);
      Net bwd = Net.create(backward, ws, registry);
      for (int i = 0; i < warmup; i++) {
        fwd.run();
        bwd.run();
      }
      double[] f = new double[steps];
      double[] b = new double[steps];
      double[] t = new double[steps];
      for (int i = 0; i < steps; i++) {
        long t0 = System.nanoTime();
        fwd.run();
        long t1 = System.nanoTime();
        bwd.run();
        long t2 = System.nanoTime();
        f[i] = (t1 - t0) / 1e6;
        b[i] = (t2 - t1) / 1e6;
        t[i] = (t2 - t0) / 1e6;
      }
      out.printf(Locale.ROOT, "zerog %s: %d forward ops, %d gradient ops; step times (ms): %s%n", mode,
          fwd.size(), bwd.size(), join(t));
      out.printf(Locale.ROOT, "RESULT zerog %s step_ms=%.1f min_ms=%.1f forward_ms=%.1f backward_ms=%.1f "
          + "per_image_ms=%.1f loss=%.4f%n", mode, median(t), min(t), median(f), median(b), median(t) / batch,
          ws.fetch(train.loss()).getDouble(0));
      if (profile > 0) {
        profile(out, mode, fwd, bwd, ws, profile, cpuClock);
      }
      ws.clear();
    }
  }

  /** The predict net with {@code no_gradient_to_input: 1} on every Conv that reads the data. */
  static NetDef noGradientToData(NetDef predict, String data) {
    NetDef.Builder b = predict.toBuilder();
    for (int i = 0; i < b.getOpCount(); i++) {
      OperatorDef op = b.getOp(i);
      if (op.getType().equals("Conv") && op.getInput(0).equals(data)) {
        b.setOp(i, op.toBuilder().addArg(Argument.newBuilder().setName("no_gradient_to_input").setI(1)));
      }
    }
    return b.build();
  }

  /** The blob the last FC reads: where the trunk ends. */
  static String classifierInput(NetDef net) {
    for (int i = net.getOpCount() - 1; i >= 0; i--) {
      if (net.getOp(i).getType().equals(CLASSIFIER)) {
        return net.getOp(i).getInput(0);
      }
    }
    throw new IllegalArgumentException("the net has no " + CLASSIFIER + " op");
  }

  private static boolean readBy(NetDef net, String blob, String type) {
    for (OperatorDef op : net.getOpList()) {
      if (op.getType().equals(type) && op.getInputList().contains(blob)) {
        return true;
      }
    }
    return false;
  }

  private static long trainable(ParameterShapes shapes, List<String> params) {
    long n = 0;
    for (String p : params) {
      n += Shapes.elementCount(shapes.dims(p));
    }
    return n;
  }

  /** The data, uniform in [-1, 1), and INT32 labels, uniform in [0, classes). */
  static void feed(Workspace ws, String data, String label, long[] dims, int classes, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    Tensor x = Tensor.allocate(DataType.FLOAT, dims);
    float[] xa = x.floats();
    for (int i = 0; i < xa.length; i++) {
      xa[i] = (float) r.nextDouble(-1, 1);
    }
    ws.feed(data, x);
    int[] labels = new int[(int) dims[0]];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = r.nextInt(classes);
    }
    ws.feed(label, Tensor.of(labels, labels.length));
  }

  /**
   * Times every operator over {@code steps} steps: per type, the time and, for Conv and ConvGradient, the rate of
   * their multiply-adds; then the slowest operators.
   */
  private static void profile(PrintStream out, String mode, Net fwd, Net bwd, Workspace ws, int steps,
      boolean cpuClock) {
    List<Operator> ops = new ArrayList<>(fwd.operators());
    ops.addAll(bwd.operators());
    long[] nanos = new long[ops.size()];
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (int s = 0; s < steps; s++) {
      for (int i = 0; i < ops.size(); i++) {
        long t0 = cpuClock ? threads.getCurrentThreadCpuTime() : System.nanoTime();
        ops.get(i).run();
        nanos[i] += (cpuClock ? threads.getCurrentThreadCpuTime() : System.nanoTime()) - t0;
      }
    }
    Map<String, double[]> byType = new LinkedHashMap<>();
    double total = 0;
    for (int i = 0; i < ops.size(); i++) {
      double ms = nanos[i] / 1e6 / steps;
      total += ms;
      double[] e = byType.computeIfAbsent(ops.get(i).type(), k -> new double[3]);
      e[0] += ms;
      e[1]++;
      e[2] += convFlops(ops.get(i).def(), ws);
    }
    out.printf(Locale.ROOT, "zerog %s profile (mean of %d steps, op by op, %s): %.1f ms%n", mode, steps,
        cpuClock ? "the calling thread's CPU time" : "wall time", total);
    final double sum = total;
    byType.entrySet().stream().sorted((p, q) -> Double.compare(q.getValue()[0], p.getValue()[0]))
        .forEach(e -> out.printf(Locale.ROOT, "  %-26s %4d ops %9.1f ms %5.1f%%%s%n", e.getKey(),
            (int) e.getValue()[1], e.getValue()[0], 100 * e.getValue()[0] / sum, e.getValue()[2] > 0
                ? String.format(Locale.ROOT, "  %6.1f GFLOP, %5.1f GFLOP/s", e.getValue()[2] / 1e9,
                    e.getValue()[2] / e.getValue()[0] / 1e6) : ""));
    Integer[] order = new Integer[ops.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (p, q) -> Long.compare(nanos[q], nanos[p]));
    out.printf(Locale.ROOT, "  slowest operators:%n");
    for (int k = 0; k < Math.min(20, order.length); k++) {
      Operator op = ops.get(order[k]);
      double ms = nanos[order[k]] / 1e6 / steps;
      double flops = convFlops(op.def(), ws);
      out.printf(Locale.ROOT, "  %8.1f ms%s  %s %s -> %s%n", ms,
          flops > 0 ? String.format(Locale.ROOT, " %5.1f GFLOP/s", flops / ms / 1e6) : "", op.type(),
          op.def().getInputList(), op.def().getOutputList());
    }
  }

  /**
   * The floating-point operations of the products of a Conv (2 per multiply-add) or a ConvGradient (those of dW,
   * and of dX when it writes one); 0 for other ops. From the blobs' shapes in the workspace.
   */
  static double convFlops(OperatorDef op, Workspace ws) {
    boolean forward = op.getType().equals("Conv");
    boolean gradient = op.getType().equals("ConvGradient");
    if (!forward && !gradient) {
      return 0;
    }
    long[] w = ws.fetch(op.getInput(1)).dims();
    long[] y = forward ? ws.fetch(op.getOutput(0)).dims() : ws.fetch(op.getInput(2)).dims();
    double macs = (double) Shapes.elementCount(y) * Shapes.elementCount(w) / w[0];
    if (forward) {
      return 2 * macs;
    }
    boolean noBias = false;
    for (Argument arg : op.getArgList()) {
      noBias |= arg.getName().equals("no_bias") && arg.getI() == 1;
    }
    boolean dx = op.getOutputCount() > (noBias ? 1 : 2);
    return 2 * macs * (dx ? 2 : 1);
  }

  private static String required(Map<String, String> a, String name) {
    String v = a.get(name);
    if (v == null) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return v;
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  private static double min(double[] v) {
    return Arrays.stream(v).min().orElse(Double.NaN);
  }

  private static String join(double[] v) {
    StringBuilder sb = new StringBuilder();
    for (double x : v) {
      sb.append(sb.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.0f", x));
    }
    return sb.toString();
  }
}
