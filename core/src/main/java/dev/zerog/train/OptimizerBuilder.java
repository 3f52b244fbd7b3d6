package dev.zerog.train;

import dev.zerog.GradientException;
import dev.zerog.SchemaException;
import dev.zerog.grad.BackwardPass;
import dev.zerog.grad.BlobPattern;
import dev.zerog.grad.GradientBlob;
import dev.zerog.grad.GradientPruning;
import dev.zerog.grad.ParameterGradient;
import dev.zerog.grad.PrunedBackward;
import dev.zerog.net.Ops;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.DeviceOption;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import java.util.ArrayList;
import java.util.Collection;
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
 * Adds the optimizer of a training net, as Caffe2's {@code build_sgd}, {@code build_adam} and
 * {@code build_adagrad} (with {@code add_weight_decay}) do: the update ops go at the end of the train net, the
 * state they keep (iteration counter, momentum, moments, constants) is initialized at the end of the init net.
 * A pure function of NetDefs: nothing runs.
 *
 * <pre>{@code
 * BackwardPass pass = BackwardPass.build(trainNet, List.of("loss"));
 * OptimizedNets nets = OptimizerBuilder.forNets(pass.appendTo(trainNet), initNet)
 *     .gradients(pass.gradientMap())
 *     .parameters(List.of("W1", "b1", "W2", "b2"))
 *     .untouched(List.of("W1"))                 // frozen: no update ops, no state
 *     .build(OptimizerConfig.sgd(0.1).momentum(0.9).build());
 *
 * // Or from the backward pass, which the builder prunes for frozen parameters (docs/zero-aware.md):
 * OptimizedNets frozen = OptimizerBuilder.forBackward(trainNet, pass, initNet)
 *     .parameters(List.of("W1", "b1", "W2", "b2"))
 *     .freeze(List.of("*1"))                    // no gradient ops, no update ops, no state for W1 and b1
 *     .prune(true)                              // and no work that only their gradients needed
 *     .build(OptimizerConfig.adam(1e-3).build());
 * }</pre>
 *
 * <p>Freezing is exact: a frozen parameter is bitwise unchanged after any number of steps, whatever the optimizer.
 * A zero gradient is not a freeze: momentum SGD keeps stepping with its momentum, Adam with its moments, and weight
 * decay pulls the parameter toward zero. With {@link #forBackward}, a parameter whose gradient is known to be zero
 * gets no update op under plain SGD without weight decay, where the update could change nothing.
 *
 * <p>Ops and blobs, with Caffe2's names (each constant and the counter are created once and shared):
 *
 * <ul>
 *   <li>Weight decay ({@code weightDecay > 0}, SGD and Adam): init {@code ConstantFill -> ONE_0_0} (1.0, [1]) and
 *       {@code ConstantFill -> wd_0_0} (the decay, [1]); train, for each decayed parameter,
 *       {@code WeightedSum(grad, ONE_0_0, param, wd_0_0) -> grad}. Adagrad takes the decay as its op's
 *       {@code weight_decay} argument instead, as Caffe2's AdagradOptimizer does.
 *   <li>Iteration: init {@code ConstantFill -> optimizer_iteration} (INT64 0, [1]); train
 *       {@code Iter(optimizer_iteration) -> optimizer_iteration}, both on the CPU. The first step sees 1.
 *   <li>Learning rate: train {@code LearningRate(optimizer_iteration) -> <Optimizer>_<n>_lr_cpu} with
 *       {@code base_lr} = −rate (+rate for momentum SGD), the policy and its arguments; {@code <Optimizer>} is
 *       SgdOptimizer, AdamOptimizer or AdagradOptimizer and {@code n} the first number not yet used in the net,
 *       so that several optimizers (for several groups of parameters) can share one net.
 *   <li>SGD: init {@code ConstantFill -> ONE_0_0}; train {@code WeightedSum(param, ONE_0_0, grad, lr) -> param}.
 *       With momentum: init {@code ConstantFill(param) -> <param>_momentum} (zeros); train
 *       {@code MomentumSGDUpdate(grad, <param>_momentum, lr, param) -> (grad, <param>_momentum, param)}.
 *   <li>Adam: init {@code <param>_first_moment}, {@code <param>_second_moment} (zeros like param); train
 *       {@code Adam(param, m1, m2, grad, lr, optimizer_iteration) -> (param, m1, m2)}.
 *   <li>Adagrad: init {@code <param>_squared_sum} (zeros like param); train
 *       {@code Adagrad(param, <param>_squared_sum, grad, lr) -> (param, <param>_squared_sum)}.
 * </ul>
 *
 * <p>Differences from Caffe2: the counter is incremented by Iter, with no mutex (zerog runs one net on one thread;
 * Caffe2 uses CreateMutex and AtomicIter); constants are created once, where Caffe2 adds one ConstantFill per
 * parameter; every listed parameter that is not untouched must have a dense gradient (Caffe2 silently skips a
 * parameter without one; sparse gradients, for which Caffe2 has the Sparse* update ops, are refused); a zero or
 * negative learning rate is refused rather than skipping the update.
 */
public final class OptimizerBuilder {
  /** The iteration counter's blob. */
  public static final String ITERATION = "optimizer_iteration";
  /** The constant 1 of the CPU. */
  public static final String ONE = "ONE_0_0";
  /** The weight decay constant of the CPU. */
  public static final String WEIGHT_DECAY = "wd_0_0";

  private static final Logger LOG = LoggerFactory.getLogger(OptimizerBuilder.class);
  private static final DeviceOption CPU = DeviceOption.newBuilder().setDeviceType(0).build();

  private final NetDef trainNet;
  private final NetDef initNet;
  /** The forward net and its backward pass, when the builder makes the train net itself. */
  private final NetDef forward;
  private final BackwardPass backward;
  private Map<String, GradientBlob> gradients = Map.of();
  private final List<String> parameters = new ArrayList<>();
  private final Set<String> untouched = new LinkedHashSet<>();
  private final Set<String> noWeightDecay = new LinkedHashSet<>();
  private final List<String> freezePatterns = new ArrayList<>();
  private boolean prune;
  private OperatorRegistry registry = OperatorRegistry.standard();

  private OptimizerBuilder(NetDef trainNet, NetDef initNet, NetDef forward, BackwardPass backward) {
    this.trainNet = trainNet;
    this.initNet = Objects.requireNonNull(initNet, "initNet");
    this.forward = forward;
    this.backward = backward;
  }

  /**
   * A builder for these nets: {@code trainNet} holds the forward and backward ops (see
   * {@link dev.zerog.grad.BackwardPass#appendTo}), {@code initNet} creates the parameters.
   */
  public static OptimizerBuilder forNets(NetDef trainNet, NetDef initNet) {
    return new OptimizerBuilder(Objects.requireNonNull(trainNet, "trainNet"), initNet, null, null);
  }

  /**
   * A builder that makes the train net itself, from {@code forward} and its backward pass: the backward ops of
   * frozen (and untouched) parameters are removed with the work that only they need ({@link GradientPruning}), and
   * with {@link #prune(boolean) prune(true)} every gradient that no update needs and every known zero is pruned
   * too. The gradients come from the pruned pass.
   */
  public static OptimizerBuilder forBackward(NetDef forward, BackwardPass backward, NetDef initNet) {
    return new OptimizerBuilder(null, initNet, Objects.requireNonNull(forward, "forward"),
        Objects.requireNonNull(backward, "backward"));
  }

  /** Each parameter's gradient, as {@link dev.zerog.grad.BackwardPass#gradientMap()} gives them. */
  public OptimizerBuilder gradients(Map<String, GradientBlob> gradients) {
    this.gradients = Map.copyOf(gradients);
    return this;
  }

  /** The parameters to train, in the order their update ops are added. */
  public OptimizerBuilder parameters(Collection<String> parameters) {
    this.parameters.clear();
    this.parameters.addAll(parameters);
    return this;
  }

  /** Parameters to leave as they are: no update op, no weight decay, no optimizer state. */
  public OptimizerBuilder untouched(Collection<String> parameters) {
    this.untouched.clear();
    this.untouched.addAll(parameters);
    return this;
  }

  /**
   * Freezes the parameters that match any of these globs ({@link dev.zerog.grad.BlobPattern}; a pattern that
   * matches no parameter is an error): no update op, no weight decay, no optimizer state, and, with
   * {@link #forBackward}, no gradient ops either. Unlike a zero gradient (ZeroGradient), which still lets
   * momentum, Adam's moments and weight decay move a parameter, freezing leaves it bitwise unchanged.
   */
  public OptimizerBuilder freeze(Collection<String> patterns) {
    this.freezePatterns.clear();
    this.freezePatterns.addAll(patterns);
    return this;
  }

  /**
   * With {@link #forBackward}: also propagate known zeros and remove every gradient op no update needs (default
   * false: the backward pass stays Caffe2's, minus what only frozen parameters need).
   */
  public OptimizerBuilder prune(boolean prune) {
    this.prune = prune;
    return this;
  }

  /** The operators whose declarations pruning uses (default: {@link OperatorRegistry#standard()}). */
  public OptimizerBuilder registry(OperatorRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
    return this;
  }

  /** Parameters that are updated without weight decay (biases, usually; Caffe2 decays weights only). */
  public OptimizerBuilder withoutWeightDecay(Collection<String> parameters) {
    this.noWeightDecay.clear();
    this.noWeightDecay.addAll(parameters);
    return this;
  }

  /**
   * The nets with the optimizer added.
   *
   * @throws SchemaException if a parameter is listed twice, an untouched or undecayed parameter is not listed, or
   *     a state blob the optimizer would create already exists
   * @throws GradientException if a parameter to update has no gradient, or a sparse one, or a freeze pattern
   *     matches no parameter
   */
  public OptimizedNets build(OptimizerConfig config) {
    Objects.requireNonNull(config, "config");
    List<String> updated = checkParameters();
    List<String> frozen = freezePatterns.isEmpty() ? List.of()
        : BlobPattern.select(parameters, freezePatterns, "parameter");
    updated.removeAll(frozen);
    NetDef trainNet = this.trainNet;
    Map<String, GradientBlob> gradients = this.gradients;
    PrunedBackward pruned = null;
    List<String> skipped = new ArrayList<>();
    if (backward != null) {
      List<String> notTrained = new ArrayList<>(freezePatterns);
      notTrained.addAll(untouched);
      pruned = GradientPruning.of(forward, backward).registry(registry).initNet(initNet).parameters(parameters)
          .freeze(notTrained).zeroAware(prune).prune();
      trainNet = pruned.pass().appendTo(forward);
      gradients = pruned.pass().gradientMap();
      boolean plainSgd = config.type() == OptimizerConfig.Type.SGD && config.momentum() == 0;
      for (String p : updated) {
        boolean decayed = config.weightDecay() > 0 && !noWeightDecay.contains(p);
        if (plainSgd && !decayed && pruned.parameters().get(p).status() == ParameterGradient.Status.ZERO) {
          skipped.add(p);
        }
      }
      updated.removeAll(skipped);
    }
    Set<String> trainBlobs = outputsOf(trainNet);
    Set<String> initBlobs = outputsOf(initNet);

    List<OperatorDef> trainOps = new ArrayList<>();
    List<OperatorDef> initOps = new ArrayList<>();
    Set<String> created = new LinkedHashSet<>();
    Map<String, String> gradOf = new LinkedHashMap<>();
    for (String p : updated) {
      gradOf.put(p, denseGradient(p, gradients));
    }

    boolean decayByWeightedSum = config.weightDecay() > 0 && config.type() != OptimizerConfig.Type.ADAGRAD;
    if (decayByWeightedSum && updated.stream().anyMatch(p -> !noWeightDecay.contains(p))) {
      constant(initOps, initBlobs, created, ONE, 1.0f);
      constant(initOps, initBlobs, created, WEIGHT_DECAY, (float) config.weightDecay());
      for (String p : updated) {
        if (!noWeightDecay.contains(p)) {
          trainOps.add(Ops.create("WeightedSum", List.of(gradOf.get(p), ONE, p, WEIGHT_DECAY), List.of(gradOf.get(p))));
        }
      }
    }

    if (!initBlobs.contains(ITERATION)) {
      initOps.add(Ops.create("ConstantFill", List.of(), List.of(ITERATION), Ops.ints("shape", 1), Ops.arg("value", 0),
          Ops.arg("dtype", DataType.INT64.code())).toBuilder().setDeviceOption(CPU).build());
      created.add(ITERATION);
    }
    if (!hasIter(trainNet)) {
      trainOps.add(Ops.create("Iter", List.of(ITERATION), List.of(ITERATION)).toBuilder().setDeviceOption(CPU).build());
    }

    boolean momentum = config.type() == OptimizerConfig.Type.SGD && config.momentum() > 0;
    String lr = learningRateBlob(config.type(), trainBlobs);
    double baseLr = momentum ? config.baseLearningRate() : -config.baseLearningRate();
    trainOps.add(learningRate(lr, baseLr, config.policy()));

    for (String p : updated) {
      String grad = gradOf.get(p);
      switch (config.type()) {
        case SGD:
          constant(initOps, initBlobs, created, ONE, 1.0f);
          if (momentum) {
            String m = state(initOps, initBlobs, created, p, "_momentum");
            trainOps.add(Ops.create("MomentumSGDUpdate", List.of(grad, m, lr, p), List.of(grad, m, p),
                Ops.arg("momentum", (float) config.momentum()), Ops.arg("nesterov", config.nesterov() ? 1 : 0)));
          } else {
            trainOps.add(Ops.create("WeightedSum", List.of(p, ONE, grad, lr), List.of(p)));
          }
          break;
        case ADAM: {
          String m1 = state(initOps, initBlobs, created, p, "_first_moment");
          String m2 = state(initOps, initBlobs, created, p, "_second_moment");
          trainOps.add(Ops.create("Adam", List.of(p, m1, m2, grad, lr, ITERATION), List.of(p, m1, m2),
              Ops.arg("beta1", (float) config.beta1()), Ops.arg("beta2", (float) config.beta2()),
              Ops.arg("epsilon", (float) config.epsilon())));
          break;
        }
        case ADAGRAD: {
          String sum = state(initOps, initBlobs, created, p, "_squared_sum");
          List<Argument> args = new ArrayList<>(List.of(Ops.arg("epsilon", (float) config.epsilon()),
              Ops.arg("decay", (float) config.decay())));
          if (config.weightDecay() > 0 && !noWeightDecay.contains(p)) {
            args.add(Ops.arg("weight_decay", (float) config.weightDecay()));
          }
          trainOps.add(Ops.create("Adagrad", List.of(p, sum, grad, lr), List.of(p, sum),
              args.toArray(new Argument[0])));
          break;
        }
        default:
          throw new AssertionError(config.type());
      }
    }

    NetDef train = trainNet.toBuilder().addAllOp(trainOps).build();
    NetDef init = initNet.toBuilder().addAllOp(initOps).build();
    LOG.debug("optimizer {}: {} parameters updated, {} left untouched, {} frozen, {} with a known-zero gradient "
        + "skipped, {} train ops and {} init ops added", config.type(), updated.size(), untouched.size(), frozen.size(),
        skipped.size(), trainOps.size(), initOps.size());
    return new OptimizedNets(train, init, updated, new ArrayList<>(created), lr, ITERATION, frozen, skipped, pruned);
  }

  private List<String> checkParameters() {
    Set<String> seen = new HashSet<>();
    for (String p : parameters) {
      if (p == null || p.isEmpty()) {
        throw new SchemaException("a parameter name is empty");
      }
      if (!seen.add(p)) {
        throw (SchemaException) new SchemaException("parameter '" + p + "' is listed twice").atBlob(p);
      }
    }
    for (String p : untouched) {
      if (!seen.contains(p)) {
        throw (SchemaException) new SchemaException("untouched parameter '" + p + "' is not one of the parameters "
            + parameters).atBlob(p);
      }
    }
    for (String p : noWeightDecay) {
      if (!seen.contains(p)) {
        throw (SchemaException) new SchemaException("parameter '" + p + "' (without weight decay) is not one of "
            + "the parameters " + parameters).atBlob(p);
      }
    }
    List<String> updated = new ArrayList<>();
    for (String p : parameters) {
      if (!untouched.contains(p)) {
        updated.add(p);
      }
    }
    return updated;
  }

  private static String denseGradient(String p, Map<String, GradientBlob> gradients) {
    GradientBlob g = gradients.get(p);
    if (g == null) {
      throw (GradientException) new GradientException("parameter '" + p + "' has no gradient: the loss does not "
          + "reach it (or a StopGradient cuts it off); leave it untouched or check the net").atBlob(p);
    }
    if (g.isSparse()) {
      throw (GradientException) new GradientException("parameter '" + p + "' has a sparse gradient " + g
          + "; zerog's optimizers update dense gradients only").atBlob(p);
    }
    return g.dense();
  }

  private static boolean hasIter(NetDef net) {
    for (OperatorDef op : net.getOpList()) {
      boolean counter = op.getType().equals("Iter") || op.getType().equals("AtomicIter");
      if (counter && op.getOutputList().contains(ITERATION)) {
        return true;
      }
    }
    return false;
  }

  /** "SgdOptimizer_0_lr_cpu", with the first instance number not yet written by the net. */
  private static String learningRateBlob(OptimizerConfig.Type type, Set<String> trainBlobs) {
    String cls = type == OptimizerConfig.Type.SGD ? "SgdOptimizer"
        : type == OptimizerConfig.Type.ADAM ? "AdamOptimizer" : "AdagradOptimizer";
    for (int n = 0; ; n++) {
      String name = cls + "_" + n + "_lr_cpu";
      if (!trainBlobs.contains(name)) {
        return name;
      }
    }
  }

  private static OperatorDef learningRate(String out, double baseLr, LearningRatePolicy policy) {
    List<Argument> args = new ArrayList<>();
    args.add(Ops.arg("base_lr", (float) baseLr));
    args.add(Ops.arg("policy", policy.name()));
    switch (policy.name()) {
      case "step":
        args.add(Ops.arg("stepsize", policy.stepSize()));
        args.add(Ops.arg("gamma", (float) policy.gamma()));
        break;
      case "exp":
        args.add(Ops.arg("gamma", (float) policy.gamma()));
        break;
      case "inv":
        args.add(Ops.arg("gamma", (float) policy.gamma()));
        args.add(Ops.arg("power", (float) policy.power()));
        break;
      case "poly":
        args.add(Ops.arg("power", (float) policy.power()));
        args.add(Ops.arg("max_iter", policy.maxIter()));
        break;
      case "multistep": {
        args.add(Ops.arg("gamma", (float) policy.gamma()));
        args.add(Ops.ints("stepsizes", policy.stepSizes().stream().mapToLong(Long::longValue).toArray()));
        break;
      }
      default:
        break;
    }
    return Ops.create("LearningRate", List.of(ITERATION), List.of(out), args.toArray(new Argument[0]));
  }

  /** A [1]-shaped FLOAT constant in the init net, unless it exists already. */
  private static void constant(List<OperatorDef> initOps, Set<String> initBlobs, Set<String> created, String name,
      float value) {
    if (initBlobs.contains(name) || created.contains(name)) {
      return;
    }
    initOps.add(Ops.create("ConstantFill", List.of(), List.of(name), Ops.ints("shape", 1), Ops.arg("value", value)));
    created.add(name);
  }

  /** Zeros shaped like {@code param}, in blob {@code param + suffix}, which must not exist yet. */
  private static String state(List<OperatorDef> initOps, Set<String> initBlobs, Set<String> created, String param,
      String suffix) {
    String name = param + suffix;
    if (initBlobs.contains(name) || created.contains(name)) {
      throw (SchemaException) new SchemaException("the optimizer state blob '" + name + "' already exists: '"
          + param + "' seems to have an optimizer already").atBlob(name);
    }
    initOps.add(Ops.create("ConstantFill", List.of(param), List.of(name), Ops.arg("value", 0.0f)));
    created.add(name);
    return name;
  }

  private static Set<String> outputsOf(NetDef net) {
    Set<String> out = new HashSet<>();
    for (OperatorDef op : net.getOpList()) {
      out.addAll(op.getOutputList());
    }
    return out;
  }
}
