package dev.zerog.grad;

import dev.zerog.ShapeException;
import dev.zerog.net.Net;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Checks an operator's gradient against central finite differences, as Caffe2's GradientChecker and PyTorch's
 * gradcheck do.
 *
 * <p>For an operator with outputs Y_j, the checker draws a random output gradient dY_j for each output it
 * differentiates and defines the scalar L = Σ_j ⟨Y_j, dY_j⟩. The analytic gradient of an input X is what the
 * operator's gradient ops (built by {@link BackwardPass} with the dY_j as initial gradients) write into X's
 * gradient blob. The numeric gradient of element k of X is (L(X + h·e_k) − L(X − h·e_k)) / 2h. Element k
 * passes when |analytic − numeric| ≤ atol + rtol·|numeric|.
 *
 * <p>Precision: check in DOUBLE where the op supports it (the defaults, h = 1e-6, atol = rtol = 1e-6, are for
 * DOUBLE inputs); for FLOAT use {@link #forFloat()} (h = 1e-2, atol = rtol = 5e-3, Caffe2's usual tolerance).
 * Inputs that are not floating point (indices, labels) are never perturbed.
 */
public final class GradientChecker {
  private final double step;
  private final double atol;
  private final double rtol;
  private final long seed;
  /** The output indices to differentiate, or null for every floating-point output. */
  private final int[] outputs;

  private GradientChecker(double step, double atol, double rtol, long seed, int[] outputs) {
    this.step = step;
    this.atol = atol;
    this.rtol = rtol;
    this.seed = seed;
    this.outputs = outputs;
  }

  /** A checker for DOUBLE inputs: step 1e-6, atol and rtol 1e-6. */
  public static GradientChecker forDouble() {
    return new GradientChecker(1e-6, 1e-6, 1e-6, 42, null);
  }

  /** A checker for FLOAT inputs: step 1e-2, atol and rtol 5e-3. */
  public static GradientChecker forFloat() {
    return new GradientChecker(1e-2, 5e-3, 5e-3, 42, null);
  }

  /** The same checker with another finite-difference step. */
  public GradientChecker withStep(double step) {
    return new GradientChecker(step, atol, rtol, seed, outputs);
  }

  /** The same checker with other tolerances. */
  public GradientChecker withTolerance(double atol, double rtol) {
    return new GradientChecker(step, atol, rtol, seed, outputs);
  }

  /** The same checker drawing output gradients from another seed. */
  public GradientChecker withSeed(long seed) {
    return new GradientChecker(step, atol, rtol, seed, outputs);
  }

  /**
   * The same checker differentiating only the given outputs (by index) instead of every floating-point output:
   * L then sums over these outputs alone. For operators whose gradient ignores some outputs' gradients, as
   * SoftmaxWithLoss's ignores that of its softmax output.
   */
  public GradientChecker onlyOutputs(int... outputIndices) {
    return new GradientChecker(step, atol, rtol, seed, outputIndices.clone());
  }

  /** The outcome of checking one input. */
  public record Result(String input, double maxAbsError, int worstIndex, double analytic, double numeric,
      boolean passed) {
    @Override
    public String toString() {
      return String.format("%s: %s, max |error| %.3g at element %d (analytic %.6g, numeric %.6g)", input,
          passed ? "ok" : "MISMATCH", maxAbsError, worstIndex, analytic, numeric);
    }
  }

  /**
   * Checks the gradient of {@code op} with respect to each of {@code checkInputs}, differentiating every
   * floating-point output (or those chosen with {@link #onlyOutputs}).
   *
   * @param op the operator
   * @param inputs a value for each input blob of the op (not modified)
   * @param checkInputs the input indices whose gradients are checked
   * @return one result per checked input
   */
  public List<Result> check(OperatorDef op, Map<String, Tensor> inputs, int... checkInputs) {
    Objects.requireNonNull(op, "op");
    NetDef forward = NetDef.newBuilder().addOp(op).build();
    // Forward once to learn the outputs' shapes, and draw dY for each floating-point output.
    Workspace ws = feed(inputs);
    Net.create(forward, ws).run();
    SplittableRandom random = new SplittableRandom(seed);
    Map<String, Tensor> dys = new LinkedHashMap<>();
    for (int o = 0; o < op.getOutputCount(); o++) {
      String out = op.getOutput(o);
      if (dys.containsKey(out) || !differentiates(o)) {
        continue;
      }
      Tensor y = ws.fetch(out);
      if (!y.dtype().isFloatingPoint() || y.dtype() == DataType.FLOAT16) {
        continue;
      }
      Tensor dy = Tensor.allocate(y.dtype(), y.dims());
      for (int i = 0; i < dy.size(); i++) {
        set(dy, i, random.nextDouble(-1, 1));
      }
      dys.put(out, dy);
    }
    if (dys.isEmpty()) {
      throw new ShapeException("operator " + op.getType() + " has no floating-point output to differentiate");
    }
    Map<String, GradientBlob> initial = new LinkedHashMap<>();
    for (String out : dys.keySet()) {
      initial.put(out, GradientBlob.dense(out + "_checker_dY"));
    }
    BackwardPass pass = BackwardPass.build(forward, new ArrayList<>(dys.keySet()), initial);

    Workspace gws = feed(inputs);
    dys.forEach((out, dy) -> gws.feed(out + "_checker_dY", dy.copy()));
    NetDef full = pass.appendTo(forward);
    Net.create(full, gws).run();

    List<Result> results = new ArrayList<>();
    for (int idx : checkInputs) {
      String name = op.getInput(idx);
      GradientBlob g = pass.gradientMap().get(name);
      if (g == null || g.isSparse()) {
        throw new ShapeException("input '" + name + "' of " + op.getType() + " gets "
            + (g == null ? "no gradient" : "a sparse gradient; check it densified") + " from the backward pass");
      }
      Tensor analytic = gws.fetch(g.dense());
      Tensor x = inputs.get(name);
      if (!analytic.hasDims(x.dims())) {
        results.add(new Result(name, Double.POSITIVE_INFINITY, -1, Double.NaN, Double.NaN, false));
        continue;
      }
      double worst = 0;
      int worstAt = -1;
      double worstA = 0;
      double worstN = 0;
      boolean passed = true;
      for (int k = 0; k < x.size(); k++) {
        double plus = loss(forward, inputs, name, k, step, dys);
        double minus = loss(forward, inputs, name, k, -step, dys);
        double numeric = (plus - minus) / (2 * step);
        double a = analytic.getDouble(k);
        double err = Math.abs(a - numeric);
        if (!(err <= atol + rtol * Math.abs(numeric))) {
          passed = false;
        }
        if (err > worst || Double.isNaN(err) || worstAt < 0) {
          worst = Double.isNaN(err) ? Double.POSITIVE_INFINITY : Math.max(worst, err);
          worstAt = k;
          worstA = a;
          worstN = numeric;
        }
      }
      results.add(new Result(name, worst, worstAt, worstA, worstN, passed));
    }
    return results;
  }

  private boolean differentiates(int output) {
    if (outputs == null) {
      return true;
    }
    for (int o : outputs) {
      if (o == output) {
        return true;
      }
    }
    return false;
  }

  private static Workspace feed(Map<String, Tensor> inputs) {
    Workspace ws = new Workspace();
    inputs.forEach((n, t) -> ws.feed(n, t.copy()));
    return ws;
  }

  private static double loss(NetDef forward, Map<String, Tensor> inputs, String perturbed, int k, double h,
      Map<String, Tensor> dys) {
    Workspace ws = feed(inputs);
    Tensor x = ws.fetch(perturbed);
    set(x, k, x.getDouble(k) + h);
    Net.create(forward, ws).run();
    double l = 0;
    for (Map.Entry<String, Tensor> e : dys.entrySet()) {
      Tensor y = ws.fetch(e.getKey());
      Tensor dy = e.getValue();
      for (int i = 0; i < y.size(); i++) {
        l += y.getDouble(i) * dy.getDouble(i);
      }
    }
    return l;
  }

  private static void set(Tensor t, int i, double v) {
    if (t.dtype() == DataType.DOUBLE) {
      t.doubles()[i] = v;
    } else if (t.dtype() == DataType.FLOAT) {
      t.floats()[i] = (float) v;
    } else {
      throw new ShapeException("the gradient checker perturbs only FLOAT and DOUBLE inputs, not " + t.dtype());
    }
  }
}
