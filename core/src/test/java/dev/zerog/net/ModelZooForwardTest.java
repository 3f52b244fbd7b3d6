package dev.zerog.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.zerog.ModelZoo;
import dev.zerog.op.BlobType;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The model zoo's predict nets with parameters of the published shapes ({@link ZooWeights}), at their
 * {@code value_info.json} input (1×3×224×224).
 *
 * <ul>
 *   <li>Every net: shape inference gives every blob a type, op by op, ending in 1000 class scores; the net is
 *   created with its parameters as known zeros (no memory).</li>
 *   <li>Forward with random weights, comparing every blob's shape with the inferred one and checking the class
 *   scores: Inception v1, Inception v2, ResNet-50 and DenseNet-121 (together about a second and a half).
 *   AlexNet, VGG-19 and ZFNet-512 hold 61, 144 and 108 million parameters: filling them takes 0.5 to 1.5 s and
 *   up to 0.6 GB each, too much for the unit suite, which tests their shape inference and creation only. Their
 *   forward runs too with {@code mvn -o test -pl core -Dtest=ModelZooForwardTest -Dzerog.zoo.all=true
 *   -DargLine=-Xmx4g}.</li>
 * </ul>
 */
class ModelZooForwardTest {
  private static final Set<String> FORWARD = Set.of("inception_v1", "inception_v2", "resnet50", "densenet121");

  @TestFactory
  Stream<DynamicTest> everyNetInfersItsShapesAndIsCreated() {
    return ModelZoo.predictNets().stream().map(file -> DynamicTest.dynamicTest(ModelZoo.modelName(file), () -> {
      ZooNet z = ZooNet.load(file);
      long[] out = z.shapes.types().get(z.scores()).dims();
      assertThat(out[0]).isEqualTo(1);
      assertThat(out[1]).isEqualTo(1000);
      assertThat(Arrays.stream(out).skip(2)).allMatch(d -> d == 1);
      Workspace ws = new Workspace();
      ZooWeights.feed(ws, z.shapes, 1, false);
      ws.feed(z.input, Tensor.zeros(DataType.FLOAT, z.inputDims));
      Net net = Net.create(z.net, ws, z.registry);
      assertThat(net.size()).isEqualTo(z.net.getOpCount());
      assertThat(ws.materializedBytes()).isZero();
    }));
  }

  @TestFactory
  Stream<DynamicTest> forwardWithRandomWeights() {
    return ModelZoo.predictNets().stream()
        .filter(file -> Boolean.getBoolean("zerog.zoo.all") || FORWARD.contains(ModelZoo.modelName(file)))
        .map(file -> DynamicTest.dynamicTest(ModelZoo.modelName(file), () -> {
          ZooNet z = ZooNet.load(file);
          Workspace ws = z.workspace();
          Net.create(z.net, ws, z.registry).run();
          for (Map.Entry<String, BlobType> e : z.shapes.types().entrySet()) {
            if (ws.getBlob(e.getKey()).isEmpty()) {
              // Only Dropout's mask is left unwritten in test mode, as in Caffe2.
              assertThat(e.getKey()).endsWith("_mask");
              continue;
            }
            assertThat(ws.fetch(e.getKey()).dims()).as(e.getKey()).containsExactly(e.getValue().dims());
          }
          float[] scores = ws.fetch(z.scores()).floats();
          assertThat(scores).hasSize(1000);
          double sum = 0;
          float min = Float.POSITIVE_INFINITY;
          float max = Float.NEGATIVE_INFINITY;
          for (float s : scores) {
            assertThat(Float.isFinite(s)).isTrue();
            sum += s;
            min = Math.min(min, s);
            max = Math.max(max, s);
          }
          // The random weights keep the signal alive to the end: the scores are not all the same.
          assertThat(max - min).isGreaterThan(1e-6f);
          if (z.net.getOp(z.net.getOpCount() - 1).getType().equals("Softmax")) {
            assertThat(sum).isCloseTo(1.0, offset(1e-4));
          }
        }));
  }
}
