package dev.zerog.cli.draw;

import java.util.ArrayList;
import java.util.List;

/**
 * Keeps long edges from taking over a large drawing. In the backward pass every gradient op reads blobs of the
 * forward pass, far above it; in a deep net those edges would run side by side down the whole picture. When the
 * edges that cross more than {@link #LONG} layers would need more than {@link #MAX_BENDS} bends in all, each of
 * them is replaced by a reference: a copy of the blob (its label marked with an arrow up, its outline dotted)
 * drawn just above the reader. Smaller drawings keep every edge.
 */
final class LongEdges {
  /** An edge crossing more layers than this is long. */
  static final int LONG = 16;
  /** The most bends (layers crossed) that long edges may add to a drawing before they become references. */
  static final int MAX_BENDS = 1_500;

  private LongEdges() {}

  /** {@code graph}, or a copy with its long edges from blobs replaced by references, as the class doc says. */
  static DrawGraph withReferences(DrawGraph graph) {
    int[] layer = LayeredLayout.layers(graph);
    long bends = 0;
    for (DrawGraph.Edge e : graph.edges()) {
      int span = layer[e.to()] - layer[e.from()];
      if (span > LONG) {
        bends += span - 1;
      }
    }
    if (bends <= MAX_BENDS) {
      return graph;
    }
    List<DrawGraph.Node> nodes = new ArrayList<>(graph.nodes());
    List<DrawGraph.Edge> edges = new ArrayList<>(graph.edges().size());
    int references = 0;
    for (DrawGraph.Edge e : graph.edges()) {
      DrawGraph.Node from = graph.nodes().get(e.from());
      if (layer[e.to()] - layer[e.from()] > LONG && !from.op()) {
        int id = nodes.size();
        nodes.add(from.reference(id, "ref" + references++));
        edges.add(new DrawGraph.Edge(id, e.to(), e.count(), e.role(), e.pruned()));
      } else {
        edges.add(e);
      }
    }
    return new DrawGraph(nodes, edges, graph.title(), graph.subtitle(), graph.marks(), graph.anyPruned());
  }
}
