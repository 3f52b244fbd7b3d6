package dev.zerog.cli;

import dev.zerog.ZerogException;
import dev.zerog.grad.BackwardPass;
import dev.zerog.grad.GradientPruning;
import dev.zerog.grad.ParameterGradient;
import dev.zerog.grad.PrunedBackward;
import dev.zerog.net.NetDefs;
import dev.zerog.op.BlobType;
import dev.zerog.proto.Caffe2.NetDef;
import java.io.PrintWriter;
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

/**
 * {@code zerog audit}: where each parameter's gradient comes from (real, zero, none, frozen, and what made it so)
 * and what the zero-aware backward pass removes.
 */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    header = "Where each parameter's gradient comes from; what pruning saves.",
    description = {"For each parameter of NET, its gradient: real, zero (and which ZeroGradient or GradientMask "
        + "made it so, with the path of blobs), none (and which StopGradient cut it off) or frozen; then what the "
        + "zero-aware backward pass removes: ops, estimated FLOPs and bytes per run (docs/zero-aware.md).",
        "The parameters are the blobs INIT_NET produces when --init is given, else those --param names, else the "
            + "net's inputs that no op of it produces. The estimates count what shape inference can see: give the "
            + "data's shapes with --shape."},
    footer = {"  zerog audit examples/regression.pbtxt --loss loss \\",
        "      --init examples/regression_init.pbtxt",
        "  zerog audit examples/regression.pbtxt --loss loss --freeze W2 --json",
        "  zerog audit train.pbtxt --loss loss --init init.pbtxt --freeze 'conv1_*' \\",
        "      --shape data=32,3,224,224"})
final class AuditCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Mixin ParameterSelection selection;
  @Mixin InputShapes shapes;

  @Parameters(index = "0", paramLabel = "NET", description = "The forward net (.pb binary, .pbtxt text).")
  Path net;

  @Option(names = "--loss", paramLabel = "BLOB", required = true, description = "A loss blob (repeatable).")
  List<String> losses = new ArrayList<>();

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Map<String, BlobType> inputTypes = shapes.types(spec);
    NetDef def = NetDefs.read(net);
    NetDef initNet = selection.initNet();
    List<String> params = selection.parameters(def, initNet, net);
    PrunedBackward pruned;
    try {
      BackwardPass pass = BackwardPass.build(def, losses);
      pruned = GradientPruning.of(def, pass).parameters(params).freeze(selection.freeze).losses(losses)
          .initNet(initNet).inputTypes(inputTypes).prune();
    } catch (ZerogException e) {
      throw e.atFile(net.toString());
    }
    if (json) {
      out.println(Json.write(report(pruned)));
    } else {
      print(out, pruned);
    }
    out.flush();
    return 0;
  }

  /** The report as JSON values: {"params": {...}, "pruned": {"ops", "flops", "bytes"}}. */
  static Map<String, Object> report(PrunedBackward pruned) {
    Map<String, Object> params = new LinkedHashMap<>();
    for (Map.Entry<String, ParameterGradient> e : pruned.parameters().entrySet()) {
      ParameterGradient g = e.getValue();
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("status", g.status().label());
      p.put("cause", g.cause());
      p.put("path", g.path());
      params.put(e.getKey(), p);
    }
    Map<String, Object> removed = new LinkedHashMap<>();
    removed.put("ops", pruned.removedOps());
    removed.put("flops", pruned.savedFlops());
    removed.put("bytes", pruned.savedBytes());
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("params", params);
    report.put("pruned", removed);
    return report;
  }

  private void print(PrintWriter out, PrunedBackward pruned) {
    int width = 9;
    for (String p : pruned.parameters().keySet()) {
      width = Math.max(width, p.length());
    }
    out.printf("%-" + width + "s  %-6s  %s%n", "parameter", "status", "cause and path");
    for (Map.Entry<String, ParameterGradient> e : pruned.parameters().entrySet()) {
      ParameterGradient g = e.getValue();
      String cause = g.cause() == null ? "" : g.cause() + "  (" + String.join(" -> ", g.path()) + ")";
      out.printf("%-" + width + "s  %-6s  %s%n", e.getKey(), g.status().label(), cause);
    }
    out.printf("pruned: %d ops, %d FLOPs and %d bytes per run (estimated); %d gradient ops left%n",
        pruned.removedOps(), pruned.savedFlops(), pruned.savedBytes(), pruned.pass().gradientOps().size());
  }
}
