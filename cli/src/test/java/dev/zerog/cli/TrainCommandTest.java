package dev.zerog.cli;

import static dev.zerog.cli.CliTest.examples;
import static dev.zerog.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zerog.io.Checkpoints;
import dev.zerog.io.Npy;
import dev.zerog.net.Net;
import dev.zerog.net.NetDefs;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {
  private static final List<String> PARAMS = List.of("W1", "b1", "W2", "b2");

  @TempDir Path tmp;

  static Path resource(String name) {
    try {
      return Path.of(TrainCommandTest.class.getResource("/train/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The example's options, with those {@code more} gives replaced, then {@code more}. */
  private static String[] train(Path out, String... more) {
    List<String> base = List.of("--init", examples().resolve("mlp_init.pbtxt").toString(), "--net",
        examples().resolve("mlp_train.pbtxt").toString(), "--loss", "loss", "--data",
        examples().resolve("mlp_data.npz").toString(), "--out", out.toString());
    List<String> given = List.of(more);
    List<String> args = new ArrayList<>(List.of("train"));
    for (int i = 0; i < base.size(); i += 2) {
      if (!given.contains(base.get(i))) {
        args.add(base.get(i));
        args.add(base.get(i + 1));
      }
    }
    args.addAll(given);
    return args.toArray(new String[0]);
  }

  /** {@code args} with the options of {@code more} replaced (an option and its value), then {@code more}. */
  static String[] concat(String[] args, String... more) {
    List<String> given = List.of(more);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].startsWith("--") && given.contains(args[i]) && i + 1 < args.length) {
        i++;
        continue;
      }
      out.add(args[i]);
    }
    out.addAll(given);
    return out.toArray(new String[0]);
  }

  /** The example's parameters before training. */
  private static Map<String, Tensor> initialParameters() {
    Workspace ws = new Workspace();
    Net.create(NetDefs.read(examples().resolve("mlp_init.pbtxt")), ws).run();
    return Map.of("W1", ws.fetch("W1"), "b1", ws.fetch("b1"), "W2", ws.fetch("W2"), "b2", ws.fetch("b2"));
  }

  private static float[] lossColumn(Path csv) throws Exception {
    List<String> lines = Files.readAllLines(csv);
    assertThat(lines.get(0)).isEqualTo("step,loss");
    float[] out = new float[lines.size() - 1];
    for (int i = 1; i < lines.size(); i++) {
      String[] cells = lines.get(i).split(",");
      assertThat(cells[0]).isEqualTo(Integer.toString(i));
      out[i - 1] = Float.parseFloat(cells[1]);
    }
    return out;
  }

  private static double mean(float[] a, int from, int to) {
    double s = 0;
    for (int i = from; i < to; i++) {
      s += a[i];
    }
    return s / (to - from);
  }

  @Test
  void theExampleDataIsWhatItsGeneratorMakes() throws Exception {
    Path committed = examples().resolve("mlp_data.npz");
    Path fresh = tmp.resolve("mlp_data.npz");
    Npy.writeNpz(ExampleData.generate(), fresh);
    if (Boolean.getBoolean("zerog.writeExamples")) {
      Files.copy(fresh, committed, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    assertThat(Files.size(committed)).isLessThan(100_000);
    assertThat(Files.readAllBytes(committed))
        .as("examples/mlp_data.npz is current (regenerate with -Dzerog.writeExamples=true)")
        .isEqualTo(Files.readAllBytes(fresh));
  }

  @Test
  void trainingTheExampleReducesTheLossAndWritesTheResults() throws Exception {
    Path out = tmp.resolve("out");
    CliTest.Result r = run(train(out, "--steps", "200", "--lr", "0.1", "--seed", "1"));
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("trained 200 steps (4 parameters updated; sgd lr 0.1, batch 32): loss ");
    // Not a terminal: a line per tenth of the steps.
    assertThat(r.err().lines().filter(l -> l.startsWith("train: step "))).hasSize(10);
    assertThat(r.err()).contains("train: step 200/200 (100%), loss ").doesNotContain("\r");

    float[] losses = lossColumn(out.resolve("loss.csv"));
    assertThat(losses).hasSize(200);
    assertThat(mean(losses, 180, 200)).isLessThan(0.5 * mean(losses, 0, 20));

    // The trained init net recreates exactly the .npy parameters.
    NetDef trained = NetDefs.read(out.resolve("init_net.pb"));
    assertThat(NetDefs.read(out.resolve("init_net.pbtxt"))).isEqualTo(trained);
    assertThat(trained.getOpList()).allMatch(op -> op.getType().equals("GivenTensorFill"));
    Workspace ws = new Workspace();
    Net.create(trained, ws).run();
    Map<String, Tensor> before = initialParameters();
    for (String p : PARAMS) {
      Tensor saved = Npy.read(out.resolve("params/" + p + ".npy"));
      assertThat(ws.fetch(p).contentEquals(saved)).as(p).isTrue();
      assertThat(saved.contentEquals(before.get(p))).as("%s changed", p).isFalse();
    }

    BufferedImage png = ImageIO.read(out.resolve("loss.png").toFile());
    assertThat(png).isNotNull();
    assertThat(png.getWidth()).isEqualTo(800);
    assertThat(png.getHeight()).isEqualTo(500);
    try (var in = ImageIO.createImageInputStream(out.resolve("loss.png").toFile())) {
      assertThat(ImageIO.getImageReaders(in).next().getFormatName()).isEqualToIgnoringCase("png");
    }
    try (Stream<Path> files = Files.walk(out)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }
  }

  @Test
  void frozenParametersStayBitwiseUnchanged() throws Exception {
    Path out = tmp.resolve("out");
    CliTest.Result r = run(train(out, "--steps", "60", "--optimizer", "momentum", "--lr", "0.05",
        "--weight-decay", "0.001", "--freeze", "?1"));
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("(2 parameters updated, 2 frozen; momentum lr 0.05 momentum 0.9 weight decay 0.001");
    Map<String, Tensor> before = initialParameters();
    assertThat(Npy.read(out.resolve("params/W1.npy")).contentEquals(before.get("W1"))).isTrue();
    assertThat(Npy.read(out.resolve("params/b1.npy")).contentEquals(before.get("b1"))).isTrue();
    assertThat(Npy.read(out.resolve("params/W2.npy")).contentEquals(before.get("W2"))).isFalse();
    float[] losses = lossColumn(out.resolve("loss.csv"));
    assertThat(mean(losses, 50, 60)).isLessThan(mean(losses, 0, 10));
  }

  @Test
  void zeroGradientGivesACutOffParameterAGradient() throws Exception {
    String net = resource("mlp_stopped.pbtxt").toString();
    CliTest.Result without = run(train(tmp.resolve("a"), "--net", net, "--steps", "5"));
    assertThat(without.code()).isEqualTo(1);
    assertThat(without.err().strip()).startsWith("error: " + net + ": blob 'W1': parameter 'W1' has no gradient")
        .doesNotContain("\n");

    Path out = tmp.resolve("b");
    CliTest.Result with = run(train(out, "--net", net, "--steps", "60", "--optimizer", "momentum", "--lr", "0.05",
        "--zero-gradient", "W1", "--zero-gradient", "b1"));
    assertThat(with.code()).as(with.err()).isZero();
    assertThat(with.out()).contains("(4 parameters updated;");
    Map<String, Tensor> before = initialParameters();
    // A zero gradient with a fresh momentum moves nothing: W1 and b1 keep their bits, W2 and b2 learn.
    assertThat(Npy.read(out.resolve("params/W1.npy")).contentEquals(before.get("W1"))).isTrue();
    assertThat(Npy.read(out.resolve("params/b1.npy")).contentEquals(before.get("b1"))).isTrue();
    assertThat(Npy.read(out.resolve("params/W2.npy")).contentEquals(before.get("W2"))).isFalse();
    float[] losses = lossColumn(out.resolve("loss.csv"));
    assertThat(mean(losses, 50, 60)).isLessThan(mean(losses, 0, 10));
  }

  @Test
  void aResumedRunEndsBitwiseAsAnUninterruptedOne() throws Exception {
    String[] common = {"--steps", "40", "--optimizer", "adam", "--lr", "0.01", "--seed", "3", "--batch", "48"};
    Path whole = tmp.resolve("whole");
    Path wholeCk = tmp.resolve("whole-ck");
    CliTest.Result a = run(concat(train(whole, common), "--checkpoint", wholeCk.toString(), "--every", "10"));
    assertThat(a.code()).as(a.err()).isZero();

    // The same run stopped after 17 steps (the checkpoint at the end), then resumed to 40.
    Path ck = tmp.resolve("ck");
    CliTest.Result b = run(concat(train(tmp.resolve("first"), common), "--steps", "17", "--checkpoint",
        ck.toString(), "--every", "5"));
    assertThat(b.code()).as(b.err()).isZero();
    assertThat(Checkpoints.latest(ck).map(Checkpoints::step)).contains(17L);
    Path resumed = tmp.resolve("resumed");
    CliTest.Result c = run(concat(train(resumed, common), "--checkpoint", ck.toString(), "--every", "10",
        "--resume", ck.toString()));
    assertThat(c.code()).as(c.err()).isZero();
    assertThat(c.err()).contains("resuming from " + ck.resolve(Checkpoints.fileName(17)) + " (step 17)");

    for (String file : List.of("init_net.pb", "init_net.pbtxt", "loss.csv", "params/W1.npy", "params/b1.npy",
        "params/W2.npy", "params/b2.npy")) {
      assertThat(Files.readAllBytes(resumed.resolve(file))).as(file)
          .isEqualTo(Files.readAllBytes(whole.resolve(file)));
    }
    assertThat(lossColumn(resumed.resolve("loss.csv"))).hasSize(40);
    assertThat(Files.readAllBytes(ck.resolve(Checkpoints.fileName(40))))
        .isEqualTo(Files.readAllBytes(wholeCk.resolve(Checkpoints.fileName(40))));
  }

  @Test
  void resumingFromAnEmptyDirectoryIsAnError() {
    CliTest.Result r = run(train(tmp.resolve("o"), "--resume", tmp.toString()));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("error: " + tmp + ": no checkpoint to resume from (checkpoint-<step>.zgc)");
  }

  @Test
  void badDataIsOneErrorLine() throws Exception {
    Map<String, Tensor> good = ExampleData.generate();
    Path onlyX = tmp.resolve("only_x.npz");
    Npy.writeNpz(Map.of("X", good.get("X")), onlyX);
    assertOneError(run(train(tmp.resolve("o"), "--data", onlyX.toString())),
        "error: " + onlyX + ": blob 'label': the data has no array named 'label' (it has X)");

    Path uneven = Files.createDirectories(tmp.resolve("uneven"));
    Npy.write(good.get("X"), uneven.resolve("X.npy"));
    Npy.write(Tensor.of(new int[] {0, 1, 2}, 3), uneven.resolve("label.npy"));
    assertOneError(run(train(tmp.resolve("o"), "--data", uneven.toString())),
        "error: " + uneven + ": blob 'label': arrays 'X' and 'label' hold 512 and 3 examples");

    assertOneError(run(train(tmp.resolve("o"), "--batch", "513")),
        "error: " + examples().resolve("mlp_data.npz") + ": a batch of 513 examples is larger than the data, "
            + "which holds 512");

    Path badNpy = Files.createDirectories(tmp.resolve("bad"));
    Files.writeString(badNpy.resolve("X.npy"), "not numpy");
    assertOneError(run(train(tmp.resolve("o"), "--data", badNpy.toString())),
        "error: " + badNpy.resolve("X.npy") + ": not a .npy file");

    assertOneError(run(train(tmp.resolve("o"), "--data", tmp.resolve("missing.npz").toString())),
        "error: " + tmp.resolve("missing.npz") + ": no such file or directory");

    assertOneError(run(train(tmp.resolve("o"), "--loss", "nope")),
        "error: " + examples().resolve("mlp_train.pbtxt") + ": blob 'nope': no op of the net writes the loss blob");
    assertThat(tmp.resolve("o")).doesNotExist();
  }

  private static void assertOneError(CliTest.Result r, String start) {
    assertThat(r.code()).as(r.err()).isEqualTo(1);
    assertThat(r.err().strip()).startsWith(start);
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(run(train(tmp.resolve("o"), "--every", "5")).code()).isEqualTo(2);
    assertThat(run(train(tmp.resolve("o"), "--momentum", "0.5")).code()).isEqualTo(2);
    CliTest.Result r = run(train(tmp.resolve("o"), "--optimizer", "rmsprop"));
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("'rmsprop' is not one of sgd, momentum, adam, adagrad");
    assertThat(run("train", "--net", "x.pbtxt").code()).isEqualTo(2);
  }

  @Test
  void helpHasAnExample() {
    CliTest.Result r = run("train", "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("--zero-gradient=BLOB").contains("--checkpoint=DIR").contains("--resume=DIR")
        .contains("Examples:").contains("zerog train --init examples/mlp_init.pbtxt");
  }

  @Test
  void aManualInterruptionWritesWhatIsComplete() throws Exception {
    Path out = tmp.resolve("out");
    Path ck = tmp.resolve("ck");
    TrainCommand command = new TrainCommand();
    picocli.CommandLine cl = new picocli.CommandLine(command);
    String[] args = concat(train(out, "--steps", "100000000", "--checkpoint", ck.toString()), "--every", "100");
    cl.parseArgs(java.util.Arrays.copyOfRange(args, 1, args.length));
    java.io.StringWriter err = new java.io.StringWriter();
    java.io.StringWriter stdout = new java.io.StringWriter();
    Interruption interruption = Interruption.manual(new java.io.PrintWriter(err));
    // Interrupt once the checkpoint of step 100 exists: the loop stops at the next step boundary.
    Thread watcher = new Thread(() -> {
      while (Checkpoints.latest(ck).isEmpty()) {
        try {
          Thread.sleep(1);
        } catch (InterruptedException e) {
          return;
        }
      }
      interruption.request();
    });
    watcher.start();
    int code = command.train(new java.io.PrintWriter(stdout), new java.io.PrintWriter(err), interruption);
    watcher.join();
    assertThat(code).isEqualTo(130);
    String message = err.toString().lines().filter(l -> l.startsWith("interrupted at step ")).findFirst()
        .orElseThrow();
    int step = Integer.parseInt(message.substring("interrupted at step ".length(), message.indexOf(" of ")));
    assertThat(step).isGreaterThanOrEqualTo(100);
    assertThat(lossColumn(out.resolve("loss.csv"))).hasSize(step);
    assertThat(Checkpoints.latest(ck).map(Checkpoints::step)).contains((long) step);
    assertThat(stdout.toString()).isEmpty();
  }

  @Test
  @DisabledOnOs(OS.WINDOWS) // Process.destroy is SIGTERM on Unix
  void aSignalStopsAfterTheCurrentStepWithoutAStackTrace() throws Exception {
    Path out = tmp.resolve("out");
    Path ck = tmp.resolve("ck");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp",
        System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(List.of(concat(train(out, "--steps", "100000000", "--checkpoint", ck.toString()), "--every",
        "20")));
    Process child = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(tmp.resolve("stderr.txt").toFile()).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (Checkpoints.latest(ck).isEmpty() && child.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(Checkpoints.latest(ck)).as(Files.readString(tmp.resolve("stderr.txt"))).isPresent();
      child.destroy();
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
    String err = Files.readString(tmp.resolve("stderr.txt"));
    assertThat(child.exitValue()).as(err).isEqualTo(143); // 128 + SIGTERM; Ctrl-C (SIGINT) gives 130
    assertThat(err).doesNotContain("\tat ").doesNotContain("Exception");
    String message = err.lines().filter(l -> l.startsWith("interrupted at step ")).findFirst().orElseThrow();
    int step = Integer.parseInt(message.substring("interrupted at step ".length(), message.indexOf(" of ")));
    assertThat(lossColumn(out.resolve("loss.csv"))).hasSize(step);
    assertThat(Checkpoints.latest(ck).map(Checkpoints::step)).contains((long) step);
    assertThat(ImageIO.read(out.resolve("loss.png").toFile())).isNotNull();
  }
}
