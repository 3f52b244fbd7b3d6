package dev.zerog.train;

import static org.junit.jupiter.api.Assertions.fail;

import dev.zerog.ModelZoo;
import dev.zerog.net.NetDefs;
import dev.zerog.op.BlobType;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.tensor.DataType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One net of the Caffe2 model zoo with what zerog's tests add to it: its predict net, its input from
 * {@code value_info.json}, its weight shapes from the repository's {@code zoo/<model>.shapes.json}, and where its
 * trunk ends (the blob the last block reads, where the trunk is frozen).
 */
public record ZooModel(String name, Path predictNetFile, NetDef predict, String input, long[] inputDims,
    ParameterShapes shapes) {

  /**
   * The blob each net's last block reads: the fully connected block of AlexNet, ZFNet-512 and VGG-19, the last
   * Inception module (5b), ResNet-50's last bottleneck block (res5_2), DenseNet-121's last dense block (5).
   */
  static final Map<String, String> LAST_BLOCK_INPUT = Map.of(
      "bvlc_alexnet", "pool5",
      "zfnet512", "gpu_0/pool5",
      "vgg19", "pool5",
      "inception_v1", "inception_5a/output",
      "inception_v2", "inception_5a/output",
      "resnet50", "gpu_0/res5_1_branch2c_bn",
      "densenet121", "pool4");

  /** The zoo's model of that name. */
  static ZooModel load(String name) {
    for (Path p : ModelZoo.predictNets()) {
      if (ModelZoo.modelName(p).equals(name)) {
        return load(p);
      }
    }
    return fail("the zoo has no model " + name);
  }

  /** The model of {@code <zoo>/<model>/predict_net.pbtxt}. */
  static ZooModel load(Path predictNet) {
    String name = ModelZoo.modelName(predictNet);
    Map.Entry<String, long[]> in = valueInfo(predictNet.resolveSibling("value_info.json"));
    return new ZooModel(name, predictNet, NetDefs.read(predictNet), in.getKey(), in.getValue(),
        ParameterShapes.read(shapesFile(name)));
  }

  /** The blob the last block reads. */
  String lastBlockInput() {
    return LAST_BLOCK_INPUT.get(name);
  }

  /** The input's type. */
  BlobType inputType() {
    return BlobType.of(DataType.FLOAT, inputDims);
  }

  /** The input and every parameter, typed, for shape inference. */
  Map<String, BlobType> inputsAndParameters() {
    Map<String, BlobType> types = new java.util.LinkedHashMap<>();
    types.put(input, inputType());
    for (String p : shapes.names()) {
      types.put(p, BlobType.of(DataType.FLOAT, shapes.dims(p)));
    }
    return types;
  }

  /** {@code {"data": [1, [1, 3, 224, 224]]}}: the one input's name and dims. */
  static Map.Entry<String, long[]> valueInfo(Path file) {
    try {
      Map<?, ?> json = (Map<?, ?>) JsonText.parse(Files.readString(file));
      Map.Entry<?, ?> e = json.entrySet().iterator().next();
      List<?> dims = (List<?>) ((List<?>) e.getValue()).get(1);
      return Map.entry((String) e.getKey(), dims.stream().mapToLong(d -> (Long) d).toArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The repository's {@code zoo/<model>.shapes.json}, found from the working directory or above it. */
  public static Path shapesFile(String model) {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path f = d.resolve("zoo").resolve(model + ".shapes.json");
      if (Files.isRegularFile(f) && Files.isRegularFile(d.resolve("zoo/make_shapes.py"))) {
        return f;
      }
    }
    return fail("zoo/" + model + ".shapes.json not found above " + Path.of("").toAbsolutePath());
  }
}
