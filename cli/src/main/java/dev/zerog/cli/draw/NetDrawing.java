package dev.zerog.cli.draw;

import dev.zerog.ZerogException;
import dev.zerog.io.FileIO;
import dev.zerog.proto.Caffe2.NetDef;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A drawing of a net: its operators and blobs, the backward pass zerog builds for it (or the one it holds), and
 * what ZeroGradient, StopGradient, GradientMask, frozen parameters and the zero-aware pass do to it, marked by
 * shape and color and explained in a legend. Written as SVG or PNG (laid out and rendered in Java, no external
 * program) or as Graphviz DOT.
 *
 * <pre>{@code
 * NetDrawing drawing = NetDrawing.of(net, DrawOptions.builder().losses(List.of("loss")).build());
 * drawing.write(Path.of("net.svg"));      // or net.png, net.dot
 * }</pre>
 *
 * <p>The layout is computed once, when the drawing is made; it is deterministic (the same net gives the same
 * file). See docs/drawing.md for what the marks mean.
 */
public final class NetDrawing {
  private static final Logger LOG = LoggerFactory.getLogger(NetDrawing.class);

  /** The file formats a drawing can be written in. */
  public enum Format {
    /** Scalable vector graphics, laid out by zerog. */
    SVG,
    /** A PNG image of the same drawing, rendered with Java2D. */
    PNG,
    /** Graphviz's DOT language, for laying out with Graphviz. */
    DOT;

    /** The format a file name's extension names (.svg, .png, .dot or .gv, in any case), or null for another. */
    public static Format forPath(Path file) {
      Path name = file.getFileName();
      String s = name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
      if (s.endsWith(".svg")) {
        return SVG;
      }
      if (s.endsWith(".png")) {
        return PNG;
      }
      if (s.endsWith(".dot") || s.endsWith(".gv")) {
        return DOT;
      }
      return null;
    }
  }

  /** The graph as built: every edge, for DOT (Graphviz routes long edges itself). */
  private final DrawGraph graph;
  /** The graph as laid out: long edges of large drawings replaced by references. */
  private final DrawGraph drawn;
  private final LayeredLayout.Layout layout;
  private final Scene scene;

  private NetDrawing(DrawGraph graph) {
    this.graph = graph;
    long start = System.nanoTime();
    this.drawn = LongEdges.withReferences(graph);
    this.layout = LayeredLayout.of(drawn);
    this.scene = Scene.of(drawn, layout);
    LOG.debug("laid out {} nodes ({} references) and {} edges in {} layers ({} crossings) in {} ms",
        drawn.nodes().size(), drawn.nodes().size() - graph.nodes().size(), drawn.edges().size(), layout.layers(),
        layout.crossings(), (System.nanoTime() - start) / 1_000_000);
  }

  /**
   * The drawing of {@code net}.
   *
   * @throws dev.zerog.GradientException if the backward pass cannot be built for the losses, a freeze pattern
   *     matches no parameter, pruning is asked for without a loss, or losses are given for a net that already
   *     holds gradient ops
   */
  public static NetDrawing of(NetDef net, DrawOptions options) {
    Objects.requireNonNull(net, "net");
    Objects.requireNonNull(options, "options");
    return new NetDrawing(NetGraph.build(net, options));
  }

  /** Writes the drawing to {@code file}, in the format its extension names ({@link Format#forPath}). */
  public void write(Path file) {
    Format format = Format.forPath(file);
    if (format == null) {
      throw new ZerogException("cannot tell the drawing's format from the file name: use .svg, .png or .dot")
          .atFile(file.toString());
    }
    write(file, format);
  }

  /** Writes the drawing to {@code file} in {@code format}, atomically. */
  public void write(Path file, Format format) {
    switch (format) {
      case SVG -> FileIO.writeAtomically(file, svg().getBytes(StandardCharsets.UTF_8));
      case DOT -> FileIO.writeAtomically(file, dot().getBytes(StandardCharsets.UTF_8));
      case PNG -> {
        BufferedImage image;
        try {
          image = image();
        } catch (ZerogException e) {
          throw e.atFile(file.toString());
        }
        FileIO.writeAtomically(file, out -> PngRenderer.encode(image, out));
      }
      default -> throw new AssertionError(format);
    }
  }

  /** The drawing as an SVG document. */
  public String svg() {
    return SvgWriter.write(scene);
  }

  /** The graph in Graphviz's DOT language. */
  public String dot() {
    return DotWriter.write(graph);
  }

  /** The drawing rendered into an image, {@link #pngScale()} times its size in pixels. */
  public BufferedImage image() {
    return PngRenderer.render(scene);
  }

  /** The drawing's width in pixels at scale 1 (as the SVG has it). */
  public double width() {
    return scene.width();
  }

  /** The drawing's height in pixels at scale 1 (as the SVG has it). */
  public double height() {
    return scene.height();
  }

  /**
   * The scale of the PNG: 2 for drawings small enough, less for large ones, so that neither side exceeds 16,384
   * pixels and the image holds at most 32 million pixels.
   */
  public double pngScale() {
    return PngRenderer.scale(scene.width(), scene.height());
  }

  /** The number of operators drawn. */
  public int opCount() {
    return (int) graph.nodes().stream().filter(DrawGraph.Node::op).count();
  }

  /** The number of blob nodes drawn (a blob written several times is drawn once per write). */
  public int blobCount() {
    return graph.nodes().size() - opCount();
  }

  /** The drawing's second line: what it shows (ops forward and backward, pruned, frozen). */
  public String summary() {
    return graph.subtitle();
  }

  DrawGraph graph() {
    return graph;
  }

  DrawGraph drawn() {
    return drawn;
  }

  LayeredLayout.Layout layout() {
    return layout;
  }

  Scene scene() {
    return scene;
  }
}
