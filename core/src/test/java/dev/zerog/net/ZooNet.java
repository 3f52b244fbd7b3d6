package dev.zerog.net;

import dev.zerog.ModelZoo;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A model zoo predict net, its input (from {@code value_info.json}) and every blob's inferred shape. */
final class ZooNet {
  final String model;
  final NetDef net;
  final String input;
  final long[] inputDims;
  final ZooWeights.NetShapes shapes;
  final OperatorRegistry registry;

  private ZooNet(Path file) {
    model = ModelZoo.modelName(file);
    registry = OperatorRegistry.standard();
    net = NetDefs.read(file);
    Map.Entry<String, long[]> in = valueInfo(file.resolveSibling("value_info.json"));
    input = in.getKey();
    inputDims = in.getValue();
    shapes = ZooWeights.infer(net, input, inputDims, ZooWeights.weightShapes(model), registry);
  }

  /** The net of {@code <zoo>/<model>/predict_net.pbtxt}, its shapes inferred. */
  static ZooNet load(Path predictNet) {
    return new ZooNet(predictNet);
  }

  /** The zoo net named {@code model}. */
  static ZooNet load(String model) {
    return load(ModelZoo.predictNets().stream().filter(p -> ModelZoo.modelName(p).equals(model)).findFirst()
        .orElseThrow(() -> new IllegalStateException("the zoo has no " + model)));
  }

  /** The name of the last op's first output: the class scores. */
  String scores() {
    return net.getOp(net.getOpCount() - 1).getOutput(0);
  }

  /** A workspace with random parameters ({@link ZooWeights#feed}) and a random input in [-1, 1). */
  Workspace workspace() {
    Workspace ws = new Workspace();
    ZooWeights.feed(ws, shapes, 1, true);
    Tensor x = Tensor.allocate(DataType.FLOAT, inputDims);
    SplittableRandom r = new SplittableRandom(3);
    float[] a = x.floats();
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) r.nextDouble(-1, 1);
    }
    ws.feed(input, x);
    return ws;
  }

  /** The input blob and dims of a {@code value_info.json}: {@code {"data": [1, [1, 3, 224, 224]]}}. */
  static Map.Entry<String, long[]> valueInfo(Path file) {
    try {
      String json = Files.readString(file);
      Matcher m = Pattern.compile("\"([^\"]+)\"\\s*:\\s*\\[\\s*\\d+\\s*,\\s*\\[([0-9,\\s]+)\\]").matcher(json);
      if (!m.find()) {
        throw new IllegalStateException("cannot read " + file);
      }
      long[] dims = Arrays.stream(m.group(2).split(",")).map(String::trim).mapToLong(Long::parseLong).toArray();
      return Map.entry(m.group(1), dims);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
