package dev.zerog.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;

/**
 * The harness of the MLP training-step benchmark's Java sides (the Python side does the same in
 * {@code bench/mlp_step_torch.py}): runs {@code warmup} steps untimed, then {@code steps} steps each timed on its
 * own with {@link System#nanoTime()}, and prints one {@code RESULT} line that {@code bench/run-mlp.sh} reads:
 * median, 10th and 90th percentile and mean of the step times, the process's CPU time over the wall time of the
 * timed steps (about 2 when a side keeps two cores busy, more if it runs more threads than it was given), the
 * loss of the first and the last step, and, on the zerog side, what the timed steps allocated on the Java heap.
 *
 * <p>A manual harness rather than JMH, so that the three sides, one of them in Python, are timed by the same
 * rules. One step is about 0.1 s, so the timer's own cost (tens of nanoseconds) does not matter; the warm-up
 * (30 steps by default, several seconds) is long enough for C2 to compile the loops, which run millions of
 * iterations in every step.
 */
final class StepTimer {
  /** One training step; returns its loss. */
  @FunctionalInterface
  interface Step {
    float run();
  }

  private StepTimer() {}

  /** Runs and times the steps, then prints the {@code RESULT} line for {@code side}. */
  static void run(String side, MlpSpec spec, Step step, String extra) {
    float first = Float.NaN;
    for (int i = 0; i < spec.warmup(); i++) {
      float loss = step.run();
      if (i == 0) {
        first = loss;
      }
    }
    long[] times = new long[spec.steps()];
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long gcBefore = gcCount();
    long allocBefore = threads.getCurrentThreadAllocatedBytes();
    long cpuBefore = os.getProcessCpuTime();
    long wallBefore = System.nanoTime();
    float last = Float.NaN;
    for (int i = 0; i < times.length; i++) {
      long t0 = System.nanoTime();
      last = step.run();
      times[i] = System.nanoTime() - t0;
      if (spec.warmup() == 0 && i == 0) {
        first = last;
      }
    }
    long wall = System.nanoTime() - wallBefore;
    long cpu = os.getProcessCpuTime() - cpuBefore;
    long alloc = threads.getCurrentThreadAllocatedBytes() - allocBefore;
    long gcs = gcCount() - gcBefore;
    if (!Float.isFinite(last)) {
      throw new IllegalStateException(side + ": the loss is " + last + " after " + (spec.warmup() + spec.steps())
          + " steps");
    }
    long[] sorted = times.clone();
    Arrays.sort(sorted);
    double mean = Arrays.stream(times).average().orElse(Double.NaN);
    System.out.println(String.format(Locale.ROOT,
        "RESULT side=%s median_ms=%.2f p10_ms=%.2f p90_ms=%.2f mean_ms=%.2f cpu_per_wall=%.2f loss_first=%.4f "
            + "loss_last=%.4f alloc_bytes_per_step=%d gc_runs=%d%s",
        side, median(sorted) / 1e6, percentile(sorted, 0.10) / 1e6, percentile(sorted, 0.90) / 1e6, mean / 1e6,
        cpu / (double) wall, first, last, alloc / times.length, gcs, extra.isEmpty() ? "" : " " + extra));
  }

  static double median(long[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
  }

  /** The nearest-rank percentile of sorted values. */
  static double percentile(long[] sorted, double q) {
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  private static long gcCount() {
    long n = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      n += Math.max(0, gc.getCollectionCount());
    }
    return n;
  }
}
