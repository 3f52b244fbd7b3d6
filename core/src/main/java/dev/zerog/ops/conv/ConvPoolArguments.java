package dev.zerog.ops.conv;

import dev.zerog.SchemaException;
import dev.zerog.ShapeException;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.BlobType;
import dev.zerog.op.OperatorSchema;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.util.Arrays;
import java.util.Locale;

/**
 * The window arguments that Conv and the pooling operators share, read as Caffe2's ConvPoolOpBase reads them, and
 * the output size they give an input.
 *
 * <p>Each of kernel, stride, dilation and padding has a list form ({@code kernels}, {@code strides},
 * {@code dilations}, {@code pads}) and a 2-D form: one value for both spatial axes ({@code kernel},
 * {@code stride}, {@code dilation}, {@code pad}) or one per axis ({@code kernel_h}/{@code kernel_w}, ...,
 * {@code pad_t}/{@code pad_l}/{@code pad_b}/{@code pad_r}). The number of kernel sizes is the number of spatial
 * axes (1 to 3); strides and dilations default to 1 and pads to 0 for each. {@code pads} lists the head pads of
 * every axis, then the tail pads (2-D: top, left, bottom, right).
 *
 * <p>Output size along an axis of input size {@code in}, with the dilated kernel {@code dk = d (k - 1) + 1}:
 * {@code floor((in + pad_head + pad_tail - dk) / stride) + 1}. {@code legacy_pad} replaces the pads: 1 (VALID)
 * pads nothing; 2 (SAME) pads so that the output size is {@code ceil(in / stride)}, the extra pad at the tail; 3
 * (CAFFE_LEGACY_POOLING) rounds the output size up as Caffe's pooling did, padding the tail as needed.
 *
 * <p>Where Caffe2 silently ignores an inconsistent combination (both {@code kernel} and {@code kernels}, or only
 * some of {@code pad_t}/{@code pad_l}/{@code pad_b}/{@code pad_r}), zerog refuses it with an error that names the
 * arguments.
 */
final class ConvPoolArguments {
  /** The storage order of an image tensor. */
  enum Order {
    /** Channels before the spatial axes: [N, C, D, H, W]. */
    NCHW,
    /** Channels last: [N, D, H, W, C]. */
    NHWC
  }

  static final int NOTSET = 0;
  static final int VALID = 1;
  static final int SAME = 2;
  static final int CAFFE_LEGACY_POOLING = 3;

  final int[] kernel;
  final int[] stride;
  final int[] dilation;
  /** Head pads of every axis, then tail pads. */
  final int[] pads;
  final int legacyPad;
  final boolean globalPooling;
  final int group;
  final Order order;

  private ConvPoolArguments(int[] kernel, int[] stride, int[] dilation, int[] pads, int legacyPad,
      boolean globalPooling, int group, Order order) {
    this.kernel = kernel;
    this.stride = stride;
    this.dilation = dilation;
    this.pads = pads;
    this.legacyPad = legacyPad;
    this.globalPooling = globalPooling;
    this.group = group;
    this.order = order;
  }

  /** The number of spatial axes the arguments describe. */
  int spatialRank() {
    return kernel.length;
  }

