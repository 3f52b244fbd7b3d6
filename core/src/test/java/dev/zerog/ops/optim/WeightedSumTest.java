package dev.zerog.ops.optim;

import static dev.zerog.testing.OpDefs.i;
import static dev.zerog.testing.OpDefs.net;
import static dev.zerog.testing.OpDefs.op;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerog.SchemaException;
import dev.zerog.ShapeException;
import dev.zerog.grad.BackwardPass;
import dev.zerog.grad.GradientChecker;
import dev.zerog.grad.GradientKind;
import dev.zerog.net.Net;
import dev.zerog.op.Arguments;
import dev.zerog.op.BlobType;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WeightedSumTest {
  private static Tensor run(Workspace ws, OperatorDef op) {
    Net.create(net(op), ws).run();
    return ws.fetch(op.getOutput(0));
  }

  private static Workspace feeds(Object... nameTensor) {
    Workspace ws = new Workspace();
    for (int k = 0; k < nameTensor.length; k += 2) {
      ws.feed((String) nameTensor[k], (Tensor) nameTensor[k + 1]);
    }
    return ws;
  }

  private static OperatorDef ws(List<String> inputs, String out, Argument... args) {
    return op("WeightedSum", inputs, List.of(out), args);
  }

  @Test
  void twoPairs() {
    Workspace w = feeds("a", Tensor.of(new float[] {1, 2, 3}), "wa", Tensor.scalar(2f),
        "b", Tensor.of(new float[] {10, 20, 30}), "wb", Tensor.of(new float[] {0.5f}));
    Tensor y = run(w, ws(List.of("a", "wa", "b", "wb"), "y"));
    assertThat(y.dims()).containsExactly(3);
    assertThat(y.floats()).containsExactly(7, 14, 21);
    assertThat(w.fetch("a").floats()).containsExactly(1, 2, 3);
  }

  @Test
  void knownZeroTermsAreSkippedWithoutMaterializingThem() {
    float[] param = {1, -2, 3};
    Tensor grad = Tensor.zeros(DataType.FLOAT, 3);
    Workspace w = feeds("p", Tensor.of(param), "one", Tensor.scalar(1f), "g", grad, "lr", Tensor.scalar(-0.1f));
    Tensor y = run(w, ws(List.of("p", "one", "g", "lr"), "p"));
    assertThat(y.floats()).isSameAs(param).containsExactly(1, -2, 3);
    assertThat(grad.isKnownZero()).isTrue();

    w = feeds("a", Tensor.zeros(DataType.DOUBLE, 2), "wa", Tensor.scalar(2f), "b", Tensor.of(new double[] {1, 2}),
        "wb", Tensor.scalar(3f));
    assertThat(run(w, ws(List.of("a", "wa", "b", "wb"), "y")).doubles()).containsExactly(3, 6);
    assertThat(w.fetch("a").isKnownZero()).isTrue();
    w = feeds("a", Tensor.zeros(DataType.DOUBLE, 2), "wa", Tensor.scalar(2f), "b", Tensor.zeros(DataType.DOUBLE, 2),
        "wb", Tensor.scalar(3f));
    Tensor zero = run(w, ws(List.of("a", "wa", "b", "wb"), "y"));
    assertThat(zero.isKnownZero()).isTrue();
    assertThat(zero.dtype()).isEqualTo(DataType.DOUBLE);
    // In place on a known-zero X0, with a real second term.
    w = feeds("a", Tensor.zeros(DataType.FLOAT, 2), "wa", Tensor.scalar(2f), "b", Tensor.of(new float[] {1, 2}),
        "wb", Tensor.scalar(-1f));
    assertThat(run(w, ws(List.of("a", "wa", "b", "wb"), "a")).floats()).containsExactly(-1, -2);
  }

  @Test
  void onePairScales() {
    Tensor y = run(feeds("a", Tensor.of(new float[] {1, -2}, 2, 1), "w", Tensor.scalar(-3f)),
        ws(List.of("a", "w"), "y"));
    assertThat(y.dims()).containsExactly(2, 1);
    assertThat(y.floats()).containsExactly(-3, 6);
  }

  @Test
  void inPlaceIsTheSgdStep() {
    // param = 1 * param + lr * grad, with lr = -0.1.
    float[] param = {1, 2};
    Workspace w = feeds("param", Tensor.of(param), "ONE", Tensor.of(new float[] {1}), "grad",
        Tensor.of(new float[] {10, -10}), "lr", Tensor.scalar(-0.1f));
    Tensor y = run(w, ws(List.of("param", "ONE", "grad", "lr"), "param"));
    assertThat(y.floats()).isSameAs(param).containsExactly(0f, 3f);
  }

  @Test
  void threePairsInDoubleAndShapesDifferingInRankOnly() {
    Workspace w = feeds("a", Tensor.of(new double[] {1, 2, 3, 4}, 2, 2), "wa", Tensor.of(new double[] {1}),
        "b", Tensor.of(new double[] {1, 1, 1, 1}), "wb", Tensor.of(new double[] {-1}),
        "c", Tensor.of(new double[] {0.5, 0.5, 0.5, 0.5}, 4, 1), "wc", Tensor.scalar(4f));
    Tensor y = run(w, ws(List.of("a", "wa", "b", "wb", "c", "wc"), "y"));
    assertThat(y.dtype()).isEqualTo(DataType.DOUBLE);
    assertThat(y.dims()).containsExactly(2, 2);
    assertThat(y.doubles()).containsExactly(2, 3, 4, 5);
  }

  @Test
  void roundsEachElementAsOnePassPerPair() {
    // Y = ((w0·X0 + w1·X1) + w2·X2) + ..., each product and sum rounded to float, in and out of place.
    SplittableRandom r = new SplittableRandom(5);
    for (int pairs = 1; pairs <= 4; pairs++) {
      for (boolean inPlace : new boolean[] {false, true}) {
        int size = 1 + r.nextInt(300);
        Workspace w = new Workspace();
        List<String> inputs = new java.util.ArrayList<>();
        float[][] xs = new float[pairs][size];
        float[] weights = new float[pairs];
        for (int p = 0; p < pairs; p++) {
          for (int k = 0; k < size; k++) {
            xs[p][k] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-3, 4)));
          }
          weights[p] = (float) r.nextGaussian();
          w.feed("x" + p, Tensor.of(xs[p].clone()));
          w.feed("w" + p, Tensor.scalar(weights[p]));
          inputs.add("x" + p);
          inputs.add("w" + p);
        }
        float[] expected = new float[size];
        for (int k = 0; k < size; k++) {
          expected[k] = weights[0] * xs[0][k];
        }
        for (int p = 1; p < pairs; p++) {
          for (int k = 0; k < size; k++) {
            expected[k] += weights[p] * xs[p][k];
          }
        }
        Tensor y = run(w, ws(inputs, inPlace ? "x0" : "y"));
        assertThat(y.floats()).as("%d pairs, in place %s", pairs, inPlace).containsExactly(expected);
      }
    }
  }

  @Test
  void theSameTensorTwice() {
    Tensor y = run(feeds("a", Tensor.of(new float[] {1, 2}), "w", Tensor.scalar(1f)),
        ws(List.of("a", "w", "a", "w"), "y"));
    assertThat(y.floats()).containsExactly(2, 4);
  }

  @Test
  void errors() {
    assertThatThrownBy(() -> run(feeds("a", Tensor.of(new float[] {1}), "w", Tensor.scalar(1f)),
        ws(List.of("a", "w", "a"), "y")))
        .isInstanceOf(SchemaException.class).hasMessageContaining("an even number of inputs, got 3");
    assertThatThrownBy(() -> run(feeds("a", Tensor.of(new float[] {1, 2}), "w", Tensor.scalar(1f),
        "b", Tensor.of(new float[] {1, 2, 3})), ws(List.of("a", "w", "b", "w"), "y")))
        .isInstanceOf(ShapeException.class).hasMessageContaining("input 2 'b' is FLOAT [3], but X0 'a' is FLOAT [2]")
        .satisfies(e -> assertThat(((ShapeException) e).blob()).isEqualTo("b"));
    assertThatThrownBy(() -> run(feeds("a", Tensor.of(new float[] {1, 2}), "w", Tensor.of(new float[] {1, 2})),
        ws(List.of("a", "w"), "y")))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("weight input 1 must be a one-element FLOAT or DOUBLE");
    assertThatThrownBy(() -> run(feeds("a", Tensor.of(new float[0]), "w", Tensor.scalar(1f)),
        ws(List.of("a", "w"), "y")))
        .isInstanceOf(ShapeException.class).hasMessageContaining("X0 is empty");
    assertThatThrownBy(() -> run(feeds("a", Tensor.of(new int[] {1}), "w", Tensor.scalar(1f)),
        ws(List.of("a", "w"), "y")))
        .isInstanceOf(ShapeException.class).hasMessageContaining("supports FLOAT and DOUBLE tensors, got INT32");
    assertThatThrownBy(() -> run(feeds("a", Tensor.of(new float[] {1}), "w", Tensor.scalar(1f),
        "b", Tensor.of(new float[] {1})), ws(List.of("a", "w", "b", "w"), "b")))
        .isInstanceOf(SchemaException.class).hasMessageContaining("does not allow (in place)");
  }

  @Test
  void backwardPassEmitsCaffe2sGradientOp() {
    OperatorDef fwd = ws(List.of("a", "wa", "b", "wb"), "y");
    BackwardPass pass = BackwardPass.build(net(fwd), List.of("y"));
    OperatorDef g = pass.gradientOps().get(1);
    assertThat(g.getType()).isEqualTo("WeightedSumGradient");
    assertThat(g.getInputList()).containsExactly("y_autogen_grad", "a", "wa", "b", "wb");
    assertThat(g.getOutputList()).containsExactly("a_grad", "b_grad");
    assertThat(g.getIsGradientOp()).isTrue();
    assertThat(pass.gradientMap()).containsOnlyKeys("y", "a", "b");

    OperatorDef withW = ws(List.of("a", "wa", "b", "wb"), "y", i("grad_on_w", 1));
    OperatorDef gw = BackwardPass.build(net(withW), List.of("y")).gradientOps().get(1);
    assertThat(gw.getOutputList()).containsExactly("a_grad", "b_grad", "wa_grad", "wb_grad");
    assertThat(gw.getArgList()).extracting(Argument::getName).containsExactly("grad_on_w");
  }

  @Test
  void gradientOpValues() {
    Workspace w = feeds("dy", Tensor.of(new float[] {1, 2}), "a", Tensor.of(new float[] {3, 4}),
        "wa", Tensor.scalar(2f), "b", Tensor.of(new float[] {-1, 1}), "wb", Tensor.scalar(-1f));
    Net.create(net(op("WeightedSumGradient", List.of("dy", "a", "wa", "b", "wb"),
        List.of("da", "db", "dwa", "dwb"), i("grad_on_w", 1))), w).run();
    assertThat(w.fetch("da").floats()).containsExactly(2, 4);
    assertThat(w.fetch("db").floats()).containsExactly(-1, -2);
    assertThat(w.fetch("dwa").dims()).containsExactly(1);
    assertThat(w.fetch("dwa").floats()).containsExactly(11);
    assertThat(w.fetch("dwb").floats()).containsExactly(1);
    assertThatThrownBy(() -> Net.create(net(op("WeightedSumGradient", List.of("dy", "a", "wa"),
        List.of("da", "dwa"))), w)).isInstanceOf(SchemaException.class).hasMessageContaining("has 1 outputs, got 2");
  }

  @Test
  void gradientCheck() {
    SplittableRandom r = new SplittableRandom(5);
    for (int trial = 0; trial < 4; trial++) {
      int rows = 1 + r.nextInt(3);
      int cols = 1 + r.nextInt(4);
      Map<String, Tensor> in = new LinkedHashMap<>();
      in.put("a", random(r, rows, cols));
      in.put("wa", Tensor.of(new double[] {r.nextDouble(-2, 2)}));
      in.put("b", random(r, rows, cols));
      in.put("wb", Tensor.of(new double[] {r.nextDouble(-2, 2)}));
      OperatorDef op = ws(List.of("a", "wa", "b", "wb"), "y", i("grad_on_w", 1));
      assertThat(GradientChecker.forDouble().check(op, in, 0, 1, 2, 3))
          .allSatisfy(result -> assertThat(result.passed()).as(result.toString()).isTrue());
    }
  }

  private static Tensor random(SplittableRandom r, long... dims) {
    Tensor t = Tensor.allocate(DataType.DOUBLE, dims);
    for (int k = 0; k < t.size(); k++) {
      t.doubles()[k] = r.nextDouble(-1, 1);
    }
    return t;
  }

  @Test
  void schemaAndInference() {
    var registry = OperatorRegistry.standard();
    assertThat(registry.get("WeightedSum").gradientKind()).isEqualTo(GradientKind.YES);
    assertThat(registry.get("WeightedSumGradient").gradientKind()).isEqualTo(GradientKind.NOT_IMPLEMENTED);
    assertThat(registry.get("WeightedSum").schema().allowsInPlace(0, 0)).isTrue();
    assertThat(registry.get("WeightedSum").schema().allowsInPlace(2, 0)).isFalse();
    OperatorDef fwd = ws(List.of("a", "wa"), "y");
    assertThat(registry.get("WeightedSum").schema().inference().infer(fwd, Arguments.of(List.of()),
        List.of(BlobType.of(DataType.FLOAT, 2, 3), BlobType.of(DataType.FLOAT, 1))))
        .containsExactly(BlobType.of(DataType.FLOAT, 2, 3));
    OperatorDef g = op("WeightedSumGradient", List.of("dy", "a", "wa"), List.of("da", "dwa"), i("grad_on_w", 1));
    assertThat(registry.get("WeightedSumGradient").schema().inference().infer(g, Arguments.of(g.getArgList()),
        List.of(BlobType.of(DataType.FLOAT, 4), BlobType.of(DataType.FLOAT, 4), BlobType.of(DataType.FLOAT, 1))))
        .containsExactly(BlobType.of(DataType.FLOAT, 4), BlobType.of(DataType.FLOAT, 1));
  }
}
