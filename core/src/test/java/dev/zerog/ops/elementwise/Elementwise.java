package dev.zerog.ops.elementwise;

import static dev.zerog.testing.OpDefs.op;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zerog.grad.BackwardPass;
import dev.zerog.grad.GradientChecker;
import dev.zerog.net.Net;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Test helpers for the elementwise operators. */
final class Elementwise {
  private Elementwise() {}

  /** Runs a one-input op on x and returns its output. */
  static Tensor unary(String type, Tensor x, Argument... args) {
    Workspace ws = new Workspace();
    ws.feed("x", x);
    Net.runOperatorOnce(op(type, List.of("x"), List.of("y"), args), ws);
    return ws.fetch("y");
  }

  /** Runs a two-input op and returns its output. */
  static Tensor binary(String type, Tensor a, Tensor b, Argument... args) {
    Workspace ws = new Workspace();
    ws.feed("a", a);
    ws.feed("b", b);
    Net.runOperatorOnce(op(type, List.of("a", "b"), List.of("y"), args), ws);
    return ws.fetch("y");
  }

  /** A DOUBLE tensor of values with |v| in [min, max), random signs unless {@code positive}. */
  static Tensor randomDoubles(SplittableRandom r, double min, double max, boolean positive, long... dims) {
    Tensor t = Tensor.allocate(DataType.DOUBLE, dims);
    double[] v = t.doubles();
    for (int k = 0; k < v.length; k++) {
      v[k] = r.nextDouble(min, max) * (positive || r.nextBoolean() ? 1 : -1);
    }
    return t;
  }

  /** A random shape of rank 0 to 3 with dims 1 to 4. */
  static long[] randomShape(SplittableRandom r) {
    long[] dims = new long[r.nextInt(0, 4)];
    for (int k = 0; k < dims.length; k++) {
      dims[k] = r.nextInt(1, 5);
    }
    return dims;
  }

  /** Asserts that the gradient of {@code def} passes the checker for the given inputs. */
  static void assertGradient(GradientChecker checker, OperatorDef def, Map<String, Tensor> inputs, int... check) {
    assertThat(checker.check(def, inputs, check))
        .allSatisfy(result -> assertThat(result.passed()).as(def.getType() + " " + result).isTrue());
  }

  /** The gradient ops the backward builder writes for one forward op whose output is the loss. */
  static List<OperatorDef> gradientOps(OperatorDef forward) {
    NetDef net = NetDef.newBuilder().addOp(forward).build();
    List<OperatorDef> ops = BackwardPass.build(net, List.of(forward.getOutput(0))).gradientOps();
    // The first op is the builder's ConstantFill of the loss's gradient.
    return ops.subList(1, ops.size());
  }
}