  /** Declares the window arguments in a schema (the operator adds its own). */
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
        .arg("pad", ArgType.INT, "the padding at both ends of both spatial axes (default 0)")
        .arg("pad_t", ArgType.INT, "the padding at the top (with pad_l, pad_b and pad_r)")
        .arg("pad_l", ArgType.INT, "the padding at the left")
        .arg("pad_b", ArgType.INT, "the padding at the bottom")
        .arg("pad_r", ArgType.INT, "the padding at the right")
        .arg("pads", ArgType.INTS, "the head padding of each spatial axis, then the tail padding of each")
        .arg("legacy_pad", ArgType.INT, "0 NOTSET (use the pads, the default), 1 VALID (no padding), 2 SAME "
            + "(output size ceil(in / stride)), 3 CAFFE_LEGACY_POOLING (Caffe's rounded-up pooling size)")
        .arg("order", ArgType.STRING, "\"NCHW\" (the default) or \"NHWC\"")
        .arg("shared_buffer", ArgType.INT, "accepted for compatibility; zerog keeps a buffer per operator");
  }

  /** Declares the dilation arguments. */
  static OperatorSchema.Builder declareDilation(OperatorSchema.Builder b) {
    return b
        .arg("dilation", ArgType.INT, "the kernel dilation along both spatial axes (default 1)")
        .arg("dilation_h", ArgType.INT, "the vertical dilation (with dilation_w)")
        .arg("dilation_w", ArgType.INT, "the horizontal dilation (with dilation_h)")
        .arg("dilations", ArgType.INTS, "the kernel dilation along each spatial axis");
  }

  /** Reads the arguments of a convolution (group and dilation allowed, the kernel required). */
  static ConvPoolArguments forConv(Arguments args) {
    ConvPoolArguments a = parse(args, false);
    a.requireKernel();
    return a;
  }

  /** Reads the arguments of a pooling operator (no dilation; the kernel required unless global pooling). */
  static ConvPoolArguments forPool(Arguments args) {
    ConvPoolArguments a = parse(args, true);
    for (int d : a.dilation) {
      if (d != 1) {
        throw new SchemaException("pooling does not support dilation; got dilation " + d);
      }
    }
    if (!a.globalPooling) {
      a.requireKernel();
      int n = a.kernel.length;
      if (a.legacyPad != VALID && a.legacyPad != SAME) {
        for (int i = 0; i < n; i++) {
          if (a.pads[i] >= a.kernel[i] || a.pads[i + n] >= a.kernel[i]) {
            throw new SchemaException("the padding must be smaller than the kernel: pads "
                + Arrays.toString(a.pads) + ", kernel " + Arrays.toString(a.kernel));
          }
        }
      }
    }
    return a;
  }

  private void requireKernel() {
    if (globalPooling) {
      return;
    }
    for (int k : kernel) {
      if (k <= 0) {
        throw new SchemaException("the kernel size must be set and positive (`kernel`, `kernel_h` and `kernel_w`, "
            + "or `kernels`), got " + Arrays.toString(kernel));
      }
    }
  }

  private static ConvPoolArguments parse(Arguments args, boolean pooling) {
    int legacyPad = args.getInt("legacy_pad", NOTSET);
    if (legacyPad < NOTSET || legacyPad > CAFFE_LEGACY_POOLING) {
      throw new SchemaException("legacy_pad must be 0 (NOTSET), 1 (VALID), 2 (SAME) or 3 (CAFFE_LEGACY_POOLING), got "
          + legacyPad);
    }
    boolean global = pooling && args.getBool("global_pooling", false);
    int[] kernel = pair(args, "kernel", "kernels", "kernel_h", "kernel_w");
    if (kernel == null) {
      kernel = new int[] {0, 0};
    }
    int n = kernel.length;
    if (n < 1 || n > 3) {
      throw new SchemaException("zerog supports 1 to 3 spatial axes; the kernel has " + n + ": "
          + Arrays.toString(kernel));
    }
    int[] stride = pair(args, "stride", "strides", "stride_h", "stride_w");
    if (stride == null) {
      stride = filled(n, 1);
    }
    int[] dilation = pair(args, "dilation", "dilations", "dilation_h", "dilation_w");
    if (dilation == null) {
      dilation = filled(n, 1);
    }
    boolean explicitPads = args.has("pad") || args.has("pads") || args.has("pad_t") || args.has("pad_l")
        || args.has("pad_b") || args.has("pad_r");
    if ((legacyPad == VALID || legacyPad == SAME) && explicitPads) {
      throw new SchemaException("If you use legacy padding VALID or SAME, you should not specify any specific "
          + "padding values.");
    }
    int[] pads = pads(args);
    if (pads == null) {
      pads = new int[2 * n];
    }
    if (stride.length != n) {
      throw new SchemaException("there are " + stride.length + " strides for " + n + " kernel sizes: strides "
          + Arrays.toString(stride) + ", kernel " + Arrays.toString(kernel));
    }
    if (dilation.length != n) {
      throw new SchemaException("there are " + dilation.length + " dilations for " + n + " kernel sizes: dilations "
          + Arrays.toString(dilation) + ", kernel " + Arrays.toString(kernel));
    }
    if (pads.length != 2 * n) {
      throw new SchemaException("there are " + pads.length + " pads for " + n + " kernel sizes (which take " + 2 * n
          + "): pads " + Arrays.toString(pads) + ", kernel " + Arrays.toString(kernel));
    }
    for (int i = 0; i < n; i++) {
      if (kernel[i] < 0) {
        throw new SchemaException("kernel sizes cannot be negative: " + Arrays.toString(kernel));
      }
      if (stride[i] <= 0) {
        throw new SchemaException("strides must be positive: " + Arrays.toString(stride));
      }
      if (dilation[i] <= 0) {
        throw new SchemaException("dilations must be positive: " + Arrays.toString(dilation));
      }
      if (pads[i] < 0 || pads[i + n] < 0) {
        throw new SchemaException("pads cannot be negative: " + Arrays.toString(pads));
      }
    }
    if (global) {
      for (int i = 0; i < n; i++) {
        if (pads[i] != 0 || pads[i + n] != 0 || dilation[i] != 1 || stride[i] != 1) {
          throw new SchemaException("If global_pooling is set pad, dilation and stride shouldn't be set.");
        }
      }
    }
    int group = args.getInt("group", 1);
    if (group < 1) {
      throw new SchemaException("group must be at least 1, got " + group);
    }
    return new ConvPoolArguments(kernel, stride, dilation, pads, legacyPad, global, group,
        order(args.getString("order", "NCHW")));
  }

  /** The storage order named by {@code order}. */
  static Order order(String s) {
    switch (s.toUpperCase(Locale.ROOT)) {
      case "NCHW":
        return Order.NCHW;
      case "NHWC":
        return Order.NHWC;
      default:
        throw new SchemaException("order must be \"NCHW\" or \"NHWC\", got \"" + s + "\"");
    }
  }

  /** One of the forms of a per-axis value: single (both axes), list, or the _h/_w pair; null when absent. */
  static int[] pair(Arguments args, String single, String list, String h, String w) {
    int forms = (args.has(single) ? 1 : 0) + (args.has(list) ? 1 : 0) + (args.has(h) || args.has(w) ? 1 : 0);
    if (forms > 1) {
      throw new SchemaException("give one of `" + single + "`, `" + list + "` or `" + h + "`/`" + w + "`, not "
          + "several");
    }
    if (args.has(single)) {
      int v = args.getInt(single, 0);
      return new int[] {v, v};
    }
    if (args.has(list)) {
      return args.getInts(list);
    }
    if (args.has(h) || args.has(w)) {
      if (!args.has(h) || !args.has(w)) {
        throw new SchemaException("`" + h + "` and `" + w + "` must be given together");
      }
      return new int[] {args.getInt(h, 0), args.getInt(w, 0)};
    }
    return null;
  }

  static int[] pads(Arguments args) {
    boolean sides = args.has("pad_t") || args.has("pad_l") || args.has("pad_b") || args.has("pad_r");
    int forms = (args.has("pad") ? 1 : 0) + (args.has("pads") ? 1 : 0) + (sides ? 1 : 0);
    if (forms > 1) {
      throw new SchemaException("give one of `pad`, `pads` or `pad_t`/`pad_l`/`pad_b`/`pad_r`, not several");
    }
    if (args.has("pad")) {
      return filled(4, args.getInt("pad", 0));
    }
    if (args.has("pads")) {
      return args.getInts("pads");
    }
    if (sides) {
      if (!(args.has("pad_t") && args.has("pad_l") && args.has("pad_b") && args.has("pad_r"))) {
        throw new SchemaException("`pad_t`, `pad_l`, `pad_b` and `pad_r` must be given together");
      }
      return new int[] {args.getInt("pad_t", 0), args.getInt("pad_l", 0), args.getInt("pad_b", 0),
          args.getInt("pad_r", 0)};
    }
    return null;
  }

  static int[] filled(int n, int v) {
    int[] a = new int[n];
    Arrays.fill(a, v);
    return a;
  }

  /** The index of the channel axis of a tensor of rank {@code rank} in this order. */
  int channelAxis(int rank) {
    return order == Order.NCHW ? 1 : rank - 1;
  }

  /**
   * Checks that {@code dims} (an image tensor's) has one axis per kernel size plus N and C (any rank from 3 to 5
   * for global pooling), and returns the number of spatial axes.
   */
  int checkImageRank(long[] dims, String what, String blob) {
    int expected = spatialRank() + 2;
    if (globalPooling) {
      if (dims.length < 3 || dims.length > 5) {
        throw shapeError(blob, what + " must have 1 to 3 spatial axes besides N and C, got " + Shapes.format(dims));
      }
      return dims.length - 2;
    }
    if (dims.length != expected) {
      throw shapeError(blob, "the kernel " + Arrays.toString(kernel) + " has " + spatialRank() + " spatial axes, so "
          + what + " must be " + expected + "-D (" + (order == Order.NCHW ? "N, C, spatial" : "N, spatial, C")
          + "), got " + Shapes.format(dims));
    }
    return spatialRank();
  }

  /**
   * Fills {@code w} with the window geometry for an image tensor of dims {@code x} (checked with
   * {@link #checkImageRank}), computing the output size and, for legacy padding, the pads.
   */
  void window(long[] x, String blob, Window w) {
    int n = checkImageRank(x, "the input", blob);
    int first = order == Order.NCHW ? 2 : 1;
    w.reset(n);
    int off = 3 - n;
    for (int i = 0; i < n; i++) {
      long inSize = x[first + i];
      if (inSize > Integer.MAX_VALUE) {
        throw shapeError(blob, "spatial size " + inSize + " is too large");
      }
      int in = (int) inSize;
      int a = off + i;
      w.in[a] = in;
      if (globalPooling) {
        if (in < 1) {
          throw shapeError(blob, "global pooling needs a non-empty window, but spatial axis " + i + " of "
              + Shapes.format(x) + " is empty");
        }
        w.kernel[a] = in;
        w.stride[a] = 1;
        w.dilation[a] = 1;
        w.padHead[a] = 0;
        w.padTail[a] = 0;
        w.out[a] = 1;
        continue;
      }
      int k = kernel[i];
      int s = stride[i];
      int d = dilation[i];
      int dk = d * (k - 1) + 1;
      int head = pads[i];
      int tail = pads[i + n];
      int out;
      switch (legacyPad) {
        case VALID:
          head = 0;
          tail = 0;
          if (in < dk) {
            throw tooSmall(blob, x, i, in, dk, 0, 0);
          }
          out = (in - dk) / s + 1;
          break;
        case SAME: {
          if (d != 1) {
            throw new SchemaException("Dilation not supported for legacy padding.");
          }
          int target = (in + s - 1) / s;
          int needed = (target - 1) * s + k - in;
          head = needed / 2;
          tail = needed - head;
          out = (in + needed - dk) / s + 1;
          break;
        }
        case CAFFE_LEGACY_POOLING: {
          int standard = (int) ((float) (in + head * 2 - k) / s + 1);
          out = (int) Math.ceil((float) (in + head * 2 - k) / s + 1);
          if (head > 0 && (out - 1) * s >= in + head) {
            out--;
          }
          tail = head + s * (out - standard);
          break;
        }
        default:
          if (in + head + tail < dk) {
            throw tooSmall(blob, x, i, in, dk, head, tail);
          }
          out = (in + head + tail - dk) / s + 1;
      }
      w.kernel[a] = k;
      w.stride[a] = s;
      w.dilation[a] = d;
      w.padHead[a] = head;
      w.padTail[a] = tail;
      w.out[a] = out;
    }
  }

  private ShapeException tooSmall(String blob, long[] x, int axis, int in, int dk, int head, int tail) {
    return shapeError(blob, "spatial axis " + axis + " of " + Shapes.format(x) + " has size " + in
        + (head + tail > 0 ? " (" + (in + head + tail) + " padded)" : "") + ", smaller than the "
        + (dk != kernel[axis] ? "dilated " : "") + "kernel " + dk);
  }

  /** The dims of an output with {@code channels} channels, for the input dims {@code x} and window {@code w}. */
  long[] outputDims(long[] x, Window w, long channels) {
    return outputDims(x, w, channels, new long[w.spatialRank + 2]);
  }

  /** {@link #outputDims(long[], Window, long)} written into {@code y} (of rank spatial + 2), which it returns. */
  long[] outputDims(long[] x, Window w, long channels, long[] y) {
    int n = w.spatialRank;
    y[0] = x[0];
    int first = order == Order.NCHW ? 2 : 1;
    y[channelAxis(n + 2)] = channels;
    for (int i = 0; i < n; i++) {
      y[first + i] = w.out[3 - n + i];
    }
    return y;
  }

  /**
   * {@code t}'s dims copied into {@code buf} when it has the right length, else into a new array; returns the
   * array holding them. Operators keep the result in a field, so that reading the dims every run allocates nothing.
   */
  static long[] dims(Tensor t, long[] buf) {
    long[] d = buf.length == t.rank() ? buf : new long[t.rank()];
    for (int i = 0; i < d.length; i++) {
      d[i] = t.dim(i);
    }
    return d;
  }

  static ShapeException shapeError(String blob, String detail) {
    return (ShapeException) new ShapeException(detail).atBlob(blob);
  }

  /** Inference: the type of a FLOAT or DOUBLE image input. */
  static DataType inferFloating(OperatorDef def, BlobType t, int input) {
    if (t.dtype() != null && t.dtype() != DataType.FLOAT && t.dtype() != DataType.DOUBLE) {
      throw shapeError(def.getInput(input), def.getType() + " supports FLOAT and DOUBLE tensors, got " + t.dtype());
    }
    return t.dtype();
  }

  /** The type of a FLOAT or DOUBLE input tensor. */
  static DataType floating(String op, Tensor t, String blob) {
    DataType d = t.dtype();
    if (d != DataType.FLOAT && d != DataType.DOUBLE) {
      throw shapeError(blob, op + " supports FLOAT and DOUBLE tensors, got " + d + " " + Shapes.format(t.dims()));
    }
    return d;
  }
}
