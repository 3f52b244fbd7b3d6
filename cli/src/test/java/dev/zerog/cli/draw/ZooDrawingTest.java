package dev.zerog.cli.draw;

import static dev.zerog.cli.draw.Drawings.assertValidLayout;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zerog.net.NetDefs;
import dev.zerog.proto.Caffe2.NetDef;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The ResNet-50 predict net of the Caffe2 model zoo (175 ops), drawn whole: laid out in well under a second. The
 * zoo is found as the core tests find it ({@code -Dzerog.zoo}, {@code ZEROG_ZOO}, or {@code shared/caffe2-model-zoo}
 * in or above the working directory); without it the test is skipped.
 */
class ZooDrawingTest {
  private static Path zoo() {
    for (String configured : new String[] {System.getProperty("zerog.zoo"), System.getenv("ZEROG_ZOO")}) {
      if (configured != null && !configured.isBlank()) {
        return Path.of(configured);
      }
    }
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.isDirectory(d.resolve("shared/caffe2-model-zoo"))) {
        return d.resolve("shared/caffe2-model-zoo");
      }
    }
    Assumptions.abort("the Caffe2 model zoo was not found (set -Dzerog.zoo=<dir>)");
    return null;
  }

  @Test
  void resnet50IsDrawnWholeWithoutOverlaps() throws Exception {
    Path file = zoo().resolve("resnet50/predict_net.pbtxt");
    Assumptions.assumeTrue(Files.isRegularFile(file), "no " + file);
    NetDef net = NetDefs.read(file);
    NetDrawing d = NetDrawing.of(net, DrawOptions.defaults());
    assertThat(d.opCount()).isEqualTo(net.getOpCount());
    assertValidLayout(d.drawn(), d.layout());
    // A column of ops with their parameters beside them, not a diagonal: far taller than wide.
    assertThat(d.height()).isGreaterThan(4 * d.width());
    assertThat(NetDrawingTest.parse(d.svg()).getDocumentElement().getElementsByTagName("g").getLength())
        .isGreaterThan(2 * net.getOpCount());
    assertThat(d.pngScale()).isLessThan(1).isGreaterThan(0.5);
  }
}
