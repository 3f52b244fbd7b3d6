package dev.zerog.train;

import dev.zerog.net.NetDefs;
import dev.zerog.proto.Caffe2.DeviceOption;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * The test net {@code train/small_cnn.pbtxt}: a predict net with the zoo's patterns at a small size (Conv,
 * SpatialBN in test mode with Mul and Add after it on the same blob, Relu in place, MaxPool, FC, Relu then Dropout
 * in place, FC, Softmax), its weight shapes ({@code small_cnn.shapes.json}) and a batch of 2 images of 3×8×8.
 */
final class SmallCnn {
  static final long[] DATA_DIMS = {2, 3, 8, 8};

  private SmallCnn() {}

  static Path resource(String name) {
    try {
      return Path.of(SmallCnn.class.getResource("/train/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static NetDef predict() {
    return NetDefs.read(resource("small_cnn.pbtxt"));
  }

  static ParameterShapes shapes() {
    return ParameterShapes.read(resource("small_cnn.shapes.json"));
  }

  /**
   * The net with a fixed {@code random_seed} in its device option, so that its ops without their own (Dropout in
   * training mode) draw the same values on every run.
   */
  static NetDef seeded(NetDef net) {
    return net.toBuilder().setDeviceOption(DeviceOption.newBuilder().setRandomSeed(1)).build();
  }

  /** Feeds {@code data} (uniform in [-1, 1)) and, when {@code label} is not null, INT32 labels {1, 3}. */
  static void feed(Workspace ws, String label) {
    Tensor x = Tensor.allocate(DataType.FLOAT, DATA_DIMS);
    SplittableRandom r = new SplittableRandom(5);
    float[] a = x.floats();
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) r.nextDouble(-1, 1);
    }
    ws.feed("data", x);
    if (label != null) {
      ws.feed(label, Tensor.of(new int[] {1, 3}, 2));
    }
  }

  /** The sum of squares of a FLOAT blob. */
  static double squaredNorm(Workspace ws, String blob) {
    double s = 0;
    for (float v : ws.fetch(blob).floats()) {
      s += (double) v * v;
    }
    return s;
  }
}
