package dev.zerog.ops.linear;

import static dev.zerog.ops.linear.LinearTesting.bytesPerThousandRuns;
import static dev.zerog.ops.linear.LinearTesting.product;
import static dev.zerog.ops.linear.LinearTesting.registryWith;
import static dev.zerog.ops.linear.LinearTesting.values;
import static dev.zerog.testing.OpDefs.i;
import static dev.zerog.testing.OpDefs.op;
import static dev.zerog.testing.OperatorHarness.assertGradientsMatch;
import static dev.zerog.testing.OperatorHarness.canonical;
import static dev.zerog.testing.OperatorHarness.feeds;
import static dev.zerog.testing.OperatorHarness.gradientOps;
import static dev.zerog.testing.OperatorHarness.infer;
import static dev.zerog.testing.OperatorHarness.run;
import static dev.zerog.testing.OperatorHarness.uniform;
import static dev.zerog.testing.OperatorHarness.uniformFloat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import dev.zerog.SchemaException;
import dev.zerog.ShapeException;
import dev.zerog.blas.Blas;
import dev.zerog.grad.GradientChecker;
import dev.zerog.net.Net;
import dev.zerog.op.BlobType;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.testing.OpDefs;
import dev.zerog.workspace.Workspace;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** FC, FCTransposed and their gradient ops FCGradient and FCTransposedGradient. */
class FullyConnectedTest {
  private static OperatorDef fc(Argument... args) {
    return op("FC", List.of("X", "W", "b"), List.of("Y"), args);
  }

  private static OperatorDef fcTransposed(Argument... args) {
    return op("FCTransposed", List.of("X", "W", "b"), List.of("Y"), args);
  }

  private static OperatorDef gradient(String type, int outputs, Argument... args) {
    return op(type, List.of("X", "W", "dY"), List.of("dW", "db", "dX").subList(0, outputs), args);
  }

