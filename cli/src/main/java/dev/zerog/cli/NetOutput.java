package dev.zerog.cli;

import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The {@code -o/--out FILE} option of the commands that write a NetDef ({@code grad}, {@code init-net},
 * {@code train-net}, {@code freeze}), as a picocli mixin. {@code --output}, its older spelling, is still read but
 * no longer shown.
 */
final class NetOutput {
  @Option(names = {"-o", "--out"}, paramLabel = "FILE",
      description = "Where to write the net (required); the extension picks the format: .pb binary, .pbtxt text.")
  Path out;

  @Option(names = "--output", paramLabel = "FILE", hidden = true, description = "The older spelling of --out.")
  Path legacyOutput;

  /** The file to write, or a usage error naming {@code --out} when neither spelling was given. */
  Path file(CommandSpec spec) {
    if (out != null && legacyOutput != null && !out.equals(legacyOutput)) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--out and --output (its older spelling) name different files: give --out only");
    }
    if (out != null) {
      return out;
    }
    if (legacyOutput != null) {
      return legacyOutput;
    }
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing required option: '--out=FILE'");
  }
}
