package dev.zerog.tensor;

import dev.zerog.ResourceLimitException;
import dev.zerog.ResourceLimits;
import java.util.Objects;

/**
 * The check every tensor allocation passes before it takes memory.
 *
 * <p>A tensor allocates an element array when it is created with {@link Tensor#allocate}, resized to another
 * type or element count, copied, or when a known zero is materialized. Before that, the thread's current
 * {@link Budget} is asked; it refuses with a {@link ResourceLimitException} that names the type, the shape and
 * the bytes. A {@link dev.zerog.net.Net} enters its workspace's budget while it creates and runs its operators, so
 * that the workspace's {@link ResourceLimits} hold; with no budget entered, the per-tensor cap of
 * {@link ResourceLimits#defaults()} holds.
 *
 * <p>The current budget belongs to the thread that enters it, as a workspace belongs to one thread at a time.
 */
public final class Allocations {
  private static final ThreadLocal<Budget> CURRENT = new ThreadLocal<>();

  private Allocations() {}

  /** What the allocations of a thread are checked against while it is entered. */
  public interface Budget {
    /**
     * Called before a tensor allocates an array of {@code bytes} for a tensor of this type and shape, which
     * replaces an array of {@code releasedBytes} (0 if none); refuses with a {@link ResourceLimitException}.
     */
    void reserve(DataType dtype, long[] dims, long bytes, long releasedBytes);
  }

  /**
   * Makes {@code budget} the current thread's budget and returns the one it replaces (null for none), which the
   * caller gives to {@link #restore} when done, in a {@code finally} block. Allocates nothing, so that a net may
   * enter its workspace's budget on every run.
   */
  public static Budget enter(Budget budget) {
    Objects.requireNonNull(budget, "budget");
    Budget previous = CURRENT.get();
    CURRENT.set(budget);
    return previous;
  }

  /** Makes {@code previous} (what {@link #enter} returned; null for none) the current thread's budget again. */
  public static void restore(Budget previous) {
    CURRENT.set(previous);
  }

  /** The bytes an array of {@code elements} elements of this type takes (references count 8 bytes for STRING). */
  public static long bytesOf(DataType dtype, long elements) {
    int item = dtype == DataType.STRING ? 8 : dtype.itemSize();
    return elements > Long.MAX_VALUE / item ? Long.MAX_VALUE : elements * item;
  }

  /**
   * The per-tensor check against a cap: a {@link ResourceLimitException} when a tensor of this type and shape
   * needs more than {@code maxTensorBytes}.
   */
  public static void checkTensorCap(DataType dtype, long[] dims, long bytes, long maxTensorBytes) {
    if (bytes > maxTensorBytes) {
      throw new ResourceLimitException("a " + dtype + " tensor of shape " + Shapes.format(dims) + " needs "
          + ResourceLimits.describeBytes(bytes) + "; one tensor may take at most "
          + ResourceLimits.describeBytes(maxTensorBytes) + " (-D" + ResourceLimits.TENSOR_BYTES_PROPERTY
          + " or ResourceLimits)");
    }
  }

  /** Checks an allocation of {@code elements} elements against the current budget; see the class doc. */
  static void check(DataType dtype, long[] dims, long elements, long releasedBytes) {
    long bytes = bytesOf(dtype, elements);
    Budget budget = CURRENT.get();
    if (budget != null) {
      budget.reserve(dtype, dims, bytes, releasedBytes);
    } else if (bytes > 0) {
      checkTensorCap(dtype, dims, bytes, ResourceLimits.defaults().maxTensorBytes());
    }
  }
}
