package dev.zerog.cli.draw;

import dev.zerog.ZerogException;
import java.awt.AlphaComposite;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.font.FontRenderContext;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Renders a {@link Scene} into an image with Java2D (headless) and encodes it as PNG with ImageIO. Small drawings
 * are rendered at twice their size, for sharp text; large ones are scaled down so that neither side exceeds
 * {@link #MAX_SIDE} pixels and the image holds at most {@link #MAX_PIXELS} pixels.
 */
final class PngRenderer {
  /** The largest side, in pixels. */
  static final int MAX_SIDE = 16_384;
  /** The most pixels an image holds (4 bytes each in memory). */
  static final long MAX_PIXELS = 32_000_000L;
  /** The scale of a drawing small enough to allow it. */
  static final double PREFERRED_SCALE = 2;

  private static final String FAMILY = "DejaVu Sans";

  private final Map<String, Font> fonts = new HashMap<>();
  private final String family;
  private Graphics2D g;

  private PngRenderer() {
    Font probe = new Font(FAMILY, Font.PLAIN, 12);
    family = FAMILY.equals(probe.getFamily(Locale.ROOT)) ? FAMILY : Font.SANS_SERIF;
  }

  /** The scale at which a drawing of this size is rendered. */
  static double scale(double width, double height) {
    double s = PREFERRED_SCALE;
    s = Math.min(s, MAX_SIDE / Math.max(1, width));
    s = Math.min(s, MAX_SIDE / Math.max(1, height));
    s = Math.min(s, Math.sqrt(MAX_PIXELS / Math.max(1, width * height)));
    return s;
  }

  /** The image of {@code scene}, at {@link #scale}. */
  static BufferedImage render(Scene scene) {
    PngRenderer r;
    try {
      r = new PngRenderer();
      r.font(12, false).getStringBounds("Ag", new FontRenderContext(null, true, true));
    } catch (InternalError | LinkageError | RuntimeException e) {
      throw new ZerogException("cannot draw text into a PNG: Java finds no usable font here (install fontconfig and "
          + "a font, such as the package fonts-dejavu-core), or write .svg instead (" + e + ")", e);
    }
    double s = scale(scene.width(), scene.height());
    int w = Math.max(1, (int) Math.ceil(scene.width() * s));
    int h = Math.max(1, (int) Math.ceil(scene.height() * s));
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    r.g = image.createGraphics();
    try {
      r.g.setColor(Color.WHITE);
      r.g.fillRect(0, 0, w, h);
      r.g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      r.g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      r.g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
      r.g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
      r.g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      r.g.scale(s, s);
      for (Scene.Item item : scene.items()) {
        r.draw(item);
      }
    } finally {
      r.g.dispose();
    }
    return image;
  }

  /** Encodes {@code image} as PNG, favoring speed over the last bytes of compression. */
  static void encode(BufferedImage image, OutputStream out) throws IOException {
    Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
    if (!writers.hasNext()) {
      throw new IOException("this Java has no PNG encoder");
    }
    ImageWriter writer = writers.next();
    try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
      writer.setOutput(stream);
      ImageWriteParam param = writer.getDefaultWriteParam();
      if (param.canWriteCompressed()) {
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.7f);
      }
      writer.write(null, new IIOImage(image, null, null), param);
      stream.flush();
    } finally {
      writer.dispose();
    }
  }

  private void draw(Scene.Item item) {
    if (item instanceof Scene.Group group) {
      for (Scene.Item member : group.items()) {
        draw(member);
      }
    } else if (item instanceof Scene.Fill f) {
      opacity(f.opacity());
      if (f.fill() != null) {
        g.setColor(color(f.fill()));
        g.fill(f.shape());
      }
      if (f.stroke() != null) {
        g.setColor(color(f.stroke()));
        g.setStroke(stroke(f.strokeWidth(), f.dashed()));
        g.draw(f.shape());
      }
    } else if (item instanceof Scene.Stroke s) {
      opacity(s.opacity());
      g.setColor(color(s.color()));
      g.setStroke(stroke(s.width(), s.dashed()));
      g.draw(s.path());
    } else if (item instanceof Scene.Text t) {
      text(t);
    }
  }

  private void text(Scene.Text t) {
    opacity(t.opacity());
    Font font = font(t.size(), t.bold());
    g.setFont(font);
    g.setColor(color(t.color()));
    double actual = font.getStringBounds(t.text(), g.getFontRenderContext()).getWidth();
    double planned = t.width();
    double squeeze = actual > planned * 1.02 && actual > 0 ? planned / actual : 1;
    double width = actual * squeeze;
    double x = t.centered() ? t.x() - width / 2 : t.x();
    if (squeeze == 1) {
      g.drawString(t.text(), (float) x, (float) t.baseline());
    } else {
      AffineTransform saved = g.getTransform();
      g.translate(x, t.baseline());
      g.scale(squeeze, 1);
      g.drawString(t.text(), 0f, 0f);
      g.setTransform(saved);
    }
  }

  private Font font(double size, boolean bold) {
    String key = size + (bold ? "b" : "");
    return fonts.computeIfAbsent(key, k -> new Font(family, bold ? Font.BOLD : Font.PLAIN, 12)
        .deriveFont((float) size));
  }

  private void opacity(double opacity) {
    g.setComposite(opacity >= 1 ? AlphaComposite.SrcOver
        : AlphaComposite.getInstance(AlphaComposite.SRC_OVER, (float) opacity));
  }

  private static BasicStroke stroke(double width, boolean dashed) {
    return dashed
        ? new BasicStroke((float) width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {5f, 3f}, 0f)
        : new BasicStroke((float) width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
  }

  private static Color color(String hex) {
    return new Color(Integer.parseInt(hex.substring(1), 16));
  }
}
