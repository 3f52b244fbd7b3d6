package dev.zerog.io;

import dev.zerog.ZerogIOException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The directory under which the files a NetDef names (Save's and Load's {@code db}) must lie.
 *
 * <p>A NetDef is data, possibly from a stranger, so the paths in it are resolved against a root the caller
 * chooses (by default the working directory) and checked before anything is read or written:
 * <ul>
 *   <li>an absolute path is refused;</li>
 *   <li>a path with a {@code ..} element is refused;</li>
 *   <li>a path that leads out of the root through a symbolic link (in a directory on the way, or as the file
 *       itself) is refused, and so is a link whose target does not exist.</li>
 * </ul>
 * The caller may allow paths outside the root ({@link #allowingOutside()}): then absolute paths are used as
 * they are, and relative ones still resolve against the root.
 *
 * <p>The check looks at the file system as it is when the path is resolved; a directory swapped for a link
 * between the check and the write by someone who can write under the root is not guarded against.
 *
 * <p>Immutable.
 */
public final class FileRoot {
  private static final FileRoot WORKING_DIRECTORY = new FileRoot(null, false);

  /** The root, or null for the working directory at the time of resolution. */
  private final Path root;
  private final boolean outsideAllowed;

  private FileRoot(Path root, boolean outsideAllowed) {
    this.root = root;
    this.outsideAllowed = outsideAllowed;
  }

  /** The working directory (the default), paths outside it refused. */
  public static FileRoot workingDirectory() {
    return WORKING_DIRECTORY;
  }

  /** This directory, paths outside it refused. It need not exist yet. */
  public static FileRoot of(Path directory) {
    Objects.requireNonNull(directory, "directory");
    return new FileRoot(directory.toAbsolutePath().normalize(), false);
  }

  /** The same root, with paths outside it allowed. */
  public FileRoot allowingOutside() {
    return new FileRoot(root, true);
  }

  /** The root directory, absolute. */
  public Path directory() {
    return root != null ? root : Path.of("").toAbsolutePath();
  }

  /** True if paths outside the root are allowed. */
  public boolean outsideAllowed() {
    return outsideAllowed;
  }

  /**
   * The file a NetDef's {@code path} names: resolved against the root and checked (see the class doc). The result
   * has no symbolic links in the part of it that exists.
   *
   * @throws ZerogIOException naming the path and why, when it is refused
   */
  public Path resolve(String path) {
    Objects.requireNonNull(path, "path");
    if (path.isEmpty()) {
      throw refused(path, "is empty");
    }
    Path p;
    try {
      p = Path.of(path);
    } catch (InvalidPathException e) {
      throw refused(path, "is not a valid path: " + e.getReason());
    }
    Path dir = directory();
    if (outsideAllowed) {
      return p.isAbsolute() ? p.normalize() : dir.resolve(p).normalize();
    }
    if (p.isAbsolute() || p.getRoot() != null) {
      throw refused(path, "is an absolute path; paths are resolved under the root " + dir
          + ", and absolute ones are refused unless the caller allows files outside it");
    }
    for (Path element : p) {
      if (element.toString().equals("..")) {
        throw refused(path, "has a '..' element; paths must stay under the root " + dir);
      }
    }
    Path target = dir.resolve(p).normalize();
    Path realRoot = real(dir, path);
    Path realTarget = real(target, path);
    if (!realTarget.startsWith(realRoot)) {
      throw refused(path, "leads out of the root " + dir + " through a symbolic link (to " + realTarget + ")");
    }
    return realTarget;
  }

  /**
   * The path with every symbolic link of its longest existing prefix resolved; the part that does not exist yet
   * is appended as it is.
   */
  private static Path real(Path absolute, String given) {
    Path existing = absolute;
    while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return absolute;
    }
    Path realPrefix;
    try {
      realPrefix = existing.toRealPath();
    } catch (IOException e) {
      if (Files.isSymbolicLink(existing)) {
        throw refused(given, "goes through the symbolic link " + existing + ", whose target does not exist");
      }
      throw (ZerogIOException) new ZerogIOException("cannot resolve the path: " + e.getMessage(), e)
          .atFile(given);
    }
    return realPrefix.resolve(existing.relativize(absolute)).normalize();
  }

  private static ZerogIOException refused(String path, String why) {
    return (ZerogIOException) new ZerogIOException("refused: the path " + why).atFile(path);
  }

  @Override
  public String toString() {
    return "FileRoot(" + (root == null ? "working directory" : root) + (outsideAllowed ? ", outside allowed" : "")
        + ")";
  }
}
