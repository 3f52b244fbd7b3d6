package dev.zerog.ops.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.TextFormat;
import dev.zerog.SchemaException;
import dev.zerog.ShapeException;
import dev.zerog.grad.BackwardPass;
import dev.zerog.grad.GradientBlob;
import dev.zerog.grad.GradientKind;
import dev.zerog.net.Net;
import dev.zerog.op.Arguments;
import dev.zerog.op.BlobType;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.List;
import org.junit.jupiter.api.Test;

class SumTest {
  private static OperatorDef sum(String output, String... inputs) {
    return OperatorDef.newBuilder().setType("Sum").addAllInput(List.of(inputs)).addOutput(output).build();
  }

  private static NetDef net(OperatorDef... ops) {
    return NetDef.newBuilder().addAllOp(List.of(ops)).build();
  }

  @Test
  void sumsFloats() {
    Workspace ws = new Workspace();
    ws.feed("a", Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
    ws.feed("b", Tensor.of(new float[] {10, 20, 30, 40}, 2, 2));
    ws.feed("c", Tensor.of(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, 2, 2));
    Net.runOperatorOnce(sum("y", "a", "b", "c"), ws);
    Tensor y = ws.fetch("y");
    assertThat(y.dims()).containsExactly(2, 2);
    assertThat(y.floats()).containsExactly(11.5f, 22.5f, 33.5f, 44.5f);
    assertThat(ws.fetch("a").floats()).containsExactly(1, 2, 3, 4);
  }

  @Test
  void oneInputIsCopied() {
    Workspace ws = new Workspace();
    float[] a = {1, 2};
    ws.feed("a", Tensor.of(a));
    Net.runOperatorOnce(sum("y", "a"), ws);
    assertThat(ws.fetch("y").floats()).containsExactly(1, 2).isNotSameAs(a);
  }

  @Test
  void sameBlobTwiceAsInput() {
    Workspace ws = new Workspace();
    ws.feed("a", Tensor.of(new double[] {1.5, -2}));
    Net.runOperatorOnce(sum("y", "a", "a", "a"), ws);
    assertThat(ws.fetch("y").doubles()).containsExactly(4.5, -6);
  }

  @Test
  void inPlaceOnTheFirstInput() {
    Workspace ws = new Workspace();
    float[] a = {1, 2, 3};
    ws.feed("a", Tensor.of(a));
    ws.feed("b", Tensor.of(new float[] {10, 20, 30}));
    Net.runOperatorOnce(sum("a", "a", "b", "b"), ws);
    assertThat(ws.fetch("a").floats()).isSameAs(a).containsExactly(21, 42, 63);
  }

  /** Long FLOAT sums are split across the kernel threads; every element is still ((a + b) + c), as on one thread. */
  @Test
  void longFloatSumsAreTheSameSplitAcrossThreads() {
    int n = 300_007;
    float[] a = new float[n];
    float[] b = new float[n];
    float[] c = new float[n];
    java.util.SplittableRandom r = new java.util.SplittableRandom(5);
    for (int i = 0; i < n; i++) {
      a[i] = (float) r.nextDouble(-1e4, 1e4);
      b[i] = (float) r.nextDouble(-1, 1);
      c[i] = (float) r.nextDouble(-1e-4, 1e-4);
    }
    Workspace ws = new Workspace();
    ws.feed("a", Tensor.of(a.clone()));
    ws.feed("b", Tensor.of(b));
    ws.feed("c", Tensor.of(c));
    Net.runOperatorOnce(sum("y", "a", "b", "c"), ws);
    Net.runOperatorOnce(sum("a", "a", "b", "c"), ws);
    float[] y = ws.fetch("y").floats();
    float[] inPlace = ws.fetch("a").floats();
    int wrong = 0;
    for (int i = 0; i < n; i++) {
      float expected = (a[i] + b[i]) + c[i];
      if (y[i] != expected || inPlace[i] != expected) {
        wrong++;
      }
    }
    assertThat(wrong).as("elements that differ from ((a + b) + c)").isZero();
  }

  @Test
  void inPlaceOnAnotherInputIsRefused() {
    Workspace ws = new Workspace();
    ws.feed("a", Tensor.of(new float[] {1}));
    ws.feed("b", Tensor.of(new float[] {1}));
    SchemaException e = catchThrowableOfType(SchemaException.class,
        () -> Net.create(net(sum("b", "a", "b")), ws));
    assertThat(e.getMessage()).contains("in place");
  }

  @Test
  void noInputIsRefused() {
    Workspace ws = new Workspace();
    SchemaException e = catchThrowableOfType(SchemaException.class, () -> Net.create(net(sum("y")), ws));
    assertThat(e.getMessage()).contains("Sum takes 1-* inputs, got 0");
  }

  @Test
  void integerTypesWrapOnOverflow() {
    Workspace ws = new Workspace();
    ws.feed("a", Tensor.of(new int[] {Integer.MAX_VALUE, 5}));
    ws.feed("b", Tensor.of(new int[] {1, -7}));
    ws.feed("c", Tensor.of(new long[] {Long.MAX_VALUE, 3}));
    ws.feed("d", Tensor.of(new long[] {1, 4}));
    Net.runOperatorOnce(sum("y", "a", "b"), ws);
    Net.runOperatorOnce(sum("z", "c", "d", "d"), ws);
    assertThat(ws.fetch("y").ints()).containsExactly(Integer.MIN_VALUE, -2);
    assertThat(ws.fetch("z").longs()).containsExactly(Long.MIN_VALUE + 1, 11);
  }

  @Test
  void reusesTheOutputMemoryAcrossRuns() {
    Workspace ws = new Workspace();
    ws.feed("a", Tensor.of(new float[] {1, 2}));
    ws.feed("b", Tensor.of(new float[] {3, 4}));
    Net net = Net.create(net(sum("y", "a", "b")), ws);
    net.run();
    float[] first = ws.fetch("y").floats();
    ws.feed("b", Tensor.of(new float[] {5, 6}));
    net.run();
    assertThat(ws.fetch("y").floats()).isSameAs(first).containsExactly(6, 8);
  }

  @Test
  void shapeMismatchNamesTheBlobAndTheOp() {
    Workspace ws = new Workspace();
    ws.feed("a", Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
    ws.feed("b", Tensor.of(new float[] {1, 2, 3, 4}, 4));
    Net net = Net.create(net(sum("y", "a", "b")), ws);
    ShapeException e = catchThrowableOfType(ShapeException.class, net::run);
    assertThat(e.opIndex()).isEqualTo(0);
    assertThat(e.opType()).isEqualTo("Sum");
    assertThat(e.blob()).isEqualTo("b");
    assertThat(e.detail()).isEqualTo("input 1 'b' is FLOAT [4], but input 0 'a' is FLOAT [2, 2]; every input of"
        + " Sum must have the same type and shape");
  }

  @Test
  void typeMismatchIsAShapeError() {
    Workspace ws = new Workspace();
    ws.feed("a", Tensor.of(new float[] {1}));
    ws.feed("b", Tensor.of(new double[] {1}));
    ShapeException e = catchThrowableOfType(ShapeException.class,
        () -> Net.runOperatorOnce(sum("y", "a", "b"), ws));
    assertThat(e.detail()).contains("input 1 'b' is DOUBLE [1], but input 0 'a' is FLOAT [1]");
  }

  @Test
  void unsupportedType() {
    Workspace ws = new Workspace();
    ws.feed("a", Tensor.of(new boolean[] {true}));
    ShapeException e = catchThrowableOfType(ShapeException.class, () -> Net.runOperatorOnce(sum("y", "a"), ws));
    assertThat(e.detail()).isEqualTo("Sum supports FLOAT, DOUBLE, INT32 and INT64 tensors, got BOOL");
    assertThat(e.blob()).isEqualTo("a");
  }

  @Test
  void knownZeroInputsAreSkippedWithoutMemory() {
    Workspace ws = new Workspace();
    Tensor zero = Tensor.zeros(DataType.FLOAT, 3);
    ws.feed("z", zero);
    ws.feed("a", Tensor.of(new float[] {1, 2, 3}));
    Net.runOperatorOnce(sum("y", "z", "a", "z"), ws);
    assertThat(ws.fetch("y").floats()).containsExactly(1, 2, 3);
    assertThat(zero.isKnownZero()).isTrue();

    Net.runOperatorOnce(sum("w", "z", "z"), ws);
    assertThat(ws.fetch("w").isKnownZero()).isTrue();
    assertThat(ws.fetch("w").dims()).containsExactly(3);

    Net.runOperatorOnce(sum("a", "a", "z"), ws);
    assertThat(ws.fetch("a").floats()).containsExactly(1, 2, 3);
  }

  @Test
  void typeInference() {
    var inference = OperatorRegistry.standard().get("Sum").schema().inference();
    OperatorDef def = sum("y", "a", "b");
    Arguments none = Arguments.of(List.of());
    assertThat(inference.infer(def, none, List.of(BlobType.of(DataType.FLOAT, 2, 3), BlobType.UNKNOWN)))
        .containsExactly(BlobType.of(DataType.FLOAT, 2, 3));
    assertThat(inference.infer(def, none, List.of(new BlobType(DataType.INT64, null),
        new BlobType(null, new long[] {4})))).containsExactly(BlobType.of(DataType.INT64, 4));
    ShapeException e = catchThrowableOfType(ShapeException.class, () -> inference.infer(def, none,
        List.of(BlobType.of(DataType.FLOAT, 2), BlobType.of(DataType.FLOAT, 3))));
    assertThat(e.blob()).isEqualTo("b");
    assertThat(e.detail()).contains("input 1 has shape [3] but input 0 has [2]");
  }

  @Test
  void gradientIsPassedThroughWithNoOp() throws TextFormat.ParseException {
    assertThat(OperatorRegistry.standard().get("Sum").gradientKind()).isEqualTo(GradientKind.YES);
    NetDef.Builder forward = NetDef.newBuilder();
    TextFormat.merge("op { input: \"a\" input: \"b\" output: \"y\" type: \"Sum\" }", forward);
    BackwardPass pass = BackwardPass.build(forward.build(), List.of("y"));
    assertThat(pass.gradientOps()).extracting(OperatorDef::getType).containsExactly("ConstantFill");
    assertThat(pass.gradientMap()).containsEntry("a", GradientBlob.dense("y_autogen_grad"))
        .containsEntry("b", GradientBlob.dense("y_autogen_grad"));

    Workspace ws = new Workspace();
    ws.feed("a", Tensor.of(new float[] {1, 2}));
    ws.feed("b", Tensor.of(new float[] {3, 4}));
    Net.create(pass.appendTo(forward.build()), ws).run();
    assertThat(ws.fetch("y_autogen_grad").floats()).containsExactly(1, 1);
  }
}
