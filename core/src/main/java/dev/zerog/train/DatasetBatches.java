package dev.zerog.train;

import dev.zerog.SchemaException;
import dev.zerog.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * The feeder of {@link Dataset#batches}: step {@code s} gets the examples at positions {@code s·size} to
 * {@code s·size + size - 1} of the endless sequence made of pass after pass over the data, each pass in order or
 * in its own permutation. Rows are copied with {@link System#arraycopy} into each blob's tensor, resized in place.
 */
final class DatasetBatches implements BatchFeeder {
  /** Mixes a pass's number into the seed, so that each pass gets an unrelated permutation. */
  private static final long PASS_GAMMA = 0x9E3779B97F4A7C15L;

  private final String[] names;
  private final Tensor[] arrays;
  private final long[][] batchDims;
  private final int[] rowLengths;
  private final int size;
  private final int examples;
  private final boolean shuffle;
  private final long seed;
  /** Two cached permutations (a batch spans at most two passes), with their pass numbers. */
  private final int[][] orders = new int[2][];
  private final long[] orderPasses = {-1, -1};

  DatasetBatches(Dataset data, int size, boolean shuffle, long seed) {
    this.examples = data.examples();
    if (size < 1) {
      throw new SchemaException("a batch needs at least 1 example, got " + size).atFile(data.source());
    }
    if (size > examples) {
      throw new SchemaException("a batch of " + size + " examples is larger than the data, which holds "
          + examples).atFile(data.source());
    }
    this.size = size;
    this.shuffle = shuffle;
    this.seed = seed;
    int n = data.arrays().size();
    names = new String[n];
    arrays = new Tensor[n];
    batchDims = new long[n][];
    rowLengths = new int[n];
    int k = 0;
    for (var e : data.arrays().entrySet()) {
      names[k] = e.getKey();
      arrays[k] = e.getValue();
      long[] dims = e.getValue().dims();
      dims[0] = size;
      batchDims[k] = dims;
      rowLengths[k] = e.getValue().size() / examples;
      k++;
    }
  }

  @Override
  public void fill(long step, Batch batch) {
    if (step < 0) {
      throw new SchemaException("a step number cannot be negative: " + step);
    }
    long start;
    try {
      start = Math.multiplyExact(step, (long) size);
      Math.addExact(start, (long) size);
    } catch (ArithmeticException e) {
      throw new SchemaException("step " + step + " is past the last batch a 64-bit position can address");
    }
    for (int k = 0; k < names.length; k++) {
      Tensor src = arrays[k];
      Tensor dst = batch.tensor(names[k]).resize(src.dtype(), batchDims[k]);
      Object from = src.data();
      Object to = dst.data();
      int row = rowLengths[k];
      for (int j = 0; j < size; j++) {
        long p = start + j;
        int example = example(p / examples, (int) (p % examples));
        System.arraycopy(from, example * row, to, j * row, row);
      }
    }
  }

  /** The example at position {@code index} of pass {@code pass}. */
  private int example(long pass, int index) {
    if (!shuffle) {
      return index;
    }
    return order(pass)[index];
  }

  private int[] order(long pass) {
    for (int i = 0; i < 2; i++) {
      if (orderPasses[i] == pass) {
        return orders[i];
      }
    }
    // Replace the permutation of the older pass.
    int slot = orderPasses[0] <= orderPasses[1] ? 0 : 1;
    int[] order = orders[slot] != null ? orders[slot] : new int[examples];
    for (int i = 0; i < examples; i++) {
      order[i] = i;
    }
    SplittableRandom random = new SplittableRandom(seed + pass * PASS_GAMMA);
    for (int i = examples - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    orders[slot] = order;
    orderPasses[slot] = pass;
    return order;
  }
}
