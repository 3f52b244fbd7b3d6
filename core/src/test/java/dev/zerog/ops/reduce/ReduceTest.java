package dev.zerog.ops.reduce;

import static dev.zerog.testing.OpDefs.i;
import static dev.zerog.testing.OpDefs.ints;
import static dev.zerog.testing.OpDefs.op;
import static dev.zerog.testing.OperatorHarness.assertGradientsMatch;
import static dev.zerog.testing.OperatorHarness.canonical;
import static dev.zerog.testing.OperatorHarness.feeds;
import static dev.zerog.testing.OperatorHarness.gradientOps;
import static dev.zerog.testing.OperatorHarness.infer;
import static dev.zerog.testing.OperatorHarness.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import dev.zerog.ShapeException;
import dev.zerog.grad.GradientChecker;
import dev.zerog.net.Net;
import dev.zerog.op.BlobType;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import dev.zerog.testing.OpDefs;
import dev.zerog.testing.OperatorHarness;
import dev.zerog.workspace.Workspace;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ReduceTest {
  private static OperatorDef reduce(String type, Argument... args) {
    return op(type, List.of("X"), List.of("Y"), args);
  }

  private static final Tensor M = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);

  @Test
  void sumsOverAxes() {
    Tensor cols = run(reduce("ReduceSum", ints("axes", 0)), feeds("X", M)).fetch("Y");
    assertThat(cols.dims()).containsExactly(1, 3);
    assertThat(cols.floats()).containsExactly(5, 7, 9);
    Tensor rows = run(reduce("ReduceSum", ints("axes", 1), i("keepdims", 0)), feeds("X", M)).fetch("Y");
    assertThat(rows.dims()).containsExactly(2);
    assertThat(rows.floats()).containsExactly(6, 15);
    Tensor all = run(reduce("ReduceSum"), feeds("X", M)).fetch("Y");
    assertThat(all.dims()).containsExactly(1, 1);
    assertThat(all.floats()).containsExactly(21);
    Tensor scalar = run(reduce("ReduceSum", i("keepdims", 0)), feeds("X", M)).fetch("Y");
    assertThat(scalar.dims()).isEmpty();
    assertThat(scalar.floats()).containsExactly(21);
    // Negative and repeated axes.
    assertThat(run(reduce("ReduceSum", ints("axes", -1, 1)), feeds("X", M)).fetch("Y").floats())
        .containsExactly(6, 15);
  }

  @Test
  void meansOverAxes() {
    Tensor y = run(reduce("ReduceMean", ints("axes", 1)), feeds("X", Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3)))
        .fetch("Y");
    assertThat(y.dims()).containsExactly(2, 1);
    assertThat(y.doubles()).containsExactly(2, 5);
    Tensor empty = run(reduce("ReduceMean", ints("axes", 0)), feeds("X", Tensor.of(new float[0], 0, 2))).fetch("Y");
    assertThat(empty.dims()).containsExactly(1, 2);
    assertThat(empty.floats()[0]).isNaN();
    Tensor emptySum = run(reduce("ReduceSum", ints("axes", 0)), feeds("X", Tensor.of(new float[0], 0, 2)))
        .fetch("Y");
    assertThat(emptySum.floats()).containsExactly(0, 0);
    Tensor s = run(reduce("ReduceMean"), feeds("X", Tensor.wrap(DataType.DOUBLE, new double[] {4}))).fetch("Y");
    assertThat(s.dims()).isEmpty();
    assertThat(s.doubles()).containsExactly(4);
  }

  @Test
  void integerSumsWrap() {
    Tensor y = run(reduce("ReduceSum", ints("axes", 0)), feeds("X", Tensor.of(new int[] {Integer.MAX_VALUE, 1, 1, 2},
        2, 2))).fetch("Y");
    assertThat(y.ints()).containsExactly(Integer.MIN_VALUE, 3);
    assertThat(run(reduce("ReduceSum"), feeds("X", Tensor.of(new long[] {1, 2, 3}))).fetch("Y").longs())
        .containsExactly(6);
  }

  /** Sums X over the reduced axes one element at a time, with explicit multi-indices. */
  private static double[] naive(double[] x, long[] dims, boolean[] reduced) {
    long[] ydims = dims.clone();
    for (int a = 0; a < dims.length; a++) {
      if (reduced[a]) {
        ydims[a] = 1;
      }
    }
    double[] y = new double[(int) Shapes.elementCount(ydims)];
    int[] idx = new int[dims.length];
    for (int k = 0; k < x.length; k++) {
      int rem = k;
      for (int a = dims.length - 1; a >= 0; a--) {
        idx[a] = (int) (rem % dims[a]);
        rem /= dims[a];
      }
      int yi = 0;
      for (int a = 0; a < dims.length; a++) {
        yi = yi * (int) ydims[a] + (reduced[a] ? 0 : idx[a]);
      }
      y[yi] += x[k];
    }
    return y;
  }

  @Test
  void agreesWithAnElementwiseReferenceOnRandomShapes() {
    SplittableRandom r = new SplittableRandom(6);
    for (int trial = 0; trial < 60; trial++) {
      int rank = r.nextInt(0, 5);
      long[] dims = OperatorHarness.dims(r, rank, 4);
      if (rank > 0 && r.nextInt(8) == 0) {
        dims[r.nextInt(rank)] = 1;
      }
      boolean[] reduced = new boolean[rank];
      List<Long> axes = new ArrayList<>();
      for (int a = 0; a < rank; a++) {
        if (r.nextBoolean()) {
          reduced[a] = true;
          axes.add(r.nextBoolean() ? a : (long) a - rank);
        }
      }
      if (axes.isEmpty()) {
        java.util.Arrays.fill(reduced, true);
      }
      Tensor x = OperatorHarness.uniform(r, -1, 1, dims);
      double[] expected = naive(x.doubles(), dims, reduced);
      long[] a = axes.stream().mapToLong(Long::longValue).toArray();
      Tensor sum = run(reduce("ReduceSum", ints("axes", a)), feeds("X", x)).fetch("Y");
      assertThat(sum.doubles()).containsExactly(expected, within(1e-12));
      long[] ints = new long[x.size()];
      for (int k = 0; k < ints.length; k++) {
        ints[k] = Math.round(x.doubles()[k] * 100);
      }
      double[] expectedInts = naive(java.util.Arrays.stream(ints).asDoubleStream().toArray(), dims, reduced);
      long[] intSum = run(reduce("ReduceSum", ints("axes", a)), feeds("X", Tensor.of(ints, dims))).fetch("Y")
          .longs();
      assertThat(java.util.Arrays.stream(intSum).asDoubleStream().toArray()).containsExactly(expectedInts);
    }
  }

  @Test
  void reusesTheOutputAcrossRuns() {
    Workspace ws = new Workspace();
    ws.feed("X", Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
    Net net = Net.create(OpDefs.net(reduce("ReduceSum", ints("axes", 0))), ws);
    net.run();
    float[] first = ws.fetch("Y").floats();
    ws.feed("X", Tensor.of(new float[] {5, 6, 7, 8}, 2, 2));
    net.run();
    assertThat(ws.fetch("Y").floats()).isSameAs(first).containsExactly(12, 14);
  }

  @Test
  void errors() {
    ShapeException axis = catchThrowableOfType(ShapeException.class,
        () -> run(reduce("ReduceSum", ints("axes", 2)), feeds("X", M)));
    assertThat(axis.detail()).isEqualTo("axis 2 in 'axes' is out of range for a tensor of rank 2");
    ShapeException type = catchThrowableOfType(ShapeException.class,
        () -> run(reduce("ReduceMean"), feeds("X", Tensor.of(new int[] {1}))));
    assertThat(type.detail()).isEqualTo("ReduceMean supports FLOAT and DOUBLE tensors, got INT32 [1]");
    ShapeException grad = catchThrowableOfType(ShapeException.class, () -> run(
        op("ReduceSumGradient", List.of("dY", "X", "Y"), List.of("dX"), ints("axes", 0)),
        feeds("dY", Tensor.of(new float[] {1, 2}), "X", M, "Y", M)));
    assertThat(grad.detail()).isEqualTo("the gradient 'dY' has shape [2] (2 elements) but reducing X of shape [2, 3]"
        + " gives 3 elements");
  }

  @Test
  void typeInference() {
    assertThat(infer(reduce("ReduceSum", ints("axes", -1), i("keepdims", 0)), BlobType.of(DataType.INT64, 2, 3, 4)))
        .containsExactly(BlobType.of(DataType.INT64, 2, 3));
    assertThat(infer(reduce("ReduceMean"), BlobType.of(DataType.FLOAT, 2, 3)))
        .containsExactly(BlobType.of(DataType.FLOAT, 1, 1));
    assertThat(infer(reduce("ReduceMean", i("keepdims", 0)), new BlobType(DataType.FLOAT, null)))
        .containsExactly(new BlobType(DataType.FLOAT, null));
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    SplittableRandom r = new SplittableRandom(7);
    for (String type : List.of("ReduceSum", "ReduceMean")) {
      for (int trial = 0; trial < 4; trial++) {
        int rank = r.nextInt(1, 4);
        long[] dims = OperatorHarness.dims(r, rank, 3);
        long[] axes = r.nextBoolean() ? new long[] {r.nextInt(-rank, rank)} : new long[0];
        assertGradientsMatch(GradientChecker.forDouble(),
            reduce(type, ints("axes", axes), i("keepdims", r.nextInt(2))),
            feeds("X", OperatorHarness.uniform(r, -1, 1, dims)), 0);
      }
      assertGradientsMatch(GradientChecker.forFloat(), reduce(type, ints("axes", 0, 2)),
          feeds("X", OperatorHarness.uniformFloat(r, -1, 1, 2, 3, 2)), 0);
    }
  }

  @Test
  void gradientOpIsCaffe2s() {
    assertThat(gradientOps(reduce("ReduceMean", ints("axes", 1), i("keepdims", 0)), "Y")).isEqualTo(canonical("""
        op { input: "Y" output: "Y_autogen_grad" type: "ConstantFill" arg { name: "value" f: 1 } }
        op { input: "Y_autogen_grad" input: "X" input: "Y" output: "X_grad" type: "ReduceMeanGradient"
             arg { name: "axes" ints: 1 } arg { name: "keepdims" i: 0 } is_gradient_op: true }
        """));
    assertThat(gradientOps(reduce("ReduceSum"), "Y")).contains("type: \"ReduceSumGradient\"");
    Tensor dx = run(op("ReduceSumGradient", List.of("dY", "X", "Y"), List.of("dX"), ints("axes", 0)),
        feeds("dY", Tensor.of(new int[] {1, 2, 3}, 1, 3), "X", Tensor.of(new int[6], 2, 3), "Y", M)).fetch("dX");
    assertThat(dx.ints()).containsExactly(1, 2, 3, 1, 2, 3);
  }
}
