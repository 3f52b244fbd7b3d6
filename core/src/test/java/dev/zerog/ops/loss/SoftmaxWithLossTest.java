package dev.zerog.ops.loss;

import static dev.zerog.testing.OpDefs.f;
import static dev.zerog.testing.OpDefs.i;
import static dev.zerog.testing.OpDefs.op;
import static dev.zerog.testing.OpDefs.s;
import static dev.zerog.testing.OperatorHarness.assertGradientsMatch;
import static dev.zerog.testing.OperatorHarness.canonical;
import static dev.zerog.testing.OperatorHarness.feeds;
import static dev.zerog.testing.OperatorHarness.gradientOps;
import static dev.zerog.testing.OperatorHarness.infer;
import static dev.zerog.testing.OperatorHarness.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import dev.zerog.SchemaException;
import dev.zerog.ShapeException;
import dev.zerog.grad.GradientChecker;
import dev.zerog.op.BlobType;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.testing.OperatorHarness;
import dev.zerog.workspace.Workspace;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SoftmaxWithLossTest {
  private static final double LN3 = Math.log(3);

  private static OperatorDef loss(boolean weighted, Argument... args) {
    List<String> in = new ArrayList<>(List.of("X", "T"));
    if (weighted) {
      in.add("W");
    }
    return op("SoftmaxWithLoss", in, List.of("P", "loss"), args);
  }

  @Test
  void caffe2sExampleWithScale() {
    Workspace ws = run(loss(false, f("scale", 5)), feeds(
        "X", Tensor.of(new float[] {0.1f, 0.4f, 0.7f, 1.5f, 0.2f}, 1, 5), "T", Tensor.of(new int[] {4})));
    assertThat(ws.fetch("P").floats()).containsExactly(
        new float[] {0.10715417f, 0.144643f, 0.19524762f, 0.4345316f, 0.11842369f}, within(1e-6f));
    Tensor l = ws.fetch("loss");
    assertThat(l.dims()).isEmpty();
    assertThat(l.floats()[0]).isCloseTo(10.667433f, within(1e-5f));
  }

  @Test
  void weightedAverage() {
    Workspace ws = run(loss(true), feeds("X", Tensor.of(new double[] {0, 0, LN3, 0}, 2, 2),
        "T", Tensor.of(new long[] {0, 1}, 2, 1), "W", Tensor.of(new double[] {1, 3})));
    assertThat(ws.fetch("P").doubles()).containsExactly(new double[] {0.5, 0.5, 0.75, 0.25}, within(1e-15));
    assertThat(ws.fetch("loss").doubles()[0]).isCloseTo((Math.log(2) + 3 * Math.log(4)) / 4, within(1e-15));

    ws = run(loss(true), feeds("X", Tensor.of(new double[] {0, 0, LN3, 0}, 2, 2),
        "T", Tensor.of(new int[] {0, 1}), "W", Tensor.of(new double[] {0, 0})));
    assertThat(ws.fetch("loss").doubles()[0]).isEqualTo(0);
  }

  @Test
  void labelProbabilities() {
    Workspace ws = run(loss(false, i("label_prob", 1)), feeds("X", Tensor.of(new double[] {0, 0, LN3, 0}, 2, 2),
        "T", Tensor.of(new double[] {0.5, 0.5, 1, 0}, 2, 2)));
    assertThat(ws.fetch("loss").doubles()[0]).isCloseTo((Math.log(2) - Math.log(0.75)) / 2, within(1e-15));
  }

  @Test
  void axisSplitsTheLogits() {
    // [2, 3, 2] at axis 2: six rows of two classes; labels may be [2, 3].
    double[] x = new double[12];
    x[1] = LN3;
    Workspace ws = run(loss(false, i("axis", 2)), feeds("X", Tensor.of(x, 2, 3, 2),
        "T", Tensor.of(new int[] {1, 0, 0, 0, 0, 0}, 2, 3)));
    assertThat(ws.fetch("P").dims()).containsExactly(2, 3, 2);
    assertThat(ws.fetch("loss").doubles()[0]).isCloseTo((-Math.log(0.75) + 5 * Math.log(2)) / 6, within(1e-15));
  }

  @Test
  void errors() {
    Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
    ShapeException range = catchThrowableOfType(ShapeException.class,
        () -> run(loss(false), feeds("X", x, "T", Tensor.of(new int[] {0, 2}))));
    assertThat(range.detail()).startsWith("Label seems incorrect: label value larger than number of classes: 2 vs 2");
    assertThat(range.blob()).isEqualTo("T");
    ShapeException shape = catchThrowableOfType(ShapeException.class,
        () -> run(loss(false), feeds("X", x, "T", Tensor.of(new int[] {0, 1, 1}))));
    assertThat(shape.detail()).contains("one class for each of the 2 rows").endsWith("got [3]");
    ShapeException floats = catchThrowableOfType(ShapeException.class,
        () -> run(loss(false), feeds("X", x, "T", Tensor.of(new float[] {0, 1}))));
    assertThat(floats.detail()).startsWith("the labels must be INT32 or INT64 class indices");
    ShapeException weights = catchThrowableOfType(ShapeException.class,
        () -> run(loss(true), feeds("X", x, "T", Tensor.of(new int[] {0, 1}), "W", Tensor.of(new float[] {1}))));
    assertThat(weights.detail()).isEqualTo("the weights must hold one value for each of the 2 rows, got [1]");
    ShapeException sum = catchThrowableOfType(ShapeException.class, () -> run(loss(false, i("label_prob", 1)),
        feeds("X", x, "T", Tensor.of(new float[] {0.5f, 0.4f, 1, 0}, 2, 2))));
    assertThat(sum.detail()).startsWith("Label prob seems incorrect: label prob values do not sum to 1.0");
    ShapeException negative = catchThrowableOfType(ShapeException.class, () -> run(loss(false, i("label_prob", 1)),
        feeds("X", x, "T", Tensor.of(new float[] {1.5f, -0.5f, 1, 0}, 2, 2))));
    assertThat(negative.detail()).startsWith("Label prob seems incorrect: label prob value must be nonnegative");
    assertThat(catchThrowableOfType(SchemaException.class, () -> run(loss(false, f("scale", -1)),
        feeds("X", x, "T", Tensor.of(new int[] {0, 1})))).detail())
        .isEqualTo("argument 'scale' must be >= 0, got -1.0");
    assertThat(catchThrowableOfType(SchemaException.class, () -> run(loss(false, s("order", "NHWC")),
        feeds("X", x, "T", Tensor.of(new int[] {0, 1})))).detail()).contains("\"NCHW\", the only order supported");
  }

  @Test
  void typeInference() {
    assertThat(infer(loss(false), BlobType.of(DataType.FLOAT, 4, 3), BlobType.UNKNOWN))
        .containsExactly(BlobType.of(DataType.FLOAT, 4, 3), BlobType.of(DataType.FLOAT));
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    SplittableRandom r = new SplittableRandom(2);
    GradientChecker checker = GradientChecker.forDouble().onlyOutputs(1);
    for (int trial = 0; trial < 8; trial++) {
      boolean weighted = trial % 2 == 1;
      boolean probs = trial % 4 >= 2;
      int n = r.nextInt(1, 5);
      int d = r.nextInt(1, 5);
      Tensor t;
      if (probs) {
        t = OperatorHarness.uniform(r, 0, 1, n, d);
        double[] a = t.doubles();
        for (int row = 0; row < n; row++) {
          double s = 0;
          for (int j = 0; j < d; j++) {
            s += a[row * d + j];
          }
          for (int j = 0; j < d; j++) {
            a[row * d + j] /= s;
          }
        }
      } else {
        int[] labels = new int[n];
        for (int row = 0; row < n; row++) {
          labels[row] = r.nextInt(d);
        }
        t = Tensor.of(labels);
      }
      var in = feeds("X", OperatorHarness.uniform(r, -2, 2, n, d), "T", t);
      if (weighted) {
        in.put("W", OperatorHarness.uniform(r, 0.1, 2, n));
      }
      assertGradientsMatch(checker, loss(weighted, i("label_prob", probs ? 1 : 0), f("scale", 1.5f)), in, 0);
    }
    // Logits split at axis 2, in FLOAT.
    assertGradientsMatch(GradientChecker.forFloat().onlyOutputs(1), loss(false, i("axis", 2)),
        feeds("X", OperatorHarness.uniformFloat(r, -1, 1, 2, 2, 3), "T", Tensor.of(new int[] {0, 2, 1, 1}, 2, 2)), 0);
  }

  @Test
  void gradientOpIsCaffe2s() {
    assertThat(gradientOps(loss(true, f("scale", 2)), "loss")).isEqualTo(canonical("""
        op { input: "loss" output: "loss_autogen_grad" type: "ConstantFill" arg { name: "value" f: 1 } }
        op { input: "X" input: "T" input: "W" input: "P" input: "loss_autogen_grad" output: "X_grad"
             type: "SoftmaxWithLossGradient" arg { name: "scale" f: 2 } is_gradient_op: true }
        """));
    assertThat(gradientOps(loss(false), "loss")).contains("""
        input: "X"
          input: "T"
          input: "P"
          input: "loss_autogen_grad"
          output: "X_grad"
        """);
  }

  @Test
  void gradientValues() {
    // P = [[0.5, 0.5], [0.75, 0.25]], labels [0, 1], weights [1, 3], scale 2, dLoss 0.5.
    OperatorDef g = op("SoftmaxWithLossGradient", List.of("X", "T", "W", "P", "dL"), List.of("dX"), f("scale", 2));
    double[] dx = run(g, feeds("X", Tensor.of(new double[] {0, 0, LN3, 0}, 2, 2), "T", Tensor.of(new int[] {0, 1}),
        "W", Tensor.of(new double[] {1, 3}), "P", Tensor.of(new double[] {0.5, 0.5, 0.75, 0.25}, 2, 2),
        "dL", Tensor.of(new double[] {0.5}))).fetch("dX").doubles();
    double k = 2 * 0.5 / 4;
    assertThat(dx).containsExactly(new double[] {-0.5 * k, 0.5 * k, 0.75 * 3 * k, -0.75 * 3 * k}, within(1e-15));
  }

  @Test
  void rerunningForwardAndGradientAllocatesNothing() {
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    org.junit.jupiter.api.Assumptions.assumeTrue(mx instanceof com.sun.management.ThreadMXBean);
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) mx;
    org.junit.jupiter.api.Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported()
        && threads.isThreadAllocatedMemoryEnabled());
    Workspace ws = new Workspace();
    ws.feed("X", Tensor.of(new float[] {0.1f, 0.4f, 0.7f, 1.5f, 0.2f, -1f}, 2, 3));
    ws.feed("T", Tensor.of(new int[] {2, 0}, 2));
    ws.feed("dLoss", Tensor.of(new float[] {1f}));
    dev.zerog.proto.Caffe2.NetDef def = dev.zerog.proto.Caffe2.NetDef.newBuilder()
        .addOp(loss(false))
        .addOp(op("SoftmaxWithLossGradient", List.of("X", "T", "P", "dLoss"), List.of("dX")))
        .build();
    dev.zerog.net.Net net = dev.zerog.net.Net.create(def, ws);
    net.run();
    long id = Thread.currentThread().getId();
    int runs = 20_000;
    long before = threads.getThreadAllocatedBytes(id);
    for (int k = 0; k < runs; k++) {
      net.run();
    }
    long allocated = threads.getThreadAllocatedBytes(id) - before;
    // One small object per run would be 20,000 x 16 bytes or more; allow a little for the JVM's bookkeeping.
    assertThat(allocated).as("bytes allocated by %d runs", runs).isLessThan(runs);
    assertThat(ws.fetch("loss").floats()[0]).isPositive();
  }
}
