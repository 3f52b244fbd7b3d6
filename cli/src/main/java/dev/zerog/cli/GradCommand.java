package dev.zerog.cli;

import dev.zerog.ZerogException;
import dev.zerog.grad.BackwardPass;
import dev.zerog.grad.GradientBlob;
import dev.zerog.grad.GradientPruning;
import dev.zerog.grad.PrunedBackward;
import dev.zerog.io.FileIO;
import dev.zerog.net.NetDefs;
import dev.zerog.proto.Caffe2.NetDef;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code zerog grad}: appends the backward pass to a net, as Caffe2's AddGradientOperators. */
@Command(
    name = "grad",
    mixinStandardHelpOptions = true,
    header = "Append a net's backward pass, optionally frozen and pruned.",
    description = {"Writes NET with its gradient operators appended as Caffe2's AddGradientOperators appends them "
        + "(the same ops and blob names): each loss gets an initial gradient of ones (<loss>_autogen_grad), blob W "
        + "the gradient W_grad.",
        "--freeze removes the gradient ops only frozen parameters need; --prune writes the zero-aware backward pass "
            + "instead: known zeros propagated, only the parameters' gradients computed (docs/zero-aware.md). "
            + "The parameters are the blobs INIT_NET produces when --init is given, else those --param names, "
            + "else the net's inputs that no op of it produces."},
    footer = {"  zerog grad examples/zero_gradient.pbtxt --loss loss \\",
        "      -o zero_gradient_train.pbtxt --grad-map grads.json",
        "  zerog run zero_gradient_train.pbtxt --fetch W_grad --fetch X_detached_grad",
        "  zerog grad examples/regression.pbtxt --loss loss --freeze W2 --prune \\",
        "      --init examples/regression_init.pbtxt -o regression_train.pbtxt"})
final class GradCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Mixin ParameterSelection selection;
  @Mixin NetOutput output;

  @Parameters(index = "0", paramLabel = "NET", description = "The forward net (.pb binary, .pbtxt text).")
  Path net;

  @Option(names = "--loss", paramLabel = "BLOB", required = true, description = "A loss blob (repeatable).")
  List<String> losses = new ArrayList<>();

  @Option(names = "--grad-map", paramLabel = "FILE.json",
      description = "Also write the map from each blob to its gradient blob(s) as JSON.")
  Path gradMap;

  @Option(names = "--prune", description = "Write the zero-aware backward pass (only the parameters' gradients, "
      + "known zeros propagated).")
  boolean prune;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter stdout = spec.commandLine().getOut();
    Path out = output.file(spec);
    NetDef def = NetDefs.read(net);
    BackwardPass pass;
    PrunedBackward pruned = null;
    try {
      pass = BackwardPass.build(def, losses);
      if (prune || !selection.freeze.isEmpty()) {
        NetDef initNet = selection.initNet();
        pruned = GradientPruning.of(def, pass).parameters(selection.parameters(def, initNet, net))
            .freeze(selection.freeze).losses(losses).initNet(initNet).zeroAware(prune).prune();
        pass = pruned.pass();
      }
    } catch (ZerogException e) {
      throw NetDefs.withOpPosition(e, net).atFile(net.toString());
    }
    NetDefs.write(pass.appendTo(def), out);
    stdout.printf("%s: %d forward ops, %d gradient ops -> %s%n", net, def.getOpCount(), pass.gradientOps().size(),
        out);
    if (pruned != null) {
      stdout.printf("pruned: %d gradient ops removed, %d with outputs skipped%n", pruned.removedOps(),
          pruned.pruned().size() - pruned.removedOps());
    }
    if (gradMap != null) {
      FileIO.writeAtomically(gradMap, (Json.write(gradientMapJson(pass.gradientMap())) + "\n")
          .getBytes(StandardCharsets.UTF_8));
      stdout.printf("gradient map (%d blobs) -> %s%n", pass.gradientMap().size(), gradMap);
    }
    stdout.flush();
    return 0;
  }

  /** blob → gradient name, or → {"indices": ..., "values": ...} for a sparse gradient. */
  static Map<String, Object> gradientMapJson(Map<String, GradientBlob> map) {
    Map<String, Object> json = new LinkedHashMap<>();
    for (Map.Entry<String, GradientBlob> e : map.entrySet()) {
      GradientBlob g = e.getValue();
      if (g.isSparse()) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("indices", g.indices());
        s.put("values", g.values());
        json.put(e.getKey(), s);
      } else {
        json.put(e.getKey(), g.dense());
      }
    }
    return json;
  }
}
