package dev.zerog.cli.draw;

import java.util.ArrayList;
import java.util.List;

/**
 * Writes a {@link DrawGraph} in Graphviz's DOT language, with the same marks (shapes, colors, dashes, faded pruned
 * nodes) and a legend cluster, for those who lay it out with Graphviz ({@code dot -Tsvg net.dot -o net.svg}).
 */
final class DotWriter {
  private DotWriter() {}

  /** The DOT text of {@code graph}. */
  static String write(DrawGraph graph) {
    StringBuilder out = new StringBuilder(1 << 14);
    out.append("digraph ").append(quote(graph.title())).append(" {\n");
    String label = graph.title() + (graph.subtitle() == null ? "" : "\n" + graph.subtitle());
    out.append("  graph [rankdir=TB, labelloc=t, labeljust=l, fontsize=16, fontname=\"DejaVu Sans\", label=")
        .append(quote(label)).append(", nodesep=0.3, ranksep=0.35];\n");
    out.append("  node [fontname=\"DejaVu Sans\", fontsize=11, penwidth=1.3];\n");
    out.append("  edge [arrowsize=0.7, penwidth=1.2];\n");
    legend(graph, out);
    for (DrawGraph.Node node : graph.nodes()) {
      List<String> lines = new ArrayList<>();
      for (DrawGraph.Line line : node.label()) {
        lines.add(line.text());
      }
      out.append("  ").append(node.key()).append(" [label=").append(quote(String.join("\n", lines)))
          .append(", tooltip=").append(quote(node.tooltip())).append(", ");
      style(out, node.mark(), node.pruned());
      out.append("];\n");
    }
    for (DrawGraph.Edge edge : graph.edges()) {
      String color = edge.role() == Mark.BACKWARD_OP ? Scene.EDGE_BACKWARD
          : edge.role() == Mark.UPDATE_OP ? Scene.EDGE_UPDATE : Scene.EDGE_FORWARD;
      out.append("  ").append(graph.nodes().get(edge.from()).key()).append(" -> ")
          .append(graph.nodes().get(edge.to()).key()).append(" [color=\"").append(color)
          .append(edge.pruned() ? "55\", style=dashed" : "\"");
      if (edge.count() > 1) {
        out.append(", label=").append(quote("\u00d7" + edge.count())).append(", fontsize=9");
      }
      out.append("];\n");
    }
    out.append("}\n");
    return out.toString();
  }

  private static void legend(DrawGraph graph, StringBuilder out) {
    out.append("  subgraph cluster_legend {\n");
    out.append("    label=\"legend\"; fontsize=11; style=\"rounded,filled\"; fillcolor=\"#F6F8FA\"; "
        + "color=\"#D0D7DE\";\n");
    List<String> keys = new ArrayList<>();
    int i = 0;
    for (Mark mark : graph.marks()) {
      String key = "legend_" + i++;
      keys.add(key);
      out.append("    ").append(key).append(" [label=").append(quote(mark.legend)).append(", ");
      style(out, mark, false);
      out.append("];\n");
    }
    if (graph.anyPruned()) {
      String key = "legend_" + i;
      keys.add(key);
      out.append("    ").append(key).append(" [label=\"pruned (removed by zerog)\", ");
      style(out, Mark.BACKWARD_OP, true);
      out.append("];\n");
    }
    if (keys.size() > 1) {
      out.append("    { rank=same; ").append(String.join("; ", keys)).append("; }\n");
      out.append("    ").append(String.join(" -> ", keys)).append(" [style=invis];\n");
    }
    out.append("  }\n");
  }

  private static void style(StringBuilder out, Mark mark, boolean pruned) {
    String shape = switch (mark.shape) {
      case BOX -> "box";
      case HEXAGON -> "hexagon";
      case OCTAGON -> "octagon";
      case PARALLELOGRAM -> "parallelogram";
      case ELLIPSE -> "ellipse";
    };
    List<String> style = new ArrayList<>();
    style.add("filled");
    if (mark.shape == NodeShape.BOX) {
      style.add("rounded");
    }
    if (pruned || mark.dashed()) {
      style.add("dashed");
    }
    String alpha = pruned ? "55" : "";
    out.append("shape=").append(shape).append(", style=\"").append(String.join(",", style))
        .append("\", fillcolor=\"").append(mark.fill).append(alpha).append("\", color=\"").append(mark.stroke)
        .append(alpha).append('"');
    if (mark.isOp() && mark != Mark.FORWARD_OP && mark != Mark.BACKWARD_OP && mark != Mark.UPDATE_OP) {
      out.append(", penwidth=2");
    }
    if (mark.isOp()) {
      out.append(", fontsize=12");
    }
    if (mark.doubled()) {
      out.append(", peripheries=2");
    }
    if (pruned) {
      out.append(", fontcolor=\"#1F232399\"");
    }
  }

  /** A DOT string: quotes and backslashes escaped, line breaks as \n. */
  static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> { }
        default -> b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
