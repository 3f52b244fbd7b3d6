package dev.zerog.ops.conv;

import static dev.zerog.ops.conv.ConvPoolArguments.floating;
import static dev.zerog.ops.conv.ConvPoolArguments.shapeError;

import dev.zerog.SchemaException;
import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.Arity;
import dev.zerog.op.BlobType;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.ops.conv.ConvPoolArguments.Order;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * ConvTranspose: the transposed convolution (the gradient of Conv with respect to its input, used to upsample),
 * with groups, strides, asymmetric padding and {@code adj}, NCHW or NHWC, with or without bias; and its gradient op
 * ConvTransposeGradient. Caffe2's takes 2-D images; zerog's also takes 1-D and 3-D ones (with {@code kernels},
 * {@code strides}, {@code pads}, {@code adjs}).
 *
 * <p>Computed per image as one GEMM per group followed by col2im ({@link Convolution#colsToImage}).
 *
 * <p>Gradient (Caffe2's GetConvTransposeGradient): {@code ConvTransposeGradient(X, W, dY) -> (dW, db, dX)}; without
 * a bias the op gets {@code no_bias: 1} and writes (dW, dX); with {@code no_gradient_to_input: 1}, dX is left out.
 */
final class ConvTranspose extends Operator {
  static final OperatorSchema SCHEMA = declare(OperatorSchema.builder("ConvTranspose")
      .linearity(ConvCosts::linearities)
      .flops(ConvCosts::convTranspose)
      .inputs(Arity.range(2, 3))
      .outputs(1)
      .doc("Transposed convolution: every input position scatters its channels, weighted by the filter, into a "
          + "kernel-sized window of the output, windows `stride` apart: Y[n, co, o · stride - pad_head + k] += "
          + "Σ_{ci in co's group} X[n, ci, o] · W[ci, co, k], then Y[n, co, ·] += b[co]. It is the gradient of Conv "
          + "with respect to its input (for the same W, stride and pads).\n\n"
          + "Shapes (NCHW): X [N, Ci, D1, ..., Dk], W [Ci, Co / group, K1, ..., Kk], b [Co], Y [N, Co, O1, ..., "
          + "Ok] with O = (D - 1) · stride + K + adj - pad_head - pad_tail along each spatial axis; k = 1 to 3 "
          + "(Caffe2: 2). NHWC: X [N, D..., Ci], W [Ci, K..., Co / group], Y [N, O..., Co]. Ci must be a multiple "
          + "of group. FLOAT or DOUBLE; X, W and b of one type, which Y takes.\n\n"
          + "Gradient: ConvTransposeGradient(X, W, dY) -> (dW, db, dX); without b, (dW, dX) and `no_bias: 1`; with "
          + "`no_gradient_to_input: 1`, no dX.")
      .input("X", "the input images")
      .input("W", "the filter, [Ci, Co / group, kernel...] (NCHW) or [Ci, kernel..., Co / group] (NHWC)")
      .input("b", "optional: the bias, [Co]")
      .output("Y", "the output images, X's type"))
      .arg("no_gradient_to_input", ArgType.INT, "1: the gradient op computes no dX (default 0)")
      .inference(ConvTranspose::infer)
      .build();

  /** Caffe2's GetConvTransposeGradient. */
  static final GradientMaker GRADIENT = (GradientContext g) -> {
    boolean computeDx = !Arguments.of(g.def().getArgList()).getBool("no_gradient_to_input", false);
    List<String> in = List.of(g.I(0), g.I(1), g.GO(0));
    List<String> out = new ArrayList<>();
    out.add(g.GI(1));
    if (g.inputCount() == 3) {
      out.add(g.GI(2));
    }
    if (computeDx) {
      out.add(g.GI(0));
    }
    if (g.inputCount() == 3) {
      return GradientContext.single("ConvTransposeGradient", in, out);
    }
    return GradientContext.single("ConvTransposeGradient", in, out,
        Argument.newBuilder().setName("no_bias").setI(1).build());
  };

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(ConvTranspose::new).gradient(GRADIENT).build();

  /** Declares ConvTranspose's window arguments. */
  static OperatorSchema.Builder declare(OperatorSchema.Builder b) {
    return b
        .arg("kernel", ArgType.INT, "the kernel size along both spatial axes of a 2-D window")
        .arg("kernel_h", ArgType.INT, "the kernel height (with kernel_w)")
        .arg("kernel_w", ArgType.INT, "the kernel width (with kernel_h)")
        .arg("kernels", ArgType.INTS, "the kernel size along each spatial axis (1 to 3 axes)")
        .arg("stride", ArgType.INT, "the stride along both spatial axes (default 1)")
        .arg("stride_h", ArgType.INT, "the vertical stride (with stride_w)")
        .arg("stride_w", ArgType.INT, "the horizontal stride (with stride_h)")
        .arg("strides", ArgType.INTS, "the stride along each spatial axis")
        .arg("pad", ArgType.INT, "the output cropping at both ends of both spatial axes (default 0)")
        .arg("pad_t", ArgType.INT, "the cropping at the top (with pad_l, pad_b and pad_r)")
        .arg("pad_l", ArgType.INT, "the cropping at the left")
        .arg("pad_b", ArgType.INT, "the cropping at the bottom")
        .arg("pad_r", ArgType.INT, "the cropping at the right")
        .arg("pads", ArgType.INTS, "the head cropping of each spatial axis, then the tail cropping of each")
        .arg("adj", ArgType.INT, "extra output size at the tail of both spatial axes, 0 to stride (default 0)")
        .arg("adj_h", ArgType.INT, "the extra output height (with adj_w)")
        .arg("adj_w", ArgType.INT, "the extra output width (with adj_h)")
        .arg("adjs", ArgType.INTS, "the extra output size along each spatial axis")
        .arg("legacy_pad", ArgType.INT, "0 NOTSET (use the pads, the default); 1 VALID and 2 SAME both mean no "
            + "cropping; 3 is not supported (as in Caffe2)")
        .arg("group", ArgType.INT, "the number of channel groups (default 1)")
        .arg("order", ArgType.STRING, "\"NCHW\" (the default) or \"NHWC\"")
        .arg("shared_buffer", ArgType.INT, "accepted for compatibility; zerog keeps a buffer per operator");
  }

  /** ConvTranspose's parsed arguments. */
  static final class TransposeArguments {
    final int[] kernel;
    final int[] stride;
    final int[] pads;
    final int[] adj;
    final int group;
    final Order order;

    TransposeArguments(Arguments args) {
      int legacyPad = args.getInt("legacy_pad", ConvPoolArguments.NOTSET);
      if (legacyPad == ConvPoolArguments.CAFFE_LEGACY_POOLING) {
        throw new SchemaException("CAFFE_LEGACY_POOLING is no longer supported.");
      }
      if (legacyPad < ConvPoolArguments.NOTSET || legacyPad > ConvPoolArguments.CAFFE_LEGACY_POOLING) {
        throw new SchemaException("legacy_pad must be 0 (NOTSET), 1 (VALID) or 2 (SAME), got " + legacyPad);
      }
      boolean noPads = legacyPad == ConvPoolArguments.VALID || legacyPad == ConvPoolArguments.SAME;
      int[] k = ConvPoolArguments.pair(args, "kernel", "kernels", "kernel_h", "kernel_w");
      if (k == null) {
        throw new SchemaException("the kernel size must be set (`kernel`, `kernel_h` and `kernel_w`, or `kernels`)");
      }
      int n = k.length;
      if (n < 1 || n > 3) {
        throw new SchemaException("zerog supports 1 to 3 spatial axes; the kernel has " + n + ": "
            + Arrays.toString(k));
      }
      int[] s = ConvPoolArguments.pair(args, "stride", "strides", "stride_h", "stride_w");
      s = s == null ? ConvPoolArguments.filled(n, 1) : s;
      int[] a = ConvPoolArguments.pair(args, "adj", "adjs", "adj_h", "adj_w");
      a = a == null ? new int[n] : a;
      int[] p = ConvPoolArguments.pads(args);
      if (noPads && p != null) {
        throw new SchemaException("If you use legacy padding VALID or SAME, you should not specify any specific "
            + "padding values.");
      }
      p = p == null ? new int[2 * n] : p;
      if (s.length != n || a.length != n || p.length != 2 * n) {
        throw new SchemaException("the kernel " + Arrays.toString(k) + " has " + n + " spatial axes, but there are "
            + s.length + " strides, " + a.length + " adjs and " + p.length + " pads (which must be " + 2 * n + ")");
      }
      for (int i = 0; i < n; i++) {
        if (k[i] <= 0 || s[i] <= 0) {
          throw new SchemaException("kernel sizes and strides must be positive: kernel " + Arrays.toString(k)
              + ", strides " + Arrays.toString(s));
        }
        if (a[i] < 0 || a[i] > s[i]) {
          throw new SchemaException("each adj must be from 0 to its stride: adjs " + Arrays.toString(a)
              + ", strides " + Arrays.toString(s));
        }
        if (p[i] < 0 || p[i + n] < 0) {
          throw new SchemaException("pads cannot be negative: " + Arrays.toString(p));
        }
      }
      kernel = k;
      stride = s;
      pads = p;
      adj = a;
      group = args.getInt("group", 1);
      if (group < 1) {
        throw new SchemaException("group must be at least 1, got " + group);
      }
      order = ConvPoolArguments.order(args.getString("order", "NCHW"));
    }

    int channelAxis(int rank) {
      return order == Order.NCHW ? 1 : rank - 1;
    }

    /**
     * Fills {@code w} with Conv's geometry read backwards: the window's input is Y (the output computed here from
     * X's dims) and its output is X.
     */
    void window(long[] x, String blob, Window w) {
      int n = kernel.length;
      if (x.length != n + 2) {
        throw shapeError(blob, "the kernel " + Arrays.toString(kernel) + " has " + n + " spatial axes, so the "
            + "input must be " + (n + 2) + "-D, got " + Shapes.format(x));
      }
      int first = order == Order.NCHW ? 2 : 1;
      w.reset(n);
      for (int i = 0; i < n; i++) {
        int a = 3 - n + i;
        long in = x[first + i];
        long out = (in - 1) * stride[i] + kernel[i] + adj[i] - pads[i] - pads[i + n];
        if (in > Integer.MAX_VALUE || out > Integer.MAX_VALUE) {
          throw shapeError(blob, "the spatial sizes of " + Shapes.format(x) + " are too large");
        }
        if (in < 1 || out < 1) {
          throw shapeError(blob, "spatial axis " + i + " of " + Shapes.format(x) + " gives an output size of " + out
              + " ((in - 1) · stride + kernel + adj - pads); it must be positive");
        }
        w.in[a] = (int) out;
        w.out[a] = (int) in;
        w.kernel[a] = kernel[i];
        w.stride[a] = stride[i];
        w.padHead[a] = pads[i];
        w.padTail[a] = pads[i + n];
      }
    }

    /** Y's dims: X's with the channels {@code co} and the spatial sizes of the window's input. */
    long[] outputDims(long[] x, Window w, long co, long[] y) {
      int n = w.spatialRank;
      y[0] = x[0];
      y[channelAxis(n + 2)] = co;
      int first = order == Order.NCHW ? 2 : 1;
      for (int i = 0; i < n; i++) {
        y[first + i] = w.in[3 - n + i];
      }
      return y;
    }

    /** Checks W against X and the kernel, and returns Co, the number of output channels. */
    int checkFilter(long[] xd, String xName, long[] wd, String wName) {
      int rank = xd.length;
      if (rank != kernel.length + 2) {
        throw shapeError(xName, "the kernel " + Arrays.toString(kernel) + " has " + kernel.length
            + " spatial axes, so the input must be " + (kernel.length + 2) + "-D, got " + Shapes.format(xd));
      }
      boolean nchw = order == Order.NCHW;
      if (wd.length != rank) {
        throw shapeError(wName, "the filter '" + wName + "' must have the input's rank " + rank + " ("
            + (nchw ? "[Ci, Co / group, kernel...]" : "[Ci, kernel..., Co / group]") + "), got " + Shapes.format(wd));
      }
      long ci = xd[channelAxis(rank)];
      if (wd[0] != ci) {
        throw shapeError(wName, "the filter '" + wName + "' " + Shapes.format(wd) + " must have the input's " + ci
            + " channels as its first dim (the input '" + xName + "' is " + Shapes.format(xd) + ")");
      }
      if (ci % group != 0) {
        throw shapeError(xName, "the input '" + xName + "' has " + ci + " channels, which group " + group
            + " does not divide");
      }
      int n = rank - 2;
      int first = nchw ? 2 : 1;
      for (int i = 0; i < n; i++) {
        if (wd[first + i] != kernel[i]) {
          throw shapeError(wName, "the filter '" + wName + "' " + Shapes.format(wd) + " has kernel dims "
              + Shapes.format(Arrays.copyOfRange(wd, first, first + n)) + ", but the arguments give the kernel "
              + Arrays.toString(kernel));
        }
      }
      long co = wd[nchw ? 1 : rank - 1] * group;
      if (co > Integer.MAX_VALUE) {
        throw shapeError(wName, "the filter '" + wName + "' gives too many output channels: " + co);
      }
      return (int) co;
    }
  }

  private final TransposeArguments args;
  private final Window window = new Window();
  private final Convolution engine = new Convolution();
  private long[] xDims = new long[0];
  private long[] wDims = new long[0];
  private long[] yDims = new long[0];

  ConvTranspose(OperatorInit init) {
    super(init);
    args = new TransposeArguments(init.args());
  }

  @Override
  public void run() {
    Tensor x = input(0);
    Tensor w = input(1);
    String xName = inputBlob(0).name();
    DataType dtype = floating(type(), x, xName);
    Conv.sameType(w, inputBlob(1).name(), dtype, xName);
    long[] xd = xDims = ConvPoolArguments.dims(x, xDims);
    wDims = ConvPoolArguments.dims(w, wDims);
    args.window(xd, xName, window);
    int co = args.checkFilter(xd, xName, wDims, inputBlob(1).name());
    Tensor b = null;
    if (inputSize() == 3) {
      b = input(2);
      Conv.sameType(b, inputBlob(2).name(), dtype, xName);
      if (b.rank() != 1 || b.dim(0) != co) {
        Conv.checkBias(b.dims(), co, inputBlob(2).name());
      }
    }
    if (yDims.length != xd.length) {
      yDims = new long[xd.length];
    }
    args.outputDims(xd, window, co, yDims);
    Tensor y = output(0).resize(dtype, yDims);
    int n = (int) xd[0];
    int ci = (int) xd[args.channelAxis(xd.length)];
    engine.configure(args.order, args.group, co, ci, window);
    int imgStride = co * window.inSize();
    int colsStride = ci * window.outSize();
    if (dtype == DataType.FLOAT) {
      float[] xa = x.floats();
      float[] wa = w.floats();
      float[] ya = y.floats();
      engine.colsToImage(xa, wa, ya, n);
      if (b != null) {
        Convolution.addBias(ya, b.floats(), n, co, window.inSize(), args.order);
      }
    } else {
      double[] xa = x.doubles();
      double[] wa = w.doubles();
      double[] ya = y.doubles();
      for (int i = 0, per = engine.imagesPerCall(n); i < n; i += per) {
        engine.colsToImage(xa, i * colsStride, wa, ya, i * imgStride, Math.min(per, n - i));
      }
      if (b != null) {
        Convolution.addBias(ya, b.doubles(), n, co, window.inSize(), args.order);
      }
    }
  }

  static List<BlobType> infer(OperatorDef def, Arguments arguments, List<BlobType> in) {
    TransposeArguments a = new TransposeArguments(arguments);
    DataType dtype = ConvPoolArguments.inferFloating(def, in.get(0), 0);
    for (int i = 1; i < in.size() && dtype == null; i++) {
      dtype = ConvPoolArguments.inferFloating(def, in.get(i), i);
    }
    long[] xd = in.get(0).dims();
    long[] wd = in.get(1).dims();
    if (xd == null || wd == null) {
      return List.of(new BlobType(dtype, null));
    }
    Window win = new Window();
    a.window(xd, def.getInput(0), win);
    int co = a.checkFilter(xd, def.getInput(0), wd, def.getInput(1));
    if (in.size() == 3 && in.get(2).dims() != null) {
      Conv.checkBias(in.get(2).dims(), co, def.getInput(2));
    }
    return List.of(new BlobType(dtype, a.outputDims(xd, win, co, new long[xd.length])));
  }

  /**
   * {@code ConvTransposeGradient(X, W, dY) -> (dW, db, dX)}: the gradient of ConvTranspose. {@code no_bias: 1}
   * leaves db out; dX is written when there is an output for it.
   */
  static final class Gradient extends Operator {
    static final OperatorSchema SCHEMA = declare(OperatorSchema.builder("ConvTransposeGradient")
        .linearIn(2)
        .skippableOutputs(ConvCosts::skippable)
        .flops(ConvCosts::convTransposeGradient)
        .inputs(3)
        .outputs(Arity.range(1, 3))
        .doc("The gradient of ConvTranspose: dW[ci, co, k] = Σ_{n, o} X[n, ci, o] · dY[n, co, o · stride - pad_head "
            + "+ k], db[co] = Σ dY[n, co, ·], and dX = the convolution of dY with W (Conv's forward). The arguments "
            + "are the forward op's.\n\n"
            + "Outputs: (dW, db) or (dW, db, dX); with `no_bias: 1`, (dW) or (dW, dX). dW has W's shape, db [Co], "
            + "dX X's shape; all of X's type.")
        .input("X", "the forward op's input")
        .input("W", "the filter")
        .input("dY", "the gradient of Y")
        .output("dW", "the filter's gradient")
        .output("db", "the bias's gradient (absent with no_bias: 1)")
        .output("dX", "the input's gradient (optional)"))
        .arg("no_bias", ArgType.INT, "1: the forward op had no bias, so there is no db output")
        .arg("no_gradient_to_input", ArgType.INT, "accepted: the forward op's argument")
        .inference(Gradient::infer)
        .build();

    static final OperatorDefinition DEFINITION =
        OperatorDefinition.builder(SCHEMA).cpu(Gradient::new).noGradient().build();

    private final TransposeArguments args;
    private final boolean noBias;
    private final Window window = new Window();
    private final Convolution engine = new Convolution();
    private long[] xDims = new long[0];
    private long[] wDims = new long[0];
    private long[] yDims = new long[0];
    private final long[] coDims = new long[1];

    Gradient(OperatorInit init) {
      super(init);
      args = new TransposeArguments(init.args());
      noBias = init.args().getBool("no_bias", false);
      if (noBias && init.outputs().length > 2) {
        throw new SchemaException("with no_bias: 1, ConvTransposeGradient writes (dW) or (dW, dX), got "
            + init.outputs().length + " outputs");
      }
    }

    @Override
    public void run() {
      Tensor x = input(0);
      Tensor w = input(1);
      Tensor dy = input(2);
      String xName = inputBlob(0).name();
      DataType dtype = floating(type(), x, xName);
      Conv.sameType(w, inputBlob(1).name(), dtype, xName);
      Conv.sameType(dy, inputBlob(2).name(), dtype, xName);
      long[] xd = xDims = ConvPoolArguments.dims(x, xDims);
      wDims = ConvPoolArguments.dims(w, wDims);
      args.window(xd, xName, window);
      int co = args.checkFilter(xd, xName, wDims, inputBlob(1).name());
      if (yDims.length != xd.length) {
        yDims = new long[xd.length];
      }
      args.outputDims(xd, window, co, yDims);
      if (!dy.hasDims(yDims)) {
        throw shapeError(inputBlob(2).name(), "the output gradient '" + inputBlob(2).name() + "' has shape "
            + Shapes.format(dy.dims()) + " but the forward output has " + Shapes.format(yDims));
      }
      Tensor dw = output(0).resizeLike(dtype, w);
      Tensor db = null;
      if (!noBias) {
        coDims[0] = co;
        db = output(1).resize(dtype, coDims);
      }
      int dxIndex = noBias ? 1 : 2;
      Tensor dx = outputSize() > dxIndex ? output(dxIndex).resizeLike(dtype, x) : null;
      int n = (int) xd[0];
      int ci = (int) xd[args.channelAxis(xd.length)];
      engine.configure(args.order, args.group, co, ci, window);
      int imgStride = co * window.inSize();
      int colsStride = ci * window.outSize();
      if (dtype == DataType.FLOAT) {
        float[] xa = x.floats();
        float[] wa = w.floats();
        float[] dya = dy.floats();
        float[] dwa = dw.floats();
        float[] dxa = dx == null ? null : dx.floats();
        engine.transposeGradient(dya, xa, wa, dwa, dxa, n);
        if (db != null) {
          engine.biasGradient(dya, db.floats(), n, co, window.inSize(), args.order);
        }
      } else {
        double[] xa = x.doubles();
        double[] wa = w.doubles();
        double[] dya = dy.doubles();
        double[] dwa = dw.doubles();
        Arrays.fill(dwa, 0d);
        double[] dxa = dx == null ? null : dx.doubles();
        for (int i = 0, per = engine.imagesPerCall(n); i < n; i += per) {
          int count = Math.min(per, n - i);
          engine.filterGradient(dya, i * imgStride, xa, i * colsStride, dwa, count);
          if (dxa != null) {
            engine.imageToCols(dya, i * imgStride, wa, dxa, i * colsStride, count);
          }
        }
        if (db != null) {
          engine.biasGradient(dya, db.doubles(), n, co, window.inSize(), args.order);
        }
      }
    }

    static List<BlobType> infer(OperatorDef def, Arguments arguments, List<BlobType> in) {
      TransposeArguments a = new TransposeArguments(arguments);
      boolean noBias = arguments.getBool("no_bias", false);
      DataType dtype = ConvPoolArguments.inferFloating(def, in.get(0), 0);
      if (dtype == null) {
        dtype = ConvPoolArguments.inferFloating(def, in.get(1), 1);
      }
      long[] wd = in.get(1).dims();
      List<BlobType> out = new ArrayList<>();
      out.add(new BlobType(dtype, wd));
      if (!noBias && def.getOutputCount() > 1) {
        long[] co = wd == null || wd.length < 2 ? null
            : new long[] {wd[a.order == Order.NCHW ? 1 : wd.length - 1] * a.group};
        out.add(new BlobType(dtype, co));
      }
      if (def.getOutputCount() > out.size()) {
        out.add(new BlobType(dtype, in.get(0).dims()));
      }
      return out;
    }
  }
}
