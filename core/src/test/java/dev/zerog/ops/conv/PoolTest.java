package dev.zerog.ops.conv;

import static dev.zerog.testing.OpDefs.i;
import static dev.zerog.testing.OpDefs.ints;
import static dev.zerog.testing.OpDefs.op;
import static dev.zerog.testing.OpDefs.s;
import static dev.zerog.testing.OperatorHarness.assertGradientsMatch;
import static dev.zerog.testing.OperatorHarness.canonical;
import static dev.zerog.testing.OperatorHarness.feeds;
import static dev.zerog.testing.OperatorHarness.gradientOps;
import static dev.zerog.testing.OperatorHarness.infer;
import static dev.zerog.testing.OperatorHarness.run;
import static dev.zerog.testing.OperatorHarness.uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.zerog.SchemaException;
import dev.zerog.ShapeException;
import dev.zerog.grad.GradientChecker;
import dev.zerog.op.BlobType;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PoolTest {
  private static final Tensor X33 = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);

  private static OperatorDef pool(String type, Argument... args) {
    return op(type, List.of("X"), List.of("Y"), args);
  }

  private static float[] y(OperatorDef op, Tensor x) {
    return run(op, feeds("X", x)).fetch("Y").floats();
  }

  @Test
  void handComputed() {
    assertThat(y(pool("MaxPool", i("kernel", 2)), X33)).containsExactly(5, 6, 8, 9);
    assertThat(y(pool("AveragePool", i("kernel", 2)), X33)).containsExactly(3, 4, 6, 7);
    assertThat(y(pool("MaxPool", i("kernel", 2), i("stride", 2), i("pad", 1)), X33)).containsExactly(1, 3, 7, 9);
    assertThat(y(pool("AveragePool", i("kernel", 2), i("stride", 2), i("pad", 1)), X33))
        .containsExactly(1, 2.5f, 5.5f, 7);
    assertThat(y(pool("AveragePool", i("kernel", 2), i("stride", 2), i("pad", 1), i("count_include_pad", 1)), X33))
        .containsExactly(0.25f, 1.25f, 2.75f, 7);
    assertThat(y(pool("AveragePool", i("global_pooling", 1)), X33)).containsExactly(5);
    assertThat(y(pool("MaxPool", i("global_pooling", 1), i("kernel", 0)), X33)).containsExactly(9);
    // Asymmetric padding, as AlexNet's pool5: 13 -> 6 with one extra row and column at the tail.
    Tensor alex = run(pool("MaxPool", i("kernel", 3), i("stride", 2), i("pad_t", 0), i("pad_l", 0), i("pad_b", 1),
        i("pad_r", 1)), feeds("X", Tensor.allocate(DataType.FLOAT, 1, 2, 13, 13))).fetch("Y");
    assertThat(alex.dims()).containsExactly(1, 2, 6, 6);
  }

  @Test
  void legacyPadding() {
    float[] x = new float[16];
    for (int k = 0; k < 16; k++) {
      x[k] = k;
    }
    Tensor x44 = Tensor.of(x, 1, 1, 4, 4);
    // Caffe's rounded-up size: a second window starting at 2, clipped to the image.
    assertThat(y(pool("MaxPool", i("kernel", 3), i("stride", 2), i("legacy_pad", 3)), x44))
        .containsExactly(10, 11, 14, 15);
    assertThat(y(pool("MaxPool", i("kernel", 3), i("stride", 2)), x44)).containsExactly(10);
    assertThat(run(pool("AveragePool", i("kernel", 3), i("stride", 2), i("legacy_pad", 2)), feeds("X", x44))
        .fetch("Y").dims()).containsExactly(1, 1, 2, 2);
  }

  @Test
  void matchesTheDirectDefinitionInBothOrders() {
    SplittableRandom r = new SplittableRandom(31);
    for (int trial = 0; trial < 60; trial++) {
      Case c = Case.random(r, trial % 3 + 1, 6);
      Tensor expected = c.reference();
      Tensor nchw = run(c.op("NCHW"), feeds("X", c.x)).fetch("Y");
      assertThat(nchw.dims()).as(c.toString()).containsExactly(expected.dims());
      assertThat(ConvReference.maxDiff(nchw, expected)).as(c.toString()).isLessThan(1e-12);
      Tensor nhwc = ConvReference.channelsFirst(run(c.op("NHWC"), feeds("X", ConvReference.channelsLast(c.x)))
          .fetch("Y"));
      assertThat(ConvReference.maxDiff(nhwc, expected)).as(c.toString()).isLessThan(1e-12);
      // FLOAT (MaxPool over one or two axes takes its own loops) against the definition and the DOUBLE gradient.
      Tensor xf = toFloat(c.x);
      Tensor yf = run(c.op("NCHW"), feeds("X", xf)).fetch("Y");
      assertThat(ConvReference.maxDiff(yf, expected)).as(c.toString()).isLessThan(1e-6);
      Tensor dy = uniform(r, -1, 1, expected.dims());
      OperatorDef grad = op(c.type + "Gradient", List.of("X", "Y", "dY"), List.of("dX"), c.op("NCHW").getArgList()
          .toArray(new Argument[0]));
      Tensor dxf = run(grad, feeds("X", xf, "Y", yf, "dY", toFloat(dy))).fetch("dX");
      Tensor dxd = run(grad, feeds("X", c.x, "Y", nchw, "dY", dy)).fetch("dX");
      assertThat(ConvReference.maxDiff(dxf, dxd)).as(c.toString()).isLessThan(1e-5);
    }
  }

  /**
   * FLOAT NCHW pooling over enough planes to be split across the kernel threads: forward against the definition,
   * gradients against the DOUBLE ops (which run on one thread and are checked against finite differences).
   */
  @Test
  void floatPlanesSplitAcrossThreadsMatchTheDefinition() {
    SplittableRandom r = new SplittableRandom(33);
    for (String type : List.of("MaxPool", "AveragePool")) {
      Case c = new Case();
      c.type = type;
      c.kernel = new int[] {3, 3};
      c.stride = type.equals("MaxPool") ? new int[] {2, 2} : new int[] {1, 2};
      c.pads = new int[] {1, 1, 1, 0};
      c.x = uniform(r, -1, 1, 4, 16, 40, 40);
      Tensor xf = toFloat(c.x);
      Tensor expected = c.reference();
      Tensor y = run(c.op("NCHW"), feeds("X", xf)).fetch("Y");
      assertThat(ConvReference.maxDiff(y, expected)).as(type).isLessThan(1e-6);
      Tensor dy = uniform(r, -1, 1, expected.dims());
      OperatorDef grad = op(type + "Gradient", List.of("X", "Y", "dY"), List.of("dX"), c.op("NCHW").getArgList()
          .toArray(new Argument[0]));
      Tensor dxFloat = run(grad, feeds("X", xf, "Y", y, "dY", toFloat(dy))).fetch("dX");
      Tensor dxDouble = run(grad, feeds("X", c.x, "Y", expected, "dY", dy)).fetch("dX");
      assertThat(ConvReference.maxDiff(dxFloat, dxDouble)).as(type).isLessThan(1e-5);
    }
  }

  private static Tensor toFloat(Tensor t) {
    float[] f = new float[t.size()];
    for (int j = 0; j < f.length; j++) {
      f[j] = (float) t.getDouble(j);
    }
    return Tensor.of(f, t.dims());
  }

  @Test
  void maxPoolGradientGoesToEveryTiedMaximum() {
    Tensor x = Tensor.of(new float[] {1, 1, 1, 1}, 1, 1, 2, 2);
    Tensor dx = run(op("MaxPoolGradient", List.of("X", "Y", "dY"), List.of("dX"), i("kernel", 2)),
        feeds("X", x, "Y", Tensor.of(new float[] {1}, 1, 1, 1, 1), "dY", Tensor.of(new float[] {3}, 1, 1, 1, 1)))
        .fetch("dX");
    assertThat(dx.floats()).containsExactly(3, 3, 3, 3);
    Tensor avg = run(op("AveragePoolGradient", List.of("X", "Y", "dY"), List.of("dX"), i("kernel", 2)),
        feeds("X", X33, "Y", Tensor.allocate(DataType.FLOAT, 1, 1, 2, 2), "dY",
            Tensor.of(new float[] {1, 1, 1, 1}, 1, 1, 2, 2))).fetch("dX");
    assertThat(avg.floats()).containsExactly(0.25f, 0.5f, 0.25f, 0.5f, 1, 0.5f, 0.25f, 0.5f, 0.25f);
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    SplittableRandom r = new SplittableRandom(32);
    for (int trial = 0; trial < 16; trial++) {
      Case c = Case.random(r, trial % 3 + 1, trial % 3 == 2 ? 3 : 5);
      boolean nhwc = trial % 4 == 1;
      Tensor x = nhwc ? ConvReference.channelsLast(c.x) : c.x;
      assertGradientsMatch(GradientChecker.forDouble(), c.op(nhwc ? "NHWC" : "NCHW"), feeds("X", x), 0);
    }
  }

  @Test
  void gradientOpsAreCaffe2s() {
    assertThat(gradientOps(pool("MaxPool", i("kernel", 3), i("stride", 2)), "Y")).isEqualTo(canonical("""
        op { input: "Y" output: "Y_autogen_grad" type: "ConstantFill" arg { name: "value" f: 1 } }
        op { input: "X" input: "Y" input: "Y_autogen_grad" output: "X_grad" type: "MaxPoolGradient"
             arg { name: "kernel" i: 3 } arg { name: "stride" i: 2 } is_gradient_op: true }
        """));
    assertThat(gradientOps(pool("AveragePool2D", i("global_pooling", 1)), "Y")).isEqualTo(canonical("""
        op { input: "Y" output: "Y_autogen_grad" type: "ConstantFill" arg { name: "value" f: 1 } }
        op { input: "X" input: "Y" input: "Y_autogen_grad" output: "X_grad" type: "AveragePool2DGradient"
             arg { name: "global_pooling" i: 1 } is_gradient_op: true }
        """));
  }

  @Test
  void emptySpatialAxes() {
    // Found by fuzzing: an empty image made the plane split divide by zero.
    Tensor empty = Tensor.allocate(DataType.FLOAT, 1, 1, 0, 0);
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(pool("MaxPool", i("global_pooling", 1)),
        feeds("X", empty))).detail())
        .isEqualTo("global pooling needs a non-empty window, but spatial axis 0 of [1, 1, 0, 0] is empty");
    // Padding alone makes a window (of no elements): a one-element output, computed without failing.
    Tensor y = run(pool("AveragePool", i("kernel", 2), i("pad", 1)), feeds("X", empty)).fetch("Y");
    assertThat(y.dims()).containsExactly(1, 1, 1, 1);
  }

  @Test
  void errors() {
    assertThat(catchThrowableOfType(SchemaException.class, () -> run(pool("MaxPool", i("kernel", 2), i("pad", 2)),
        feeds("X", X33))).detail()).isEqualTo("the padding must be smaller than the kernel: pads [2, 2, 2, 2], kernel "
        + "[2, 2]");
    assertThat(catchThrowableOfType(SchemaException.class, () -> run(pool("MaxPool", i("kernel", 2),
        i("dilation", 2)), feeds("X", X33))).detail()).isEqualTo("pooling does not support dilation; got dilation 2");
    assertThat(catchThrowableOfType(SchemaException.class, () -> run(pool("AveragePool", i("global_pooling", 1),
        i("stride", 2)), feeds("X", X33))).detail())
        .isEqualTo("If global_pooling is set pad, dilation and stride shouldn't be set.");
    assertThat(catchThrowableOfType(SchemaException.class, () -> run(pool("MaxPool"), feeds("X", X33))).detail())
        .startsWith("the kernel size must be set");
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(pool("MaxPool", i("kernel", 4)),
        feeds("X", X33))).detail()).isEqualTo("spatial axis 0 of [1, 1, 3, 3] has size 3, smaller than the kernel 4");
    ShapeException wrongY = catchThrowableOfType(ShapeException.class, () -> run(op("MaxPoolGradient",
        List.of("X", "Y", "dY"), List.of("dX"), i("kernel", 2)), feeds("X", X33, "Y",
        Tensor.allocate(DataType.FLOAT, 1, 1, 3, 3), "dY", Tensor.allocate(DataType.FLOAT, 1, 1, 2, 2))));
    assertThat(wrongY.detail()).isEqualTo("'Y' has shape [1, 1, 3, 3] but pooling 'X' [1, 1, 3, 3] gives "
        + "[1, 1, 2, 2]");
    assertThat(wrongY.blob()).isEqualTo("Y");
  }

  @Test
  void typeInference() {
    assertThat(infer(pool("MaxPool", i("kernel", 3), i("stride", 2), i("pad", 1)),
        BlobType.of(DataType.FLOAT, 1, 64, 112, 112))).containsExactly(BlobType.of(DataType.FLOAT, 1, 64, 56, 56));
    assertThat(infer(pool("AveragePool", i("global_pooling", 1), s("order", "NHWC")),
        BlobType.of(DataType.DOUBLE, 2, 7, 7, 5))).containsExactly(BlobType.of(DataType.DOUBLE, 2, 1, 1, 5));
    assertThat(infer(pool("MaxPool3D", ints("kernels", 2, 2, 2), ints("strides", 2, 2, 2)),
        BlobType.of(DataType.FLOAT, 1, 3, 4, 6, 8))).containsExactly(BlobType.of(DataType.FLOAT, 1, 3, 2, 3, 4));
    assertThat(infer(pool("MaxPool", i("kernel", 3)), BlobType.UNKNOWN)).containsExactly(BlobType.UNKNOWN);
    assertThat(infer(op("MaxPoolGradient", List.of("X", "Y", "dY"), List.of("dX"), i("kernel", 3)),
        BlobType.of(DataType.FLOAT, 1, 2, 5, 5), BlobType.UNKNOWN, BlobType.UNKNOWN))
        .containsExactly(BlobType.of(DataType.FLOAT, 1, 2, 5, 5));
  }

  /** A random pooling op and input. */
  static final class Case {
    String type;
    Tensor x;
    int[] kernel;
    int[] stride;
    int[] pads;
    boolean global;
    boolean countPad;

    static Case random(SplittableRandom r, int spatial, int maxIn) {
      Case c = new Case();
      c.type = r.nextBoolean() ? "MaxPool" : "AveragePool";
      c.global = r.nextInt(6) == 0;
      c.countPad = r.nextBoolean();
      c.kernel = new int[spatial];
      c.stride = new int[spatial];
      c.pads = new int[2 * spatial];
      long[] xd = new long[spatial + 2];
      xd[0] = r.nextInt(1, 3);
      xd[1] = r.nextInt(1, 4);
      for (int i = 0; i < spatial; i++) {
        c.kernel[i] = r.nextInt(1, 4);
        c.stride[i] = c.global ? 1 : r.nextInt(1, 3);
        c.pads[i] = c.global ? 0 : r.nextInt(0, c.kernel[i]);
        c.pads[i + spatial] = c.global ? 0 : r.nextInt(0, c.kernel[i]);
        int min = Math.max(1, c.kernel[i] - c.pads[i] - c.pads[i + spatial]);
        xd[2 + i] = r.nextInt(min, Math.max(min, maxIn) + 1);
      }
      c.x = uniform(r, -1, 1, xd);
      return c;
    }

    OperatorDef op(String order) {
      List<Argument> args = new ArrayList<>();
      if (global) {
        args.add(i("global_pooling", 1));
      } else {
        args.add(ints("kernels", longs(kernel)));
        args.add(ints("strides", longs(stride)));
        args.add(ints("pads", longs(pads)));
      }
      if (type.equals("AveragePool")) {
        args.add(i("count_include_pad", countPad ? 1 : 0));
      }
      args.add(s("order", order));
      return pool(type, args.toArray(new Argument[0]));
    }

    /** Pooling by the definition, NCHW. */
    Tensor reference() {
      long[] xd = x.dims();
      int sp = xd.length - 2;
      int[] in = {1, 1, 1};
      int[] k = {1, 1, 1};
      int[] s = {1, 1, 1};
      int[] ph = {0, 0, 0};
      int[] out = {1, 1, 1};
      for (int i = 0; i < sp; i++) {
        int a = 3 - sp + i;
        in[a] = (int) xd[2 + i];
        k[a] = global ? in[a] : kernel[i];
        s[a] = stride[i];
        ph[a] = pads[i];
        out[a] = global ? 1 : (in[a] + pads[i] + pads[i + sp] - k[a]) / s[a] + 1;
      }
      long[] yd = xd.clone();
      for (int i = 0; i < sp; i++) {
        yd[2 + i] = out[3 - sp + i];
      }
      Tensor y = Tensor.allocate(DataType.DOUBLE, yd);
      int planes = (int) (xd[0] * xd[1]);
      int inSize = in[0] * in[1] * in[2];
      int j = 0;
      for (int p = 0; p < planes; p++) {
        for (int od = 0; od < out[0]; od++) {
          for (int oh = 0; oh < out[1]; oh++) {
            for (int ow = 0; ow < out[2]; ow++) {
              double m = Double.NEGATIVE_INFINITY;
              double sum = 0;
              int count = 0;
              for (int kd = 0; kd < k[0]; kd++) {
                for (int kh = 0; kh < k[1]; kh++) {
                  for (int kw = 0; kw < k[2]; kw++) {
                    int id = od * s[0] - ph[0] + kd;
                    int ih = oh * s[1] - ph[1] + kh;
                    int iw = ow * s[2] - ph[2] + kw;
                    if (id < 0 || id >= in[0] || ih < 0 || ih >= in[1] || iw < 0 || iw >= in[2]) {
                      continue;
                    }
                    double v = x.getDouble(p * inSize + (id * in[1] + ih) * in[2] + iw);
                    m = Math.max(m, v);
                    sum += v;
                    count++;
                  }
                }
              }
              int div = countPad && !global ? k[0] * k[1] * k[2] : count;
              y.doubles()[j++] = type.equals("MaxPool") ? m : sum / div;
            }
          }
        }
      }
      return y;
    }

    private static long[] longs(int[] a) {
      return Arrays.stream(a).asLongStream().toArray();
    }

    @Override
    public String toString() {
      return type + " X " + Arrays.toString(x.dims()) + " kernel " + Arrays.toString(kernel) + " stride "
          + Arrays.toString(stride) + " pads " + Arrays.toString(pads) + " global " + global + " countPad "
          + countPad;
    }
  }
}
