package dev.zerog.grad;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerog.op.OperatorRegistry;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The acceptance property of the zero-aware backward pass: over random nets of elementwise layers (Mul and Add
 * with broadcast parameters, Relu, Tanh, Sigmoid, Scale, Negative, Sub, Sum, Softmax), with ZeroGradient,
 * StopGradient and GradientMask (all-zero masks or not) scattered in, random parameters frozen and random blobs
 * wanted, the pruned backward pass gives every wanted gradient the value the Caffe2-faithful pass gives it.
 *
 * <p>Bit for bit when no zero is propagated (freezing and dead-gradient elimination only); with zeros propagated,
 * bit for bit up to the sign of a zero (the unpruned pass computes 0 · x, which IEEE signs like x). The forward
 * values are finite, so no zero meets an infinity.
 */
class GradientPruningPropertyTest {
  private static final long[] DATA = {3, 4};
  private static final long[] PARAM = {4};

  /** A random net, its init net, losses, parameters, inputs, what is frozen and what is wanted. */
  record Case(NetDef net, NetDef init, List<String> losses, List<String> params, Map<String, Tensor> inputs,
      List<String> frozen, List<String> wanted) {
    @Override
    public String toString() {
      return "losses " + losses + " params " + params + " frozen " + frozen + " wanted " + wanted + "\n" + net
          + "\ninit:\n" + init;
    }
  }

  @Provide
  Arbitrary<Case> cases() {
    return Arbitraries.longs().map(GradientPruningPropertyTest::randomCase);
  }

  static Case randomCase(long seed) {
    Random r = new Random(seed);
    NetDef.Builder net = NetDef.newBuilder();
    NetDef.Builder init = NetDef.newBuilder();
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    List<String> data = new ArrayList<>();
    List<String> params = new ArrayList<>();
    int inputCount = 1 + r.nextInt(2);
    for (int i = 0; i < inputCount; i++) {
      Tensor x = Tensor.allocate(DataType.FLOAT, DATA);
      float[] v = x.floats();
      for (int j = 0; j < v.length; j++) {
        v[j] = (r.nextFloat() * 2 - 1) * 1.5f;
      }
      inputs.put("x" + i, x);
      net.addExternalInput("x" + i);
      data.add("x" + i);
    }
    int fresh = 0;
    int ops = 2 + r.nextInt(10);
    for (int k = 0; k < ops; k++) {
      int kind = r.nextInt(14);
      String in = pick(r, data);
      String out = "b" + fresh++;
      if (kind < 3) {
        // A layer: Mul or Add with a parameter, maybe masked.
        String p = "p" + params.size();
        params.add(p);
        init.addOp(fill("GaussianFill", p, f("std", 1.0f)));
        String used = p;
        if (r.nextInt(3) == 0) {
          String mask = p + "_mask";
          init.addOp(r.nextBoolean() ? fill("ConstantFill", mask, f("value", 0.0f))
              : given(mask, r));
          used = p + "_masked";
          net.addOp(op("GradientMask", List.of(p, mask), List.of(used)));
        }
        net.addOp(op(r.nextBoolean() ? "Mul" : "Add", List.of(in, used), List.of(out)));
      } else if (kind < 7) {
        String[] unary = {"Relu", "Tanh", "Sigmoid", "Negative"};
        net.addOp(op(unary[kind - 3], List.of(in), List.of(out)));
      } else if (kind == 7) {
        net.addOp(op("Scale", List.of(in), List.of(out), f("scale", r.nextBoolean() ? -0.5f : 2f)));
      } else if (kind == 8) {
        List<String> ins = new ArrayList<>();
        for (int n = 1 + r.nextInt(3); n > 0; n--) {
          ins.add(pick(r, data));
        }
        net.addOp(op("Sum", ins, List.of(out)));
      } else if (kind == 9) {
        net.addOp(op(r.nextBoolean() ? "Sub" : "Mul", List.of(in, pick(r, data)), List.of(out)));
      } else if (kind == 10) {
        net.addOp(op("Softmax", List.of(in), List.of(out)));
      } else if (kind == 11) {
        // ZeroGradient on a blob or a parameter; no output.
        String target = !params.isEmpty() && r.nextBoolean() ? params.get(r.nextInt(params.size())) : in;
        net.addOp(op("ZeroGradient", List.of(target), List.of()));
        fresh--;
        continue;
      } else {
        String s = "s" + fresh;
        net.addOp(op("StopGradient", List.of(in), List.of(s)));
        net.addOp(op("Tanh", List.of(s), List.of(out)));
      }
      data.add(out);
    }
    List<String> losses = new ArrayList<>();
    for (int n = 1 + r.nextInt(2); n > 0; n--) {
      String from = data.get(data.size() - 1 - r.nextInt(Math.min(3, data.size())));
      String loss = "loss" + losses.size();
      net.addOp(op("SumElements", List.of(from), List.of(loss)));
      losses.add(loss);
    }
    List<String> frozen = new ArrayList<>();
    for (String p : params) {
      if (r.nextInt(3) == 0) {
        frozen.add(p);
      }
    }
    List<String> wanted = new ArrayList<>();
    for (String d : data) {
      if (r.nextInt(6) == 0) {
        wanted.add(d);
      }
    }
    return new Case(net.build(), init.build(), losses, params, inputs, frozen, wanted);
  }

