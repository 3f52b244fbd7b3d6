package dev.zerog.train;

import dev.zerog.SchemaException;
import dev.zerog.ShapeException;
import dev.zerog.grad.BackwardPass;
import dev.zerog.net.Net;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Blob;
import dev.zerog.workspace.Workspace;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A training loop: from an init net, a train net (forward ops ending in a loss), the parameters, an optimizer
 * configuration and a feeder of input batches, it builds the backward pass ({@link BackwardPass}) and the
 * optimizer ({@link OptimizerBuilder}), then runs steps and reports the loss of each.
 *
 * <pre>{@code
 * Trainer trainer = Trainer.builder()
 *     .initNet(init).trainNet(forward).loss("loss")
 *     .parameters(List.of("W1", "b1", "W2", "b2"))
 *     .optimizer(OptimizerConfig.sgd(0.1).momentum(0.9).build())
 *     .feeder((step, batch) -> fill(batch.tensor("X"), batch.tensor("label"), step))
 *     .build();
 * float[] losses = trainer.run(200);
 * }</pre>
 *
 * <p>The first step runs the init net, asks the feeder for batch 0 and creates the training net (which needs its
 * inputs to exist); every step then asks the feeder for its batch and runs the net once: forward, backward, weight
 * decay, Iter, LearningRate and the updates. In the steady state a step allocates nothing, provided the feeder
 * and the net's operators refill their tensors in place (zerog's operators do).
 *
 * <p>The loss must be a blob of one floating-point element. A trainer is not thread-safe; it owns its
 * workspace's blobs for as long as it runs.
 */
public final class Trainer {
  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

  private final NetDef initNet;
  private final NetDef trainNet;
  private final OptimizedNets optimized;
  private final String loss;
  private final Workspace workspace;
  private final OperatorRegistry registry;
  private final BatchFeeder feeder;
  private final Batch batch;
  private Net net;
  private Blob lossBlob;
  private long steps;

  private Trainer(Builder b, OptimizedNets optimized) {
    this.initNet = optimized.initNet();
    this.trainNet = optimized.trainNet();
    this.optimized = optimized;
    this.loss = b.loss;
    this.workspace = b.workspace != null ? b.workspace : new Workspace();
    this.registry = b.registry;
    this.feeder = b.feeder;
    this.batch = new Batch(workspace);
  }

  /** A builder; the init net, train net, loss, parameters and optimizer are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The init net with the optimizer's state initialization. */
  public NetDef initNet() {
    return initNet;
  }

  /** The train net: forward, backward and optimizer ops. */
  public NetDef trainNet() {
    return trainNet;
  }

  /** What the optimizer builder added. */
  public OptimizedNets optimizer() {
    return optimized;
  }

  /** The workspace the nets run in: parameters, optimizer state, inputs and every intermediate blob. */
  public Workspace workspace() {
    return workspace;
  }

  /** The number of steps run so far. */
  public long stepsRun() {
    return steps;
  }

  /** Runs one step and returns its loss (the loss computed by this step's forward pass, before the update). */
  public float step() {
    if (net == null) {
      start();
    } else if (feeder != null) {
      feeder.fill(steps, batch);
    }
    net.run();
    steps++;
    return lossValue();
  }

  /** Runs {@code count} steps and returns their losses, in order. */
  public float[] run(int count) {
    if (count < 0) {
      throw new SchemaException("cannot run a negative number of steps: " + count);
    }
    float[] losses = new float[count];
    for (int k = 0; k < count; k++) {
      losses[k] = step();
    }
    return losses;
  }

  private void start() {
    long t0 = System.nanoTime();
    Net.create(initNet, workspace, registry).run();
    if (feeder != null) {
      feeder.fill(steps, batch);
    }
    net = Net.create(trainNet, workspace, registry);
    lossBlob = workspace.getBlob(loss);
    if (lossBlob == null) {
      throw (SchemaException) new SchemaException("the train net does not create the loss blob").atBlob(loss);
    }
    LOG.debug("trainer started: init net of {} ops, train net of {} ops, {} ms", initNet.getOpCount(),
        trainNet.getOpCount(), (System.nanoTime() - t0) / 1_000_000);
  }

