package dev.zerog.grad;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerog.net.Net;
import dev.zerog.op.Arity;
import dev.zerog.op.FlopEstimate;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.op.OperatorSchema;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How the pass uses the schema declarations, with test operators: trailing outputs an op can skip, and an op
 * that declares no linearity, which is kept and gets the zeros it reads.
 */
class GradientPruningDeclarationsTest {
  /** TestProduct(X, W) -> Y = X * W (same shapes); gradient TestProductGradient(X, W, dY) -> (dW[, dX]). */
  static final class Product extends Operator {
    static final OperatorDefinition DEFINITION = OperatorDefinition.builder(OperatorSchema.builder("TestProduct")
        .inputs(2).outputs(1).build()).cpu(Product::new).gradient(g -> List.of(GradientContext.op(
            "TestProductGradient", List.of(g.I(0), g.I(1), g.GO(0)), List.of(g.GI(1), g.GI(0))))).build();

    Product(OperatorInit init) {
      super(init);
    }

    @Override
    public void run() {
      float[] x = input(0).floats();
      float[] w = input(1).floats();
      float[] y = output(0).resizeLike(DataType.FLOAT, input(0)).floats();
      for (int i = 0; i < y.length; i++) {
        y[i] = x[i] * w[i];
      }
    }
  }

  /** dW = dY * X, and dX = dY * W only when the op has its second output. */
  static final class ProductGradient extends Operator {
    static final OperatorDefinition DEFINITION = OperatorDefinition.builder(OperatorSchema.builder(
        "TestProductGradient").inputs(3).outputs(Arity.range(1, 2)).linearIn(2).skippableOutputs(1)
        .flops((def, in, out) -> 2L * def.getOutputCount()).build()).cpu(ProductGradient::new).noGradient()
        .build();

    ProductGradient(OperatorInit init) {
      super(init);
    }

    @Override
    public void run() {
      float[] x = input(0).floats();
      float[] w = input(1).floats();
      float[] dy = input(2).floats();
      float[] dw = output(0).resizeLike(DataType.FLOAT, input(1)).floats();
      for (int i = 0; i < dw.length; i++) {
        dw[i] = dy[i] * x[i];
      }
      if (outputSize() == 2) {
        float[] dx = output(1).resizeLike(DataType.FLOAT, input(0)).floats();
        for (int i = 0; i < dx.length; i++) {
          dx[i] = dy[i] * w[i];
        }
      }
    }
  }

  /** TestCube(X) -> X^3, gradient TestCubeGradient(X, dY) -> dX = 3 X^2 dY, declared with no linearity. */
  static final class Cube extends Operator {
    static final OperatorDefinition DEFINITION = OperatorDefinition.builder(OperatorSchema.builder("TestCube")
        .inputs(1).outputs(1).build()).cpu(Cube::new).gradient(g -> List.of(GradientContext.op(
            "TestCubeGradient", List.of(g.I(0), g.GO(0)), List.of(g.GI(0))))).build();
    static final OperatorDefinition GRADIENT = OperatorDefinition.builder(OperatorSchema.builder(
        "TestCubeGradient").inputs(2).outputs(1).build()).cpu(CubeGradient::new).noGradient().build();

    Cube(OperatorInit init) {
      super(init);
    }

    @Override
    public void run() {
      float[] x = input(0).floats();
      float[] y = output(0).resizeLike(DataType.FLOAT, input(0)).floats();
      for (int i = 0; i < y.length; i++) {
        y[i] = x[i] * x[i] * x[i];
      }
    }
  }

  static final class CubeGradient extends Operator {
    CubeGradient(OperatorInit init) {
      super(init);
    }

    @Override
    public void run() {
      float[] x = input(0).floats();
      float[] dy = input(1).floats();
      float[] dx = output(0).resizeLike(DataType.FLOAT, input(0)).floats();
      for (int i = 0; i < dx.length; i++) {
        dx[i] = 3 * x[i] * x[i] * dy[i];
      }
    }
  }

  private static final OperatorRegistry REGISTRY = OperatorRegistry.standard().toBuilder()
      .add(Product.DEFINITION).add(ProductGradient.DEFINITION).add(Cube.DEFINITION).add(Cube.GRADIENT).build();

  private static Workspace run(NetDef forward, BackwardPass pass, Map<String, Tensor> feeds) {
    Workspace ws = new Workspace();
    feeds.forEach((k, v) -> ws.feed(k, v.copy()));
    Net.create(pass.appendTo(forward), ws, REGISTRY).run();
    return ws;
  }

