package dev.zerog.train;

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
 */
public record OptimizedNets(NetDef trainNet, NetDef initNet, List<String> updatedParameters, List<String> stateBlobs,
    String learningRateBlob, String iterationBlob) {
  /** Copies the lists. */
  public OptimizedNets {
    Objects.requireNonNull(trainNet, "trainNet");
    Objects.requireNonNull(initNet, "initNet");
    updatedParameters = List.copyOf(updatedParameters);
    stateBlobs = List.copyOf(stateBlobs);
  }
}
