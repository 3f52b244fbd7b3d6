package dev.zerog.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.zerog.ModelZoo;
import dev.zerog.ShapeException;
import dev.zerog.net.NetShapes;
import dev.zerog.net.ShapeInference;
import dev.zerog.op.Arguments;
import dev.zerog.op.BlobType;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The weight-shape fixtures {@code zoo/<model>.shapes.json} checked against their nets by shape inference, for all
 * seven zoo nets: each names exactly the net's parameters, every op accepts them (a Conv's filter fits the channels
 * it reads and its kernel, an FC's weight the size it reads, a SpatialBN's statistics its channels), and the
 * classifier gives 1000 scores for the one image of {@code value_info.json}.
 */
class ZooShapesTest {
  @TestFactory
  Stream<DynamicTest> everyFixtureFitsItsNet() {
    return ModelZoo.predictNets().stream().map(file -> DynamicTest.dynamicTest(ModelZoo.modelName(file), () -> {
      ZooModel z = ZooModel.load(file);
      assertThat(z.shapes().model()).isEqualTo(z.name());
      assertThat(z.shapes().source()).isNotBlank();

      // Exactly the net's parameters: every blob its ops read and none writes, but the data. (ResNet-50 and
      // ZFNet-512 also list a data queue among their external inputs, which no op reads.)
      Set<String> params = new HashSet<>(TrunkFreezer.parameters(z.predict(), null, List.of(z.input())));
      assertThat(new HashSet<>(z.shapes().names())).isEqualTo(params);
      assertThat(InitNetGenerator.inputsLeftToCaller(z.predict(), z.shapes())).containsExactly(z.input());

      NetShapes s = ShapeInference.infer(z.predict(), z.inputsAndParameters());
      assertThat(s.isComplete()).isTrue();
      assertThat(s.uninferred()).isEmpty();
      assertThat(s.unknownInputs()).isEmpty();
      long[] scores = s.dims(z.predict().getExternalOutput(0));
      assertThat(scores[0]).isEqualTo(1);
      assertThat(scores[1]).isEqualTo(1000);
      // DenseNet-121's classifier is a 1x1 Conv: [1, 1000, 1, 1]; the others end in an FC (and Softmax): [1, 1000].
      assertThat(Arrays.stream(scores).skip(2)).allMatch(d -> d == 1);
      assertThat(scores.length).isEqualTo(z.name().equals("densenet121") ? 4 : 2);

      // What shape inference checked, said once more directly: a filter's input channels and kernel.
      int convs = 0;
      for (OperatorDef op : z.predict().getOpList()) {
        if (op.getType().equals("Conv")) {
          Arguments a = Arguments.of(op.getArgList());
          long[] w = z.shapes().dims(op.getInput(1));
          long[] x = s.dims(op.getInput(0));
          assertThat(w[1] * a.getInt("group", 1)).as(op.getInput(1)).isEqualTo(x[1]);
          int k = a.getInt("kernel", -1);
          if (k >= 0) {
            assertThat(new long[] {w[2], w[3]}).as(op.getInput(1)).containsExactly(k, k);
          }
          convs++;
        }
      }
      assertThat(convs).isPositive();
    }));
  }

  @TestFactory
  Stream<DynamicTest> aFixtureThatDoesNotFitIsCaughtAtItsOp() {
    return Stream.of("bvlc_alexnet", "resnet50", "densenet121").map(model -> DynamicTest.dynamicTest(model, () -> {
      ZooModel z = ZooModel.load(model);
      // The input channels of the second Conv, off by one.
      OperatorDef second = z.predict().getOpList().stream().filter(op -> op.getType().equals("Conv")).skip(1)
          .findFirst().orElseThrow();
      int index = z.predict().getOpList().indexOf(second);
      Map<String, BlobType> types = new LinkedHashMap<>(z.inputsAndParameters());
      long[] w = z.shapes().dims(second.getInput(1));
      w[1]++;
      types.put(second.getInput(1), BlobType.of(DataType.FLOAT, w));
      ShapeException e = catchThrowableOfType(ShapeException.class,
          () -> ShapeInference.infer(z.predict(), types));
      assertThat(e.opIndex()).isEqualTo(index);
      assertThat(e.opType()).isEqualTo("Conv");
    }));
  }

  @TestFactory
  Stream<DynamicTest> theGeneratedInitNetGivesTheSameShapes() {
    return Stream.of("inception_v1", "densenet121").map(model -> DynamicTest.dynamicTest(model, () -> {
      ZooModel z = ZooModel.load(model);
      NetShapes init = ShapeInference.infer(InitNetGenerator.generate(z.predict(), z.shapes()), Map.of());
      NetShapes viaInit = ShapeInference.infer(z.predict(), Map.of(z.input(), z.inputType()), init);
      NetShapes direct = ShapeInference.infer(z.predict(), z.inputsAndParameters());
      assertThat(viaInit.blobs()).isEqualTo(direct.blobs());
      assertThat(init.blobs().keySet()).containsExactlyElementsOf(List.copyOf(viaInit.blobs().keySet()).stream()
          .filter(z.shapes()::has).toList());
    }));
  }
}
