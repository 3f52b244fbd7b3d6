package dev.zerog.cli;

import dev.zerog.ShapeException;
import dev.zerog.ZerogException;
import dev.zerog.grad.BackwardPass;
import dev.zerog.grad.GradientBlob;
import dev.zerog.net.Net;
import dev.zerog.net.NetDefs;
import dev.zerog.net.NetShapes;
import dev.zerog.net.ShapeInference;
import dev.zerog.op.BlobType;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import dev.zerog.train.InitNetGenerator;
import dev.zerog.train.ParameterShapes;
import dev.zerog.train.TrainNet;
import dev.zerog.train.TrainNets;
import dev.zerog.train.TrunkFreezer;
import dev.zerog.workspace.Workspace;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code zerog check}: a predict net through every stage of fine-tuning it, timed: shape inference, a generated init
 * net, forward, the backward pass of its train net, and the backward pass with its trunk frozen.
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    header = "A predict net through shapes, init, forward, backward, timed.",
    description = {"The stages: shape inference at the given input shapes, an init net generated from SHAPES.json, "
        + "forward, the train net's forward and backward pass with the loss on the classifier, and (with "
        + "--freeze-at) the backward pass again with the trunk frozen at that blob.",
        "Inputs are filled with random values (FLOAT uniform in [-1, 1), integers 0), labels with random classes. "
            + "Fails (exit 1) on the first stage that does not work: a shape that does not fit, a value that is not "
            + "finite, a parameter without a gradient, a frozen parameter whose gradient is not zero."},
    footer = {"  zerog check examples/small_cnn_predict.pbtxt --shape data=2,3,8,8 \\",
        "      --shapes examples/small_cnn.shapes.json --freeze-at pool1",
        "  zerog check predict_net.pb --shapes zoo/resnet50.shapes.json \\",
        "      --shape gpu_0/data=1,3,224,224 --freeze-at gpu_0/res5_1_branch2c_bn",
        "  tools/zoo-check.sh      (all seven model zoo nets; docs/model-zoo.md)"})
