package dev.zerog.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.zerog.grad.BackwardPass;
import dev.zerog.grad.GradientBlob;
import dev.zerog.net.Net;
import dev.zerog.net.NetShapes;
import dev.zerog.net.ShapeInference;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The model zoo acceptance, end to end with zerog's own tools, for the nets small enough for the unit suite:
 * shape inference at the {@code value_info.json} input, an init net generated from the net's weight shapes,
 * forward at batch 1, a train net made from the predict net and its backward pass with the loss on the classifier,
 * and the backward pass again with the trunk frozen the Caffe2 way at the last block (StopGradient on the cut,
 * ZeroGradient on every trunk parameter).
 *
 * <p>Inception v1 (7 million parameters; Conv, LRN, both pools, Concat, Dropout, FC) and ResNet-50 (SpatialBN in
 * training mode, Sum) run here, a few seconds each. The others take longer or hold much more (AlexNet, ZFNet-512 and
 * VGG-19 hold 61, 87 and 144 million parameters, DenseNet-121 has 668 ops); {@code -Dzerog.zoo.all=true} runs all
 * seven, and {@code tools/zoo-check.sh} runs the same stages through the command line, timed (docs/model-zoo.md).
 */
class ModelZooTrainingTest {
  private static final Set<String> SMALL = Set.of("inception_v1", "resnet50");
  private static final List<String> ALL = List.of("inception_v1", "inception_v2", "resnet50", "densenet121",
      "bvlc_alexnet", "zfnet512", "vgg19");

  @TestFactory
  Stream<DynamicTest> forwardBackwardAndFrozen() {
    return ALL.stream().filter(m -> Boolean.getBoolean("zerog.zoo.all") || SMALL.contains(m))
        .map(model -> DynamicTest.dynamicTest(model, () -> check(ZooModel.load(model))));
  }

  private static void check(ZooModel z) {
    NetDef predict = z.predict();
    String scores = predict.getExternalOutput(0);

    // Shape inference at the value_info input, with the parameters of the generated init net.
    NetDef init = InitNetGenerator.generate(predict, z.shapes());
    NetShapes shapes = ShapeInference.infer(predict, Map.of(z.input(), z.inputType()),
        ShapeInference.infer(init, Map.of()));
    assertThat(shapes.dims(scores)[1]).isEqualTo(1000);

    // Forward at batch 1.
    Workspace ws = new Workspace();
    Net.runOnce(init, ws);
    ws.feed(z.input(), image(z.inputDims()));
    Net.create(predict, ws).run();
    float[] out = ws.fetch(scores).floats();
    assertThat(out).hasSize(1000);
    assertThat(ws.fetch(scores).dims()).containsExactly(shapes.dims(scores));
    double sum = 0;
    for (float v : out) {
      assertThat(Float.isFinite(v)).isTrue();
      sum += v;
    }
    if (predict.getOp(predict.getOpCount() - 1).getType().equals("Softmax")) {
      assertThat(sum).isCloseTo(1.0, offset(1e-3));
    }

    // Backward with the loss on the classifier.
    TrainNet train = TrainNets.fromPredictNet(predict);
    List<String> params = TrunkFreezer.parameters(train.net(), init, List.of());
    BackwardPass full = BackwardPass.build(train.net(), List.of(train.loss()));
    ws.feed(train.label(), Tensor.of(new int[] {7}, 1));
    Net.create(full.appendTo(train.net()), ws).run();
    float loss = ws.fetch(train.loss()).floats()[0];
    assertThat(loss).isFinite().isPositive();
    for (String p : params) {
      GradientBlob g = full.gradientMap().get(p);
      assertThat(g).as("the gradient of %s", p).isNotNull();
      assertFinite(ws, g.dense(), ws.fetch(p).dims());
    }
    String classifierWeight = classifierWeight(train.net());
    assertThat(squaredNorm(ws, full.gradientMap().get(classifierWeight).dense())).isPositive();

    // Backward again with the trunk frozen at the last block.
    TrunkFreezer.FrozenNet frozen = TrunkFreezer.freeze(train.net(), train.blob(z.lastBlockInput()), params);
    assertThat(frozen.frozen()).isNotEmpty();
    BackwardPass head = BackwardPass.build(frozen.net(), List.of(train.loss()));
    Net.create(head.appendTo(frozen.net()), ws).run();
    Set<String> frozenSet = new HashSet<>(frozen.frozen());
    for (String p : params) {
      GradientBlob g = head.gradientMap().get(p);
      assertThat(g).as("every parameter has a gradient for the optimizer: %s", p).isNotNull();
      assertFinite(ws, g.dense(), ws.fetch(p).dims());
      if (frozenSet.contains(p)) {
        assertThat(squaredNorm(ws, g.dense())).as("the frozen %s", p).isZero();
      }
    }
    assertThat(squaredNorm(ws, head.gradientMap().get(classifierWeight).dense())).isPositive();
    assertThat(frozenSet).doesNotContain(classifierWeight);
    assertThat(head.gradientOps().size()).isLessThan(full.gradientOps().size());
  }

  /** The weight of the op that feeds the loss. */
  private static String classifierWeight(NetDef train) {
    OperatorDef loss = train.getOp(train.getOpCount() - 1);
    String logits = loss.getInput(0);
    for (int i = train.getOpCount() - 1; i >= 0; i--) {
      OperatorDef op = train.getOp(i);
      if (op.getOutputList().contains(logits) && op.getInputCount() > 1) {
        return op.getInput(1);
      }
    }
    throw new AssertionError("no classifier writes " + logits);
  }

  private static Tensor image(long[] dims) {
    Tensor x = Tensor.allocate(DataType.FLOAT, dims);
    SplittableRandom r = new SplittableRandom(11);
    float[] a = x.floats();
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) r.nextDouble(-1, 1);
    }
    return x;
  }

  private static void assertFinite(Workspace ws, String blob, long[] dims) {
    Tensor t = ws.fetch(blob);
    assertThat(t.dims()).as(blob).containsExactly(dims);
    for (float v : t.floats()) {
      if (!Float.isFinite(v)) {
        throw new AssertionError(blob + " holds " + v);
      }
    }
  }

  private static double squaredNorm(Workspace ws, String blob) {
    double s = 0;
    for (float v : ws.fetch(blob).floats()) {
      s += (double) v * v;
    }
    return s;
  }
}
