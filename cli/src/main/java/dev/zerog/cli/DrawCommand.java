package dev.zerog.cli;

import dev.zerog.ZerogException;
import dev.zerog.cli.draw.DrawOptions;
import dev.zerog.cli.draw.NetDrawing;
import dev.zerog.net.NetDefs;
import dev.zerog.op.BlobType;
import dev.zerog.proto.Caffe2.NetDef;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code zerog draw}: a picture of a net, its backward pass, and what gradient control does to it. */
@Command(
    name = "draw",
    mixinStandardHelpOptions = true,
    header = "Draw a net and its backward pass, with gradient control marked.",
    description = {"Draws NET's operators and blobs and, with --loss, the backward pass zerog builds for it (a net "
        + "that already holds gradient ops is drawn as it is, those ops as the backward pass). ZeroGradient, "
        + "StopGradient, GradientMask, parameters, frozen parameters, known-zero gradients and what pruning removes "
        + "are marked by shape and color, with a legend (docs/drawing.md).",
        "FILE's extension picks the format: .svg and .png are laid out and rendered by zerog, without any other "
            + "program; .dot is for Graphviz. A PNG larger than 16384 pixels a side is scaled down (the SVG is not).",
        "The parameters are the blobs INIT_NET writes when --init is given, else those --param names, else (for "
            + "--freeze and --prune) the net's inputs that no op of it writes."},
    footer = {"  zerog draw examples/zero_gradient.pbtxt --loss loss -o zero_gradient.svg",
        "  zerog draw examples/regression.pbtxt --loss loss \\",
        "      --init examples/regression_init.pbtxt --freeze W2 --prune \\",
        "      -o regression.png",
        "  zerog draw train.pbtxt -o train.dot"})
final class DrawCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Mixin ParameterSelection selection;
  @Mixin InputShapes shapes;

  @Parameters(index = "0", paramLabel = "NET", description = "The net (.pb binary, .pbtxt text).")
  Path net;

  @Option(names = {"-o", "--out"}, paramLabel = "FILE", required = true,
      description = "The drawing: FILE.svg, FILE.png or FILE.dot (the extension picks the format).")
  Path out;

  @Option(names = "--loss", paramLabel = "BLOB",
      description = "Draw the backward pass for this loss (repeatable).")
  List<String> losses = new ArrayList<>();

  @Option(names = "--prune", description = "Draw what the zero-aware backward pass removes as pruned (needs "
      + "--loss).")
  boolean prune;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    NetDrawing.Format format = NetDrawing.Format.forPath(out);
    if (format == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "cannot tell the format of '" + out
          + "' from its extension: use .svg, .png or .dot");
    }
    if (prune && losses.isEmpty()) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--prune needs --loss: it marks what the "
          + "zero-aware pass removes from the backward pass zerog builds");
    }
    Map<String, BlobType> inputTypes = shapes.types(spec);
    NetDef def = NetDefs.read(net);
    NetDef initNet = selection.init == null ? null : selection.initNet();
    List<String> params = null;
    boolean needsParameters = selection.init != null || !selection.params.isEmpty() || !selection.freeze.isEmpty()
        || prune;
    NetDrawing drawing;
    try {
      if (needsParameters) {
        params = selection.parameters(def, initNet == null ? NetDef.getDefaultInstance() : initNet, net);
      }
      DrawOptions options = DrawOptions.builder().losses(losses).freeze(selection.freeze).prune(prune)
          .initNet(initNet).parameters(params).inputTypes(inputTypes)
          .title(net.getFileName() == null ? net.toString() : net.getFileName().toString()).build();
      drawing = NetDrawing.of(def, options);
    } catch (ZerogException e) {
      throw NetDefs.withOpPosition(e, net).atFile(net.toString());
    }
    drawing.write(out, format);
    PrintWriter stdout = spec.commandLine().getOut();
    stdout.printf("%s: %s -> %s", net, drawing.summary(), out);
    if (format == NetDrawing.Format.PNG) {
      double scale = drawing.pngScale();
      stdout.printf(" (%d x %d px%s)", (int) Math.ceil(drawing.width() * scale),
          (int) Math.ceil(drawing.height() * scale), scale < 1
              ? String.format(Locale.ROOT, ", scaled to %.0f%% to fit; the .svg has every detail", 100 * scale)
              : "");
    }
    stdout.println();
    stdout.flush();
    return 0;
  }
}
