package dev.zerog.workspace;

import dev.zerog.ResourceLimitException;
import dev.zerog.ResourceLimits;
import dev.zerog.tensor.Allocations;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;

/**
 * A workspace's memory budget: every allocation is checked against the per-tensor cap, and against the
 * workspace cap counting the bytes its blobs hold. The bytes held are counted once, at the first allocation
 * after the budget is entered, and then kept up to date by the allocations themselves, so that the steady state
 * of a net (which allocates nothing) costs nothing.
 */
final class WorkspaceBudget implements Allocations.Budget {
  private final Workspace workspace;
  /** The bytes the workspace holds, or -1 when not counted since the budget was last entered. */
  private long held = -1;

  WorkspaceBudget(Workspace workspace) {
    this.workspace = workspace;
  }

  /** Forgets the count, which is taken again at the next allocation. */
  void reset() {
    held = -1;
  }

  @Override
  public void reserve(DataType dtype, long[] dims, long bytes, long releasedBytes) {
    ResourceLimits limits = workspace.limits();
    Allocations.checkTensorCap(dtype, dims, bytes, limits.maxTensorBytes());
    long max = limits.maxWorkspaceBytes();
    if (max == ResourceLimits.UNLIMITED) {
      return;
    }
    if (held < 0) {
      held = workspace.materializedBytes();
    }
    long after = held - Math.min(releasedBytes, held);
    after = bytes > Long.MAX_VALUE - after ? Long.MAX_VALUE : after + bytes;
    if (after > max) {
      throw new ResourceLimitException("a " + dtype + " tensor of shape " + Shapes.format(dims) + " needs "
          + ResourceLimits.describeBytes(bytes) + ", which would bring the workspace to "
          + ResourceLimits.describeBytes(after) + "; a workspace may hold at most "
          + ResourceLimits.describeBytes(max) + " (-D" + ResourceLimits.WORKSPACE_BYTES_PROPERTY
          + " or Workspace.setLimits)");
    }
    held = after;
  }
}
