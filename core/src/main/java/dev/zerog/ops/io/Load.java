package dev.zerog.ops.io;

import dev.zerog.SchemaException;
import dev.zerog.ZerogException;
import dev.zerog.io.Checkpoints;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.Arity;
import dev.zerog.op.BlobType;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Load: reads blobs from one or more zerog checkpoint files into the workspace, as Caffe2's Load reads them from
 * dbs.
 *
 * <p>Each stored name becomes a blob name by cutting {@code strip_prefix} (everything up to and including its
 * first occurrence) and prepending {@code add_prefix}. Without {@code load_all}, the op's outputs (or
 * {@code source_blob_names}, one per output) say which stored blobs go into which output; every output must be
 * found unless {@code allow_incomplete}. With {@code load_all}, every stored blob is loaded into the workspace
 * (created or replaced), and every output must be among them. A name found in two files is an error. Every file
 * is verified whole before any blob changes.
 */
final class Load extends Operator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("Load")
      .inputs(0)
      .outputs(Arity.atLeast(0))
      .doc("Loads tensors from checkpoint files written by Save (db_type \"zerog\", docs/robustness.md) into "
          + "the outputs.\n\n"
          + "`db` (one file) or `dbs` (several) are resolved under the workspace's file root, with the same "
          + "checks as Save's `db`. A stored name becomes a blob name by cutting `strip_prefix` (everything up "
          + "to and including its first occurrence) and prepending `add_prefix`. Without `load_all`, the stored "
          + "blob named like each output (or like the output's entry in `source_blob_names`) is loaded into it, "
          + "and every output must be found unless `allow_incomplete` is 1. With `load_all: 1`, every stored "
          + "blob is loaded into the workspace, and each output must be one of them. A name stored in two of the "
          + "files is an error. Every file is read and verified whole (checksums) before any blob changes, so a "
          + "truncated or corrupted file is an error that leaves the workspace as it was.\n\n"
          + "`keep_device: 1` refuses a tensor stored for a device other than the CPU instead of loading it to "
          + "the CPU (zerog has only the CPU). `shape` is accepted and ignored. Inputs (Caffe2's DBReader "
          + "blobs) are not supported.")
      .output("Y...", "the loaded tensors")
      .arg("db", ArgType.STRING, "the file to read, relative to the file root")
      .arg("dbs", ArgType.STRINGS, "several files to read")
      .arg("db_type", ArgType.STRING, "must be \"zerog\" (required)")
      .arg("absolute_path", ArgType.INT, "1: db may be an absolute path (allowed only outside-root access)")
      .arg("strip_prefix", ArgType.STRING, "cut from each stored name, with everything before it")
      .arg("add_prefix", ArgType.STRING, "prepended to each stored name")
      .arg("load_all", ArgType.INT, "1: load every stored blob")
      .arg("allow_incomplete", ArgType.INT, "1: outputs not found are left as they are")
      .arg("source_blob_names", ArgType.STRINGS, "the stored names to load, one per output")
      .arg("keep_device", ArgType.INT, "1: refuse tensors stored for another device than the CPU")
      .arg("shape", ArgType.INTS, "ignored")
      .inference((def, args, in) -> Collections.nCopies(def.getOutputCount(), BlobType.UNKNOWN))
      .build();

  static final OperatorDefinition DEFINITION = OperatorDefinition.builder(SCHEMA).cpu(Load::new).noGradient()
      .build();

  private final Workspace workspace;
  private final List<String> dbs;
  private final boolean absolutePath;
  private final String stripPrefix;
  private final String addPrefix;
  private final boolean loadAll;
  private final boolean allowIncomplete;
  private final boolean keepDevice;
  /** Without load_all: blob name (after the prefixes) of a stored blob → the output it goes to. */
  private final Map<String, Integer> outputOf = new HashMap<>();
  /** The blob name each output loads: its own name, or its source_blob_names entry. */
  private final String[] sourceOf;

  Load(OperatorInit init) {
    super(init);
    Arguments args = init.args();
    DbPaths.checkDbType(args.getString("db_type", ""));
    this.workspace = init.workspace();
    this.absolutePath = args.getBool("absolute_path", false);
    this.stripPrefix = args.getString("strip_prefix", "");
    this.addPrefix = args.getString("add_prefix", "");
    this.loadAll = args.getBool("load_all", false);
    this.allowIncomplete = args.getBool("allow_incomplete", false);
    this.keepDevice = args.getBool("keep_device", false);
    String db = args.getString("db", "");
    List<String> many = args.getStrings("dbs");
    if (!db.isEmpty() && !many.isEmpty()) {
      throw new SchemaException("give 'db' or 'dbs', not both");
    }
    if (db.isEmpty() && many.isEmpty()) {
      throw new SchemaException("argument 'db' (or 'dbs') is required: the file to load from");
    }
    this.dbs = many.isEmpty() ? List.of(db) : List.copyOf(many);
    for (int i = 0; i < dbs.size(); i++) {
      if (dbs.get(i).isEmpty()) {
        throw new SchemaException("dbs entry " + i + " is empty");
      }
      if (dbs.indexOf(dbs.get(i)) != i) {
        throw new SchemaException("dbs names the file '" + dbs.get(i) + "' twice");
      }
      // Checked now, so that a refused path fails when the net is created.
      DbPaths.resolve(workspace.fileRoot(), dbs.get(i), absolutePath);
    }
    List<String> sources = args.getStrings("source_blob_names");
    int n = init.outputs().length;
    if (!sources.isEmpty() && sources.size() != n) {
      throw new SchemaException("source_blob_names has " + sources.size() + " names for " + n + " outputs");
    }
    if (!sources.isEmpty() && !stripPrefix.isEmpty()) {
      throw new SchemaException("strip_prefix and source_blob_names cannot both be given");
    }
    if (!sources.isEmpty() && loadAll) {
      throw new SchemaException("load_all and source_blob_names cannot both be given");
    }
    this.sourceOf = new String[n];
    for (int i = 0; i < n; i++) {
      sourceOf[i] = sources.isEmpty() ? init.def().getOutput(i) : sources.get(i);
    }
    if (!loadAll) {
      for (int i = 0; i < n; i++) {
        String name = sourceOf[i];
        if (outputOf.putIfAbsent(name, i) != null) {
          throw (SchemaException) new SchemaException("two outputs would load the stored blob '" + name + "'")
              .atBlob(init.def().getOutput(i));
        }
      }
    }
  }

  /** A stored name as a blob name: strip_prefix cut, add_prefix prepended. */
  private String blobName(String stored) {
    return addPrefix + DbPaths.strip(stored, stripPrefix);
  }

  @Override
  public void run() {
    Map<String, Tensor> loaded = new LinkedHashMap<>();
    Map<String, String> fileOf = new HashMap<>();
    for (String db : dbs) {
      Path file = DbPaths.resolve(workspace.fileRoot(), db, absolutePath);
      Map<String, Tensor> tensors;
      try {
        tensors = Checkpoints.read(file, stored -> loadAll || outputOf.containsKey(blobName(stored)), keepDevice);
      } catch (ZerogException e) {
        throw e.atFile(db);
      }
      for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
        String name = blobName(e.getKey());
        String earlier = fileOf.putIfAbsent(name, db);
        if (earlier != null) {
          throw (SchemaException) new SchemaException("the blob is stored in both '" + earlier + "' and '" + db
              + "'").atBlob(name);
        }
        loaded.put(name, e.getValue());
      }
    }
    List<String> missing = new ArrayList<>();
    for (int i = 0; i < outputSize(); i++) {
      String out = def().getOutput(i);
      if (!loaded.containsKey(sourceOf[i])) {
        missing.add(out);
      }
    }
    if (!missing.isEmpty() && (loadAll || !allowIncomplete)) {
      throw new SchemaException("expected to load " + outputSize() + " blobs, got " + (outputSize() - missing.size())
          + "; not found in " + String.join(", ", dbs) + ": " + String.join(", ", missing));
    }
    if (loadAll) {
      for (Map.Entry<String, Tensor> e : loaded.entrySet()) {
        workspace.createBlob(e.getKey()).set(e.getValue());
      }
    } else {
      for (Map.Entry<String, Tensor> e : loaded.entrySet()) {
        outputBlob(outputOf.get(e.getKey())).set(e.getValue());
      }
    }
  }
}
