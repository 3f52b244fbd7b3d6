package dev.zerog.ops.conv;

import static dev.zerog.ops.conv.ConvPoolArguments.floating;
import static dev.zerog.ops.conv.ConvPoolArguments.shapeError;

import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.BlobType;
import dev.zerog.op.FlopEstimate;
import dev.zerog.op.KernelThreads;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.ops.conv.ConvPoolArguments.Order;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.util.List;

/**
 * MaxPool and AveragePool over 1 to 3 spatial axes, NCHW or NHWC, with {@code global_pooling},
 * {@code count_include_pad} (AveragePool) and Caffe2's {@code legacy_pad}; and their gradient ops MaxPoolGradient
 * and AveragePoolGradient. Caffe2 also registers them as MaxPool1D/2D/3D and AveragePool1D/2D/3D (with gradients
 * MaxPool1DGradient, ...); so does zerog.
 *
 * <p>Gradient (Caffe2's GetPoolGradient): {@code <type>Gradient(X, Y, dY) -> dX}.
 */
final class Pool extends Operator {
  static final String SHAPES = "Shapes (NCHW): X [N, C, D1, ..., Dk], Y [N, C, O1, ..., Ok] for k = 1 to 3 "
      + "spatial axes (the number of kernel sizes; `kernel` gives 2); NHWC: X [N, D..., C], Y [N, O..., C]. Along "
      + "each axis O = floor((D + pad_head + pad_tail - K) / stride) + 1 (see legacy_pad); with `global_pooling: 1` "
      + "the window is the whole image and O = 1.";

  static OperatorSchema schema(String type) {
    boolean max = type.startsWith("Max");
    String base = max ? "MaxPool" : "AveragePool";
    OperatorSchema.Builder b = OperatorSchema.builder(type)
        .flops(FlopEstimate.perInputElement(0, 1))
        .inputs(1)
        .outputs(1)
        .doc((type.equals(base) ? "" : base + " under another name, as Caffe2 registers it.\n\n")
            + (max
                ? "Max pooling: Y[n, c, o] = the maximum of X[n, c, ·] over the window of the kernel's size at "
                    + "o · stride - pad_head, clipped to the image (the padding never wins)."
                : "Average pooling: Y[n, c, o] = the mean of X[n, c, ·] over the window of the kernel's size at "
                    + "o · stride - pad_head, clipped to the image; the sum is divided by the number of image "
                    + "positions in the window, or with `count_include_pad: 1` by the kernel's full size.")
            + "\n\n" + SHAPES + " The padding must be smaller than the kernel; dilation is not supported. FLOAT or "
            + "DOUBLE; Y has X's type.\n\n"
            + "Gradient: " + type + "Gradient(X, Y, dY) -> dX"
            + (max ? ": each window's gradient goes to every input equal to its maximum (to all of them on a tie, as "
                + "in Caffe2)." : ": each window's gradient is shared out as the forward op divided its sum."))
        .input("X", "the input images")
        .output("Y", "the pooled images, X's type");
    ConvPoolArguments.declare(b);
    b.arg("global_pooling", ArgType.INT, "1: pool over the whole image (kernel = its size; pads and strides must "
        + "be left unset)");
    if (!max) {
      b.arg("count_include_pad", ArgType.INT, "1: divide by the full kernel size, padding included (default 0)");
    }
    if (!max) {
      b.linearIn(0);
    }
    return b.inference(Pool::infer).build();
  }

  /** Caffe2's GetPoolGradient: {@code <type>Gradient(X, Y, dY) -> dX}. */
  static final GradientMaker GRADIENT = (GradientContext g) -> GradientContext.single(
      g.def().getType() + "Gradient", List.of(g.I(0), g.O(0), g.GO(0)), List.of(g.GI(0)));

  static OperatorDefinition definition(String type) {
    return OperatorDefinition.builder(schema(type)).cpu(Pool::new).gradient(GRADIENT).build();
  }

