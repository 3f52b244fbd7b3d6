package dev.zerog.cli;

import dev.zerog.ResourceLimitException;
import dev.zerog.ResourceLimits;
import dev.zerog.SchemaException;
import dev.zerog.ZerogException;
import dev.zerog.io.FileIO;
import dev.zerog.io.FileRoot;
import dev.zerog.io.Npy;
import dev.zerog.net.Net;
import dev.zerog.net.NetDefs;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.Allocations;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code zerog run}: runs an init net once, then a net, and writes the outputs as {@code .npy}. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    header = "Run a net after its init net; write the blobs it makes as .npy.",
    description = {"Runs INIT_NET once, feeds the --input files, runs NET once, then writes each fetched blob to "
        + "DIR/NAME.npy ('/' in a name is written %%2F) and prints its type, shape and first values.",
        "Without --fetch, the blobs fetched are the net's external_output, or else every blob it produces that no "
            + "later op of it reads."},
    footer = {"  zerog run examples/zero_gradient.pbtxt",
        "  zerog run examples/regression.pbtxt --init examples/regression_init.pbtxt \\",
        "      --fetch pred --fetch loss",
        "  zerog run predict_net.pb --init init_net.pb --input data=image.npy \\",
        "      --fetch softmax -o out"})
final class RunCommand implements Callable<Integer> {
  /** Where the outputs go without {@code --out}. */
  static final String DEFAULT_OUT = "zerog-out";

  @Mixin CommonOptions common;

  @Parameters(index = "0", paramLabel = "NET", description = "The net to run (.pb binary, .pbtxt text).")
  Path net;

  @Option(names = "--init", paramLabel = "INIT_NET", description = "A net run once first: the parameters.")
  Path init;

  @Option(names = "--input", paramLabel = "NAME=FILE.npy", description = "Feed blob NAME from a .npy file "
      + "(repeatable).")
  Map<String, Path> inputs = new LinkedHashMap<>();

  @Option(names = "--fetch", paramLabel = "BLOB", description = "A blob to write and print (repeatable).")
  List<String> fetch = new ArrayList<>();

  @Option(names = "--output", paramLabel = "BLOB", hidden = true, description = "The older spelling of --fetch.")
  List<String> legacyFetch = new ArrayList<>();

  @Option(names = {"-o", "--out"}, paramLabel = "DIR",
      description = "The directory the .npy files go to (default: " + DEFAULT_OUT + ").")
  Path out;

  @Option(names = "--out-dir", paramLabel = "DIR", hidden = true, description = "The older spelling of --out.")
  Path legacyOut;

  @Option(names = "--check-finite",
      description = "Check every op's floating-point outputs for NaN and infinities; stop at the first op that "
          + "produces one, naming it and the blob.")
  boolean checkFinite;

  @Option(names = "--root", paramLabel = "DIR",
      description = "The directory the files a net names (Save, Load) must be under (default: the working "
          + "directory).")
  Path root;

  @Option(names = "--allow-outside-root",
      description = "Let the net name files outside the root: absolute paths, '..', links leading out.")
  boolean allowOutsideRoot;

  @Option(names = "--max-tensor-bytes", paramLabel = "SIZE", converter = SizeConverter.class,
      description = "Refuse any tensor larger than SIZE (bytes, or 512m, 2g, unlimited; default: half the "
          + "Java heap).")
  Long maxTensorBytes;

  @Option(names = "--max-workspace-bytes", paramLabel = "SIZE", converter = SizeConverter.class,
      description = "Refuse to hold more than SIZE in tensors (default: four fifths of the Java heap).")
  Long maxWorkspaceBytes;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    ResourceLimits limits = ResourceLimits.defaults();
    if (maxTensorBytes != null) {
      limits = limits.withMaxTensorBytes(maxTensorBytes);
    }
    if (maxWorkspaceBytes != null) {
      limits = limits.withMaxWorkspaceBytes(maxWorkspaceBytes);
    }
    FileRoot fileRoot = root == null ? FileRoot.workingDirectory() : FileRoot.of(root);
    Workspace ws = new Workspace(limits).setFileRoot(allowOutsideRoot ? fileRoot.allowingOutside() : fileRoot);
    if (init != null) {
      NetDef initDef = NetDefs.read(init);
      runNet(initDef, ws, init);
    }
    for (Map.Entry<String, Path> e : inputs.entrySet()) {
      Tensor fed;
      Allocations.Budget previous = ws.enterLimits();
      try {
        fed = Npy.read(e.getValue());
      } finally {
        Allocations.restore(previous);
      }
      ws.feed(e.getKey(), fed);
    }
    NetDef def = NetDefs.read(net);
    runNet(def, ws, net);
    List<String> names = new ArrayList<>(fetch);
    names.addAll(legacyFetch);
    if (names.isEmpty()) {
      names = defaultOutputs(def);
    }
    Path outDir = outDir();
    try {
      Files.createDirectories(outDir);
    } catch (IOException e) {
      throw FileIO.writeError(outDir, e);
    }
    for (String name : names) {
      Tensor t;
      try {
        t = ws.fetch(name);
      } catch (ZerogException e) {
        throw e.atFile(net.toString());
      }
      if (t.isKnownZero() && t.nbytes() > limits.maxTensorBytes()) {
        // A known zero holds no memory, but its file would hold every byte: the tensor cap bounds files too.
        throw (ResourceLimitException) new ResourceLimitException("a known zero of " + t.nbytes()
            + " bytes: its .npy would be larger than the " + limits.maxTensorBytes()
            + "-byte tensor limit (raise it with --max-tensor-bytes)").atBlob(name);
      }
      Path file = outDir.resolve(Npy.fileNameFor(name) + ".npy");
      Npy.write(t, file);
      out.printf("%s: %s -> %s%n", name, t.describe(8), file);
    }
    out.flush();
    return 0;
  }

  private Path outDir() {
    if (out != null && legacyOut != null && !out.equals(legacyOut)) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--out and --out-dir (its older spelling) name different directories: give --out only");
    }
    return out != null ? out : legacyOut != null ? legacyOut : Path.of(DEFAULT_OUT);
  }

  private void runNet(NetDef def, Workspace ws, Path file) {
    try {
      Net.create(def, ws).setCheckFinite(checkFinite).run();
    } catch (ZerogException e) {
      throw NetDefs.withOpPosition(e, file).atFile(file.toString());
    }
  }

  /** The net's external outputs, or the blobs it writes that no later op reads. */
  static List<String> defaultOutputs(NetDef def) {
    if (def.getExternalOutputCount() > 0) {
      return def.getExternalOutputList();
    }
    Set<String> produced = new LinkedHashSet<>();
    Set<String> readAfter = new HashSet<>();
    for (int i = def.getOpCount() - 1; i >= 0; i--) {
      OperatorDef op = def.getOp(i);
      for (String o : op.getOutputList()) {
        if (!readAfter.contains(o)) {
          produced.add(o);
        }
      }
      readAfter.addAll(op.getInputList());
    }
    List<String> result = new ArrayList<>(produced);
    java.util.Collections.reverse(result);
    if (result.isEmpty()) {
      throw new SchemaException("the net produces no blob to write; name one with --fetch");
    }
    return result;
  }
}
