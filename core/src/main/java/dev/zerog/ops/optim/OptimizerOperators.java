package dev.zerog.ops.optim;

import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorProvider;
import java.util.Collection;
import java.util.List;

/**
 * The training operators: Iter, LearningRate, WeightedSum (and WeightedSumGradient), MomentumSGD,
 * MomentumSGDUpdate, Adam and Adagrad.
 */
public final class OptimizerOperators implements OperatorProvider {
  @Override
  public Collection<OperatorDefinition> operators() {
    return List.of(Iter.DEFINITION, LearningRate.DEFINITION, WeightedSum.DEFINITION, WeightedSumGradient.DEFINITION,
        MomentumSGD.DEFINITION, MomentumSGD.UPDATE_DEFINITION, Adam.DEFINITION, Adagrad.DEFINITION);
  }
}
