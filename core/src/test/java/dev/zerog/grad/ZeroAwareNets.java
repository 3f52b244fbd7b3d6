package dev.zerog.grad;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerog.net.Net;
import dev.zerog.net.NetDefs;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SplittableRandom;

/** Fixtures and the exactness check of the zero-aware backward pass's tests. */
final class ZeroAwareNets {
  private ZeroAwareNets() {}

  /** A NetDef from src/test/resources/zero/. */
  static NetDef fixture(String name) {
    try (InputStream in = ZeroAwareNets.class.getResourceAsStream("/zero/" + name)) {
      return NetDefs.parseText(new String(in.readAllBytes(), StandardCharsets.UTF_8), name);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Inputs of the elementwise MLPs: X [batch, 6] FLOAT in [-2, 2), label [batch] INT32 in [0, 6). */
  static Map<String, Tensor> mlpInputs(long seed, int batch) {
    SplittableRandom r = new SplittableRandom(seed);
    Tensor x = Tensor.allocate(DataType.FLOAT, batch, 6);
    float[] xs = x.floats();
    for (int i = 0; i < xs.length; i++) {
      xs[i] = (float) r.nextDouble(-2, 2);
    }
    Tensor label = Tensor.allocate(DataType.INT32, batch);
    int[] ls = label.ints();
    for (int i = 0; i < ls.length; i++) {
      ls[i] = r.nextInt(6);
    }
    return Map.of("X", x, "label", label);
  }

  /** Runs the init net, feeds the inputs, then runs {@code forward} followed by {@code pass}. */
  static Workspace run(NetDef init, NetDef forward, BackwardPass pass, Map<String, Tensor> inputs,
      OperatorRegistry registry) {
    Workspace ws = new Workspace();
    Net.create(init, ws, registry).run();
    inputs.forEach((k, v) -> ws.feed(k, v.copy()));
    Net.create(pass.appendTo(forward), ws, registry).run();
    return ws;
  }

  /**
   * Asserts that every gradient of the pruned map equals the unpruned pass's gradient of the same blob, bit for
   * bit, except that with {@code zerosMayDifferInSign} a zero may have the other sign.
   */
  static void assertSameGradients(Workspace unpruned, BackwardPass full, Workspace pruned, PrunedBackward p,
      boolean zerosMayDifferInSign) {
    for (Map.Entry<String, GradientBlob> e : p.pass().gradientMap().entrySet()) {
      GradientBlob g = e.getValue();
      assertThat(full.gradientMap().get(e.getKey())).as(e.getKey()).isEqualTo(g);
      String[] names = g.isSparse() ? new String[] {g.indices(), g.values()} : new String[] {g.dense()};
      for (String name : names) {
        Tensor a = unpruned.fetch(name);
        Tensor b = pruned.fetch(name);
        if (zerosMayDifferInSign) {
          a = positiveZeros(a);
          b = positiveZeros(b);
        }
        assertThat(b.contentEquals(a)).as("gradient %s of %s: pruned %s, unpruned %s", name, e.getKey(), b, a)
            .isTrue();
      }
    }
  }

  /** A copy with every -0.0 made +0.0 (floating types; others as they are). */
  static Tensor positiveZeros(Tensor t) {
    if (t.isKnownZero() || !t.dtype().isFloatingPoint()) {
      return t;
    }
    Tensor c = t.copy();
    if (c.dtype() == DataType.FLOAT) {
      float[] a = c.floats();
      for (int i = 0; i < a.length; i++) {
        if (a[i] == 0) {
          a[i] = 0f;
        }
      }
    } else if (c.dtype() == DataType.DOUBLE) {
      double[] a = c.doubles();
      for (int i = 0; i < a.length; i++) {
        if (a[i] == 0) {
          a[i] = 0d;
        }
      }
    }
    return c;
  }
}
