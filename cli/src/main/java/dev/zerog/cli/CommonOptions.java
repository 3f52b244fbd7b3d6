package dev.zerog.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What every subcommand shares, as a picocli mixin: {@code --verbose}, the version provider of {@code -V}, and the
 * sections of the usage help that are the same everywhere (the exit codes, and the heading of the examples each
 * command lists in its footer, which therefore holds only the examples). {@code -h/--help} and {@code -V/--version}
 * come from picocli's {@code mixinStandardHelpOptions}.
 */
@Command(
    versionProvider = Main.Version.class,
    exitCodeListHeading = CommonOptions.EXIT_CODES_HEADING,
    exitCodeList = {CommonOptions.EXIT_OK, CommonOptions.EXIT_FAILED, CommonOptions.EXIT_USAGE},
    footerHeading = CommonOptions.EXAMPLES_HEADING)
final class CommonOptions {
  /** The heading of the exit code list. */
  static final String EXIT_CODES_HEADING = "%nExit codes:%n";
  /** Exit code 0, as picocli's {@code exitCodeList} entry. */
  static final String EXIT_OK = "0:ok";
  /** Exit code 1. */
  static final String EXIT_FAILED = "1:failed: one line starting with 'error:' on stderr (--verbose adds the "
      + "stack trace)";
  /** Exit code 2. */
  static final String EXIT_USAGE = "2:usage error: an unknown or malformed option or argument (see --help)";
  /** Exit code 130, for the commands that stop cleanly on Ctrl-C. */
  static final String EXIT_INTERRUPTED = "130:interrupted (Ctrl-C): what was complete is written";
  /** The heading of the footer, where each command lists its examples. */
  static final String EXAMPLES_HEADING = "%nExamples:%n";

  @Option(names = "--verbose", description = "On error, print the stack trace too.")
  boolean verbose;
}
