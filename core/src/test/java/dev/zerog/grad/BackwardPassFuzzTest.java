package dev.zerog.grad;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.testing.FuzzChecks;
import dev.zerog.testing.RandomNets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Fuzz target for the backward builder: random nets of every registered operator type (see {@link RandomNets})
 * and random losses. {@link BackwardPass#build} must give a backward pass or a {@link dev.zerog.ZerogException},
 * and give the same one when asked twice. See docs/fuzzing.md.
 */
class BackwardPassFuzzTest {
  @FuzzTest(maxDuration = "15s")
  void build(FuzzedDataProvider data) throws Exception {
    NetDef net = RandomNets.net(data, 8, RandomNets.pool().subList(0, 3));
    List<String> losses = new ArrayList<>();
    int n = data.consumeInt(1, 2);
    for (int i = 0; i < n; i++) {
      losses.add(data.pickValue(RandomNets.pool()));
    }
    FuzzChecks.expectZerogErrorsOnly(() -> {
      BackwardPass first = BackwardPass.build(net, losses, Map.of(), RandomNets.registry());
      BackwardPass again = BackwardPass.build(net, losses, Map.of(), RandomNets.registry());
      if (!first.equals(again)) {
        throw new AssertionError("the backward pass of one net differs between two builds");
      }
      first.appendTo(net);
    });
  }
}
