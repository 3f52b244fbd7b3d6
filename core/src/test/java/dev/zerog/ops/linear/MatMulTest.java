package dev.zerog.ops.linear;

import static dev.zerog.ops.linear.LinearTesting.product;
import static dev.zerog.ops.linear.LinearTesting.registryWith;
import static dev.zerog.testing.OpDefs.i;
import static dev.zerog.testing.OpDefs.op;
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

import dev.zerog.ShapeException;
import dev.zerog.blas.Blas;
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
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** MatMul and its gradient (MatMul ops with the shape input). */
class MatMulTest {
  private static OperatorDef matMul(Argument... args) {
    return op("MatMul", List.of("A", "B"), List.of("Y"), args);
  }

  @Test
  void multipliesMatrices() {
    Tensor y = run(matMul(), feeds("A", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3),
        "B", Tensor.of(new float[] {1, 0, 0, 1, 2, -1}, 3, 2))).fetch("Y");
    assertThat(y.dtype()).isEqualTo(DataType.FLOAT);
    assertThat(y.dims()).containsExactly(2, 2);
    assertThat(y.floats()).containsExactly(7, -1, 16, -1);
    Tensor yd = run(matMul(i("trans_a", 1)), feeds("A", Tensor.of(new double[] {1, 4, 2, 5, 3, 6}, 3, 2),
        "B", Tensor.of(new double[] {1, 0, 0, 1, 2, -1}, 3, 2))).fetch("Y");
    assertThat(yd.doubles()).containsExactly(7, -1, 16, -1);
  }

  @Test
  void transposesAndAxesAgreeWithTheReference() {
    SplittableRandom r = new SplittableRandom(4);
    for (int transA = 0; transA < 2; transA++) {
      for (int transB = 0; transB < 2; transB++) {
        // A [2, 3, 4] split at axis_a 2 is 6×4; B [4, 5] or [5, 4] at axis_b 1.
        Tensor a = uniform(r, -1, 1, 2, 3, 4);
        Tensor b = transA == 1 ? uniform(r, -1, 1, 6, 5) : uniform(r, -1, 1, 4, 5);
        if (transB == 1) {
          b = transA == 1 ? uniform(r, -1, 1, 5, 6) : uniform(r, -1, 1, 5, 4);
        }
        Tensor y = run(matMul(i("axis_a", 2), i("trans_a", transA), i("trans_b", transB)),
            feeds("A", a, "B", b)).fetch("Y");
        int m = transA == 1 ? 4 : 6;
        assertThat(y.dims()).containsExactly(m, 5);
        double[] expected = product(a.doubles(), 6, 4, transA == 1, b.doubles(), (int) b.dim(0), (int) b.dim(1),
            transB == 1);
        assertThat(y.doubles()).containsExactly(expected, within(1e-12));
      }
    }
    // axis_b: B [3, 4, 5] split at axis_b 2 is 12×5; A [2, 12]; and negative axes.
    Tensor a = uniform(r, -1, 1, 2, 12);
    Tensor b = uniform(r, -1, 1, 3, 4, 5);
    Tensor y = run(matMul(i("axis_b", -1)), feeds("A", a, "B", b)).fetch("Y");
    assertThat(y.dims()).containsExactly(2, 5);
    assertThat(y.doubles()).containsExactly(product(a.doubles(), 2, 12, false, b.doubles(), 12, 5, false),
        within(1e-12));
  }

  @Test
  void aThirdInputGivesYItsShape() {
    Tensor y = run(op("MatMul", List.of("A", "B", "S"), List.of("Y")), feeds("A", Tensor.of(new float[] {1, 2, 3, 4,
        5, 6}, 2, 3), "B", Tensor.of(new float[] {1, 0, 0, 1, 2, -1}, 3, 2), "S", Tensor.of(new int[4], 1, 4, 1)))
        .fetch("Y");
    assertThat(y.dtype()).isEqualTo(DataType.FLOAT);
    assertThat(y.dims()).containsExactly(1, 4, 1);
    assertThat(y.floats()).containsExactly(7, -1, 16, -1);
    ShapeException e = catchThrowableOfType(ShapeException.class, () -> run(op("MatMul", List.of("A", "B", "S"),
        List.of("Y")), feeds("A", Tensor.of(new float[6], 2, 3), "B", Tensor.of(new float[6], 3, 2),
        "S", Tensor.of(new float[6], 2, 3))));
    assertThat(e.detail()).isEqualTo("Y takes the shape of the third input 'S' [2, 3], which holds 6 elements, but "
        + "the product is 2×2 = 4");
    assertThat(e.blob()).isEqualTo("S");
  }

  @Test
  void zeroSizes() {
    assertThat(run(matMul(), feeds("A", Tensor.of(new float[0], 0, 3), "B", Tensor.of(new float[6], 3, 2)))
        .fetch("Y").dims()).containsExactly(0, 2);
    assertThat(run(matMul(), feeds("A", Tensor.of(new float[6], 2, 3), "B", Tensor.of(new float[0], 3, 0)))
        .fetch("Y").dims()).containsExactly(2, 0);
    // K = 0: zeros, even over an output that held something.
    Workspace ws = new Workspace();
    ws.feed("A", Tensor.of(new float[0], 2, 0));
    ws.feed("B", Tensor.of(new float[0], 0, 3));
    float[] old = new float[6];
    Arrays.fill(old, Float.NaN);
    ws.feed("Y", Tensor.of(old, 2, 3));
    Net.create(OpDefs.net(matMul()), ws).run();
    assertThat(ws.fetch("Y").dims()).containsExactly(2, 3);
    assertThat(ws.fetch("Y").floats()).containsOnly(0f);
  }

  @Test
  void errors() {
    ShapeException k = catchThrowableOfType(ShapeException.class, () -> run(matMul(i("trans_b", 1)), feeds(
        "A", Tensor.of(new float[6], 2, 3), "B", Tensor.of(new float[8], 2, 4))));
    assertThat(k.detail()).isEqualTo("A 'A' [2, 3] is read as 2×3 (split at axis_a 1) and B 'B' [2, 4] as 2×4 (split "
        + "at axis_b 1): A has K=3 columns but Bᵀ has 4 rows (trans_a=0, trans_b=1)");
    assertThat(k.blob()).isEqualTo("B");
    assertThat(k.opType()).isEqualTo("MatMul");
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(matMul(), feeds(
        "A", Tensor.of(new float[3]), "B", Tensor.of(new float[3], 3, 1)))).detail())
        .isEqualTo("axis_a 1 is out of range for A 'A' [3] of rank 1: it must lie in [-1, 1)");
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(matMul(), feeds(
        "A", Tensor.of(new float[6], 2, 3), "B", Tensor.of(new double[6], 3, 2)))).detail())
        .isEqualTo("B 'B' is DOUBLE but A 'A' is FLOAT; the inputs of MatMul must have the same type");
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(matMul(), feeds(
        "A", Tensor.of(new long[6], 2, 3), "B", Tensor.of(new long[6], 3, 2)))).detail())
        .isEqualTo("MatMul supports FLOAT and DOUBLE tensors, but A 'A' is INT64 [2, 3]");
  }

  @Test
  void typeInference() {
    assertThat(infer(matMul(i("axis_a", 2), i("trans_b", 1)), BlobType.of(DataType.FLOAT, 2, 3, 4),
        BlobType.of(DataType.FLOAT, 7, 4))).containsExactly(BlobType.of(DataType.FLOAT, 6, 7));
    assertThat(infer(op("MatMul", List.of("A", "B", "S"), List.of("Y")), BlobType.of(DataType.DOUBLE, 2, 3),
        BlobType.of(DataType.DOUBLE, 3, 4), BlobType.of(DataType.INT32, 2, 2, 2)))
        .containsExactly(BlobType.of(DataType.DOUBLE, 2, 2, 2));
    assertThat(infer(matMul(), BlobType.UNKNOWN, BlobType.of(DataType.FLOAT, 3, 4)))
        .containsExactly(new BlobType(DataType.FLOAT, null));
    assertThat(catchThrowableOfType(ShapeException.class, () -> infer(matMul(), BlobType.of(DataType.FLOAT, 2, 3),
        BlobType.of(DataType.FLOAT, 4, 4))).detail()).contains("A has K=3 columns but B has 4 rows");
  }

  @Test
  void backwardPassEmitsCaffe2sGradientOps() {
    assertThat(gradientOps(matMul(), "Y")).isEqualTo(canonical("""
        op { input: "Y" output: "Y_autogen_grad" type: "ConstantFill" arg { name: "value" f: 1 } }
        op { input: "Y_autogen_grad" input: "B" input: "A" output: "A_grad" type: "MatMul"
             arg { name: "trans_b" i: 1 } arg { name: "axis_b" i: 1 } is_gradient_op: true }
        op { input: "A" input: "Y_autogen_grad" input: "B" output: "B_grad" type: "MatMul"
             arg { name: "trans_a" i: 1 } arg { name: "axis_a" i: 1 } is_gradient_op: true }
        """));
    assertThat(gradientOps(matMul(i("trans_a", 1), i("trans_b", 1), i("axis_a", 0), i("axis_b", 2)), "Y"))
        .isEqualTo(canonical("""
        op { input: "Y" output: "Y_autogen_grad" type: "ConstantFill" arg { name: "value" f: 1 } }
        op { input: "B" input: "Y_autogen_grad" input: "A" output: "A_grad" type: "MatMul"
             arg { name: "trans_a" i: 1 } arg { name: "trans_b" i: 1 } arg { name: "axis_a" i: 2 }
             is_gradient_op: true }
        op { input: "Y_autogen_grad" input: "A" input: "B" output: "B_grad" type: "MatMul"
             arg { name: "trans_a" i: 1 } arg { name: "trans_b" i: 1 } arg { name: "axis_b" i: 0 }
             is_gradient_op: true }
        """));
    assertThat(gradientOps(matMul(i("trans_a", 1)), "Y")).isEqualTo(canonical("""
        op { input: "Y" output: "Y_autogen_grad" type: "ConstantFill" arg { name: "value" f: 1 } }
        op { input: "B" input: "Y_autogen_grad" input: "A" output: "A_grad" type: "MatMul"
             arg { name: "trans_b" i: 1 } arg { name: "axis_a" i: 1 } is_gradient_op: true }
        op { input: "A" input: "Y_autogen_grad" input: "B" output: "B_grad" type: "MatMul"
             arg { name: "axis_a" i: 1 } is_gradient_op: true }
        """));
    assertThat(gradientOps(matMul(i("trans_b", 1)), "Y")).isEqualTo(canonical("""
        op { input: "Y" output: "Y_autogen_grad" type: "ConstantFill" arg { name: "value" f: 1 } }
        op { input: "Y_autogen_grad" input: "B" input: "A" output: "A_grad" type: "MatMul"
             arg { name: "axis_b" i: 1 } is_gradient_op: true }
        op { input: "Y_autogen_grad" input: "A" input: "B" output: "B_grad" type: "MatMul"
             arg { name: "trans_a" i: 1 } arg { name: "axis_b" i: 1 } is_gradient_op: true }
        """));
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    SplittableRandom r = new SplittableRandom(77);
    for (int trial = 0; trial < 16; trial++) {
      boolean transA = (trial & 1) != 0;
      boolean transB = (trial & 2) != 0;
      long m = r.nextInt(1, 4);
      long k = r.nextInt(1, 4);
      long n = r.nextInt(1, 4);
      // A's matrix op(A) is m×k; stored (transA ? k×m : m×k), as 2-D or split into 3-D at axis_a 1 or 2.
      long[] aMatrix = transA ? new long[] {k, m} : new long[] {m, k};
      long[] bMatrix = transB ? new long[] {n, k} : new long[] {k, n};
      int axisA = (trial & 4) != 0 ? 2 : 1;
      int axisB = (trial & 8) != 0 ? 2 : 1;
      long[] aDims = axisA == 2 ? new long[] {aMatrix[0], 1, aMatrix[1]} : aMatrix;
      long[] bDims = axisB == 2 ? new long[] {1, bMatrix[0], bMatrix[1]} : bMatrix;
      OperatorDef op = matMul(i("trans_a", transA ? 1 : 0), i("trans_b", transB ? 1 : 0), i("axis_a", axisA),
          i("axis_b", axisB));
      GradientChecker checker = GradientChecker.forDouble().withSeed(trial);
      if (trial == 15) {
        checker = checker.withRegistry(registryWith(Blas.java()));
      }
      assertGradientsMatch(checker, op, feeds("A", uniform(r, -1, 1, aDims), "B", uniform(r, -1, 1, bDims)), 0, 1);
    }
  }

  @Test
  void runningAgainAllocatesNothing() {
    SplittableRandom r = new SplittableRandom(6);
    Workspace ws = new Workspace();
    ws.feed("A", OperatorHarness.uniformFloat(r, -1, 1, 4, 2, 3));
    ws.feed("B", OperatorHarness.uniformFloat(r, -1, 1, 5, 3));
    Net net = Net.create(OpDefs.net(matMul(i("axis_a", 2), i("trans_b", 1)),
        op("MatMul", List.of("A", "B", "S"), List.of("Z"), i("axis_a", 2), i("trans_b", 1))),
        withShape(ws));
    assertThat(LinearTesting.bytesPerThousandRuns(net)).as("bytes allocated by 1000 runs").isLessThan(1000);
  }

  private static Workspace withShape(Workspace ws) {
    ws.feed("S", Tensor.allocate(DataType.INT32, 2, 4, 5));
    return ws;
  }
}
