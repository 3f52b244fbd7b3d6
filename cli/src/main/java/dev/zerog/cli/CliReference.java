package dev.zerog.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Renders the command-line reference (docs/cli.md) from the commands' own picocli model: the command list, the
 * options several commands share, the older spellings still read, the exit codes, and each command's usage help
 * as {@code zerog COMMAND --help} prints it. Only the conventions, completion and environment sections are written
 * here by hand.
 */
final class CliReference {
  /** The width of the usage help in the reference, fixed so that the file does not depend on the terminal. */
  static final int WIDTH = 100;

  /**
   * What an option several commands share means in all of them; the table falls back to the first command's
   * description for an option not named here.
   */
  private static final Map<String, String> SHARED_MEANINGS = Map.ofEntries(
      Map.entry("--init", "The init net: run once before the net; the blobs it writes are the parameters."),
      Map.entry("--loss", "A loss blob: the backward pass starts from it."),
      Map.entry("--param", "Parameters by name or glob (repeatable)."),
      Map.entry("--freeze", "Freeze the parameters that match (glob; repeatable): no gradient, no update."),
      Map.entry("--freeze-at", "Freeze the trunk: everything before this blob."),
      Map.entry("--not-param", "A blob the net reads that is data, not a parameter (repeatable)."),
      Map.entry("--out", "Where the command writes (a file, or a directory for several files)."),
      Map.entry("--json", "Print the result as JSON instead of text."),
      Map.entry("--shape", "The type and shape of an input blob, NAME=[TYPE:]DIMS: data=1,3,224,224, "
          + "label=int32:8 (repeatable)."),
      Map.entry("--shapes", "The parameters' shapes: a weight-shape file (zoo/<model>.shapes.json)."),
      Map.entry("--label", "The label blob."),
      Map.entry("--seed", "The first random seed."),
      Map.entry("--input", "Feed blob NAME from a file (repeatable)."));

  /** The options every command has, which the table of shared options leaves out. */
  private static final List<String> EVERYWHERE = List.of("--help", "--version", "--verbose");

  private CliReference() {}

  static String markdown() {
    CommandLine root = Main.commandLine();
    root.setUsageHelpWidth(WIDTH);
    Map<String, CommandLine> commands = root.getSubcommands();
    StringBuilder sb = new StringBuilder();
    sb.append("# The zerog command line\n\n");
    sb.append("Generated from the commands' own help by `zerog --markdown`; do not edit by hand (regenerate: "
        + "`./zerog --markdown > docs/cli.md`; a test checks that it is current).\n\n");
    sb.append("`./zerog` at the root of the repository builds the command line when its sources are newer than its "
        + "jar and runs it; `zerog` below stands for it. `zerog` alone lists the commands; `zerog COMMAND --help` "
        + "(or `zerog help COMMAND`) prints what is below for one command; `zerog --version` prints zerog's "
        + "version, the Java runtime's and the BLAS in use.\n\n");
    sb.append("| command | what it does |\n|---|---|\n");
    for (Map.Entry<String, CommandLine> e : commands.entrySet()) {
      sb.append("| [`").append(e.getKey()).append("`](#").append(anchor(e.getKey())).append(") | ")
          .append(summary(e.getValue().getCommandSpec())).append(" |\n");
    }

    sb.append("\n## Conventions\n\n");
    sb.append("""
        - A net is a Caffe2 NetDef: `.pb` (binary protobuf) or `.pbtxt` (protobuf text format), read by content and
          written by the extension of the file named with `-o/--out`.
        - The same thing has the same option in every command that takes it (table below). A blob is named by its
          name in the net (`BLOB`); a `PATTERN` is a glob over parameter names (`*` and `?`), and one that matches
          nothing is an error.
        - Repeatable options are given once per value: `--loss a --loss b`.
        - Every command takes `-h, --help`, `-V, --version` and `--verbose` (on error, the stack trace after the
          `error:` line).
        - Errors name the file (with line and column for text), the operator (`op #index (Type)`) and the blob.

        """);
    sb.append("Options that several commands share:\n\n| option | commands | meaning |\n|---|---|---|\n");
    for (Map.Entry<String, List<String>> e : sharedOptions(commands).entrySet()) {
      OptionSpec first = firstOption(commands, e.getKey());
      sb.append("| `").append(String.join(", ", first.names()))
          .append(first.arity().max() > 0 ? " " + String.join("\\|", labels(commands, e.getKey())) : "")
          .append("` | ").append(String.join(", ", e.getValue())).append(" | ")
          .append(cell(SHARED_MEANINGS.getOrDefault(e.getKey(),
              first.description().length == 0 ? "" : first.description()[0]))).append(" |\n");
    }
    List<String[]> older = olderSpellings(commands);
    if (!older.isEmpty()) {
      sb.append("\nOlder spellings, still read but no longer shown in the help:\n\n"
          + "| command | older spelling | note |\n|---|---|---|\n");
      for (String[] row : older) {
        sb.append("| ").append(row[0]).append(" | `").append(row[1]).append("` | ").append(cell(row[2]))
            .append(" |\n");
      }
    }

    sb.append("\n## Exit codes\n\n| code | meaning |\n|---|---|\n");
    for (Map.Entry<String, String> e : root.getCommandSpec().usageMessage().exitCodeList().entrySet()) {
      sb.append("| ").append(e.getKey().strip()).append(" | ").append(cell(e.getValue())).append(" |\n");
    }
    sb.append("\nA usage error prints `error: ...` and a second line naming the command's `--help`. Every other "
        + "failure prints exactly one line starting with `error:` on stderr, and no stack trace unless "
        + "`--verbose` is given.\n");

    sb.append("\n## Shell completion\n\n");
    sb.append("""
        `zerog completion` prints a completion script for bash (zsh runs it after `autoload -U +X bashcompinit &&
        bashcompinit`). It is generated from the commands themselves by picocli, so it knows every command and
        option of the zerog that printed it. It completes the command `zerog`, so put the launcher on the `PATH`
        (for example `ln -s "$PWD/zerog" ~/.local/bin/zerog`) or alias it:

        ```sh
        source <(zerog completion)                     # this shell
        zerog completion > ~/.zerog-completion.bash    # every shell: add `source ~/.zerog-completion.bash` to ~/.bashrc
        ```
        """);

    sb.append("\n## Environment\n\n");
    sb.append("""
        | variable | read by | effect |
        |---|---|---|
        | `ZEROG_JAVA_OPTS` | the `./zerog` launcher | options for the JVM, for example `-Xmx8g` (a larger heap) or `-Dzerog.blas=java` |
        | `OPENBLAS_NUM_THREADS` | native OpenBLAS | the threads one matrix product may use (default: all cores; `zerog --version` shows the number) |

        The system property `zerog.blas` (given through `ZEROG_JAVA_OPTS`) chooses the BLAS: `auto` (the default:
        the machine's native BLAS when it loads, else pure Java), `native` (an error without one) or `java`. The
        launcher needs Java 17 or newer and Maven on the `PATH`; it rebuilds `cli/target/zerog.jar` when a source
        is newer, printing one line while it does.
        """);

    sb.append("\n## Commands\n");
    for (Map.Entry<String, CommandLine> e : commands.entrySet()) {
      sb.append("\n### ").append(e.getValue().getCommandSpec().qualifiedName()).append("\n\n```text\n")
          .append(stripTrailingSpaces(e.getValue().getUsageMessage(CommandLine.Help.Ansi.OFF)).strip())
          .append("\n```\n");
    }
    return sb.toString();
  }

