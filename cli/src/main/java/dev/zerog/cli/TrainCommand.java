package dev.zerog.cli;

import dev.zerog.SchemaException;
import dev.zerog.ZerogException;
import dev.zerog.grad.BlobPattern;
import dev.zerog.io.Checkpoints;
import dev.zerog.io.FileIO;
import dev.zerog.io.Npy;
import dev.zerog.net.NetDefs;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.train.BatchFeeder;
import dev.zerog.train.Dataset;
import dev.zerog.train.GivenTensorInitNet;
import dev.zerog.train.OptimizerConfig;
import dev.zerog.train.Trainer;
import dev.zerog.train.TrunkFreezer;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code zerog train}: trains a NetDef on {@code .npz} / {@code .npy} data and writes the trained parameters. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    header = "Train a net on .npy/.npz data; freeze, zero gradients, resume.",
    description = {"Train NET (forward ops ending in the loss BLOB) from the parameters INIT creates, on the arrays "
        + "of DATA: a .npz archive or a directory of .npy files, one array per input blob of NET, named by the "
        + "blob, one example per row (integer labels stay integer). Batches are taken along the first axis, in "
        + "order (shuffled with --seed), wrapping around.",
        "The parameters are the blobs INIT creates that NET reads (or those matching --param). Writes to DIR: the "
            + "trained parameters as an init net (init_net.pbtxt, init_net.pb: GivenTensorFill ops) and as "
            + "params/NAME.npy, the loss of each step (loss.csv) and its curve (loss.png).",
        "Ctrl-C stops after the current step, writes what is complete and exits with 130."},
    exitCodeListHeading = CommonOptions.EXIT_CODES_HEADING,
    exitCodeList = {CommonOptions.EXIT_OK, CommonOptions.EXIT_FAILED, CommonOptions.EXIT_USAGE,
        CommonOptions.EXIT_INTERRUPTED},
    footer = {"  zerog train --init examples/mlp_init.pbtxt --net examples/mlp_train.pbtxt \\",
        "      --loss loss --data examples/mlp_data.npz --steps 300 --lr 0.1",
        "  zerog train --init examples/mlp_init.pbtxt --net examples/mlp_train.pbtxt \\",
        "      --loss loss --data examples/mlp_data.npz --freeze 'W1' --freeze 'b1' \\",
        "      --optimizer momentum --lr 0.02 -o frozen-train",
        "  zerog train --init examples/mlp_init.pbtxt --net examples/mlp_train.pbtxt \\",
        "      --loss loss --data examples/mlp_data.npz --steps 200 \\",
        "      --checkpoint ckpt --every 50 -o ckpt-train",
        "  zerog train --init examples/mlp_init.pbtxt --net examples/mlp_train.pbtxt \\",
        "      --loss loss --data examples/mlp_data.npz --steps 300 \\",
        "      --checkpoint ckpt --every 50 --resume ckpt -o ckpt-train"})
final class TrainCommand implements Callable<Integer> {
  /** The checkpoint tensor that holds the losses of the steps before it. */
  static final String LOSSES = "zerog_train_losses";
  /** The most steps one run records. */
  static final long MAX_STEPS = Integer.MAX_VALUE - 8;
  /** The exit code after Ctrl-C. */
  static final int INTERRUPTED = 130;

  /** The update rules of {@code --optimizer}. */
  enum Optimizer {
    SGD, MOMENTUM, ADAM, ADAGRAD;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  @Mixin CommonOptions common;

  @Option(names = "--init", paramLabel = "INIT", required = true,
      description = "The init net: creates the parameters (.pb or .pbtxt).")
  Path init;

  @Option(names = "--net", paramLabel = "NET", required = true,
      description = "The forward net, ending in the loss (.pb or .pbtxt).")
  Path net;

  @Option(names = "--loss", paramLabel = "BLOB", required = true, description = "The loss blob (one element).")
  String loss;

  @Option(names = "--data", paramLabel = "FILE.npz|DIR", required = true,
      description = "The training data: one array per input blob of NET.")
  Path data;

  @Option(names = "--param", paramLabel = "PATTERN",
      description = "Train only the parameters that match (glob: * and ?; repeatable).")
  List<String> params = new ArrayList<>();

  @Option(names = "--freeze", paramLabel = "PATTERN",
      description = "Freeze the parameters that match (glob; repeatable): no gradient ops, no update, bitwise "
          + "unchanged (zerog's exact freezing, with the backward work only they needed pruned).")
  List<String> freeze = new ArrayList<>();

