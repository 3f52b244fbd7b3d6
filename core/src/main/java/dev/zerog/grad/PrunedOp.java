package dev.zerog.grad;

import dev.zerog.proto.Caffe2.OperatorDef;
import java.util.Objects;

/**
 * Work the zero-aware backward pass removed from the Caffe2-faithful one: a whole op, or trailing outputs it
 * no longer computes.
 *
 * @param index the op's index in the unpruned backward pass
 * @param op the op as the unpruned pass has it
 * @param reason why it went
 * @param outputsRemoved how many of its outputs are gone (all of them for a removed op)
 * @param flops the estimated floating-point operations saved per run (0 when unknown)
 * @param bytes the bytes of output no longer written per run (0 when unknown)
 */
public record PrunedOp(int index, OperatorDef op, Reason reason, int outputsRemoved, long flops, long bytes) {
  /** Why work was removed. */
  public enum Reason {
    /** Its outputs were known zeros: it is gone, or replaced by a fill that writes nothing. */
    ZERO,
    /** Nothing wanted depends on its outputs (a frozen parameter, a gradient nobody asked for). */
    DEAD,
    /** The op stays, without trailing outputs nobody needs (as FCGradient without dX). */
    SKIPPED_OUTPUTS
  }

  /** Checks the op and reason. */
  public PrunedOp {
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(reason, "reason");
  }

  /** True if the whole op was removed (not just some of its outputs). */
  public boolean removed() {
    return reason != Reason.SKIPPED_OUTPUTS;
  }
}
