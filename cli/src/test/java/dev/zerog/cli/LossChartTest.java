package dev.zerog.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class LossChartTest {
  @Test
  void shortCurvesKeepEveryStep() {
    double[][] xy = LossChart.points(new LossChart.Curve("a", new float[] {3, 2, 1}, 10));
    assertThat(xy[0]).containsExactly(11, 12, 13);
    assertThat(xy[1]).containsExactly(3, 2, 1);
  }

  @Test
  void longCurvesAreMeansOfEqualRuns() {
    float[] losses = new float[4000];
    for (int i = 0; i < losses.length; i++) {
      losses[i] = i % 4;
    }
    double[][] xy = LossChart.points(new LossChart.Curve("a", losses, 0));
    assertThat(xy[0]).hasSize(LossChart.MAX_POINTS);
    assertThat(xy[0][0]).isEqualTo(2.5); // steps 1 to 4
    for (double v : xy[1]) {
      assertThat(v).isCloseTo(1.5, within(1e-12));
    }
  }

  @Test
  void aCurveStopsAtItsFirstValueThatIsNotFinite() {
    double[][] xy = LossChart.points(new LossChart.Curve("a", new float[] {3, Float.NaN, 1}, 0));
    assertThat(xy[0]).containsExactly(1);
  }

  @Test
  void thePngHasTheSizeAsked() throws Exception {
    byte[] png = LossChart.png("t", List.of(new LossChart.Curve("a", new float[] {3, 2, 1}, 0),
        new LossChart.Curve("b", new float[] {}, 0)), 400, 300);
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(image.getWidth()).isEqualTo(400);
    assertThat(image.getHeight()).isEqualTo(300);
  }
}
