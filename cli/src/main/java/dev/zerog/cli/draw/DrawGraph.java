package dev.zerog.cli.draw;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The graph a drawing shows: operators and blob versions as nodes (each write of a blob makes a new node, as in
 * Caffe2's net drawer, so that in-place ops draw no cycles), reads and writes as edges. Node ids are in the order
 * the ops run, so every edge goes from a lower id to a higher one, except edges from references (see
 * {@link Node#refersTo}), which come last.
 *
 * @param nodes the nodes, by id
 * @param edges the edges; an op that reads one blob several times has one edge with that count
 * @param title the drawing's first line
 * @param subtitle the drawing's second line (what was drawn, and how)
 * @param marks the marks the nodes use, for the legend
 * @param anyPruned true if some node is drawn as pruned
 */
record DrawGraph(List<Node> nodes, List<Edge> edges, String title, String subtitle, Set<Mark> marks,
    boolean anyPruned) {

  DrawGraph {
    nodes = List.copyOf(nodes);
    edges = List.copyOf(edges);
    marks = marks.isEmpty() ? EnumSet.noneOf(Mark.class) : EnumSet.copyOf(marks);
  }

  /**
   * One line of a node's label.
   *
   * @param text the text
   * @param size the font size in pixels
   * @param bold true for the bold face
   * @param color the color, #RRGGBB
   */
  record Line(String text, double size, boolean bold, String color) {
    /** The line's height, baseline to baseline. */
    double height() {
      return size * 1.25;
    }

    /** The line's width. */
    double width() {
      return TextMetrics.width(text, size, bold);
    }
  }

  /**
   * A node.
   *
   * @param id its index in {@link #nodes}
   * @param key a unique, stable name (op3, blob7) for SVG ids and DOT
   * @param op true for an operator, false for a blob
   * @param mark what it is
   * @param pruned true if the zero-aware pass removed it
   * @param label the lines of its label
   * @param tooltip a longer description
   * @param width its width in pixels
   * @param height its height in pixels
   * @param refersTo for a reference (a copy of a blob drawn next to a distant reader instead of a long edge), the
   *     key of the blob's node; null for every other node
   */
  record Node(int id, String key, boolean op, Mark mark, boolean pruned, List<Line> label, String tooltip,
      double width, double height, String refersTo) {
    Node {
      label = List.copyOf(label);
    }

    /** A node sized to its label. */
    static Node sized(int id, String key, boolean op, Mark mark, boolean pruned, List<Line> label, String tooltip) {
      return sized(id, key, op, mark, pruned, label, tooltip, null);
    }

    private static Node sized(int id, String key, boolean op, Mark mark, boolean pruned, List<Line> label,
        String tooltip, String refersTo) {
      double text = 0;
      double lines = 0;
      for (Line l : label) {
        text = Math.max(text, l.width());
        lines += l.height();
      }
      double width = Math.max(op ? 64 : 48, mark.shape.widthFor(text));
      double height = Math.max(op ? 30 : 26, lines + (op ? 14 : 12));
      return new Node(id, key, op, mark, pruned, label, tooltip, Math.ceil(width), Math.ceil(height), refersTo);
    }

    /** A reference to this blob, to draw above a distant reader: its label marked with an arrow up. */
    Node reference(int newId, String newKey) {
      List<Line> lines = new ArrayList<>(label);
      Line first = lines.get(0);
      lines.set(0, new Line("\u2191 " + first.text(), first.size(), first.bold(), first.color()));
      return sized(newId, newKey, false, mark, pruned, lines,
          tooltip + "\n(a reference: the blob is drawn where it is written, further up)", key);
    }

    /** True for a reference to a blob drawn elsewhere. */
    boolean isReference() {
      return refersTo != null;
    }
  }

  /**
   * An edge: a blob an op reads, or a blob an op writes.
   *
   * @param from the source node's id (lower than {@code to})
   * @param to the target node's id
   * @param count how many times the op reads the blob (1 for a write)
   * @param role the mark of the op at either end, which colors the edge
   * @param pruned true if either end is pruned
   */
  record Edge(int from, int to, int count, Mark role, boolean pruned) {}
}
