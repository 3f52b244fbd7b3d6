package dev.zerog.cli;

import dev.zerog.cli.draw.DrawOptions;
import dev.zerog.cli.draw.NetDrawing;
import dev.zerog.proto.Caffe2.NetDef;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code zerog demo}: the fine-tuning story, on generated data, in about a minute. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    header = "The fine-tuning demo: three ways to freeze a trunk, compared.",
    description = {"Show what exact gradient control is for, on a real workload and generated data (no download): "
        + "a small CNN learns task A (the orientation of a stroke), then its head is replaced and it is fine-tuned "
        + "on task B (pairs of strokes) three ways, side by side:",
        "  (a) everything trainable;",
        "  (b) the trunk frozen the Caffe2 way: StopGradient at the cut, ZeroGradient on every trunk parameter, no "
            + "pruning;",
        "  (c) the trunk frozen by zerog: freeze, with the backward work it makes useless pruned.",
        "Then one table: time per step, test loss and accuracy, whether the trunk kept its bits, the gradient ops and "
            + "the updates each step runs, and the bytes of zero gradients each step writes. Writes the loss curves "
            + "(loss.png) and a drawing of the train net of (c) (train_net.svg) into DIR. Takes under a minute on two "
            + "cores."},
    exitCodeListHeading = CommonOptions.EXIT_CODES_HEADING,
    exitCodeList = {CommonOptions.EXIT_OK, CommonOptions.EXIT_FAILED, CommonOptions.EXIT_USAGE,
        CommonOptions.EXIT_INTERRUPTED},
    footer = {"  zerog demo", "  zerog demo -o /tmp/demo --steps 100"})
final class DemoCommand implements Callable<Integer> {
  /** The points per curve of the demo's chart: the losses of single steps are too noisy to compare. */
  static final int CHART_POINTS = 100;

  @Mixin CommonOptions common;

  @Option(names = {"-o", "--out"}, paramLabel = "DIR", defaultValue = "zerog-demo",
      description = "Where the pictures go (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--steps", paramLabel = "N", defaultValue = "1500",
      description = "Fine-tuning steps of each of the three runs (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--pretrain-steps", paramLabel = "N", defaultValue = "2000",
      description = "Steps on task A (default: ${DEFAULT-VALUE}).")
  int pretrainSteps;

  @Option(names = "--batch", paramLabel = "N", defaultValue = "32", hidden = true,
      description = "Examples per step (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--hidden", paramLabel = "N", defaultValue = "1024", hidden = true,
      description = "Width of the trunk's FC layer (default: ${DEFAULT-VALUE}).")
  int hidden;

