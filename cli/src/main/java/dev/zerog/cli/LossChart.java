package dev.zerog.cli;

import dev.zerog.ZerogIOException;
import dev.zerog.io.FileIO;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Loss curves as a PNG, drawn with XChart in headless mode (no display needed). Long curves are drawn as the means
 * of at most {@link #MAX_POINTS} (or a number the caller gives) equal runs of steps, so that a chart of a million
 * steps stays quick and legible;
 * a curve stops at its first value that is not finite (a diverged run).
 */
final class LossChart {
  /** The most points drawn per curve. */
  static final int MAX_POINTS = 1000;

  private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
      new Color(0xff7f0e), new Color(0x9467bd)};

  /**
   * One curve: the loss of each step, {@code losses[i]} being the loss of step {@code firstStep + i + 1} (steps
   * counted from 1 on the chart); a dashed curve lets one that it covers show through.
   */
  record Curve(String name, float[] losses, long firstStep, boolean dashed) {
    /** A solid curve. */
    Curve(String name, float[] losses, long firstStep) {
      this(name, losses, firstStep, false);
    }
  }

  private LossChart() {}

  /** The PNG bytes of a chart of these curves, each drawn with at most {@link #MAX_POINTS} points. */
  static byte[] png(String title, List<Curve> curves, int width, int height) {
    return png(title, curves, width, height, MAX_POINTS);
  }

  /** The PNG bytes of a chart of these curves, each drawn with at most {@code maxPoints} points. */
  static byte[] png(String title, List<Curve> curves, int width, int height, int maxPoints) {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
    XYChart chart = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle("step")
        .yAxisTitle("loss").build();
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line)
        .setChartBackgroundColor(Color.WHITE)
        .setLegendPosition(Styler.LegendPosition.InsideNE)
        .setLegendVisible(curves.size() > 1)
        .setSeriesColors(COLORS)
        .setAntiAlias(true)
        .setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    chart.getStyler().setPlotGridLinesVisible(true).setMarkerSize(0);
    chart.getStyler().setXAxisDecimalPattern("#,##0").setXAxisMin(0.0);
    boolean any = false;
    for (Curve c : curves) {
      double[][] xy = points(c, maxPoints);
      if (xy[0].length == 0) {
        continue;
      }
      any = true;
      XYSeries s = chart.addSeries(c.name(), xy[0], xy[1]);
      s.setMarker(SeriesMarkers.NONE);
      if (c.dashed()) {
        s.setLineStyle(SeriesLines.DASH_DASH);
      }
    }
    if (!any) {
      // An empty chart still says what it is.
      chart.addSeries("no steps", new double[] {0}, new double[] {0}).setMarker(SeriesMarkers.NONE);
    } else {
      // XChart puts the x ticks on data points when the x values are equally spaced (steps always are), which
      // crowds the axis with labels; one invisible point off the grid gives round ticks (0, 50, 100, ...).
      double firstX = Double.MAX_VALUE;
      double firstY = 0;
      for (XYSeries s : chart.getSeriesMap().values()) {
        if (s.getXData()[0] < firstX) {
          firstX = s.getXData()[0];
          firstY = s.getYData()[0];
        }
      }
      XYSeries anchor = chart.addSeries(" ", new double[] {firstX - 0.5}, new double[] {firstY});
      anchor.setMarker(SeriesMarkers.NONE);
      anchor.setLineColor(new Color(0, 0, 0, 0));
      anchor.setShowInLegend(false);
    }
    // Encode in memory: ImageIO's default file cache registers a shutdown hook, which fails while Ctrl-C shuts the
    // JVM down and the command writes its last results.
    ImageIO.setUseCache(false);
    try {
      return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new ZerogIOException("cannot encode the loss chart as PNG: " + e.getMessage(), e);
    }
  }

  /** Writes the chart (800×500) to {@code file} atomically. */
  static void write(Path file, String title, List<Curve> curves) {
    write(file, title, curves, MAX_POINTS);
  }

  /** Writes the chart (800×500), at most {@code maxPoints} points per curve, to {@code file} atomically. */
  static void write(Path file, String title, List<Curve> curves, int maxPoints) {
    byte[] png;
    try {
      png = png(title, curves, 800, 500, maxPoints);
    } catch (java.awt.AWTError | UnsatisfiedLinkError | InternalError e) {
      // A JRE without the AWT libraries, or without fonts, cannot draw.
      throw new ZerogIOException("cannot draw the loss chart on this Java runtime: " + e).atFile(file.toString());
    }
    FileIO.writeAtomically(file, png);
  }

  /** The chart points of a curve: up to {@link #MAX_POINTS} (step, mean loss) pairs, finite values only. */
  static double[][] points(Curve c) {
    return points(c, MAX_POINTS);
  }

  /** The chart points of a curve: up to {@code maxPoints} (step, mean loss) pairs, finite values only. */
  static double[][] points(Curve c, int maxPoints) {
    int n = 0;
    while (n < c.losses().length && Float.isFinite(c.losses()[n])) {
      n++;
    }
    int bins = Math.min(n, Math.max(1, maxPoints));
    List<double[]> out = new ArrayList<>(bins);
    for (int b = 0; b < bins; b++) {
      int from = (int) ((long) n * b / bins);
      int to = (int) ((long) n * (b + 1) / bins);
      double sum = 0;
      for (int i = from; i < to; i++) {
        sum += c.losses()[i];
      }
      // The middle step of the run (steps counted from 1).
      double step = c.firstStep() + (from + to + 1) / 2.0;
      out.add(new double[] {step, sum / (to - from)});
    }
    double[][] xy = new double[2][out.size()];
    for (int i = 0; i < out.size(); i++) {
      xy[0][i] = out.get(i)[0];
      xy[1][i] = out.get(i)[1];
    }
    return xy;
  }
}
