package dev.zerog.ops.elementwise;

import static dev.zerog.ops.elementwise.Elementwise.assertGradient;
import static dev.zerog.ops.elementwise.Elementwise.gradientOps;
import static dev.zerog.ops.elementwise.Elementwise.randomDoubles;
import static dev.zerog.ops.elementwise.Elementwise.randomShape;
import static dev.zerog.ops.elementwise.Elementwise.unary;
import static dev.zerog.testing.OpDefs.f;
import static dev.zerog.testing.OpDefs.op;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import dev.zerog.ShapeException;
import dev.zerog.grad.GradientChecker;
import dev.zerog.net.Net;
import dev.zerog.op.Arguments;
import dev.zerog.op.BlobType;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Relu, LeakyRelu, Elu, Sigmoid, Tanh and Softplus, and their gradient operators. */
class ActivationTest {
  private static final float[] X = {-2, -0.5f, 0, 0.5f, 2};

  private static float[] run(String type, Argument... args) {
    return unary(type, Tensor.of(X.clone()), args).floats();
  }

  @Test
  void forwardValues() {
    assertThat(run("Relu")).containsExactly(0, 0, 0, 0.5f, 2);
    assertThat(run("LeakyRelu")).containsExactly(-0.02f, -0.005f, 0, 0.5f, 2);
    assertThat(run("LeakyRelu", f("alpha", 0.5f))).containsExactly(-1, -0.25f, 0, 0.5f, 2);
    assertThat(run("Elu")).containsExactly((float) Math.expm1(-2), (float) Math.expm1(-0.5), 0, 0.5f, 2);
    assertThat(run("Elu", f("alpha", 2))).containsExactly((float) (2 * Math.expm1(-2)),
        (float) (2 * Math.expm1(-0.5)), 0, 0.5f, 2);
    float[] sigmoid = run("Sigmoid");
    for (int i = 0; i < X.length; i++) {
      assertThat(sigmoid[i]).isCloseTo((float) (1 / (1 + Math.exp(-X[i]))), within(1e-7f));
    }
    assertThat(sigmoid[2]).isEqualTo(0.5f);
    float[] tanh = run("Tanh");
    for (int i = 0; i < X.length; i++) {
      assertThat(tanh[i]).isEqualTo((float) Math.tanh(X[i]));
    }
    float[] softplus = run("Softplus");
    for (int i = 0; i < X.length; i++) {
      assertThat(softplus[i]).isCloseTo((float) Math.log(1 + Math.exp(X[i])), within(1e-6f));
    }
    assertThat(softplus[2]).isEqualTo((float) Math.log(2));
  }

  @Test
  void doublesAndEdgeCases() {
    Tensor d = unary("Relu", Tensor.of(new double[] {-1e-300, 3, Double.NaN}));
    assertThat(d.doubles()).containsExactly(0, 3, Double.NaN);
    // Softplus does not overflow for large inputs, and is exactly 0 far below.
    assertThat(unary("Softplus", Tensor.of(new float[] {1000, -1000})).floats()).containsExactly(1000, 0);
    assertThat(unary("Sigmoid", Tensor.of(new double[] {-1000, 1000})).doubles()).containsExactly(0, 1);
    // 0-d and zero-size tensors keep their shapes.
    Tensor scalar = unary("Tanh", Tensor.scalar(0));
    assertThat(scalar.rank()).isZero();
    assertThat(scalar.floats()).containsExactly(0);
    assertThat(unary("Elu", Tensor.allocate(DataType.DOUBLE, 2, 0)).dims()).containsExactly(2, 0);
  }

