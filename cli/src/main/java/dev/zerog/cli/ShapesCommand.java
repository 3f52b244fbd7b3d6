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
import java.util.Locale;
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
    description = {"Print the type and shape of every blob of NET, found by each operator's shape inference "
        + "without running anything.",
        "Inputs come from --input, from SHAPES.json and from the blobs INIT_NET writes. The first op whose "
            + "inputs do not fit is named in the error; an op without shape inference leaves its outputs unknown (?) "
            + "and is named in a note."},
    footer = {"", "Each line: blob, type, shape, and where it comes from (input, init, or the last op that writes "
        + "it).", "", "Examples:",
        "  zerog shapes predict_net.pbtxt --input data=1,3,224,224 --init init_net.pb",
        "  zerog shapes predict_net.pbtxt --input data=1,3,224,224 --shapes zoo/bvlc_alexnet.shapes.json",
        "  zerog shapes train.pbtxt --input data=8,3,224,224 --input label=int32:8 --init init.pbtxt --json"})
final class ShapesCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Parameters(index = "0", paramLabel = "NET", description = "The net (.pb binary, .pbtxt text).")
  Path net;

  @Option(names = "--input", paramLabel = "NAME=[TYPE:]DIMS",
      description = "An input's shape, comma-separated (empty for a scalar), optionally after its type "
          + "(default FLOAT): data=1,3,224,224 or label=int32:8 (repeatable).")
  List<String> inputs = new ArrayList<>();

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
    given.putAll(parseInputs());
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

  private Map<String, BlobType> parseInputs() {
    Map<String, BlobType> given = new LinkedHashMap<>();
    for (String s : inputs) {
      BlobType t;
      String name;
      try {
        int eq = s.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("expected NAME=[TYPE:]DIMS");
        }
        name = s.substring(0, eq);
        t = parseType(s.substring(eq + 1));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "bad --input '" + s + "': " + e.getMessage() + " (for example data=1,3,224,224 or label=int32:8)");
      }
      if (given.put(name, t) != null) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--input '" + name + "' is given twice");
      }
    }
    return given;
  }

  /** "1,3,224,224", "int32:8", "float:" (a scalar). */
  static BlobType parseType(String spec) {
    DataType dtype = DataType.FLOAT;
    String dims = spec;
    int colon = spec.indexOf(':');
    if (colon >= 0) {
      String type = spec.substring(0, colon).trim().toUpperCase(Locale.ROOT);
      try {
        dtype = DataType.valueOf(type);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown type '" + spec.substring(0, colon) + "'");
      }
      dims = spec.substring(colon + 1);
    }
    if (dims.isBlank()) {
      return BlobType.of(dtype);
    }
    String[] parts = dims.split(",", -1);
    long[] d = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        d[i] = Long.parseLong(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + parts[i] + "' is not a dimension");
      }
      if (d[i] < 0) {
        throw new IllegalArgumentException("a dimension cannot be negative: " + d[i]);
      }
    }
    return BlobType.of(dtype, d);
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
          + "them with --input, or write them in the init net): " + String.join(", ", shapes.unknownInputs()));
    }
    if (!unused.isEmpty()) {
      out.println("note: the net reads no blob named " + String.join(", ", unused) + " (given with --input)");
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
