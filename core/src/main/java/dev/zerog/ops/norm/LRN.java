package dev.zerog.ops.norm;

import dev.zerog.SchemaException;
import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.Arity;
import dev.zerog.op.BlobType;
import dev.zerog.op.FlopEstimate;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * LRN: local response normalization across channels, as in AlexNet; and its gradient op LRNGradient.
 *
 * <p>Gradient (Caffe2's GetLRNGradient): {@code LRNGradient(X, Y, dY) -> dX}, which recomputes the scale from X.
 */
final class LRN extends Operator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("LRN")
      .flops(FlopEstimate.perInputElement(0, 6))
      .inputs(1)
      .outputs(Arity.range(1, 2))
      .doc("Local response normalization across channels: Y[c] = X[c] · scale[c]^-beta with scale[c] = bias + "
          + "alpha / size · Σ_{c'} X[c']², the sum over the `size` channels centred on c (c - (size - 1) / 2 to "
          + "c + size / 2, clipped to the channels), at the same image and position.\n\n"
          + "Shapes: X [N, C, ...] (NCHW) or [N, ..., C] (NHWC), of rank 2 or more (Caffe2: 4); Y and scale have "
          + "X's shape. FLOAT or DOUBLE.\n\n"
          + "Gradient: LRNGradient(X, Y, dY) -> dX = dY · scale^-beta - 2 · alpha · beta / size · X · Σ_{c'} dY[c'] "
          + "· Y[c'] / scale[c'], over the same windows.")
      .input("X", "the input")
      .output("Y", "the normalized output, X's shape and type")
      .output("scale", "optional: scale, X's shape and type")
      .arg("size", ArgType.INT, "the number of channels in a window, odd and positive (required)")
      .arg("alpha", ArgType.FLOAT, "the scaling of the sum of squares, > 0 (required)")
      .arg("beta", ArgType.FLOAT, "the exponent, > 0 (required)")
      .arg("bias", ArgType.FLOAT, "added to the scaled sum (default 1)")
      .arg("order", ArgType.STRING, "\"NCHW\" (the default) or \"NHWC\"")
      .inference(LRN::infer)
      .build();

  /** Caffe2's GetLRNGradient: LRNGradient(X, Y, dY) -> dX. */
  static final GradientMaker GRADIENT = (GradientContext g) -> GradientContext.single(
      "LRNGradient", List.of(g.I(0), g.O(0), g.GO(0)), List.of(g.GI(0)));

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(LRN::new).gradient(GRADIENT).build();

  private final Parameters p;
  private final ChannelLayout layout;
  private float[] floatScratch = new float[0];
  private float[] floatScale = new float[0];
  private double[] doubleScratch = new double[0];
  private double[] doubleScale = new double[0];

  LRN(OperatorInit init) {
    super(init);
    p = new Parameters(init.args());
    layout = new ChannelLayout(init.args().getString("order", "NCHW"));
  }

  /** LRN's arguments, checked. */
  static final class Parameters {
    final int size;
    final float alpha;
    final float beta;
    final float bias;

    Parameters(Arguments args) {
      size = args.getInt("size", 0);
      alpha = args.getFloat("alpha", 0f);
      beta = args.getFloat("beta", 0f);
      bias = args.getFloat("bias", 1f);
      if (size <= 0 || size % 2 == 0) {
        throw new SchemaException("size must be a positive odd number of channels, got " + size);
      }
      if (!(alpha > 0) || !(beta > 0)) {
        throw new SchemaException("alpha and beta must be positive, got alpha " + alpha + " and beta " + beta);
      }
    }
  }

  @Override
  public void run() {
    Tensor x = input(0);
    String xName = inputBlob(0).name();
    DataType dtype = ChannelLayout.floating(type(), x, xName);
    layout.view(x, 2, type(), xName);
    Tensor y = output(0).resizeLike(dtype, x);
    Tensor scale = outputSize() > 1 ? output(1).resizeLike(dtype, x) : null;
    int n = x.size();
    if (dtype == DataType.FLOAT) {
      if (floatScratch.length < n) {
        floatScratch = new float[n];
      }
      float[] s;
      if (scale != null) {
        s = scale.floats();
      } else {
        if (floatScale.length < n) {
          floatScale = new float[n];
        }
        s = floatScale;
      }
      forward(x.floats(), y.floats(), s, floatScratch, layout.outer, layout.channels, layout.inner, p.size, p.alpha,
          p.beta, p.bias);
    } else {
      if (doubleScratch.length < n) {
        doubleScratch = new double[n];
      }
      double[] s;
      if (scale != null) {
        s = scale.doubles();
      } else {
        if (doubleScale.length < n) {
          doubleScale = new double[n];
        }
        s = doubleScale;
      }
      forward(x.doubles(), y.doubles(), s, doubleScratch, layout.outer, layout.channels, layout.inner, p.size,
          p.alpha, p.beta, p.bias);
    }
  }

  static List<BlobType> infer(OperatorDef def, Arguments args,
      List<BlobType> in) {
    new Parameters(args);
    BlobType x = in.get(0);
    ChannelLayout.inferFloating(def, x, 0);
    if (x.dims() != null && x.dims().length < 2) {
      throw ChannelLayout.error(def.getInput(0), "LRN needs an input of rank 2 or more, got "
          + Shapes.format(x.dims()));
    }
    List<BlobType> out = new ArrayList<>();
    for (int i = 0; i < def.getOutputCount(); i++) {
      out.add(x);
    }
    return out;
  }

  /** x^-beta, with the common exponents computed without {@code Math.pow}. */
  static double negativePower(double x, double beta) {
    if (beta == 0.75) {
      double r = Math.sqrt(x);
      return 1 / (r * Math.sqrt(r));
    }
    if (beta == 0.5) {
      return 1 / Math.sqrt(x);
    }
    if (beta == 1) {
      return 1 / x;
    }
    return Math.pow(x, -beta);
  }

  // ---- float ----

  /**
   * scale = bias + alpha / size · Σ x² over each element's channel window, then y = x · scale^-beta. sq is scratch
   * of x's size; y may not be x.
   */
  static void forward(float[] x, float[] y, float[] scale, float[] sq, int outer, int channels, int inner, int size,
      float alpha, float beta, float bias) {
    final int n = outer * channels * inner;
    for (int p = 0; p < n; p++) {
      sq[p] = x[p] * x[p];
    }
    windowSums(sq, scale, outer, channels, inner, size);
    final float a = alpha / size;
    for (int p = 0; p < n; p++) {
      final float s = bias + a * scale[p];
      scale[p] = s;
      y[p] = (float) (x[p] * negativePower(s, beta));
    }
  }

  /** sums[o, c, i] = Σ values[o, c', i] over c' in c's window of {@code size} channels (centred, clipped). */
  static void windowSums(float[] values, float[] sums, int outer, int channels, int inner, int size) {
    final int pre = (size - 1) / 2;
    final int post = size - 1 - pre;
    for (int o = 0; o < outer; o++) {
      final int base = o * channels * inner;
      for (int c = 0; c < channels; c++) {
        final int to = base + c * inner;
        Arrays.fill(sums, to, to + inner, 0f);
        final int lo = Math.max(0, c - pre);
        final int hi = Math.min(channels - 1, c + post);
        for (int k = lo; k <= hi; k++) {
          final int from = base + k * inner;
          for (int i = 0; i < inner; i++) {
            sums[to + i] += values[from + i];
          }
        }
      }
    }
  }

  /**
   * dx = dy · scale^-beta - 2 alpha beta / size · x · Σ (dy · y / scale) over the channel window; scale and ratio
   * are scratch of x's size (scale recomputed from x).
   */
  static void backward(float[] x, float[] y, float[] dy, float[] dx, float[] scale, float[] ratio, int outer,
      int channels, int inner, int size, float alpha, float beta, float bias) {
    final int n = outer * channels * inner;
    for (int p = 0; p < n; p++) {
      ratio[p] = x[p] * x[p];
    }
    windowSums(ratio, scale, outer, channels, inner, size);
    final float a = alpha / size;
    for (int p = 0; p < n; p++) {
      final float s = bias + a * scale[p];
      scale[p] = s;
      ratio[p] = dy[p] * y[p] / s;
    }
    // dx first holds the window sums of the ratios.
    windowSums(ratio, dx, outer, channels, inner, size);
    final float cache = 2f * alpha * beta / size;
    for (int p = 0; p < n; p++) {
      dx[p] = (float) (dy[p] * negativePower(scale[p], beta)) - cache * x[p] * dx[p];
    }
  }

  // ---- double: the same loops over double[] ----

  /**
   * scale = bias + alpha / size · Σ x² over each element's channel window, then y = x · scale^-beta. sq is scratch
   * of x's size; y may not be x.
   */
  static void forward(double[] x, double[] y, double[] scale, double[] sq, int outer, int channels, int inner, int size,
      double alpha, double beta, double bias) {
    final int n = outer * channels * inner;
    for (int p = 0; p < n; p++) {
      sq[p] = x[p] * x[p];
    }
    windowSums(sq, scale, outer, channels, inner, size);
    final double a = alpha / size;
    for (int p = 0; p < n; p++) {
      final double s = bias + a * scale[p];
      scale[p] = s;
      y[p] = (x[p] * negativePower(s, beta));
    }
  }

  /** sums[o, c, i] = Σ values[o, c', i] over c' in c's window of {@code size} channels (centred, clipped). */
  static void windowSums(double[] values, double[] sums, int outer, int channels, int inner, int size) {
    final int pre = (size - 1) / 2;
    final int post = size - 1 - pre;
    for (int o = 0; o < outer; o++) {
      final int base = o * channels * inner;
      for (int c = 0; c < channels; c++) {
        final int to = base + c * inner;
        Arrays.fill(sums, to, to + inner, 0d);
        final int lo = Math.max(0, c - pre);
        final int hi = Math.min(channels - 1, c + post);
        for (int k = lo; k <= hi; k++) {
          final int from = base + k * inner;
          for (int i = 0; i < inner; i++) {
            sums[to + i] += values[from + i];
          }
        }
      }
    }
  }

  /**
   * dx = dy · scale^-beta - 2 alpha beta / size · x · Σ (dy · y / scale) over the channel window; scale and ratio
   * are scratch of x's size (scale recomputed from x).
   */
  static void backward(double[] x, double[] y, double[] dy, double[] dx, double[] scale, double[] ratio, int outer,
      int channels, int inner, int size, double alpha, double beta, double bias) {
    final int n = outer * channels * inner;
    for (int p = 0; p < n; p++) {
      ratio[p] = x[p] * x[p];
    }
    windowSums(ratio, scale, outer, channels, inner, size);
    final double a = alpha / size;
    for (int p = 0; p < n; p++) {
      final double s = bias + a * scale[p];
      scale[p] = s;
      ratio[p] = dy[p] * y[p] / s;
    }
    // dx first holds the window sums of the ratios.
    windowSums(ratio, dx, outer, channels, inner, size);
    final double cache = 2d * alpha * beta / size;
    for (int p = 0; p < n; p++) {
      dx[p] = (dy[p] * negativePower(scale[p], beta)) - cache * x[p] * dx[p];
    }
  }

  /** {@code LRNGradient(X, Y, dY) -> dX}: the gradient of LRN, with the forward op's arguments. */
  static final class Gradient extends Operator {
    static final OperatorSchema SCHEMA = OperatorSchema.builder("LRNGradient")
        .linearIn(2)
        .flops(FlopEstimate.perInputElement(0, 8))
        .inputs(3)
        .outputs(1)
        .doc("The gradient of LRN: dX = dY · scale^-beta - 2 · alpha · beta / size · X · Σ_{c'} dY[c'] · Y[c'] / "
            + "scale[c'], the sum over the channel windows that contain c, scale recomputed from X. X, Y and dY "
            + "have one shape and type (FLOAT or DOUBLE), which dX takes. The arguments are the forward op's.")
        .input("X", "the forward op's input")
        .input("Y", "the forward op's output")
        .input("dY", "the gradient of Y")
        .output("dX", "the gradient of X")
        .arg("size", ArgType.INT, "as in LRN")
        .arg("alpha", ArgType.FLOAT, "as in LRN")
        .arg("beta", ArgType.FLOAT, "as in LRN")
        .arg("bias", ArgType.FLOAT, "as in LRN (default 1)")
        .arg("order", ArgType.STRING, "as in LRN")
        .inference((def, args, in) -> List.of(in.get(0)))
        .build();

    static final OperatorDefinition DEFINITION =
        OperatorDefinition.builder(SCHEMA).cpu(Gradient::new).noGradient().build();

    private final Parameters p;
    private final ChannelLayout layout;
    private float[] floatScale = new float[0];
    private float[] floatRatio = new float[0];
    private double[] doubleScale = new double[0];
    private double[] doubleRatio = new double[0];

    Gradient(OperatorInit init) {
      super(init);
      p = new Parameters(init.args());
      layout = new ChannelLayout(init.args().getString("order", "NCHW"));
    }

    @Override
    public void run() {
      Tensor x = input(0);
      Tensor y = input(1);
      Tensor dy = input(2);
      String xName = inputBlob(0).name();
      DataType dtype = ChannelLayout.floating(type(), x, xName);
      for (int i = 1; i < 3; i++) {
        Tensor t = input(i);
        if (t.dtype() != dtype || !t.hasSameDims(x)) {
          throw ChannelLayout.error(inputBlob(i).name(), "'" + inputBlob(i).name() + "' is " + t.dtype() + " "
              + Shapes.format(t.dims()) + " but '" + xName + "' is " + dtype + " " + Shapes.format(x.dims())
              + "; they must have the same type and shape");
        }
      }
      layout.view(x, 2, type(), xName);
      Tensor dx = output(0).resizeLike(dtype, x);
      int n = x.size();
      if (dtype == DataType.FLOAT) {
        if (floatScale.length < n) {
          floatScale = new float[n];
          floatRatio = new float[n];
        }
        backward(x.floats(), y.floats(), dy.floats(), dx.floats(), floatScale, floatRatio, layout.outer,
            layout.channels, layout.inner, p.size, p.alpha, p.beta, p.bias);
      } else {
        if (doubleScale.length < n) {
          doubleScale = new double[n];
          doubleRatio = new double[n];
        }
        backward(x.doubles(), y.doubles(), dy.doubles(), dx.doubles(), doubleScale, doubleRatio, layout.outer,
            layout.channels, layout.inner, p.size, p.alpha, p.beta, p.bias);
      }
    }
  }
}
