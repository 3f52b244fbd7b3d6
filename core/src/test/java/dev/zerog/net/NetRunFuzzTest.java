package dev.zerog.net;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.zerog.ResourceLimits;
import dev.zerog.io.FileRoot;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.tensor.Tensor;
import dev.zerog.testing.FuzzChecks;
import dev.zerog.testing.RandomNets;
import dev.zerog.workspace.Workspace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fuzz target for creating and running nets: random nets of every registered operator type, with random
 * arguments, over random small inputs, created and run twice under tight limits (1 MiB per tensor, 8 MiB per
 * workspace), with the numeric guard on or off. Every outcome must be success or a
 * {@link dev.zerog.ZerogException}. Save and Load write under a temporary directory. See docs/fuzzing.md.
 */
class NetRunFuzzTest {
  private static final ResourceLimits TIGHT = ResourceLimits.of(1 << 20, 8 << 20);
  private static final Path ROOT = temporaryRoot();

  private static Path temporaryRoot() {
    try {
      Path dir = Files.createTempDirectory("zerog-fuzz-root");
      dir.toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "20s")
  void createAndRun(FuzzedDataProvider data) throws Exception {
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    RandomNets.feeds(data, feeds);
    NetDef def = RandomNets.net(data, 5, new ArrayList<>(feeds.keySet()));
    boolean checkFinite = data.consumeBoolean();
    Workspace ws = new Workspace(TIGHT).setFileRoot(FileRoot.of(ROOT));
    feeds.forEach(ws::feed);
    FuzzChecks.expectZerogErrorsOnly(() -> {
      Net net = Net.create(def, ws, RandomNets.registry()).setCheckFinite(checkFinite);
      net.run();
      net.run();
    }, () -> def + "feeds: " + feeds);
  }
}
