package dev.zerog.train;

/**
 * Supplies the input blobs of each training step. {@link Trainer} calls it before every step with the step's
 * number (0 for the first) and a {@link Batch} to fill.
 *
 * <p>To train without allocating, fill the batch's tensors in place: {@link Batch#tensor(String)} returns the
 * blob's tensor, which keeps its memory when resized to the same type and size.
 *
 * <pre>{@code
 * BatchFeeder feeder = (step, batch) -> {
 *   Tensor x = batch.tensor("X").resize(DataType.FLOAT, 64, 784);
 *   dataset.copyBatch(step, x.floats());
 * };
 * }</pre>
 */
@FunctionalInterface
public interface BatchFeeder {
  /**
   * Fills the input blobs for step {@code step}.
   *
   * @param step the number of the step about to run, from 0
   * @param batch the input blobs
   */
  void fill(long step, Batch batch);
}
