package dev.zerog.cli.draw;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerog.net.NetDefs;
import dev.zerog.proto.Caffe2.NetDef;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Fixtures and the layout's invariants, shared by the drawing tests. */
final class Drawings {
  private Drawings() {}

  /** A text NetDef from src/test/resources/draw. */
  static NetDef fixture(String name) {
    try (InputStream in = Drawings.class.getResourceAsStream("/draw/" + name)) {
      assertThat(in).as(name).isNotNull();
      return NetDefs.parseText(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A fixture's path, for the command. */
  static Path fixturePath(String name) {
    try {
      return Path.of(Drawings.class.getResource("/draw/" + name).toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The repository's examples/ directory, from the cli module's working directory. */
  static Path examples() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path e = p.resolve("examples");
      if (Files.isDirectory(e) && Files.exists(p.resolve("zerog"))) {
        return e;
      }
    }
    throw new IllegalStateException("examples/ not found above " + Path.of("").toAbsolutePath());
  }

  static NetDef example(String name) {
    return NetDefs.read(examples().resolve(name));
  }

  /** The nodes whose first label line is {@code text}. */
  static List<DrawGraph.Node> labelled(DrawGraph g, String text) {
    List<DrawGraph.Node> out = new ArrayList<>();
    for (DrawGraph.Node n : g.nodes()) {
      if (n.label().get(0).text().equals(text)) {
        out.add(n);
      }
    }
    return out;
  }

  /** The one node whose first label line is {@code text}. */
  static DrawGraph.Node node(DrawGraph g, String text) {
    List<DrawGraph.Node> found = labelled(g, text);
    assertThat(found).as("nodes labelled '%s'", text).hasSize(1);
    return found.get(0);
  }

  /**
   * Checks what every layout must satisfy: finite positions; nodes of one layer side by side at least the gap
   * apart (less when a long edge passes between them), layers one below the other, so no two nodes overlap;
   * every edge pointing down, its route going down from the source's bottom to the target's top; ids and keys
   * unique.
   */
  static void assertValidLayout(DrawGraph g, LayeredLayout.Layout layout) {
    int n = g.nodes().size();
    assertThat(layout.x()).hasSize(n);
    Set<String> keys = new HashSet<>();
    for (int v = 0; v < n; v++) {
      DrawGraph.Node node = g.nodes().get(v);
      assertThat(node.id()).isEqualTo(v);
      assertThat(keys.add(node.key())).as("key %s is unique", node.key()).isTrue();
      assertThat(Double.isFinite(layout.x()[v]) && Double.isFinite(layout.y()[v])).isTrue();
      assertThat(layout.x()[v] - node.width() / 2).isGreaterThanOrEqualTo(-1e-6);
      assertThat(layout.x()[v] + node.width() / 2).isLessThanOrEqualTo(layout.width() + 1e-6);
      assertThat(layout.y()[v] + node.height() / 2).isLessThanOrEqualTo(layout.height() + 1e-6);
    }
    // Nodes of one layer, left to right, do not overlap; layers' bands are one below the other.
    List<List<Integer>> layers = new ArrayList<>();
    for (int v = 0; v < n; v++) {
      while (layers.size() <= layout.layer()[v]) {
        layers.add(new ArrayList<>());
      }
      layers.get(layout.layer()[v]).add(v);
    }
    double previousBottom = Double.NEGATIVE_INFINITY;
    for (List<Integer> layer : layers) {
      layer.sort((a, b) -> Double.compare(layout.x()[a], layout.x()[b]));
      double top = Double.POSITIVE_INFINITY;
      double bottom = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < layer.size(); i++) {
        int v = layer.get(i);
        DrawGraph.Node node = g.nodes().get(v);
        top = Math.min(top, layout.y()[v] - node.height() / 2);
        bottom = Math.max(bottom, layout.y()[v] + node.height() / 2);
        if (i > 0) {
          int u = layer.get(i - 1);
          double space = (layout.x()[v] - node.width() / 2) - (layout.x()[u] + g.nodes().get(u).width() / 2);
          assertThat(space).as("space between %s and %s", g.nodes().get(u).key(), node.key())
              .isGreaterThanOrEqualTo(Math.min(LayeredLayout.NODE_GAP, 2 * LayeredLayout.DUMMY_GAP) - 1e-6);
        }
      }
      if (!layer.isEmpty()) {
        assertThat(top).isGreaterThan(previousBottom);
        previousBottom = bottom;
      }
    }
    assertThat(layout.routes()).hasSize(g.edges().size());
    for (int e = 0; e < g.edges().size(); e++) {
      DrawGraph.Edge edge = g.edges().get(e);
      DrawGraph.Node from = g.nodes().get(edge.from());
      DrawGraph.Node to = g.nodes().get(edge.to());
      assertThat(layout.layer()[edge.to()]).as("edge %s -> %s points down", from.key(), to.key())
          .isGreaterThan(layout.layer()[edge.from()]);
      LayeredLayout.Route route = layout.routes().get(e);
      double[] ys = route.ys();
      assertThat(ys[0]).isCloseTo(layout.y()[edge.from()] + from.height() / 2, org.assertj.core.data.Offset
          .offset(from.height() / 2 + 1e-6));
      assertThat(ys[0]).isGreaterThanOrEqualTo(layout.y()[edge.from()] - 1e-6);
      assertThat(ys[ys.length - 1]).isLessThanOrEqualTo(layout.y()[edge.to()] + 1e-6);
      assertThat(Math.abs(route.xs()[0] - layout.x()[edge.from()])).isLessThanOrEqualTo(from.width() / 2);
      assertThat(Math.abs(route.xs()[ys.length - 1] - layout.x()[edge.to()])).isLessThanOrEqualTo(to.width() / 2);
      for (int i = 1; i < ys.length; i++) {
        assertThat(ys[i]).as("route of %s -> %s goes down", from.key(), to.key()).isGreaterThanOrEqualTo(ys[i - 1]);
      }
    }
  }
}
