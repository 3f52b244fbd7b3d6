package dev.zerog.bench;

import dev.zerog.net.Net;
import dev.zerog.op.Operator;
import dev.zerog.train.Trainer;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where zerog's MLP training step spends its time and allocates: the train net of {@link ZerogMlpStep}, run
 * operator by operator, each timed with {@link System#nanoTime()} and measured with the thread's allocated-bytes
 * counter; after the warm-up steps, the timed steps are summed per operator type and printed as milliseconds and
 * bytes per step, largest first.
 *
 * <pre>{@code
 * OPENBLAS_NUM_THREADS=2 java -cp bench/target/zerog-bench.jar dev.zerog.bench.ZerogMlpProfile [MlpSpec options]
 * }</pre>
 */
public final class ZerogMlpProfile {
  private ZerogMlpProfile() {}

  /** Runs the profile; options as {@link MlpSpec}. */
  public static void main(String[] args) {
    MlpSpec spec = MlpSpec.parse(args);
    Trainer trainer = ZerogMlpStep.trainer(spec);
    trainer.step(); // runs the init net and creates the trainer's own net
    List<Operator> ops = Net.create(trainer.trainNet(), trainer.workspace()).operators();
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long[] nanos = new long[ops.size()];
    long[] bytes = new long[ops.size()];
    int[] allocatingRuns = new int[ops.size()];
    for (int s = 0; s < spec.warmup() + spec.steps(); s++) {
      boolean timed = s >= spec.warmup();
      for (int i = 0; i < ops.size(); i++) {
        long b0 = threads.getCurrentThreadAllocatedBytes();
        long t0 = System.nanoTime();
        ops.get(i).run();
        long t1 = System.nanoTime();
        long b1 = threads.getCurrentThreadAllocatedBytes();
        if (timed) {
          nanos[i] += t1 - t0;
          bytes[i] += b1 - b0;
          allocatingRuns[i] += b1 > b0 ? 1 : 0;
        }
      }
    }
    Map<String, long[]> byType = new LinkedHashMap<>();
    long sum = 0;
    for (int i = 0; i < ops.size(); i++) {
      long[] agg = byType.computeIfAbsent(ops.get(i).type(), t -> new long[3]);
      agg[0] += nanos[i];
      agg[1] += bytes[i];
      agg[2]++;
      sum += nanos[i];
    }
    long total = sum;
    int steps = spec.steps();
    System.out.println("zerog step profile: " + spec.describe() + ", OPENBLAS_NUM_THREADS="
        + System.getenv("OPENBLAS_NUM_THREADS"));
    System.out.printf(Locale.ROOT, "%-26s %5s %10s %7s %12s%n", "operator", "ops", "ms/step", "share",
        "bytes/step");
    byType.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]))
        .forEach(e -> System.out.printf(Locale.ROOT, "%-26s %5d %10.3f %6.1f%% %12d%n", e.getKey(), e.getValue()[2],
            e.getValue()[0] / 1e6 / steps, 100.0 * e.getValue()[0] / total, e.getValue()[1] / steps));
    System.out.printf(Locale.ROOT, "%-26s %5d %10.3f%n", "total", ops.size(), total / 1e6 / steps);
    for (int i = 0; i < ops.size(); i++) {
      if (allocatingRuns[i] > 0) {
        System.out.printf(Locale.ROOT, "op %d (%s) allocated in %d of %d timed runs, %d bytes in all%n", i,
            ops.get(i).type(), allocatingRuns[i], steps, bytes[i]);
      }
    }
  }
}