  static final List<OperatorDefinition> DEFINITIONS = List.of(
      definition("MaxPool"), definition("MaxPool1D"), definition("MaxPool2D"), definition("MaxPool3D"),
      definition("AveragePool"), definition("AveragePool1D"), definition("AveragePool2D"),
      definition("AveragePool3D"),
      Gradient.definition("MaxPoolGradient"), Gradient.definition("MaxPool1DGradient"),
      Gradient.definition("MaxPool2DGradient"), Gradient.definition("MaxPool3DGradient"),
      Gradient.definition("AveragePoolGradient"), Gradient.definition("AveragePool1DGradient"),
      Gradient.definition("AveragePool2DGradient"), Gradient.definition("AveragePool3DGradient"));

  /** NCHW planes are split across the kernel threads in pieces of at least this many input elements. */
  static final int PLANE_PIECE = 1 << 15;

  private final ConvPoolArguments args;
  private final boolean max;
  private final boolean countPad;
  private final Window window = new Window();
  private float[] fx;
  private float[] fy;
  private final KernelThreads.Body forwardLoop = this::forwardPlanes;
  private long[] xDims = new long[0];
  private long[] yDims = new long[0];

  Pool(OperatorInit init) {
    super(init);
    args = ConvPoolArguments.forPool(init.args());
    max = init.def().getType().startsWith("Max");
    countPad = !max && init.args().getBool("count_include_pad", false);
  }

  @Override
  public void run() {
    Tensor x = input(0);
    String xName = inputBlob(0).name();
    DataType dtype = floating(type(), x, xName);
    long[] xd = xDims = ConvPoolArguments.dims(x, xDims);
    args.window(xd, xName, window);
    if (yDims.length != xd.length) {
      yDims = new long[xd.length];
    }
    int c = (int) xd[args.channelAxis(xd.length)];
    args.outputDims(xd, window, c, yDims);
    Tensor y = output(0).resize(dtype, yDims);
    int n = (int) xd[0];
    if (dtype == DataType.FLOAT) {
      if (args.order == Order.NCHW) {
        fx = x.floats();
        fy = y.floats();
        try {
          KernelThreads.forRange(n * c, Math.max(1, PLANE_PIECE / Math.max(1, window.inSize())), forwardLoop);
        } finally {
          fx = null;
          fy = null;
        }
      } else {
        PoolKernels.forwardNhwc(x.floats(), y.floats(), n, c, window, max, countPad);
      }
    } else {
      if (args.order == Order.NCHW) {
        PoolKernels.forwardNchw(x.doubles(), y.doubles(), n * c, window, max, countPad);
      } else {
        PoolKernels.forwardNhwc(x.doubles(), y.doubles(), n, c, window, max, countPad);
      }
    }
  }

  private void forwardPlanes(int p0, int p1) {
    PoolKernels.forwardNchw(fx, fy, p0, p1, window, max, countPad);
  }

  static List<BlobType> infer(OperatorDef def, Arguments arguments, List<BlobType> in) {
    ConvPoolArguments a = ConvPoolArguments.forPool(arguments);
    DataType dtype = ConvPoolArguments.inferFloating(def, in.get(0), 0);
    long[] xd = in.get(0).dims();
    if (xd == null) {
      return List.of(new BlobType(dtype, null));
    }
    Window w = new Window();
    a.window(xd, def.getInput(0), w);
    return List.of(new BlobType(dtype, a.outputDims(xd, w, xd[a.channelAxis(xd.length)])));
  }