  @Test
  void anUnwantedTrailingOutputIsSkipped() {
    NetDef forward = TestNets.net("external_input: \"X\" external_input: \"W\"\n"
        + "op { input: \"X\" input: \"W\" output: \"Y\" type: \"TestProduct\" }\n"
        + "op { input: \"Y\" output: \"loss\" type: \"SumElements\" }");
    BackwardPass pass = BackwardPass.build(forward, List.of("loss"), Map.of(), REGISTRY);
    PrunedBackward p = GradientPruning.of(forward, pass).registry(REGISTRY).parameters(List.of("W")).prune();
    OperatorDef grad = p.pass().gradientOps().stream().filter(o -> o.getType().equals("TestProductGradient"))
        .findFirst().orElseThrow();
    assertThat(grad.getOutputList()).containsExactly("W_grad");
    assertThat(p.pruned()).singleElement().satisfies(o -> {
      assertThat(o.reason()).isEqualTo(PrunedOp.Reason.SKIPPED_OUTPUTS);
      assertThat(o.outputsRemoved()).isEqualTo(1);
      assertThat(o.flops()).isEqualTo(2);
      assertThat(o.removed()).isFalse();
    });
    assertThat(p.removedOps()).isZero();
    Map<String, Tensor> feeds = Map.of("X", Tensor.of(new float[] {1, 2, 3}), "W", Tensor.of(new float[] {4, 5, 6}));
    Workspace full = run(forward, pass, feeds);
    Workspace pruned = run(forward, p.pass(), feeds);
    ZeroAwareNets.assertSameGradients(full, pass, pruned, p, false);
    assertThat(pruned.hasBlob("X_grad")).isFalse();
    // Wanted, the output stays.
    PrunedBackward both = GradientPruning.of(forward, pass).registry(REGISTRY).parameters(List.of("W"))
        .wanted(List.of("X")).prune();
    assertThat(both.pruned()).isEmpty();
  }

  @Test
  void aZeroReadByAnOpWithoutLinearityIsComputed() {
    // ZeroGradient(g) sends zeros down through Relu's gradient into TestCubeGradient, which declares no linearity:
    // it stays, and the ReluGradient that feeds it is kept too (h has no parameter shape to fill zeros like).
    NetDef forward = TestNets.net("external_input: \"X\" external_input: \"Z\"\n"
        + "op { input: \"X\" output: \"h\" type: \"TestCube\" }\n"
        + "op { input: \"h\" output: \"g\" type: \"Relu\" }\n"
        + "op { input: \"g\" type: \"ZeroGradient\" }\n"
        + "op { input: \"Z\" output: \"loss\" type: \"SumElements\" }");
    BackwardPass pass = BackwardPass.build(forward, List.of("loss"), Map.of(), REGISTRY);
    PrunedBackward p = GradientPruning.of(forward, pass).registry(REGISTRY).parameters(List.of("X", "Z")).prune();
    assertThat(p.pass().gradientOps()).extracting(OperatorDef::getType)
        .contains("ConstantFill", "ReluGradient", "TestCubeGradient");
    assertThat(p.parameters().get("X").status()).isEqualTo(ParameterGradient.Status.REAL);
    Map<String, Tensor> feeds = Map.of("X", Tensor.of(new float[] {1, -2}), "Z", Tensor.of(new float[] {3}));
    ZeroAwareNets.assertSameGradients(run(forward, pass, feeds), pass, run(forward, p.pass(), feeds), p, false);
  }

  @Test
  void aZeroWantedAsAParametersGradientIsFilledLikeTheParameter() {
    // ZeroGradient(g): X's gradient is zero through Relu's and Scale's gradients; both go, and X_grad becomes a
    // zero fill like X.
    NetDef forward = TestNets.net("external_input: \"X\" external_input: \"Z\"\n"
        + "op { input: \"X\" output: \"h\" type: \"Scale\" arg { name: \"scale\" f: -2 } }\n"
        + "op { input: \"h\" output: \"g\" type: \"Relu\" }\n"
        + "op { input: \"g\" type: \"ZeroGradient\" }\n"
        + "op { input: \"Z\" output: \"loss\" type: \"SumElements\" }");
    BackwardPass pass = BackwardPass.build(forward, List.of("loss"), Map.of(), REGISTRY);
    PrunedBackward p = GradientPruning.of(forward, pass).registry(REGISTRY).parameters(List.of("X", "Z")).prune();
    assertThat(p.parameters().get("X").status()).isEqualTo(ParameterGradient.Status.ZERO);
    assertThat(p.parameters().get("X").cause()).isEqualTo("#2 ZeroGradient");
    assertThat(p.parameters().get("X").path()).containsExactly("X", "h", "g");
    assertThat(p.pass().gradientOps()).extracting(OperatorDef::getType).doesNotContain("ReluGradient", "Scale");
    Map<String, Tensor> feeds = Map.of("X", Tensor.of(new float[] {1, -2}), "Z", Tensor.of(new float[] {3}));
    Workspace pruned = run(forward, p.pass(), feeds);
    assertThat(pruned.fetch("X_grad").isKnownZero()).isTrue();
    ZeroAwareNets.assertSameGradients(run(forward, pass, feeds), pass, pruned, p, true);
  }

  @Test
  void flopEstimatesOfTheHelpers() {
    var types = List.of(dev.zerog.op.BlobType.of(DataType.FLOAT, 2, 3));
    OperatorDef any = OperatorDef.getDefaultInstance();
    assertThat(FlopEstimate.perOutputElement(2).flops(any, List.of(), types)).isEqualTo(12);
    assertThat(FlopEstimate.perInputElement(-1, 3).flops(any, types, List.of())).isEqualTo(18);
    assertThat(FlopEstimate.perOutputElement(2).flops(any, List.of(), List.of(dev.zerog.op.BlobType.UNKNOWN)))
        .isEqualTo(-1);
  }
}