  /** W (N×K) transposed into K×N. */
  private static double[] transpose(double[] a, int rows, int cols) {
    double[] t = new double[a.length];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        t[j * rows + i] = a[i * cols + j];
      }
    }
    return t;
  }

  @Test
  void computesXTimesWTransposedPlusB() {
    float[] x = {1, 2, 3, 4, 5, 6};
    float[] w = {1, 0, -1, 0.5f, 1, 2};
    float[] b = {10, -1};
    Tensor y = run(fc(), feeds("X", Tensor.of(x, 2, 3), "W", Tensor.of(w, 2, 3), "b", Tensor.of(b))).fetch("Y");
    assertThat(y.dtype()).isEqualTo(DataType.FLOAT);
    assertThat(y.dims()).containsExactly(2, 2);
    assertThat(y.floats()).containsExactly(8f, 7.5f, 8f, 18f);
    // FCTransposed with W stored K×N gives the same.
    float[] wt = {1, 0.5f, 0, 1, -1, 2};
    Tensor yt = run(fcTransposed(), feeds("X", Tensor.of(x, 2, 3), "W", Tensor.of(wt, 3, 2), "b", Tensor.of(b)))
        .fetch("Y");
    assertThat(yt.dims()).containsExactly(2, 2);
    assertThat(yt.floats()).containsExactly(8f, 7.5f, 8f, 18f);
    // DOUBLE too.
    Tensor yd = run(fc(), feeds("X", Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3),
        "W", Tensor.of(new double[] {1, 0, -1, 0.5, 1, 2}, 2, 3), "b", Tensor.of(new double[] {10, -1})))
        .fetch("Y");
    assertThat(yd.doubles()).containsExactly(8, 7.5, 8, 18);
  }

  @Test
  void axisAndAxisWFlattenXAndW() {
    SplittableRandom r = new SplittableRandom(1);
    // X [2, 3, 4] at axis 2: M = 6, K = 4; W [5, 4]; Y [2, 3, 5].
    checkAgainstReference(fc(i("axis", 2)), uniform(r, -1, 1, 2, 3, 4), uniform(r, -1, 1, 5, 4),
        uniform(r, -1, 1, 5), new long[] {2, 3, 5}, 6, 4, 5, false);
    // axis -1 is axis 2 here.
    checkAgainstReference(fc(i("axis", -1)), uniform(r, -1, 1, 2, 3, 4), uniform(r, -1, 1, 5, 4),
        uniform(r, -1, 1, 5), new long[] {2, 3, 5}, 6, 4, 5, false);
    // X [2, 2, 3] at the default axis 1: K = 6; W [4, 2, 3] at axis_w 1: N = 4, K = 6; Y [2, 4].
    checkAgainstReference(fc(), uniform(r, -1, 1, 2, 2, 3), uniform(r, -1, 1, 4, 2, 3), uniform(r, -1, 1, 4),
        new long[] {2, 4}, 2, 6, 4, false);
    // W [2, 2, 3] at axis_w 2: N = 4, K = 3.
    checkAgainstReference(fc(i("axis", 2), i("axis_w", 2)), uniform(r, -1, 1, 2, 5, 3), uniform(r, -1, 1, 2, 2, 3),
        uniform(r, -1, 1, 4), new long[] {2, 5, 4}, 10, 3, 4, false);
    // axis 0: M = 1, Y [N].
    checkAgainstReference(fc(i("axis", 0)), uniform(r, -1, 1, 2, 3), uniform(r, -1, 1, 5, 6), uniform(r, -1, 1, 5),
        new long[] {5}, 1, 6, 5, false);
    // FCTransposed: W [3, 2, 4] at axis_w 1 is K×N = 3×8.
    checkAgainstReference(fcTransposed(), uniform(r, -1, 1, 4, 3), uniform(r, -1, 1, 3, 2, 4), uniform(r, -1, 1, 8),
        new long[] {4, 8}, 4, 3, 8, true);
    // FCTransposed: W [3, 2, 4] at axis_w 2 is K×N = 6×4.
    checkAgainstReference(fcTransposed(i("axis_w", -1)), uniform(r, -1, 1, 4, 3, 2), uniform(r, -1, 1, 3, 2, 4),
        uniform(r, -1, 1, 4), new long[] {4, 4}, 4, 6, 4, true);
  }

  private static void checkAgainstReference(OperatorDef op, Tensor x, Tensor w, Tensor b, long[] yDims, int m,
      int k, int n, boolean transposed) {
    Tensor y = run(op, feeds("X", x, "W", w, "b", b)).fetch("Y");
    assertThat(y.dims()).as("%s", op).containsExactly(yDims);
    double[] expected = product(x.doubles(), m, k, false, w.doubles(), transposed ? k : n, transposed ? n : k,
        !transposed);
    for (int row = 0; row < m; row++) {
      for (int j = 0; j < n; j++) {
        expected[row * n + j] += b.doubles()[j];
      }
    }
    assertThat(y.doubles()).containsExactly(expected, within(1e-12));
  }

  @Test
  void zeroSizes() {
    // M = 0: Y is [0, N].
    Tensor y = run(fc(), feeds("X", Tensor.of(new float[0], 0, 3), "W", Tensor.of(new float[6], 2, 3),
        "b", Tensor.of(new float[2]))).fetch("Y");
    assertThat(y.dims()).containsExactly(0, 2);
    // N = 0: Y is [M, 0].
    y = run(fc(), feeds("X", Tensor.of(new float[6], 2, 3), "W", Tensor.of(new float[0], 0, 3),
        "b", Tensor.of(new float[0]))).fetch("Y");
    assertThat(y.dims()).containsExactly(2, 0);
    // K = 0: every row is b.
    y = run(fc(), feeds("X", Tensor.of(new float[0], 2, 0), "W", Tensor.of(new float[0], 3, 0),
        "b", Tensor.of(new float[] {1, 2, 3}))).fetch("Y");
    assertThat(y.dims()).containsExactly(2, 3);
    assertThat(y.floats()).containsExactly(1, 2, 3, 1, 2, 3);
    y = run(fcTransposed(), feeds("X", Tensor.of(new float[0], 2, 0), "W", Tensor.of(new float[0], 0, 3),
        "b", Tensor.of(new float[] {1, 2, 3}))).fetch("Y");
    assertThat(y.floats()).containsExactly(1, 2, 3, 1, 2, 3);

    // Gradients: M = 0 gives zero dW and db; K = 0 gives db = the column sums of dY.
    Workspace ws = run(gradient("FCGradient", 3), feeds("X", Tensor.of(new float[0], 0, 3),
        "W", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3), "dY", Tensor.of(new float[0], 0, 2)));
    assertThat(ws.fetch("dW").dims()).containsExactly(2, 3);
    assertThat(ws.fetch("dW").floats()).containsOnly(0f);
    assertThat(ws.fetch("db").floats()).containsExactly(0f, 0f);
    assertThat(ws.fetch("dX").dims()).containsExactly(0, 3);
    ws = run(gradient("FCGradient", 3), feeds("X", Tensor.of(new float[0], 2, 0), "W", Tensor.of(new float[0], 3, 0),
        "dY", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3)));
    assertThat(ws.fetch("dW").dims()).containsExactly(3, 0);
    assertThat(ws.fetch("db").floats()).containsExactly(5f, 7f, 9f);
    assertThat(ws.fetch("dX").dims()).containsExactly(2, 0);
  }

  @Test
  void gradientValues() {
    // X [2, 3], W [2, 3], dY [2, 2]: dW = dYᵀ·X, db = column sums of dY, dX = dY·W.
    double[] x = {1, 2, 3, 4, 5, 6};
    double[] w = {1, 0, -1, 0.5, 1, 2};
    double[] dy = {1, -1, 2, 0.5};
    Workspace ws = run(gradient("FCGradient", 3), feeds("X", Tensor.of(x.clone(), 2, 3),
        "W", Tensor.of(w.clone(), 2, 3), "dY", Tensor.of(dy.clone(), 2, 2)));
    assertThat(ws.fetch("dW").dims()).containsExactly(2, 3);
    assertThat(ws.fetch("dW").doubles()).containsExactly(9, 12, 15, 1, 0.5, 0);
    assertThat(ws.fetch("db").dims()).containsExactly(2);
    assertThat(ws.fetch("db").doubles()).containsExactly(3, -0.5);
    assertThat(ws.fetch("dX").dims()).containsExactly(2, 3);
    assertThat(ws.fetch("dX").doubles()).containsExactly(0.5, -1, -3, 2.25, 0.5, -1);
    // FCTransposedGradient with W stored K×N: dW is the transpose of the above, the rest the same.
    ws = run(gradient("FCTransposedGradient", 3), feeds("X", Tensor.of(x.clone(), 2, 3),
        "W", Tensor.of(transpose(w, 2, 3), 3, 2), "dY", Tensor.of(dy.clone(), 2, 2)));
    assertThat(ws.fetch("dW").dims()).containsExactly(3, 2);
    assertThat(ws.fetch("dW").doubles()).containsExactly(9, 1, 12, 0.5, 15, 0);
    assertThat(ws.fetch("db").doubles()).containsExactly(3, -0.5);
    assertThat(ws.fetch("dX").doubles()).containsExactly(0.5, -1, -3, 2.25, 0.5, -1);
    // With two outputs, dX is not computed.
    ws = run(gradient("FCGradient", 2), feeds("X", Tensor.of(x.clone(), 2, 3), "W", Tensor.of(w.clone(), 2, 3),
        "dY", Tensor.of(dy.clone(), 2, 2)));
    assertThat(ws.fetch("db").doubles()).containsExactly(3, -0.5);
    assertThat(ws.hasBlob("dX")).isFalse();
    // A known-zero dY gives known-zero gradients, allocating nothing.
    ws = run(gradient("FCGradient", 3), feeds("X", Tensor.of(x.clone(), 2, 3), "W", Tensor.of(w.clone(), 2, 3),
        "dY", Tensor.zeros(DataType.DOUBLE, 2, 2)));
    assertThat(ws.fetch("dW").isKnownZero()).isTrue();
    assertThat(ws.fetch("dW").dims()).containsExactly(2, 3);
    assertThat(ws.fetch("db").isKnownZero()).isTrue();
    assertThat(ws.fetch("dX").isKnownZero()).isTrue();
    assertThat(ws.fetch("dX").dims()).containsExactly(2, 3);
  }

  @Test
  void caffe2ArgumentsIgnoredOnTheCpuAreAccepted() {
    Tensor y = run(fc(i("float16_compute", 1)), feeds("X", Tensor.of(new float[] {1, 2}, 1, 2),
        "W", Tensor.of(new float[] {3, 4}, 1, 2), "b", Tensor.of(new float[] {0.5f}))).fetch("Y");
    assertThat(y.floats()).containsExactly(11.5f);
  }

  @Test
  void errors() {
    Map<String, Tensor> inputs = feeds("X", Tensor.of(new float[600], 2, 300), "W", Tensor.of(new float[2000], 10,
        200), "b", Tensor.of(new float[10]));
    ShapeException k = catchThrowableOfType(ShapeException.class, () -> run(fc(), inputs));
    assertThat(k.detail()).isEqualTo("X 'X' [2, 300] has K=300 columns after flattening at axis 1, but W 'W' "
        + "[10, 200] has 200 columns after flattening at axis_w 1; FC needs W as N×K");
    assertThat(k.blob()).isEqualTo("W");
    assertThat(k.opType()).isEqualTo("FC");
    assertThat(k.opIndex()).isEqualTo(0);
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(fcTransposed(), feeds(
        "X", Tensor.of(new float[6], 2, 3), "W", Tensor.of(new float[8], 2, 4), "b", Tensor.of(new float[4]))))
        .detail()).isEqualTo("X 'X' [2, 3] has K=3 columns after flattening at axis 1, but W 'W' [2, 4] has 2 "
            + "rows after flattening at axis_w 1; FCTransposed needs W as K×N");
    ShapeException bias = catchThrowableOfType(ShapeException.class, () -> run(fc(), feeds(
        "X", Tensor.of(new float[6], 2, 3), "W", Tensor.of(new float[12], 4, 3), "b", Tensor.of(new float[4], 1, 4))));
    assertThat(bias.detail()).isEqualTo("b 'b' has shape [1, 4], but FC needs a 1-D bias of N=4 elements, N being "
        + "W 'W' [4, 3] rows after flattening at axis_w 1");
    assertThat(bias.blob()).isEqualTo("b");
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(fc(), feeds(
        "X", Tensor.of(new float[6], 2, 3), "W", Tensor.of(new float[12], 4, 3), "b", Tensor.of(new float[3]))))
        .detail()).startsWith("b 'b' has shape [3], but FC needs a 1-D bias of N=4 elements");
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(fc(i("axis", 2)), feeds(
        "X", Tensor.of(new float[6], 2, 3), "W", Tensor.of(new float[12], 4, 3), "b", Tensor.of(new float[4]))))
        .detail()).isEqualTo("axis 2 is out of range for X 'X' [2, 3] of rank 2: it must lie in [-2, 2)");
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(fc(i("axis_w", -3)), feeds(
        "X", Tensor.of(new float[6], 2, 3), "W", Tensor.of(new float[12], 4, 3), "b", Tensor.of(new float[4]))))
        .detail()).isEqualTo("axis_w -3 is out of range for W 'W' [4, 3] of rank 2: it must lie in [-2, 2)");
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(fc(), feeds(
        "X", Tensor.of(new int[6], 2, 3), "W", Tensor.of(new int[12], 4, 3), "b", Tensor.of(new int[4]))))
        .detail()).isEqualTo("FC supports FLOAT and DOUBLE tensors, but X 'X' is INT32 [2, 3]");
    ShapeException mixed = catchThrowableOfType(ShapeException.class, () -> run(fc(), feeds(
        "X", Tensor.of(new float[6], 2, 3), "W", Tensor.of(new double[12], 4, 3), "b", Tensor.of(new float[4]))));
    assertThat(mixed.detail()).isEqualTo("W 'W' is DOUBLE but X 'X' is FLOAT; the inputs of FC must have the same "
        + "type");
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(gradient("FCGradient", 3), feeds(
        "X", Tensor.of(new float[6], 2, 3), "W", Tensor.of(new float[12], 4, 3), "dY", Tensor.of(new float[6], 2, 3))))
        .detail()).isEqualTo("dY 'dY' has shape [2, 3] (6 elements), but FC's output for X 'X' [2, 3] and W 'W' "
            + "[4, 3] has M·N = 2·4 = 8 elements");
    assertThat(catchThrowableOfType(SchemaException.class, () -> run(fc(OpDefs.f("axis", 1)), feeds(
        "X", Tensor.of(new float[6], 2, 3), "W", Tensor.of(new float[12], 4, 3), "b", Tensor.of(new float[4]))))
        .detail()).isEqualTo("argument 'axis' must be an integer (i), found a float (f)");
  }

  @Test
  void typeInference() {
    assertThat(infer(fc(), BlobType.of(DataType.FLOAT, 8, 3, 4), BlobType.of(DataType.FLOAT, 5, 12),
        BlobType.of(DataType.FLOAT, 5))).containsExactly(BlobType.of(DataType.FLOAT, 8, 5));
    assertThat(infer(fc(i("axis", 2), i("axis_w", 2)), BlobType.of(DataType.DOUBLE, 8, 3, 4),
        BlobType.of(DataType.DOUBLE, 5, 2, 4), BlobType.UNKNOWN)).containsExactly(BlobType.of(DataType.DOUBLE, 8, 3,
        10));
    assertThat(infer(fcTransposed(), BlobType.of(DataType.FLOAT, 8, 12), BlobType.of(DataType.FLOAT, 12, 5),
        BlobType.of(DataType.FLOAT, 5))).containsExactly(BlobType.of(DataType.FLOAT, 8, 5));
    assertThat(infer(fc(), new BlobType(DataType.FLOAT, null), BlobType.of(DataType.FLOAT, 5, 12),
        BlobType.UNKNOWN)).containsExactly(new BlobType(DataType.FLOAT, null));
    assertThat(catchThrowableOfType(ShapeException.class, () -> infer(fc(), BlobType.of(DataType.FLOAT, 2, 300),
        BlobType.of(DataType.FLOAT, 10, 200), BlobType.UNKNOWN)).detail())
        .startsWith("X 'X' [2, 300] has K=300 columns after flattening at axis 1, but W 'W' [10, 200] has 200");
    assertThat(catchThrowableOfType(ShapeException.class, () -> infer(fc(), BlobType.of(DataType.FLOAT, 2, 3),
        BlobType.of(DataType.DOUBLE, 10, 3), BlobType.UNKNOWN)).detail())
        .isEqualTo("input 1 'W' is DOUBLE but input 0 'X' is FLOAT; the inputs of FC must have the same type");

    assertThat(infer(gradient("FCGradient", 3), BlobType.of(DataType.FLOAT, 8, 3, 4),
        BlobType.of(DataType.FLOAT, 5, 12), BlobType.of(DataType.FLOAT, 8, 5))).containsExactly(
        BlobType.of(DataType.FLOAT, 5, 12), BlobType.of(DataType.FLOAT, 5), BlobType.of(DataType.FLOAT, 8, 3, 4));
    // FCTransposedGradient's db has N = W's dims from axis_w on.
    assertThat(infer(gradient("FCTransposedGradient", 2), BlobType.UNKNOWN, BlobType.of(DataType.DOUBLE, 12, 5),
        BlobType.UNKNOWN)).containsExactly(BlobType.of(DataType.DOUBLE, 12, 5), BlobType.of(DataType.DOUBLE, 5));
  }

  @Test
  void backwardPassEmitsCaffe2sGradientOps() {
    assertThat(gradientOps(fc(i("axis_w", 1), i("float16_compute", 0)), "Y")).isEqualTo(canonical("""
        op { input: "Y" output: "Y_autogen_grad" type: "ConstantFill" arg { name: "value" f: 1 } }
        op { input: "X" input: "W" input: "Y_autogen_grad" output: "W_grad" output: "b_grad" output: "X_grad"
             type: "FCGradient" arg { name: "axis_w" i: 1 } arg { name: "float16_compute" i: 0 }
             is_gradient_op: true }
        """));
    assertThat(gradientOps(fcTransposed(i("axis", 2)), "Y")).isEqualTo(canonical("""
        op { input: "Y" output: "Y_autogen_grad" type: "ConstantFill" arg { name: "value" f: 1 } }
        op { input: "X" input: "W" input: "Y_autogen_grad" output: "W_grad" output: "b_grad" output: "X_grad"
             type: "FCTransposedGradient" arg { name: "axis" i: 2 } is_gradient_op: true }
        """));
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    SplittableRandom r = new SplittableRandom(2024);
    for (int trial = 0; trial < 12; trial++) {
      boolean transposed = trial % 2 == 1;
      // X [a, b, c] split at axis 1 or 2; W split at axis_w 1 or 2.
      long[] xDims = {r.nextInt(1, 4), r.nextInt(1, 4), r.nextInt(1, 4)};
      int axis = r.nextInt(1, 3);
      long k = xDims[axis] * (axis == 1 ? xDims[2] : 1);
      long n = r.nextInt(1, 5);
      int axisW = r.nextInt(1, 3);
      long[] wDims;
      if (axisW == 1) {
        wDims = transposed ? new long[] {k, n} : new long[] {n, k};
      } else {
        // Split the first part in two: n = n·1 for FC, k = k·1 for FCTransposed.
        wDims = transposed ? new long[] {k, 1, n} : new long[] {n, 1, k};
      }
      OperatorDef op = op(transposed ? "FCTransposed" : "FC", List.of("X", "W", "b"), List.of("Y"),
          i("axis", axis), i("axis_w", axisW));
      assertGradientsMatch(GradientChecker.forDouble(), op, feeds("X", uniform(r, -1, 1, xDims),
          "W", uniform(r, -1, 1, wDims), "b", uniform(r, -1, 1, n)), 0, 1, 2);
    }
  }

  @Test
  void javaBlasGivesTheSameResultsAsTheDefault() {
    Blas java = Blas.java();
    SplittableRandom r = new SplittableRandom(5);
    Tensor x = uniformFloat(r, -1, 1, 33, 70);
    Tensor w = uniformFloat(r, -1, 1, 21, 70);
    Tensor b = uniformFloat(r, -1, 1, 21);
    Tensor dy = uniformFloat(r, -1, 1, 33, 21);
    NetDef net = OpDefs.net(fc(), op("FCGradient", List.of("X", "W", "dY"), List.of("dW", "db", "dX")));
    Workspace javaWs = runNet(net, registryWith(java), x, w, b, dy);
    Workspace defaultWs = runNet(net, OperatorRegistry.standard(), x, w, b, dy);
    for (String blob : List.of("Y", "dW", "db", "dX")) {
      assertThat(javaWs.fetch(blob).dims()).isEqualTo(defaultWs.fetch(blob).dims());
      assertThat(javaWs.fetch(blob).floats()).as(blob).containsExactly(defaultWs.fetch(blob).floats(),
          within(1e-4f));
    }
    // And against the double-precision reference.
    double[] expected = product(values(x), 33, 70, false, values(w), 21, 70, true);
    for (int i = 0; i < 33; i++) {
      for (int j = 0; j < 21; j++) {
        expected[i * 21 + j] += b.floats()[j];
      }
    }
    assertThat(values(javaWs.fetch("Y"))).containsExactly(expected, within(1e-4));
    // The gradient checker passes on the Java path too.
    assertGradientsMatch(GradientChecker.forDouble().withRegistry(registryWith(java)), fcTransposed(),
        feeds("X", uniform(r, -1, 1, 3, 4), "W", uniform(r, -1, 1, 4, 2), "b", uniform(r, -1, 1, 2)), 0, 1, 2);
  }

  private static Workspace runNet(NetDef net, OperatorRegistry registry, Tensor... inputs) {
    Workspace ws = new Workspace();
    ws.feed("X", inputs[0].copy());
    ws.feed("W", inputs[1].copy());
    ws.feed("b", inputs[2].copy());
    ws.feed("dY", inputs[3].copy());
    Net.create(net, ws, registry).run();
    return ws;
  }

  @Test
  void runningAgainAllocatesNothing() {
    SplittableRandom r = new SplittableRandom(3);
    Workspace ws = new Workspace();
    ws.feed("X", uniformFloat(r, -1, 1, 8, 2, 3));
    ws.feed("W", uniformFloat(r, -1, 1, 4, 6));
    ws.feed("W2", uniformFloat(r, -1, 1, 3, 4));
    ws.feed("b", uniformFloat(r, -1, 1, 4));
    ws.feed("dY", uniformFloat(r, -1, 1, 8, 4));
    Net net = Net.create(OpDefs.net(fc(),
        op("FCTransposed", List.of("X", "W2", "b"), List.of("Y2"), i("axis", 2)),
        op("FCGradient", List.of("X", "W", "dY"), List.of("dW", "db", "dX"))), ws);
    assertThat(bytesPerThousandRuns(net)).as("bytes allocated by 1000 runs").isLessThan(1000);
  }
}
