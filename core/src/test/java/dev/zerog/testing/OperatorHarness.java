package dev.zerog.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.TextFormat;
import dev.zerog.grad.BackwardPass;
import dev.zerog.grad.GradientChecker;
import dev.zerog.net.Net;
import dev.zerog.op.Arguments;
import dev.zerog.op.BlobType;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Runs single operators in tests: feeding, running, random inputs, gradient checks and built gradient ops. */
public final class OperatorHarness {
  private OperatorHarness() {}

  /** Feeds the tensors (as given, not copied) into a new workspace and runs {@code op} once in a net. */
  public static Workspace run(OperatorDef op, Map<String, Tensor> feeds) {
    Workspace ws = new Workspace();
    feeds.forEach(ws::feed);
    Net.create(OpDefs.net(op), ws).run();
    return ws;
  }

  /** Inputs by name, in order: name, tensor, name, tensor, ... */
  public static Map<String, Tensor> feeds(Object... nameTensor) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    for (int i = 0; i < nameTensor.length; i += 2) {
      m.put((String) nameTensor[i], (Tensor) nameTensor[i + 1]);
    }
    return m;
  }

  /** A DOUBLE tensor of the dims with elements uniform in [lo, hi). */
  public static Tensor uniform(SplittableRandom r, double lo, double hi, long... dims) {
    Tensor t = Tensor.allocate(DataType.DOUBLE, dims);
    double[] a = t.doubles();
    for (int i = 0; i < a.length; i++) {
      a[i] = r.nextDouble(lo, hi);
    }
    return t;
  }

  /** A FLOAT tensor of the dims with elements uniform in [lo, hi). */
  public static Tensor uniformFloat(SplittableRandom r, double lo, double hi, long... dims) {
    Tensor t = Tensor.allocate(DataType.FLOAT, dims);
    float[] a = t.floats();
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) r.nextDouble(lo, hi);
    }
    return t;
  }

  /** Random dims: {@code rank} dims, each in [1, maxDim]. */
  public static long[] dims(SplittableRandom r, int rank, int maxDim) {
    long[] d = new long[rank];
    for (int i = 0; i < rank; i++) {
      d[i] = r.nextInt(1, maxDim + 1);
    }
    return d;
  }

  /** Runs the checker and asserts that every checked input passes, showing the results otherwise. */
  public static void assertGradientsMatch(GradientChecker checker, OperatorDef op, Map<String, Tensor> inputs,
      int... checkInputs) {
    List<GradientChecker.Result> results = checker.check(op, inputs, checkInputs);
    assertThat(results).hasSize(checkInputs.length);
    assertThat(results).as("%s %s", op.getType(), results).allMatch(GradientChecker.Result::passed);
  }

  /** The gradient ops the backward builder emits for the one-op net {@code op} with these losses. */
  public static String gradientOps(OperatorDef op, String... losses) {
    BackwardPass pass = BackwardPass.build(OpDefs.net(op), List.of(losses));
    return TextFormat.printer().printToString(NetDef.newBuilder().addAllOp(pass.gradientOps()).build());
  }

  /** Protobuf text of a NetDef's ops, as {@link #gradientOps} prints them. */
  public static String canonical(String opsText) {
    NetDef.Builder b = NetDef.newBuilder();
    try {
      TextFormat.merge(opsText, b);
    } catch (TextFormat.ParseException e) {
      throw new AssertionError(e);
    }
    return TextFormat.printer().printToString(b.build());
  }

  /** The schema's type inference applied to {@code op} and the input types. */
  public static List<BlobType> infer(OperatorDef op, BlobType... inputs) {
    return OperatorRegistry.standard().get(op.getType()).schema().inference()
        .infer(op, Arguments.of(op.getArgList()), List.of(inputs));
  }
}
