package dev.zerog.cli;

import dev.zerog.ZerogException;
import dev.zerog.blas.Blas;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code zerog} command.
 *
 * <p>Exit codes: 0 success, 1 failure (bad input, an error while running), 2 usage error. Errors print one line
 * starting with {@code error:} on stderr; {@code --verbose} adds the stack trace. A usage error adds a second line
 * that points to the command's {@code --help}.
 */
@Command(
    name = "zerog",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Caffe2 NetDefs on the JVM, with exact gradient control.",
    subcommands = {OpsCommand.class, RunCommand.class, GradCommand.class, AuditCommand.class, ShapesCommand.class,
        InitNetCommand.class, TrainNetCommand.class, FreezeCommand.class, CheckCommand.class, TrainCommand.class,
        DrawCommand.class, DemoCommand.class, CompletionCommand.class, HelpCommand.class},
    exitCodeListHeading = CommonOptions.EXIT_CODES_HEADING,
    exitCodeList = {CommonOptions.EXIT_OK, CommonOptions.EXIT_FAILED, CommonOptions.EXIT_USAGE},
    footerHeading = "%nStart here:%n",
    footer = {"  zerog demo              the fine-tuning demo: three ways to freeze, compared",
        "  zerog COMMAND --help    a command's options and examples (all in docs/cli.md)",
        "  zerog run examples/zero_gradient.pbtxt"})
public final class Main implements Runnable {
  /** The exit code for a failure. */
  static final int FAILED = 1;
  /** The exit code for a usage error. */
  static final int USAGE = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--markdown", description = "Print the reference of all the commands as Markdown.")
  boolean markdown;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    if (markdown) {
      out.print(CliReference.markdown());
    } else {
      out.print(shortUsage(spec.commandLine()));
    }
    out.flush();
  }

  /** What {@code zerog} alone prints: the commands and where to start, without the options and exit codes. */
  static String shortUsage(CommandLine cl) {
    CommandLine.Help help = cl.getHelp();
    return "zerog: " + cl.getCommandSpec().usageMessage().description()[0] + "\n\n"
        + "Usage: zerog COMMAND [OPTION]... [ARGUMENT]...\n\n"
        + help.commandListHeading() + help.commandList()
        + help.footerHeading() + help.footer()
        + "\nzerog --help: also the options and the exit codes.\n"
        + "zerog --version: zerog's version, Java's and the BLAS in use.\n";
  }

  /** Runs the command with these arguments and returns its exit code (for tests and embedding). */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cl = commandLine();
    cl.setOut(out);
    cl.setErr(err);
    try {
      return cl.execute(args);
    } catch (OutOfMemoryError e) {
      err.println("error: the Java heap ran out of memory (raise it with ZEROG_JAVA_OPTS=-Xmx..., or lower"
          + " --max-tensor-bytes and --max-workspace-bytes so that zerog refuses first)");
    } catch (StackOverflowError e) {
      err.println("error: the thread's stack overflowed (the input nests too deeply)");
    }
    err.flush();
    return FAILED;
  }

  /** The command line with zerog's error handling: the model the CLI runs, and the one its docs are made from. */
  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler(Main::handleError);
    cl.setParameterExceptionHandler(Main::handleUsage);
    cl.setExitCodeExceptionMapper(e -> FAILED);
    return cl;
  }

  private static int handleError(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
    PrintWriter err = cl.getErr();
    boolean verbose = isVerbose(parsed);
    if (e instanceof ZerogException) {
      err.println("error: " + e.getMessage());
    } else if (e instanceof java.io.UncheckedIOException || e instanceof java.io.IOException) {
      err.println("error: " + e.getMessage());
    } else {
      err.println("error: internal error: " + e);
    }
    if (verbose) {
      e.printStackTrace(err);
    }
    err.flush();
    return FAILED;
  }

  /** One line {@code error: ...}, then one line pointing to the help of the command that was being parsed. */
  private static int handleUsage(CommandLine.ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    PrintWriter err = cl.getErr();
    String message = oneLine(e.getMessage());
    List<String> suggestions = List.of();
    if (e instanceof CommandLine.UnmatchedArgumentException unmatched) {
      List<String> rest = unmatched.getUnmatched();
      String first = rest.isEmpty() ? "" : rest.get(0);
      if (!unmatched.isUnknownOption() && !cl.getSubcommands().isEmpty() && !first.startsWith("-")) {
        message = "unknown command '" + first + "'";
        suggestions = similarNames(first, cl.getSubcommands().keySet());
      } else {
        suggestions = unmatched.getSuggestions();
      }
    }
    err.println("error: " + message);
    String hint = "Run '" + cl.getCommandSpec().qualifiedName() + " --help' for usage.";
    if (!suggestions.isEmpty()) {
      hint = "Did you mean " + String.join(" or ", suggestions.subList(0, Math.min(3, suggestions.size())))
          + "? " + hint;
    }
    err.println(hint);
    err.flush();
    return USAGE;
  }

  /** The names within two edits of {@code typed}, or that start with it, closest first. */
  static List<String> similarNames(String typed, Collection<String> names) {
    List<String> close = new ArrayList<>();
    for (String n : names) {
      if (editDistance(typed, n) <= 2 || (typed.length() >= 2 && n.startsWith(typed))) {
        close.add(n);
      }
    }
    close.sort(Comparator.comparingInt(n -> editDistance(typed, n)));
    return close;
  }

  /** Levenshtein distance, counting a swap of two neighbours as one edit. */
  static int editDistance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  private static String oneLine(String message) {
    return message == null ? "bad usage" : message.strip().replaceAll("\\s*\\R\\s*", "; ");
  }

  private static boolean isVerbose(CommandLine.ParseResult parsed) {
    for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }

  public static void main(String[] args) {
    // zerog draw renders PNGs with Java2D: never open a display (nor a dock icon) for that.
    System.setProperty("java.awt.headless", "true");
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    int code = execute(out, err, args);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /**
   * {@code --version}: zerog's version (the Maven project version, which the build writes into
   * {@code dev/zerog/cli/version.properties}), the Java runtime, and the BLAS the matrix products use.
   */
  static final class Version implements CommandLine.IVersionProvider {
    /** The resource the build fills with the project version. */
    static final String RESOURCE = "version.properties";

    @Override
    public String[] getVersion() {
      return new String[] {"zerog " + zerogVersion(),
          "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ", "
              + System.getProperty("java.vm.name") + ")",
          "BLAS " + blas()};
    }

    /** The project version, or {@code (development build)} when the resource was not filled by Maven. */
    static String zerogVersion() {
      Properties p = new Properties();
      try (InputStream in = Main.class.getResourceAsStream(RESOURCE)) {
        if (in != null) {
          p.load(in);
        }
      } catch (IOException e) {
        return "(development build)";
      }
      String v = p.getProperty("version", "");
      return v.isBlank() || v.startsWith("${") ? "(development build)" : v.strip();
    }

    private static String blas() {
      try {
        Blas b = Blas.get();
        return b.name() + ", " + b.threads() + (b.threads() == 1 ? " thread" : " threads");
      } catch (ZerogException | LinkageError e) {
        return "unavailable: " + e.getMessage();
      }
    }
  }
}
