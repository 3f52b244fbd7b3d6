package dev.zerog.ops.elementwise;

import static dev.zerog.testing.OpDefs.i;
import static dev.zerog.testing.OpDefs.net;
import static dev.zerog.testing.OpDefs.op;
import static dev.zerog.testing.OpDefs.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.zerog.SchemaException;
import dev.zerog.ShapeException;
import dev.zerog.ZerogException;
import dev.zerog.grad.BackwardPass;
import dev.zerog.grad.GradientChecker;
import dev.zerog.net.Net;
import dev.zerog.op.Arguments;
import dev.zerog.op.BlobType;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.op.TypeInference;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ArithmeticTest {
  private static Tensor run(String type, Tensor a, Tensor b, Argument... args) {
    Workspace ws = new Workspace();
    ws.feed("a", a);
    ws.feed("b", b);
    Net.runOperatorOnce(op(type, List.of("a", "b"), List.of("c"), args), ws);
    return ws.fetch("c");
  }

  private static Tensor floats(long[] dims, float... values) {
    return Tensor.of(values, dims);
  }

  private static long[] d(long... dims) {
    return dims;
  }

  @Test
  void sameShapeFloats() {
    Tensor a = floats(d(2, 2), 1, 2, 3, 4);
    Tensor b = floats(d(2, 2), 5, 6, 7, 8);
    assertThat(run("Add", a, b).floats()).containsExactly(6, 8, 10, 12);
    assertThat(run("Sub", a, b).floats()).containsExactly(-4, -4, -4, -4);
    assertThat(run("Mul", a, b).floats()).containsExactly(5, 12, 21, 32);
    assertThat(run("Div", floats(d(2, 2), 18, 8, 2, 9), floats(d(2, 2), 9, 2, 4, 2)).floats())
        .containsExactly(2, 4, 0.5f, 4.5f);
    assertThat(run("Add", a, b).dims()).containsExactly(2, 2);
  }

  @Test
  void numpyBroadcastingOfARow() {
    Tensor c = run("Sub", floats(d(2, 3), 1, 2, 3, 4, 5, 6), floats(d(3), 10, 20, 30));
    assertThat(c.dims()).containsExactly(2, 3);
    assertThat(c.floats()).containsExactly(-9, -18, -27, -6, -15, -24);
  }

  @Test
  void numpyBroadcastingOfBothOperands() {
    // [2, 1] * [1, 3] -> [2, 3]; [3] / [2, 1] -> [2, 3], the smaller operand first.
    Tensor c = run("Mul", floats(d(2, 1), 2, 3), floats(d(1, 3), 1, 10, 100));
    assertThat(c.dims()).containsExactly(2, 3);
    assertThat(c.floats()).containsExactly(2, 20, 200, 3, 30, 300);
    Tensor q = run("Div", floats(d(3), 2, 4, 8), floats(d(2, 1), 2, 4));
    assertThat(q.dims()).containsExactly(2, 3);
    assertThat(q.floats()).containsExactly(1, 2, 4, 0.5f, 1, 2);
  }

  @Test
  void numpyBroadcastingInTheMiddleAndWithScalars() {
    // [2, 3, 2] + [3, 1]: B repeats along the last axis and over the first.
    Tensor c = run("Add", floats(d(2, 3, 2), 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1), floats(d(3, 1), 10, 20, 30));
    assertThat(c.floats()).containsExactly(10, 10, 20, 20, 30, 30, 11, 11, 21, 21, 31, 31);
    // A 0-d scalar with a vector, both ways; two scalars give a scalar.
    assertThat(run("Sub", Tensor.scalar(10), floats(d(3), 1, 2, 3)).floats()).containsExactly(9, 8, 7);
    assertThat(run("Sub", floats(d(3), 1, 2, 3), Tensor.scalar(10)).floats()).containsExactly(-9, -8, -7);
    Tensor s = run("Mul", Tensor.scalar(3), Tensor.scalar(4));
    assertThat(s.rank()).isZero();
    assertThat(s.floats()).containsExactly(12);
    // Dims of 1 on both sides: [1, 1] + [1] is [1, 1].
    assertThat(run("Add", floats(d(1, 1), 1), floats(d(1), 2)).dims()).containsExactly(1, 1);
  }

  @Test
  void zeroSizeShapes() {
    Tensor c = run("Add", Tensor.allocate(DataType.FLOAT, 0, 3), floats(d(3), 1, 2, 3));
    assertThat(c.dims()).containsExactly(0, 3);
    assertThat(c.size()).isZero();
    // A dim of 0 against a dim of 1 gives 0.
    assertThat(run("Mul", Tensor.allocate(DataType.FLOAT, 2, 0), floats(d(2, 1), 1, 2)).dims())
        .containsExactly(2, 0);
  }

  @Test
  void legacyBroadcastWithAxis() {
    // The zoo nets' bias: A [2, 3, 2], B [3], broadcast 1, axis 1.
    Tensor a = floats(d(2, 3, 2), 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6);
    Tensor c = run("Mul", a, floats(d(3), 1, 10, 100), i("broadcast", 1), i("axis", 1));
    assertThat(c.dims()).containsExactly(2, 3, 2);
    assertThat(c.floats()).containsExactly(1, 1, 20, 20, 300, 300, 4, 4, 50, 50, 600, 600);
    // Suffix matching by default: B [3, 2] over A [2, 3, 2].
    Tensor s = run("Sub", a, floats(d(3, 2), 1, 1, 2, 2, 3, 3), i("broadcast", 1));
    assertThat(s.floats()).containsExactly(0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 3, 3);
    // Axis 0: B [2] over A's first axis.
    Tensor f = run("Add", a, floats(d(2), 100, 200), i("broadcast", 1), i("axis", 0));
    assertThat(f.floats()).containsExactly(101, 101, 102, 102, 103, 103, 204, 204, 205, 205, 206, 206);
  }

  @Test
  void legacyBroadcastOfOneElementAndOfPaddedB() {
    Tensor a = floats(d(2, 3), 1, 2, 3, 4, 5, 6);
    assertThat(run("Div", a, floats(d(1), 2), i("broadcast", 1)).floats())
        .containsExactly(0.5f, 1, 1.5f, 2, 2.5f, 3);
    // B with more dims than A is fine when it has one element.
    assertThat(run("Add", a, floats(d(1, 1, 1), 1), i("broadcast", 1)).dims()).containsExactly(2, 3);
    // B's leading and trailing dims of 1 are ignored: [1, 3, 1] over A [2, 3] with axis 0 matches A's axis 1.
    Tensor b = floats(d(1, 3, 1), 10, 20, 30);
    Tensor c = run("Add", floats(d(2, 3, 1), 1, 2, 3, 4, 5, 6), b, i("broadcast", 1), i("axis", 0));
    assertThat(c.floats()).containsExactly(11, 22, 33, 14, 25, 36);
    assertThat(c.dims()).containsExactly(2, 3, 1);
  }

  @Test
  void legacyAxisFromAxisStrAndOrder() {
    Tensor a = floats(d(1, 2, 2), 1, 2, 3, 4);
    Tensor c = run("Add", a, floats(d(2), 10, 20), i("broadcast", 1), s("axis_str", "C"));
    assertThat(c.floats()).containsExactly(11, 12, 23, 24);
    Tensor h = run("Add", a, floats(d(2), 10, 20), i("broadcast", 1), s("axis_str", "W"), s("order", "NHWC"));
    assertThat(h.floats()).containsExactly(11, 22, 13, 24);
  }

  @Test
  void legacyErrors() {
    Tensor a = floats(d(2, 3), 1, 2, 3, 4, 5, 6);
    ShapeException mismatch = catchThrowableOfType(ShapeException.class,
        () -> run("Add", a, floats(d(2), 1, 2), i("broadcast", 1)));
    assertThat(mismatch.detail()).isEqualTo("B [2] does not match A [2, 3] at axis 1: B's dim 0 is 2 but A's dim"
        + " 1 is 3 (with broadcast: 1, B's dims must equal A's dims from the axis on)");
    assertThat(mismatch.blob()).isEqualTo("b");
    assertThat(mismatch.opType()).isEqualTo("Add");
    ShapeException axis = catchThrowableOfType(ShapeException.class,
        () -> run("Add", a, floats(d(3), 1, 2, 3), i("broadcast", 1), i("axis", 2)));
    assertThat(axis.detail()).startsWith("broadcast axis must be in [0, 1] (A's rank minus B's) or -1, got 2");
    ShapeException rank = catchThrowableOfType(ShapeException.class,
        () -> run("Add", floats(d(3), 1, 2, 3), floats(d(1, 3), 1, 2, 3), i("broadcast", 1)));
    assertThat(rank.detail()).contains("must have at most as many dims as A");
    SchemaException both = catchThrowableOfType(SchemaException.class,
        () -> run("Add", a, a, i("broadcast", 1), i("axis", 0), s("axis_str", "N")));
    assertThat(both.detail()).isEqualTo("arguments 'axis' and 'axis_str' cannot be used together");
    SchemaException letter = catchThrowableOfType(SchemaException.class,
        () -> run("Add", a, a, i("broadcast", 1), s("axis_str", "X")));
    assertThat(letter.detail()).isEqualTo("argument 'axis_str' must be one letter of 'order' (\"NCHW\"), got \"X\"");
  }

  @Test
  void withoutBroadcastTheAxisIsIgnoredAsInCaffe2() {
    Tensor c = run("Add", floats(d(2, 3), 1, 2, 3, 4, 5, 6), floats(d(3), 1, 1, 1), i("axis", 0));
    assertThat(c.floats()).containsExactly(2, 3, 4, 5, 6, 7);
  }

  @Test
  void incompatibleShapesNameBothShapes() {
    ShapeException e = catchThrowableOfType(ShapeException.class,
        () -> run("Mul", floats(d(2, 3), 1, 2, 3, 4, 5, 6), floats(d(2), 1, 2)));
    assertThat(e.detail()).isEqualTo("shapes [2, 3] and [2] do not broadcast: at axis -1 (from the end) they have 3"
        + " and 2; aligned from the right, each pair of dims must be equal or one of them 1");
    assertThat(e.blob()).isEqualTo("b");
  }

  @Test
  void typeErrors() {
    ShapeException mixed = catchThrowableOfType(ShapeException.class,
        () -> run("Add", floats(d(1), 1), Tensor.of(new double[] {1})));
    assertThat(mixed.detail()).isEqualTo("B 'b' is DOUBLE but A 'a' is FLOAT; Add needs both of one type");
    ShapeException bool = catchThrowableOfType(ShapeException.class,
        () -> run("Add", Tensor.of(new boolean[] {true}), Tensor.of(new boolean[] {true})));
    assertThat(bool.detail()).isEqualTo(
        "the arithmetic operators support FLOAT, DOUBLE, INT32 and INT64 tensors, got BOOL");
  }

  @Test
  void integers() {
    Tensor a = Tensor.of(new int[] {7, -7, Integer.MAX_VALUE});
    Tensor b = Tensor.of(new int[] {2, 2, 1});
    assertThat(run("Div", a, b).ints()).containsExactly(3, -3, Integer.MAX_VALUE);
    assertThat(run("Add", a, b).ints()).containsExactly(9, -5, Integer.MIN_VALUE);
    Tensor l = run("Mul", Tensor.of(new long[] {1L << 40, 3}, 2, 1), Tensor.of(new long[] {2, 3}));
    assertThat(l.longs()).containsExactly(1L << 41, 3L << 40, 6, 9);
    assertThat(run("Sub", Tensor.of(new long[] {5}), Tensor.of(new long[] {7})).longs()).containsExactly(-2);
    ZerogException zero = catchThrowableOfType(ZerogException.class,
        () -> run("Div", a, Tensor.of(new int[] {1, 0, 1})));
    assertThat(zero.detail()).isEqualTo("integer division by zero: B 'b' has a zero element");
    assertThat(zero.opType()).isEqualTo("Div");
    catchThrowableOfType(ZerogException.class,
        () -> run("Div", Tensor.of(new long[] {1}), Tensor.of(new long[] {0})));
  }

  @Test
  void inPlaceOnEitherInput() {
    Workspace ws = new Workspace();
    float[] a = {1, 2, 3, 4, 5, 6};
    ws.feed("a", Tensor.of(a, 2, 3));
    ws.feed("b", Tensor.of(new float[] {1, 2, 3}));
    Net.runOperatorOnce(op("Add", List.of("a", "b"), List.of("a")), ws);
    assertThat(ws.fetch("a").floats()).isSameAs(a).containsExactly(2, 4, 6, 5, 7, 9);
    Net.runOperatorOnce(op("Mul", List.of("a", "a"), List.of("a")), ws);
    assertThat(a).containsExactly(4, 16, 36, 25, 49, 81);
    float[] b = {1, 2};
    ws.feed("x", Tensor.of(new float[] {10, 20}));
    ws.feed("y", Tensor.of(b));
    Net.runOperatorOnce(op("Sub", List.of("x", "y"), List.of("y")), ws);
    assertThat(ws.fetch("y").floats()).isSameAs(b).containsExactly(9, 18);
    // Legacy broadcasting in place on A, as the zoo nets' bias adds do.
    Net.runOperatorOnce(op("Add", List.of("a", "y"), List.of("a"), i("broadcast", 1), i("axis", 0)), ws);
    assertThat(a).containsExactly(13, 25, 45, 43, 67, 99);
  }

  @Test
  void inPlaceErrors() {
    Workspace ws = new Workspace();
    ws.feed("a", Tensor.of(new float[] {1, 2, 3}));
    ws.feed("m", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
    ShapeException grows = catchThrowableOfType(ShapeException.class,
        () -> Net.runOperatorOnce(op("Add", List.of("a", "m"), List.of("a")), ws));
    assertThat(grows.detail()).isEqualTo("C is written into A (in place), which needs C to have its shape [3], but C"
        + " is [2, 3]");
    SchemaException legacy = catchThrowableOfType(SchemaException.class,
        () -> Net.runOperatorOnce(op("Add", List.of("m", "a"), List.of("a"), i("broadcast", 1)), ws));
    assertThat(legacy.detail()).isEqualTo("with broadcast: 1, C may be A (in place) but not B");
    ws.feed("z", Tensor.of(new float[] {2, 2, 2}));
    Net.runOperatorOnce(op("Div", List.of("a", "z"), List.of("a")), ws);
    assertThat(ws.fetch("a").floats()).containsExactly(0.5f, 1, 1.5f);
    SchemaException divB = catchThrowableOfType(SchemaException.class,
        () -> Net.create(net(op("Div", List.of("m", "a"), List.of("a"))), ws));
    assertThat(divB.detail()).contains("does not allow (in place)");
  }

  @Test
  void reusesTheOutputAcrossRuns() {
    Workspace ws = new Workspace();
    ws.feed("a", Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
    ws.feed("b", Tensor.of(new float[] {1, 2}));
    Net net = Net.create(net(op("Add", List.of("a", "b"), List.of("c"))), ws);
    net.run();
    Tensor c = ws.fetch("c");
    float[] first = c.floats();
    ws.feed("b", Tensor.of(new float[] {10, 20}));
    net.run();
    assertThat(ws.fetch("c")).isSameAs(c);
    assertThat(c.floats()).isSameAs(first).containsExactly(11, 22, 13, 24);
    // A new shape is planned again.
    ws.feed("b", Tensor.of(new float[] {1, 2}, 2, 1));
    net.run();
    assertThat(c.floats()).containsExactly(2, 3, 5, 6);
  }

  @Test
  void typeInference() {
    TypeInference add = OperatorRegistry.standard().get("Add").schema().inference();
    OperatorDef def = op("Add", List.of("a", "b"), List.of("c"));
    Arguments none = Arguments.of(List.of());
    assertThat(add.infer(def, none, List.of(BlobType.of(DataType.FLOAT, 4, 1, 3), BlobType.of(DataType.FLOAT, 2, 1))))
        .containsExactly(BlobType.of(DataType.FLOAT, 4, 2, 3));
    assertThat(add.infer(def, none, List.of(BlobType.of(DataType.INT64, 4), BlobType.UNKNOWN)))
        .containsExactly(new BlobType(DataType.INT64, null));
    Arguments legacy = Arguments.of(List.of(i("broadcast", 1), i("axis", 1)));
    assertThat(add.infer(def, legacy, List.of(new BlobType(null, new long[] {2, 3, 4}), BlobType.UNKNOWN)))
        .containsExactly(new BlobType(null, new long[] {2, 3, 4}));
    ShapeException bad = catchThrowableOfType(ShapeException.class, () -> add.infer(def, legacy,
        List.of(BlobType.of(DataType.FLOAT, 2, 3, 4), BlobType.of(DataType.FLOAT, 4))));
    assertThat(bad.blob()).isEqualTo("b");
    ShapeException types = catchThrowableOfType(ShapeException.class, () -> add.infer(def, none,
        List.of(BlobType.of(DataType.FLOAT, 2), BlobType.of(DataType.INT32, 2))));
    assertThat(types.detail()).contains("B is INT32 but A is FLOAT");
    TypeInference grad = OperatorRegistry.standard().get("DivGradient").schema().inference();
    OperatorDef g = op("DivGradient", List.of("dc", "a", "b", "c"), List.of("da", "db"));
    assertThat(grad.infer(g, none, List.of(BlobType.UNKNOWN, BlobType.of(DataType.FLOAT, 2, 3),
        BlobType.of(DataType.FLOAT, 3), BlobType.UNKNOWN)))
        .containsExactly(BlobType.of(DataType.FLOAT, 2, 3), BlobType.of(DataType.FLOAT, 3));
  }

  // ---- gradients

  @Test
  void gradientOpsAreCaffe2s() {
    NetDef forward = net(
        op("Add", List.of("x", "w"), List.of("s"), i("broadcast", 1), i("axis", 1)),
        op("Sub", List.of("s", "w"), List.of("t"), i("broadcast", 1), i("axis", 1)),
        op("Mul", List.of("t", "x"), List.of("u")),
        op("Div", List.of("u", "x"), List.of("y")));
    List<OperatorDef> ops = BackwardPass.build(forward, List.of("y")).gradientOps();
    OperatorDef div = ops.get(1);
    assertThat(div.getType()).isEqualTo("DivGradient");
    assertThat(div.getInputList()).containsExactly("y_autogen_grad", "u", "x", "y");
    assertThat(div.getOutputList()).containsExactly("u_grad", "x_grad");
    OperatorDef mul = ops.get(2);
    assertThat(mul.getType()).isEqualTo("MulGradient");
    assertThat(mul.getInputList()).containsExactly("u_grad", "t", "x");
    OperatorDef add = ops.stream().filter(o -> o.getType().equals("AddGradient")).findFirst().orElseThrow();
    assertThat(add.getInputList()).containsExactly("s_grad", "x", "w");
    assertThat(add.getOutputList()).hasSize(2);
    assertThat(add.getArgList()).extracting(Argument::getName).containsExactly("broadcast", "axis");
    assertThat(add.getIsGradientOp()).isTrue();
    assertThat(ops.stream().filter(o -> o.getType().equals("SubGradient")).findFirst().orElseThrow()
        .getInputList()).containsExactly("t_grad", "s", "w");
  }

  private static Tensor random(SplittableRandom r, long... dims) {
    Tensor t = Tensor.allocate(DataType.DOUBLE, dims);
    double[] v = t.doubles();
    for (int k = 0; k < v.length; k++) {
      v[k] = r.nextDouble(0.5, 2) * (r.nextBoolean() ? 1 : -1);
    }
    return t;
  }

  private static void check(GradientChecker checker, String type, Tensor a, Tensor b, Argument... args) {
    OperatorDef def = op(type, List.of("a", "b"), List.of("c"), args);
    assertThat(checker.check(def, Map.of("a", a, "b", b), 0, 1))
        .allSatisfy(result -> assertThat(result.passed()).as(type + " " + result).isTrue());
  }

  @Test
  void gradientCheckNumpyBroadcasting() {
    SplittableRandom r = new SplittableRandom(7);
    long[][][] shapes = {
        {{2, 3}, {2, 3}}, {{2, 3}, {3}}, {{3}, {2, 3}}, {{2, 1, 3}, {4, 1}}, {{}, {2, 2}}, {{2, 2}, {}},
        {{1, 3}, {2, 1}}, {{2, 3, 2}, {3, 1}},
    };
    for (long[][] s : shapes) {
      for (String type : List.of("Add", "Sub", "Mul", "Div")) {
        check(GradientChecker.forDouble(), type, random(r, s[0]), random(r, s[1]));
      }
    }
  }

  @Test
  void gradientCheckLegacyBroadcasting() {
    SplittableRandom r = new SplittableRandom(11);
    for (String type : List.of("Add", "Sub", "Mul", "Div")) {
      check(GradientChecker.forDouble(), type, random(r, 2, 3, 2), random(r, 3), i("broadcast", 1), i("axis", 1));
      check(GradientChecker.forDouble(), type, random(r, 2, 3), random(r, 3), i("broadcast", 1));
      check(GradientChecker.forDouble(), type, random(r, 2, 3), random(r, 1), i("broadcast", 1));
      check(GradientChecker.forDouble(), type, random(r, 2, 3, 2), random(r, 2, 3), i("broadcast", 1),
          i("axis", 0));
    }
  }

  @Test
  void gradientCheckInFloat() {
    SplittableRandom r = new SplittableRandom(3);
    Tensor a = Tensor.allocate(DataType.FLOAT, 3, 2);
    Tensor b = Tensor.allocate(DataType.FLOAT, 2);
    for (Tensor t : List.of(a, b)) {
      for (int k = 0; k < t.size(); k++) {
        t.floats()[k] = (float) r.nextDouble(0.5, 2);
      }
    }
    for (String type : List.of("Add", "Sub", "Mul", "Div")) {
      check(GradientChecker.forFloat(), type, a, b);
    }
  }

  @Test
  void theSameBlobAsBothOperands() {
    // Mul(x, x): the builder renames one of the two gradients and sums them, so dx = 2 x dy.
    SplittableRandom r = new SplittableRandom(5);
    OperatorDef def = op("Mul", List.of("x", "x"), List.of("y"));
    assertThat(GradientChecker.forDouble().check(def, Map.of("x", random(r, 2, 3)), 0))
        .allSatisfy(result -> assertThat(result.passed()).as(result.toString()).isTrue());
  }

  private static Workspace gradientWorkspace(Tensor dc, Tensor a, Tensor b) {
    Workspace ws = new Workspace();
    ws.feed("dc", dc);
    ws.feed("a", a);
    ws.feed("b", b);
    return ws;
  }

  @Test
  void gradientValuesWithReduction() {
    Workspace ws = gradientWorkspace(floats(d(2, 3), 1, 2, 3, 4, 5, 6), floats(d(2, 3), 1, 1, 1, 2, 2, 2),
        floats(d(3), 1, 2, 4));
    Net.runOperatorOnce(op("SubGradient", List.of("dc", "a", "b"), List.of("da", "db")), ws);
    assertThat(ws.fetch("da").floats()).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(ws.fetch("db").dims()).containsExactly(3);
    assertThat(ws.fetch("db").floats()).containsExactly(-5, -7, -9);
    Net.runOperatorOnce(op("MulGradient", List.of("dc", "a", "b"), List.of("da", "db")), ws);
    assertThat(ws.fetch("da").floats()).containsExactly(1, 4, 12, 4, 10, 24);
    assertThat(ws.fetch("db").floats()).containsExactly(1 + 8, 2 + 10, 3 + 12);
    // Legacy axis 0: B [2] over A [2, 3].
    ws.feed("b2", floats(d(2), 2, 4));
    ws.feed("c", floats(d(2, 3), 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f));
    Net.runOperatorOnce(op("DivGradient", List.of("dc", "a", "b2", "c"), List.of("da", "db"), i("broadcast", 1),
        i("axis", 0)), ws);
    assertThat(ws.fetch("da").floats()).containsExactly(0.5f, 1, 1.5f, 1, 1.25f, 1.5f);
    assertThat(ws.fetch("db").floats()).containsExactly(-(1 + 2 + 3) * 0.5f / 2, -(4 + 5 + 6) * 0.5f / 4);
  }

  @Test
  void divGradientInCaffe2sOlderThreeInputForm() {
    Workspace ws = new Workspace();
    ws.feed("b", floats(d(2), 2, 4));
    ws.feed("c", floats(d(2), 3, 5));
    ws.feed("dc", floats(d(2), 1, 1));
    Net.runOperatorOnce(op("DivGradient", List.of("b", "c", "dc"), List.of("da", "db")), ws);
    assertThat(ws.fetch("da").floats()).containsExactly(0.5f, 0.25f);
    assertThat(ws.fetch("db").floats()).containsExactly(-1.5f, -1.25f);
    // That form may write dA into B (in place on input 0), equal shapes or broadcast.
    float[] b = ws.fetch("b").floats();
    Net.runOperatorOnce(op("DivGradient", List.of("b", "c", "dc"), List.of("b", "db")), ws);
    assertThat(ws.fetch("b").floats()).isSameAs(b).containsExactly(0.5f, 0.25f);
    assertThat(ws.fetch("db").floats()).containsExactly(-1.5f, -1.25f);
    ws.feed("b", floats(d(1), 2));
    Net.runOperatorOnce(op("DivGradient", List.of("b", "c", "dc"), List.of("b", "db"), i("broadcast", 1)), ws);
    assertThat(ws.fetch("b").dims()).containsExactly(2);
    assertThat(ws.fetch("b").floats()).containsExactly(0.5f, 0.5f);
    assertThat(ws.fetch("db").floats()).containsExactly(-(3 + 5) / 2f);
    // Found by fuzzing: a B that broadcasts C to a larger shape read past C's elements; C is A's shape, so it must
    // be the broadcast shape itself.
    Workspace wide = new Workspace();
    wide.feed("b", Tensor.of(new int[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2));
    wide.feed("c", Tensor.of(new int[] {3}, 1, 1));
    wide.feed("dc", Tensor.of(new int[] {1, 1, 1, 1, 1, 1, 1, 1}, 2, 2, 2));
    ShapeException e = catchThrowableOfType(ShapeException.class,
        () -> Net.runOperatorOnce(op("DivGradient", List.of("b", "c", "dc"), List.of("da", "db")), wide));
    assertThat(e.detail()).isEqualTo("C 'c' has shape [1, 1] but C = A Div B has shape [2, 2, 2]");
  }

  @Test
  void gradientInPlaceOnDc() {
    // Same shapes: dA (or dB) is dC, read before it is overwritten.
    Workspace ws = gradientWorkspace(floats(d(2), 1, 2), floats(d(2), 3, 4), floats(d(2), 5, 6));
    float[] dc = ws.fetch("dc").floats();
    Net.runOperatorOnce(op("MulGradient", List.of("dc", "a", "b"), List.of("dc", "db")), ws);
    assertThat(ws.fetch("dc").floats()).isSameAs(dc).containsExactly(5, 12);
    assertThat(ws.fetch("db").floats()).containsExactly(3, 8);
    ws.feed("dc", floats(d(2), 1, 2));
    Net.runOperatorOnce(op("MulGradient", List.of("dc", "a", "b"), List.of("da", "dc")), ws);
    assertThat(ws.fetch("da").floats()).containsExactly(5, 12);
    assertThat(ws.fetch("dc").floats()).containsExactly(3, 8);
    // Broadcast: dA is dC but A is smaller, so the reduction goes through scratch.
    Workspace wb = gradientWorkspace(floats(d(2, 2), 1, 2, 3, 4), floats(d(2), 1, 1), floats(d(2, 2), 1, 1, 1, 1));
    Net.runOperatorOnce(op("AddGradient", List.of("dc", "a", "b"), List.of("dc", "db")), wb);
    assertThat(wb.fetch("dc").dims()).containsExactly(2);
    assertThat(wb.fetch("dc").floats()).containsExactly(4, 6);
    assertThat(wb.fetch("db").floats()).containsExactly(1, 2, 3, 4);
    Workspace wd = gradientWorkspace(floats(d(2, 2), 1, 2, 3, 4), floats(d(2, 2), 1, 1, 1, 1), floats(d(2), 1, 2));
    wd.feed("c", floats(d(2, 2), 1, 1, 1, 1));
    Net.runOperatorOnce(op("DivGradient", List.of("dc", "a", "b", "c"), List.of("dc", "db")), wd);
    assertThat(wd.fetch("dc").floats()).containsExactly(1, 1, 3, 2);
    assertThat(wd.fetch("db").floats()).containsExactly(-4, -3);
  }

  @Test
  void gradientOfKnownZeroIsKnownZero() {
    Workspace ws = gradientWorkspace(Tensor.zeros(DataType.FLOAT, 2, 3), floats(d(2, 3), 1, 2, 3, 4, 5, 6),
        floats(d(3), 1, 2, 3));
    Net.runOperatorOnce(op("MulGradient", List.of("dc", "a", "b"), List.of("da", "db")), ws);
    assertThat(ws.fetch("da").isKnownZero()).isTrue();
    assertThat(ws.fetch("da").dims()).containsExactly(2, 3);
    assertThat(ws.fetch("db").isKnownZero()).isTrue();
    assertThat(ws.fetch("db").dims()).containsExactly(3);
  }

  @Test
  void gradientErrors() {
    Workspace ws = gradientWorkspace(floats(d(3), 1, 2, 3), floats(d(2, 3), 1, 2, 3, 4, 5, 6), floats(d(3), 1, 2, 3));
    ShapeException dc = catchThrowableOfType(ShapeException.class,
        () -> Net.runOperatorOnce(op("AddGradient", List.of("dc", "a", "b"), List.of("da", "db")), ws));
    assertThat(dc.detail()).isEqualTo("dC 'dc' has shape [3] but C = A Add B has shape [2, 3]");
    assertThat(dc.blob()).isEqualTo("dc");
    SchemaException same = catchThrowableOfType(SchemaException.class,
        () -> Net.runOperatorOnce(op("AddGradient", List.of("dc", "a", "b"), List.of("g", "g")), ws));
    assertThat(same.detail()).isEqualTo("outputs 0 and 1 are the same blob; each output of an op needs a blob of its "
        + "own");
    assertThat(same.blob()).isEqualTo("g");
  }

  @Test
  void integerGradients() {
    Workspace ws = new Workspace();
    ws.feed("dc", Tensor.of(new int[] {1, 2, 3, 4}, 2, 2));
    ws.feed("a", Tensor.of(new int[] {1, 1, 1, 1}, 2, 2));
    ws.feed("b", Tensor.of(new int[] {2, 3}));
    Net.runOperatorOnce(op("MulGradient", List.of("dc", "a", "b"), List.of("da", "db")), ws);
    assertThat(ws.fetch("da").ints()).containsExactly(2, 6, 6, 12);
    assertThat(ws.fetch("db").ints()).containsExactly(4, 6);
    ws.feed("dl", Tensor.of(new long[] {1, 2, 3, 4}, 2, 2));
    ws.feed("al", Tensor.of(new long[] {1, 1, 1, 1}, 2, 2));
    ws.feed("bl", Tensor.of(new long[] {5}));
    Net.runOperatorOnce(op("AddGradient", List.of("dl", "al", "bl"), List.of("da", "db")), ws);
    assertThat(ws.fetch("db").longs()).containsExactly(10);
  }
}
