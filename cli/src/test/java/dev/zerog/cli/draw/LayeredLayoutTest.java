package dev.zerog.cli.draw;

import static dev.zerog.cli.draw.Drawings.assertValidLayout;
import static dev.zerog.cli.draw.Drawings.example;
import static dev.zerog.cli.draw.Drawings.fixture;
import static dev.zerog.cli.draw.Drawings.node;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class LayeredLayoutTest {
  private static final DrawOptions WITH_LOSS = DrawOptions.builder().losses(List.of("loss")).build();

  @Test
  void theExampleWithItsBackwardPassIsLaidOutWithoutOverlapsAndWithEdgesGoingDown() {
    NetDrawing d = NetDrawing.of(example("zero_gradient.pbtxt"), WITH_LOSS);
    assertValidLayout(d.drawn(), d.layout());
    assertThat(d.layout().crossings()).isZero();
  }

  @Test
  void aParameterSitsRightAboveTheOpThatReadsIt() {
    NetDrawing d = NetDrawing.of(fixture("mlp.pbtxt"), DrawOptions.builder().initNet(fixture("mlp_init.pbtxt"))
        .build());
    DrawGraph g = d.drawn();
    int[] layer = d.layout().layer();
    assertThat(layer[node(g, "W2").id()]).isEqualTo(layer[node(g, "#2 FC").id()] - 1);
    assertThat(layer[node(g, "b2").id()]).isEqualTo(layer[node(g, "#2 FC").id()] - 1);
    // The first op reads data and its parameters at the top, and the chain goes down one op per two layers.
    assertThat(layer[node(g, "X").id()]).isZero();
    assertThat(layer[node(g, "#3 SoftmaxWithLoss").id()]).isEqualTo(7);
    assertValidLayout(g, d.layout());
  }

  @Test
  void everyOpAndEveryWriteOfABlobIsDrawnOnce() {
    NetDef net = fixture("mlp.pbtxt");
    NetDrawing d = NetDrawing.of(net, WITH_LOSS);
    DrawGraph g = d.graph();
    dev.zerog.grad.BackwardPass pass = dev.zerog.grad.BackwardPass.build(net, List.of("loss"));
    List<OperatorDef> ops = new ArrayList<>(net.getOpList());
    ops.addAll(pass.gradientOps());
    assertThat(d.opCount()).isEqualTo(ops.size());
    Set<String> blobs = new HashSet<>();
    int writes = 0;
    for (int i = 0; i < ops.size(); i++) {
      assertThat(Drawings.labelled(g, "#" + i + " " + ops.get(i).getType())).hasSize(1);
      blobs.addAll(ops.get(i).getInputList());
      blobs.addAll(ops.get(i).getOutputList());
      writes += ops.get(i).getOutputCount();
    }
    int readFirst = 0;
    Set<String> seen = new HashSet<>();
    for (OperatorDef op : ops) {
      for (String in : op.getInputList()) {
        if (seen.add(in)) {
          readFirst++;
        }
      }
      seen.addAll(op.getOutputList());
    }
    // One blob node per write, plus one for each blob read before anything writes it.
    assertThat(d.blobCount()).isEqualTo(writes + readFirst);
    for (String b : blobs) {
      assertThat(Drawings.labelled(g, b)).as(b).isNotEmpty();
    }
  }

  @Test
  void inPlaceOpsDrawEachVersionOfTheBlob() {
    NetDef net = dev.zerog.net.NetDefs.parseText("op { input: 'x' output: 'x' type: 'Relu' }\n"
        + "op { input: 'x' output: 'x' type: 'Relu' }\n", "inplace");
    NetDrawing d = NetDrawing.of(net, DrawOptions.defaults());
    assertThat(Drawings.labelled(d.graph(), "x")).hasSize(3);
    assertValidLayout(d.drawn(), d.layout());
  }

  @Test
  void longEdgesOfALargeDrawingBecomeReferencesAboveTheirReaders() {
    StringBuilder text = new StringBuilder("op { input: 'x0' output: 'x1' type: 'Relu' }\n");
    for (int i = 1; i < 60; i++) {
      text.append("op { input: 'x").append(i).append("' output: 'x").append(i + 1).append("' type: 'Relu' }\n");
    }
    NetDrawing d = NetDrawing.of(dev.zerog.net.NetDefs.parseText(text, "chain"),
        DrawOptions.builder().losses(List.of("x60")).build());
    DrawGraph drawn = d.drawn();
    assertThat(drawn.nodes().size()).isGreaterThan(d.graph().nodes().size());
    Set<String> keys = new HashSet<>();
    d.graph().nodes().forEach(n -> keys.add(n.key()));
    int[] layer = d.layout().layer();
    for (DrawGraph.Node n : drawn.nodes()) {
      if (n.isReference()) {
        assertThat(keys).contains(n.refersTo());
        assertThat(n.label().get(0).text()).startsWith("\u2191 ");
      }
    }
    for (DrawGraph.Edge e : drawn.edges()) {
      if (!drawn.nodes().get(e.from()).op()) {
        assertThat(layer[e.to()] - layer[e.from()]).isLessThanOrEqualTo(LongEdges.LONG);
      }
    }
    // The references replace edges one for one: the drawing loses no read.
    assertThat(drawn.edges()).hasSameSizeAs(d.graph().edges());
    assertValidLayout(drawn, d.layout());
  }

  @Test
  void smallDrawingsKeepEveryEdge() {
    NetDrawing d = NetDrawing.of(fixture("mlp.pbtxt"), WITH_LOSS);
    assertThat(d.drawn()).isSameAs(d.graph());
  }

  @Property(tries = 60)
  void randomGraphsAreLaidOutWithoutOverlapsAndWithEdgesGoingDown(@ForAll @IntRange(min = 1, max = 60) int ops,
      @ForAll long seed) {
    DrawGraph g = randomGraph(ops, new Random(seed));
    assertValidLayout(g, LayeredLayout.of(g));
  }

  @Test
  void aWideGraphIsLaidOutToo() {
    DrawGraph g = randomGraph(400, new Random(7));
    LayeredLayout.Layout layout = LayeredLayout.of(g);
    assertValidLayout(g, layout);
  }

  /**
   * A random bipartite DAG like a net's: each op reads some of the blobs before it (or new inputs) and writes one
   * to three new blobs; names of random lengths.
   */
  static DrawGraph randomGraph(int ops, Random random) {
    List<DrawGraph.Node> nodes = new ArrayList<>();
    List<DrawGraph.Edge> edges = new ArrayList<>();
    List<Integer> blobs = new ArrayList<>();
    for (int i = 0; i < ops; i++) {
      int reads = random.nextInt(4);
      List<Integer> inputs = new ArrayList<>();
      for (int r = 0; r < reads; r++) {
        if (blobs.isEmpty() || random.nextInt(4) == 0) {
          int id = nodes.size();
          nodes.add(blob(id, random));
          blobs.add(id);
          inputs.add(id);
        } else {
          int pick = blobs.get(blobs.size() - 1 - random.nextInt(Math.min(blobs.size(), 12)));
          if (!inputs.contains(pick)) {
            inputs.add(pick);
          }
        }
      }
      int op = nodes.size();
      Mark mark = random.nextInt(5) == 0 ? Mark.ZERO_GRADIENT : Mark.FORWARD_OP;
      nodes.add(DrawGraph.Node.sized(op, "op" + i, true, mark, false,
          List.of(new DrawGraph.Line("#" + i + " " + "Op".repeat(1 + random.nextInt(6)), 12, true, "#000000")),
          "op " + i));
      for (int in : inputs) {
        edges.add(new DrawGraph.Edge(in, op, 1, Mark.FORWARD_OP, false));
      }
      int writes = 1 + random.nextInt(3);
      for (int w = 0; w < writes; w++) {
        int id = nodes.size();
        nodes.add(blob(id, random));
        blobs.add(id);
        edges.add(new DrawGraph.Edge(op, id, 1, Mark.FORWARD_OP, false));
      }
    }
    return new DrawGraph(nodes, edges, "random", null, EnumSet.of(Mark.FORWARD_OP, Mark.BLOB), false);
  }

  private static DrawGraph.Node blob(int id, Random random) {
    String name = "b" + id + "_" + "x".repeat(random.nextInt(20));
    return DrawGraph.Node.sized(id, "blob" + id, false, Mark.BLOB, false,
        List.of(new DrawGraph.Line(name, 11, false, "#000000")), name);
  }
}
