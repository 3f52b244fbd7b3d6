package dev.zerog.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerog.grad.BackwardPass;
import dev.zerog.grad.GradientBlob;
import dev.zerog.grad.GradientPruning;
import dev.zerog.grad.ParameterGradient;
import dev.zerog.grad.PrunedBackward;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.workspace.Workspace;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The zero-aware backward pass on ResNet-50's trunk with its first two stages frozen (conv1 and res2): the pruned
 * pass computes no gradient below res3, and every gradient it computes is bitwise the one the Caffe2-faithful
 * pass computes.
 */
class ModelZooPruningTest {
  @Test
  void resnet50WithAFrozenStemIsExact() {
    ZooNet z = ZooNet.load("resnet50");
    NetDef.Builder trunk = z.net.toBuilder().clearOp();
    for (OperatorDef op : z.net.getOpList()) {
      trunk.addOp(op);
      if (op.getOutputList().contains("gpu_0/pool5")) {
        break;
      }
    }
    trunk.addOp(OperatorDef.newBuilder().setType("AveragedLoss").addInput("gpu_0/pool5").addOutput("loss"));
    NetDef net = trunk.build();
    List<String> params = new ArrayList<>();
    for (String p : z.shapes.params().keySet()) {
      if (!p.equals(z.input)) {
        params.add(p);
      }
    }
    BackwardPass full = BackwardPass.build(net, List.of("loss"));
    PrunedBackward pruned = GradientPruning.of(net, full).parameters(params)
        .freeze(List.of("gpu_0/conv1_*", "gpu_0/res_conv1_*", "gpu_0/res2_*")).inputTypes(z.shapes.types()).prune();

    assertThat(pruned.removedOps()).isGreaterThan(30);
    assertThat(pruned.savedFlops()).isGreaterThan(1_000_000_000L);
    assertThat(pruned.pass().gradientMap()).doesNotContainKey(z.input).doesNotContainKey("gpu_0/conv1_w")
        .containsKey("gpu_0/res3_0_branch2a_w");
    assertThat(pruned.parameters().get("gpu_0/res2_0_branch2a_w").status())
        .isEqualTo(ParameterGradient.Status.FROZEN);
    // res3's first convolutions no longer compute the gradient of their input.
    assertThat(pruned.pass().gradientOps()).anyMatch(op -> op.getType().equals("ConvGradient")
        && op.getInput(1).equals("gpu_0/res3_0_branch2a_w") && op.getOutputCount() == 1);

    Workspace faithful = z.workspace();
    Net.create(full.appendTo(net), faithful, z.registry).run();
    Workspace ws = z.workspace();
    Net.create(pruned.pass().appendTo(net), ws, z.registry).run();
    int compared = 0;
    for (Map.Entry<String, GradientBlob> e : pruned.pass().gradientMap().entrySet()) {
      String g = e.getValue().dense();
      assertThat(ws.fetch(g).contentEquals(faithful.fetch(g))).as(g).isTrue();
      compared++;
    }
    assertThat(compared).isGreaterThan(100);
  }
}
