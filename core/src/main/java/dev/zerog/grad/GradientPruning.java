package dev.zerog.grad;

import dev.zerog.GradientException;
import dev.zerog.op.BlobType;
import dev.zerog.op.FlopEstimate;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.op.OperatorSchema;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The zero-aware backward pass: a pure function from a forward net and its Caffe2-faithful
 * {@link BackwardPass} to a pruned backward pass that computes the same wanted gradients with less work, and
 * an account of each parameter's gradient. Described in docs/zero-aware.md.
 *
 * <pre>{@code
 * BackwardPass pass = BackwardPass.build(forward, List.of("loss"));
 * PrunedBackward pruned = GradientPruning.of(forward, pass)
 *     .parameters(List.of("W1", "b1", "W2", "b2"))
 *     .freeze(List.of("*1"))                       // W1 and b1: no gradient ops, the work upstream pruned
 *     .prune();
 * NetDef train = pruned.pass().appendTo(forward);
 * }</pre>
 *
 * <p>Three rewrites, in this order:
 *
 * <ol>
 *   <li><b>Zero propagation.</b> A zero fill among the gradient ops (ZeroGradient's ConstantFill) makes a known
 *       zero, as does a GradientMask mask that the init or forward net fills with zeros. A
 *       gradient op that is linear in inputs that are all known zeros ({@link OperatorSchema#linearities})
 *       produces zeros and is dropped; its outputs become known zeros. A Sum drops its zero inputs: with one
 *       input left in place it disappears, with one left elsewhere it is a copy, with none its output is zero.
 *       An op that declares no linearity is kept.
 *   <li><b>Dead-gradient elimination.</b> Only the gradients wanted are computed: by default, those of the
 *       parameters not frozen, plus any blob the caller names ({@link #wanted}). An op none of whose outputs
 *       anything wanted depends on is dropped, and an op keeps no trailing output that nothing needs and its
 *       schema lets it skip ({@link OperatorSchema#canSkipOutput}), as FCGradient without dX.
 *   <li><b>Zeros that must exist</b> (a wanted gradient that is zero, a zero read by an op that stays) are
 *       written by a ConstantFill of zeros shaped like the parameter, which makes a known zero at run time:
 *       no memory, nothing written. Where no such fill fits, the op that made the zero is kept instead.
 * </ol>
 *
 * <p>With {@link #zeroAware(boolean) zeroAware(false)} only the frozen parameters' gradients are removed: every
 * other gradient of the gradient map stays wanted and nothing is propagated, so the result is the
 * Caffe2-faithful pass minus the work that only served frozen parameters.
 *
 * <p>Exactness: the wanted gradients equal the unpruned pass's bit for bit, except that a zero may differ in
 * sign (the unpruned pass computes 0 · x, whose sign IEEE takes from x; the pruned one writes +0), and that a
 * known zero stays zero where the unpruned pass would multiply it by an infinity or a NaN read from the forward
 * pass. Dead-gradient elimination and freezing alone change no bit.
 */
public final class GradientPruning {
  private static final Logger LOG = LoggerFactory.getLogger(GradientPruning.class);

  private final NetDef forward;
  private final BackwardPass pass;
  private OperatorRegistry registry = OperatorRegistry.standard();
  private NetDef initNet = NetDef.getDefaultInstance();
  private final List<String> parameters = new ArrayList<>();
  private final List<String> wanted = new ArrayList<>();
  private final List<String> freezePatterns = new ArrayList<>();
  private final List<String> losses = new ArrayList<>();
  private final Map<String, BlobType> inputTypes = new HashMap<>();
  private boolean zeroAware = true;

  private GradientPruning(NetDef forward, BackwardPass pass) {
    this.forward = Objects.requireNonNull(forward, "forward");
    this.pass = Objects.requireNonNull(pass, "pass");
  }

  /** Pruning of {@code pass}, the backward pass of {@code forward} as {@link BackwardPass#build} made it. */
  public static GradientPruning of(NetDef forward, BackwardPass pass) {
    return new GradientPruning(forward, pass);
  }

  /** Where gradient and schema declarations come from (default: {@link OperatorRegistry#standard()}). */
  public GradientPruning registry(OperatorRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
    return this;
  }

  /**
   * The init net: the blobs it fills with zeros are known zeros (an all-zero mask), and the types it gives
   * the parameters feed the estimates.
   */
  public GradientPruning initNet(NetDef initNet) {
    this.initNet = Objects.requireNonNull(initNet, "initNet");
    return this;
  }

  /** The parameters: their gradients are wanted unless frozen, and each gets a status. */
  public GradientPruning parameters(Collection<String> parameters) {
    this.parameters.clear();
    this.parameters.addAll(new LinkedHashSet<>(parameters));
    return this;
  }

  /** More blobs whose gradients are wanted (for example an input whose gradient the caller reads). */
  public GradientPruning wanted(Collection<String> blobs) {
    this.wanted.clear();
    this.wanted.addAll(blobs);
    return this;
  }

  /**
   * Freezes the parameters that match any of these globs ({@link BlobPattern}); a pattern that matches no
   * parameter is a {@link GradientException}. A frozen parameter gets no gradient ops.
   */
  public GradientPruning freeze(Collection<String> patterns) {
    this.freezePatterns.clear();
    this.freezePatterns.addAll(patterns);
    return this;
  }

  /**
   * The losses, for explaining why a parameter has no gradient; by default those the pass seeds with
   * {@code <loss>_autogen_grad}.
   */
  public GradientPruning losses(Collection<String> losses) {
    this.losses.clear();
    this.losses.addAll(losses);
    return this;
  }

  /** Types of input blobs (data, labels) for the FLOP and byte estimates; the init net gives the parameters'. */
  public GradientPruning inputTypes(Map<String, BlobType> types) {
    this.inputTypes.clear();
    this.inputTypes.putAll(types);
    return this;
  }

  /**
   * True (the default): propagate zeros and compute only the wanted gradients. False: remove only what frozen
   * parameters alone need, keeping every other gradient of the map.
   */
  public GradientPruning zeroAware(boolean zeroAware) {
    this.zeroAware = zeroAware;
    return this;
  }

  /** Runs the pass. */
  public PrunedBackward prune() {
    long start = System.nanoTime();
    Set<String> frozen = new LinkedHashSet<>(freezePatterns.isEmpty() ? List.of()
        : BlobPattern.select(parameters, freezePatterns, "parameter"));
    Map<String, GradientBlob> map = pass.gradientMap();
    Set<String> wantedBlobs = new LinkedHashSet<>();
    if (zeroAware) {
      for (String p : parameters) {
        if (!frozen.contains(p)) {
          wantedBlobs.add(p);
        }
      }
      wantedBlobs.addAll(wanted);
    } else {
      for (String blob : map.keySet()) {
        if (!frozen.contains(blob)) {
          wantedBlobs.add(blob);
        }
      }
    }
    wantedBlobs.removeAll(frozen);

    Analysis a = new Analysis();
    a.propagateZeros();
    a.liveness(wantedBlobs, map);
    Map<String, GradientBlob> prunedMap = new LinkedHashMap<>();
    for (Map.Entry<String, GradientBlob> e : map.entrySet()) {
      if (wantedBlobs.contains(e.getKey())) {
        prunedMap.put(e.getKey(), e.getValue());
      }
    }
    BackwardPass result = new BackwardPass(a.ops, prunedMap, a.generators);
    Map<String, ParameterGradient> statuses = a.statuses(frozen, map);
    PrunedBackward out = new PrunedBackward(result, statuses, a.pruned, a.zeroOutputSets());
    if (LOG.isDebugEnabled()) {
      LOG.debug("pruned backward of net '{}': {} of {} gradient ops kept, {} removed, {} ms", forward.getName(),
          a.ops.size(), pass.gradientOps().size(), out.removedOps(), (System.nanoTime() - start) / 1_000_000);
    }
    return out;
  }

  /** How the zero propagation classified a gradient op. */
  private enum Kind {
    /** Runs as it is (unless dead). */
    KEPT,
    /** A fill of zeros: a known zero at no cost; kept while needed. */
    ZERO_SOURCE,
    /** Every output is a known zero: dropped (or replaced by a zero fill, or revived, if an output is needed). */
    ZERO,
    /** Some outputs are known zeros: dropped if only those are needed, else kept. */
    PARTIAL,
    /** A Sum that loses its zero inputs. */
    SUM
  }

  /** A known zero: the forward op that made it so (or -1), and the type of its elements (null if unknown). */
  private record Zero(int cause, DataType dtype) {}

  /** The state of one run of the pass. */
  private final class Analysis {
    private final List<OperatorDef> backward = pass.gradientOps();
    private final int m = backward.size();
    private final Kind[] kinds = new Kind[m];
    private final boolean[][] zeroOutputs = new boolean[m][];
    private final List<List<String>> sumInputs = new ArrayList<>();
    private final Map<String, Zero> zero = new HashMap<>();
    private final Map<String, DataType> forwardZeros = maskZeros();
    private final OpTypes.Io[] types = new OpTypes.Io[m];

    private final List<OperatorDef> ops = new ArrayList<>();
    private final List<Integer> generators = new ArrayList<>();
    private final List<PrunedOp> pruned = new ArrayList<>();

    Analysis() {
      OpTypes t = new OpTypes(registry, inputTypes);
      t.play(initNet);
      t.play(forward);
      for (int j = 0; j < m; j++) {
        types[j] = t.play(backward.get(j));
        sumInputs.add(null);
      }
    }

    /**
     * The GradientMask masks that the init and forward nets leave all zero. Only masks count: a mask is a
     * constant by contract (even when listed among the parameters, which it is when the parameters are whatever
     * the init net produces), while any other blob filled with zeros (a bias) may change when the net trains.
     */
    private Map<String, DataType> maskZeros() {
      Map<String, DataType> zeros = ZeroFills.zeroBlobs(initNet, forward);
      Set<String> masks = new HashSet<>();
      for (OperatorDef op : forward.getOpList()) {
        if (op.getType().equals("GradientMask") && op.getInputCount() == 2) {
          masks.add(op.getInput(1));
        }
      }
      zeros.keySet().retainAll(masks);
      return zeros;
    }

    private boolean isZero(String name) {
      return zero.containsKey(name) || forwardZeros.containsKey(name);
    }

    /** The known zero {@code name} is, as op {@code j} sees it: a forward zero takes op j's generator as cause. */
    private Zero zeroOf(String name, int j) {
      Zero z = zero.get(name);
      if (z != null) {
        return z;
      }
      return new Zero(pass.generators().get(j), forwardZeros.get(name));
    }

    void propagateZeros() {
      for (int j = 0; j < m; j++) {
        OperatorDef op = backward.get(j);
        boolean[] zeroOut = new boolean[op.getOutputCount()];
        Kind kind = Kind.KEPT;
        Zero cause = null;
        DataType fill = ZeroFills.zeroFillType(op);
        if (fill != null) {
          kind = Kind.ZERO_SOURCE;
          java.util.Arrays.fill(zeroOut, true);
          cause = new Zero(pass.generators().get(j), fill);
        } else if (op.getType().equals("Sum") && op.getOutputCount() == 1) {
          List<String> left = new ArrayList<>();
          for (String in : op.getInputList()) {
            if (!isZero(in)) {
              left.add(in);
            } else if (cause == null) {
              cause = zeroOf(in, j);
            }
          }
          if (left.isEmpty()) {
            kind = Kind.ZERO;
            zeroOut[0] = true;
          } else if (left.size() < op.getInputCount()) {
            kind = Kind.SUM;
            sumInputs.set(j, left);
          }
        } else {
          OperatorDefinition def = registry.find(op.getType());
          if (def != null && def.schema().declaresLinearity()) {
            zeroOut = def.schema().zeroOutputs(op, i -> isZero(op.getInput(i)));
            int zeros = 0;
            for (boolean z : zeroOut) {
              zeros += z ? 1 : 0;
            }
            if (zeros > 0) {
              kind = zeros == zeroOut.length ? Kind.ZERO : Kind.PARTIAL;
              for (String in : op.getInputList()) {
                if (isZero(in)) {
                  cause = zeroOf(in, j);
                  break;
                }
              }
            }
          }
        }
        if (cause == null) {
          cause = new Zero(-1, null);
        }
        kinds[j] = kind;
        zeroOutputs[j] = zeroOut;
        for (int k = 0; k < op.getOutputCount(); k++) {
          if (zeroOut[k]) {
            zero.put(op.getOutput(k), cause);
          } else {
            zero.remove(op.getOutput(k));
          }
        }
      }
    }

    /** For each op, the indices of its outputs that are known zeros. */
    List<Set<Integer>> zeroOutputSets() {
      List<Set<Integer>> out = new ArrayList<>(m);
      for (int j = 0; j < m; j++) {
        Set<Integer> zeros = new LinkedHashSet<>();
        for (int k = 0; k < zeroOutputs[j].length; k++) {
          if (zeroOutputs[j][k]) {
            zeros.add(k);
          }
        }
        out.add(zeros);
      }
      return out;
    }

    void liveness(Set<String> wantedBlobs, Map<String, GradientBlob> map) {
      // The last writer of each name, and the forward blob whose final gradient each name holds.
      Map<String, Integer> lastWriter = new HashMap<>();
      for (int j = 0; j < m; j++) {
        for (String out : backward.get(j).getOutputList()) {
          lastWriter.put(out, j);
        }
      }
      Map<String, String> finalGradientOf = new HashMap<>();
      Set<String> needed = new HashSet<>();
      for (String blob : wantedBlobs) {
        GradientBlob g = map.get(blob);
        if (g == null) {
          continue;
        }
        if (g.isSparse()) {
          needed.add(g.indices());
          needed.add(g.values());
        } else {
          needed.add(g.dense());
          finalGradientOf.putIfAbsent(g.dense(), blob);
        }
      }

      OperatorDef[] result = new OperatorDef[m];
      PrunedOp[] removed = new PrunedOp[m];
      for (int j = m - 1; j >= 0; j--) {
        OperatorDef op = backward.get(j);
        Kind kind = zeroAware ? kinds[j] : Kind.KEPT;
        boolean[] neededOut = new boolean[op.getOutputCount()];
        boolean any = false;
        boolean onlyZeros = true;
        for (int k = 0; k < neededOut.length; k++) {
          neededOut[k] = needed.contains(op.getOutput(k));
          any |= neededOut[k];
          if (neededOut[k] && !zeroOutputs[j][k]) {
            onlyZeros = false;
          }
        }
        if (!any) {
          removed[j] = whole(j, kind == Kind.ZERO || kind == Kind.PARTIAL || kind == Kind.SUM
              ? PrunedOp.Reason.ZERO : PrunedOp.Reason.DEAD);
          continue;
        }
        if ((kind == Kind.ZERO || kind == Kind.PARTIAL) && onlyZeros) {
          OperatorDef fill = zeroFill(j, op, neededOut, lastWriter, finalGradientOf);
          if (fill != null) {
            result[j] = fill;
            removed[j] = whole(j, PrunedOp.Reason.ZERO);
            use(needed, fill);
            continue;
          }
          kind = Kind.KEPT;
        } else if (kind == Kind.ZERO || kind == Kind.PARTIAL) {
          kind = Kind.KEPT;
        }
        if (kind == Kind.SUM) {
          List<String> left = sumInputs.get(j);
          if (left.size() == 1 && left.get(0).equals(op.getOutput(0))) {
            removed[j] = whole(j, PrunedOp.Reason.ZERO);
            continue;
          }
          OperatorDef sum = op.toBuilder().clearInput().addAllInput(left).build();
          result[j] = sum;
          use(needed, sum);
          continue;
        }
        OperatorDef kept = trimOutputs(j, op, neededOut);
        if (kept.getOutputCount() < op.getOutputCount()) {
          removed[j] = trimmed(j, kept);
        }
        result[j] = kept;
        use(needed, kept);
      }
      for (int j = 0; j < m; j++) {
        if (result[j] != null) {
          ops.add(result[j]);
          generators.add(pass.generators().get(j));
        }
        if (removed[j] != null) {
          pruned.add(removed[j]);
        }
      }
    }

    /** The op's outputs are now defined here, and its inputs are needed before it. */
    private void use(Set<String> needed, OperatorDef op) {
      for (String out : op.getOutputList()) {
        needed.remove(out);
      }
      needed.addAll(op.getInputList());
    }

    /**
     * A ConstantFill of zeros for the needed outputs of zero op {@code j}, or null when none fits: it fits when
     * the one needed output is the final gradient of a forward blob (whose shape it then takes), written last
     * here, of a known type. A zero source is its own fill.
     */
    private OperatorDef zeroFill(int j, OperatorDef op, boolean[] neededOut, Map<String, Integer> lastWriter,
        Map<String, String> finalGradientOf) {
      int needs = -1;
      for (int k = 0; k < neededOut.length; k++) {
        if (neededOut[k]) {
          if (needs >= 0) {
            return null;
          }
          needs = k;
        }
      }
      String out = op.getOutput(needs);
      String like = finalGradientOf.get(out);
      Zero z = zero.get(out);
      if (like == null || lastWriter.get(out) != j || z == null || z.dtype() == null) {
        return null;
      }
      OperatorDef.Builder b = OperatorDef.newBuilder().setType("ConstantFill").addInput(like).addOutput(out)
          .addArg(Argument.newBuilder().setName("value").setF(0.0f)).setIsGradientOp(true);
      if (z.dtype() != DataType.FLOAT) {
        b.addArg(Argument.newBuilder().setName("dtype").setI(z.dtype().code()));
      }
      if (op.hasDeviceOption()) {
        b.setDeviceOption(op.getDeviceOption());
      }
      return b.build();
    }

    /** {@code op} without the trailing outputs nothing needs and its schema lets it skip. */
    private OperatorDef trimOutputs(int j, OperatorDef op, boolean[] neededOut) {
      OperatorDefinition def = registry.find(op.getType());
      if (def == null) {
        return op;
      }
      int keep = op.getOutputCount();
      while (keep > 0 && !neededOut[keep - 1] && def.schema().canSkipOutput(op, keep - 1)) {
        keep--;
      }
      if (keep == op.getOutputCount()) {
        return op;
      }
      OperatorDef.Builder b = op.toBuilder().clearOutput();
      for (int k = 0; k < keep; k++) {
        b.addOutput(op.getOutput(k));
      }
      return b.build();
    }

    private PrunedOp whole(int j, PrunedOp.Reason reason) {
      OperatorDef op = backward.get(j);
      long bytes = 0;
      for (BlobType t : types[j].outputs()) {
        bytes += OpTypes.bytes(t);
      }
      return new PrunedOp(j, op, reason, op.getOutputCount(), Math.max(0, flops(op, types[j].inputs(),
          types[j].outputs())), bytes);
    }

    private PrunedOp trimmed(int j, OperatorDef kept) {
      OperatorDef op = backward.get(j);
      List<BlobType> outs = types[j].outputs();
      long bytes = 0;
      for (int k = kept.getOutputCount(); k < outs.size(); k++) {
        bytes += OpTypes.bytes(outs.get(k));
      }
      long before = flops(op, types[j].inputs(), outs);
      long after = flops(kept, types[j].inputs(), outs.subList(0, kept.getOutputCount()));
      long saved = before >= 0 && after >= 0 ? Math.max(0, before - after) : 0;
      return new PrunedOp(j, op, PrunedOp.Reason.SKIPPED_OUTPUTS, op.getOutputCount() - kept.getOutputCount(),
          saved, bytes);
    }

    private long flops(OperatorDef op, List<BlobType> in, List<BlobType> out) {
      OperatorDefinition def = registry.find(op.getType());
      FlopEstimate estimate = def == null ? null : def.schema().flops();
      if (estimate == null) {
        return -1;
      }
      try {
        return estimate.flops(op, in, out);
      } catch (RuntimeException e) {
        LOG.debug("no FLOP estimate for {}: {}", op.getType(), e.toString());
        return -1;
      }
    }

    Map<String, ParameterGradient> statuses(Set<String> frozen, Map<String, GradientBlob> map) {
      List<String> lossList = losses.isEmpty() ? seededLosses() : losses;
      ForwardPaths paths = new ForwardPaths(forward.getOpList(), registry);
      Map<String, ParameterGradient> out = new LinkedHashMap<>();
      for (String p : parameters) {
        ParameterGradient status;
        GradientBlob g = map.get(p);
        if (frozen.contains(p)) {
          status = new ParameterGradient(ParameterGradient.Status.FROZEN, -1, null, List.of());
        } else if (g == null) {
          ForwardPaths.Reach reach = paths.from(p);
          int cut = reach.cutBefore(lossList);
          status = cut < 0 ? new ParameterGradient(ParameterGradient.Status.NONE, -1, null, List.of())
              : new ParameterGradient(ParameterGradient.Status.NONE, cut, forward.getOp(cut).getType(),
                  reach.pathTo(cut));
        } else if (!g.isSparse() && zero.containsKey(g.dense())) {
          int cause = zero.get(g.dense()).cause();
          status = cause < 0 ? new ParameterGradient(ParameterGradient.Status.ZERO, -1, null, List.of())
              : new ParameterGradient(ParameterGradient.Status.ZERO, cause, forward.getOp(cause).getType(),
                  paths.from(p).pathTo(cause));
        } else {
          status = new ParameterGradient(ParameterGradient.Status.REAL, -1, null, List.of());
        }
        out.put(p, status);
      }
      return out;
    }

    /** The losses the pass seeds itself: the inputs of its {@code <loss>_autogen_grad} fills. */
    private List<String> seededLosses() {
      List<String> out = new ArrayList<>();
      for (int j = 0; j < m; j++) {
        OperatorDef op = backward.get(j);
        if (pass.generators().get(j) < 0 && op.getType().equals("ConstantFill") && op.getInputCount() == 1
            && op.getOutputCount() == 1 && op.getOutput(0).equals(op.getInput(0) + "_autogen_grad")) {
          out.add(op.getInput(0));
        }
      }
      return out;
    }
  }
}