final class CheckCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Mixin InputShapes inputs;

  @Option(names = "--input", paramLabel = "NAME=[TYPE:]DIMS", hidden = true,
      description = "The older spelling of --shape.")
  List<String> legacyInputs = new ArrayList<>();

  @Parameters(index = "0", paramLabel = "NET", description = "The predict net (.pb binary, .pbtxt text).")
  Path net;

  @Option(names = "--shapes", paramLabel = "SHAPES.json", required = true,
      description = "The parameters' shapes (zoo/<model>.shapes.json); every other blob the net reads needs a "
          + "--shape.")
  Path shapesFile;

  @Option(names = "--freeze-at", paramLabel = "BLOB",
      description = "Also run the backward pass with the trunk frozen at this blob (a name of the predict net).")
  String freezeAt;

  @Option(names = "--label", paramLabel = "BLOB", defaultValue = TrainNets.DEFAULT_LABEL,
      description = "The train net's label blob (default: ${DEFAULT-VALUE}).")
  String label;

  @Option(names = "--loss", paramLabel = "BLOB", defaultValue = TrainNets.DEFAULT_LOSS,
      description = "The train net's loss blob (default: ${DEFAULT-VALUE}).")
  String loss;

  @Option(names = "--runs", paramLabel = "N", defaultValue = "1",
      description = "Run forward and each backward step N times and report the fastest (default: 1, which "
          + "includes the JIT's warm-up).")
  int runs;

  @Option(names = "--seed", paramLabel = "SEED", defaultValue = "1",
      description = "The init net's first random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Spec CommandLine.Model.CommandSpec spec;

  private PrintWriter out;
  private long totalNanos;

  @Override
  public Integer call() {
    if (runs < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--runs must be at least 1, got " + runs);
    }
    out = spec.commandLine().getOut();
    Map<String, BlobType> given = inputs.types(spec, legacyInputs);
    try {
      check(given);
    } catch (ZerogException e) {
      throw e.atFile(net.toString());
    }
    out.printf(Locale.ROOT, "%-9s %7.2f s%n", "total", totalNanos / 1e9);
    out.flush();
    return 0;
  }

  private void check(Map<String, BlobType> given) {
    long start = System.nanoTime();
    NetDef predict = NetDefs.read(net);
    ParameterShapes shapes = ParameterShapes.read(shapesFile);
    stage("load", start, predict.getOpCount() + " ops, " + shapes.size() + " parameters ("
        + String.format(Locale.ROOT, "%.1f", shapes.elementCount() / 1e6) + " million values)");

    start = System.nanoTime();
    List<String> needed = InitNetGenerator.inputsLeftToCaller(predict, shapes);
    for (String in : needed) {
      if (!given.containsKey(in)) {
        throw new ShapeException("the net reads '" + in + "', which " + shapesFile
            + " does not give: name its shape with --shape").atBlob(in);
      }
    }
    NetDef init = InitNetGenerator.generate(predict, shapes, seed);
    NetShapes initShapes = ShapeInference.infer(init, Map.of());
    NetShapes predictShapes = ShapeInference.infer(predict, given, initShapes);
    List<String> outputs = predict.getExternalOutputCount() > 0 ? predict.getExternalOutputList()
        : List.of(predict.getOp(predict.getOpCount() - 1).getOutput(0));
    StringBuilder result = new StringBuilder();
    for (String o : outputs) {
      result.append(result.length() == 0 ? "" : ", ").append(o).append(' ').append(predictShapes.type(o));
    }
    stage("shapes", start, result.toString());

    start = System.nanoTime();
    Workspace ws = new Workspace();
    Net.runOnce(init, ws);
    stage("init", start, init.getOpCount() + " fillers");

    for (String in : needed) {
      ws.feed(in, randomInput(given.get(in), 3));
    }
    start = System.nanoTime();
    Net forward = Net.create(predict, ws);
    long fastest = timeRuns(forward);
    for (String o : outputs) {
      requireFinite(ws, o);
    }
    stage("forward", start, fastest, "outputs finite");

    start = System.nanoTime();
    TrainNet train = TrainNets.fromPredictNet(predict, label, loss, dev.zerog.op.OperatorRegistry.standard());
    // The label's shape follows from the logits': left unknown here, it is fed below.
    NetShapes trainShapes = ShapeInference.infer(train.net(), given, initShapes);
    long batch = trainShapes.dims(train.softmax())[0];
    ws.feed(label, randomLabels(batch, classes(trainShapes.dims(train.softmax())), 5));
    List<String> params = TrunkFreezer.parameters(train.net(), init, List.of());
    BackwardPass full = BackwardPass.build(train.net(), List.of(loss));
    Net step = Net.create(full.appendTo(train.net()), ws);
    fastest = timeRuns(step);
    requireFinite(ws, loss);
    int withGradient = requireGradients(ws, full, params, Set.of());
    stage("backward", start, fastest, String.format(Locale.ROOT, "loss %.4f; %d of %d parameters have a finite "
        + "gradient%s", ws.fetch(loss).getDouble(0), withGradient, params.size(),
        renamedSummary(train.renamed())));

    if (freezeAt == null) {
      return;
    }
    start = System.nanoTime();
    TrunkFreezer.FrozenNet frozen = TrunkFreezer.freeze(train.net(), train.blob(freezeAt), params);
    BackwardPass head = BackwardPass.build(frozen.net(), List.of(loss));
    Net frozenStep = Net.create(head.appendTo(frozen.net()), ws);
    fastest = timeRuns(frozenStep);
    requireGradients(ws, head, params, new HashSet<>(frozen.frozen()));
    stage("frozen", start, fastest, "cut at " + freezeAt + ": " + frozen.frozen().size() + " parameters frozen "
        + "(zero gradients), " + (params.size() - frozen.frozen().size()) + " trained; " + head.gradientOps().size()
        + " gradient ops instead of " + full.gradientOps().size());
  }

  /** "; renamed fc7 -> fc7_dropout", or the first two and a count when there are many. */
  static String renamedSummary(Map<String, String> renamed) {
    if (renamed.isEmpty()) {
      return "";
    }
    List<String> shown = new ArrayList<>();
    for (Map.Entry<String, String> e : renamed.entrySet()) {
      if (shown.size() == 2 && renamed.size() > 3) {
        shown.add("... (" + renamed.size() + " in all)");
        break;
      }
      shown.add(e.getKey() + " -> " + e.getValue());
    }
    return "; renamed " + String.join(", ", shown);
  }

  private long timeRuns(Net n) {
    long fastest = Long.MAX_VALUE;
    for (int r = 0; r < runs; r++) {
      long t = System.nanoTime();
      n.run();
      fastest = Math.min(fastest, System.nanoTime() - t);
    }
    return fastest;
  }

  private void stage(String name, long start, String result) {
    long took = System.nanoTime() - start;
    totalNanos += took;
    out.printf(Locale.ROOT, "%-9s %7.2f s  %s%n", name, took / 1e9, result);
    out.flush();
  }

  private void stage(String name, long start, long fastestRun, String result) {
    long took = System.nanoTime() - start;
    totalNanos += took;
    out.printf(Locale.ROOT, "%-9s %7.2f s  %s: %.3f s per run%s; %s%n", name, took / 1e9, "net", fastestRun / 1e9,
        runs > 1 ? " (fastest of " + runs + ")" : "", result);
    out.flush();
  }

  private static int requireGradients(Workspace ws, BackwardPass pass, List<String> params, Set<String> zero) {
    int n = 0;
    for (String p : params) {
      GradientBlob g = pass.gradientMap().get(p);
      if (g == null || g.isSparse()) {
        throw new ZerogException("parameter '" + p + "' has no dense gradient").atBlob(p);
      }
      Tensor t = ws.fetch(g.dense());
      if (!t.hasDims(ws.fetch(p).dims())) {
        throw new ShapeException("the gradient of '" + p + "' is " + Shapes.format(t.dims())
            + ", the parameter " + Shapes.format(ws.fetch(p).dims())).atBlob(g.dense());
      }
      requireFinite(ws, g.dense());
      if (zero.contains(p)) {
        for (int i = 0; i < t.size(); i++) {
          if (t.getDouble(i) != 0) {
            throw new ZerogException("the frozen parameter '" + p + "' has a gradient that is "
                + "not zero").atBlob(g.dense());
          }
        }
      }
      n++;
    }
    return n;
  }

  private static void requireFinite(Workspace ws, String blob) {
    Tensor t = ws.fetch(blob);
    if (!t.dtype().isFloatingPoint()) {
      return;
    }
    for (int i = 0; i < t.size(); i++) {
      double v = t.getDouble(i);
      if (!Double.isFinite(v)) {
        throw new ZerogException("element " + i + " is " + v).atBlob(blob);
      }
    }
  }

  /** The classes of the softmax: the size of its dims after the first. */
  private static long classes(long[] dims) {
    long n = 1;
    for (int i = 1; i < dims.length; i++) {
      n *= dims[i];
    }
    return n;
  }

  private static Tensor randomInput(BlobType type, long seed) {
    DataType dtype = type.dtype() == null ? DataType.FLOAT : type.dtype();
    Tensor t = Tensor.allocate(dtype, type.dims());
    if (dtype == DataType.FLOAT) {
      SplittableRandom r = new SplittableRandom(seed);
      float[] a = t.floats();
      for (int i = 0; i < a.length; i++) {
        a[i] = (float) r.nextDouble(-1, 1);
      }
    }
    return t;
  }

  private static Tensor randomLabels(long batch, long classes, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] labels = new int[(int) batch];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = r.nextInt((int) classes);
    }
    return Tensor.of(labels, batch);
  }
}
