package dev.zerog.ops.io;

import dev.zerog.SchemaException;
import dev.zerog.ZerogException;
import dev.zerog.io.Checkpoints;
import dev.zerog.io.FileRoot;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.Arity;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Save: writes its input blobs to one zerog checkpoint file, atomically, as Caffe2's Save writes them to a db.
 *
 * <p>The file is {@code db}, resolved under the workspace's file root ({@link FileRoot}): an absolute path, a
 * {@code ..} element or a symbolic link leading out of the root is refused when the net is created, before
 * anything is written, unless the caller allowed files outside the root. Each blob is stored under its name, its
 * name with {@code strip_prefix} cut off (everything up to and including the prefix's first occurrence), or the
 * matching entry of {@code blob_name_overrides}; two blobs stored under the same name are an error.
 */
final class Save extends Operator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("Save")
      .inputs(Arity.atLeast(1))
      .outputs(0)
      .doc("Saves the input tensors to one checkpoint file, written atomically (a temporary file, flushed, then "
          + "renamed over `db`): a crash leaves the previous file intact.\n\n"
          + "`db` is resolved under the workspace's file root (by default the working directory); an absolute "
          + "path (which needs `absolute_path: 1`, as in Caffe2), a `..` element, or a symbolic link leading out "
          + "of the root is refused before anything is written, unless the caller allows files outside the root. "
          + "`db_type` must be \"zerog\": the checkpoint format with CRC-32C checksums described in "
          + "docs/robustness.md (Caffe2's minidb, leveldb and lmdb are not supported).\n\n"
          + "Each tensor is stored under its blob name, cut by `strip_prefix` (everything up to and including "
          + "the prefix's first occurrence), or under the matching name of `blob_name_overrides`; two tensors "
          + "stored under the same name are an error. `chunk_size` is accepted and ignored: every tensor is "
          + "stored whole.")
      .input("X...", "the tensors to save")
      .arg("db", ArgType.STRING, "the file to write (required), relative to the file root")
      .arg("db_type", ArgType.STRING, "must be \"zerog\" (required)")
      .arg("absolute_path", ArgType.INT, "1: db may be an absolute path (allowed only outside-root access)")
      .arg("strip_prefix", ArgType.STRING, "cut from each blob name, with everything before it")
      .arg("blob_name_overrides", ArgType.STRINGS, "the names to store the inputs under, one per input")
      .arg("chunk_size", ArgType.INT, "ignored: zerog stores every tensor whole")
      .inference((def, args, in) -> List.of())
      .build();

  static final OperatorDefinition DEFINITION = OperatorDefinition.builder(SCHEMA).cpu(Save::new).noGradient()
      .build();

  private final Workspace workspace;
  private final String db;
  private final boolean absolutePath;
  private final List<String> names;

  Save(OperatorInit init) {
    super(init);
    Arguments args = init.args();
    DbPaths.checkDbType(args.getString("db_type", ""));
    this.db = args.getString("db", "");
    if (db.isEmpty()) {
      throw new SchemaException("argument 'db' is required: the file to save to");
    }
    this.absolutePath = args.getBool("absolute_path", false);
    this.workspace = init.workspace();
    String strip = args.getString("strip_prefix", "");
    List<String> overrides = args.getStrings("blob_name_overrides");
    int n = init.inputs().length;
    if (!overrides.isEmpty() && overrides.size() != n) {
      throw new SchemaException("blob_name_overrides has " + overrides.size() + " names for " + n + " inputs");
    }
    if (!overrides.isEmpty() && !strip.isEmpty()) {
      throw new SchemaException("strip_prefix and blob_name_overrides cannot both be given");
    }
    List<String> out = new ArrayList<>(n);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < n; i++) {
      String name = overrides.isEmpty() ? DbPaths.strip(init.def().getInput(i), strip) : overrides.get(i);
      if (name.isEmpty()) {
        throw (SchemaException) new SchemaException("input " + i + " would be saved under an empty name")
            .atBlob(init.def().getInput(i));
      }
      if (!seen.add(name)) {
        throw (SchemaException) new SchemaException("two inputs would be saved under the name '" + name + "'")
            .atBlob(init.def().getInput(i));
      }
      out.add(name);
    }
    this.names = out;
    // Checked now, so that a refused path fails when the net is created, before anything runs or is written.
    DbPaths.resolve(workspace.fileRoot(), db, absolutePath);
  }

  @Override
  public void run() {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (int i = 0; i < inputSize(); i++) {
      tensors.put(names.get(i), input(i));
    }
    Path file = DbPaths.resolve(workspace.fileRoot(), db, absolutePath);
    try {
      Checkpoints.write(tensors, file);
    } catch (ZerogException e) {
      throw e.atFile(db);
    }
  }
}
