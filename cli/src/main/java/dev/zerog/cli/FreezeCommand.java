package dev.zerog.cli;

import dev.zerog.ZerogException;
import dev.zerog.net.NetDefs;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.train.TrunkFreezer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code zerog freeze}: StopGradient on a cut blob and ZeroGradient on every parameter before it. */
@Command(
    name = "freeze",
    mixinStandardHelpOptions = true,
    description = {"Freeze the trunk of NET the Caffe2 way: StopGradient on BLOB (in place, after the last op that "
        + "writes it) and ZeroGradient on every parameter read only before it, so the backward pass stops at BLOB "
        + "and still gives every parameter a gradient (zeros for the frozen ones).",
        "Parameters are the blobs INIT_NET writes, or without --init the blobs NET reads and no op writes, less those "
            + "named with --data. OUT's extension picks the format."},
    footer = {"", "Examples:",
        "  zerog freeze train.pbtxt --at pool5 --init init_net.pbtxt -o frozen.pbtxt",
        "  zerog grad frozen.pbtxt --loss loss -o step.pbtxt"})
final class FreezeCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Parameters(index = "0", paramLabel = "NET", description = "The net to freeze (usually a train net).")
  Path net;

  @Option(names = "--at", paramLabel = "BLOB", required = true, description = "The blob where the trunk ends.")
  String cut;

  @Option(names = "--init", paramLabel = "INIT_NET", description = "The init net: the blobs it writes are the "
      + "parameters.")
  Path init;

  @Option(names = "--data", paramLabel = "NAME",
      description = "Without --init: a blob the net reads that is data, not a parameter (repeatable).")
  List<String> data = new ArrayList<>();

  @Option(names = {"-o", "--output"}, paramLabel = "OUT", required = true, description = "Where to write the net.")
  Path out;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter stdout = spec.commandLine().getOut();
    NetDef def = NetDefs.read(net);
    NetDef initDef = init == null ? null : NetDefs.read(init);
    TrunkFreezer.FrozenNet frozen = freeze(def, net, cut, initDef, data);
    NetDefs.write(frozen.net(), out);
    stdout.println(describe(frozen, cut) + " -> " + out);
    stdout.flush();
    return 0;
  }

  static TrunkFreezer.FrozenNet freeze(NetDef def, Path file, String cut, NetDef init, List<String> data) {
    try {
      return TrunkFreezer.freeze(def, cut, TrunkFreezer.parameters(def, init, data));
    } catch (ZerogException e) {
      throw e.atFile(file.toString());
    }
  }

  static String describe(TrunkFreezer.FrozenNet frozen, String cut) {
    return "frozen at " + cut + ": StopGradient at op #" + frozen.stopGradientIndex() + ", ZeroGradient on "
        + frozen.frozen().size() + " parameter" + (frozen.frozen().size() == 1 ? "" : "s")
        + (frozen.frozen().isEmpty() ? "" : " (" + String.join(", ", abbreviate(frozen.frozen())) + ")");
  }

  private static List<String> abbreviate(List<String> names) {
    if (names.size() <= 6) {
      return names;
    }
    List<String> out = new ArrayList<>(names.subList(0, 3));
    out.add("... " + (names.size() - 5) + " more ...");
    out.addAll(names.subList(names.size() - 2, names.size()));
    return out;
  }
}
