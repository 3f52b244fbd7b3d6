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
 * Conv: N-D convolution (1 to 3 spatial axes) with groups, strides, dilations and asymmetric padding, NCHW or NHWC,
 * with or without bias; and its gradient op ConvGradient. Caffe2 also registers the same kernel as Conv1D, Conv2D
 * and Conv3D (with gradients Conv1DGradient, ...); so does zerog.
 *
 * <p>Computed per image as one GEMM per group over an im2col buffer ({@link Convolution}); a 1×1 window with stride 1
 * and no padding multiplies the image directly.
 *
 * <p>Gradient (Caffe2's GetConvGradient): {@code <type>Gradient(X, W, dY) -> (dW, db, dX)}; without a bias the op
 * gets {@code no_bias: 1} and writes (dW, dX); with {@code no_gradient_to_input: 1} on the forward op, dX is left
 * out.
 */
final class Conv extends Operator {
  static final String SHAPES = "Shapes (NCHW): X [N, C, D1, ..., Dk], W [M, C / group, K1, ..., Kk], b [M], "
      + "Y [N, M, O1, ..., Ok], for k = 1 to 3 spatial axes (the number of kernel sizes; `kernel` gives 2). NHWC: "
      + "X [N, D1, ..., Dk, C], W [M, K1, ..., Kk, C / group], Y [N, O1, ..., Ok, M]. Along each spatial axis, "
      + "O = floor((D + pad_head + pad_tail - (dilation (K - 1) + 1)) / stride) + 1.";

  static OperatorSchema schema(String type) {
    OperatorSchema.Builder b = OperatorSchema.builder(type)
        .linearity(ConvCosts::linearities)
        .flops(ConvCosts::conv)
        .inputs(Arity.range(2, 3))
        .outputs(1)
        .doc((type.equals("Conv") ? "" : "Conv under another name, as Caffe2 registers it.\n\n")
            + "Convolution: Y[n, m, o] = b[m] + Σ_{c in m's group} Σ_k W[m, c, k] · X[n, c, o · stride - pad_head + "
            + "k · dilation], positions outside X reading 0 (the padding). The C input channels and the M output "
            + "channels are split into `group` equal groups; output channel m reads only the input channels of "
            + "its group.\n\n"
            + SHAPES + " FLOAT or DOUBLE; X, W and b of one type, which Y takes.\n\n"
            + "Computed as one GEMM per image and group over an im2col buffer, which the op keeps between runs; "
            + "a 1×1 window with stride 1 and no padding needs no buffer.\n\n"
            + "Gradient: " + type + "Gradient(X, W, dY) -> (dW, db, dX); without b, (dW, dX) and `no_bias: 1`; "
            + "with `no_gradient_to_input: 1`, no dX.")
        .input("X", "the input images")
        .input("W", "the filter")
        .input("b", "optional: the bias, [M]")
        .output("Y", "the output images, X's type");
    ConvPoolArguments.declare(b);
    ConvPoolArguments.declareDilation(b);
    return b.arg("group", ArgType.INT, "the number of channel groups (default 1); C and M must be multiples")
        .arg("no_gradient_to_input", ArgType.INT, "1: the gradient op computes no dX (default 0)")
        .inference(Conv::infer)
        .build();
  }

  /** Caffe2's GetConvGradient. */
  static final GradientMaker GRADIENT = (GradientContext g) -> {
    boolean computeDx = !Arguments.of(g.def().getArgList()).getBool("no_gradient_to_input", false);
    String type = g.def().getType() + "Gradient";
    List<String> in = List.of(g.I(0), g.I(1), g.GO(0));
    if (g.inputCount() == 3) {
      List<String> out = new ArrayList<>(List.of(g.GI(1), g.GI(2)));
      if (computeDx) {
        out.add(g.GI(0));
      }
      return GradientContext.single(type, in, out);
    }
    List<String> out = new ArrayList<>(List.of(g.GI(1)));
    if (computeDx) {
      out.add(g.GI(0));
    }
    return GradientContext.single(type, in, out, Argument.newBuilder().setName("no_bias").setI(1).build());
  };

  static OperatorDefinition definition(String type) {
    return OperatorDefinition.builder(schema(type)).cpu(Conv::new).gradient(GRADIENT).build();
  }

  static final OperatorDefinition DEFINITION = definition("Conv");
  static final OperatorDefinition DEFINITION_1D = definition("Conv1D");
  static final OperatorDefinition DEFINITION_2D = definition("Conv2D");
  static final OperatorDefinition DEFINITION_3D = definition("Conv3D");

  private final ConvPoolArguments args;
  private final Window window = new Window();
  private final Convolution engine = new Convolution();
  private long[] xDims = new long[0];
  private long[] wDims = new long[0];
  private long[] yDims = new long[0];

  Conv(OperatorInit init) {
    super(init);
    args = ConvPoolArguments.forConv(init.args());
  }

  @Override
  public void run() {
    Tensor x = input(0);
    Tensor w = input(1);
    String xName = inputBlob(0).name();
    DataType dtype = floating(type(), x, xName);
    sameType(w, inputBlob(1).name(), dtype, xName);
    long[] xd = xDims = ConvPoolArguments.dims(x, xDims);
    args.window(xd, xName, window);
    wDims = ConvPoolArguments.dims(w, wDims);
    int m = checkFilter(args, window, xd, xName, wDims, inputBlob(1).name());
    Tensor b = null;
    if (inputSize() == 3) {
      b = input(2);
      sameType(b, inputBlob(2).name(), dtype, xName);
      if (b.rank() != 1 || b.dim(0) != m) {
        checkBias(b.dims(), m, inputBlob(2).name());
      }
    }
    if (yDims.length != xd.length) {
      yDims = new long[xd.length];
    }
    args.outputDims(xd, window, m, yDims);
    Tensor y = output(0).resize(dtype, yDims);
    int n = (int) xd[0];
    int c = (int) xd[args.channelAxis(xd.length)];
    engine.configure(args.order, args.group, c, m, window);
    int imgStride = c * window.inSize();
    int colsStride = m * window.outSize();
    if (dtype == DataType.FLOAT) {
      float[] xa = x.floats();
      float[] wa = w.floats();
      float[] ya = y.floats();
      engine.imageToCols(xa, wa, ya, n);
      if (b != null) {
        Convolution.addBias(ya, b.floats(), n, m, window.outSize(), args.order);
      }
    } else {
      double[] xa = x.doubles();
      double[] wa = w.doubles();
      double[] ya = y.doubles();
      for (int i = 0, per = engine.imagesPerCall(n); i < n; i += per) {
        engine.imageToCols(xa, i * imgStride, wa, ya, i * colsStride, Math.min(per, n - i));
      }
      if (b != null) {
        Convolution.addBias(ya, b.doubles(), n, m, window.outSize(), args.order);
      }
    }
  }

  static void sameType(Tensor t, String blob, DataType expected, String expectedBlob) {
    if (t.dtype() != expected) {
      throw shapeError(blob, "'" + blob + "' is " + t.dtype() + " " + Shapes.format(t.dims()) + " but '"
          + expectedBlob + "' is " + expected + "; they must have the same type");
    }
  }

  /**
   * Checks a Conv filter's dims against the input's and the window's, and returns M, its number of output
   * channels.
   */
  static int checkFilter(ConvPoolArguments a, Window win, long[] xd, String xName, long[] wd, String wName) {
    int rank = xd.length;
    boolean nchw = a.order == Order.NCHW;
    if (wd.length != rank) {
      throw shapeError(wName, "the filter '" + wName + "' must have the input's rank " + rank + " ("
          + (nchw ? "[M, C / group, kernel...]" : "[M, kernel..., C / group]") + "), got " + Shapes.format(wd));
    }
    long c = xd[a.channelAxis(rank)];
    long m = wd[0];
    long perGroup = wd[nchw ? 1 : rank - 1];
    if (c != perGroup * a.group) {
      throw shapeError(wName, "the input '" + xName + "' " + Shapes.format(xd) + " has " + c + " channels, but the "
          + "filter '" + wName + "' " + Shapes.format(wd) + " takes " + perGroup + " per group × group " + a.group
          + " = " + perGroup * a.group);
    }
    if (m % a.group != 0) {
      throw shapeError(wName, "the filter '" + wName + "' has " + m + " output channels, which group " + a.group
          + " does not divide");
    }
    if (m > Integer.MAX_VALUE) {
      throw shapeError(wName, "the filter '" + wName + "' has too many output channels: " + m);
    }
    int n = rank - 2;
    int first = nchw ? 2 : 1;
    for (int i = 0; i < n; i++) {
      if (wd[first + i] != win.kernel[3 - n + i]) {
        long[] k = Arrays.copyOfRange(wd, first, first + n);
        throw shapeError(wName, "the filter '" + wName + "' " + Shapes.format(wd) + " has kernel dims "
            + Shapes.format(k) + ", but the arguments give the kernel " + Arrays.toString(a.kernel));
      }
    }
    return (int) m;
  }

  static void checkBias(long[] bd, long m, String bName) {
    if (bd.length != 1 || bd[0] != m) {
      throw shapeError(bName, "the bias '" + bName + "' must have shape [" + m + "] (one per output channel), got "
          + Shapes.format(bd));
    }
  }

  static List<BlobType> infer(OperatorDef def, Arguments arguments, List<BlobType> in) {
    ConvPoolArguments a = ConvPoolArguments.forConv(arguments);
    DataType dtype = ConvPoolArguments.inferFloating(def, in.get(0), 0);
    for (int i = 1; i < in.size(); i++) {
      DataType t = ConvPoolArguments.inferFloating(def, in.get(i), i);
      if (dtype == null) {
        dtype = t;
      } else if (t != null && t != dtype) {
        throw shapeError(def.getInput(i), "'" + def.getInput(i) + "' is " + t + " but '" + def.getInput(0) + "' is "
            + dtype + "; they must have the same type");
      }
    }
    long[] xd = in.get(0).dims();
    long[] wd = in.get(1).dims();
    if (xd == null || wd == null) {
      return List.of(new BlobType(dtype, null));
    }
    Window win = new Window();
    a.window(xd, def.getInput(0), win);
    int m = checkFilter(a, win, xd, def.getInput(0), wd, def.getInput(1));
    if (in.size() == 3 && in.get(2).dims() != null) {
      checkBias(in.get(2).dims(), m, def.getInput(2));
    }
    return List.of(new BlobType(dtype, a.outputDims(xd, win, m)));
  }

  /**
   * {@code <type>Gradient(X, W, dY) -> (dW, db, dX)}: the gradient of Conv. {@code no_bias: 1} leaves db out; dX
   * is written when there is an output for it.
   */
  static final class Gradient extends Operator {
    static final OperatorDefinition DEFINITION = definition("ConvGradient", "Conv");
    static final OperatorDefinition DEFINITION_1D = definition("Conv1DGradient", "Conv1D");
    static final OperatorDefinition DEFINITION_2D = definition("Conv2DGradient", "Conv2D");
    static final OperatorDefinition DEFINITION_3D = definition("Conv3DGradient", "Conv3D");

    static OperatorSchema schema(String type, String forward) {
      OperatorSchema.Builder b = OperatorSchema.builder(type)
          .linearIn(2)
          .skippableOutputs(ConvCosts::skippable)
          .flops(ConvCosts::convGradient)
          .inputs(3)
          .outputs(Arity.range(1, 3))
          .doc("The gradient of " + forward + " (Y = W ⊛ X + b): dW[m, c, k] = Σ_{n, o} dY[n, m, o] · X[n, c, "
              + "o · stride - pad_head + k · dilation], db[m] = Σ_{n, o} dY[n, m, o], and dX = the transposed "
              + "convolution of dY with W (each dY entry added back into the input positions it read). The "
              + "arguments are the forward op's.\n\n"
              + "Outputs: (dW, db) or (dW, db, dX); with `no_bias: 1`, (dW) or (dW, dX). dW has W's shape, db [M], "
              + "dX X's shape; all of X's type.")
          .input("X", "the forward op's input")
          .input("W", "the filter")
          .input("dY", "the gradient of Y")
          .output("dW", "the filter's gradient")
          .output("db", "the bias's gradient (absent with no_bias: 1)")
          .output("dX", "the input's gradient (optional)");
      ConvPoolArguments.declare(b);
      ConvPoolArguments.declareDilation(b);
      return b.arg("group", ArgType.INT, "as in " + forward)
          .arg("no_bias", ArgType.INT, "1: the forward op had no bias, so there is no db output")
          .arg("no_gradient_to_input", ArgType.INT, "accepted: the forward op's argument")
          .inference(Gradient::infer)
          .build();
    }

    static OperatorDefinition definition(String type, String forward) {
      return OperatorDefinition.builder(schema(type, forward)).cpu(Gradient::new).noGradient().build();
    }

    private final ConvPoolArguments args;
    private final boolean noBias;
    private final Window window = new Window();
    private final Convolution engine = new Convolution();
    private long[] xDims = new long[0];
    private long[] wDims = new long[0];
    private long[] yDims = new long[0];
    private final long[] mDims = new long[1];

    Gradient(OperatorInit init) {
      super(init);
      args = ConvPoolArguments.forConv(init.args());
      noBias = init.args().getBool("no_bias", false);
      if (noBias && init.outputs().length > 2) {
        throw new SchemaException("with no_bias: 1, " + init.def().getType() + " writes (dW) or (dW, dX), got "
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
      sameType(w, inputBlob(1).name(), dtype, xName);
      sameType(dy, inputBlob(2).name(), dtype, xName);
      long[] xd = xDims = ConvPoolArguments.dims(x, xDims);
      args.window(xd, xName, window);
      wDims = ConvPoolArguments.dims(w, wDims);
      int m = checkFilter(args, window, xd, xName, wDims, inputBlob(1).name());
      if (yDims.length != xd.length) {
        yDims = new long[xd.length];
      }
      args.outputDims(xd, window, m, yDims);
      if (!dy.hasDims(yDims)) {
        throw shapeError(inputBlob(2).name(), "the output gradient '" + inputBlob(2).name() + "' has shape "
            + Shapes.format(dy.dims()) + " but the forward output has " + Shapes.format(yDims));
      }
      Tensor dw = output(0).resizeLike(dtype, w);
      Tensor db = null;
      if (!noBias) {
        mDims[0] = m;
        db = output(1).resize(dtype, mDims);
      }
      int dxIndex = noBias ? 1 : 2;
      Tensor dx = outputSize() > dxIndex ? output(dxIndex).resizeLike(dtype, x) : null;
      int n = (int) xd[0];
      int c = (int) xd[args.channelAxis(xd.length)];
      engine.configure(args.order, args.group, c, m, window);
      int imgStride = c * window.inSize();
      int colsStride = m * window.outSize();
      if (dtype == DataType.FLOAT) {
        float[] xa = x.floats();
        float[] wa = w.floats();
        float[] dya = dy.floats();
        float[] dwa = dw.floats();
        float[] dxa = dx == null ? null : dx.floats();
        engine.convGradient(xa, dya, wa, dwa, dxa, n);
        if (db != null) {
          engine.biasGradient(dya, db.floats(), n, m, window.outSize(), args.order);
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
          engine.filterGradient(xa, i * imgStride, dya, i * colsStride, dwa, count);
          if (dxa != null) {
            engine.colsToImage(dya, i * colsStride, wa, dxa, i * imgStride, count);
          }
        }
        if (db != null) {
          engine.biasGradient(dya, db.doubles(), n, m, window.outSize(), args.order);
        }
      }
    }

    static List<BlobType> infer(OperatorDef def, Arguments arguments, List<BlobType> in) {
      boolean noBias = arguments.getBool("no_bias", false);
      DataType dtype = ConvPoolArguments.inferFloating(def, in.get(0), 0);
      if (dtype == null) {
        dtype = ConvPoolArguments.inferFloating(def, in.get(1), 1);
      }
      long[] wd = in.get(1).dims();
      List<BlobType> out = new ArrayList<>();
      out.add(new BlobType(dtype, wd));
      if (!noBias && def.getOutputCount() > 1) {
        out.add(new BlobType(dtype, wd == null ? null : new long[] {wd[0]}));
      }
      if (def.getOutputCount() > out.size()) {
        out.add(new BlobType(dtype, in.get(0).dims()));
      }
      return out;
    }
  }
}
