package dev.zerog.grad;

import dev.zerog.GradientException;
import dev.zerog.ZerogException;
import dev.zerog.grad.ForwardVersions.VersionedBlob;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.op.OperatorSchema;
import dev.zerog.proto.Caffe2.DeviceOption;
import dev.zerog.proto.Caffe2.OperatorDef;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gradient ops of one forward op: asks the op's {@link GradientMaker}, finishes the ops it returns as
 * Caffe2's GetGradientForOp does, checks that every blob they read is available at the right version, and
 * records which op output (or pass-through blob) is the gradient of which input version.
 *
 * <p>An op gets gradient ops when at least one of its outputs has a gradient, and a ZeroGradient op always
 * (it has no outputs; Caffe2 special-cases it the same way).
 */
final class GradientGeneration {
  /** The one op type whose gradient is generated without any output gradient. */
  static final String ZERO_GRADIENT = "ZeroGradient";

  /** What one forward op contributed: its gradient ops, and the gradient of each input (null where none). */
  record Generated(List<EmittedOp> ops, List<GradientBlob> inputGradients) {}

  private final ForwardVersions ssa;
  private final OperatorRegistry registry;
  private final GradientSources sources;
  /** For each blob name, the version its current gradient belongs to (Caffe2's gradient_frontier). */
  private final Map<String, Integer> gradientFrontier = new HashMap<>();

  GradientGeneration(ForwardVersions ssa, OperatorRegistry registry, GradientSources sources) {
    this.ssa = ssa;
    this.registry = registry;
    this.sources = sources;
  }

  /** Records that the gradient now known for {@code name} is the gradient of {@code version}. */
  void setGradientFrontier(String name, int version) {
    gradientFrontier.put(name, version);
  }

  /**
   * The gradient ops of forward op {@code index}, given the gradients of its outputs (null where none), or
   * null when the op needs none.
   */
  Generated generate(int index, List<GradientBlob> outputGradients) {
    OperatorDef op = ssa.op(index);
    boolean anyOutputGradient = false;
    for (GradientBlob g : outputGradients) {
      if (g != null) {
        anyOutputGradient = true;
        break;
      }
    }
    if (!anyOutputGradient && !op.getType().equals(ZERO_GRADIENT)) {
      return null;
    }
    try {
      Generated generated = runMaker(index, op, outputGradients);
      recordSources(index, generated, outputGradients);
      return generated;
    } catch (ZerogException e) {
      throw e.atOp(index, op.getType());
    }
  }

  private Generated runMaker(int index, OperatorDef op, List<GradientBlob> outputGradients) {
    String type = op.getType();
    OperatorDefinition definition = registry.find(type);
    if (definition == null) {
      throw new GradientException("Gradient maker for operator " + type + " not implemented: zerog does not"
          + " know the operator type '" + type + "'");
    }
    switch (definition.gradientKind()) {
      case NONE:
        return new Generated(List.of(), Arrays.asList(new GradientBlob[op.getInputCount()]));
      case NOT_IMPLEMENTED:
        throw new GradientException("Operator " + type + " should have a gradient but is not implemented yet.");
      case YES:
        break;
      default:
        throw new AssertionError(definition.gradientKind());
    }
    checkArity(op, definition.schema());
    GradientMaker maker = definition.gradientMaker();
    GradientContext context = new GradientContext(op, outputGradients);
    List<OperatorDef> made;
    try {
      made = maker.gradientDefs(context);
    } catch (ZerogException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new GradientException("the gradient maker of " + type + " failed: " + e, e);
    }
    List<EmittedOp> ops = new ArrayList<>(made == null ? 0 : made.size());
    if (made != null) {
      for (OperatorDef def : made) {
        ops.add(new EmittedOp(finish(def, op, maker), index));
      }
    }
    return new Generated(ops, context.inputGradients());
  }

  private static void checkArity(OperatorDef op, OperatorSchema schema) {
    if (!schema.inputs().accepts(op.getInputCount())) {
      throw new GradientException(op.getType() + " takes " + schema.inputs() + " inputs, got "
          + op.getInputCount());
    }
    if (!schema.outputs().accepts(op.getOutputCount())) {
      throw new GradientException(op.getType() + " takes " + schema.outputs() + " outputs, got "
          + op.getOutputCount());
    }
  }

