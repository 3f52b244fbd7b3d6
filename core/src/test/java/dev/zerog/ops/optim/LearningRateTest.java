package dev.zerog.ops.optim;

import static dev.zerog.testing.OpDefs.f;
import static dev.zerog.testing.OpDefs.i;
import static dev.zerog.testing.OpDefs.ints;
import static dev.zerog.testing.OpDefs.net;
import static dev.zerog.testing.OpDefs.op;
import static dev.zerog.testing.OpDefs.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.zerog.SchemaException;
import dev.zerog.ShapeException;
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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LearningRateTest {
  private static OperatorDef lr(Argument... args) {
    return op("LearningRate", List.of("it"), List.of("lr"), args);
  }

  /** The learning rate at each of the iterations, from one net run with a changing counter. */
  private static float[] at(OperatorDef op, long... iterations) {
    Workspace ws = new Workspace();
    ws.feed("it", Tensor.of(new long[] {0}));
    Net n = Net.create(net(op), ws);
    float[] out = new float[iterations.length];
    for (int k = 0; k < iterations.length; k++) {
      ws.fetch("it").longs()[0] = iterations[k];
      n.run();
      Tensor t = ws.fetch("lr");
      assertThat(t.dtype()).isEqualTo(DataType.FLOAT);
      assertThat(t.rank()).isZero();
      out[k] = t.floats()[0];
    }
    return out;
  }

  @Test
  void fixed() {
    assertThat(at(lr(f("base_lr", -0.1f), s("policy", "fixed")), 0, 1, 1000)).containsExactly(-0.1f, -0.1f, -0.1f);
  }

  @Test
  void step() {
    assertThat(at(lr(f("base_lr", 1f), s("policy", "step"), i("stepsize", 10), f("gamma", 0.5f)), 0, 9, 10, 19, 25,
        100)).containsExactly(1f, 1f, 0.5f, 0.5f, 0.25f, 1f / 1024);
  }

  @Test
  void exp() {
    float[] v = at(lr(f("base_lr", 2f), s("policy", "exp"), f("gamma", 0.9f)), 0, 1, 2, 10);
    assertThat(v[0]).isEqualTo(2f);
    assertThat(v[1]).isCloseTo(1.8f, within(1e-6f));
    assertThat(v[2]).isCloseTo(1.62f, within(1e-6f));
    assertThat(v[3]).isCloseTo((float) (2 * Math.pow(0.9f, 10)), within(1e-6f));
  }

  @Test
  void inv() {
    float[] v = at(lr(f("base_lr", 1f), s("policy", "inv"), f("gamma", 0.1f), f("power", 0.5f)), 0, 10, 30);
    assertThat(v[0]).isEqualTo(1f);
    assertThat(v[1]).isCloseTo((float) (1 / Math.sqrt(2)), within(1e-6f));
    assertThat(v[2]).isCloseTo(0.5f, within(1e-6f));
  }

  @Test
  void poly() {
    float[] v = at(lr(f("base_lr", 4f), s("policy", "poly"), f("power", 2f), i("max_iter", 100)), 0, 50, 90, 100,
        150);
    assertThat(v[0]).isEqualTo(4f);
    assertThat(v[1]).isEqualTo(1f);
    assertThat(v[2]).isCloseTo(0.04f, within(1e-6f));
    // From max_iter on the rate stays 0 (Caffe2's formula would rise again or give NaN).
    assertThat(v[3]).isZero();
    assertThat(v[4]).isZero();
  }

  @Test
  void multistep() {
    assertThat(at(lr(f("base_lr", 1f), s("policy", "multistep"), ints("stepsizes", 5, 10), f("gamma", 0.1f)), 0, 4,
        5, 9, 10, 1000)).containsExactly(1f, 1f, 0.1f, 0.1f, (float) Math.pow(0.1f, 2), (float) Math.pow(0.1f, 2));
  }

  @Test
  void lrScaleMultipliesTheBase() {
    assertThat(at(lr(f("base_lr", -0.5f), f("lr_scale", 3f), s("policy", "fixed")), 7)).containsExactly(-1.5f);
  }

  @Test
  void optimizerStyleNegativeRateWithStep() {
    // build_sgd(base_learning_rate=0.1, policy="step", stepsize=2, gamma=0.5): LearningRate gets base_lr = -0.1.
    float[] v = at(lr(f("base_lr", -0.1f), s("policy", "step"), i("stepsize", 2), f("gamma", 0.5f)), 1, 2, 3, 4);
    assertThat(v).containsExactly(-0.1f, -0.05f, -0.05f, -0.025f);
  }

  @Test
  void theOutputIsReusedEveryRun() {
    Workspace ws = new Workspace();
    ws.feed("it", Tensor.of(new long[] {1}));
    Net n = Net.create(net(lr(f("base_lr", 1f), s("policy", "fixed"))), ws);
    n.run();
    float[] held = ws.fetch("lr").floats();
    n.run();
    assertThat(ws.fetch("lr").floats()).isSameAs(held);
  }

  @Test
  void argumentErrors() {
    List<Object[]> cases = new ArrayList<>();
    cases.add(new Object[] {lr(s("policy", "fixed")), "argument 'base_lr' must be set"});
    cases.add(new Object[] {lr(f("base_lr", 1f)), "argument 'policy' must be set: one of fixed, step"});
    cases.add(new Object[] {lr(f("base_lr", 1f), s("policy", "cosine")),
        "unknown learning rate policy 'cosine'; zerog supports fixed, step, exp, inv, poly, multistep"});
    cases.add(new Object[] {lr(f("base_lr", 1f), s("policy", "step"), f("gamma", 0.5f)),
        "policy 'step' needs a positive 'stepsize', got 0"});
    cases.add(new Object[] {lr(f("base_lr", 1f), s("policy", "step"), i("stepsize", 3)),
        "policy 'step' needs a positive 'gamma', got 0.0"});
    cases.add(new Object[] {lr(f("base_lr", 1f), s("policy", "exp")), "positive 'gamma'"});
    cases.add(new Object[] {lr(f("base_lr", 1f), s("policy", "inv"), f("gamma", 1f)), "positive 'power'"});
    cases.add(new Object[] {lr(f("base_lr", 1f), s("policy", "poly"), f("power", 1f)),
        "policy 'poly' needs a positive 'max_iter', got -1 (not set)"});
    cases.add(new Object[] {lr(f("base_lr", 1f), s("policy", "multistep"), f("gamma", 0.1f)),
        "needs 'stepsizes'"});
    cases.add(new Object[] {lr(f("base_lr", 1f), s("policy", "multistep"), f("gamma", 0.1f), ints("stepsizes", 5, 5)),
        "'stepsizes' must be strictly ascending, but element 1 (5) follows 5"});
    cases.add(new Object[] {lr(i("base_lr", 1), s("policy", "fixed")), "'base_lr' must be a float (f)"});
    cases.add(new Object[] {lr(f("base_lr", 1f), s("policy", "step"), f("stepsize", 2f), f("gamma", 1f)),
        "'stepsize' must be an integer (i)"});
    for (Object[] c : cases) {
      Workspace ws = new Workspace();
      ws.feed("it", Tensor.of(new long[] {0}));
      assertThatThrownBy(() -> Net.create(net((OperatorDef) c[0]), ws))
          .isInstanceOf(SchemaException.class).hasMessageContaining((String) c[1]);
    }
  }

  @Test
  void iterMustBeInt64() {
    Workspace ws = new Workspace();
    ws.feed("it", Tensor.of(new int[] {1}));
    assertThatThrownBy(() -> Net.create(net(lr(f("base_lr", 1f), s("policy", "fixed"))), ws).run())
        .isInstanceOf(ShapeException.class).hasMessageContaining("ITER must be an INT64 tensor")
        .satisfies(e -> assertThat(((ShapeException) e).blob()).isEqualTo("it"));
  }

  @Test
  void schema() {
    var def = OperatorRegistry.standard().get("LearningRate");
    assertThat(def.gradientKind()).isEqualTo(GradientKind.NONE);
    assertThat(def.schema().fullDoc()).contains("base_lr", "policy", "stepsize", "gamma", "power", "max_iter",
        "stepsizes", "negative base_lr");
    OperatorDef op = lr(f("base_lr", 1f), s("policy", "fixed"));
    assertThat(def.schema().inference().infer(op, Arguments.of(op.getArgList()), List.of(BlobType.of(
        DataType.INT64, 1)))).containsExactly(BlobType.of(DataType.FLOAT));
  }
}