  @Test
  void inPlaceAsTheZooNetsUseIt() {
    Workspace ws = new Workspace();
    float[] x = {-1, 2};
    ws.feed("x", Tensor.of(x));
    for (String type : List.of("Relu", "LeakyRelu", "Elu", "Sigmoid", "Tanh", "Softplus")) {
      Net.runOperatorOnce(op(type, List.of("x"), List.of("x")), ws);
    }
    assertThat(ws.fetch("x").floats()).isSameAs(x);
    Net.runOperatorOnce(op("Relu", List.of("x"), List.of("y")), ws);
    float[] y = ws.fetch("y").floats();
    Net.runOperatorOnce(op("Relu", List.of("x"), List.of("y")), ws);
    assertThat(ws.fetch("y").floats()).as("memory reused").isSameAs(y);
  }

  @Test
  void typesAndErrors() {
    ShapeException e = catchThrowableOfType(ShapeException.class,
        () -> unary("Relu", Tensor.of(new int[] {1})));
    assertThat(e.detail()).isEqualTo("Relu supports FLOAT and DOUBLE tensors, got INT32");
    assertThat(e.blob()).isEqualTo("x");
    Workspace ws = new Workspace();
    ws.feed("y", Tensor.of(new float[] {1, 2}));
    ws.feed("dy", Tensor.of(new float[] {1, 2, 3}));
    ShapeException g = catchThrowableOfType(ShapeException.class,
        () -> Net.runOperatorOnce(op("ReluGradient", List.of("y", "dy"), List.of("dx")), ws));
    assertThat(g.detail()).isEqualTo("dY 'dy' is FLOAT [3] but 'y' is FLOAT [2]; ReluGradient needs both of one "
        + "type and shape");
    ws.feed("dd", Tensor.of(new double[] {1, 2}));
    ShapeException t = catchThrowableOfType(ShapeException.class,
        () -> Net.runOperatorOnce(op("TanhGradient", List.of("dd", "y"), List.of("dx")), ws));
    assertThat(t.detail()).contains("dY 'dd' is DOUBLE [2] but 'y' is FLOAT [2]");
  }

  @Test
  void gradientOperatorValues() {
    Workspace ws = new Workspace();
    ws.feed("y", Tensor.of(new float[] {-0.5f, 0, 0.5f}));
    ws.feed("dy", Tensor.of(new float[] {2, 2, 2}));
    Net.runOperatorOnce(op("ReluGradient", List.of("y", "dy"), List.of("dx")), ws);
    assertThat(ws.fetch("dx").floats()).containsExactly(0, 0, 2);
    Net.runOperatorOnce(op("LeakyReluGradient", List.of("y", "dy"), List.of("dx"), f("alpha", 0.1f)), ws);
    assertThat(ws.fetch("dx").floats()).containsExactly(0.2f, 2, 2);
    Net.runOperatorOnce(op("EluGradient", List.of("y", "dy"), List.of("dx"), f("alpha", 1)), ws);
    assertThat(ws.fetch("dx").floats()).containsExactly(1, 2, 2);
    Net.runOperatorOnce(op("SigmoidGradient", List.of("y", "dy"), List.of("dx")), ws);
    assertThat(ws.fetch("dx").floats()).containsExactly(-1.5f, 0, 0.5f);
    Net.runOperatorOnce(op("TanhGradient", List.of("dy", "y"), List.of("dx")), ws);
    assertThat(ws.fetch("dx").floats()).containsExactly(1.5f, 2, 1.5f);
    Net.runOperatorOnce(op("SoftplusGradient", List.of("y", "dy"), List.of("dx")), ws);
    assertThat(ws.fetch("dx").floats()[1]).isZero();
    // In place on dY.
    float[] dy = ws.fetch("dy").floats();
    Net.runOperatorOnce(op("ReluGradient", List.of("y", "dy"), List.of("dy")), ws);
    assertThat(ws.fetch("dy").floats()).isSameAs(dy).containsExactly(0, 0, 2);
  }

