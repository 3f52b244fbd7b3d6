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
import static org.assertj.core.api.Assertions.within;

import dev.zerog.SchemaException;
import dev.zerog.ShapeException;
import dev.zerog.ZerogException;
import dev.zerog.grad.GradientChecker;
import dev.zerog.net.Net;
import dev.zerog.op.BlobType;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.testing.OpDefs;
import dev.zerog.testing.OperatorHarness;
import dev.zerog.workspace.Workspace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ConvTest {
  private static final Tensor X33 = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
  private static final Tensor ONES22 = Tensor.of(new float[] {1, 1, 1, 1}, 1, 1, 2, 2);

  private static OperatorDef conv(List<String> in, Argument... args) {
    return op("Conv", in, List.of("Y"), args);
  }

  private static float[] y(OperatorDef op, Object... feeds) {
    return run(op, feeds(feeds)).fetch("Y").floats();
  }

  @Test
  void handComputedWindows() {
    assertThat(y(conv(List.of("X", "W"), i("kernel", 2)), "X", X33, "W", ONES22))
        .containsExactly(12, 16, 24, 28);
    assertThat(y(conv(List.of("X", "W", "b"), i("kernel", 2)), "X", X33, "W", ONES22, "b",
        Tensor.of(new float[] {0.5f}, 1))).containsExactly(12.5f, 16.5f, 24.5f, 28.5f);
    // pad 1 and stride 2: the four corners of a 5×5 padded image.
    assertThat(y(conv(List.of("X", "W"), i("kernel", 2), i("pad", 1), i("stride", 2)), "X", X33, "W", ONES22))
        .containsExactly(1, 5, 11, 28);
    // Asymmetric padding: one row on top, one column on the right.
    Tensor yt = run(conv(List.of("X", "W"), i("kernel", 2), i("pad_t", 1), i("pad_l", 0), i("pad_b", 0),
        i("pad_r", 1)), feeds("X", X33, "W", ONES22)).fetch("Y");
    assertThat(yt.dims()).containsExactly(1, 1, 3, 3);
    assertThat(yt.floats()).containsExactly(3, 5, 3, 12, 16, 9, 24, 28, 15);
    // Dilation 2: the kernel's four taps are the image's corners.
    assertThat(y(conv(List.of("X", "W"), i("kernel", 2), i("dilation", 2)), "X", X33, "W", ONES22))
        .containsExactly(20);
    // Two groups of one channel each.
    assertThat(y(conv(List.of("X", "W"), i("kernel", 1), i("group", 2)), "X", Tensor.of(new float[] {2, 3}, 1, 2, 1,
        1), "W", Tensor.of(new float[] {10, 100}, 2, 1, 1, 1))).containsExactly(20, 300);
  }

  @Test
  void matchesTheDirectDefinition() {
    SplittableRandom r = new SplittableRandom(7);
    for (int trial = 0; trial < 40; trial++) {
      Case c = Case.random(r, trial % 3 + 1);
      Tensor expected = ConvReference.conv(c.x, c.w, c.b, c.stride, c.dilation, c.pads, c.group);
      Tensor actual = run(c.op("NCHW"), c.feeds(false)).fetch("Y");
      assertThat(actual.dims()).as(c.toString()).containsExactly(expected.dims());
      assertThat(ConvReference.maxDiff(actual, expected)).as(c.toString()).isLessThan(1e-12);
    }
  }

  @Test
  void floatMatchesDouble() {
    SplittableRandom r = new SplittableRandom(8);
    for (int trial = 0; trial < 10; trial++) {
      Case c = Case.random(r, 2);
      Tensor expected = ConvReference.conv(c.x, c.w, c.b, c.stride, c.dilation, c.pads, c.group);
      Tensor actual = run(c.op("NCHW"), c.floatFeeds()).fetch("Y");
      assertThat(actual.dtype()).isEqualTo(DataType.FLOAT);
      assertThat(ConvReference.maxDiff(actual, expected)).as(c.toString()).isLessThan(1e-4);
    }
  }

  @Test
  void nhwcEqualsNchw() {
    SplittableRandom r = new SplittableRandom(9);
    for (int trial = 0; trial < 30; trial++) {
      Case c = Case.random(r, trial % 3 + 1);
      Tensor nchw = run(c.op("NCHW"), c.feeds(false)).fetch("Y");
      Tensor nhwc = run(c.op("NHWC"), c.feeds(true)).fetch("Y");
      assertThat(ConvReference.channelsFirst(nhwc).dims()).containsExactly(nchw.dims());
      assertThat(ConvReference.maxDiff(ConvReference.channelsFirst(nhwc), nchw)).as(c.toString()).isLessThan(1e-12);
    }
  }

  @Test
  void pointwiseConvolutionSkipsIm2colAndAgrees() {
    SplittableRandom r = new SplittableRandom(10);
    Tensor x = uniform(r, -1, 1, 2, 6, 4, 5);
    Tensor w = uniform(r, -1, 1, 4, 3, 1, 1);
    Tensor b = uniform(r, -1, 1, 4);
    Tensor expected = ConvReference.conv(x, w, b, new int[] {1, 1}, new int[] {1, 1}, new int[4], 2);
    Tensor y = run(conv(List.of("X", "W", "b"), i("kernel", 1), i("group", 2)), feeds("X", x, "W", w, "b", b))
        .fetch("Y");
    assertThat(ConvReference.maxDiff(y, expected)).isLessThan(1e-12);
    Tensor yNhwc = run(conv(List.of("X", "W", "b"), i("kernel", 1), i("group", 2), s("order", "NHWC")),
        feeds("X", ConvReference.channelsLast(x), "W", ConvReference.channelsLast(w), "b", b)).fetch("Y");
    assertThat(ConvReference.maxDiff(ConvReference.channelsFirst(yNhwc), expected)).isLessThan(1e-12);
  }

  /**
   * The FLOAT engine at sizes where its loops are split across the kernel threads and small images are laid side
   * by side: 3×3 windows (batched, strided, dilated, grouped), a 7×7 stem, pointwise windows one image at a time
   * and batched, and a strided 1×1 window; forward, dW, db and dX against the direct definitions.
   */
  @Test
  void floatEngineMatchesTheDefinitionsAtSize() {
    SplittableRandom r = new SplittableRandom(15);
    // n, c, m, size, kernel, stride, dilation, pad, group
    int[][] cases = {
        {3, 8, 6, 20, 3, 1, 1, 1, 1},
        {2, 8, 6, 40, 3, 2, 2, 2, 2},
        {2, 3, 8, 64, 7, 2, 1, 3, 1},
        {2, 8, 12, 48, 1, 1, 1, 0, 1},
        {3, 16, 8, 24, 1, 1, 1, 0, 2},
        {2, 16, 12, 30, 1, 2, 1, 0, 1}};
    for (int[] k : cases) {
      int n = k[0];
      int c = k[1];
      int m = k[2];
      int size = k[3];
      int[] stride = {k[5], k[5]};
      int[] dilation = {k[6], k[6]};
      int[] pads = {k[7], k[7], k[7], k[7]};
      int group = k[8];
      Tensor x = uniform(r, -1, 1, n, c, size, size);
      Tensor w = uniform(r, -1, 1, m, c / group, k[4], k[4]);
      Tensor b = uniform(r, -1, 1, m);
      Tensor expected = ConvReference.conv(x, w, b, stride, dilation, pads, group);
      Tensor dy = uniform(r, -1, 1, expected.dims());
      Tensor[] grads = ConvReference.convGradients(x, w, dy, stride, dilation, pads, group);
      String what = Arrays.toString(k);
      Argument[] args = {i("kernel", k[4]), i("stride", k[5]), i("dilation", k[6]), i("pad", k[7]),
          i("group", group)};
      Workspace ws = run(conv(List.of("X", "W", "b"), args), feeds("X", toFloat(x), "W", toFloat(w), "b",
          toFloat(b)));
      assertThat(ws.fetch("Y").dims()).as(what).containsExactly(expected.dims());
      assertThat(ConvReference.maxDiff(ws.fetch("Y"), expected)).as(what).isLessThan(1e-4);
      Workspace g = run(op("ConvGradient", List.of("X", "W", "dY"), List.of("dW", "db", "dX"), args),
          feeds("X", toFloat(x), "W", toFloat(w), "dY", toFloat(dy)));
      assertThat(ConvReference.maxDiff(g.fetch("dW"), grads[0])).as(what).isLessThan(1e-3);
      assertThat(ConvReference.maxDiff(g.fetch("dX"), grads[1])).as(what).isLessThan(1e-4);
      for (int mm = 0; mm < m; mm++) {
        double sum = 0;
        int out = dy.size() / (n * m);
        for (int img = 0; img < n; img++) {
          for (int p = 0; p < out; p++) {
            sum += dy.doubles()[(img * m + mm) * out + p];
          }
        }
        assertThat((double) g.fetch("db").floats()[mm]).as(what).isCloseTo(sum, within(1e-3));
      }
      // Without dX, dW is the same.
      Workspace noDx = run(op("ConvGradient", List.of("X", "W", "dY"), List.of("dW", "db"), args),
          feeds("X", toFloat(x), "W", toFloat(w), "dY", toFloat(dy)));
      assertThat(noDx.fetch("dW").floats()).as(what).containsExactly(g.fetch("dW").floats());
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
  void everyArgumentFormGivesTheSameWindow() {
    SplittableRandom r = new SplittableRandom(11);
    Tensor x = uniform(r, -1, 1, 1, 2, 7, 8);
    Tensor w = uniform(r, -1, 1, 3, 2, 3, 2);
    Tensor expected = ConvReference.conv(x, w, null, new int[] {2, 1}, new int[] {1, 2}, new int[] {1, 0, 2, 1}, 1);
    List<Argument[]> forms = List.of(
        new Argument[] {i("kernel_h", 3), i("kernel_w", 2), i("stride_h", 2), i("stride_w", 1), i("dilation_h", 1),
            i("dilation_w", 2), i("pad_t", 1), i("pad_l", 0), i("pad_b", 2), i("pad_r", 1)},
        new Argument[] {ints("kernels", 3, 2), ints("strides", 2, 1), ints("dilations", 1, 2),
            ints("pads", 1, 0, 2, 1)});
    for (Argument[] form : forms) {
      Tensor y = run(conv(List.of("X", "W"), form), feeds("X", x, "W", w)).fetch("Y");
      assertThat(y.dims()).containsExactly(expected.dims());
      assertThat(ConvReference.maxDiff(y, expected)).isLessThan(1e-12);
    }
  }

  @Test
  void legacyPadding() {
    Tensor x = Tensor.allocate(DataType.FLOAT, 1, 1, 7, 7);
    Tensor w = Tensor.allocate(DataType.FLOAT, 1, 1, 3, 3);
    // VALID: no padding; SAME: ceil(7 / 2) = 4 with pad 1 on each side.
    assertThat(run(conv(List.of("X", "W"), i("kernel", 3), i("stride", 2), i("legacy_pad", 1)),
        feeds("X", x, "W", w)).fetch("Y").dims()).containsExactly(1, 1, 3, 3);
    assertThat(run(conv(List.of("X", "W"), i("kernel", 3), i("stride", 2), i("legacy_pad", 2)),
        feeds("X", x, "W", w)).fetch("Y").dims()).containsExactly(1, 1, 4, 4);
    // SAME with stride 1 on X33 and a 2×2 kernel pads the tail: the last row and column read the padding.
    assertThat(y(conv(List.of("X", "W"), i("kernel", 2), i("legacy_pad", 2)), "X", X33, "W", ONES22))
        .containsExactly(12, 16, 9, 24, 28, 15, 15, 17, 9);
  }

  @Test
  void oneAndThreeSpatialAxes() {
    Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5}, 1, 1, 5);
    Tensor w = Tensor.of(new double[] {1, -1}, 1, 1, 2);
    Tensor y = run(conv(List.of("X", "W"), ints("kernels", 2), ints("pads", 1, 0)), feeds("X", x, "W", w))
        .fetch("Y");
    assertThat(y.dims()).containsExactly(1, 1, 5);
    assertThat(y.doubles()).containsExactly(-1, -1, -1, -1, -1);
    Tensor x3 = Tensor.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8}, 1, 1, 2, 2, 2);
    Tensor w3 = Tensor.of(new double[] {1, 1, 1, 1, 1, 1, 1, 1}, 1, 1, 2, 2, 2);
    assertThat(run(conv(List.of("X", "W"), ints("kernels", 2, 2, 2)), feeds("X", x3, "W", w3)).fetch("Y")
        .doubles()).containsExactly(36);
  }

  @Test
  void reusesItsOutputAndBuffers() {
    SplittableRandom r = new SplittableRandom(12);
    Workspace ws = new Workspace();
    ws.feed("X", OperatorHarness.uniformFloat(r, -1, 1, 2, 3, 6, 6));
    ws.feed("W", OperatorHarness.uniformFloat(r, -1, 1, 4, 3, 3, 3));
    Net net = Net.create(OpDefs.net(conv(List.of("X", "W"), i("kernel", 3), i("pad", 1))), ws);
    net.run();
    float[] first = ws.fetch("Y").floats();
    float[] copy = first.clone();
    net.run();
    assertThat(ws.fetch("Y").floats()).isSameAs(first).containsExactly(copy);
  }

  @Test
  void zeroImages() {
    Tensor y = run(conv(List.of("X", "W"), i("kernel", 2)), feeds("X", Tensor.allocate(DataType.FLOAT, 0, 1, 3, 3),
        "W", ONES22)).fetch("Y");
    assertThat(y.dims()).containsExactly(0, 1, 2, 2);
  }

  @Test
  void argumentErrors() {
    assertThat(createError(conv(List.of("X", "W"))).detail()).startsWith("the kernel size must be set");
    assertThat(createError(conv(List.of("X", "W"), i("kernel", 2), ints("kernels", 2, 2))).detail())
        .isEqualTo("give one of `kernel`, `kernels` or `kernel_h`/`kernel_w`, not several");
    assertThat(createError(conv(List.of("X", "W"), i("kernel", 2), i("pad_t", 1))).detail())
        .isEqualTo("`pad_t`, `pad_l`, `pad_b` and `pad_r` must be given together");
    assertThat(createError(conv(List.of("X", "W"), i("kernel", 2), i("pad", 1), i("legacy_pad", 1))).detail())
        .startsWith("If you use legacy padding VALID or SAME");
    assertThat(createError(conv(List.of("X", "W"), ints("kernels", 2, 2), ints("strides", 1))).detail())
        .isEqualTo("there are 1 strides for 2 kernel sizes: strides [1], kernel [2, 2]");
    assertThat(createError(conv(List.of("X", "W"), i("kernel", 2), i("stride", 0))).detail())
        .isEqualTo("strides must be positive: [0, 0]");
    assertThat(createError(conv(List.of("X", "W"), i("kernel", 2), s("order", "CHWN"))).detail())
        .isEqualTo("order must be \"NCHW\" or \"NHWC\", got \"CHWN\"");
    assertThat(createError(conv(List.of("X", "W"), ints("kernels", 1, 1, 1, 1))).detail())
        .isEqualTo("zerog supports 1 to 3 spatial axes; the kernel has 4: [1, 1, 1, 1]");
  }

  private static ZerogException createError(OperatorDef op) {
    Workspace ws = new Workspace();
    ws.feed("X", Tensor.allocate(DataType.FLOAT, 1, 1, 3, 3));
    ws.feed("W", ONES22);
    ZerogException e = catchThrowableOfType(ZerogException.class, () -> Net.create(OpDefs.net(op), ws));
    assertThat(e).isInstanceOf(SchemaException.class);
    assertThat(e.opType()).isEqualTo("Conv");
    return e;
  }

  @Test
  void shapeErrors() {
    ShapeException channels = catchThrowableOfType(ShapeException.class, () -> run(conv(List.of("X", "W"),
        i("kernel", 2)), feeds("X", Tensor.allocate(DataType.FLOAT, 1, 2, 3, 3), "W", ONES22)));
    assertThat(channels.detail()).isEqualTo("the input 'X' [1, 2, 3, 3] has 2 channels, but the filter 'W' "
        + "[1, 1, 2, 2] takes 1 per group × group 1 = 1");
    assertThat(channels.blob()).isEqualTo("W");
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(conv(List.of("X", "W"), i("kernel", 3)),
        feeds("X", X33, "W", ONES22))).detail()).isEqualTo("the filter 'W' [1, 1, 2, 2] has kernel dims [2, 2], "
        + "but the arguments give the kernel [3, 3]");
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(conv(List.of("X", "W", "b"), i("kernel", 2)),
        feeds("X", X33, "W", ONES22, "b", Tensor.of(new float[] {1, 2}, 2)))).detail())
        .isEqualTo("the bias 'b' must have shape [1] (one per output channel), got [2]");
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(conv(List.of("X", "W"), i("kernel", 2)),
        feeds("X", Tensor.allocate(DataType.FLOAT, 1, 1, 3), "W", ONES22))).detail())
        .isEqualTo("the kernel [2, 2] has 2 spatial axes, so the input must be 4-D (N, C, spatial), got [1, 1, 3]");
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(conv(List.of("X", "W"), i("kernel", 2),
        i("dilation", 3)), feeds("X", X33, "W", ONES22))).detail())
        .isEqualTo("spatial axis 0 of [1, 1, 3, 3] has size 3, smaller than the dilated kernel 4");
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(conv(List.of("X", "W"), i("kernel", 2)),
        feeds("X", X33, "W", Tensor.allocate(DataType.DOUBLE, 1, 1, 2, 2)))).detail())
        .isEqualTo("'W' is DOUBLE [1, 1, 2, 2] but 'X' is FLOAT; they must have the same type");
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(conv(List.of("X", "W"), i("kernel", 1),
        i("group", 2)), feeds("X", Tensor.allocate(DataType.FLOAT, 1, 2, 1, 1), "W",
        Tensor.allocate(DataType.FLOAT, 3, 1, 1, 1)))).detail())
        .isEqualTo("the filter 'W' has 3 output channels, which group 2 does not divide");
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(conv(List.of("X", "W"), i("kernel", 1)),
        feeds("X", Tensor.of(new int[] {1}, 1, 1, 1, 1), "W", ONES22))).detail())
        .isEqualTo("Conv supports FLOAT and DOUBLE tensors, got INT32 [1, 1, 1, 1]");
  }

  @Test
  void typeInference() {
    OperatorDef op = conv(List.of("X", "W", "b"), i("kernel", 3), i("stride", 2), i("pad", 1));
    assertThat(infer(op, BlobType.of(DataType.FLOAT, 2, 3, 224, 224), BlobType.of(DataType.FLOAT, 64, 3, 3, 3),
        BlobType.of(DataType.FLOAT, 64))).containsExactly(BlobType.of(DataType.FLOAT, 2, 64, 112, 112));
    OperatorDef nhwc = conv(List.of("X", "W"), i("kernel", 3), s("order", "NHWC"), i("group", 2));
    assertThat(infer(nhwc, BlobType.of(DataType.DOUBLE, 1, 9, 9, 4), BlobType.of(DataType.DOUBLE, 6, 3, 3, 2)))
        .containsExactly(BlobType.of(DataType.DOUBLE, 1, 7, 7, 6));
    assertThat(infer(op, BlobType.UNKNOWN, BlobType.of(DataType.FLOAT, 64, 3, 3, 3), BlobType.UNKNOWN))
        .containsExactly(new BlobType(DataType.FLOAT, null));
    assertThat(catchThrowableOfType(ShapeException.class, () -> infer(op, BlobType.of(DataType.FLOAT, 2, 4, 9, 9),
        BlobType.of(DataType.FLOAT, 64, 3, 3, 3), BlobType.UNKNOWN)).detail()).startsWith("the input 'X' "
        + "[2, 4, 9, 9] has 4 channels");
    assertThat(catchThrowableOfType(ShapeException.class, () -> infer(op, BlobType.of(DataType.FLOAT, 2, 3, 9, 9),
        BlobType.of(DataType.FLOAT, 64, 3, 3, 3), BlobType.of(DataType.FLOAT, 63))).detail())
        .isEqualTo("the bias 'b' must have shape [64] (one per output channel), got [63]");
    OperatorDef grad = op("ConvGradient", List.of("X", "W", "dY"), List.of("dW", "db", "dX"), i("kernel", 3));
    assertThat(infer(grad, BlobType.of(DataType.FLOAT, 2, 3, 9, 9), BlobType.of(DataType.FLOAT, 8, 3, 3, 3),
        BlobType.UNKNOWN)).containsExactly(BlobType.of(DataType.FLOAT, 8, 3, 3, 3), BlobType.of(DataType.FLOAT, 8),
        BlobType.of(DataType.FLOAT, 2, 3, 9, 9));
    OperatorDef noBias = op("ConvGradient", List.of("X", "W", "dY"), List.of("dW", "dX"), i("kernel", 3),
        i("no_bias", 1));
    assertThat(infer(noBias, BlobType.of(DataType.FLOAT, 2, 3, 9, 9), BlobType.of(DataType.FLOAT, 8, 3, 3, 3),
        BlobType.UNKNOWN)).containsExactly(BlobType.of(DataType.FLOAT, 8, 3, 3, 3),
        BlobType.of(DataType.FLOAT, 2, 3, 9, 9));
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    SplittableRandom r = new SplittableRandom(13);
    for (int trial = 0; trial < 12; trial++) {
      Case c = Case.small(r, trial % 3 + 1);
      String order = trial % 4 == 3 ? "NHWC" : "NCHW";
      boolean nhwc = order.equals("NHWC");
      OperatorDef op = c.op(order);
      int[] check = c.b == null ? new int[] {0, 1} : new int[] {0, 1, 2};
      assertGradientsMatch(GradientChecker.forDouble(), op, c.feeds(nhwc), check);
    }
  }

  @Test
  void gradientOpsAreCaffe2s() {
    assertThat(gradientOps(conv(List.of("X", "W", "b"), i("kernel", 2), i("pad", 1)), "Y")).isEqualTo(canonical("""
        op { input: "Y" output: "Y_autogen_grad" type: "ConstantFill" arg { name: "value" f: 1 } }
        op { input: "X" input: "W" input: "Y_autogen_grad" output: "W_grad" output: "b_grad" output: "X_grad"
             type: "ConvGradient" arg { name: "kernel" i: 2 } arg { name: "pad" i: 1 } is_gradient_op: true }
        """));
    assertThat(gradientOps(conv(List.of("X", "W"), i("kernel", 2)), "Y")).isEqualTo(canonical("""
        op { input: "Y" output: "Y_autogen_grad" type: "ConstantFill" arg { name: "value" f: 1 } }
        op { input: "X" input: "W" input: "Y_autogen_grad" output: "W_grad" output: "X_grad"
             type: "ConvGradient" arg { name: "no_bias" i: 1 } arg { name: "kernel" i: 2 } is_gradient_op: true }
        """));
    assertThat(gradientOps(op("Conv2D", List.of("X", "W", "b"), List.of("Y"), i("kernel", 2),
        i("no_gradient_to_input", 1)), "Y")).isEqualTo(canonical("""
        op { input: "Y" output: "Y_autogen_grad" type: "ConstantFill" arg { name: "value" f: 1 } }
        op { input: "X" input: "W" input: "Y_autogen_grad" output: "W_grad" output: "b_grad"
             type: "Conv2DGradient" arg { name: "kernel" i: 2 } arg { name: "no_gradient_to_input" i: 1 }
             is_gradient_op: true }
        """));
  }

  @Test
  void gradientOpWritesOnlyTheOutputsItHas() {
    SplittableRandom r = new SplittableRandom(14);
    Tensor x = uniform(r, -1, 1, 2, 2, 4, 4);
    Tensor w = uniform(r, -1, 1, 3, 2, 3, 3);
    Tensor dy = uniform(r, -1, 1, 2, 3, 2, 2);
    Workspace all = run(op("ConvGradient", List.of("X", "W", "dY"), List.of("dW", "db", "dX"), i("kernel", 3)),
        feeds("X", x, "W", w, "dY", dy));
    Workspace noDx = run(op("ConvGradient", List.of("X", "W", "dY"), List.of("dW", "db"), i("kernel", 3)),
        feeds("X", x, "W", w, "dY", dy));
    Workspace noBias = run(op("ConvGradient", List.of("X", "W", "dY"), List.of("dW"), i("kernel", 3),
        i("no_bias", 1)), feeds("X", x, "W", w, "dY", dy));
    assertThat(noDx.fetch("dW").doubles()).containsExactly(all.fetch("dW").doubles());
    assertThat(noBias.fetch("dW").doubles()).containsExactly(all.fetch("dW").doubles());
    assertThat(noDx.hasBlob("dX")).isFalse();
    double[] db = all.fetch("db").doubles();
    for (int m = 0; m < 3; m++) {
      double sum = 0;
      for (int n = 0; n < 2; n++) {
        for (int p = 0; p < 4; p++) {
          sum += dy.doubles()[(n * 3 + m) * 4 + p];
        }
      }
      assertThat(db[m]).isCloseTo(sum, within(1e-12));
    }
    ShapeException wrongDy = catchThrowableOfType(ShapeException.class, () -> run(op("ConvGradient",
        List.of("X", "W", "dY"), List.of("dW", "db", "dX"), i("kernel", 2)), feeds("X", x, "W",
        uniform(r, -1, 1, 3, 2, 2, 2), "dY", dy)));
    assertThat(wrongDy.detail()).isEqualTo("the output gradient 'dY' has shape [2, 3, 2, 2] but the forward output "
        + "has [2, 3, 3, 3]");
    SchemaException tooMany = catchThrowableOfType(SchemaException.class, () -> run(op("ConvGradient",
        List.of("X", "W", "dY"), List.of("dW", "db", "dX"), i("kernel", 3), i("no_bias", 1)),
        feeds("X", x, "W", w, "dY", dy)));
    assertThat(tooMany.detail()).isEqualTo("with no_bias: 1, ConvGradient writes (dW) or (dW, dX), got 3 outputs");
  }

  /** A random convolution: shapes, arguments and DOUBLE values. */
  static final class Case {
    Tensor x;
    Tensor w;
    Tensor b;
    int[] kernel;
    int[] stride;
    int[] dilation;
    int[] pads;
    int group;

    static Case random(SplittableRandom r, int spatial) {
      return make(r, spatial, 5, 3);
    }

    static Case small(SplittableRandom r, int spatial) {
      return make(r, spatial, spatial == 3 ? 3 : 4, 2);
    }

    private static Case make(SplittableRandom r, int spatial, int maxIn, int maxK) {
      Case c = new Case();
      c.group = r.nextInt(1, 3);
      int cg = r.nextInt(1, 3);
      int mg = r.nextInt(1, 3);
      int n = r.nextInt(1, 3);
      c.kernel = new int[spatial];
      c.stride = new int[spatial];
      c.dilation = new int[spatial];
      c.pads = new int[2 * spatial];
      long[] xd = new long[spatial + 2];
      long[] wd = new long[spatial + 2];
      xd[0] = n;
      xd[1] = (long) cg * c.group;
      wd[0] = (long) mg * c.group;
      wd[1] = cg;
      for (int i = 0; i < spatial; i++) {
        c.kernel[i] = r.nextInt(1, maxK + 1);
        c.stride[i] = r.nextInt(1, 3);
        c.dilation[i] = r.nextInt(1, 3);
        c.pads[i] = r.nextInt(0, 2);
        c.pads[i + spatial] = r.nextInt(0, 2);
        int dk = c.dilation[i] * (c.kernel[i] - 1) + 1;
        int min = Math.max(1, dk - c.pads[i] - c.pads[i + spatial]);
        xd[2 + i] = r.nextInt(min, Math.max(min, maxIn) + 1);
        wd[2 + i] = c.kernel[i];
      }
      c.x = uniform(r, -1, 1, xd);
      c.w = uniform(r, -1, 1, wd);
      c.b = r.nextBoolean() ? uniform(r, -1, 1, wd[0]) : null;
      return c;
    }

    OperatorDef op(String order) {
      List<String> in = new ArrayList<>(List.of("X", "W"));
      if (b != null) {
        in.add("b");
      }
      return conv(in, ints("kernels", toLongs(kernel)), ints("strides", toLongs(stride)),
          ints("dilations", toLongs(dilation)), ints("pads", toLongs(pads)), i("group", group), s("order", order));
    }

    java.util.Map<String, Tensor> feeds(boolean nhwc) {
      Tensor xf = nhwc ? ConvReference.channelsLast(x) : x;
      Tensor wf = nhwc ? ConvReference.channelsLast(w) : w;
      return b == null ? OperatorHarness.feeds("X", xf, "W", wf) : OperatorHarness.feeds("X", xf, "W", wf, "b", b);
    }

    java.util.Map<String, Tensor> floatFeeds() {
      Tensor xf = toFloat(x);
      Tensor wf = toFloat(w);
      return b == null ? OperatorHarness.feeds("X", xf, "W", wf)
          : OperatorHarness.feeds("X", xf, "W", wf, "b", toFloat(b));
    }

    private static Tensor toFloat(Tensor t) {
      Tensor f = Tensor.allocate(DataType.FLOAT, t.dims());
      for (int i = 0; i < t.size(); i++) {
        f.floats()[i] = (float) t.getDouble(i);
      }
      return f;
    }

    private static long[] toLongs(int[] a) {
      return Arrays.stream(a).asLongStream().toArray();
    }

    @Override
    public String toString() {
      return "X " + Arrays.toString(x.dims()) + " W " + Arrays.toString(w.dims()) + " bias " + (b != null)
          + " stride " + Arrays.toString(stride) + " dilation " + Arrays.toString(dilation) + " pads "
          + Arrays.toString(pads) + " group " + group;
    }
  }
}
