package dev.zerog.grad;

import java.util.List;
import java.util.Objects;

/**
 * Where a parameter's gradient comes from, as the zero-aware backward pass finds it.
 *
 * @param status real, zero, none or frozen
 * @param causeOp for a zero gradient, the forward op that made it zero (a ZeroGradient, a GradientMask with an
 *     all-zero mask); for no gradient, the op that stops it on the way to the loss (a StopGradient, or another op
 *     without a gradient); -1 when there is none (a real or frozen gradient, a parameter the loss does not read)
 * @param causeType that op's type, or null
 * @param path the forward blobs from the parameter to the cause's input, in forward order (the parameter first);
 *     empty without a cause
 */
public record ParameterGradient(Status status, int causeOp, String causeType, List<String> path) {
  /** The four states of a parameter's gradient. */
  public enum Status {
    /** A gradient is computed and may be nonzero. */
    REAL,
    /** The gradient is known to be zero before anything runs; pruning computes nothing for it. */
    ZERO,
    /** The parameter gets no gradient: the loss does not reach it, or a StopGradient cuts it off. */
    NONE,
    /** The caller froze it: no gradient ops, no update ops. */
    FROZEN;

    /** The lower-case name ("real", "zero", "none", "frozen"), as the audit prints it. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** Copies the path. */
  public ParameterGradient {
    Objects.requireNonNull(status, "status");
    path = List.copyOf(path);
  }

  /** "#3 ZeroGradient", or null without a cause. */
  public String cause() {
    return causeOp < 0 ? null : "#" + causeOp + " " + causeType;
  }
}
