package dev.zerog.io;

import dev.zerog.ResourceLimitException;
import dev.zerog.ZerogIOException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reading whole files and writing files atomically, with errors that name the file.
 *
 * <p>{@link #writeAtomically} never leaves a half-written file where the target was: the content goes to a
 * temporary file in the target's directory (named {@code .<name>.<random>.tmp}), is flushed to the device
 * ({@code fsync}), and is then moved over the target in one step ({@code ATOMIC_MOVE}; where the file system
 * cannot do that, a plain replacing move); finally the directory itself is flushed, so that the new name
 * survives a power failure too (where the platform can open a directory for that; Linux and macOS can). If
 * anything fails, the temporary file is removed and the target is untouched. A process killed in the middle
 * leaves the old target intact and, at worst, a stray temporary file.
 * Missing parent directories are created. A target that is a symbolic link is written through: the file it
 * points to is replaced, the link stays.
 */
public final class FileIO {
  private static final Logger LOG = LoggerFactory.getLogger(FileIO.class);

  /** The largest file {@link #readAll} reads: one Java array. */
  public static final long MAX_READ_BYTES = Integer.MAX_VALUE - 8;

  private FileIO() {}

  /** Writes the content of a file to a stream; may be called more than once for one write. */
  @FunctionalInterface
  public interface Content {
    /** Writes the whole content to {@code out} (which the caller closes). */
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * The bytes of a file.
   *
   * @throws ZerogIOException naming the file if it does not exist, is a directory or cannot be read
   * @throws ResourceLimitException if the file is larger than {@link #MAX_READ_BYTES}
   */
  public static byte[] readAll(Path file) {
    try {
      if (Files.isDirectory(file)) {
        throw fileError(file, "is a directory, not a file", null);
      }
      long size = Files.size(file);
      if (size > MAX_READ_BYTES) {
        throw (ResourceLimitException) new ResourceLimitException(
            "file has " + size + " bytes; zerog reads at most " + MAX_READ_BYTES + " bytes into memory")
            .atFile(file.toString());
      }
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw readError(file, e);
    } catch (OutOfMemoryError e) {
      throw (ResourceLimitException) new ResourceLimitException(
          "the Java heap is too small to read the file into memory (raise -Xmx)", e).atFile(file.toString());
    }
  }

  /** Writes {@code bytes} to {@code file} atomically (see the class doc). */
  public static void writeAtomically(Path file, byte[] bytes) {
    writeAtomically(file, out -> out.write(bytes));
  }

  /**
   * Writes what {@code content} produces to {@code file} atomically (see the class doc). A
   * {@link dev.zerog.ZerogException} thrown by {@code content} propagates unchanged, after the temporary
   * file is removed.
   *
   * @throws ZerogIOException naming the file if it cannot be written
   */
  public static void writeAtomically(Path file, Content content) {
    Path target;
    Path tmp = null;
    boolean done = false;
    try {
      target = file.toAbsolutePath();
      if (Files.isSymbolicLink(target) && Files.exists(target)) {
        target = target.toRealPath();
      }
      if (Files.isDirectory(target)) {
        throw fileError(file, "is a directory, not a file", null);
      }
      Path dir = target.getParent();
      if (dir == null) {
        throw fileError(file, "has no parent directory to write a temporary file in", null);
      }
      Files.createDirectories(dir);
      tmp = createTemporary(dir, target.getFileName().toString());
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE);
          OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16)) {
        content.writeTo(out);
        out.flush();
        channel.force(true);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        LOG.debug("{}: the file system cannot move atomically; replacing the file instead", file);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      done = true;
      syncDirectory(dir);
      LOG.debug("wrote {}", file);
    } catch (IOException e) {
      throw writeError(file, e);
    } finally {
      if (!done && tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException e) {
          LOG.warn("{}: could not remove the temporary file {}: {}", file, tmp, e.toString());
        }
      }
    }
  }

  /**
   * Flushes a directory's entries to the device, so that a rename in it is durable. Platforms that cannot open a
   * directory (Windows) are skipped: their file systems make renames durable on their own.
   */
  private static void syncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      LOG.debug("{}: cannot flush the directory ({}); the rename is done but may not be durable yet", dir,
          e.toString());
    }
  }

  private static Path createTemporary(Path dir, String name) throws IOException {
    for (int attempt = 0; ; attempt++) {
      String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
      Path tmp = dir.resolve("." + name + "." + suffix + ".tmp");
      try {
        // Created with the default permissions, so the final file gets them too.
        Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
        return tmp;
      } catch (FileAlreadyExistsException e) {
        if (attempt >= 8) {
          throw e;
        }
      }
    }
  }

  /** An error reading {@code file}, with a sentence that says why. */
  public static ZerogIOException readError(Path file, IOException e) {
    if (e instanceof NoSuchFileException) {
      return fileError(file, "file not found", e);
    }
    if (e instanceof AccessDeniedException) {
      return fileError(file, "permission denied", e);
    }
    return fileError(file, "cannot read the file: " + describe(e), e);
  }

  /** An error writing {@code file}, with a sentence that says why. */
  public static ZerogIOException writeError(Path file, IOException e) {
    if (e instanceof AccessDeniedException) {
      return fileError(file, "cannot write the file: permission denied", e);
    }
    if (e instanceof NoSuchFileException) {
      return fileError(file, "cannot write the file: no such file or directory: " + e.getMessage(), e);
    }
    return fileError(file, "cannot write the file: " + describe(e), e);
  }

  private static ZerogIOException fileError(Path file, String detail, IOException cause) {
    return (ZerogIOException) new ZerogIOException(detail, cause).atFile(file.toString());
  }

  private static String describe(IOException e) {
    String m = e.getMessage();
    return m == null || m.isEmpty() ? e.getClass().getSimpleName() : m;
  }
}