  /**
   * ReluGradient does not branch per element; over every kind of float and double (zeros of both signs, subnormals,
   * infinities, NaNs of both signs) and over arrays long enough to be split across the kernel threads, it gives bit
   * for bit what the definition dX = (Y > 0 ? dY : 0) gives, in place or not (NaN for NaN, whatever the payload).
   */
  @Test
  void reluGradientIsTheDefinitionBitForBit() {
    float[] fs = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, 1f, -1f, Float.MAX_VALUE,
        -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
        Float.intBitsToFloat(0xffc00000), Float.intBitsToFloat(0x7f800001), Float.intBitsToFloat(0xff800001)};
    double[] ds = {0d, -0d, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL, 1d, -1d, Double.MAX_VALUE,
        -Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN,
        Double.longBitsToDouble(0xfff8000000000000L), Double.longBitsToDouble(0x7ff0000000000001L)};
    SplittableRandom r = new SplittableRandom(77);
    for (int n : new int[] {fs.length * fs.length, 300_007}) {
      float[] y = new float[n];
      float[] dy = new float[n];
      double[] yd = new double[n];
      double[] dyd = new double[n];
      for (int i = 0; i < n; i++) {
        boolean special = i < fs.length * fs.length || r.nextInt(8) == 0;
        y[i] = special ? fs[i % fs.length] : (float) r.nextDouble(-1, 1);
        dy[i] = special ? fs[(i / fs.length) % fs.length] : (float) r.nextDouble(-1, 1);
        yd[i] = special ? ds[i % ds.length] : r.nextDouble(-1, 1);
        dyd[i] = special ? ds[(i / ds.length) % ds.length] : r.nextDouble(-1, 1);
      }
      for (boolean inPlace : new boolean[] {false, true}) {
        Workspace ws = new Workspace();
        ws.feed("y", Tensor.of(y.clone()));
        ws.feed("dy", Tensor.of(dy.clone()));
        ws.feed("yd", Tensor.of(yd.clone()));
        ws.feed("dyd", Tensor.of(dyd.clone()));
        Net.runOperatorOnce(op("ReluGradient", List.of("y", "dy"), List.of(inPlace ? "dy" : "dx")), ws);
        Net.runOperatorOnce(op("ReluGradient", List.of("yd", "dyd"), List.of(inPlace ? "dyd" : "dxd")), ws);
        float[] dx = ws.fetch(inPlace ? "dy" : "dx").floats();
        double[] dxd = ws.fetch(inPlace ? "dyd" : "dxd").doubles();
        for (int i = 0; i < n; i++) {
          float expected = y[i] > 0 ? dy[i] : 0f;
          double expectedD = yd[i] > 0 ? dyd[i] : 0d;
          // Bit for bit, but for NaN payloads (Java's own arithmetic does not keep those of signaling NaNs).
          boolean sameFloat = Float.isNaN(expected) ? Float.isNaN(dx[i])
              : Float.floatToRawIntBits(dx[i]) == Float.floatToRawIntBits(expected);
          if (!sameFloat) {
            throw new AssertionError("y " + y[i] + " dy " + dy[i] + ": dx " + dx[i] + ", expected " + expected);
          }
          boolean sameDouble = Double.isNaN(expectedD) ? Double.isNaN(dxd[i])
              : Double.doubleToRawLongBits(dxd[i]) == Double.doubleToRawLongBits(expectedD);
          if (!sameDouble) {
            throw new AssertionError("y " + yd[i] + " dy " + dyd[i] + ": dx " + dxd[i] + ", expected " + expectedD);
          }
        }
      }
      Workspace ws = new Workspace();
      ws.feed("x", Tensor.of(dy.clone()));
      Net.runOperatorOnce(op("Relu", List.of("x"), List.of("x")), ws);
      float[] relu = ws.fetch("x").floats();
      for (int i = 0; i < n; i++) {
        assertThat(Float.floatToRawIntBits(relu[i])).isEqualTo(Float.floatToRawIntBits(Math.max(dy[i], 0f)));
      }
    }
  }

  @Test
  void knownZeroGradientStaysKnownZero() {
    Workspace ws = new Workspace();
    ws.feed("y", Tensor.of(new float[] {1, 2}));
    ws.feed("dy", Tensor.zeros(DataType.FLOAT, 2));
    Net.runOperatorOnce(op("SigmoidGradient", List.of("y", "dy"), List.of("dx")), ws);
    assertThat(ws.fetch("dx").isKnownZero()).isTrue();
    assertThat(ws.fetch("dx").dims()).containsExactly(2);
  }

  @Test
  void gradientOpsAreCaffe2s() {
    for (String type : List.of("Relu", "LeakyRelu", "Elu", "Sigmoid", "Softplus")) {
      List<OperatorDef> ops = gradientOps(op(type, List.of("x"), List.of("y")));
      assertThat(ops).hasSize(1);
      assertThat(ops.get(0).getType()).isEqualTo(type + "Gradient");
      assertThat(ops.get(0).getInputList()).containsExactly("y", "y_autogen_grad");
      assertThat(ops.get(0).getOutputList()).containsExactly("x_grad");
    }
    List<OperatorDef> tanh = gradientOps(op("Tanh", List.of("x"), List.of("y")));
    assertThat(tanh.get(0).getInputList()).containsExactly("y_autogen_grad", "y");
    List<OperatorDef> leaky = gradientOps(op("LeakyRelu", List.of("x"), List.of("y"), f("alpha", 0.2f)));
    assertThat(leaky.get(0).getArgList()).containsExactly(f("alpha", 0.2f));
    // In place, as the zoo nets write Relu: the gradient reads the output, which is still there.
    List<OperatorDef> inPlace = gradientOps(op("Relu", List.of("x"), List.of("x")));
    assertThat(inPlace.get(0).getInputList()).containsExactly("x", "x_autogen_grad");
    assertThat(inPlace.get(0).getOutputList()).containsExactly("x_grad");
  }

  @Test
  void gradientCheck() {
    SplittableRandom r = new SplittableRandom(17);
    List<OperatorDef> defs = List.of(
        op("Relu", List.of("x"), List.of("y")),
        op("LeakyRelu", List.of("x"), List.of("y"), f("alpha", 0.3f)),
        op("Elu", List.of("x"), List.of("y"), f("alpha", 1.5f)),
        op("Sigmoid", List.of("x"), List.of("y")),
        op("Tanh", List.of("x"), List.of("y")),
        op("Softplus", List.of("x"), List.of("y")),
        op("Relu", List.of("x"), List.of("x")),
        op("Tanh", List.of("x"), List.of("x")));
    for (OperatorDef def : defs) {
      for (int k = 0; k < 3; k++) {
        // Away from 0, where Relu, LeakyRelu and Elu have kinks.
        Tensor x = randomDoubles(r, 0.1, 2, false, randomShape(r));
        assertGradient(GradientChecker.forDouble(), def, Map.of("x", x), 0);
      }
    }
    Tensor f = Tensor.of(new float[] {-1.5f, -0.3f, 0.4f, 1.2f});
    for (OperatorDef def : defs.subList(0, 6)) {
      assertGradient(GradientChecker.forFloat(), def, Map.of("x", f), 0);
    }
  }

  @Test
  void typeInference() {
    var relu = OperatorRegistry.standard().get("Relu").schema().inference();
    OperatorDef def = op("Relu", List.of("x"), List.of("y"));
    Arguments none = Arguments.of(List.of());
    assertThat(relu.infer(def, none, List.of(BlobType.of(DataType.DOUBLE, 2, 3))))
        .containsExactly(BlobType.of(DataType.DOUBLE, 2, 3));
    assertThat(catchThrowableOfType(ShapeException.class,
        () -> relu.infer(def, none, List.of(BlobType.of(DataType.INT64, 2)))).blob()).isEqualTo("x");
    var tanhGrad = OperatorRegistry.standard().get("TanhGradient").schema().inference();
    assertThat(tanhGrad.infer(op("TanhGradient", List.of("dy", "y"), List.of("dx")), none,
        List.of(BlobType.of(DataType.FLOAT, 4), BlobType.UNKNOWN))).containsExactly(BlobType.of(DataType.FLOAT, 4));
  }
}
