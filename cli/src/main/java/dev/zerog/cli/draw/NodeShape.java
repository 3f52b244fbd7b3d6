package dev.zerog.cli.draw;

import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.RoundRectangle2D;

/** The outline of a node, as one geometry that the SVG writer and the PNG renderer both draw. */
enum NodeShape {
  /** A rectangle with rounded corners: operators. */
  BOX(24, 0),
  /** A hexagon with pointed sides: ZeroGradient. */
  HEXAGON(40, 0.5),
  /** An octagon, as a stop sign: StopGradient. */
  OCTAGON(36, 0.32),
  /** A parallelogram leaning right: GradientMask. */
  PARALLELOGRAM(40, 0.45),
  /** An ellipse: blobs. */
  ELLIPSE(22, 0);

  /** How much wider than its text a node of this shape is. */
  final double padding;
  /** How far the corners are cut, as a fraction of the height. */
  private final double cut;

  NodeShape(double padding, double cut) {
    this.padding = padding;
    this.cut = cut;
  }

  /** The width of a node whose widest text line is {@code textWidth}. */
  double widthFor(double textWidth) {
    return this == ELLIPSE ? textWidth * 1.12 + padding : textWidth + padding;
  }

  /** The outline centered at (cx, cy), {@code w} wide and {@code h} high. */
  Shape outline(double cx, double cy, double w, double h) {
    double x = cx - w / 2;
    double y = cy - h / 2;
    double c = cut * h;
    switch (this) {
      case BOX:
        return new RoundRectangle2D.Double(x, y, w, h, 10, 10);
      case ELLIPSE:
        return new Ellipse2D.Double(x, y, w, h);
      case HEXAGON:
        return polygon(x + c, y, x + w - c, y, x + w, cy, x + w - c, y + h, x + c, y + h, x, cy);
      case OCTAGON:
        return polygon(x + c, y, x + w - c, y, x + w, y + c, x + w, y + h - c, x + w - c, y + h, x + c, y + h,
            x, y + h - c, x, y + c);
      case PARALLELOGRAM:
        return polygon(x + c, y, x + w, y, x + w - c, y + h, x, y + h);
      default:
        throw new AssertionError(this);
    }
  }

  /** Half the width over which edges may meet the node's top and bottom (where its outline is level). */
  double portHalfWidth(double w, double h) {
    switch (this) {
      case ELLIPSE:
        return w * 0.3;
      case BOX:
        return w / 2 - 8;
      default:
        return Math.max(0, w / 2 - cut * h - 6);
    }
  }

  /** How far below the bounding box's top (and above its bottom) the outline is at {@code dx} from the center. */
  double inset(double dx, double w, double h) {
    if (this != ELLIPSE) {
      return 0;
    }
    double r = Math.min(1, Math.abs(2 * dx / w));
    return h / 2 * (1 - Math.sqrt(1 - r * r));
  }

  private static Shape polygon(double... xy) {
    Path2D.Double p = new Path2D.Double();
    p.moveTo(xy[0], xy[1]);
    for (int i = 2; i < xy.length; i += 2) {
      p.lineTo(xy[i], xy[i + 1]);
    }
    p.closePath();
    return p;
  }
}
