package dev.zerog.cli.draw;

import static dev.zerog.cli.draw.Drawings.example;
import static dev.zerog.cli.draw.Drawings.fixture;
import static dev.zerog.cli.draw.Drawings.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerog.GradientException;
import dev.zerog.ZerogException;
import dev.zerog.grad.BackwardPass;
import dev.zerog.net.NetDefs;
import dev.zerog.op.BlobType;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.tensor.DataType;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class NetDrawingTest {
  private static final NetDef ZERO_GRADIENT = example("zero_gradient.pbtxt");
  private static final NetDef MLP = fixture("mlp.pbtxt");
  private static final NetDef MLP_INIT = fixture("mlp_init.pbtxt");

  @TempDir Path tmp;

  private static NetDrawing frozenMlp() {
    return NetDrawing.of(MLP, DrawOptions.builder().losses(List.of("loss")).initNet(MLP_INIT)
        .freeze(List.of("*1")).prune(true).build());
  }

  static Document parse(String xml) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
  }

  /** The {@code g} elements whose class list holds {@code cssClass}. */
  static List<Element> groups(Document doc, String cssClass) {
    List<Element> out = new ArrayList<>();
    NodeList gs = doc.getElementsByTagName("g");
    for (int i = 0; i < gs.getLength(); i++) {
      Element g = (Element) gs.item(i);
      if (List.of(g.getAttribute("class").split(" ")).contains(cssClass)) {
        out.add(g);
      }
    }
    return out;
  }

  @Test
  void zeroGradientStopGradientAndTheKnownZeroAreMarked() {
    DrawGraph g = NetDrawing.of(ZERO_GRADIENT, DrawOptions.builder().losses(List.of("loss")).build()).graph();
    assertThat(node(g, "#2 ZeroGradient").mark()).isEqualTo(Mark.ZERO_GRADIENT);
    assertThat(node(g, "#3 StopGradient").mark()).isEqualTo(Mark.STOP_GRADIENT);
    assertThat(node(g, "#4 Sum").mark()).isEqualTo(Mark.FORWARD_OP);
    // ZeroGradient's gradient: a ConstantFill of zeros, drawn as a gradient op, whose output is a known zero.
    DrawGraph.Node fill = node(g, "#7 ConstantFill");
    assertThat(fill.mark()).isEqualTo(Mark.BACKWARD_OP);
    assertThat(fill.label().get(1).text()).isEqualTo("for #2 ZeroGradient");
    DrawGraph.Node wGrad = node(g, "W_grad");
    assertThat(wGrad.mark()).isEqualTo(Mark.KNOWN_ZERO);
    assertThat(wGrad.label().get(1).text()).isEqualTo("zeros 2\u00d73");
    assertThat(node(g, "X_detached_grad").mark()).isEqualTo(Mark.GRADIENT);
    assertThat(node(g, "X").label().get(1).text()).isEqualTo("2\u00d73");
    assertThat(g.marks()).contains(Mark.ZERO_GRADIENT, Mark.STOP_GRADIENT, Mark.KNOWN_ZERO, Mark.BACKWARD_OP);
    assertThat(g.anyPruned()).isFalse();
    // Sum reads X_detached twice: one edge, counted twice.
    DrawGraph.Node sum = node(g, "#4 Sum");
    assertThat(g.edges().stream().filter(e -> e.to() == sum.id()).toList()).singleElement()
        .satisfies(e -> assertThat(e.count()).isEqualTo(2));
  }

  @Test
  void frozenParametersAndWhatPruningRemovesAreMarked() {
    DrawGraph g = frozenMlp().graph();
    assertThat(node(g, "W1").mark()).isEqualTo(Mark.FROZEN_PARAMETER);
    assertThat(node(g, "b1").mark()).isEqualTo(Mark.FROZEN_PARAMETER);
    assertThat(node(g, "W2").mark()).isEqualTo(Mark.PARAMETER);
    assertThat(node(g, "X").mark()).isEqualTo(Mark.BLOB);
    // Nothing wanted needs the first layer's gradients: ReluGradient and the first FCGradient are pruned...
    assertThat(node(g, "#7 ReluGradient").pruned()).isTrue();
    assertThat(node(g, "#8 FCGradient").pruned()).isTrue();
    assertThat(node(g, "W1_grad").pruned()).isTrue();
    // ...and the second FCGradient stays, without the dX nobody reads.
    assertThat(node(g, "#6 FCGradient").pruned()).isFalse();
    assertThat(node(g, "r1_grad").pruned()).isTrue();
    assertThat(node(g, "W2_grad").pruned()).isFalse();
    assertThat(node(g, "#6 FCGradient").tooltip()).contains("pruned: its last 1 output(s)");
    assertThat(g.anyPruned()).isTrue();
    assertThat(g.subtitle()).contains("2 ops pruned, 1 trimmed by the zero-aware pass").contains("2 parameters frozen");
    for (DrawGraph.Edge e : g.edges()) {
      boolean endPruned = g.nodes().get(e.from()).pruned() || g.nodes().get(e.to()).pruned();
      assertThat(e.pruned()).isEqualTo(endPruned);
    }
  }

  @Test
  void freezingWithoutPruningRemovesOnlyWhatTheFrozenParametersNeed() {
    DrawGraph g = NetDrawing.of(MLP, DrawOptions.builder().losses(List.of("loss")).initNet(MLP_INIT)
        .freeze(List.of("*1")).build()).graph();
    // Without pruning every other gradient of the map stays wanted, X's included: the first FCGradient stays.
    assertThat(g.nodes()).noneMatch(DrawGraph.Node::pruned);
    assertThat(node(g, "W1").mark()).isEqualTo(Mark.FROZEN_PARAMETER);
    assertThat(g.subtitle()).contains("0 ops pruned by freezing");
    // ZeroGradient's fill serves W alone: freezing W removes it.
    DrawGraph z = NetDrawing.of(ZERO_GRADIENT, DrawOptions.builder().losses(List.of("loss"))
        .parameters(List.of("W")).freeze(List.of("W")).build()).graph();
    assertThat(node(z, "#7 ConstantFill").pruned()).isTrue();
    assertThat(node(z, "W_grad").pruned()).isTrue();
    assertThat(node(z, "#6 Sum").pruned()).isFalse();
    assertThat(node(z, "W").mark()).isEqualTo(Mark.FROZEN_PARAMETER);
  }

  @Test
  void pruningKeepsTheKnownZeroAFillStillWrites() {
    DrawGraph g = NetDrawing.of(ZERO_GRADIENT, DrawOptions.builder().losses(List.of("loss"))
        .parameters(List.of("W")).prune(true).build()).graph();
    DrawGraph.Node wGrad = node(g, "W_grad");
    assertThat(wGrad.mark()).isEqualTo(Mark.KNOWN_ZERO);
    assertThat(wGrad.pruned()).isFalse();
    assertThat(node(g, "#7 ConstantFill").pruned()).isFalse();
    // X is not a parameter: nothing wants X_detached's gradient.
    assertThat(node(g, "#6 Sum").pruned()).isTrue();
    assertThat(node(g, "W").mark()).isEqualTo(Mark.PARAMETER);
  }

  @Test
  void aNetThatHoldsItsBackwardPassIsDrawnAsGiven() {
    NetDef train = BackwardPass.build(MLP, List.of("loss")).appendTo(MLP).toBuilder()
        .addOp(NetDefs.parseText("op { input: 'W2' input: 'W2_grad' output: 'W2' type: 'Add' }", "u").getOp(0))
        .build();
    DrawGraph g = NetDrawing.of(train, DrawOptions.builder().initNet(MLP_INIT).build()).graph();
    assertThat(node(g, "#0 FC").mark()).isEqualTo(Mark.FORWARD_OP);
    assertThat(node(g, "#4 ConstantFill").mark()).isEqualTo(Mark.BACKWARD_OP);
    assertThat(node(g, "#6 FCGradient").mark()).isEqualTo(Mark.BACKWARD_OP);
    assertThat(node(g, "#9 Add").mark()).isEqualTo(Mark.UPDATE_OP);
    assertThat(Drawings.labelled(g, "W2")).hasSize(2).allMatch(n -> n.mark() == Mark.PARAMETER);
    assertThat(g.subtitle()).isEqualTo("4 forward ops, 5 gradient ops, 1 update ops (as given)");
    assertThatThrownBy(() -> NetDrawing.of(train, DrawOptions.builder().losses(List.of("loss")).build()))
        .isInstanceOf(GradientException.class).hasMessageContaining("op #4 (ConstantFill)")
        .hasMessageContaining("already has a backward pass");
  }

  @Test
  void aGivenBackwardPassShowsItsKnownZeros() {
    NetDef train = BackwardPass.build(ZERO_GRADIENT, List.of("loss")).appendTo(ZERO_GRADIENT);
    DrawGraph g = NetDrawing.of(train, DrawOptions.defaults()).graph();
    assertThat(node(g, "W_grad").mark()).isEqualTo(Mark.KNOWN_ZERO);
    assertThat(node(g, "#2 ZeroGradient").mark()).isEqualTo(Mark.ZERO_GRADIENT);
  }

  @Test
  void pruningWithoutALossIsRefused() {
    assertThatThrownBy(() -> NetDrawing.of(MLP, DrawOptions.builder().prune(true).build()))
        .isInstanceOf(GradientException.class).hasMessageContaining("give a loss");
  }

  @Test
  void inputShapesFlowIntoTheLabels() {
    DrawGraph g = NetDrawing.of(MLP, DrawOptions.builder().initNet(MLP_INIT)
        .inputTypes(Map.of("X", BlobType.of(DataType.FLOAT, 8, 4), "label", BlobType.of(DataType.INT32, 8)))
        .build()).graph();
    assertThat(node(g, "h1").label().get(1).text()).isEqualTo("8\u00d75");
    assertThat(node(g, "label").label().get(1).text()).isEqualTo("int32 8");
    assertThat(node(g, "loss").label().get(1).text()).isEqualTo("scalar");
  }

  @Test
  void theSvgIsWellFormedWithEveryNodeTheMarksAndTheLegend() throws Exception {
    NetDrawing d = frozenMlp();
    Document doc = parse(d.svg());
    Element svg = doc.getDocumentElement();
    assertThat(svg.getTagName()).isEqualTo("svg");
    assertThat(svg.getAttribute("xmlns")).isEqualTo("http://www.w3.org/2000/svg");
    assertThat(Double.parseDouble(svg.getAttribute("width"))).isEqualTo(d.width());
    assertThat(groups(doc, "node")).hasSize(d.graph().nodes().size());
    assertThat(groups(doc, "op")).hasSize(d.opCount());
    assertThat(groups(doc, "frozen-parameter")).hasSize(3);
    assertThat(groups(doc, "frozen-parameter").stream().filter(g -> g.getAttribute("class").startsWith("node ")))
        .hasSize(2);
    assertThat(groups(doc, "pruned").stream().filter(g -> g.getAttribute("class").contains("node")))
        .hasSize((int) d.graph().nodes().stream().filter(DrawGraph.Node::pruned).count());
    assertThat(groups(doc, "edge")).hasSize(d.graph().edges().size());
    Element legend = doc.getElementById("legend") != null ? doc.getElementById("legend") : groups(doc, "legend")
        .get(0);
    String legendText = legend.getTextContent();
    assertThat(legendText).contains("forward op", "gradient op", "frozen parameter", "parameter",
        "pruned (removed by zerog)");
    assertThat(groups(doc, "legend-entry")).hasSize(d.graph().marks().size() + 1);
    // Each node has its description as a tooltip, and its label as text.
    Element fc = groups(doc, "op").get(0);
    assertThat(fc.getElementsByTagName("title").item(0).getTextContent()).startsWith("#0 FC");
    assertThat(fc.getElementsByTagName("text").item(0).getTextContent()).isEqualTo("#0 FC");
    assertThat(fc.getElementsByTagName("path").getLength()).isEqualTo(1);
  }

  @Test
  void theSvgOfTheExampleShowsZeroGradientAndStopGradient() throws Exception {
    Document doc = parse(NetDrawing.of(ZERO_GRADIENT, DrawOptions.builder().losses(List.of("loss")).build()).svg());
    assertThat(groups(doc, "zero-gradient")).hasSize(2);
    assertThat(groups(doc, "stop-gradient")).hasSize(2);
    assertThat(groups(doc, "known-zero")).hasSize(2);
    assertThat(groups(doc, "zero-gradient").get(1).getTextContent()).contains("#2 ZeroGradient");
  }

  @Test
  void namesAreEscapedInSvgAndDot() throws Exception {
    NetDef net = NetDefs.parseText("name: 'a<b>&\"c\"' op { input: 'x<&>\"' output: 'y\\\\z' type: 'Relu' }",
        "odd");
    NetDrawing d = NetDrawing.of(net, DrawOptions.defaults());
    Document doc = parse(d.svg());
    assertThat(doc.getDocumentElement().getTextContent()).contains("x<&>\"", "y\\z", "a<b>&\"c\"");
    assertThat(d.dot()).contains("label=\"x<&>\\\"\"").contains("label=\"y\\\\z\"");
  }

  @Test
  void thePngReadsBackAtTheDrawingsSizeTimesItsScale() throws Exception {
    NetDrawing d = frozenMlp();
    Path file = tmp.resolve("mlp.png");
    d.write(file);
    byte[] bytes = Files.readAllBytes(file);
    assertThat(bytes).startsWith(0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A);
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      ImageReader reader = ImageIO.getImageReaders(in).next();
      assertThat(reader.getFormatName()).isEqualToIgnoringCase("png");
    }
    BufferedImage image = ImageIO.read(file.toFile());
    assertThat(d.pngScale()).isEqualTo(2.0);
    assertThat(image.getWidth()).isEqualTo((int) Math.ceil(d.width() * 2));
    assertThat(image.getHeight()).isEqualTo((int) Math.ceil(d.height() * 2));
    // Drawn, not blank: the frozen parameters' color is there, and the corner is the white background.
    assertThat(image.getRGB(0, 0) & 0xFFFFFF).isEqualTo(0xFFFFFF);
    int frozenFill = Integer.parseInt(Mark.FROZEN_PARAMETER.fill.substring(1), 16);
    boolean found = false;
    for (int y = 0; y < image.getHeight() && !found; y += 2) {
      for (int x = 0; x < image.getWidth() && !found; x += 2) {
        found = (image.getRGB(x, y) & 0xFFFFFF) == frozenFill;
      }
    }
    assertThat(found).isTrue();
  }

  @Test
  void largeDrawingsAreScaledDownToFitThePngLimits() {
    assertThat(PngRenderer.scale(400, 300)).isEqualTo(2.0);
    double s = PngRenderer.scale(3000, 40_000);
    assertThat(40_000 * s).isLessThanOrEqualTo(PngRenderer.MAX_SIDE);
    assertThat(3000 * s * 40_000 * s).isLessThanOrEqualTo(PngRenderer.MAX_PIXELS);
    double wide = PngRenderer.scale(100_000, 200);
    assertThat(100_000 * wide).isLessThanOrEqualTo(PngRenderer.MAX_SIDE);
  }

  @Test
  void theDotHasEveryNodeAndEdgeWithTheirMarksAndALegend() {
    NetDrawing d = frozenMlp();
    String dot = d.dot();
    assertThat(dot).startsWith("digraph \"mlp\" {").endsWith("}\n");
    DrawGraph g = d.graph();
    for (DrawGraph.Node n : g.nodes()) {
      assertThat(dot).contains("  " + n.key() + " [label=");
    }
    for (DrawGraph.Edge e : g.edges()) {
      assertThat(dot).contains("  " + g.nodes().get(e.from()).key() + " -> " + g.nodes().get(e.to()).key() + " [");
    }
    String w1 = node(g, "W1").key();
    assertThat(dot).containsPattern(w1 + " \\[[^\\n]*peripheries=2");
    assertThat(dot).containsPattern(node(g, "#8 FCGradient").key() + " \\[[^\\n]*style=\"filled,rounded,dashed\"");
    assertThat(dot).contains("subgraph cluster_legend").contains("\"frozen parameter\"")
        .contains("\"pruned (removed by zerog)\"");
  }

  @Test
  void theDotOfTheExampleUsesGraphvizShapesForTheMarks() {
    String dot = NetDrawing.of(ZERO_GRADIENT, DrawOptions.builder().losses(List.of("loss")).build()).dot();
    assertThat(dot).containsPattern("op2 \\[label=\"#2 ZeroGradient\"[^\\n]*shape=hexagon");
    assertThat(dot).containsPattern("op3 \\[label=\"#3 StopGradient\"[^\\n]*shape=octagon");
    assertThat(dot).contains("label=\"\u00d72\"");
  }

  @Test
  void writeTakesTheFormatFromTheExtension() throws Exception {
    NetDrawing d = NetDrawing.of(ZERO_GRADIENT, DrawOptions.defaults());
    d.write(tmp.resolve("a.SVG"));
    d.write(tmp.resolve("a.dot"));
    d.write(tmp.resolve("a.gv"));
    assertThat(Files.readString(tmp.resolve("a.SVG"))).startsWith("<?xml").contains("<svg");
    assertThat(Files.readString(tmp.resolve("a.gv"))).isEqualTo(Files.readString(tmp.resolve("a.dot")));
    assertThatThrownBy(() -> d.write(tmp.resolve("a.jpg"))).isInstanceOf(ZerogException.class)
        .hasMessageContaining("a.jpg").hasMessageContaining(".svg, .png or .dot");
    assertThat(NetDrawing.Format.forPath(Path.of("x.PNG"))).isEqualTo(NetDrawing.Format.PNG);
    assertThat(NetDrawing.Format.forPath(Path.of("svg"))).isNull();
  }

  @Test
  void theSameNetGivesTheSameDrawing() {
    DrawOptions options = DrawOptions.builder().losses(List.of("loss")).initNet(MLP_INIT).build();
    assertThat(NetDrawing.of(MLP, options).svg()).isEqualTo(NetDrawing.of(MLP, options).svg());
  }
}
