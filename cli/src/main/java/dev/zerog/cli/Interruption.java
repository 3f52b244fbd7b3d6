package dev.zerog.cli;

import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C (SIGINT) or SIGTERM during a long command: instead of dying at once, the command finishes the step it
 * is in, writes what is complete and says where it stopped.
 *
 * <p>The JVM turns those signals into a shutdown, which runs the shutdown hooks and then halts with
 * 128 + the signal's number (130 for Ctrl-C). The hook registered here marks the interruption and waits, up to
 * {@link #GRACE_SECONDS}, for the command to {@link #close()} it; the command checks {@link #requested()} between
 * steps, writes its files (atomically) and its message, and closes. A command that does not close in time is cut
 * short by the halt, after a one-line notice. Closed without an interruption, the hook is removed.
 */
final class Interruption implements AutoCloseable {
  /** How long the hook waits for the command to wrap up. */
  static final long GRACE_SECONDS = 60;

  private final PrintWriter err;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Thread hook;
  private volatile boolean requested;

  private Interruption(PrintWriter err, boolean install) {
    this.err = err;
    if (install) {
      hook = new Thread(this::onShutdown, "zerog-interruption");
      Runtime.getRuntime().addShutdownHook(hook);
    } else {
      hook = null;
    }
  }

  /** Watches for Ctrl-C and SIGTERM from now until {@link #close()}. */
  static Interruption watch(PrintWriter err) {
    return new Interruption(err, true);
  }

  /** An interruption that only {@link #request()} triggers (for tests and embedding). */
  static Interruption manual(PrintWriter err) {
    return new Interruption(err, false);
  }

  /** True once a signal (or {@link #request()}) asked the command to stop. */
  boolean requested() {
    return requested;
  }

  /** Asks the command to stop, as a signal would. */
  void request() {
    requested = true;
  }

  private void onShutdown() {
    requested = true;
    try {
      if (!closed.await(GRACE_SECONDS, TimeUnit.SECONDS)) {
        err.println();
        err.println("interrupted (the current step did not end within " + GRACE_SECONDS + " s; stopping now)");
        err.flush();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The command is done: lets an ongoing shutdown proceed, or removes the hook. */
  @Override
  public void close() {
    closed.countDown();
    if (hook != null && !requested) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // The shutdown has begun meanwhile; the hook returns at once since the latch is open.
      }
    }
  }
}
