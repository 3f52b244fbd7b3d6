package dev.zerog.cli;

import static dev.zerog.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zerog.blas.Blas;
import dev.zerog.cli.CliTest.Result;
import dev.zerog.op.BlobType;
import dev.zerog.tensor.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * What every command shares: a header, examples that parse and run, the exit codes in the help, usage errors
 * (exit 2, one error line and a hint), the older spellings of renamed options, {@code --version}, the completion
 * script, and docs/cli.md generated from all of it.
 */
class CliConventionsTest {
  /** Commands whose examples are parsed but not run here (each has a test of its own that runs it). */
  private static final Set<String> NOT_RUN = Set.of("demo");

  @TempDir Path tmp;

  private static Map<String, CommandLine> subcommands() {
    return Main.commandLine().getSubcommands();
  }

  private static Path repository() {
    return CliTest.examples().getParent();
  }

  /** The examples of a command's footer, continuation lines ({@code \}) joined. */
  static List<String> examples(CommandSpec spec) {
    List<String> examples = new ArrayList<>();
    StringBuilder current = null;
    for (String line : spec.usageMessage().footer()) {
      String text = line.strip();
      if (current == null) {
        current = new StringBuilder(text);
      } else {
        current.append(' ').append(text);
      }
      if (text.endsWith("\\")) {
        current.setLength(current.length() - 1);
      } else {
        examples.add(current.toString().strip());
        current = null;
      }
    }
    return examples;
  }

  /** The arguments of a {@code zerog ...} example, without the redirection or remark that may follow them. */
  static List<String> arguments(String example) {
    List<String> args = new ArrayList<>();
    Matcher m = Pattern.compile("'([^']*)'|(\\S+)").matcher(example);
    while (m.find()) {
      String token = m.group(1) != null ? m.group(1) : m.group(2);
      if (m.group(1) == null && (token.startsWith(">") || token.startsWith("(") || token.startsWith("#"))) {
        break;
      }
      args.add(token);
    }
    assertThat(args.get(0)).isEqualTo("zerog");
    return args.subList(1, args.size());
  }

  @Test
  void everyCommandHasAHeaderTheExitCodesAndExamplesOfItself() {
    for (Map.Entry<String, CommandLine> e : subcommands().entrySet()) {
      String name = e.getKey();
      CommandSpec spec = e.getValue().getCommandSpec();
      assertThat(spec.usageMessage().header()).as(name + "'s header").hasSize(1);
      assertThat(spec.usageMessage().description()).as(name + "'s description").isNotEmpty();
      String help = e.getValue().getUsageMessage(CommandLine.Help.Ansi.OFF);
      assertThat(help).as(name + " --help").containsPattern("\nExit codes:\n  0 +ok\n  1 +failed")
          .containsPattern("\n  2 +usage error").contains("\nExamples:\n  ");
      assertThat(help.split("Examples:", -1)).as(name + ": one Examples: heading (CommonOptions gives it)")
          .hasSize(2);
      assertThat(examples(spec)).as(name + "'s examples").anyMatch(x -> x.startsWith("zerog " + name));
      for (String line : spec.usageMessage().footer()) {
        assertThat(line.length()).as("example line too long to print unwrapped: " + line).isLessThan(80);
      }
      Result r = run(name, "--help");
      assertThat(r.code()).isZero();
      assertThat(r.out()).isEqualTo(help);
    }
  }