  /** {@code <type>Gradient(X, Y, dY) -> dX}: the gradient of a pooling op, with the forward op's arguments. */
  static final class Gradient extends Operator {
    static OperatorDefinition definition(String type) {
      String forward = type.substring(0, type.length() - "Gradient".length());
      boolean max = type.startsWith("Max");
      OperatorSchema.Builder b = OperatorSchema.builder(type)
          .linearIn(2)
          .flops(FlopEstimate.perInputElement(0, 1))
          .inputs(3)
          .outputs(1)
          .doc("The gradient of " + forward + ": dX, X's shape, is zero except "
              + (max ? "at each window's maximum: every input of a window equal to Y there receives that window's "
                  + "dY (on a tie, every one of them, as in Caffe2)."
                  : "that each window's dY, divided as the forward op divided its sum, is added to every input of "
                  + "the window.")
              + " The arguments are the forward op's; Y and dY must have the shape the forward op gives X.")
          .input("X", "the forward op's input")
          .input("Y", "the forward op's output")
          .input("dY", "the gradient of Y")
          .output("dX", "the gradient of X, X's shape and type");
      ConvPoolArguments.declare(b);
      b.arg("global_pooling", ArgType.INT, "as in " + forward);
      if (!max) {
        b.arg("count_include_pad", ArgType.INT, "as in " + forward);
      }
      OperatorSchema schema = b.inference((def, args, in) -> List.of(in.get(0))).build();
      return OperatorDefinition.builder(schema).cpu(Gradient::new).noGradient().build();
    }

    private final ConvPoolArguments args;
    private final boolean max;
    private final boolean countPad;
    private final Window window = new Window();
    private float[] fx;
    private float[] fy;
    private float[] fdy;
    private float[] fdx;
    private final KernelThreads.Body backwardLoop = this::backwardPlanes;
    private long[] xDims = new long[0];
    private long[] yDims = new long[0];

    Gradient(OperatorInit init) {
      super(init);
      args = ConvPoolArguments.forPool(init.args());
      max = init.def().getType().startsWith("Max");
      countPad = !max && init.args().getBool("count_include_pad", false);
    }

    @Override
    public void run() {
      Tensor x = input(0);
      Tensor y = input(1);
      Tensor dy = input(2);
      String xName = inputBlob(0).name();
      DataType dtype = floating(type(), x, xName);
      Conv.sameType(y, inputBlob(1).name(), dtype, xName);
      Conv.sameType(dy, inputBlob(2).name(), dtype, xName);
      long[] xd = xDims = ConvPoolArguments.dims(x, xDims);
      args.window(xd, xName, window);
      if (yDims.length != xd.length) {
        yDims = new long[xd.length];
      }
      int c = (int) xd[args.channelAxis(xd.length)];
      args.outputDims(xd, window, c, yDims);
      for (int i = 1; i < 3; i++) {
        Tensor t = i == 1 ? y : dy;
        if (!t.hasDims(yDims)) {
          throw shapeError(inputBlob(i).name(), "'" + inputBlob(i).name() + "' has shape " + Shapes.format(t.dims())
              + " but pooling '" + xName + "' " + Shapes.format(xd) + " gives " + Shapes.format(yDims));
        }
      }
      Tensor dx = output(0).resizeLike(dtype, x);
      int n = (int) xd[0];
      if (dtype == DataType.FLOAT) {
        if (args.order == Order.NCHW) {
          fx = x.floats();
          fy = y.floats();
          fdy = dy.floats();
          fdx = dx.floats();
          try {
            KernelThreads.forRange(n * c, Math.max(1, PLANE_PIECE / Math.max(1, window.inSize())), backwardLoop);
          } finally {
            fx = null;
            fy = null;
            fdy = null;
            fdx = null;
          }
        } else {
          PoolKernels.backwardNhwc(x.floats(), y.floats(), dy.floats(), dx.floats(), n, c, window, max, countPad);
        }
      } else {
        if (args.order == Order.NCHW) {
          PoolKernels.backwardNchw(x.doubles(), y.doubles(), dy.doubles(), dx.doubles(), n * c, window, max,
              countPad);
        } else {
          PoolKernels.backwardNhwc(x.doubles(), y.doubles(), dy.doubles(), dx.doubles(), n, c, window, max,
              countPad);
        }
      }
    }

    private void backwardPlanes(int p0, int p1) {
      PoolKernels.backwardNchw(fx, fy, fdy, fdx, p0, p1, window, max, countPad);
    }
  }
}
