package dev.zerog.cli.draw;

import java.awt.geom.PathIterator;

/** Writes a {@link Scene} as a standalone SVG 1.1 document. */
final class SvgWriter {
  static final String FONTS = "'DejaVu Sans', Verdana, 'Bitstream Vera Sans', sans-serif";

  private final StringBuilder out = new StringBuilder(1 << 16);

  private SvgWriter() {}

  /** The SVG text of {@code scene}. */
  static String write(Scene scene) {
    SvgWriter w = new SvgWriter();
    w.document(scene);
    return w.out.toString();
  }

  private void document(Scene scene) {
    out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"").append(num(scene.width()))
        .append("\" height=\"").append(num(scene.height())).append("\" viewBox=\"0 0 ").append(num(scene.width()))
        .append(' ').append(num(scene.height())).append("\" font-family=\"").append(FONTS).append("\">\n");
    out.append("<rect width=\"100%\" height=\"100%\" fill=\"#FFFFFF\"/>\n");
    for (Scene.Item item : scene.items()) {
      item(item, "");
    }
    out.append("</svg>\n");
  }

  private void item(Scene.Item item, String indent) {
    if (item instanceof Scene.Group g) {
      out.append(indent).append("<g");
      if (g.id() != null) {
        out.append(" id=\"").append(escape(g.id())).append('"');
      }
      if (g.cssClass() != null) {
        out.append(" class=\"").append(escape(g.cssClass())).append('"');
      }
      out.append(">\n");
      if (g.tooltip() != null) {
        out.append(indent).append(" <title>").append(escape(g.tooltip())).append("</title>\n");
      }
      for (Scene.Item member : g.items()) {
        item(member, indent + " ");
      }
      out.append(indent).append("</g>\n");
    } else if (item instanceof Scene.Fill f) {
      out.append(indent).append("<path d=\"");
      path(f.shape());
      out.append("\" fill=\"").append(f.fill() == null ? "none" : f.fill()).append('"');
      if (f.stroke() != null) {
        out.append(" stroke=\"").append(f.stroke()).append("\" stroke-width=\"").append(num(f.strokeWidth()))
            .append('"');
        if (f.dashed()) {
          out.append(" stroke-dasharray=\"5 3\"");
        }
      }
      opacity(f.opacity());
      out.append("/>\n");
    } else if (item instanceof Scene.Stroke s) {
      out.append(indent).append("<path d=\"");
      path(s.path());
      out.append("\" fill=\"none\" stroke=\"").append(s.color()).append("\" stroke-width=\"").append(num(s.width()))
          .append('"');
      if (s.dashed()) {
        out.append(" stroke-dasharray=\"4 3\"");
      }
      opacity(s.opacity());
      out.append("/>\n");
    } else if (item instanceof Scene.Text t) {
      out.append(indent).append("<text x=\"").append(num(t.x())).append("\" y=\"").append(num(t.baseline()))
          .append("\" font-size=\"").append(num(t.size())).append('"');
      if (t.bold()) {
        out.append(" font-weight=\"bold\"");
      }
      if (t.centered()) {
        out.append(" text-anchor=\"middle\"");
      }
      out.append(" fill=\"").append(t.color()).append('"');
      opacity(t.opacity());
      out.append('>').append(escape(t.text())).append("</text>\n");
    }
  }

  private void opacity(double opacity) {
    if (opacity < 1) {
      out.append(" opacity=\"").append(num(opacity)).append('"');
    }
  }

  private void path(java.awt.Shape shape) {
    double[] c = new double[6];
    boolean first = true;
    for (PathIterator it = shape.getPathIterator(null); !it.isDone(); it.next()) {
      int type = it.currentSegment(c);
      if (!first) {
        out.append(' ');
      }
      first = false;
      switch (type) {
        case PathIterator.SEG_MOVETO:
          out.append('M').append(num(c[0])).append(',').append(num(c[1]));
          break;
        case PathIterator.SEG_LINETO:
          out.append('L').append(num(c[0])).append(',').append(num(c[1]));
          break;
        case PathIterator.SEG_QUADTO:
          out.append('Q').append(num(c[0])).append(',').append(num(c[1])).append(' ').append(num(c[2]))
              .append(',').append(num(c[3]));
          break;
        case PathIterator.SEG_CUBICTO:
          out.append('C').append(num(c[0])).append(',').append(num(c[1])).append(' ').append(num(c[2]))
              .append(',').append(num(c[3])).append(' ').append(num(c[4])).append(',').append(num(c[5]));
          break;
        default:
          out.append('Z');
      }
    }
  }

  /** A number with at most one decimal, no exponent. */
  static String num(double v) {
    long tenths = Math.round(v * 10);
    long whole = Math.abs(tenths) / 10;
    long tenth = Math.abs(tenths) % 10;
    String sign = tenths < 0 ? "-" : "";
    return tenth == 0 ? sign + whole : sign + whole + "." + tenth;
  }

  /** Escapes text for XML content and attributes; drops characters XML 1.0 cannot hold. */
  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&apos;");
        default -> {
          if (c == '\n' || c == '\t' || c == '\r' || (c >= 0x20 && c != 0xFFFE && c != 0xFFFF)) {
            b.append(c);
          } else {
            b.append('?');
          }
        }
      }
    }
    return b.toString();
  }
}
