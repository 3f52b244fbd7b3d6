package dev.zerog.cli;

import dev.zerog.ZerogException;
import dev.zerog.net.NetDefs;
import dev.zerog.net.NetShapes;
import dev.zerog.net.ShapeInference;
import dev.zerog.op.BlobType;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.train.ParameterShapes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code zerog shapes}: every blob's type and shape, by shape inference, without running the net. */
@Command(
    name = "shapes",
    mixinStandardHelpOptions = true,
    header = "Every blob's type and shape by shape inference, nothing run.",
    description = {"Inputs' shapes come from --shape, from SHAPES.json and from the blobs INIT_NET writes. Each line "
        + "gives a blob, its type and shape, and where it comes from (input, init, or the last op that writes it). "
        + "The first op whose inputs do not fit is named in the error; an op without shape inference leaves its "
        + "outputs unknown (?) and is named in a note."},
    footer = {"  zerog shapes examples/small_cnn_predict.pbtxt --shape data=2,3,8,8 \\",
        "      --shapes examples/small_cnn.shapes.json",
        "  zerog shapes examples/small_cnn_predict.pbtxt --shape data=2,3,8,8 \\",
        "      --init small_cnn_init.pbtxt --json",
        "  zerog shapes predict_net.pb --shape data=1,3,224,224 \\",
        "      --shapes zoo/bvlc_alexnet.shapes.json"})
final class ShapesCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Mixin InputShapes inputs;

  @Option(names = "--input", paramLabel = "NAME=[TYPE:]DIMS", hidden = true,
      description = "The older spelling of --shape.")
  List<String> legacyInputs = new ArrayList<>();

  @Parameters(index = "0", paramLabel = "NET", description = "The net (.pb binary, .pbtxt text).")
  Path net;

  @Option(names = "--init", paramLabel = "INIT_NET", description = "The init net, whose blobs the net reads.")
  Path init;

  @Option(names = "--shapes", paramLabel = "SHAPES.json",
      description = "A weight-shape file (zoo/<model>.shapes.json): its parameters are FLOAT inputs of those shapes.")
  Path shapesFile;

  @Option(names = "--json", description = "Print JSON: {blobs: {name: {dtype, dims, from}}, uninferred, "
      + "unknown_inputs}.")
  boolean json;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Map<String, BlobType> given = new LinkedHashMap<>();
    if (shapesFile != null) {
      ParameterShapes params = ParameterShapes.read(shapesFile);
      for (String p : params.names()) {
        given.put(p, BlobType.of(DataType.FLOAT, params.dims(p)));
      }
    }
    given.putAll(inputs.types(spec, legacyInputs));
    NetShapes initShapes = null;
    if (init != null) {
      NetDef initDef = NetDefs.read(init);
      try {
        initShapes = ShapeInference.infer(initDef, Map.of());
      } catch (ZerogException e) {
        throw e.atFile(init.toString());
      }
    }
    NetDef def = NetDefs.read(net);
    NetShapes shapes;
    try {
      shapes = ShapeInference.infer(def, given, initShapes);
    } catch (ZerogException e) {
      throw e.atFile(net.toString());
    }
    List<String> unused = unusedInputs(def, given);
    if (json) {
      out.println(Json.write(asJson(shapes, unused)));
    } else {
      printText(out, shapes, unused);
    }
    out.flush();
    return 0;
  }

  private static List<String> unusedInputs(NetDef def, Map<String, BlobType> given) {
    Set<String> read = new HashSet<>();
    for (OperatorDef op : def.getOpList()) {
      read.addAll(op.getInputList());
    }
    List<String> unused = new ArrayList<>();
    for (String name : given.keySet()) {
      if (!read.contains(name)) {
        unused.add(name);
      }
    }
    return unused;
  }

  private static void printText(PrintWriter out, NetShapes shapes, List<String> unused) {
    int nameWidth = 4;
    int typeWidth = 4;
    for (Map.Entry<String, BlobType> e : shapes.blobs().entrySet()) {
      nameWidth = Math.max(nameWidth, e.getKey().length());
      typeWidth = Math.max(typeWidth, e.getValue().toString().length());
    }
    nameWidth = Math.min(nameWidth, 60);
    typeWidth = Math.min(typeWidth, 40);
    String format = "%-" + nameWidth + "s  %-" + typeWidth + "s  %s%n";
    for (Map.Entry<String, BlobType> e : shapes.blobs().entrySet()) {
      out.printf(format, e.getKey(), e.getValue(), shapes.origins().get(e.getKey()));
    }
    for (NetShapes.Uninferred u : shapes.uninferred()) {
      out.println("note: " + u.describe());
    }
    if (!shapes.unknownInputs().isEmpty()) {
      out.println("note: " + shapes.unknownInputs().size() + " blob(s) read by the net have no known shape (give "
          + "them with --shape, or write them in the init net): " + String.join(", ", shapes.unknownInputs()));
    }
    if (!unused.isEmpty()) {
      out.println("note: the net reads no blob named " + String.join(", ", unused) + " (given with --shape)");
    }
  }

  static Map<String, Object> asJson(NetShapes shapes, List<String> unused) {
    Map<String, Object> blobs = new LinkedHashMap<>();
    for (Map.Entry<String, BlobType> e : shapes.blobs().entrySet()) {
      Map<String, Object> b = new LinkedHashMap<>();
      BlobType t = e.getValue();
      b.put("dtype", t.dtype() == null ? null : t.dtype().name());
      List<Object> dims = null;
      if (t.dims() != null) {
        dims = new ArrayList<>();
        for (long d : t.dims()) {
          dims.add(d);
        }
      }
      b.put("dims", dims);
      b.put("from", shapes.origins().get(e.getKey()));
      blobs.put(e.getKey(), b);
    }
    List<Object> uninferred = new ArrayList<>();
    for (NetShapes.Uninferred u : shapes.uninferred()) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("net", u.net());
      o.put("op", u.index());
      o.put("type", u.type());
      o.put("outputs", u.outputs());
      uninferred.add(o);
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("blobs", blobs);
    json.put("uninferred", uninferred);
    json.put("unknown_inputs", shapes.unknownInputs());
    json.put("unused_inputs", unused);
    return json;
  }
}