  @Option(names = "--lr", paramLabel = "X", defaultValue = "0.01", hidden = true,
      description = "Momentum SGD's learning rate (default: ${DEFAULT-VALUE}).")
  double learningRate;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    CommandLine cl = spec.commandLine();
    if (steps < 1 || pretrainSteps < 1 || batch < 1 || hidden < 1 || !(learningRate > 0)) {
      throw new CommandLine.ParameterException(cl, "--steps, --pretrain-steps, --batch and --hidden must be 1 or "
          + "more, --lr more than 0");
    }
    PrintWriter stdout = cl.getOut();
    PrintWriter stderr = cl.getErr();
    long t0 = System.nanoTime();
    FineTuningDemo.Config config = new FineTuningDemo.Config(pretrainSteps, steps, batch, hidden, 4096, 1024,
        learningRate);
    stdout.println("zerog demo: fine-tuning a CNN with its trunk frozen, three ways");
    stdout.printf(Locale.ROOT, "  data: %dx%d images of strokes, generated (task A: a stroke's orientation; "
        + "task B: pairs of strokes), %d to train and %d to test per task%n", DemoData.SIZE, DemoData.SIZE,
        config.trainExamples(), config.testExamples());
    stdout.printf(Locale.ROOT, "  net:  Conv 3x3 x8, MaxPool, Conv 3x3 x16, MaxPool, FC %d (the trunk) | FC %d (the "
        + "head); momentum SGD, batch %d%n%n", hidden, DemoData.CLASSES, batch);
    stdout.flush();
    boolean terminal = StepProgress.stderrIsTerminal();
    FineTuningDemo.Result result;
    try (Interruption interruption = Interruption.watch(stderr)) {
      StepProgress[] bars = {new StepProgress(stderr, "task A", 0, pretrainSteps, terminal), null};
      try {
        result = FineTuningDemo.run(config, new FineTuningDemo.Listener() {
          @Override
          public boolean stopRequested() {
            return interruption.requested();
          }

          @Override
          public void pretrainStep(int done, float loss) {
            bars[0].update(done, "loss " + TrainCommand.format(loss));
            if (done == pretrainSteps) {
              bars[0].finish();
            }
          }

          @Override
          public void fineTuneStep(int done, float[] losses) {
            if (bars[1] == null) {
              bars[1] = new StepProgress(stderr, "task B (a, b, c)", 0, steps, terminal);
            }
            bars[1].update(done, "loss " + TrainCommand.format(losses[0]) + " / " + TrainCommand.format(losses[1])
                + " / " + TrainCommand.format(losses[2]));
          }
        });
      } catch (FineTuningDemo.Stopped e) {
        for (StepProgress bar : bars) {
          if (bar != null) {
            bar.finish();
          }
        }
        stderr.println("interrupted during " + e.getMessage() + "; nothing written");
        stderr.flush();
        return TrainCommand.INTERRUPTED;
      }
      if (bars[1] != null) {
        bars[1].finish();
      }
      report(stdout, result, config);
      List<String> written = writePictures(result);
      for (String w : written) {
        stdout.println(w);
      }
      stdout.printf(Locale.ROOT, "%ndone in %.0f s%n", (System.nanoTime() - t0) / 1e9);
      stdout.flush();
      return 0;
    }
  }

  private static void report(PrintWriter out, FineTuningDemo.Result r, FineTuningDemo.Config config) {
    float[] a = r.pretrainLosses();
    out.printf(Locale.ROOT, "task A: %d steps, loss %s -> %s, test accuracy %.1f%%%n%n", a.length,
        TrainCommand.format(a[0]), TrainCommand.format(a[a.length - 1]), 100 * r.pretrainAccuracy());
    out.printf(Locale.ROOT, "task B, %d steps each:%n", config.fineTuneSteps());
    String header = String.format(Locale.ROOT, "%-42s %8s %10s %9s %9s %14s %8s %18s", "", "ms/step", "test loss",
        "test acc", "trunk", "gradient ops", "updates", "zero-gradient");
    String header2 = String.format(Locale.ROOT, "%-42s %8s %10s %9s %9s %14s %8s %18s", "", "(median)", "", "",
        "unchanged", "per step", "per step", "bytes per step");
    out.println(header);
    out.println(header2);
    for (FineTuningDemo.Run run : r.runs()) {
      out.printf(Locale.ROOT, "%-42s %8.2f %10.4f %8.1f%% %9s %14d %8d %,18d%n", "(" + run.key() + ") " + run.title(),
          run.medianStepMillis(), run.testLoss(), 100 * run.testAccuracy(), run.trunkUnchanged() ? "yes" : "NO",
          run.gradientOps(), run.updateOps(), run.zeroGradientBytes());
    }
    FineTuningDemo.Run ra = r.runs().get(0);
    FineTuningDemo.Run rb = r.runs().get(1);
    FineTuningDemo.Run rc = r.runs().get(2);
    out.println();
    out.printf(Locale.ROOT, "(c) takes %s per step than (b) and %s than (a).%n",
        compare(rc.medianStepMillis(), rb.medianStepMillis()), compare(rc.medianStepMillis(), ra.medianStepMillis()));
    out.println(r.sameHead()
        ? "(b) and (c) train the head to the same bits: the same model, without the zero gradients and the trunk's "
            + "updates."
        : "(b) and (c) train heads that differ in some bits.");
    out.println("(b) runs an update op on every trunk parameter, with a gradient of zeros written to memory each step; "
        + "(c) has no gradient op, no update and no optimizer state for the trunk.");
    out.println();
  }

  /** "2.1x less time" or "1.1x more time". */
  private static String compare(double ms, double other) {
    if (!(ms > 0) || !(other > 0)) {
      return "the same time";
    }
    return ms <= other ? String.format(Locale.ROOT, "%.2fx less time", other / ms)
        : String.format(Locale.ROOT, "%.2fx more time", ms / other);
  }

  private List<String> writePictures(FineTuningDemo.Result r) {
    List<String> written = new ArrayList<>();
    List<LossChart.Curve> curves = new ArrayList<>();
    for (FineTuningDemo.Run run : r.runs()) {
      // (c) dashed, so that (b) shows through where the two curves coincide.
      curves.add(new LossChart.Curve("(" + run.key() + ") " + run.title(), run.losses(), 0, run.key().equals("c")));
    }
    Path png = out.resolve("loss.png");
    LossChart.write(png, "zerog demo: fine-tuning on task B (training loss, means of " + Math.max(1,
        (steps + CHART_POINTS - 1) / CHART_POINTS) + " steps)", curves, CHART_POINTS);
    written.add("wrote " + png + " (the loss curves of (a), (b) and (c))");
    Path svg = out.resolve("train_net.svg");
    drawTrainNet(r.forward(), r.init(), svg);
    written.add("wrote " + svg + " (the train net of (c): frozen trunk, pruned backward pass)");
    return written;
  }

  /**
   * Draws the train net of run (c) to {@code file}: the forward net, the backward pass for its loss with the trunk
   * frozen and pruned (what the pruning removed drawn faded), the parameters from the init net.
   */
  static void drawTrainNet(NetDef net, NetDef init, Path file) {
    NetDrawing.of(net, DrawOptions.builder().losses(List.of("loss")).freeze(FineTuningDemo.TRUNK).prune(true)
        .initNet(init).title("zerog demo: the train net of (c), trunk frozen by zerog").build()).write(file);
  }
}
