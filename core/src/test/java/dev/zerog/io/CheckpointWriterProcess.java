package dev.zerog.io;

import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The child process of {@link CheckpointKillTest}: saves checkpoints into a directory without pause, each
 * step's tensors derived from the step ({@link #expected}), and prints {@code saved <step>} after each save,
 * until it is killed. It resumes after the latest checkpoint in the directory.
 */
public final class CheckpointWriterProcess {
  /** Elements of the large tensor: a megabyte, so that a save takes long enough to be interrupted often. */
  static final int ELEMENTS = 1 << 18;

  private CheckpointWriterProcess() {}

  /** The tensors of a step: "W" (FLOAT, large), "b" (DOUBLE), "iter" (INT64 scalar). */
  static Workspace expected(long step) {
    Workspace ws = new Workspace();
    float[] w = new float[ELEMENTS];
    for (int i = 0; i < w.length; i++) {
      w[i] = step + (i & 1023);
    }
    ws.feed("W", Tensor.of(w, 1024, ELEMENTS / 1024));
    ws.feed("b", Tensor.of(new double[] {step, -step, 0.5}));
    ws.feed("iter", Tensor.of(new long[] {step}, new long[0]));
    return ws;
  }

  /** Saves forever into the directory {@code args[0]}. */
  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    long step = Checkpoints.latest(dir).map(p -> Checkpoints.step(p) + 1).orElse(0L);
    while (true) {
      Checkpoints.save(expected(step), List.of("W", "b", "iter"), dir, step);
      out.println("saved " + step);
      Checkpoints.prune(dir, 3);
      step++;
    }
  }
}