  @Option(names = "--zero-gradient", paramLabel = "BLOB",
      description = "Add ZeroGradient(BLOB) to NET before building the backward pass, as Caffe2's "
          + "net.ZeroGradient (repeatable): BLOB gets a gradient of zeros added to any it has.")
  List<String> zeroGradients = new ArrayList<>();

  @Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "sgd", converter = OptimizerName.class,
      description = "sgd, momentum, adam or adagrad (default: ${DEFAULT-VALUE}).")
  Optimizer optimizer;

  @Option(names = "--lr", paramLabel = "X",
      description = "The learning rate (default: 0.1 for sgd and adagrad, 0.01 for momentum, 0.001 for adam).")
  Double learningRate;

  @Option(names = "--momentum", paramLabel = "X",
      description = "The momentum of --optimizer momentum (default: 0.9; Nesterov's, as Caffe2's default).")
  Double momentum;

  @Option(names = "--weight-decay", paramLabel = "X", defaultValue = "0",
      description = "L2 weight decay (default: ${DEFAULT-VALUE}).")
  double weightDecay;

  @Option(names = "--batch", paramLabel = "N",
      description = "Examples per step (default: 32, or all of them when the data holds fewer).")
  Integer batch;

  @Option(names = "--steps", paramLabel = "N", defaultValue = "100",
      description = "Steps to train, in all (a resumed run counts the steps before; default: ${DEFAULT-VALUE}).")
  long steps;

  @Option(names = "--seed", paramLabel = "N",
      description = "Shuffle the examples, in a new order each pass, drawn from this seed (default: in order).")
  Long seed;

  @Option(names = {"-o", "--out"}, paramLabel = "DIR", defaultValue = "zerog-train",
      description = "Where the results go (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--checkpoint", paramLabel = "DIR",
      description = "Save crash-safe checkpoints (parameters, optimizer state, iteration, losses) in DIR: every "
          + "--every steps and at the end.")
  Path checkpoint;

  @Option(names = "--every", paramLabel = "N",
      description = "With --checkpoint: save every N steps (default: only at the end).")
  Long every;

