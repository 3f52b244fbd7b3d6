package dev.zerog.ops.optim;

import static dev.zerog.testing.OpDefs.f;
import static dev.zerog.testing.OpDefs.i;
import static dev.zerog.testing.OpDefs.net;
import static dev.zerog.testing.OpDefs.op;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.zerog.GradientException;
import dev.zerog.ShapeException;
import dev.zerog.grad.BackwardPass;
import dev.zerog.grad.GradientKind;
import dev.zerog.net.Net;
import dev.zerog.op.Arguments;
import dev.zerog.op.BlobType;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.List;
import org.junit.jupiter.api.Test;

class MomentumSGDTest {
  private static final float TOL = 1e-6f;

  /** grad [1, 2], moment [0.5, -1], lr 0.1, param [1, 1]. */
  private static Workspace example() {
    Workspace ws = new Workspace();
    ws.feed("g", Tensor.of(new float[] {1, 2}));
    ws.feed("m", Tensor.of(new float[] {0.5f, -1}));
    ws.feed("lr", Tensor.scalar(0.1f));
    ws.feed("p", Tensor.of(new float[] {1, 1}));
    return ws;
  }

  private static OperatorDef update(boolean nesterov) {
    return op("MomentumSGDUpdate", List.of("g", "m", "lr", "p"), List.of("g", "m", "p"), f("momentum", 0.9f),
        i("nesterov", nesterov ? 1 : 0));
  }

  @Test
  void plainMomentumInPlace() {
    Workspace ws = example();
    float[] p = ws.fetch("p").floats();
    Net.create(net(update(false)), ws).run();
    // step = lr * g + mu * m = [0.1 + 0.45, 0.2 - 0.9]
    assertThat(ws.fetch("g").floats()).containsExactly(new float[] {0.55f, -0.7f}, within(TOL));
    assertThat(ws.fetch("m").floats()).containsExactly(new float[] {0.55f, -0.7f}, within(TOL));
    assertThat(ws.fetch("p").floats()).isSameAs(p).containsExactly(new float[] {0.45f, 1.7f}, within(TOL));
  }

  @Test
  void nesterovMomentumInPlace() {
    Workspace ws = example();
    Net.create(net(update(true)), ws).run();
    // m_new = mu * m + lr * g = [0.55, -0.7]; step = 1.9 * m_new - 0.9 * m = [0.595, -0.43]
    assertThat(ws.fetch("m").floats()).containsExactly(new float[] {0.55f, -0.7f}, within(TOL));
    assertThat(ws.fetch("g").floats()).containsExactly(new float[] {0.595f, -0.43f}, within(TOL));
    assertThat(ws.fetch("p").floats()).containsExactly(new float[] {0.405f, 1.43f}, within(TOL));
  }

  @Test
  void twoStepsAccumulateMomentum() {
    Workspace ws = example();
    Net n = Net.create(net(update(false)), ws);
    n.run();
    ws.fetch("g").floats()[0] = 1;
    ws.fetch("g").floats()[1] = 2;
    n.run();
    // m2 = 0.1 * g + 0.9 * m1 = [0.1 + 0.495, 0.2 - 0.63]
    assertThat(ws.fetch("m").floats()).containsExactly(new float[] {0.595f, -0.43f}, within(TOL));
    assertThat(ws.fetch("p").floats()).containsExactly(new float[] {0.45f - 0.595f, 1.7f + 0.43f}, within(TOL));
  }

  @Test
  void outOfPlaceOutputsLeaveTheInputs() {
    Workspace ws = example();
    Net.create(net(op("MomentumSGDUpdate", List.of("g", "m", "lr", "p"), List.of("g2", "m2", "p2"),
        f("momentum", 0.9f))), ws).run();
    assertThat(ws.fetch("p").floats()).containsExactly(1, 1);
    assertThat(ws.fetch("g").floats()).containsExactly(1, 2);
    assertThat(ws.fetch("m").floats()).containsExactly(0.5f, -1);
    assertThat(ws.fetch("p2").floats()).containsExactly(new float[] {0.45f, 1.7f}, within(TOL));
    assertThat(ws.fetch("m2").floats()).containsExactly(new float[] {0.55f, -0.7f}, within(TOL));
  }