  /**
   * Marks a maker's op as a gradient op and, unless the maker opts out, copies the forward op's device
   * option and engine (when it has them) and appends its arguments after the maker's own.
   */
  private static OperatorDef.Builder finish(OperatorDef made, OperatorDef forward, GradientMaker maker) {
    OperatorDef.Builder b = made.toBuilder().setIsGradientOp(true);
    if (maker.copyDeviceOption() && forward.hasDeviceOption()) {
      b.setDeviceOption(forward.getDeviceOption());
    }
    if (maker.copyEngine() && forward.hasEngine()) {
      b.setEngine(forward.getEngine());
    }
    if (maker.copyArguments()) {
      b.addAllArg(forward.getArgList());
    }
    return b;
  }

  /**
   * Caffe2's BuildGradientGenerators: checks every input of every gradient op, records the sources of
   * the input gradients (op outputs first, then pass-through gradients) and moves the gradient frontier.
   */
  private void recordSources(int index, Generated generated, List<GradientBlob> outputGradients) {
    OperatorDef op = ssa.op(index);
    List<GradientBlob> inputGradients = generated.inputGradients();
    NameIndex local = new NameIndex(true);
    if (!generated.ops().isEmpty()) {
      NameIndex inputs = new NameIndex(true);
      for (int k = 0; k < op.getInputCount(); k++) {
        inputs.put(op.getInput(k), k);
      }
      NameIndex outputs = new NameIndex(false);
      for (int k = 0; k < op.getOutputCount(); k++) {
        outputs.put(op.getOutput(k), k);
      }
      NameIndex outputGradientIndex = indexGradients(outputGradients);
      NameIndex inputGradientIndex = indexGradients(inputGradients);
      Map<VersionedBlob, List<GradientSource.Sparse>> sparseParts = null;

      for (EmittedOp g : generated.ops()) {
        for (int i = 0; i < g.inputCount(); i++) {
          checkInput(index, g.input(i), outputGradientIndex, outputs, inputs, local);
        }
        for (int i = 0; i < g.outputCount(); i++) {
          local.put(g.output(i), i);
        }
        for (int i = 0; i < g.outputCount(); i++) {
          int k = inputGradientIndex.get(g.output(i));
          if (k < 0) {
            continue;
          }
          String input = op.getInput(k);
          int version = ssa.inputVersion(index, k);
          GradientBlob gradient = inputGradients.get(k);
          if (gradient.isSparse()) {
            GradientSource.Sparse part = gradient.indices().equals(g.output(i))
                ? new GradientSource.Sparse(g, i, null, 0, gradient, g.deviceOption())
                : new GradientSource.Sparse(null, 0, g, i, gradient, g.deviceOption());
            if (sparseParts == null) {
              sparseParts = new LinkedHashMap<>();
            }
            sparseParts.computeIfAbsent(new VersionedBlob(input, version), v -> new ArrayList<>(2)).add(part);
          } else {
            sources.add(input, version, new GradientSource.Dense(g, i, gradient.dense(), g.deviceOption()));
          }
        }
      }
      if (sparseParts != null) {
        for (Map.Entry<VersionedBlob, List<GradientSource.Sparse>> e : sparseParts.entrySet()) {
          sources.add(e.getKey().name(), e.getKey().version(), mergeSparseParts(e.getKey().name(), e.getValue()));
        }
      }
    }

    DeviceOption forwardDevice = op.getDeviceOption();
    for (int k = 0; k < inputGradients.size(); k++) {
      GradientBlob gradient = inputGradients.get(k);
      if (gradient == null || (!gradient.isSparse() && gradient.dense().isEmpty())) {
        continue;
      }
      int version = ssa.inputVersion(index, k);
      if (gradient.isSparse()) {
        if (!local.contains(gradient.indices()) && !local.contains(gradient.values())) {
          sources.add(op.getInput(k), version, new GradientSource.Sparse(null, 0, null, 0, gradient, forwardDevice));
        }
      } else if (!local.contains(gradient.dense())) {
        sources.add(op.getInput(k), version, new GradientSource.Dense(null, 0, gradient.dense(), forwardDevice));
      }
    }
    for (int k = 0; k < inputGradients.size(); k++) {
      if (inputGradients.get(k) != null) {
        gradientFrontier.put(op.getInput(k), ssa.inputVersion(index, k));
      }
    }
  }