  @Option(names = "--resume", paramLabel = "DIR",
      description = "Continue from the latest checkpoint in DIR (same nets, data and options); the result is bit "
          + "for bit that of an uninterrupted run.")
  Path resume;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    checkUsage();
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter stderr = spec.commandLine().getErr();
    try (Interruption interruption = Interruption.watch(stderr)) {
      return train(stdout, stderr, interruption);
    }
  }

  private void checkUsage() {
    CommandLine cl = spec.commandLine();
    if (steps < 0) {
      throw new CommandLine.ParameterException(cl, "--steps must be 0 or more, got " + steps);
    }
    if (batch != null && batch < 1) {
      throw new CommandLine.ParameterException(cl, "--batch must be at least 1, got " + batch);
    }
    if (every != null && every < 1) {
      throw new CommandLine.ParameterException(cl, "--every must be at least 1, got " + every);
    }
    if (every != null && checkpoint == null) {
      throw new CommandLine.ParameterException(cl, "--every needs --checkpoint DIR");
    }
    if (momentum != null && optimizer != Optimizer.MOMENTUM) {
      throw new CommandLine.ParameterException(cl, "--momentum applies to --optimizer momentum only");
    }
  }

  int train(PrintWriter stdout, PrintWriter stderr, Interruption interruption) {
    NetDef initDef = NetDefs.read(init);
    NetDef netDef = NetDefs.read(net);
    try {
      for (String blob : zeroGradients) {
        netDef = TrunkFreezer.addZeroGradient(netDef, blob);
      }
      if (!writes(netDef, loss)) {
        throw (SchemaException) new SchemaException("no op of the net writes the loss blob").atBlob(loss);
      }
    } catch (ZerogException e) {
      throw e.atFile(net.toString());
    }
    List<String> parameters = parameters(netDef, initDef);
    List<String> inputs = dataInputs(netDef, initDef);
    Dataset dataset = Dataset.read(data).select(inputs);
    int batchSize = batch != null ? batch : Math.min(32, dataset.examples());
    BatchFeeder feeder = seed == null ? dataset.batches(batchSize) : dataset.batches(batchSize, seed);
    Trainer trainer;
    try {
      trainer = Trainer.builder().initNet(initDef).trainNet(netDef).loss(loss).parameters(parameters)
          .freeze(freeze).prune(!freeze.isEmpty()).optimizer(optimizerConfig()).feeder(feeder).build();
    } catch (ZerogException e) {
      throw e.atFile(net.toString());
    }

    if (steps > MAX_STEPS) {
      throw new SchemaException("--steps " + steps + " is more than a run records (" + MAX_STEPS + ")");
    }
    float[] losses = new float[(int) Math.min(steps, 1 << 16)];
    long firstKnown = 0;
    if (resume != null) {
      Optional<Path> latest = Checkpoints.latest(resume);
      if (latest.isEmpty()) {
        throw new SchemaException("no checkpoint to resume from (checkpoint-<step>.zgc)").atFile(resume.toString());
      }
      Map<String, Tensor> extra = trainer.restore(latest.get());
      long at = trainer.stepsRun();
      if (at > steps) {
        throw new SchemaException("the checkpoint is at step " + at + ", past --steps " + steps)
            .atFile(latest.get().toString());
      }
      losses = Arrays.copyOf(losses, (int) Math.max(losses.length, at));
      Tensor saved = extra.get(LOSSES);
      if (saved != null && saved.dtype() == DataType.FLOAT && saved.size() == at) {
        System.arraycopy(saved.floats(), 0, losses, 0, (int) at);
      } else {
        firstKnown = at;
      }
      stderr.println("resuming from " + latest.get() + " (step " + at + ")");
      stderr.flush();
    }

    long first = trainer.stepsRun();
    StepProgress progress = new StepProgress(stderr, "train", first, steps, StepProgress.stderrIsTerminal());
    Path lastCheckpoint = null;
    while (trainer.stepsRun() < steps && !interruption.requested()) {
      float l = trainer.step();
      int done = (int) trainer.stepsRun();
      if (done > losses.length) {
        losses = Arrays.copyOf(losses, (int) Math.min(steps, 2L * losses.length));
      }
      losses[done - 1] = l;
      progress.update(done, "loss " + format(l));
      if (checkpoint != null && every != null && done % every == 0 && done < steps) {
        lastCheckpoint = saveCheckpoint(trainer, losses, firstKnown);
      }
    }
    progress.finish();
    int done = (int) trainer.stepsRun();
    boolean interrupted = done < steps;
    if (interrupted && done == first) {
      stderr.println("interrupted at step " + done + ": no step done, nothing written");
      stderr.flush();
      return INTERRUPTED;
    }
    if (checkpoint != null && (lastCheckpoint == null || Checkpoints.step(lastCheckpoint) != done)) {
      lastCheckpoint = saveCheckpoint(trainer, losses, firstKnown);
    }
    List<String> written = writeResults(trainer, initDef, losses, firstKnown, done);
    if (lastCheckpoint != null) {
      written.add(lastCheckpoint.toString());
    }
    if (interrupted) {
      stderr.println("interrupted at step " + done + " of " + steps + "; wrote " + String.join(", ", written));
      stderr.flush();
      return INTERRUPTED;
    }
    int updated = trainer.optimizer().updatedParameters().size();
    int frozen = trainer.optimizer().frozenParameters().size();
    stdout.printf(Locale.ROOT, "trained %d steps (%d parameter%s updated%s; %s, batch %d): loss %s -> %s%n",
        done, updated, updated == 1 ? "" : "s", frozen == 0 ? "" : ", " + frozen + " frozen", describeOptimizer(),
        batchSize, done > firstKnown ? format(losses[(int) firstKnown]) : "-", done > 0 ? format(losses[done - 1])
            : "-");
    for (String w : written) {
      stdout.println("wrote " + w);
    }
    stdout.flush();
    return 0;
  }

  /** The init net's blobs that the net reads, or those of them matching --param. */
  private List<String> parameters(NetDef netDef, NetDef initDef) {
    List<String> all = TrunkFreezer.parameters(netDef, initDef, List.of());
    List<String> chosen;
    try {
      chosen = params.isEmpty() ? all : BlobPattern.select(all, params, "parameter");
    } catch (ZerogException e) {
      throw e.atFile(init.toString());
    }
    if (chosen.isEmpty()) {
      throw new SchemaException("the net reads no blob that the init net creates: nothing to train")
          .atFile(init.toString());
    }
    return chosen;
  }

  /** The blobs the net reads that neither the init net nor an earlier op of the net creates. */
  private static List<String> dataInputs(NetDef netDef, NetDef initDef) {
    Set<String> made = new HashSet<>();
    for (OperatorDef op : initDef.getOpList()) {
      made.addAll(op.getOutputList());
    }
    Set<String> inputs = new LinkedHashSet<>();
    for (OperatorDef op : netDef.getOpList()) {
      for (String in : op.getInputList()) {
        if (!made.contains(in)) {
          inputs.add(in);
        }
      }
      made.addAll(op.getOutputList());
    }
    return new ArrayList<>(inputs);
  }

  private static boolean writes(NetDef netDef, String blob) {
    for (OperatorDef op : netDef.getOpList()) {
      if (op.getOutputList().contains(blob)) {
        return true;
      }
    }
    return false;
  }

  private OptimizerConfig optimizerConfig() {
    switch (optimizer) {
      case SGD:
        return OptimizerConfig.sgd(rate(0.1)).weightDecay(weightDecay).build();
      case MOMENTUM:
        return OptimizerConfig.sgd(rate(0.01)).momentum(momentum == null ? 0.9 : momentum).weightDecay(weightDecay)
            .build();
      case ADAM:
        return OptimizerConfig.adam(rate(0.001)).weightDecay(weightDecay).build();
      case ADAGRAD:
        return OptimizerConfig.adagrad(rate(0.1)).weightDecay(weightDecay).build();
      default:
        throw new AssertionError(optimizer);
    }
  }

  private double rate(double byDefault) {
    return learningRate == null ? byDefault : learningRate;
  }

  private String describeOptimizer() {
    OptimizerConfig c = optimizerConfig();
    String s = optimizer + " lr " + c.baseLearningRate();
    if (optimizer == Optimizer.MOMENTUM) {
      s += " momentum " + c.momentum();
    }
    if (weightDecay > 0) {
      s += " weight decay " + weightDecay;
    }
    return s;
  }

  private Path saveCheckpoint(Trainer trainer, float[] losses, long firstKnown) {
    Map<String, Tensor> extra = new LinkedHashMap<>();
    int done = (int) trainer.stepsRun();
    if (firstKnown == 0) {
      extra.put(LOSSES, Tensor.of(Arrays.copyOf(losses, done)));
    }
    return trainer.saveCheckpoint(checkpoint, extra);
  }

  /**
   * Writes init_net.pbtxt, init_net.pb, params/*.npy, loss.csv and loss.png, each atomically; returns what it
   * wrote.
   */
  private List<String> writeResults(Trainer trainer, NetDef initDef, float[] losses, long firstKnown, int done) {
    Set<String> blobs = new LinkedHashSet<>();
    for (OperatorDef op : initDef.getOpList()) {
      blobs.addAll(op.getOutputList());
    }
    Map<String, Tensor> values = new LinkedHashMap<>();
    for (String b : blobs) {
      values.put(b, trainer.workspace().fetch(b));
    }
    String name = (initDef.getName().isEmpty() ? "init" : initDef.getName()) + "_trained";
    NetDef trained = GivenTensorInitNet.of(name, values);
    List<String> written = new ArrayList<>();
    Path params = out.resolve("params");
    for (Map.Entry<String, Tensor> e : values.entrySet()) {
      Npy.write(e.getValue(), params.resolve(Npy.fileNameFor(e.getKey()) + ".npy"));
    }
    written.add(params + "/ (" + values.size() + " .npy)");
    Path text = out.resolve("init_net.pbtxt");
    NetDefs.write(trained, text, NetDefs.Format.TEXT);
    written.add(text.toString());
    Path binary = out.resolve("init_net.pb");
    NetDefs.write(trained, binary, NetDefs.Format.BINARY);
    written.add(binary.toString());
    StringBuilder csv = new StringBuilder("step,loss\n");
    for (int i = (int) firstKnown; i < done; i++) {
      csv.append(i + 1).append(',').append(losses[i]).append('\n');
    }
    Path csvFile = out.resolve("loss.csv");
    FileIO.writeAtomically(csvFile, csv.toString().getBytes(StandardCharsets.UTF_8));
    written.add(csvFile.toString());
    Path png = out.resolve("loss.png");
    float[] known = Arrays.copyOfRange(losses, (int) firstKnown, done);
    LossChart.write(png, "zerog train: " + net.getFileName(), List.of(new LossChart.Curve(loss, known, firstKnown)));
    written.add(png.toString());
    return written;
  }

  /** Reads {@code --optimizer} in lower case (or any case). */
  static final class OptimizerName implements CommandLine.ITypeConverter<Optimizer> {
    @Override
    public Optimizer convert(String value) {
      try {
        return Optimizer.valueOf(value.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException("'" + value + "' is not one of sgd, momentum, adam, adagrad");
      }
    }
  }

  static String format(float loss) {
    return String.format(Locale.ROOT, "%.4g", loss);
  }
}
