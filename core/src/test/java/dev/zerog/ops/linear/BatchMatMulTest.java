package dev.zerog.ops.linear;

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

import dev.zerog.GradientException;
import dev.zerog.ShapeException;
import dev.zerog.blas.Blas;
import dev.zerog.grad.BackwardPass;
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

/** BatchMatMul, with and without broadcasting, and its gradient (BatchMatMul ops). */
class BatchMatMulTest {
  private static OperatorDef batchMatMul(Argument... args) {
    return op("BatchMatMul", List.of("A", "B"), List.of("Y"), args);
  }

  /**
   * NumPy's matmul on DOUBLE tensors, written out: 1-D operands become a row (A) or a column (B) and lose that
   * dim, the batch dims broadcast, transposes apply to the last two dims of operands of rank >= 2.
   */
  private static Tensor reference(Tensor a, Tensor b, boolean transA, boolean transB) {
    long[] ad = a.dims();
    long[] bd = b.dims();
    boolean va = ad.length == 1;
    boolean vb = bd.length == 1;
    long[] am = va ? new long[] {1, ad[0]} : new long[] {ad[ad.length - 2], ad[ad.length - 1]};
    long[] bm = vb ? new long[] {bd[0], 1} : new long[] {bd[bd.length - 2], bd[bd.length - 1]};
    boolean ta = transA && !va;
    boolean tb = transB && !vb;
    int m = (int) (ta ? am[1] : am[0]);
    int k = (int) (ta ? am[0] : am[1]);
    int n = (int) (tb ? bm[0] : bm[1]);
    long[] aBatch = va ? new long[0] : Arrays.copyOf(ad, ad.length - 2);
    long[] bBatch = vb ? new long[0] : Arrays.copyOf(bd, bd.length - 2);
    int rank = Math.max(aBatch.length, bBatch.length);
    long[] yBatch = new long[rank];
    for (int d = 0; d < rank; d++) {
      long x = d - (rank - aBatch.length) >= 0 ? aBatch[d - (rank - aBatch.length)] : 1;
      long y = d - (rank - bBatch.length) >= 0 ? bBatch[d - (rank - bBatch.length)] : 1;
      yBatch[d] = Math.max(x, y);
    }
    int count = 1;
    for (long d : yBatch) {
      count *= (int) d;
    }
    double[] out = new double[count * m * n];
    long[] index = new long[rank];
    for (int p = 0; p < count; p++) {
      int aBase = (int) (batchOffset(index, aBatch) * am[0] * am[1]);
      int bBase = (int) (batchOffset(index, bBatch) * bm[0] * bm[1]);
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double s = 0;
          for (int q = 0; q < k; q++) {
            double av = ta ? a.getDouble(aBase + q * (int) am[1] + i) : a.getDouble(aBase + i * (int) am[1] + q);
            double bv = tb ? b.getDouble(bBase + j * (int) bm[1] + q) : b.getDouble(bBase + q * (int) bm[1] + j);
            s += av * bv;
          }
          out[p * m * n + i * n + j] = s;
        }
      }
      for (int d = rank - 1; d >= 0; d--) {
        if (++index[d] < yBatch[d]) {
          break;
        }
        index[d] = 0;
      }
    }
    long[] dims;
    if (va && vb) {
      dims = new long[] {1};
    } else {
      dims = Arrays.copyOf(yBatch, rank + (va ? 0 : 1) + (vb ? 0 : 1));
      int at = rank;
      if (!va) {
        dims[at++] = m;
      }
      if (!vb) {
        dims[at] = n;
      }
    }
    return Tensor.of(out, dims);
  }

  /** The flat batch index in {@code batch} (right-aligned, size-1 dims broadcast) of Y's batch index. */
  private static long batchOffset(long[] index, long[] batch) {
    long off = 0;
    int shift = index.length - batch.length;
    for (int d = 0; d < batch.length; d++) {
      off = off * batch[d] + (batch[d] == 1 ? 0 : index[d + shift]);
    }
    return off;
  }

  private static void checkAgainstReference(Tensor a, Tensor b, boolean transA, boolean transB, boolean broadcast,
      long... yDims) {
    Tensor y = run(batchMatMul(i("trans_a", transA ? 1 : 0), i("trans_b", transB ? 1 : 0),
        i("broadcast", broadcast ? 1 : 0)), feeds("A", a, "B", b)).fetch("Y");
    Tensor expected = reference(a, b, transA, transB);
    assertThat(expected.dims()).containsExactly(yDims);
    assertThat(y.dims()).containsExactly(yDims);
    assertThat(y.doubles()).containsExactly(expected.doubles(), within(1e-12));
  }

  @Test
  void multipliesEachBatchElement() {
    Tensor y = run(batchMatMul(), feeds("A", Tensor.of(new float[] {1, 2, 3, 4}, 2, 1, 2),
        "B", Tensor.of(new float[] {5, 6, 7, 8}, 2, 2, 1))).fetch("Y");
    assertThat(y.dtype()).isEqualTo(DataType.FLOAT);
    assertThat(y.dims()).containsExactly(2, 1, 1);
    assertThat(y.floats()).containsExactly(17, 53);
    // 2-D: a plain matrix product.
    Tensor m = run(batchMatMul(), feeds("A", Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3),
        "B", Tensor.of(new double[] {1, 0, 0, 1, 2, -1}, 3, 2))).fetch("Y");
    assertThat(m.doubles()).containsExactly(7, -1, 16, -1);
  }

  @Test
  void transposesAgreeWithTheReference() {
    SplittableRandom r = new SplittableRandom(8);
    checkAgainstReference(uniform(r, -1, 1, 2, 3, 3, 4), uniform(r, -1, 1, 2, 3, 4, 5), false, false, false,
        2, 3, 3, 5);
    checkAgainstReference(uniform(r, -1, 1, 2, 4, 3), uniform(r, -1, 1, 2, 4, 5), true, false, false, 2, 3, 5);
    checkAgainstReference(uniform(r, -1, 1, 2, 3, 4), uniform(r, -1, 1, 2, 5, 4), false, true, false, 2, 3, 5);
    checkAgainstReference(uniform(r, -1, 1, 2, 4, 3), uniform(r, -1, 1, 2, 5, 4), true, true, false, 2, 3, 5);
  }

  @Test
  void broadcastsAsNumPysMatmul() {
    SplittableRandom r = new SplittableRandom(9);
    // Batch dims [2, 1] against [5]: Y's batch is [2, 5].
    checkAgainstReference(uniform(r, -1, 1, 2, 1, 3, 4), uniform(r, -1, 1, 5, 4, 2), false, false, true,
        2, 5, 3, 2);
    // A without batch dims against B's [3].
    checkAgainstReference(uniform(r, -1, 1, 4, 3), uniform(r, -1, 1, 3, 2, 4), true, true, true, 3, 3, 2);
    // Size-1 dims on both sides.
    checkAgainstReference(uniform(r, -1, 1, 1, 3, 2, 2), uniform(r, -1, 1, 4, 1, 2, 3), false, false, true,
        4, 3, 2, 3);
    // 1-D A: a row, the M dim left out; trans_a does not apply to it.
    checkAgainstReference(uniform(r, -1, 1, 4), uniform(r, -1, 1, 3, 4, 2), true, false, true, 3, 2);
    checkAgainstReference(uniform(r, -1, 1, 4), uniform(r, -1, 1, 3, 2, 4), false, true, true, 3, 2);
    // 1-D B: a column, the N dim left out.
    checkAgainstReference(uniform(r, -1, 1, 2, 3, 4), uniform(r, -1, 1, 4), false, false, true, 2, 3);
    checkAgainstReference(uniform(r, -1, 1, 2, 4, 3), uniform(r, -1, 1, 4), true, true, true, 2, 3);
    // Two vectors: their dot product, shape [1].
    Tensor dot = run(batchMatMul(i("broadcast", 1)), feeds("A", Tensor.of(new float[] {1, 2, 3}),
        "B", Tensor.of(new float[] {4, 5, 6}))).fetch("Y");
    assertThat(dot.dims()).containsExactly(1);
    assertThat(dot.floats()).containsExactly(32);
  }

  @Test
  void zeroSizes() {
    assertThat(run(batchMatMul(), feeds("A", Tensor.of(new float[0], 0, 2, 3), "B", Tensor.of(new float[0], 0, 3, 4)))
        .fetch("Y").dims()).containsExactly(0, 2, 4);
    assertThat(run(batchMatMul(i("broadcast", 1)), feeds("A", Tensor.of(new float[0], 0, 1, 2, 3),
        "B", Tensor.of(new float[36], 3, 3, 4))).fetch("Y").dims()).containsExactly(0, 3, 2, 4);
    // K = 0: zeros, even over an output that held something.
    Workspace ws = new Workspace();
    ws.feed("A", Tensor.of(new float[0], 2, 2, 0));
    ws.feed("B", Tensor.of(new float[0], 2, 0, 3));
    float[] old = new float[12];
    Arrays.fill(old, Float.NaN);
    ws.feed("Y", Tensor.of(old, 2, 2, 3));
    Net.create(OpDefs.net(batchMatMul()), ws).run();
    assertThat(ws.fetch("Y").dims()).containsExactly(2, 2, 3);
    assertThat(ws.fetch("Y").floats()).containsOnly(0f);
  }

  @Test
  void errors() {
    ShapeException rank = catchThrowableOfType(ShapeException.class, () -> run(batchMatMul(), feeds(
        "A", Tensor.of(new float[24], 2, 3, 4), "B", Tensor.of(new float[20], 4, 5))));
    assertThat(rank.detail()).isEqualTo("BatchMatMul with broadcast=0 needs A and B of the same rank, at least 2, "
        + "but A 'A' is [2, 3, 4] and B 'B' is [4, 5]; set broadcast=1 to broadcast them as NumPy's matmul does");
    assertThat(rank.opType()).isEqualTo("BatchMatMul");
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(batchMatMul(), feeds(
        "A", Tensor.of(new float[3]), "B", Tensor.of(new float[3])))).detail())
        .startsWith("BatchMatMul with broadcast=0 needs A and B of the same rank, at least 2");
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(batchMatMul(), feeds(
        "A", Tensor.of(new float[12], 1, 3, 4), "B", Tensor.of(new float[60], 3, 4, 5)))).detail())
        .isEqualTo("BatchMatMul with broadcast=0 needs the same batch dims, but A 'A' is [1, 3, 4] and B 'B' is "
            + "[3, 4, 5] (dim 0: 1 vs 3); set broadcast=1 to broadcast them");
    ShapeException k = catchThrowableOfType(ShapeException.class, () -> run(batchMatMul(i("trans_a", 1)), feeds(
        "A", Tensor.of(new float[24], 2, 3, 4), "B", Tensor.of(new float[40], 2, 4, 5))));
    assertThat(k.detail()).isEqualTo("A 'A' [2, 3, 4] has K=3 (its second-to-last dim, trans_a=1) but B 'B' "
        + "[2, 4, 5] has 4 (its second-to-last dim)");
    assertThat(k.blob()).isEqualTo("B");
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(batchMatMul(i("broadcast", 1)), feeds(
        "A", Tensor.of(new float[24], 2, 3, 4), "B", Tensor.of(new float[60], 3, 4, 5)))).detail())
        .isEqualTo("the batch dims of A 'A' [2, 3, 4] and B 'B' [3, 4, 5] do not broadcast: 2 against 3");
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(batchMatMul(i("broadcast", 1)), feeds(
        "A", Tensor.of(new float[3]), "B", Tensor.of(new float[4])))).detail())
        .isEqualTo("A 'A' [3] has K=3 (its length) but B 'B' [4] has 4 (its length)");
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(batchMatMul(i("broadcast", 1)), feeds(
        "A", Tensor.scalar(1), "B", Tensor.of(new float[4])))).detail())
        .isEqualTo("BatchMatMul needs A and B of rank >= 1, but A 'A' is [] and B 'B' is [4]");
    assertThat(catchThrowableOfType(ShapeException.class, () -> run(batchMatMul(), feeds(
        "A", Tensor.of(new int[4], 2, 2), "B", Tensor.of(new int[4], 2, 2)))).detail())
        .isEqualTo("BatchMatMul supports FLOAT and DOUBLE tensors, but A 'A' is INT32 [2, 2]");
  }

  @Test
  void typeInference() {
    assertThat(infer(batchMatMul(i("trans_b", 1)), BlobType.of(DataType.FLOAT, 2, 3, 4),
        BlobType.of(DataType.FLOAT, 2, 5, 4))).containsExactly(BlobType.of(DataType.FLOAT, 2, 3, 5));
    assertThat(infer(batchMatMul(i("broadcast", 1)), BlobType.of(DataType.DOUBLE, 4),
        BlobType.of(DataType.DOUBLE, 7, 1, 4, 2))).containsExactly(BlobType.of(DataType.DOUBLE, 7, 1, 2));
    assertThat(infer(batchMatMul(i("broadcast", 1)), BlobType.of(DataType.FLOAT, 6, 1, 3, 4),
        BlobType.of(DataType.FLOAT, 5, 4, 2))).containsExactly(BlobType.of(DataType.FLOAT, 6, 5, 3, 2));
    assertThat(infer(batchMatMul(i("broadcast", 1)), BlobType.of(DataType.FLOAT, 4),
        BlobType.of(DataType.FLOAT, 4))).containsExactly(BlobType.of(DataType.FLOAT, 1));
    assertThat(infer(batchMatMul(), new BlobType(DataType.FLOAT, null), BlobType.of(DataType.FLOAT, 2, 2)))
        .containsExactly(new BlobType(DataType.FLOAT, null));
    assertThat(catchThrowableOfType(ShapeException.class, () -> infer(batchMatMul(),
        BlobType.of(DataType.FLOAT, 2, 3, 4), BlobType.of(DataType.FLOAT, 4, 5))).detail())
        .startsWith("BatchMatMul with broadcast=0 needs A and B of the same rank");
  }

  @Test
  void backwardPassEmitsCaffe2sGradientOps() {
    assertThat(gradientOps(batchMatMul(), "Y")).isEqualTo(canonical("""
        op { input: "Y" output: "Y_autogen_grad" type: "ConstantFill" arg { name: "value" f: 1 } }
        op { input: "Y_autogen_grad" input: "B" output: "A_grad" type: "BatchMatMul" arg { name: "trans_b" i: 1 }
             is_gradient_op: true }
        op { input: "A" input: "Y_autogen_grad" output: "B_grad" type: "BatchMatMul" arg { name: "trans_a" i: 1 }
             is_gradient_op: true }
        """));
    assertThat(gradientOps(batchMatMul(i("trans_a", 1), i("broadcast", 0)), "Y")).isEqualTo(canonical("""
        op { input: "Y" output: "Y_autogen_grad" type: "ConstantFill" arg { name: "value" f: 1 } }
        op { input: "B" input: "Y_autogen_grad" output: "A_grad" type: "BatchMatMul" arg { name: "trans_b" i: 1 }
             is_gradient_op: true }
        op { input: "A" input: "Y_autogen_grad" output: "B_grad" type: "BatchMatMul" is_gradient_op: true }
        """));
    assertThat(gradientOps(batchMatMul(i("trans_b", 1)), "Y")).isEqualTo(canonical("""
        op { input: "Y" output: "Y_autogen_grad" type: "ConstantFill" arg { name: "value" f: 1 } }
        op { input: "Y_autogen_grad" input: "B" output: "A_grad" type: "BatchMatMul" is_gradient_op: true }
        op { input: "Y_autogen_grad" input: "A" output: "B_grad" type: "BatchMatMul" arg { name: "trans_a" i: 1 }
             is_gradient_op: true }
        """));
    assertThat(gradientOps(batchMatMul(i("trans_a", 1), i("trans_b", 1)), "Y")).isEqualTo(canonical("""
        op { input: "Y" output: "Y_autogen_grad" type: "ConstantFill" arg { name: "value" f: 1 } }
        op { input: "B" input: "Y_autogen_grad" output: "A_grad" type: "BatchMatMul" arg { name: "trans_a" i: 1 }
             arg { name: "trans_b" i: 1 } is_gradient_op: true }
        op { input: "Y_autogen_grad" input: "A" output: "B_grad" type: "BatchMatMul" arg { name: "trans_a" i: 1 }
             arg { name: "trans_b" i: 1 } is_gradient_op: true }
        """));
  }

  @Test
  void noGradientWithBroadcast() {
    GradientException e = catchThrowableOfType(GradientException.class, () -> BackwardPass.build(
        OpDefs.net(batchMatMul(i("broadcast", 1))), List.of("Y")));
    assertThat(e.detail()).isEqualTo("Gradient is currently not supported with broadcast=1 for BatchMatMul.");
    assertThat(e.opType()).isEqualTo("BatchMatMul");
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    SplittableRandom r = new SplittableRandom(31);
    for (int trial = 0; trial < 12; trial++) {
      boolean transA = (trial & 1) != 0;
      boolean transB = (trial & 2) != 0;
      long m = r.nextInt(1, 4);
      long k = r.nextInt(1, 4);
      long n = r.nextInt(1, 4);
      // Rank 2, 3 or 4.
      int batchRank = trial % 3;
      long[] batch = new long[batchRank];
      for (int d = 0; d < batchRank; d++) {
        batch[d] = r.nextInt(1, 3);
      }
      long[] aDims = Arrays.copyOf(batch, batchRank + 2);
      long[] bDims = Arrays.copyOf(batch, batchRank + 2);
      aDims[batchRank] = transA ? k : m;
      aDims[batchRank + 1] = transA ? m : k;
      bDims[batchRank] = transB ? n : k;
      bDims[batchRank + 1] = transB ? k : n;
      GradientChecker checker = GradientChecker.forDouble().withSeed(trial);
      if (trial == 11) {
        checker = checker.withRegistry(registryWith(Blas.java()));
      }
      assertGradientsMatch(checker, batchMatMul(i("trans_a", transA ? 1 : 0), i("trans_b", transB ? 1 : 0)),
          feeds("A", uniform(r, -1, 1, aDims), "B", uniform(r, -1, 1, bDims)), 0, 1);
    }
  }

  @Test
  void runningAgainAllocatesNothing() {
    SplittableRandom r = new SplittableRandom(12);
    Workspace ws = new Workspace();
    ws.feed("A", OperatorHarness.uniformFloat(r, -1, 1, 2, 1, 3, 4));
    ws.feed("B", OperatorHarness.uniformFloat(r, -1, 1, 5, 4, 2));
    ws.feed("C", OperatorHarness.uniformFloat(r, -1, 1, 2, 4, 3));
    ws.feed("D", OperatorHarness.uniformFloat(r, -1, 1, 2, 5, 4));
    Net net = Net.create(OpDefs.net(batchMatMul(i("broadcast", 1)),
        op("BatchMatMul", List.of("C", "D"), List.of("Z"), i("trans_a", 1), i("trans_b", 1))), ws);
    assertThat(LinearTesting.bytesPerThousandRuns(net)).as("bytes allocated by 1000 runs").isLessThan(1000);
  }
}
