package dev.zerog.cli.draw;

import java.awt.Shape;
import java.awt.geom.Path2D;
import java.awt.geom.RoundRectangle2D;
import java.util.ArrayList;
import java.util.List;

/**
 * A finished drawing as a list of shapes, strokes and texts in pixel coordinates: the title, the legend and the
 * laid-out graph. The SVG writer and the PNG renderer both draw exactly this, so the two formats agree.
 *
 * @param width the drawing's width
 * @param height the drawing's height
 * @param items what to draw, back to front
 */
record Scene(double width, double height, List<Item> items) {
  static final String EDGE_FORWARD = "#5B6470";
  static final String EDGE_BACKWARD = "#C26A1E";
  static final String EDGE_UPDATE = "#6E5A9E";
  static final double PRUNED_OPACITY = 0.32;
  private static final double ARROW = 8;
  private static final double TITLE_FONT = 18;
  private static final double SUBTITLE_FONT = 12;
  private static final double LEGEND_FONT = 11;

  Scene {
    items = List.copyOf(items);
  }

  /** Something drawn. */
  sealed interface Item permits Group, Fill, Stroke, Text {}

  /**
   * Items that belong together (a node, an edge, the legend), with a description (a tooltip in SVG).
   *
   * @param id a unique id, or null
   * @param cssClass the SVG class names
   * @param tooltip the description, or null
   * @param items the members
   */
  record Group(String id, String cssClass, String tooltip, List<Item> items) implements Item {
    Group {
      items = List.copyOf(items);
    }
  }

  /**
   * A filled and outlined shape.
   *
   * @param shape the geometry
   * @param fill the fill color, or null for none
   * @param stroke the outline's color, or null for none
   * @param strokeWidth the outline's width
   * @param dashed true for a dashed outline
   * @param opacity 1 for opaque
   */
  record Fill(Shape shape, String fill, String stroke, double strokeWidth, boolean dashed, double opacity)
      implements Item {}

  /**
   * A line (not filled).
   *
   * @param path the geometry
   * @param color the color
   * @param width the line's width
   * @param dashed true for a dashed line
   * @param opacity 1 for opaque
   */
  record Stroke(Shape path, String color, double width, boolean dashed, double opacity) implements Item {}

  /**
   * One line of text, centered on {@code x} or starting at it.
   *
   * @param x the center (or the start)
   * @param baseline the baseline's y
   * @param text the text
   * @param size the font size in pixels
   * @param bold true for the bold face
   * @param color the color
   * @param opacity 1 for opaque
   * @param centered true to center the text on {@code x}
   */
  record Text(double x, double baseline, String text, double size, boolean bold, String color, double opacity,
      boolean centered) implements Item {
    /** The width the layout gave this text (DejaVu Sans metrics). */
    double width() {
      return TextMetrics.width(text, size, bold);
    }
  }

  /** The scene of a laid-out graph, under its title and legend. */
  static Scene of(DrawGraph graph, LayeredLayout.Layout layout) {
    List<Item> items = new ArrayList<>();
    double margin = LayeredLayout.MARGIN;
    double titleWidth = Math.max(TextMetrics.width(graph.title(), TITLE_FONT, true),
        graph.subtitle() == null ? 0 : TextMetrics.width(graph.subtitle(), SUBTITLE_FONT, false));
    double contentWidth = Math.max(layout.width() - 2 * margin, Math.max(titleWidth, 560));
    items.add(new Text(margin, margin + TITLE_FONT, graph.title(), TITLE_FONT, true, NetGraph.TEXT_COLOR, 1, false));
    double y = margin + TITLE_FONT + 6;
    if (graph.subtitle() != null) {
      items.add(new Text(margin, y + SUBTITLE_FONT, graph.subtitle(), SUBTITLE_FONT, false, NetGraph.DETAIL_COLOR, 1,
          false));
      y += SUBTITLE_FONT + 6;
    }
    y += 10;
    double legendHeight = legend(graph, items, margin, y, contentWidth);
    double top = y + legendHeight + 16 - margin;
    List<Item> edges = new ArrayList<>();
    for (int e = 0; e < graph.edges().size(); e++) {
      edges.add(edge(graph.edges().get(e), layout.routes().get(e), top));
    }
    items.add(new Group("edges", "edges", null, edges));
    List<Item> nodes = new ArrayList<>();
    for (DrawGraph.Node node : graph.nodes()) {
      nodes.add(node(node, layout.x()[node.id()], layout.y()[node.id()] + top));
    }
    items.add(new Group("nodes", "nodes", null, nodes));
    double width = Math.max(layout.width(), contentWidth + 2 * margin);
    return new Scene(Math.ceil(width), Math.ceil(layout.height() + top), items);
  }