  @Test
  void momentumSgdWithoutTheParameter() {
    Workspace ws = example();
    Net.create(net(op("MomentumSGD", List.of("g", "m", "lr"), List.of("g", "m"), f("momentum", 0.9f),
        i("nesterov", 1))), ws).run();
    assertThat(ws.fetch("g").floats()).containsExactly(new float[] {0.595f, -0.43f}, within(TOL));
    assertThat(ws.fetch("m").floats()).containsExactly(new float[] {0.55f, -0.7f}, within(TOL));
    assertThat(ws.fetch("p").floats()).containsExactly(1, 1);
  }

  @Test
  void zeroMomentumIsPlainSgd() {
    Workspace ws = example();
    Net.create(net(op("MomentumSGDUpdate", List.of("g", "m", "lr", "p"), List.of("g", "m", "p"))), ws).run();
    assertThat(ws.fetch("p").floats()).containsExactly(new float[] {0.9f, 0.8f}, within(TOL));
  }

  @Test
  void doubles() {
    Workspace ws = new Workspace();
    ws.feed("g", Tensor.of(new double[] {1, 2}, 1, 2));
    ws.feed("m", Tensor.of(new double[] {0.5, -1}, 1, 2));
    ws.feed("lr", Tensor.of(new double[] {0.1}));
    ws.feed("p", Tensor.of(new double[] {1, 1}, 1, 2));
    Net.create(net(update(true)), ws).run();
    double mu = 0.9f;
    double m0 = mu * 0.5 + 0.1;
    double m1 = mu * -1 + 0.2;
    assertThat(ws.fetch("p").doubles()).containsExactly(new double[] {1 - ((1 + mu) * m0 - mu * 0.5),
        1 - ((1 + mu) * m1 + mu)}, within(1e-12));
  }

  @Test
  void errors() {
    Workspace ws = example();
    ws.feed("lr", Tensor.of(new float[] {0.1f, 0.2f}));
    assertThatThrownBy(() -> Net.create(net(update(false)), ws).run())
        .isInstanceOf(ShapeException.class).hasMessageContaining("input 2 'lr' must be a one-element floating-point");
    Workspace ws2 = example();
    ws2.feed("m", Tensor.of(new float[] {1, 2, 3}));
    assertThatThrownBy(() -> Net.create(net(update(false)), ws2).run())
        .isInstanceOf(ShapeException.class).hasMessageContaining("input 1 'm' is FLOAT [3] (3 elements), but input 0");
    Workspace ws3 = example();
    ws3.feed("p", Tensor.of(new double[] {1, 1}));
    assertThatThrownBy(() -> Net.create(net(update(false)), ws3).run())
        .isInstanceOf(ShapeException.class).hasMessageContaining("input 3 'p' is DOUBLE");
  }

  @Test
  void noGradient() {
    var registry = OperatorRegistry.standard();
    assertThat(registry.get("MomentumSGD").gradientKind()).isEqualTo(GradientKind.NOT_IMPLEMENTED);
    assertThat(registry.get("MomentumSGDUpdate").gradientKind()).isEqualTo(GradientKind.NOT_IMPLEMENTED);
    OperatorDef op = op("MomentumSGDUpdate", List.of("g", "m", "lr", "p"), List.of("g2", "m2", "p2"));
    assertThatThrownBy(() -> BackwardPass.build(net(op), List.of("p2")))
        .isInstanceOf(GradientException.class).hasMessageContaining("not implemented");
  }

  @Test
  void schemaAndInference() {
    var schema = OperatorRegistry.standard().get("MomentumSGDUpdate").schema();
    assertThat(schema.allowsInPlace(0, 0)).isTrue();
    assertThat(schema.allowsInPlace(1, 1)).isTrue();
    assertThat(schema.allowsInPlace(3, 2)).isTrue();
    assertThat(schema.allowsInPlace(2, 2)).isFalse();
    OperatorDef op = update(false);
    assertThat(schema.inference().infer(op, Arguments.of(op.getArgList()), List.of(BlobType.of(DataType.FLOAT, 2),
        BlobType.of(DataType.FLOAT, 2), BlobType.of(DataType.FLOAT), BlobType.of(DataType.FLOAT, 2))))
        .containsExactly(BlobType.of(DataType.FLOAT, 2), BlobType.of(DataType.FLOAT, 2),
            BlobType.of(DataType.FLOAT, 2));
  }
}