  @Test
  void everyExampleParsesWithTheCurrentSpellingsAndNamesFilesThatExist() {
    for (Map.Entry<String, CommandLine> e : subcommands().entrySet()) {
      for (String example : examples(e.getValue().getCommandSpec())) {
        if (!example.startsWith("zerog ")) {
          continue;
        }
        CommandLine.ParseResult parsed = Main.commandLine().parseArgs(arguments(example).toArray(new String[0]));
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
          for (OptionSpec o : p.matchedOptions()) {
            assertThat(o.hidden()).as(example + ": " + o.longestName() + " is an older spelling").isFalse();
          }
        }
        for (String token : arguments(example)) {
          String path = token.substring(token.indexOf('=') + 1);
          if (path.startsWith("examples/") || path.startsWith("zoo/")) {
            assertThat(repository().resolve(path)).as(example).exists();
          }
        }
      }
    }
  }

  /**
   * Runs the examples of every command as written, in a temporary directory: files under examples/ and zoo/ are
   * the repository's, every other file is in the temporary directory. An example runs once every file it reads
   * exists (another example may write it); the rest (those that name the user's own files, such as
   * predict_net.pb) are only parsed, above. Each command must have at least one example that runs.
   */
  @Test
  void theExamplesRun() throws Exception {
    Map<String, String> pending = new LinkedHashMap<>();
    for (Map.Entry<String, CommandLine> e : subcommands().entrySet()) {
      if (NOT_RUN.contains(e.getKey())) {
        continue;
      }
      for (String example : examples(e.getValue().getCommandSpec())) {
        if (example.startsWith("zerog ")) {
          pending.putIfAbsent(example, e.getKey());
        }
      }
    }
    Set<String> ran = new TreeSet<>();
    boolean progress = true;
    while (progress) {
      progress = false;
      for (String example : new ArrayList<>(pending.keySet())) {
        List<String> args = runnable(arguments(example));
        if (args == null) {
          continue;
        }
        Result r = run(args.toArray(new String[0]));
        assertThat(r.code()).as(example + "\n" + r.err()).isZero();
        pending.remove(example);
        ran.add(args.get(0));
        progress = true;
      }
    }
    Set<String> expected = new TreeSet<>(subcommands().keySet());
    expected.removeAll(NOT_RUN);
    assertThat(ran).as("commands with an example that ran (still pending: " + pending.keySet() + ")")
        .containsAll(expected);
  }

  /** The example's arguments with its files placed, or null while a file it reads does not exist. */
  private List<String> runnable(List<String> args) {
    CommandLine.ParseResult parsed = Main.commandLine().parseArgs(args.toArray(new String[0]));
    CommandLine.ParseResult sub = parsed.subcommand();
    Map<String, String> replaced = new LinkedHashMap<>();
    boolean[] missing = {false};
    boolean hasOut = false;
    for (OptionSpec o : sub.matchedOptions()) {
      boolean output = o.longestName().equals("--out") || o.longestName().equals("--grad-map");
      hasOut |= o.longestName().equals("--out");
      place(o, o.originalStringValues(), output, replaced, missing);
    }
    for (PositionalParamSpec p : sub.matchedPositionals()) {
      place(p, p.originalStringValues(), false, replaced, missing);
    }
    if (missing[0]) {
      return null;
    }
    List<String> placed = new ArrayList<>();
    for (String a : args) {
      placed.add(replaced.getOrDefault(a, a));
    }
    if (args.get(0).equals("run") && !hasOut) {
      placed.addAll(List.of("--out", tmp.resolve(RunCommand.DEFAULT_OUT).toString()));
    }
    return placed;
  }

  private void place(ArgSpec arg, List<String> values, boolean output, Map<String, String> replaced,
      boolean[] missing) {
    boolean isPath = arg.type() == Path.class || (arg.auxiliaryTypes().length == 2
        && arg.auxiliaryTypes()[1] == Path.class) || (List.class.isAssignableFrom(arg.type())
        && arg.auxiliaryTypes().length == 1 && arg.auxiliaryTypes()[0] == Path.class);
    if (!isPath) {
      return;
    }
    for (String v : values) {
      int eq = arg.auxiliaryTypes().length == 2 ? v.indexOf('=') : -1;
      String file = v.substring(eq + 1);
      Path where = file.startsWith("examples/") || file.startsWith("zoo/") ? repository().resolve(file)
          : tmp.resolve(file);
      if (!output && !Files.exists(where)) {
        missing[0] = true;
      }
      replaced.put(v, v.substring(0, eq + 1) + where);
    }
  }

  @Test
  void aUsageErrorExitsTwoWithOneErrorLineAndAHint() {
    for (String name : subcommands().keySet()) {
      Result r = run(name, "--no-such-option");
      assertThat(r.code()).as(name).isEqualTo(2);
      List<String> lines = r.err().lines().toList();
      assertThat(lines).as(name + ": " + r.err()).hasSize(2);
      assertThat(lines.get(0)).startsWith("error: ");
      assertThat(lines.get(1)).endsWith("Run 'zerog " + name + " --help' for usage.");
      assertThat(r.out()).isEmpty();
    }
    Result top = run("--no-such-option");
    assertThat(top.code()).isEqualTo(2);
    assertThat(top.err()).startsWith("error: ").endsWith("Run 'zerog --help' for usage.\n");
    Result typo = run("rnu", "examples/zero_gradient.pbtxt");
    assertThat(typo.code()).isEqualTo(2);
    assertThat(typo.err()).isEqualTo("error: unknown command 'rnu'\nDid you mean run? Run 'zerog --help' for "
        + "usage.\n");
    Result option = run("run", "net.pbtxt", "--fech", "W");
    assertThat(option.code()).isEqualTo(2);
    assertThat(option.err()).contains("Did you mean --fetch?");
    Result missing = run("grad", "net.pbtxt", "--loss", "loss");
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).startsWith("error: Missing required option: '--out=FILE'\n");
    assertThat(run("help", "nope").code()).isEqualTo(2);
  }

  @Test
  void similarNamesAreThoseWithinTwoEditsOrThatStartWithWhatWasTyped() {
    List<String> commands = List.of("run", "grad", "init-net", "train-net", "freeze");
    assertThat(Main.similarNames("rnu", commands)).containsExactly("run");
    assertThat(Main.similarNames("init", commands)).containsExactly("init-net");
    assertThat(Main.similarNames("frezee", commands)).containsExactly("freeze");
    assertThat(Main.similarNames("zzzzzz", commands)).isEmpty();
  }

  @Test
  void withoutArgumentsItListsTheCommandsAndPointsToTheDemo() {
    Result r = run();
    assertThat(r.code()).isZero();
    assertThat(r.err()).isEmpty();
    for (Map.Entry<String, CommandLine> e : subcommands().entrySet()) {
      // One line per command: its name and its whole header.
      assertThat(r.out()).containsPattern("\n  " + Pattern.quote(e.getKey()) + " +"
          + Pattern.quote(e.getValue().getCommandSpec().usageMessage().header()[0]) + "\n");
    }
    assertThat(r.out()).contains("\n  zerog demo ").contains("zerog --help").doesNotContain("Exit codes:");
    assertThat(r.out().lines()).allMatch(l -> l.length() <= 80);
  }

  @Test
  void versionNamesTheProjectVersionJavaAndTheBlas() throws Exception {
    Matcher m = Pattern.compile("<artifactId>zerog-parent</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(Files.readString(repository().resolve("pom.xml")));
    assertThat(m.find()).isTrue();
    for (String flag : List.of("--version", "-V")) {
      Result r = run(flag);
      assertThat(r.code()).isZero();
      assertThat(r.out().lines().toList()).containsExactly("zerog " + m.group(1),
          "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ", "
              + System.getProperty("java.vm.name") + ")",
          "BLAS " + Blas.get().name() + ", " + Blas.get().threads()
              + (Blas.get().threads() == 1 ? " thread" : " threads"));
    }
  }

  @Test
  void theCompletionScriptKnowsEveryCommandAndNoOlderSpelling() {
    Result r = run("completion");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("complete -F").contains("zerog");
    for (Map.Entry<String, CommandLine> e : subcommands().entrySet()) {
      assertThat(r.out()).as(e.getKey()).contains(e.getKey());
      for (OptionSpec o : e.getValue().getCommandSpec().options()) {
        if (!o.hidden()) {
          assertThat(r.out()).as(e.getKey() + " " + o.longestName()).contains(o.longestName());
        }
      }
    }
    assertThat(r.out()).doesNotContain("--out-dir").doesNotContain("--not-a-flag");
  }

  @Test
  void theOlderSpellingsStillWork() throws Exception {
    String example = CliTest.examples().resolve("zero_gradient.pbtxt").toString();
    Result r = run("run", example, "--output", "W", "--out-dir", tmp.resolve("o").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("W: FLOAT [2, 3]");
    assertThat(tmp.resolve("o/W.npy")).exists();
    Result g = run("grad", example, "--loss", "loss", "--output", tmp.resolve("t.pbtxt").toString());
    assertThat(g.code()).as(g.err()).isZero();
    assertThat(tmp.resolve("t.pbtxt")).exists();
    Result twice = run("grad", example, "--loss", "loss", "-o", "a.pbtxt", "--output", "b.pbtxt");
    assertThat(twice.code()).isEqualTo(2);
    assertThat(twice.err()).startsWith("error: --out and --output (its older spelling) name different files");

    String cnn = CliTest.examples().resolve("small_cnn_predict.pbtxt").toString();
    String shapes = CliTest.examples().resolve("small_cnn.shapes.json").toString();
    Result s = run("shapes", cnn, "--input", "data=2,3,8,8", "--shapes", shapes);
    assertThat(s.code()).as(s.err()).isZero();
    assertThat(s.out()).contains("prob ");
    Result f = run("freeze", cnn, "--at", "pool1", "--data", "data", "--output", tmp.resolve("f.pbtxt").toString());
    assertThat(f.code()).as(f.err()).isZero();
    assertThat(f.out()).startsWith("frozen at pool1: StopGradient at op #6, ZeroGradient on 8 parameters");
    Result t = run("train-net", cnn, "--freeze-at", "pool1", "--data", "data", "-o",
        tmp.resolve("t2.pbtxt").toString());
    assertThat(t.out()).contains("ZeroGradient on 6 parameters");
    Result c = run("check", cnn, "--shapes", shapes, "--input", "data=2,3,8,8");
    assertThat(c.code()).as(c.err()).isZero();
  }

  @Test
  void shapesTakeTheTypeBeforeTheDimsAndStillAfterThem() {
    assertThat(InputShapes.parse("int32:8")).isEqualTo(BlobType.of(DataType.INT32, 8));
    assertThat(InputShapes.parse("8:INT32")).isEqualTo(BlobType.of(DataType.INT32, 8));
    assertThat(InputShapes.parse("2,3")).isEqualTo(BlobType.of(DataType.FLOAT, 2, 3));
    assertThat(InputShapes.parse("float:")).isEqualTo(BlobType.of(DataType.FLOAT));
    Result bad = run("audit", CliTest.examples().resolve("regression.pbtxt").toString(), "--loss", "loss",
        "--shape", "X=4,x");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).startsWith("error: bad --shape 'X=4,x': 'x' is not a dimension");
  }

  @Test
  void theHelpCommandPrintsACommandsHelp() {
    Result r = run("help", "grad");
    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo(run("grad", "--help").out());
    assertThat(run("help").out()).isEqualTo(run("--help").out()).contains("Exit codes:");
  }

  @Test
  void theCommandLineReferenceIsCurrent() throws Exception {
    Path doc = repository().resolve("docs/cli.md");
    Result r = run("--markdown");
    assertThat(r.code()).isZero();
    assertThat(doc).as("docs/cli.md exists (regenerate: ./zerog --markdown > docs/cli.md)").exists();
    assertThat(Files.readString(doc)).as("docs/cli.md is current (regenerate: ./zerog --markdown > docs/cli.md)")
        .isEqualTo(r.out());
    for (String name : subcommands().keySet()) {
      assertThat(r.out()).contains("\n### zerog " + name + "\n").contains("(#" + CliReference.anchor(name) + ")");
    }
  }
}
