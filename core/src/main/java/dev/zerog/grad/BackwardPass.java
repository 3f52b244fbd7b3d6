package dev.zerog.grad;

import dev.zerog.GradientException;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.DeviceOption;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
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
 * The backward pass of a forward net, built as Caffe2's {@code GetBackwardPass} builds it: the gradient ops
 * to run after the forward ops, and the gradient of every forward blob that has one.
 *
 * <p>Building is a pure function of the NetDef, the loss blobs, the initial gradients and the operator
 * registry (which supplies each op type's {@link GradientMaker}); it needs no workspace, and the ops it
 * returns run in the ordinary executor after the forward ops. It reproduces Caffe2's observable behavior:
 *
 * <ol>
 *   <li><b>Versions.</b> Every write of a blob makes a new version; in-place ops read one version and write
 *       the next. A gradient op may read a forward blob only if the blob is still at the version the
 *       forward op saw when the forward pass ends, else the build fails with
 *       {@code Gradient operator needs input "A" at version 0, but currently we have version 1.} (or
 *       {@code output}).
 *   <li><b>Initial gradients.</b> Each loss gets the caller's gradient blob, or a {@code ConstantFill} of
 *       ones shaped like the loss ({@code value: 1.0}) into {@code <loss>_autogen_grad}, emitted first.
 *   <li><b>Generation.</b> The forward ops are visited in reverse. An op whose outputs have a gradient (and
 *       every ZeroGradient, which has no outputs) gets the ops its gradient maker declares, marked
 *       {@code is_gradient_op}, with the maker's arguments followed by the forward op's, and the forward
 *       op's device option and engine when present. Ops registered without a gradient pass none on; ops
 *       whose gradient is not implemented fail the build.
 *   <li><b>Accumulation.</b> A blob version read by several ops gets its gradients summed when the walk
 *       reaches its first reader: see {@code GradientAccumulation} for the {@code Sum}/{@code Concat} ops,
 *       the {@code _<name>_autosplit_<k>} renaming and the {@code is_auto_gen_sum_ops} tag.
 *   <li><b>StopGradient.</b> Its output must be read by some op of the net, else the net is refused.
 * </ol>
 *
 * <p>Errors are {@link GradientException}s that name the forward op (index and type) and the blob.
 * Building costs time linear in the size of the net.
 *
 * @param gradientOps the backward ops, in the order to run them
 * @param gradientMap each forward blob that has a gradient mapped to it (dense or sparse), in the order the
 *     walk first reached the blobs (losses first); blobs without a gradient are absent
 * @param generators for each gradient op, the index of the forward op whose gradient maker wrote it, or -1 for
 *     the ops the builder adds itself (the initial gradients and the accumulation ops)
 */
public record BackwardPass(List<OperatorDef> gradientOps, Map<String, GradientBlob> gradientMap,
    List<Integer> generators) {
  private static final Logger LOG = LoggerFactory.getLogger(BackwardPass.class);

  /** Copies all three into immutable collections (the map keeps its order); one generator per gradient op. */
  public BackwardPass {
    gradientOps = List.copyOf(gradientOps);
    gradientMap = Collections.unmodifiableMap(new LinkedHashMap<>(gradientMap));
    generators = List.copyOf(generators);
    if (generators.size() != gradientOps.size()) {
      throw new GradientException("a backward pass needs one generator per gradient op: " + generators.size()
          + " for " + gradientOps.size() + " ops");
    }
  }

  /** A backward pass whose ops' generators are unknown (all -1). */
  public BackwardPass(List<OperatorDef> gradientOps, Map<String, GradientBlob> gradientMap) {
    this(gradientOps, gradientMap, Collections.nCopies(gradientOps.size(), -1));
  }

  /** The backward pass of {@code forward} for the given losses, each seeded with ones. */
  public static BackwardPass build(NetDef forward, List<String> losses) {
    return build(forward, losses, Map.of(), OperatorRegistry.standard());
  }

  /**
   * The backward pass of {@code forward} for the given losses; a loss in {@code initialGradients} starts
   * from that gradient blob, any other loss from ones.
   */
  public static BackwardPass build(NetDef forward, List<String> losses, Map<String, GradientBlob> initialGradients) {
    return build(forward, losses, initialGradients, OperatorRegistry.standard());
  }

  /**
   * The backward pass of {@code forward}, with the gradient makers of {@code registry}.
   *
   * @param forward the forward net
   * @param losses the blobs to differentiate (a name given twice counts once)
   * @param initialGradients caller-given gradients of some losses (every key must be a loss)
   * @param registry where each op type's gradient maker is found
   * @throws GradientException if the backward pass cannot be built
   */
  public static BackwardPass build(NetDef forward, List<String> losses, Map<String, GradientBlob> initialGradients,
      OperatorRegistry registry) {
    Objects.requireNonNull(forward, "forward");
    Objects.requireNonNull(losses, "losses");
    Objects.requireNonNull(initialGradients, "initialGradients");
    Objects.requireNonNull(registry, "registry");
    Set<String> lossSet = checkLosses(losses, initialGradients);
    long start = System.nanoTime();

    checkLossesInNet(forward, lossSet);
    ForwardVersions ssa = ForwardVersions.play(forward.getOpList());
    int n = ssa.size();
    GradientSources sources = new GradientSources(n + lossSet.size());
    GradientGeneration generation = new GradientGeneration(ssa, registry, sources);
    GradientAccumulation accumulation = new GradientAccumulation(ssa, sources);
    List<EmittedOp> emitted = new ArrayList<>();
    // Blob name -> its current gradient; a null value records "no gradient" (Caffe2's None entries).
    Map<String, GradientBlob> gradients = new LinkedHashMap<>(ForwardVersions.capacityFor(2 * n + lossSet.size()));

    for (String loss : lossSet) {
      int version = ssa.finalVersion(loss);
      generation.setGradientFrontier(loss, version);
      ssa.addRead(loss, version, n);
    }
    for (String loss : lossSet) {
      int version = ssa.finalVersion(loss);
      GradientBlob given = initialGradients.get(loss);
      if (given == null) {
        EmittedOp fill = new EmittedOp(OperatorDef.newBuilder().setType("ConstantFill").addInput(loss)
            .addOutput(loss + "_autogen_grad")
            .addArg(Argument.newBuilder().setName("value").setF(1.0f)));
        emitted.add(fill);
        sources.add(loss, version, new GradientSource.Dense(fill, 0, fill.output(0), fill.deviceOption()));
        gradients.put(loss, GradientBlob.dense(fill.output(0)));
      } else {
        // Caffe2 records no source for a caller-given gradient, so it is lost when the loss is also read by
        // ops with gradients; recording it as a pass-through makes it part of the accumulated sum.
        DeviceOption none = DeviceOption.getDefaultInstance();
        GradientSource source = given.isSparse()
            ? new GradientSource.Sparse(null, 0, null, 0, given, none)
            : new GradientSource.Dense(null, 0, given.dense(), none);
        sources.add(loss, version, source);
        gradients.put(loss, given);
      }
    }

    for (int index = n - 1; index >= 0; index--) {
      OperatorDef op = ssa.op(index);
      GradientBlob[] outputGradients = new GradientBlob[op.getOutputCount()];
      for (int k = 0; k < outputGradients.length; k++) {
        outputGradients[k] = gradients.get(op.getOutput(k));
      }
      GradientGeneration.Generated generated = generation.generate(index, Arrays.asList(outputGradients));
      if (generated != null) {
        emitted.addAll(generated.ops());
        updateGradients(gradients, op, generated.inputGradients());
      }
      gradients.putAll(accumulation.accumulate(index, emitted));
    }

    List<OperatorDef> ops = new ArrayList<>(emitted.size());
    List<Integer> generators = new ArrayList<>(emitted.size());
    for (EmittedOp e : emitted) {
      ops.add(e.build());
      generators.add(e.generator());
    }
    Map<String, GradientBlob> map = new LinkedHashMap<>();
    for (Map.Entry<String, GradientBlob> e : gradients.entrySet()) {
      if (e.getValue() != null) {
        map.put(e.getKey(), e.getValue());
      }
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug("backward pass of net '{}': {} forward ops, {} gradient ops, {} gradients, {} ms", forward.getName(),
          n, ops.size(), map.size(), (System.nanoTime() - start) / 1_000_000);
    }
    return new BackwardPass(ops, map, generators);
  }

  /**
   * Every loss must be a blob of the net: written or read by one of its ops, or declared an external input
   * or output. A name that is none of these is almost always a typo, and would silently get no gradient.
   */
  private static void checkLossesInNet(NetDef forward, Set<String> lossSet) {
    Set<String> missing = new LinkedHashSet<>(lossSet);
    forward.getExternalInputList().forEach(missing::remove);
    forward.getExternalOutputList().forEach(missing::remove);
    for (OperatorDef op : forward.getOpList()) {
      if (missing.isEmpty()) {
        return;
      }
      op.getOutputList().forEach(missing::remove);
      op.getInputList().forEach(missing::remove);
    }
    if (!missing.isEmpty()) {
      String first = missing.iterator().next();
      throw (GradientException) new GradientException("loss blob '" + first
          + "' is not a blob of the net (no op writes or reads it, and it is not an external input or output)").atBlob(first);
    }
  }

  private static Set<String> checkLosses(List<String> losses, Map<String, GradientBlob> initialGradients) {
    Set<String> lossSet = new LinkedHashSet<>();
    for (String loss : losses) {
      if (loss == null || loss.isEmpty()) {
        throw new GradientException("a loss blob name is empty");
      }
      lossSet.add(loss);
    }
    for (Map.Entry<String, GradientBlob> e : initialGradients.entrySet()) {
      if (!lossSet.contains(e.getKey())) {
        throw (GradientException) new GradientException("an initial gradient is given for '" + e.getKey()
            + "', which is not one of the losses " + lossSet).atBlob(e.getKey());
      }
      if (e.getValue() == null) {
        throw (GradientException) new GradientException("the initial gradient of '" + e.getKey() + "' is null")
            .atBlob(e.getKey());
      }
    }
    return lossSet;
  }

  /**
   * Records an op's input gradients as the blobs' current gradients, as Caffe2 does: a missing gradient does
   * not erase a known one, unless the input is also an output of the op (then the known gradient belonged to
   * the version the op wrote). All decisions look at the map as it was before this op.
   */
  private static void updateGradients(Map<String, GradientBlob> gradients, OperatorDef op,
      List<GradientBlob> inputGradients) {
    int n = op.getInputCount();
    Set<String> outputs = op.getOutputCount() > 4 ? new HashSet<>(op.getOutputList()) : null;
    boolean[] record = new boolean[n];
    for (int k = 0; k < n; k++) {
      String name = op.getInput(k);
      boolean isOutput = outputs != null ? outputs.contains(name) : op.getOutputList().contains(name);
      record[k] = inputGradients.get(k) != null || !gradients.containsKey(name) || isOutput;
    }
    for (int k = 0; k < n; k++) {
      if (record[k]) {
        gradients.put(op.getInput(k), inputGradients.get(k));
      }
    }
  }

  /** The forward net with these gradient ops appended (Caffe2's AddGradientOperators). */
  public NetDef appendTo(NetDef forward) {
    return forward.toBuilder().addAllOp(gradientOps).build();
  }

  /** Builds the backward pass of {@code forward} for {@code losses} (seeded with ones) and appends it. */
  public static NetDef addGradientOperators(NetDef forward, String... losses) {
    return build(forward, Arrays.asList(losses)).appendTo(forward);
  }
}