  /** The indices and the values of one GradientSlice, produced by two different ops, become one source. */
  private static GradientSource mergeSparseParts(String input, List<GradientSource.Sparse> parts) {
    if (parts.size() == 1) {
      return parts.get(0);
    }
    GradientSource.Sparse a = parts.get(0);
    GradientSource.Sparse b = parts.get(1);
    if (parts.size() > 2 || !a.gradient().equals(b.gradient())
        || (a.indicesOp() != null && b.indicesOp() != null) || (a.valuesOp() != null && b.valuesOp() != null)) {
      throw (GradientException) new GradientException("the gradient ops produce the GradientSlice of input '"
          + input + "' more than once").atBlob(input);
    }
    if (!a.deviceOption().equals(b.deviceOption())) {
      throw (GradientException) new GradientException("Unequal devices for sparse generators: "
          + a.deviceOption() + " and " + b.deviceOption()).atBlob(input);
    }
    return a.indicesOp() != null
        ? new GradientSource.Sparse(a.indicesOp(), a.indicesIndex(), b.valuesOp(), b.valuesIndex(), a.gradient(),
            a.deviceOption())
        : new GradientSource.Sparse(b.indicesOp(), b.indicesIndex(), a.valuesOp(), a.valuesIndex(), a.gradient(),
            a.deviceOption());
  }

  /** For each blob name in a gradient list (dense, indices or values), the first position holding it. */
  private static NameIndex indexGradients(List<GradientBlob> gradients) {
    NameIndex index = new NameIndex(true);
    for (int i = 0; i < gradients.size(); i++) {
      GradientBlob g = gradients.get(i);
      if (g == null) {
        continue;
      }
      if (g.isSparse()) {
        index.put(g.indices(), i);
        index.put(g.values(), i);
      } else {
        index.put(g.dense(), i);
      }
    }
    return index;
  }

  /**
   * Caffe2's CheckGradientOperatorInput: a gradient op may read the gradient of one of the forward op's
   * outputs (which must belong to the version that op wrote), the forward op's outputs and inputs (which must
   * still be at the version the op saw, at the end of the forward pass), or a blob an earlier gradient op of
   * the same forward op wrote.
   */
  private void checkInput(int index, String blob, NameIndex outputGradientIndex, NameIndex outputs,
      NameIndex inputs, NameIndex local) {
    OperatorDef op = ssa.op(index);
    int k = outputGradientIndex.get(blob);
    if (k >= 0) {
      String output = op.getOutput(k);
      int want = ssa.outputVersion(index, outputs.get(output));
      Integer have = gradientFrontier.get(output);
      if (have == null || have != want) {
        throw (GradientException) new GradientException("Gradient name \"" + blob + "\" is expected to"
            + " correspond to version " + want + " of \"" + output + "\", but currently we have version "
            + (have == null ? "none" : have.toString()) + ". Maybe the same output blob is written by two ops?")
            .atBlob(output);
      }
      return;
    }
    int out = outputs.get(blob);
    if (out >= 0) {
      int want = ssa.outputVersion(index, out);
      int have = ssa.finalVersion(blob);
      if (have != want) {
        throw (GradientException) new GradientException("Gradient operator needs output \"" + blob
            + "\" at version " + want + ", but currently we have version " + have + "." + writtenBy(blob, have))
            .atBlob(blob);
      }
      return;
    }
    int in = inputs.get(blob);
    if (in >= 0) {
      int want = ssa.inputVersion(index, in);
      int have = ssa.finalVersion(blob);
      if (have != want) {
        throw (GradientException) new GradientException("Gradient operator needs input \"" + blob
            + "\" at version " + want + ", but currently we have version " + have + "." + writtenBy(blob, have))
            .atBlob(blob);
      }
      return;
    }
    if (!local.contains(blob)) {
      throw (GradientException) new GradientException("Blob name \"" + blob + "\" not in the scope of operator "
          + op.getType() + " and is not generated by any of the local gradient operators.").atBlob(blob);
    }
  }

  private String writtenBy(String blob, int version) {
    int writer = ssa.writerOf(blob, version);
    return writer < 0 ? "" : " Version " + version + " is written by op #" + writer + " ("
        + ssa.op(writer).getType() + ").";
  }
}
