package dev.zerog.train;

import dev.zerog.grad.PrunedBackward;
import dev.zerog.proto.Caffe2.NetDef;
import java.util.List;
import java.util.Objects;

/**
 * What {@link OptimizerBuilder} returns: the nets with the optimizer added, and what it added.
 *
 * @param trainNet the train net followed by the weight decay, Iter, LearningRate and update ops
 * @param initNet the init net followed by the initialization of the optimizer's state
 * @param updatedParameters the parameters that get update ops, in order
 * @param stateBlobs the blobs the init net now creates for the optimizer (counter, constants, momentum, moments),
 *     in the order of their ops; the counter and constants are absent when the init net already had them
 * @param learningRateBlob the blob LearningRate writes
 * @param iterationBlob the iteration counter
 * @param frozenParameters the parameters frozen ({@link OptimizerBuilder#freeze}): no gradient ops (when the builder
 *     built the train net from a backward pass), no update ops, no state
 * @param skippedParameters parameters whose gradient is known to be zero and whose update could not change them
 *     (plain SGD without weight decay), so that they get no update op
 * @param backward the pruned backward pass and each parameter's gradient status, when the builder was given the
 *     backward pass ({@link OptimizerBuilder#forBackward}); null otherwise
 */
public record OptimizedNets(NetDef trainNet, NetDef initNet, List<String> updatedParameters, List<String> stateBlobs,
    String learningRateBlob, String iterationBlob, List<String> frozenParameters, List<String> skippedParameters,
    PrunedBackward backward) {
  /** Copies the lists. */
  public OptimizedNets {
    Objects.requireNonNull(trainNet, "trainNet");
    Objects.requireNonNull(initNet, "initNet");
    updatedParameters = List.copyOf(updatedParameters);
    stateBlobs = List.copyOf(stateBlobs);
    frozenParameters = List.copyOf(frozenParameters);
    skippedParameters = List.copyOf(skippedParameters);
  }
}
