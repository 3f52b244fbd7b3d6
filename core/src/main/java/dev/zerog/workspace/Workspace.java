package dev.zerog.workspace;

import dev.zerog.ResourceLimits;
import dev.zerog.SchemaException;
import dev.zerog.io.FileRoot;
import dev.zerog.tensor.Allocations;
import dev.zerog.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Named blobs that nets read and write, as Caffe2's Workspace.
 *
 * <p><b>Threads.</b> A workspace is single-threaded by design: one thread uses it (and the nets created on it,
 * and the tensors in its blobs) at a time, with no locking; handing it to another thread needs the usual
 * happens-before edge (a thread start, a queue, a future). Separate workspaces share nothing and may run
 * concurrently; what they may share is immutable: NetDefs (protobuf messages), the
 * {@link dev.zerog.op.OperatorRegistry}, {@link ResourceLimits} and {@link FileRoot}.
 *
 * <p><b>Limits.</b> The tensors allocated while a net created on this workspace is created or run are checked
 * against {@link #limits()} (by default {@link ResourceLimits#defaults()}): one tensor's bytes, and the bytes of
 * every tensor in the workspace together. Tensors given with {@link #feed} are not checked, but count towards the
 * total.
 *
 * <p><b>Files.</b> Operators that read or write files (Save, Load) resolve the paths a net gives under
 * {@link #fileRoot()}, by default the working directory, as Caffe2 resolves them under the workspace's root
 * folder.
 */
public final class Workspace {
  private final Map<String, Blob> blobs = new LinkedHashMap<>();
  private final WorkspaceBudget budget = new WorkspaceBudget(this);
  private ResourceLimits limits;
  private FileRoot fileRoot = FileRoot.workingDirectory();

  /** An empty workspace with the default limits ({@link ResourceLimits#defaults()}). */
  public Workspace() {
    this(ResourceLimits.defaults());
  }

  /** An empty workspace with these limits. */
  public Workspace(ResourceLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /** The limits that nets created on this workspace run under. */
  public ResourceLimits limits() {
    return limits;
  }

  /** Sets the limits for the allocations from now on. Returns this workspace. */
  public Workspace setLimits(ResourceLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
    return this;
  }

  /** The directory the file paths of a net resolve under, and whether paths outside it are allowed. */
  public FileRoot fileRoot() {
    return fileRoot;
  }

  /** Sets the directory the file paths of a net resolve under. Returns this workspace. */
  public Workspace setFileRoot(FileRoot fileRoot) {
    this.fileRoot = Objects.requireNonNull(fileRoot, "fileRoot");
    return this;
  }

  /**
   * Makes this workspace's limits hold for the tensors the current thread allocates ({@link Allocations#enter}),
   * until the returned previous budget is given back to {@link Allocations#restore}. {@link dev.zerog.net.Net}
   * does this around creating and running operators. Allocates nothing.
   */
  public Allocations.Budget enterLimits() {
    budget.reset();
    return Allocations.enter(budget);
  }

  /** The blob of that name, created empty if it does not exist. */
  public Blob createBlob(String name) {
    Objects.requireNonNull(name, "name");
    return blobs.computeIfAbsent(name, Blob::new);
  }

  /** The blob of that name, or null if there is none. */
  public Blob getBlob(String name) {
    return blobs.get(name);
  }

  /** True if a blob of that name exists (it may be empty). */
  public boolean hasBlob(String name) {
    return blobs.containsKey(name);
  }

  /** Removes a blob; true if it existed. */
  public boolean removeBlob(String name) {
    return blobs.remove(name) != null;
  }

  /** Stores {@code tensor} (not copied) in the blob of that name, creating it if needed. */
  public void feed(String name, Tensor tensor) {
    createBlob(name).set(Objects.requireNonNull(tensor, "tensor"));
  }

  /** The tensor in the blob of that name; an error naming the blob when it does not exist or is empty. */
  public Tensor fetch(String name) {
    Blob b = blobs.get(name);
    if (b == null) {
      throw (SchemaException) new SchemaException("no such blob in the workspace").atBlob(name);
    }
    return b.tensor();
  }

  /** The names of every blob, in creation order (a read-only view). */
  public Set<String> blobNames() {
    return Collections.unmodifiableSet(blobs.keySet());
  }

  /** The bytes of tensor memory held by every blob right now. */
  public long materializedBytes() {
    long n = 0;
    for (Blob b : blobs.values()) {
      if (b.isTensor()) {
        n += ((Tensor) b.get()).materializedBytes();
      }
    }
    return n;
  }

  /** Removes every blob. */
  public void clear() {
    blobs.clear();
  }
}
