package dev.zerog.ops.optim;

import static dev.zerog.testing.OpDefs.f;
import static dev.zerog.testing.OpDefs.net;
import static dev.zerog.testing.OpDefs.op;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.zerog.grad.GradientKind;
import dev.zerog.net.Net;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdagradTest {
  private static Workspace example() {
    Workspace ws = new Workspace();
    ws.feed("p", Tensor.of(new float[] {1, 2}));
    ws.feed("h", Tensor.of(new float[] {0, 1}));
    ws.feed("g", Tensor.of(new float[] {0.5f, -1}));
    ws.feed("lr", Tensor.scalar(-0.1f));
    return ws;
  }

  @Test
  void defaultUpdateInPlace() {
    Workspace ws = example();
    Net.create(net(op("Adagrad", List.of("p", "h", "g", "lr"), List.of("p", "h"))), ws).run();
    // h = [0.25, 2]; p += -0.1 * g / (sqrt(h) + 1e-5)
    assertThat(ws.fetch("h").floats()).containsExactly(0.25f, 2f);
    assertThat(ws.fetch("p").floats()).containsExactly(new float[] {(float) (1 - 0.1 * 0.5 / (0.5 + 1e-5)),
        (float) (2 + 0.1 / (Math.sqrt(2) + 1e-5))}, within(1e-6f));
  }

  @Test
  void aKnownZeroGradientIsReadAsZerosWithoutMaterializing() {
    Workspace known = example();
    Workspace materialized = example();
    known.feed("g", Tensor.zeros(dev.zerog.tensor.DataType.FLOAT, 2));
    materialized.feed("g", Tensor.of(new float[] {0, 0}));
    for (Workspace ws : List.of(known, materialized)) {
      Net.create(net(op("Adagrad", List.of("p", "h", "g", "lr"), List.of("p", "h"), f("weight_decay", 0.1f))), ws)
          .run();
    }
    assertThat(known.fetch("g").isKnownZero()).isTrue();
    assertThat(known.fetch("p").contentEquals(materialized.fetch("p"))).isTrue();
    assertThat(known.fetch("h").contentEquals(materialized.fetch("h"))).isTrue();
    // Weight decay moves the parameter on a zero gradient.
    assertThat(known.fetch("p").floats()[0]).isLessThan(1f);
  }

  @Test
  void decayWeightDecayAndTheOptionalOutputs() {
    Workspace ws = example();
    Net.create(net(op("Adagrad", List.of("p", "h", "g", "lr"), List.of("p2", "h2", "elr", "upd"),
        f("epsilon", 1e-4f), f("decay", 0.5f), f("weight_decay", 0.1f))), ws).run();
    double eps = 1e-4f;
    double[] p = {1, 2};
    double[] h = {0, 1};
    double[] g = {0.5, -1};
    for (int i = 0; i < 2; i++) {
      double gi = g[i] + 0.1f * p[i];
      double hi = 0.5 * h[i] + gi * gi;
      double e = -0.1f / (Math.sqrt(hi) + eps);
      assertThat(ws.fetch("h2").floats()[i]).isCloseTo((float) hi, within(1e-6f));
      assertThat(ws.fetch("elr").floats()[i]).isCloseTo((float) e, within(1e-5f));
      assertThat(ws.fetch("upd").floats()[i]).isCloseTo((float) (e * gi), within(1e-6f));
      assertThat(ws.fetch("p2").floats()[i]).isCloseTo((float) (p[i] + e * gi), within(1e-6f));
    }
    assertThat(ws.fetch("p").floats()).containsExactly(1, 2);
    assertThat(ws.fetch("h").floats()).containsExactly(0, 1);
  }

  @Test
  void doubles() {
    Workspace ws = new Workspace();
    ws.feed("p", Tensor.of(new double[] {1}));
    ws.feed("h", Tensor.of(new double[] {3}));
    ws.feed("g", Tensor.of(new double[] {1}));
    ws.feed("lr", Tensor.of(new double[] {-1}));
    Net.create(net(op("Adagrad", List.of("p", "h", "g", "lr"), List.of("p", "h"), f("epsilon", 0f))), ws).run();
    assertThat(ws.fetch("h").doubles()).containsExactly(4);
    assertThat(ws.fetch("p").doubles()).containsExactly(0.5);
  }

  @Test
  void schema() {
    var def = OperatorRegistry.standard().get("Adagrad");
    assertThat(def.gradientKind()).isEqualTo(GradientKind.NOT_IMPLEMENTED);
    assertThat(def.schema().outputs()).hasToString("2-4");
    assertThat(def.schema().fullDoc()).contains("epsilon", "decay", "weight_decay");
  }
}
