package dev.zerog.cli;

import dev.zerog.GradientException;
import dev.zerog.ZerogException;
import dev.zerog.grad.BlobPattern;
import dev.zerog.net.NetDefs;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The options that say which blobs are a net's parameters and which are frozen, a picocli mixin of {@code audit}
 * and {@code grad}. The parameters are the blobs the init net produces when {@code --init} is given (those matching
 * {@code --param} if that is given too), else the blobs of the net matching {@code --param}, else the net's inputs
 * that no op of it produces.
 */
final class ParameterSelection {
  @Option(names = "--init", paramLabel = "INIT_NET",
      description = "The init net: the blobs it produces are the parameters.")
  Path init;

  @Option(names = "--param", paramLabel = "PATTERN",
      description = "Parameters by name or glob (* and ?; repeatable); without --init, over the net's blobs.")
  List<String> params = new ArrayList<>();

  @Option(names = "--freeze", paramLabel = "PATTERN",
      description = "Freeze the parameters that match (glob; repeatable): no gradient ops for them.")
  List<String> freeze = new ArrayList<>();

  /** The init net, or an empty one. */
  NetDef initNet() {
    return init == null ? NetDef.getDefaultInstance() : NetDefs.read(init);
  }

  /** The parameters of {@code net} (read from {@code file}), by the rules above. */
  List<String> parameters(NetDef net, NetDef initNet, Path file) {
    try {
      if (init != null) {
        Set<String> produced = new LinkedHashSet<>();
        for (OperatorDef op : initNet.getOpList()) {
          produced.addAll(op.getOutputList());
        }
        List<String> all = new ArrayList<>(produced);
        return params.isEmpty() ? all : BlobPattern.select(all, params, "blob of the init net");
      }
      if (!params.isEmpty()) {
        return BlobPattern.select(blobs(net), params, "blob of the net");
      }
      return unproducedInputs(net);
    } catch (ZerogException e) {
      throw e.atFile((init != null ? init : file).toString());
    }
  }

  /** Every blob an op of the net reads or writes, in order of first appearance. */
  private static List<String> blobs(NetDef net) {
    Set<String> names = new LinkedHashSet<>();
    for (OperatorDef op : net.getOpList()) {
      names.addAll(op.getInputList());
      names.addAll(op.getOutputList());
    }
    return new ArrayList<>(names);
  }

  /** The blobs ops read before any op writes them, in order. */
  static List<String> unproducedInputs(NetDef net) {
    Set<String> written = new HashSet<>();
    Set<String> out = new LinkedHashSet<>();
    for (OperatorDef op : net.getOpList()) {
      for (String in : op.getInputList()) {
        if (!written.contains(in)) {
          out.add(in);
        }
      }
      written.addAll(op.getOutputList());
    }
    if (out.isEmpty()) {
      throw new GradientException("the net reads no blob it does not produce: name the parameters with --param or "
          + "--init");
    }
    return new ArrayList<>(out);
  }
}
