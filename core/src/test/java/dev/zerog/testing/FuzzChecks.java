package dev.zerog.testing;

import dev.zerog.ZerogException;

/**
 * What the fuzz targets accept as a correct outcome of hostile input: success, or a {@link ZerogException} with a
 * message that does not hide a programming error. Anything else (a NullPointerException, an
 * IndexOutOfBoundsException, an OutOfMemoryError, ...) escapes and is a finding; so is a ZerogException that
 * merely wraps one (the executor's "internal error" wrapper).
 */
public final class FuzzChecks {
  private FuzzChecks() {}

  /** An action on hostile input. */
  @FunctionalInterface
  public interface Action {
    void run() throws Exception;
  }

  /** Runs the action; a ZerogException is checked and swallowed, anything else escapes. */
  public static void expectZerogErrorsOnly(Action action) throws Exception {
    try {
      action.run();
    } catch (ZerogException e) {
      check(e);
    }
  }

  /**
   * As {@link #expectZerogErrorsOnly(Action)}, and a finding's message ends with {@code input}'s description (the
   * random net and its feeds, say), so that a finding can be read without replaying it.
   */
  public static void expectZerogErrorsOnly(Action action, java.util.function.Supplier<String> input)
      throws Exception {
    try {
      expectZerogErrorsOnly(action);
    } catch (RuntimeException | Error e) {
      if (e instanceof OutOfMemoryError) {
        throw e;
      }
      throw new AssertionError(e.getMessage() + "\non input:\n" + input.get(), e);
    }
  }

  /** Throws an AssertionError when the error is not a clean, user-facing one. */
  public static void check(ZerogException e) {
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      throw new AssertionError("a ZerogException without a message", e);
    }
    for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
      if (c instanceof ZerogException) {
        continue;
      }
      if (c instanceof RuntimeException || (c instanceof Error && !(c instanceof OutOfMemoryError))) {
        throw new AssertionError("a ZerogException hides a programming error: " + message, e);
      }
    }
  }
}
