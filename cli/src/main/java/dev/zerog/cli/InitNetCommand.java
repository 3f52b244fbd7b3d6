package dev.zerog.cli;

import dev.zerog.ZerogException;
import dev.zerog.net.NetDefs;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.train.InitNetGenerator;
import dev.zerog.train.ParameterShapes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code zerog init-net}: an init net filling a net's parameters with Caffe2's fillers, from their shapes. */
@Command(
    name = "init-net",
    mixinStandardHelpOptions = true,
    header = "An init net filling a net's parameters with Caffe2's fillers.",
    description = {"Fills every parameter SHAPES.json names: MSRAFill for Conv filters, XavierFill for FC weights, "
        + "ConstantFill for biases (0), SpatialBN scales (1), biases (0), means (0) and variances (1), and the "
        + "per-channel operands of Mul (1) and Add (0).",
        "Random fillers get device_option.random_seed SEED, SEED + 1, ... so the same command writes the same net, "
            + "and the net the same values."},
    footer = {"  zerog init-net examples/small_cnn_predict.pbtxt \\",
        "      --shapes examples/small_cnn.shapes.json -o small_cnn_init.pbtxt",
        "  zerog init-net predict_net.pb --shapes zoo/bvlc_alexnet.shapes.json \\",
        "      -o init_net.pb"})
final class InitNetCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Mixin NetOutput output;

  @Parameters(index = "0", paramLabel = "NET", description = "The net whose parameters to fill.")
  Path net;

  @Option(names = "--shapes", paramLabel = "SHAPES.json", required = true,
      description = "The parameters' shapes: {\"parameters\": {\"conv1_w\": [96, 3, 11, 11], ...}}.")
  Path shapesFile;

  @Option(names = "--seed", paramLabel = "SEED", defaultValue = "1",
      description = "The first random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter stdout = spec.commandLine().getOut();
    Path out = output.file(spec);
    NetDef def = NetDefs.read(net);
    ParameterShapes shapes = ParameterShapes.read(shapesFile);
    NetDef init;
    try {
      init = InitNetGenerator.generate(def, shapes, seed);
    } catch (ZerogException e) {
      throw e.atFile(net.toString());
    }
    NetDefs.write(init, out);
    stdout.printf(Locale.ROOT, "%s: %d parameters (%.1f million values) -> %s%n", net, init.getOpCount(),
        shapes.elementCount() / 1e6, out);
    List<String> left = InitNetGenerator.inputsLeftToCaller(def, shapes);
    if (!left.isEmpty()) {
      stdout.println("the net also reads, to be fed: " + String.join(", ", left));
    }
    stdout.flush();
    return 0;
  }
}
