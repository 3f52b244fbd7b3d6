package dev.zerog.train;

import dev.zerog.SchemaException;
import dev.zerog.ShapeException;
import dev.zerog.grad.BackwardPass;
import dev.zerog.io.Checkpoints;
import dev.zerog.net.Net;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.Allocations;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Blob;
import dev.zerog.workspace.Workspace;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
 * <p>The first step runs the init net (unless {@link #initialize}, {@link #restore} or {@link #saveCheckpoint} ran
 * it), asks the feeder for its batch and creates the training net (which needs its inputs to exist); every step
 * then asks the feeder for its batch and runs the net once: forward, backward, weight decay, Iter, LearningRate
 * and the updates. In the steady state a step allocates nothing, provided the feeder and the net's operators
 * refill their tensors in place (zerog's operators do).
 *
 * <p><b>Checkpoints.</b> {@link #saveCheckpoint} writes the training's state ({@link #stateBlobs()}: what the init
 * net creates, parameters and optimizer state) as a crash-safe checkpoint of the current step; {@link #restore}
 * puts it back into a new trainer built the same way, which then continues bit for bit as the first one would
 * have:
 *
 * <pre>{@code
 * Optional<Path> latest = Checkpoints.latest(dir);
 * if (latest.isPresent()) {
 *   trainer.restore(latest.get());
 * }
 * while (trainer.stepsRun() < 10_000) {
 *   trainer.step();
 *   if (trainer.stepsRun() % 500 == 0) {
 *     trainer.saveCheckpoint(dir);
 *   }
 * }
 * }</pre>
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
  private final List<String> stateBlobs;
  private boolean initialized;
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
    Set<String> state = new LinkedHashSet<>();
    for (OperatorDef op : initNet.getOpList()) {
      state.addAll(op.getOutputList());
    }
    this.stateBlobs = List.copyOf(state);
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

  /**
   * Runs the init net, unless it has run already (the first step, {@link #restore} and {@link #saveCheckpoint} run
   * it when needed). After this the workspace holds the parameters and the optimizer's state.
   */
  public void initialize() {
    if (initialized) {
      return;
    }
    long t0 = System.nanoTime();
    Net.create(initNet, workspace, registry).run();
    initialized = true;
    LOG.debug("init net of {} ops run in {} ms", initNet.getOpCount(), (System.nanoTime() - t0) / 1_000_000);
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

  /**
   * The blobs that hold the training's state: every blob the init net (with the optimizer's additions) creates,
   * in the order of its ops. The parameters, the optimizer's state (momentum, moments, the iteration counter) and
   * anything else the init net makes (running statistics the train net updates, constants) are among them; the
   * activations and gradients, which every step recomputes, are not. A checkpoint holds exactly these.
   */
  public List<String> stateBlobs() {
    return stateBlobs;
  }

  /**
   * Saves the state ({@link #stateBlobs()}) as the checkpoint of the current step ({@link #stepsRun()}) in
   * {@code dir}, atomically ({@link Checkpoints}); runs the init net first if no step has run yet. Returns the
   * file.
   */
  public Path saveCheckpoint(Path dir) {
    return saveCheckpoint(dir, Map.of());
  }

  /**
   * Saves the state, as {@link #saveCheckpoint(Path)}, together with {@code extra} tensors of the caller's (a loss
   * history, for example), which {@link #restore} returns.
   *
   * @throws SchemaException if an extra tensor has the name of a state blob
   */
  public Path saveCheckpoint(Path dir, Map<String, Tensor> extra) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(extra, "extra");
    initialize();
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (String name : stateBlobs) {
      tensors.put(name, workspace.fetch(name));
    }
    for (Map.Entry<String, Tensor> e : extra.entrySet()) {
      if (tensors.containsKey(e.getKey())) {
        throw (SchemaException) new SchemaException("an extra tensor of the checkpoint has the name of the state "
            + "blob '" + e.getKey() + "'").atBlob(e.getKey());
      }
      tensors.put(e.getKey(), e.getValue());
    }
    Path file = dir.resolve(Checkpoints.fileName(steps));
    Checkpoints.write(tensors, file);
    LOG.debug("checkpoint of step {}: {} state blobs and {} extra tensors in {}", steps, stateBlobs.size(),
        extra.size(), file);
    return file;
  }

  /**
   * Continues from a checkpoint that {@link #saveCheckpoint} wrote (with the same nets, parameters and optimizer):
   * runs the init net, replaces every state blob with the checkpoint's, and sets {@link #stepsRun()} to the
   * checkpoint's step, so that the next step is the one after it. The whole file is verified before anything
   * changes. Steps run after this give bit for bit what an uninterrupted run gives, provided the feeder's batches
   * depend only on the step number (as {@link Dataset}'s do) and the train net has no random operators (Dropout's
   * generator, which is not part of the state, starts again).
   *
   * @param checkpoint a file named {@code checkpoint-<step>.zgc} ({@link Checkpoints#latest} finds the latest)
   * @return the checkpoint's other tensors (the extra ones given to {@link #saveCheckpoint(Path, Map)}), in order
   * @throws SchemaException if a step has run already, or the checkpoint lacks a state blob
   * @throws dev.zerog.ShapeException if a state blob's type or dims differ from the ones the init net makes
   * @throws dev.zerog.MalformedInputException if the file is not a valid checkpoint
   */
  public Map<String, Tensor> restore(Path checkpoint) {
    Objects.requireNonNull(checkpoint, "checkpoint");
    if (net != null) {
      throw new SchemaException("a trainer restores a checkpoint before its first step, not after step " + steps);
    }
    long step = Checkpoints.step(checkpoint);
    Map<String, Tensor> tensors;
    Allocations.Budget previous = workspace.enterLimits();
    try {
      tensors = Checkpoints.read(checkpoint);
    } finally {
      Allocations.restore(previous);
    }
    initialize();
    for (String name : stateBlobs) {
      Tensor saved = tensors.get(name);
      if (saved == null) {
        throw (SchemaException) new SchemaException("the checkpoint has no blob '" + name + "', which this "
            + "training keeps (was it saved with other nets or another optimizer?)").atBlob(name)
            .atFile(checkpoint.toString());
      }
      Tensor current = workspace.fetch(name);
      if (saved.dtype() != current.dtype() || !saved.hasSameDims(current)) {
        throw (ShapeException) new ShapeException("the checkpoint holds " + saved.dtype() + " "
            + Shapes.format(saved.dims()) + " where the init net makes " + current.dtype() + " "
            + Shapes.format(current.dims())).atBlob(name).atFile(checkpoint.toString());
      }
    }
    Map<String, Tensor> extra = new LinkedHashMap<>(tensors);
    for (String name : stateBlobs) {
      workspace.feed(name, extra.remove(name));
    }
    steps = step;
    LOG.debug("restored step {} from {}: {} state blobs, {} extra tensors", step, checkpoint, stateBlobs.size(),
        extra.size());
    return extra;
  }

  private void start() {
    initialize();
    if (feeder != null) {
      feeder.fill(steps, batch);
    }
    long t0 = System.nanoTime();
    net = Net.create(trainNet, workspace, registry);
    lossBlob = workspace.getBlob(loss);
    if (lossBlob == null) {
      throw (SchemaException) new SchemaException("the train net does not create the loss blob").atBlob(loss);
    }
    LOG.debug("train net of {} ops created in {} ms", trainNet.getOpCount(), (System.nanoTime() - t0) / 1_000_000);
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
