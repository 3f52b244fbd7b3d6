package dev.zerog.cli.draw;

import static dev.zerog.cli.draw.Drawings.examples;
import static dev.zerog.cli.draw.Drawings.fixturePath;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zerog.cli.Main;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code zerog draw}, driven in-process as the command line would. */
class DrawCommandTest {
  @TempDir Path tmp;

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void drawsTheExampleWithItsBackwardPassInEachFormat() throws Exception {
    String net = examples().resolve("zero_gradient.pbtxt").toString();
    String pngLine = null;
    for (String name : new String[] {"zg.svg", "zg.png", "zg.dot"}) {
      Path file = tmp.resolve(name);
      Result r = run("draw", net, "--loss", "loss", "-o", file.toString());
      assertThat(r.err()).isEmpty();
      assertThat(r.code()).isZero();
      assertThat(r.out()).startsWith(net + ": 5 forward ops, 3 gradient ops for loss loss -> " + file);
      assertThat(Files.size(file)).isPositive();
      pngLine = name.endsWith(".png") ? r.out() : pngLine;
    }
    assertThat(Files.readString(tmp.resolve("zg.svg"))).contains("#2 ZeroGradient").contains("#3 StopGradient");
    assertThat(Files.readString(tmp.resolve("zg.dot"))).startsWith("digraph \"zero_gradient.pbtxt\"");
    BufferedImage png = ImageIO.read(tmp.resolve("zg.png").toFile());
    assertThat(png.getWidth()).isGreaterThan(500);
    assertThat(pngLine).contains("(" + png.getWidth() + " x " + png.getHeight() + " px)");
  }

  @Test
  void drawsAFrozenAndPrunedMlpWithShapes() throws Exception {
    Path file = tmp.resolve("mlp.svg");
    Result r = run("draw", fixturePath("mlp.pbtxt").toString(), "--init", fixturePath("mlp_init.pbtxt").toString(),
        "--loss", "loss", "--freeze", "*1", "--prune", "--shape", "X=8,4", "--shape", "label=8:INT32", "-o",
        file.toString());
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("2 ops pruned, 1 trimmed by the zero-aware pass; 2 parameters frozen");
    String svg = Files.readString(file);
    assertThat(svg).contains("class=\"node blob frozen-parameter\"").contains("pruned (removed by zerog)")
        .contains(">8\u00d75</text>");
  }

  @Test
  void anUnknownExtensionIsAUsageErrorNamingTheFile() {
    Result r = run("draw", examples().resolve("zero_gradient.pbtxt").toString(), "-o",
        tmp.resolve("net.jpeg").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("error: cannot tell the format of '" + tmp.resolve("net.jpeg") + "'")
        .contains(".svg, .png or .dot");
    assertThat(Files.exists(tmp.resolve("net.jpeg"))).isFalse();
  }

  @Test
  void pruneWithoutALossIsAUsageError() {
    Result r = run("draw", examples().resolve("zero_gradient.pbtxt").toString(), "--prune", "-o",
        tmp.resolve("net.svg").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("error: --prune needs --loss");
  }

  @Test
  void aBadNetFailsWithOneErrorLineNamingTheFile() throws Exception {
    Path bad = tmp.resolve("bad.pbtxt");
    Files.writeString(bad, "op {\n  type: \"Relu\"\n  input: \n}\n");
    Result r = run("draw", bad.toString(), "-o", tmp.resolve("bad.svg").toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("error: " + bad + ":4:");
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(Files.exists(tmp.resolve("bad.svg"))).isFalse();
  }

  @Test
  void aLossTheNetDoesNotHaveFailsNamingTheFileAndBlob() {
    Path net = fixturePath("mlp.pbtxt");
    Result r = run("draw", net.toString(), "--loss", "nope", "-o", tmp.resolve("x.svg").toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("error: " + net + ": blob 'nope': loss blob 'nope' is not a blob of the net");
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  @Test
  void aFreezePatternThatMatchesNothingFails() {
    Result r = run("draw", fixturePath("mlp.pbtxt").toString(), "--init", fixturePath("mlp_init.pbtxt").toString(),
        "--loss", "loss", "--freeze", "conv*", "-o", tmp.resolve("x.svg").toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("the pattern 'conv*' matches no parameter");
  }

  @Test
  void helpShowsAnExample() {
    Result r = run("draw", "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("Usage: zerog draw").contains("zerog draw examples/zero_gradient.pbtxt --loss loss")
        .contains("--freeze").contains("--prune").contains("--init");
  }
}
