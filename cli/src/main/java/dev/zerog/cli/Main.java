package dev.zerog.cli;

import dev.zerog.ZerogException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code zerog} command.
 *
 * <p>Exit codes: 0 success, 1 failure (bad input, an error while running), 2 usage error. Errors print one line
 * starting with {@code error:} on stderr; {@code --verbose} adds the stack trace.
 */
@Command(
    name = "zerog",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Caffe2 NetDefs on the JVM, with exact gradient control (ZeroGradient, StopGradient).",
    subcommands = {OpsCommand.class, RunCommand.class, GradCommand.class, AuditCommand.class, ShapesCommand.class,
        InitNetCommand.class, TrainNetCommand.class, FreezeCommand.class, CheckCommand.class, TrainCommand.class,
        DemoCommand.class,
        CommandLine.HelpCommand.class},
    footer = {"", "Start with: zerog demo   (fine-tuning with a frozen trunk, three ways; about a minute)",
        "", "Exit codes: 0 ok, 1 failed, 2 usage error.",
        "Example: zerog run examples/zero_gradient.pbtxt"})
public final class Main implements Runnable {
  /** The exit code for a failure. */
  static final int FAILED = 1;
  /** The exit code for a usage error. */
  static final int USAGE = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
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

  private static int handleUsage(CommandLine.ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    PrintWriter err = cl.getErr();
    err.println("error: " + e.getMessage());
    err.println("Run '" + cl.getCommandSpec().qualifiedName() + " --help' for usage.");
    err.flush();
    return USAGE;
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
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    int code = execute(out, err, args);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** The version, from the jar's manifest (Maven fills Implementation-Version). */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"zerog " + (v == null ? "(development build)" : v),
          "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"};
    }
  }
}
