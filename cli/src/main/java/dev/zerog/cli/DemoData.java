package dev.zerog.cli;

import dev.zerog.tensor.Tensor;
import dev.zerog.train.Dataset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The demo's generated images (no downloads): 1×16×16 grey images of straight strokes on noise, drawn from a seed,
 * so every run sees the same data.
 *
 * <ul>
 *   <li>Task A, four classes: one stroke, horizontal (0), vertical (1), diagonal {@code \} (2) or diagonal {@code /}
 *       (3), 6 to 10 pixels long, anywhere in the image.</li>
 *   <li>Task B, four classes: two strokes, each anywhere: horizontal and vertical (0), both diagonals (1), horizontal
 *       and {@code \} (2), vertical and {@code /} (3). It needs the orientation detectors task A teaches, combined
 *       differently: what fine-tuning a pretrained trunk is for.</li>
 * </ul>
 *
 * <p>Pixels are 1 on a stroke and 0 elsewhere, plus Gaussian noise of standard deviation 0.3. Blob {@code data} is
 * FLOAT [N, 1, 16, 16], blob {@code label} INT32 [N].
 */
final class DemoData {
  /** The image side. */
  static final int SIZE = 16;
  /** The classes of each task. */
  static final int CLASSES = 4;

  private static final int[][] PAIRS = {{0, 1}, {2, 3}, {0, 2}, {1, 3}};
  private static final double NOISE = 0.6;

  private DemoData() {}

  /** Task A: one stroke per image, labelled by its orientation. */
  static Dataset taskA(int examples, long seed) {
    return generate(examples, seed, false);
  }

  /** Task B: two strokes per image, labelled by the pair of orientations. */
  static Dataset taskB(int examples, long seed) {
    return generate(examples, seed, true);
  }

  private static Dataset generate(int examples, long seed, boolean pairs) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] data = new float[examples * SIZE * SIZE];
    int[] label = new int[examples];
    for (int n = 0; n < examples; n++) {
      int cls = n % CLASSES;
      label[n] = cls;
      int offset = n * SIZE * SIZE;
      for (int i = 0; i < SIZE * SIZE; i++) {
        data[offset + i] = (float) (NOISE * gaussian(r));
      }
      if (pairs) {
        stroke(data, offset, PAIRS[cls][0], r);
        stroke(data, offset, PAIRS[cls][1], r);
      } else {
        stroke(data, offset, cls, r);
      }
    }
    Map<String, Tensor> arrays = new LinkedHashMap<>();
    arrays.put("data", Tensor.of(data, examples, 1, SIZE, SIZE));
    arrays.put("label", Tensor.of(label, examples));
    return Dataset.of(arrays, pairs ? "task B" : "task A");
  }

  /** Draws a stroke of orientation {@code kind} (0 -, 1 |, 2 \, 3 /) at a random place, setting its pixels to 1. */
  private static void stroke(float[] data, int offset, int kind, SplittableRandom r) {
    int length = 6 + r.nextInt(5);
    int span = SIZE - length + 1;
    int row;
    int col;
    switch (kind) {
      case 0:
        row = r.nextInt(SIZE);
        col = r.nextInt(span);
        for (int i = 0; i < length; i++) {
          data[offset + row * SIZE + col + i] = 1;
        }
        break;
      case 1:
        row = r.nextInt(span);
        col = r.nextInt(SIZE);
        for (int i = 0; i < length; i++) {
          data[offset + (row + i) * SIZE + col] = 1;
        }
        break;
      case 2:
        row = r.nextInt(span);
        col = r.nextInt(span);
        for (int i = 0; i < length; i++) {
          data[offset + (row + i) * SIZE + col + i] = 1;
        }
        break;
      default:
        row = r.nextInt(span);
        col = r.nextInt(span);
        for (int i = 0; i < length; i++) {
          data[offset + (row + i) * SIZE + col + length - 1 - i] = 1;
        }
        break;
    }
  }

  /** A standard normal value (Box–Muller with StrictMath, the same on every JVM). */
  private static double gaussian(SplittableRandom r) {
    double u = 1 - r.nextDouble();
    double v = r.nextDouble();
    return StrictMath.sqrt(-2 * StrictMath.log(u)) * StrictMath.cos(2 * StrictMath.PI * v);
  }
}