  private float lossValue() {
    Tensor t = lossBlob.tensor();
    if (t.size() != 1 || !t.dtype().isFloatingPoint()) {
      throw (ShapeException) new ShapeException("the loss must be one floating-point element, got " + t.dtype()
          + " " + Shapes.format(t.dims())).atBlob(loss);
    }
    return (float) t.getDouble(0);
  }

  /** Builds a {@link Trainer}. */
  public static final class Builder {
    private NetDef initNet;
    private NetDef trainNet;
    private String loss;
    private final List<String> parameters = new ArrayList<>();
    private final List<String> untouched = new ArrayList<>();
    private final List<String> noWeightDecay = new ArrayList<>();
    private final List<String> freeze = new ArrayList<>();
    private boolean prune;
    private OptimizerConfig optimizer;
    private BatchFeeder feeder;
    private Workspace workspace;
    private OperatorRegistry registry = OperatorRegistry.standard();

    private Builder() {}

    /** The net that creates the parameters (required). */
    public Builder initNet(NetDef initNet) {
      this.initNet = Objects.requireNonNull(initNet, "initNet");
      return this;
    }

    /** The forward net, ending in the loss (required); the trainer adds the backward pass and the optimizer. */
    public Builder trainNet(NetDef trainNet) {
      this.trainNet = Objects.requireNonNull(trainNet, "trainNet");
      return this;
    }

    /** The loss blob, one floating-point element (required). */
    public Builder loss(String loss) {
      this.loss = Objects.requireNonNull(loss, "loss");
      return this;
    }

    /** The parameters (required). */
    public Builder parameters(Collection<String> parameters) {
      this.parameters.clear();
      this.parameters.addAll(parameters);
      return this;
    }

    /** Parameters excluded from training: they keep their values. */
    public Builder untouched(Collection<String> parameters) {
      this.untouched.clear();
      this.untouched.addAll(parameters);
      return this;
    }

    /**
     * Freezes the parameters that match these globs: no gradient ops, no update ops, no optimizer state, and the
     * backward work that only they needed is removed. A frozen parameter keeps its value bit for bit.
     */
    public Builder freeze(Collection<String> patterns) {
      this.freeze.clear();
      this.freeze.addAll(patterns);
      return this;
    }

    /**
     * Prunes the backward pass to what the updates need (zero propagation, dead-gradient elimination; see
     * docs/zero-aware.md). Default false: the backward pass is Caffe2's, minus what only frozen parameters need.
     */
    public Builder prune(boolean prune) {
      this.prune = prune;
      return this;
    }

    /** Parameters trained without weight decay. */
    public Builder withoutWeightDecay(Collection<String> parameters) {
      this.noWeightDecay.clear();
      this.noWeightDecay.addAll(parameters);
      return this;
    }

    /** The optimizer (required). */
    public Builder optimizer(OptimizerConfig optimizer) {
      this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
      return this;
    }

    /** The feeder of input batches; without one, the inputs are whatever the workspace holds. */
    public Builder feeder(BatchFeeder feeder) {
      this.feeder = feeder;
      return this;
    }

    /** The workspace to train in (default: a new one). */
    public Builder workspace(Workspace workspace) {
      this.workspace = workspace;
      return this;
    }

    /** The operators and gradients to use (default: {@link OperatorRegistry#standard()}). */
    public Builder registry(OperatorRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Builds the backward pass and the optimizer (nothing runs yet).
     *
     * @throws SchemaException if a required part is missing or the optimizer cannot be built
     * @throws dev.zerog.GradientException if the backward pass cannot be built or a parameter has no gradient
     */
    public Trainer build() {
      require(initNet, "an init net");
      require(trainNet, "a train net");
      require(loss, "a loss blob");
      require(optimizer, "an optimizer configuration");
      if (parameters.isEmpty()) {
        throw new SchemaException("the trainer needs the parameters to train");
      }
      BackwardPass pass = BackwardPass.build(trainNet, List.of(loss), Map.of(), registry);
      OptimizedNets nets = OptimizerBuilder.forBackward(trainNet, pass, initNet)
          .registry(registry)
          .freeze(freeze)
          .prune(prune)
          .parameters(parameters)
          .untouched(untouched)
          .withoutWeightDecay(noWeightDecay)
          .build(optimizer);
      return new Trainer(this, nets);
    }

    private static void require(Object part, String what) {
      if (part == null) {
        throw new SchemaException("the trainer needs " + what);
      }
    }
  }
}
