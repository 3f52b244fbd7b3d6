package dev.zerog.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The progress of a training run on stderr: on a terminal, one line redrawn in place (at most ten times a second)
 * with a bar, the step, the caller's figures (the loss), the time per step and the time left:
 *
 * <pre>train [=========>          ] 120/300  loss 0.4321  3.2 ms/step  ETA 0:01</pre>
 *
 * <p>Elsewhere (a log file, a pipe, a CI job), one line each time another tenth of the steps is done, so that logs
 * stay readable: {@code train: step 30/300 (10%), loss 0.4321, 3.2 ms/step, ETA 0:01}.
 *
 * <p>A small class rather than a progress-bar library: the libraries draw from a thread of their own and detect
 * the terminal through JLine, while a training loop wants a line per tenth in logs, and a last line drawn by the
 * loop itself when Ctrl-C stops it.
 */
final class StepProgress {
  /** Set to {@code true} or {@code false} by the launcher ({@code [ -t 2 ]}) to say whether stderr is a terminal. */
  static final String TERMINAL_PROPERTY = "zerog.stderr.terminal";

  private static final int BAR = 20;
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintWriter err;
  private final String label;
  private final long first;
  private final long total;
  private final boolean terminal;
  private final LongSupplier clock;
  private final long startNanos;
  private long lastDrawNanos;
  private boolean drawn;
  /** When the last update came: the final line's speed is the training's, not counting what follows it. */
  private long updateNanos;
  private long nextTenth;
  private int lastWidth;
  private long done;
  private String figures = "";
  private boolean finished;

  /**
   * A progress display from step {@code first} (steps done before, by a run that is resumed) to {@code total}.
   */
  StepProgress(PrintWriter err, String label, long first, long total, boolean terminal) {
    this(err, label, first, total, terminal, System::nanoTime);
  }

  StepProgress(PrintWriter err, String label, long first, long total, boolean terminal, LongSupplier clock) {
    this.err = err;
    this.label = label;
    this.first = first;
    this.total = total;
    this.terminal = terminal;
    this.clock = clock;
    this.startNanos = clock.getAsLong();
    this.done = first;
    this.nextTenth = tenthAfter(first);
  }

  /** Reports that {@code done} steps are done; {@code figures} (the loss, say) is shown beside the count. */
  void update(long done, String figures) {
    this.done = done;
    this.figures = figures;
    long now = clock.getAsLong();
    updateNanos = now;
    if (terminal) {
      if (!drawn || now - lastDrawNanos >= REDRAW_NANOS || done >= total) {
        drawn = true;
        lastDrawNanos = now;
        draw(now);
      }
    } else if (done >= nextTenth && total > 0) {
      err.println(logLine(now));
      err.flush();
      nextTenth = tenthAfter(done);
    }
  }

  /** Ends the display: the last state drawn and, on a terminal, the line ended. Idempotent. */
  void finish() {
    if (finished) {
      return;
    }
    finished = true;
    if (terminal) {
      draw(done > first ? updateNanos : clock.getAsLong());
      err.println();
      err.flush();
    }
  }

  /** The next multiple of a tenth of {@code total} past {@code steps} (in steps). */
  private long tenthAfter(long steps) {
    if (total <= 0) {
      return Long.MAX_VALUE;
    }
    for (int k = 1; k <= 10; k++) {
      long mark = Math.max(1, total * k / 10);
      if (mark > steps) {
        return mark;
      }
    }
    return Long.MAX_VALUE;
  }

  private void draw(long now) {
    StringBuilder sb = new StringBuilder();
    sb.append(label).append(" [");
    int filled = total <= 0 ? BAR : (int) Math.min(BAR, done * BAR / total);
    for (int i = 0; i < BAR; i++) {
      sb.append(i < filled ? '=' : i == filled ? '>' : ' ');
    }
    sb.append("] ").append(done).append('/').append(total);
    if (!figures.isEmpty()) {
      sb.append("  ").append(figures);
    }
    String speed = speed(now);
    if (!speed.isEmpty()) {
      sb.append("  ").append(speed);
    }
    String eta = eta(now);
    if (!eta.isEmpty() && done < total) {
      sb.append("  ETA ").append(eta);
    }
    int width = sb.length();
    // Blank out what a longer previous line left.
    for (int i = width; i < lastWidth; i++) {
      sb.append(' ');
    }
    lastWidth = width;
    err.print('\r');
    err.print(sb);
    err.flush();
  }

  private String logLine(long now) {
    StringBuilder sb = new StringBuilder();
    sb.append(label).append(": step ").append(done).append('/').append(total);
    sb.append(" (").append(total <= 0 ? 100 : done * 100 / total).append("%)");
    if (!figures.isEmpty()) {
      sb.append(", ").append(figures);
    }
    String speed = speed(now);
    if (!speed.isEmpty()) {
      sb.append(", ").append(speed);
    }
    String eta = eta(now);
    if (!eta.isEmpty() && done < total) {
      sb.append(", ETA ").append(eta);
    }
    return sb.toString();
  }

  private double nanosPerStep(long now) {
    long steps = done - first;
    return steps <= 0 ? Double.NaN : (double) (now - startNanos) / steps;
  }

  private String speed(long now) {
    double perStep = nanosPerStep(now);
    if (Double.isNaN(perStep)) {
      return "";
    }
    double ms = perStep / 1e6;
    return ms < 1000 ? String.format(Locale.ROOT, "%.1f ms/step", ms)
        : String.format(Locale.ROOT, "%.2f s/step", ms / 1000);
  }

  private String eta(long now) {
    double perStep = nanosPerStep(now);
    if (Double.isNaN(perStep)) {
      return "";
    }
    return duration((long) (perStep * (total - done) / 1e9));
  }

  /** {@code m:ss}, or {@code h:mm:ss} from an hour. */
  static String duration(long seconds) {
    long h = seconds / 3600;
    long m = seconds / 60 % 60;
    long s = seconds % 60;
    return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s) : String.format(Locale.ROOT, "%d:%02d", m, s);
  }

  /**
   * Whether stderr is a terminal: what the launcher says ({@link #TERMINAL_PROPERTY}); else, on Linux, whether
   * file descriptor 2 is a terminal device; else whether the JVM has a console. Never with {@code TERM=dumb}.
   */
  static boolean stderrIsTerminal() {
    String told = System.getProperty(TERMINAL_PROPERTY);
    if (told != null) {
      return Boolean.parseBoolean(told);
    }
    if ("dumb".equals(System.getenv("TERM"))) {
      return false;
    }
    Path fd = Path.of("/proc/self/fd/2");
    if (Files.exists(fd, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      try {
        String target = Files.readSymbolicLink(fd).toString();
        return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
      } catch (IOException | UnsupportedOperationException | SecurityException e) {
        return System.console() != null;
      }
    }
    return System.console() != null;
  }
}
