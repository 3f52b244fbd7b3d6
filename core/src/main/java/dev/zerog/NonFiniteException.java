package dev.zerog;

/**
 * An operator produced NaN or an infinity, found by the numeric guard of a net
 * ({@link dev.zerog.net.Net#setCheckFinite}). The message names the operator (index and type) and the output
 * blob; {@link #count()}, {@link #firstIndex()} and {@link #firstValue()} tell how many elements are not finite,
 * where the first is and what it holds.
 */
public class NonFiniteException extends ZerogException {
  private static final long serialVersionUID = 1L;

  private final long count;
  private final long firstIndex;
  private final double firstValue;

  /** An error for {@code count} non-finite elements, the first at flat index {@code firstIndex}. */
  public NonFiniteException(String detail, long count, long firstIndex, double firstValue) {
    super(detail);
    this.count = count;
    this.firstIndex = firstIndex;
    this.firstValue = firstValue;
  }

  /** How many elements of the blob are NaN or infinite. */
  public long count() {
    return count;
  }

  /** The flat (row-major) index of the first of them. */
  public long firstIndex() {
    return firstIndex;
  }

  /** The value of the first of them: NaN, positive or negative infinity. */
  public double firstValue() {
    return firstValue;
  }
}
