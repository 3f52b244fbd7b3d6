package dev.zerog.ops.optim;

import static dev.zerog.testing.OpDefs.f;
import static dev.zerog.testing.OpDefs.net;
import static dev.zerog.testing.OpDefs.op;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.zerog.ShapeException;
import dev.zerog.grad.GradientKind;
import dev.zerog.net.Net;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdamTest {
  private static final OperatorDef ADAM = op("Adam", List.of("p", "m1", "m2", "g", "lr", "it"),
      List.of("p", "m1", "m2"), f("beta1", 0.9f), f("beta2", 0.999f), f("epsilon", 1e-8f));

  private static Workspace example(long iter) {
    Workspace ws = new Workspace();
    ws.feed("p", Tensor.of(new float[] {1, -2}));
    ws.feed("m1", Tensor.of(new float[] {0, 0.1f}));
    ws.feed("m2", Tensor.of(new float[] {0, 0.04f}));
    ws.feed("g", Tensor.of(new float[] {0.5f, -1}));
    ws.feed("lr", Tensor.scalar(-0.01f));
    ws.feed("it", Tensor.of(new long[] {iter}));
    return ws;
  }

  /** Adam by hand, in double, for element values p, m1, m2, g. */
  private static double[] byHand(double p, double m1, double m2, double g, double lr, long iter) {
    double b1 = 0.9f;
    double b2 = 0.999f;
    double eps = 1e-8f;
    long t = iter + 1;
    double c = Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
    double nm1 = b1 * m1 + (1 - b1) * g;
    double nm2 = b2 * m2 + (1 - b2) * g * g;
    double step = c * nm1 / (Math.sqrt(nm2) + eps);
    return new double[] {p + lr * step, nm1, nm2, step};
  }

  @Test
  void firstStepMovesByAboutTheLearningRate() {
    Workspace ws = example(0);
    Net.create(net(ADAM), ws).run();
    // At t = 1 the corrected step is grad / |grad| (up to epsilon): each parameter moves by lr against its gradient.
    assertThat(ws.fetch("p").floats()[0]).isCloseTo(0.99f, within(1e-6f));
    double[] second = byHand(-2, 0.1, 0.04, -1, -0.01, 0);
    assertThat(ws.fetch("p").floats()[1]).isCloseTo((float) second[0], within(1e-6f));
    assertThat(ws.fetch("m1").floats()).containsExactly(new float[] {0.05f, (float) second[1]}, within(1e-7f));
    assertThat(ws.fetch("m2").floats()).containsExactly(new float[] {0.00025f, (float) second[2]}, within(1e-8f));
  }

  @Test
  void laterIterationsUseTheirBiasCorrection() {
    for (long iter : new long[] {1, 9, 1000}) {
      Workspace ws = example(iter);
      Net.create(net(op("Adam", List.of("p", "m1", "m2", "g", "lr", "it"), List.of("p", "m1", "m2", "step"),
          f("beta1", 0.9f), f("beta2", 0.999f), f("epsilon", 1e-8f))), ws).run();
      double[] a = byHand(1, 0, 0, 0.5, -0.01, iter);
      double[] b = byHand(-2, 0.1, 0.04, -1, -0.01, iter);
      assertThat(ws.fetch("p").floats()).containsExactly(new float[] {(float) a[0], (float) b[0]}, within(1e-6f));
      assertThat(ws.fetch("step").floats()).containsExactly(new float[] {(float) a[3], (float) b[3]},
          within(1e-4f));
    }
  }

  @Test
  void aKnownZeroGradientIsReadAsZerosWithoutMaterializing() {
    for (boolean doubles : new boolean[] {false, true}) {
      Workspace known = example(3);
      Workspace materialized = example(3);
      if (doubles) {
        for (Workspace ws : List.of(known, materialized)) {
          for (String b : List.of("p", "m1", "m2")) {
            float[] v = ws.fetch(b).floats();
            ws.feed(b, Tensor.of(new double[] {v[0], v[1]}));
          }
        }
      }
      dev.zerog.tensor.DataType t = doubles ? dev.zerog.tensor.DataType.DOUBLE : dev.zerog.tensor.DataType.FLOAT;
      known.feed("g", Tensor.zeros(t, 2));
      materialized.feed("g", Tensor.allocate(t, 2));
      Net.create(net(ADAM), known).run();
      Net.create(net(ADAM), materialized).run();
      assertThat(known.fetch("g").isKnownZero()).isTrue();
      for (String b : List.of("p", "m1", "m2")) {
        assertThat(known.fetch(b).contentEquals(materialized.fetch(b))).as(b).isTrue();
      }
      // The moments decay and the parameter still moves: a zero gradient is not a freeze.
      assertThat(known.fetch("p").getDouble(1)).isNotEqualTo(-2.0);
    }
  }

  @Test
  void defaultEpsilonIsCaffe2sOpDefault() {
    Workspace ws = example(0);
    Net.create(net(op("Adam", List.of("p", "m1", "m2", "g", "lr", "it"), List.of("p2", "m1b", "m2b"))), ws).run();
    // Out of place: the inputs are untouched, the outputs are written entirely.
    assertThat(ws.fetch("p").floats()).containsExactly(1, -2);
    double c = Math.sqrt(1 - 0.999f) / (1 - 0.9f);
    double step = c * (0.1f * 0.5f) / (Math.sqrt((1 - 0.999f) * 0.25f) + 1e-5f);
    assertThat(ws.fetch("p2").floats()[0]).isCloseTo((float) (1 - 0.01f * step), within(1e-6f));
  }

  @Test
  void doubles() {
    Workspace ws = new Workspace();
    ws.feed("p", Tensor.of(new double[] {1}));
    ws.feed("m1", Tensor.of(new double[] {0}));
    ws.feed("m2", Tensor.of(new double[] {0}));
    ws.feed("g", Tensor.of(new double[] {0.5}));
    ws.feed("lr", Tensor.of(new double[] {-0.01}));
    ws.feed("it", Tensor.of(new long[] {4}));
    Net.create(net(ADAM), ws).run();
    assertThat(ws.fetch("p").doubles()[0]).isCloseTo(byHand(1, 0, 0, 0.5, -0.01, 4)[0], within(1e-12));
  }

  @Test
  void errors() {
    Workspace ws = example(0);
    ws.feed("it", Tensor.of(new int[] {0}));
    assertThatThrownBy(() -> Net.create(net(ADAM), ws).run())
        .isInstanceOf(ShapeException.class).hasMessageContaining("input 5 'it' must be an INT64 iteration counter");
    Workspace ws2 = example(0);
    ws2.feed("m2", Tensor.of(new float[] {0}));
    assertThatThrownBy(() -> Net.create(net(ADAM), ws2).run())
        .isInstanceOf(ShapeException.class).hasMessageContaining("input 2 'm2' is FLOAT [1] (1 elements)");
  }

  @Test
  void schema() {
    var def = OperatorRegistry.standard().get("Adam");
    assertThat(def.gradientKind()).isEqualTo(GradientKind.NOT_IMPLEMENTED);
    assertThat(def.schema().outputs()).hasToString("3-4");
    assertThat(def.schema().allowsInPlace(2, 2)).isTrue();
    assertThat(def.schema().allowsInPlace(3, 3)).isFalse();
  }
}
