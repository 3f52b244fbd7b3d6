package dev.zerog.cli;

import static dev.zerog.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo at a reduced size: its table, its claims that do not depend on timing, and its picture. */
class DemoCommandTest {
  /** A row of the table: run, ms/step, test loss, test accuracy, trunk unchanged, gradient ops, updates, bytes. */
  private static final Pattern ROW = Pattern.compile(
      "\\((a|b|c)\\) .{30,}? +([0-9.]+) +([0-9.]+) +([0-9.]+)% +(yes|NO) +(\\d+) +(\\d+) +([0-9,]+)");

  @TempDir Path tmp;

  @Test
  void aShortDemoTellsTheWholeStory() throws Exception {
    Path out = tmp.resolve("demo");
    CliTest.Result r = run("demo", "--out", out.toString(), "--steps", "25", "--pretrain-steps", "40");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).contains("task A: step 40/40 (100%)").contains("task B (a, b, c): step 25/25 (100%)")
        .doesNotContain("\tat ");

    List<String[]> rows = r.out().lines().map(ROW::matcher).filter(Matcher::matches)
        .map(m -> new String[] {m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), m.group(6), m.group(7),
            m.group(8).replace(",", "")})
        .toList();
    assertThat(rows).as(r.out()).hasSize(3);
    String[] a = rows.get(0);
    String[] b = rows.get(1);
    String[] c = rows.get(2);
    assertThat(List.of(a[0], b[0], c[0])).containsExactly("a", "b", "c");
    // The trunk keeps its bits when frozen, either way; trained, it moves.
    assertThat(a[4]).isEqualTo("NO");
    assertThat(b[4]).isEqualTo("yes");
    assertThat(c[4]).isEqualTo("yes");
    // (b) and (c) train the same head: the same test loss and accuracy.
    assertThat(b[2]).isEqualTo(c[2]);
    assertThat(b[3]).isEqualTo(c[3]);
    assertThat(r.out()).contains("(b) and (c) train the head to the same bits");
    // The work: (c) runs the fewest gradient ops and updates the head only; (b) writes zero gradients.
    assertThat(Integer.parseInt(c[5])).isLessThan(Integer.parseInt(b[5]));
    assertThat(Integer.parseInt(b[5])).isLessThan(Integer.parseInt(a[5]));
    assertThat(Integer.parseInt(a[6])).isEqualTo(8);
    assertThat(Integer.parseInt(b[6])).isEqualTo(8);
    assertThat(Integer.parseInt(c[6])).isEqualTo(2);
    assertThat(Long.parseLong(a[7])).isZero();
    assertThat(Long.parseLong(b[7])).isGreaterThan(4L * 1024 * 256); // at least fc1_w, 1024 x 256 floats
    assertThat(Long.parseLong(c[7])).isZero();

    Path png = out.resolve("loss.png");
    assertThat(r.out()).contains("wrote " + png);
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image).isNotNull();
    assertThat(image.getWidth()).isEqualTo(800);
    assertThat(image.getHeight()).isEqualTo(500);
    try (var in = ImageIO.createImageInputStream(png.toFile())) {
      assertThat(ImageIO.getImageReaders(in).next().getFormatName()).isEqualToIgnoringCase("png");
    }
    Path svg = out.resolve("train_net.svg");
    assertThat(r.out()).contains("wrote " + svg);
    org.w3c.dom.Element root = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(svg.toFile()).getDocumentElement();
    assertThat(root.getTagName()).isEqualTo("svg");
    assertThat(Double.parseDouble(root.getAttribute("width").replace("px", ""))).isGreaterThan(300);
    assertThat(Double.parseDouble(root.getAttribute("height").replace("px", ""))).isGreaterThan(300);
    String drawing = Files.readString(svg);
    for (String blob : List.of("conv1_w", "fc1_w", "head_w", "head_w_grad", "loss")) {
      assertThat(drawing).as(blob).contains(">" + blob + "<");
    }
    assertThat(drawing).contains("frozen parameter").contains("pruned");
    try (Stream<Path> files = Files.list(out)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }
  }

  @Test
  void aStopRequestEndsTheDemoBetweenSteps() {
    FineTuningDemo.Config config = new FineTuningDemo.Config(5, 10, 8, 32, 64, 32, 0.01);
    int[] calls = {0};
    assertThatThrownBy(() -> FineTuningDemo.run(config, new FineTuningDemo.Listener() {
      @Override
      public boolean stopRequested() {
        return ++calls[0] > 8;
      }

      @Override
      public void pretrainStep(int done, float loss) {}

      @Override
      public void fineTuneStep(int done, float[] losses) {}
    })).isInstanceOf(FineTuningDemo.Stopped.class).hasMessage("task B at step 3");
  }

  @Test
  void usageErrorsExitTwoAndHelpHasAnExample() {
    assertThat(run("demo", "--steps", "0").code()).isEqualTo(2);
    CliTest.Result help = run("demo", "--help");
    assertThat(help.code()).isZero();
    assertThat(help.out()).contains("(b) the trunk frozen the Caffe2 way").contains("zerog demo -o ");
  }

  @Test
  void zerogWithoutArgumentsPointsToTheDemo() {
    CliTest.Result r = run();
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("\n  zerog demo ").contains("\n  demo ").contains("\n  train ");
  }
}
