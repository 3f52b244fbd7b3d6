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
import dev.zerog.testing.OperatorHarness;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ConvTransposeTest {
  private static final Tensor X22 = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
  private static final Tensor ONES22 = Tensor.of(new float[] {1, 1, 1, 1}, 1, 1, 2, 2);

  private static OperatorDef convT(List<String> in, Argument... args) {
    return op("ConvTranspose", in, List.of("Y"), args);
  }

  @Test
  void handComputed() {
    Tensor up = run(convT(List.of("X", "W"), i("kernel", 2), i("stride", 2)), feeds("X", X22, "W", ONES22))
        .fetch("Y");
    assertThat(up.dims()).containsExactly(1, 1, 4, 4);
    assertThat(up.floats()).containsExactly(1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4);
    assertThat(run(convT(List.of("X", "W"), i("kernel", 2)), feeds("X", X22, "W", ONES22)).fetch("Y").floats())
        .containsExactly(1, 3, 2, 4, 10, 6, 3, 7, 4);
    // pad crops the output: only the centre of the 3×3 remains.
    assertThat(run(convT(List.of("X", "W"), i("kernel", 2), i("pad", 1)), feeds("X", X22, "W", ONES22)).fetch("Y")
        .floats()).containsExactly(10);
    // adj adds a row and a column at the tail that only the bias reaches.
    Tensor adj = run(convT(List.of("X", "W", "b"), i("kernel", 2), i("stride", 2), i("adj", 1)),
        feeds("X", X22, "W", ONES22, "b", Tensor.of(new float[] {0.5f}, 1))).fetch("Y");
    assertThat(adj.dims()).containsExactly(1, 1, 5, 5);
    assertThat(Arrays.copyOfRange(adj.floats(), 20, 25)).containsExactly(0.5f, 0.5f, 0.5f, 0.5f, 0.5f);
    assertThat(adj.floats()[0]).isEqualTo(1.5f);
    // legacy_pad VALID and SAME both mean no cropping in Caffe2's ConvTranspose.
    for (int legacy = 1; legacy <= 2; legacy++) {
      assertThat(run(convT(List.of("X", "W"), i("kernel", 2), i("legacy_pad", legacy)), feeds("X", X22, "W", ONES22))
          .fetch("Y").floats()).containsExactly(1, 3, 2, 4, 10, 6, 3, 7, 4);
    }
  }

  @Test
  void matchesTheDirectDefinitionInBothOrders() {
    SplittableRandom r = new SplittableRandom(21);
    for (int trial = 0; trial < 30; trial++) {
      Case c = Case.random(r, trial % 3 + 1, 4);
      Tensor expected = ConvReference.convTranspose(c.x, c.w, c.b, c.stride, c.pads, c.adj, c.group);
      Tensor nchw = run(c.op("NCHW"), c.feeds(false)).fetch("Y");
      assertThat(nchw.dims()).as(c.toString()).containsExactly(expected.dims());
      assertThat(ConvReference.maxDiff(nchw, expected)).as(c.toString()).isLessThan(1e-12);
      Tensor nhwc = ConvReference.channelsFirst(run(c.op("NHWC"), c.feeds(true)).fetch("Y"));
      assertThat(ConvReference.maxDiff(nhwc, expected)).as(c.toString()).isLessThan(1e-12);
    }
  }

  @Test
  void isTheInputGradientOfConv() {
    SplittableRandom r = new SplittableRandom(22);
    Tensor x = uniform(r, -1, 1, 2, 4, 5, 6);
    Tensor w = uniform(r, -1, 1, 6, 2, 3, 2);
    Tensor dy = uniform(r, -1, 1, 2, 6, 2, 3);
    Argument[] args = {ints("kernels", 3, 2), ints("strides", 2, 2), ints("pads", 1, 0, 0, 1), i("group", 2)};
    Tensor dx = run(op("ConvGradient", List.of("X", "W", "dY"), List.of("dW", "dX"), concat(args, i("no_bias", 1))),
        feeds("X", x, "W", w, "dY", dy)).fetch("dX");
    // ConvTranspose of dY, with its output cropped to X's size: (2 - 1) 2 + 3 + adj - 1 = 5 needs adj 1.
    Tensor y = run(convT(List.of("X", "W"), concat(args, ints("adjs", 1, 1))), feeds("X", dy, "W", w)).fetch("Y");
    assertThat(y.dims()).containsExactly(dx.dims());
    assertThat(ConvReference.maxDiff(y, dx)).isLessThan(1e-12);
  }

  private static Argument[] concat(Argument[] a, Argument... b) {
    List<Argument> all = new ArrayList<>(Arrays.asList(a));
    all.addAll(Arrays.asList(b));
    return all.toArray(new Argument[0]);
  }

  @Test
  void errors() {
    assertThat(catchThrowableOfType(SchemaException.class, () -> run(convT(List.of("X", "W"), i("kernel", 2),
        i("stride", 2), i("adj", 3)), feeds("X", X22, "W", ONES22))).detail())
        .isEqualTo("each adj must be from 0 to its stride: adjs [3, 3], strides [2, 2]");
    assertThat(catchThrowableOfType(SchemaException.class, () -> run(convT(List.of("X", "W"), i("kernel", 2),
        i("legacy_pad", 3)), feeds("X", X22, "W", ONES22))).detail())
        .isEqualTo("CAFFE_LEGACY_POOLING is no longer supported.");
    assertThat(catchThrowableOfType(SchemaException.class, () -> run(convT(List.of("X", "W")),
        feeds("X", X22, "W", ONES22))).detail()).startsWith("the kernel size must be set");
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(convT(List.of("X", "W"), i("kernel", 2)),
        feeds("X", Tensor.allocate(DataType.FLOAT, 1, 2, 2, 2), "W", ONES22))).detail())
        .isEqualTo("the filter 'W' [1, 1, 2, 2] must have the input's 2 channels as its first dim (the input 'X' is "
            + "[1, 2, 2, 2])");
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(convT(List.of("X", "W"), i("kernel", 3)),
        feeds("X", X22, "W", ONES22))).detail()).isEqualTo("the filter 'W' [1, 1, 2, 2] has kernel dims [2, 2], but "
        + "the arguments give the kernel [3, 3]");
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(convT(List.of("X", "W"), i("kernel", 2),
        i("pad", 2)), feeds("X", Tensor.allocate(DataType.FLOAT, 1, 1, 1, 1), "W", ONES22))).detail())
        .isEqualTo("spatial axis 0 of [1, 1, 1, 1] gives an output size of -2 ((in - 1) · stride + kernel + adj - "
            + "pads); it must be positive");
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(convT(List.of("X", "W", "b"), i("kernel", 2)),
        feeds("X", X22, "W", ONES22, "b", Tensor.of(new float[] {1, 1}, 2)))).detail())
        .isEqualTo("the bias 'b' must have shape [1] (one per output channel), got [2]");
  }

  @Test
  void inputOfTheWrongRankIsAShapeErrorBeforeTheFilterIsRead() {
    // Found by fuzzing: a 0-D X used to index its channel axis before its rank was checked.
    Tensor scalar = Tensor.scalar(1f);
    String expected = "the kernel [2, 2] has 2 spatial axes, so the input must be 4-D, got []";
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(convT(List.of("X", "W"), i("kernel", 2)),
        feeds("X", scalar, "W", ONES22))).detail()).isEqualTo(expected);
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(op("ConvTransposeGradient",
        List.of("X", "W", "dY"), List.of("dW", "db", "dX"), i("kernel", 2)),
        feeds("X", scalar, "W", ONES22, "dY", ONES22))).detail()).isEqualTo(expected);
    assertThat(catchThrowableOfType(ShapeException.class, () -> infer(convT(List.of("X", "W"), i("kernel", 2)),
        BlobType.of(DataType.FLOAT), BlobType.of(DataType.FLOAT, 1, 1, 2, 2))).detail()).isEqualTo(expected);
  }

  @Test
  void typeInference() {
    OperatorDef op = convT(List.of("X", "W", "b"), i("kernel", 4), i("stride", 2), i("pad", 1), i("group", 2));
    assertThat(infer(op, BlobType.of(DataType.FLOAT, 2, 8, 7, 7), BlobType.of(DataType.FLOAT, 8, 3, 4, 4),
        BlobType.of(DataType.FLOAT, 6))).containsExactly(BlobType.of(DataType.FLOAT, 2, 6, 14, 14));
    OperatorDef nhwc = convT(List.of("X", "W"), i("kernel", 3), s("order", "NHWC"), i("adj", 1), i("stride", 2));
    assertThat(infer(nhwc, BlobType.of(DataType.DOUBLE, 1, 5, 5, 4), BlobType.of(DataType.DOUBLE, 4, 3, 3, 6)))
        .containsExactly(BlobType.of(DataType.DOUBLE, 1, 12, 12, 6));
    OperatorDef grad = op("ConvTransposeGradient", List.of("X", "W", "dY"), List.of("dW", "db", "dX"),
        i("kernel", 3), i("group", 2));
    assertThat(infer(grad, BlobType.of(DataType.FLOAT, 2, 4, 5, 5), BlobType.of(DataType.FLOAT, 4, 3, 3, 3),
        BlobType.UNKNOWN)).containsExactly(BlobType.of(DataType.FLOAT, 4, 3, 3, 3), BlobType.of(DataType.FLOAT, 6),
        BlobType.of(DataType.FLOAT, 2, 4, 5, 5));
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    SplittableRandom r = new SplittableRandom(23);
    for (int trial = 0; trial < 8; trial++) {
      Case c = Case.random(r, trial % 3 + 1, trial % 3 == 2 ? 2 : 3);
      boolean nhwc = trial % 4 == 1;
      int[] check = c.b == null ? new int[] {0, 1} : new int[] {0, 1, 2};
      assertGradientsMatch(GradientChecker.forDouble(), c.op(nhwc ? "NHWC" : "NCHW"), c.feeds(nhwc), check);
    }
  }

  @Test
  void gradientOpsAreCaffe2s() {
    assertThat(gradientOps(convT(List.of("X", "W", "b"), i("kernel", 2), i("stride", 2)), "Y"))
        .isEqualTo(canonical("""
        op { input: "Y" output: "Y_autogen_grad" type: "ConstantFill" arg { name: "value" f: 1 } }
        op { input: "X" input: "W" input: "Y_autogen_grad" output: "W_grad" output: "b_grad" output: "X_grad"
             type: "ConvTransposeGradient" arg { name: "kernel" i: 2 } arg { name: "stride" i: 2 }
             is_gradient_op: true }
        """));
    assertThat(gradientOps(convT(List.of("X", "W"), i("kernel", 2), i("no_gradient_to_input", 1)), "Y"))
        .isEqualTo(canonical("""
        op { input: "Y" output: "Y_autogen_grad" type: "ConstantFill" arg { name: "value" f: 1 } }
        op { input: "X" input: "W" input: "Y_autogen_grad" output: "W_grad" type: "ConvTransposeGradient"
             arg { name: "no_bias" i: 1 } arg { name: "kernel" i: 2 } arg { name: "no_gradient_to_input" i: 1 }
             is_gradient_op: true }
        """));
  }

  /** A random transposed convolution. */
  static final class Case {
    Tensor x;
    Tensor w;
    Tensor b;
    int[] kernel;
    int[] stride;
    int[] pads;
    int[] adj;
    int group;

    static Case random(SplittableRandom r, int spatial, int maxIn) {
      Case c = new Case();
      c.group = r.nextInt(1, 3);
      int cig = r.nextInt(1, 3);
      int cog = r.nextInt(1, 3);
      c.kernel = new int[spatial];
      c.stride = new int[spatial];
      c.pads = new int[2 * spatial];
      c.adj = new int[spatial];
      long[] xd = new long[spatial + 2];
      long[] wd = new long[spatial + 2];
      xd[0] = r.nextInt(1, 3);
      xd[1] = (long) cig * c.group;
      wd[0] = xd[1];
      wd[1] = cog;
      for (int i = 0; i < spatial; i++) {
        c.kernel[i] = r.nextInt(1, 4);
        c.stride[i] = r.nextInt(1, 3);
        c.adj[i] = r.nextInt(0, c.stride[i] + 1);
        c.pads[i] = r.nextInt(0, c.kernel[i]);
        c.pads[i + spatial] = r.nextInt(0, c.kernel[i]);
        xd[2 + i] = r.nextInt(1, maxIn + 1);
        // Keep the output positive: (in - 1) s + k + adj - pads >= 1.
        while ((xd[2 + i] - 1) * c.stride[i] + c.kernel[i] + c.adj[i] - c.pads[i] - c.pads[i + spatial] < 1) {
          xd[2 + i]++;
        }
        wd[2 + i] = c.kernel[i];
      }
      c.x = uniform(r, -1, 1, xd);
      c.w = uniform(r, -1, 1, wd);
      c.b = r.nextBoolean() ? uniform(r, -1, 1, (long) cog * c.group) : null;
      return c;
    }

    OperatorDef op(String order) {
      List<String> in = new ArrayList<>(List.of("X", "W"));
      if (b != null) {
        in.add("b");
      }
      return convT(in, ints("kernels", longs(kernel)), ints("strides", longs(stride)), ints("pads", longs(pads)),
          ints("adjs", longs(adj)), i("group", group), s("order", order));
    }

    Map<String, Tensor> feeds(boolean nhwc) {
      Tensor xf = nhwc ? ConvReference.channelsLast(x) : x;
      Tensor wf = nhwc ? ConvReference.channelsLast(w) : w;
      return b == null ? OperatorHarness.feeds("X", xf, "W", wf) : OperatorHarness.feeds("X", xf, "W", wf, "b", b);
    }

    private static long[] longs(int[] a) {
      return Arrays.stream(a).asLongStream().toArray();
    }

    @Override
    public String toString() {
      return "X " + Arrays.toString(x.dims()) + " W " + Arrays.toString(w.dims()) + " stride "
          + Arrays.toString(stride) + " pads " + Arrays.toString(pads) + " adj " + Arrays.toString(adj) + " group "
          + group;
    }
  }
}
