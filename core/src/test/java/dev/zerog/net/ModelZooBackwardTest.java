package dev.zerog.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerog.grad.BackwardPass;
import dev.zerog.grad.GradientBlob;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Backward through the trunk of ResNet-50 and Inception v2 (two of the nets Caffe2 differentiates as shipped),
 * with random weights and an averaged loss on the pooled features, so that every Conv, SpatialBN (test mode),
 * Relu, pool, Concat and Sum gradient op runs at full size: every Conv weight gets a finite, non-zero gradient of
 * its shape, and the input a gradient of its shape.
 */
class ModelZooBackwardTest {
  private static final Map<String, String> FEATURES = Map.of("resnet50", "gpu_0/pool5", "inception_v2",
      "pool5/7x7_s1");

  @TestFactory
  Stream<DynamicTest> backwardThroughTheTrunk() {
    return FEATURES.keySet().stream().sorted().map(model -> DynamicTest.dynamicTest(model, () -> {
      ZooNet z = ZooNet.load(model);
      String features = FEATURES.get(model);
      NetDef.Builder trunk = z.net.toBuilder().clearOp();
      for (OperatorDef op : z.net.getOpList()) {
        trunk.addOp(op);
        if (op.getOutputList().contains(features)) {
          break;
        }
      }
      trunk.addOp(OperatorDef.newBuilder().setType("AveragedLoss").addInput(features).addOutput("loss"));
      BackwardPass pass = BackwardPass.build(trunk.build(), List.of("loss"));
      Workspace ws = z.workspace();
      Net.create(pass.appendTo(trunk.build()), ws, z.registry).run();
      int convWeights = 0;
      for (OperatorDef op : trunk.getOpList()) {
        if (!op.getType().equals("Conv")) {
          continue;
        }
        String w = op.getInput(1);
        GradientBlob g = pass.gradientMap().get(w);
        assertThat(g).as(w).isNotNull();
        Tensor dw = ws.fetch(g.dense());
        assertThat(dw.dims()).as(w).containsExactly(ws.fetch(w).dims());
        double norm = 0;
        for (float v : dw.floats()) {
          assertThat(Float.isFinite(v)).isTrue();
          norm += v * v;
        }
        assertThat(norm).as("the squared norm of the gradient of %s", w).isPositive();
        convWeights++;
      }
      assertThat(convWeights).isGreaterThan(50);
      assertThat(ws.fetch(pass.gradientMap().get(z.input).dense()).dims()).containsExactly(z.inputDims);
    }));
  }
}