  /** The anchor GitHub gives the heading {@code ### zerog NAME}. */
  static String anchor(String name) {
    return "zerog-" + name;
  }

  /** The one-line summary of a command: its header, else the first line of its description. */
  static String summary(CommandSpec spec) {
    String[] header = spec.usageMessage().header();
    String[] description = spec.usageMessage().description();
    String text = header.length > 0 ? header[0] : description.length > 0 ? description[0] : "";
    return cell(text);
  }

  /** Long option names that two or more commands show, other than those every command has, with the commands. */
  private static Map<String, List<String>> sharedOptions(Map<String, CommandLine> commands) {
    Map<String, List<String>> byName = new TreeMap<>();
    for (Map.Entry<String, CommandLine> e : commands.entrySet()) {
      for (OptionSpec o : e.getValue().getCommandSpec().options()) {
        if (!o.hidden()) {
          byName.computeIfAbsent(o.longestName(), k -> new ArrayList<>()).add(e.getKey());
        }
      }
    }
    Map<String, List<String>> shared = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> e : byName.entrySet()) {
      if (e.getValue().size() >= 2 && !EVERYWHERE.contains(e.getKey())) {
        shared.put(e.getKey(), e.getValue());
      }
    }
    return shared;
  }

  /** The distinct labels of an option's value across the commands, in their order. */
  private static List<String> labels(Map<String, CommandLine> commands, String name) {
    List<String> labels = new ArrayList<>();
    for (CommandLine c : commands.values()) {
      OptionSpec o = c.getCommandSpec().findOption(name);
      if (o != null && !o.hidden() && !labels.contains(o.paramLabel())) {
        labels.add(o.paramLabel());
      }
    }
    return labels;
  }

  private static OptionSpec firstOption(Map<String, CommandLine> commands, String name) {
    for (CommandLine c : commands.values()) {
      OptionSpec o = c.getCommandSpec().findOption(name);
      if (o != null && !o.hidden()) {
        return o;
      }
    }
    throw new IllegalStateException("no command has " + name);
  }

  private static List<String[]> olderSpellings(Map<String, CommandLine> commands) {
    List<String[]> rows = new ArrayList<>();
    for (Map.Entry<String, CommandLine> e : commands.entrySet()) {
      for (OptionSpec o : e.getValue().getCommandSpec().options()) {
        if (o.hidden()) {
          rows.add(new String[] {e.getKey(), o.longestName(),
              o.description().length == 0 ? "" : o.description()[0]});
        }
      }
    }
    return rows;
  }

  /** Text for one table cell: one line, pipes escaped. */
  private static String cell(String text) {
    return text.strip().replaceAll("\\s*\\R\\s*", " ").replace("|", "\\|");
  }

  private static String stripTrailingSpaces(String text) {
    return text.replaceAll("[ \\t]+(\\R)", "$1");
  }
}