  /** Draws the legend's entries in rows from (x, y), no wider than {@code width}; returns its height. */
  private static double legend(DrawGraph graph, List<Item> items, double x, double y, double width) {
    List<Item> entries = new ArrayList<>();
    double sampleW = 34;
    double sampleH = 18;
    double rowH = 26;
    double pad = 10;
    double cx = x + pad;
    double cy = y + pad;
    double right = x + pad;
    List<Mark> marks = new ArrayList<>(graph.marks());
    List<String> texts = new ArrayList<>();
    List<String> classes = new ArrayList<>();
    for (Mark m : graph.marks()) {
      texts.add(m.legend);
      classes.add(m.cssClass());
    }
    if (graph.anyPruned()) {
      marks.add(Mark.BACKWARD_OP);
      texts.add("pruned (removed by zerog)");
      classes.add("pruned");
    }
    boolean references = graph.nodes().stream().anyMatch(DrawGraph.Node::isReference);
    if (references) {
      marks.add(Mark.BLOB);
      texts.add("\u2191 blob drawn again (written further up)");
      classes.add("reference");
    }
    for (int i = 0; i < marks.size(); i++) {
      Mark mark = marks.get(i);
      String text = texts.get(i);
      boolean pruned = classes.get(i).equals("pruned");
      double entryW = sampleW + 6 + TextMetrics.width(text, LEGEND_FONT, false) + 18;
      if (cx > x + pad && cx + entryW > x + width - pad) {
        cx = x + pad;
        cy += rowH;
      }
      List<Item> entry = new ArrayList<>();
      outline(entry, mark, cx + sampleW / 2, cy + rowH / 2 - 2, sampleW, sampleH, pruned,
          classes.get(i).equals("reference"));
      entry.add(new Text(cx + sampleW + 6, cy + rowH / 2 - 2 + LEGEND_FONT * 0.36, text, LEGEND_FONT, false,
          NetGraph.TEXT_COLOR, 1, false));
      entries.add(new Group(null, "legend-entry " + classes.get(i), null, entry));
      cx += entryW;
      right = Math.max(right, cx);
    }
    if (entries.isEmpty()) {
      return 0;
    }
    double height = cy + rowH + pad - y;
    List<Item> legend = new ArrayList<>();
    legend.add(new Fill(new RoundRectangle2D.Double(x, y, Math.min(width, right - x), height, 8, 8), "#F6F8FA",
        "#D0D7DE", 1, false, 1));
    legend.addAll(entries);
    items.add(new Group("legend", "legend", "legend", legend));
    return height;
  }

  private static Item node(DrawGraph.Node node, double cx, double cy) {
    List<Item> parts = new ArrayList<>();
    outline(parts, node.mark(), cx, cy, node.width(), node.height(), node.pruned(), node.isReference());
    double opacity = node.pruned() ? PRUNED_OPACITY + 0.15 : 1;
    double total = 0;
    for (DrawGraph.Line line : node.label()) {
      total += line.height();
    }
    double lineTop = cy - total / 2;
    for (DrawGraph.Line line : node.label()) {
      double baseline = lineTop + line.height() / 2 + line.size() * 0.36;
      parts.add(new Text(cx, baseline, line.text(), line.size(), line.bold(), line.color(), opacity, true));
      lineTop += line.height();
    }
    String css = (node.op() ? "node op " : "node blob ") + node.mark().cssClass() + (node.pruned() ? " pruned" : "")
        + (node.isReference() ? " reference" : "");
    return new Group(node.key(), css, node.tooltip(), parts);
  }

  /** A node's outline (doubled for a frozen parameter, faded and dashed when pruned, dashed for a reference). */
  private static void outline(List<Item> parts, Mark mark, double cx, double cy, double w, double h,
      boolean pruned, boolean reference) {
    double opacity = pruned ? PRUNED_OPACITY : 1;
    double strokeWidth = mark.isOp() && mark != Mark.FORWARD_OP && mark != Mark.BACKWARD_OP
        && mark != Mark.UPDATE_OP ? 2 : reference ? 1 : 1.3;
    parts.add(new Fill(mark.shape.outline(cx, cy, w, h), mark.fill, mark.stroke, strokeWidth,
        pruned || reference || mark.dashed(), opacity));
    if (mark.doubled()) {
      parts.add(new Fill(mark.shape.outline(cx, cy, w - 7, h - 7), null, mark.stroke, 1, pruned, opacity));
    }
  }

  private static Item edge(DrawGraph.Edge edge, LayeredLayout.Route route, double top) {
    String color = edge.role() == Mark.BACKWARD_OP ? EDGE_BACKWARD
        : edge.role() == Mark.UPDATE_OP ? EDGE_UPDATE : EDGE_FORWARD;
    double opacity = edge.pruned() ? PRUNED_OPACITY : 0.9;
    double[] xs = route.xs();
    double[] ys = route.ys().clone();
    for (int i = 0; i < ys.length; i++) {
      ys[i] += top;
    }
    int last = xs.length - 1;
    double tipX = xs[last];
    double tipY = ys[last];
    ys[last] = tipY - ARROW + 1;
    Path2D.Double path = new Path2D.Double();
    path.moveTo(xs[0], ys[0]);
    for (int i = 0; i < last; i++) {
      if (Math.abs(xs[i] - xs[i + 1]) < 0.5) {
        path.lineTo(xs[i + 1], ys[i + 1]);
      } else {
        double dy = (ys[i + 1] - ys[i]) / 2;
        path.curveTo(xs[i], ys[i] + dy, xs[i + 1], ys[i + 1] - dy, xs[i + 1], ys[i + 1]);
      }
    }
    List<Item> parts = new ArrayList<>();
    parts.add(new Stroke(path, color, 1.2, edge.pruned(), opacity));
    Path2D.Double arrow = new Path2D.Double();
    arrow.moveTo(tipX, tipY);
    arrow.lineTo(tipX - ARROW * 0.45, tipY - ARROW);
    arrow.lineTo(tipX + ARROW * 0.45, tipY - ARROW);
    arrow.closePath();
    parts.add(new Fill(arrow, color, null, 0, false, opacity));
    if (edge.count() > 1) {
      parts.add(new Text(tipX + 6, tipY - 4, "\u00d7" + edge.count(), 10, true, color, opacity, false));
    }
    return new Group(null, "edge" + (edge.pruned() ? " pruned" : ""), null, parts);
  }
}
