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
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code zerog freeze}: StopGradient on a cut blob and ZeroGradient on every parameter before it. */
@Command(
    name = "freeze",
    mixinStandardHelpOptions = true,
    header = "Freeze a trunk the Caffe2 way: StopGradient and ZeroGradient.",
    description = {"Adds StopGradient on BLOB (in place, after the last op that writes it) and ZeroGradient on every "
        + "parameter read only before it, so that the backward pass stops at BLOB and still gives every parameter a "
        + "gradient (zeros for the frozen ones). 'zerog grad --freeze --prune' freezes without those ops and "
        + "without their work (docs/zero-aware.md).",
        "The parameters are the blobs INIT_NET writes, or without --init the blobs NET reads and no op writes, "
            + "less those named with --not-param."},
    footer = {"  zerog freeze small_cnn_train.pbtxt --freeze-at pool1 \\",
        "      --init small_cnn_init.pbtxt -o small_cnn_frozen.pbtxt",
        "  zerog grad small_cnn_frozen.pbtxt --loss loss -o small_cnn_step.pbtxt",
        "  zerog freeze examples/small_cnn_predict.pbtxt --freeze-at pool1 \\",
        "      --not-param data -o small_cnn_predict_frozen.pbtxt"})
final class FreezeCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Mixin NetOutput output;

  @Parameters(index = "0", paramLabel = "NET", description = "The net to freeze (usually a train net).")
  Path net;

  @Option(names = "--freeze-at", paramLabel = "BLOB", description = "The blob where the trunk ends (required).")
  String cut;

  @Option(names = "--at", paramLabel = "BLOB", hidden = true, description = "The older spelling of --freeze-at.")
  String legacyCut;

  @Option(names = "--init", paramLabel = "INIT_NET", description = "The init net: the blobs it writes are the "
      + "parameters.")
  Path init;

  @Option(names = "--not-param", paramLabel = "BLOB",
      description = "Without --init: a blob the net reads that is data, not a parameter (repeatable).")
  List<String> notParams = new ArrayList<>();

  @Option(names = "--data", paramLabel = "BLOB", hidden = true, description = "The older spelling of --not-param.")
  List<String> legacyNotParams = new ArrayList<>();

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter stdout = spec.commandLine().getOut();
    String at = cutBlob();
    Path out = output.file(spec);
    List<String> data = new ArrayList<>(notParams);
    data.addAll(legacyNotParams);
    NetDef def = NetDefs.read(net);
    NetDef initDef = init == null ? null : NetDefs.read(init);
    TrunkFreezer.FrozenNet frozen = freeze(def, net, at, initDef, data);
    NetDefs.write(frozen.net(), out);
    stdout.println(describe(frozen, at) + " -> " + out);
    stdout.flush();
    return 0;
  }

  private String cutBlob() {
    if (cut != null && legacyCut != null && !cut.equals(legacyCut)) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--freeze-at and --at (its older spelling) name different blobs: give --freeze-at only");
    }
    if (cut != null) {
      return cut;
    }
    if (legacyCut != null) {
      return legacyCut;
    }
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing required option: '--freeze-at=BLOB'");
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
