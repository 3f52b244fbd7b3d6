package dev.zerog.cli;

import dev.zerog.ZerogException;
import dev.zerog.net.NetDefs;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.train.TrainNet;
import dev.zerog.train.TrainNets;
import dev.zerog.train.TrunkFreezer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code zerog train-net}: a train net from a predict net, optionally with its trunk frozen. */
@Command(
    name = "train-net",
    mixinStandardHelpOptions = true,
    header = "A predict net's train net, optionally with its trunk frozen.",
    description = {"SpatialBN and Dropout are put in training mode (is_test 0, SpatialBN with its running "
        + "statistics and saved mean and inverse std, Dropout with its mask), the final Softmax is replaced by "
        + "SoftmaxWithLoss(logits, LABEL) -> (probabilities, LOSS) (appended when the net ends without one), and "
        + "blobs get new names where an in-place op overwrote a version a gradient needs.",
        "With --freeze-at, the trunk is frozen too, as 'zerog freeze' does."},
    footer = {"  zerog train-net examples/small_cnn_predict.pbtxt -o small_cnn_train.pbtxt",
        "  zerog train-net examples/small_cnn_predict.pbtxt --freeze-at pool1 \\",
        "      --init small_cnn_init.pbtxt -o small_cnn_frozen.pbtxt",
        "  zerog grad small_cnn_frozen.pbtxt --loss loss -o small_cnn_step.pbtxt"})
final class TrainNetCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Mixin NetOutput output;

  @Parameters(index = "0", paramLabel = "NET", description = "The predict net.")
  Path net;

  @Option(names = "--label", paramLabel = "BLOB", defaultValue = TrainNets.DEFAULT_LABEL,
      description = "The label blob (default: ${DEFAULT-VALUE}).")
  String label;

  @Option(names = "--loss", paramLabel = "BLOB", defaultValue = TrainNets.DEFAULT_LOSS,
      description = "The loss blob (default: ${DEFAULT-VALUE}).")
  String loss;

  @Option(names = "--freeze-at", paramLabel = "BLOB",
      description = "Freeze the trunk at this blob (a name of the predict net).")
  String freezeAt;

  @Option(names = "--init", paramLabel = "INIT_NET",
      description = "With --freeze-at: the init net, whose blobs are the parameters.")
  Path init;

  @Option(names = "--not-param", paramLabel = "BLOB",
      description = "With --freeze-at and without --init: a blob the net reads that is data, not a parameter "
          + "(repeatable; the label never is one).")
  List<String> notParams = new ArrayList<>();

  @Option(names = "--data", paramLabel = "BLOB", hidden = true, description = "The older spelling of --not-param.")
  List<String> legacyNotParams = new ArrayList<>();

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter stdout = spec.commandLine().getOut();
    Path out = output.file(spec);
    NetDef predict = NetDefs.read(net);
    TrainNet train;
    try {
      train = TrainNets.fromPredictNet(predict, label, loss, OperatorRegistry.standard());
    } catch (ZerogException e) {
      throw e.atFile(net.toString());
    }
    NetDef result = train.net();
    stdout.printf("%s: %d ops -> %d ops; label '%s', loss '%s', probabilities '%s'%n", net, predict.getOpCount(),
        result.getOpCount(), train.label(), train.loss(), train.softmax());
    for (Map.Entry<String, String> e : train.renamed().entrySet()) {
      stdout.printf("renamed %s -> %s (an in-place op overwrote a version a gradient needs)%n", e.getKey(),
          e.getValue());
    }
    if (freezeAt != null) {
      List<String> dataBlobs = new ArrayList<>(notParams);
      dataBlobs.addAll(legacyNotParams);
      dataBlobs.add(train.label());
      TrunkFreezer.FrozenNet frozen = FreezeCommand.freeze(result, net, train.blob(freezeAt),
          init == null ? null : NetDefs.read(init), dataBlobs);
      result = frozen.net();
      stdout.println(FreezeCommand.describe(frozen, freezeAt));
    }
    NetDefs.write(result, out);
    stdout.println("-> " + out);
    stdout.flush();
    return 0;
  }
}
