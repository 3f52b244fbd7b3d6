package dev.zerog.train;

import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.Objects;

/**
 * The input blobs of a training step, as a {@link BatchFeeder} sees them: a view of the trainer's workspace
 * limited to getting and setting tensors by name.
 */
public final class Batch {
  private final Workspace workspace;

  Batch(Workspace workspace) {
    this.workspace = workspace;
  }

  /**
   * The tensor of blob {@code name}, created (empty) with its blob when there is none yet. Fill it in place:
   * {@link Tensor#resize} keeps its memory when the type and size do not change, so refilling it every step
   * allocates nothing.
   */
  public Tensor tensor(String name) {
    return workspace.createBlob(Objects.requireNonNull(name, "name")).getOrCreateTensor();
  }

  /** Stores {@code tensor} (not copied) in blob {@code name}, replacing what was there. */
  public void set(String name, Tensor tensor) {
    workspace.feed(Objects.requireNonNull(name, "name"), tensor);
  }
}
