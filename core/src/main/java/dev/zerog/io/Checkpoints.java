package dev.zerog.io;

import dev.zerog.SchemaException;
import dev.zerog.ZerogException;
import dev.zerog.ZerogIOException;
import dev.zerog.tensor.Allocations;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Crash-safe checkpoints: a workspace's blobs saved to, and loaded from, zerog checkpoint files.
 *
 * <p><b>Format.</b> A {@code .zgc} file: a header, one record per blob (a Caffe2 {@code BlobProto} holding the
 * blob's name and its tensor as a {@code TensorProto}, with a CRC-32C), and a footer with the record count and a
 * CRC-32C of the whole file (docs/robustness.md gives the layout byte by byte). Reading verifies everything, so a
 * truncated or corrupted file is a {@link dev.zerog.MalformedInputException} naming the file, never wrong values.
 *
 * <p><b>Atomic.</b> Every file is written with {@link FileIO#writeAtomically}: to a temporary file in the same
 * directory, flushed, renamed over the target, and the directory flushed. A process killed at any moment leaves
 * either the old file or the new one, complete; at worst a stray temporary file ({@code .checkpoint-….tmp}),
 * which {@link #latest} ignores and {@link #prune} removes.
 *
 * <p><b>Directories of checkpoints.</b> {@link #save(Workspace, Collection, Path, long)} writes
 * {@code checkpoint-<step>.zgc} (the step zero-padded to 12 digits) in a directory; {@link #latest} finds the
 * highest step; {@link #load} puts a checkpoint's tensors into a workspace. One process writes a directory at a
 * time. These methods take trusted paths from the caller: the checks of {@link FileRoot} apply to paths that come
 * from a NetDef (Save and Load operators), not here.
 */
public final class Checkpoints {
  private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);

  /** The extension of a checkpoint file. */
  public static final String EXTENSION = ".zgc";

  private static final Pattern NAME = Pattern.compile("checkpoint-(\\d{1,18})\\.zgc");
  private static final Pattern TEMPORARY = Pattern.compile("\\.checkpoint-\\d{1,18}\\.zgc\\.[0-9a-f]+\\.tmp");

  private Checkpoints() {}

  /** Writes tensors, in the map's order, to a checkpoint file, atomically. */
  public static void write(Map<String, Tensor> tensors, Path file) {
    Objects.requireNonNull(tensors, "tensors");
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      if (e.getKey() == null || e.getKey().isEmpty()) {
        throw new SchemaException("a tensor in a checkpoint needs a non-empty name").atFile(file.toString());
      }
      Objects.requireNonNull(e.getValue(), "tensor");
    }
    FileIO.writeAtomically(file, out -> CheckpointFormat.write(tensors, out));
  }

  /** Every tensor of a checkpoint file, by name, in the file's order, after the whole file is verified. */
  public static Map<String, Tensor> read(Path file) {
    return read(file, name -> true, false);
  }

  /**
   * The tensors of a checkpoint file whose names {@code wanted} accepts, after the whole file is verified (the
   * others are checked but not decoded). With {@code keepDevice}, a tensor stored for a device other than the CPU
   * is an error rather than moved to the CPU.
   *
   * @throws dev.zerog.MalformedInputException naming the file if it is not a valid checkpoint
   * @throws ZerogIOException naming the file if it cannot be read
   */
  public static Map<String, Tensor> read(Path file, Predicate<String> wanted, boolean keepDevice) {
    Objects.requireNonNull(wanted, "wanted");
    long size;
    try {
      if (Files.isDirectory(file)) {
        throw new ZerogIOException("is a directory, not a checkpoint file").atFile(file.toString());
      }
      size = Files.size(file);
    } catch (IOException e) {
      throw FileIO.readError(file, e);
    }
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      Map<String, Tensor> tensors = CheckpointFormat.read(in, size, wanted, keepDevice);
      LOG.debug("read {} tensors from {}", tensors.size(), file);
      return tensors;
    } catch (IOException e) {
      throw FileIO.readError(file, e);
    } catch (ZerogException e) {
      throw e.atFile(file.toString());
    }
  }

  /**
   * Saves the named blobs of a workspace as {@code checkpoint-<step>.zgc} in {@code dir} (created if missing),
   * atomically. Returns the file.
   *
   * @throws SchemaException naming the blob if a blob does not exist or holds no tensor
   */
  public static Path save(Workspace workspace, Collection<String> blobs, Path dir, long step) {
    Objects.requireNonNull(workspace, "workspace");
    if (step < 0) {
      throw new SchemaException("a checkpoint step cannot be negative: " + step);
    }
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (String name : blobs) {
      tensors.put(name, workspace.fetch(name));
    }
    Path file = dir.resolve(fileName(step));
    write(tensors, file);
    LOG.debug("saved {} blobs to {}", tensors.size(), file);
    return file;
  }

  /**
   * Saves the named blobs as the next checkpoint in {@code dir}: the step after {@link #latest}'s, or 0 when there
   * is none. Returns the file.
   */
  public static Path save(Workspace workspace, Collection<String> blobs, Path dir) {
    long next = latest(dir).map(p -> step(p) + 1).orElse(0L);
    return save(workspace, blobs, dir, next);
  }

  /** The checkpoint of the highest step in {@code dir}, or empty when there is none (or no directory). */
  public static Optional<Path> latest(Path dir) {
    Path best = null;
    long bestStep = -1;
    for (Path p : checkpoints(dir)) {
      long s = step(p);
      if (s > bestStep) {
        bestStep = s;
        best = p;
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * Loads every tensor of a checkpoint file into the workspace (the blobs created or replaced) after verifying the
   * whole file, so that a damaged file changes nothing. Returns the names, in the file's order.
   */
  public static List<String> load(Path file, Workspace workspace) {
    Objects.requireNonNull(workspace, "workspace");
    Map<String, Tensor> tensors;
    Allocations.Budget previous = workspace.enterLimits();
    try {
      tensors = read(file);
    } finally {
      Allocations.restore(previous);
    }
    tensors.forEach(workspace::feed);
    return new ArrayList<>(tensors.keySet());
  }

  /** The step of a checkpoint file named {@code checkpoint-<step>.zgc}. */
  public static long step(Path file) {
    Path name = file.getFileName();
    Matcher m = NAME.matcher(name == null ? "" : name.toString());
    if (!m.matches()) {
      throw new ZerogIOException("is not named checkpoint-<step>" + EXTENSION).atFile(file.toString());
    }
    return Long.parseLong(m.group(1));
  }

  /** The file name of the checkpoint of a step: {@code checkpoint-000000000042.zgc}. */
  public static String fileName(long step) {
    return String.format("checkpoint-%012d%s", step, EXTENSION);
  }

  /**
   * Deletes all but the {@code keep} checkpoints of highest step in {@code dir}, and the temporary files that
   * interrupted saves left. Returns the files deleted. Must not run while another process saves into the
   * directory.
   */
  public static List<Path> prune(Path dir, int keep) {
    if (keep < 0) {
      throw new SchemaException("cannot keep a negative number of checkpoints: " + keep);
    }
    List<Path> all = checkpoints(dir);
    all.sort((a, b) -> Long.compare(step(b), step(a)));
    List<Path> deleted = new ArrayList<>();
    for (int i = keep; i < all.size(); i++) {
      delete(all.get(i), deleted);
    }
    for (Path p : list(dir)) {
      if (TEMPORARY.matcher(p.getFileName().toString()).matches()) {
        delete(p, deleted);
      }
    }
    return deleted;
  }

  private static void delete(Path p, List<Path> deleted) {
    try {
      if (Files.deleteIfExists(p)) {
        deleted.add(p);
      }
    } catch (IOException e) {
      throw (ZerogIOException) new ZerogIOException("cannot delete the file: " + e.getMessage(), e)
          .atFile(p.toString());
    }
  }

  private static List<Path> checkpoints(Path dir) {
    List<Path> out = new ArrayList<>();
    for (Path p : list(dir)) {
      if (NAME.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p)) {
        out.add(p);
      }
    }
    return out;
  }

  private static List<Path> list(Path dir) {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        out.add(p);
      }
    } catch (NoSuchFileException e) {
      return out;
    } catch (IOException e) {
      throw FileIO.readError(dir, e);
    }
    return out;
  }
}
