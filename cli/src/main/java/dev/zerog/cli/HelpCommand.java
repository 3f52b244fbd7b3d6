package dev.zerog.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code zerog help [COMMAND]}: the usage help of zerog or of one of its commands. */
@Command(
    name = "help",
    mixinStandardHelpOptions = true,
    header = "The help of a command, or the list of commands.",
    description = "With COMMAND, what 'zerog COMMAND --help' prints; without, what 'zerog --help' prints: the "
        + "commands, zerog's own options and the exit codes.",
    footer = {"  zerog help", "  zerog help grad"})
final class HelpCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Parameters(index = "0", arity = "0..1", paramLabel = "COMMAND", description = "The command to explain.")
  String command;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    CommandLine root = spec.root().commandLine();
    PrintWriter out = spec.commandLine().getOut();
    if (command == null) {
      root.usage(out);
    } else {
      CommandLine sub = root.getSubcommands().get(command);
      if (sub == null) {
        throw new CommandLine.ParameterException(spec.commandLine(), "unknown command '" + command
            + "' (the commands: " + String.join(", ", root.getSubcommands().keySet()) + ")");
      }
      sub.usage(out);
    }
    out.flush();
    return 0;
  }
}
