package dev.zerog.ops.io;

import dev.zerog.SchemaException;
import dev.zerog.io.FileRoot;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * The rules Save and Load share: which {@code db_type} zerog has, how a {@code db} resolves under the workspace's
 * {@link FileRoot}, and how {@code strip_prefix} cuts a blob name.
 */
final class DbPaths {
  /** The one db_type zerog reads and writes: its checkpoint format. */
  static final String DB_TYPE = "zerog";

  private DbPaths() {}

  /** Checks a db_type argument: required, and zerog's. */
  static void checkDbType(String dbType) {
    if (dbType.isEmpty()) {
      throw new SchemaException("argument 'db_type' is required; zerog reads and writes db_type \"" + DB_TYPE
          + "\" (its checkpoint format)");
    }
    if (!dbType.equals(DB_TYPE)) {
      throw new SchemaException("db_type \"" + dbType + "\" is not supported; zerog reads and writes db_type \""
          + DB_TYPE + "\", its own checkpoint format (docs/robustness.md), not Caffe2's minidb, leveldb or lmdb");
    }
  }

  /**
   * The file of a db argument. An absolute db needs {@code absolute_path: 1}, as in Caffe2, and the caller's
   * permission for files outside the root; everything else resolves under the root ({@link FileRoot#resolve}).
   */
  static Path resolve(FileRoot root, String db, boolean absolutePath) {
    if (!absolutePath && isAbsolute(db)) {
      throw new SchemaException("db '" + db + "' is an absolute path but absolute_path is 0; zerog resolves db"
          + " under the root (" + root.directory() + ")");
    }
    return root.resolve(db);
  }

  private static boolean isAbsolute(String db) {
    try {
      return !db.isEmpty() && Path.of(db).isAbsolute();
    } catch (InvalidPathException e) {
      return false; // FileRoot.resolve reports it
    }
  }

  /**
   * The name with everything up to and including the first occurrence of {@code prefix} removed, or the name
   * unchanged when it does not contain it (or the prefix is empty), as Caffe2's strip_prefix.
   */
  static String strip(String name, String prefix) {
    if (prefix.isEmpty()) {
      return name;
    }
    int at = name.indexOf(prefix);
    return at < 0 ? name : name.substring(at + prefix.length());
  }
}
