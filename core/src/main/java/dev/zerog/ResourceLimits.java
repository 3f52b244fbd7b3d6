package dev.zerog;

import java.util.Locale;
import java.util.Objects;

/**
 * Caps on the memory that tensors may take: the bytes of one tensor and the bytes of every tensor of one
 * workspace together. A request over a cap is a {@link ResourceLimitException} raised before the memory is
 * allocated, naming the shape, the bytes asked for and the cap, so that a NetDef asking for a huge tensor fails
 * with a clear error instead of exhausting the heap.
 *
 * <p><b>Defaults</b> fit the JVM they run in ({@link Runtime#maxMemory()}): one tensor may take half of the
 * maximum heap, a workspace four fifths of it. The system properties {@value #TENSOR_BYTES_PROPERTY} and
 * {@value #WORKSPACE_BYTES_PROPERTY} override them, as a number of bytes with an optional suffix {@code k},
 * {@code m}, {@code g} or {@code t} (powers of 1024), for example {@code -Dzerog.maxTensorBytes=512m}, or
 * {@code unlimited}. A JVM without a heap limit gets no default caps.
 *
 * <p>Immutable. A {@link dev.zerog.workspace.Workspace} holds the limits its nets run under
 * ({@code Workspace.setLimits}); tensors allocated outside any net are checked against the per-tensor cap of
 * {@link #defaults()}.
 */
public final class ResourceLimits {
  /** The system property that sets the default cap on one tensor's bytes. */
  public static final String TENSOR_BYTES_PROPERTY = "zerog.maxTensorBytes";

  /** The system property that sets the default cap on a workspace's bytes. */
  public static final String WORKSPACE_BYTES_PROPERTY = "zerog.maxWorkspaceBytes";

  /** No cap: a value of {@link Long#MAX_VALUE}. */
  public static final long UNLIMITED = Long.MAX_VALUE;

  private static final ResourceLimits NONE = new ResourceLimits(UNLIMITED, UNLIMITED);

  private final long maxTensorBytes;
  private final long maxWorkspaceBytes;

  private ResourceLimits(long maxTensorBytes, long maxWorkspaceBytes) {
    this.maxTensorBytes = maxTensorBytes;
    this.maxWorkspaceBytes = maxWorkspaceBytes;
  }

  /**
   * Limits with these caps, in bytes ({@link #UNLIMITED} for none).
   *
   * @throws ZerogException if a cap is negative
   */
  public static ResourceLimits of(long maxTensorBytes, long maxWorkspaceBytes) {
    if (maxTensorBytes < 0 || maxWorkspaceBytes < 0) {
      throw new ZerogException("resource limits cannot be negative (max tensor bytes " + maxTensorBytes
          + ", max workspace bytes " + maxWorkspaceBytes + ")");
    }
    return new ResourceLimits(maxTensorBytes, maxWorkspaceBytes);
  }

  /** No caps at all (Java's own array limit still holds: 2^31 - 9 elements). */
  public static ResourceLimits unlimited() {
    return NONE;
  }

  /**
   * The default limits: from the system properties where set, else derived from the JVM's maximum heap (see the
   * class doc). Read afresh on every call, so that a property set at run time takes effect.
   *
   * @throws ZerogException naming the property if a property's value is not a size
   */
  public static ResourceLimits defaults() {
    long heap = Runtime.getRuntime().maxMemory();
    boolean bounded = heap != Long.MAX_VALUE;
    long tensor = bounded ? heap / 2 : UNLIMITED;
    long workspace = bounded ? heap - heap / 5 : UNLIMITED;
    return new ResourceLimits(property(TENSOR_BYTES_PROPERTY, tensor), property(WORKSPACE_BYTES_PROPERTY, workspace));
  }

  /** The cap on the bytes of one tensor. */
  public long maxTensorBytes() {
    return maxTensorBytes;
  }

  /** The cap on the bytes of all the tensors of one workspace together. */
  public long maxWorkspaceBytes() {
    return maxWorkspaceBytes;
  }

  /** These limits with another cap on one tensor's bytes. */
  public ResourceLimits withMaxTensorBytes(long bytes) {
    return of(bytes, maxWorkspaceBytes);
  }

  /** These limits with another cap on a workspace's bytes. */
  public ResourceLimits withMaxWorkspaceBytes(long bytes) {
    return of(maxTensorBytes, bytes);
  }

  /**
   * Parses a size: a non-negative number of bytes with an optional suffix k, m, g or t (case-insensitive, powers
   * of 1024, an optional trailing b), or {@code unlimited}.
   *
   * @throws ZerogException if the text is not a size or the size does not fit 64 bits
   */
  public static long parseSize(String text) {
    Objects.requireNonNull(text, "text");
    String s = text.trim().toLowerCase(Locale.ROOT);
    if (s.equals("unlimited")) {
      return UNLIMITED;
    }
    if (s.endsWith("b") && s.length() > 1 && !Character.isDigit(s.charAt(s.length() - 2))) {
      s = s.substring(0, s.length() - 1);
    }
    int shift = 0;
    if (!s.isEmpty()) {
      switch (s.charAt(s.length() - 1)) {
        case 'k':
          shift = 10;
          break;
        case 'm':
          shift = 20;
          break;
        case 'g':
          shift = 30;
          break;
        case 't':
          shift = 40;
          break;
        default:
          break;
      }
    }
    String digits = shift == 0 ? s : s.substring(0, s.length() - 1);
    if (digits.isEmpty() || digits.length() > 19 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new ZerogException("'" + text + "' is not a size (a number of bytes, optionally with k, m, g or t,"
          + " or 'unlimited')");
    }
    long n;
    try {
      n = Long.parseLong(digits);
    } catch (NumberFormatException e) {
      throw new ZerogException("size '" + text + "' does not fit 64 bits");
    }
    if (shift > 0 && n > (Long.MAX_VALUE >> shift)) {
      throw new ZerogException("size '" + text + "' does not fit 64 bits");
    }
    return n << shift;
  }

  /** A size in bytes for messages: "1536 bytes (1.5 KiB)". */
  public static String describeBytes(long bytes) {
    if (bytes == UNLIMITED) {
      return "unlimited";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (bytes < 1024) {
      return bytes + " bytes";
    }
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return bytes + " bytes (" + String.format(Locale.ROOT, "%.1f", v) + " " + units[u] + ")";
  }

  private static long property(String name, long dflt) {
    String value = System.getProperty(name);
    if (value == null || value.isBlank()) {
      return dflt;
    }
    try {
      return parseSize(value);
    } catch (ZerogException e) {
      throw new ZerogException("system property " + name + ": " + e.detail(), e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ResourceLimits r && r.maxTensorBytes == maxTensorBytes
        && r.maxWorkspaceBytes == maxWorkspaceBytes;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(maxTensorBytes) * 31 + Long.hashCode(maxWorkspaceBytes);
  }

  @Override
  public String toString() {
    return "ResourceLimits(maxTensorBytes=" + describeBytes(maxTensorBytes) + ", maxWorkspaceBytes="
        + describeBytes(maxWorkspaceBytes) + ")";
  }
}