  private static String pick(Random r, List<String> blobs) {
    return r.nextInt(3) == 0 ? blobs.get(r.nextInt(blobs.size()))
        : blobs.get(blobs.size() - 1 - r.nextInt(Math.min(blobs.size(), 3)));
  }

  private static OperatorDef op(String type, List<String> in, List<String> out, Argument... args) {
    OperatorDef.Builder b = OperatorDef.newBuilder().setType(type).addAllInput(in).addAllOutput(out);
    for (Argument a : args) {
      b.addArg(a);
    }
    return b.build();
  }

  private static OperatorDef fill(String type, String out, Argument value) {
    return op(type, List.of(), List.of(out), Argument.newBuilder().setName("shape").addInts(PARAM[0]).build(),
        value);
  }

  /** A mask of zeros and ones, not all zero. */
  private static OperatorDef given(String out, Random r) {
    Argument.Builder values = Argument.newBuilder().setName("values");
    for (int i = 0; i < PARAM[0]; i++) {
      values.addFloats(i == 0 || r.nextBoolean() ? 1f : 0f);
    }
    return op("GivenTensorFill", List.of(), List.of(out),
        Argument.newBuilder().setName("shape").addInts(PARAM[0]).build(), values.build());
  }

  private static Argument f(String name, float v) {
    return Argument.newBuilder().setName(name).setF(v).build();
  }

  @Property(tries = 150)
  void prunedGradientsEqualTheFaithfulOnes(@ForAll("cases") Case c) {
    BackwardPass full = BackwardPass.build(c.net(), c.losses());
    OperatorRegistry registry = OperatorRegistry.standard();
    Workspace unpruned = ZeroAwareNets.run(c.init(), c.net(), full, c.inputs(), registry);

    PrunedBackward dead = GradientPruning.of(c.net(), full).parameters(c.params()).freeze(c.frozen())
        .zeroAware(false).initNet(c.init()).prune();
    ZeroAwareNets.assertSameGradients(unpruned, full,
        ZeroAwareNets.run(c.init(), c.net(), dead.pass(), c.inputs(), registry), dead, false);
    assertThat(dead.pass().gradientMap().keySet()).allMatch(b -> !c.frozen().contains(b));

    PrunedBackward pruned = GradientPruning.of(c.net(), full).parameters(c.params()).freeze(c.frozen())
        .wanted(c.wanted()).initNet(c.init()).prune();
    Workspace ws = ZeroAwareNets.run(c.init(), c.net(), pruned.pass(), c.inputs(), registry);
    ZeroAwareNets.assertSameGradients(unpruned, full, ws, pruned, true);
    assertThat(pruned.pass().gradientOps().size()).isLessThanOrEqualTo(full.gradientOps().size()
        + pruned.removedOps());
    for (String p : c.params()) {
      ParameterGradient s = pruned.parameters().get(p);
      if (c.frozen().contains(p)) {
        assertThat(s.status()).isEqualTo(ParameterGradient.Status.FROZEN);
        continue;
      }
      GradientBlob g = full.gradientMap().get(p);
      assertThat(s.status() == ParameterGradient.Status.NONE).as(p).isEqualTo(g == null);
      if (s.status() == ParameterGradient.Status.ZERO) {
        // A zero status is a fact: the unpruned pass computes zeros, and the pruned one a known zero.
        assertThat(ZeroAwareNets.positiveZeros(unpruned.fetch(g.dense()))
            .contentEquals(Tensor.zeros(DataType.FLOAT, PARAM))).as(p).isTrue();
        assertThat(ws.fetch(g.dense()).isKnownZero()).as(p).isTrue();
      }
    }
  }
}
