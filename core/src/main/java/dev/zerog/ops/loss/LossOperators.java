package dev.zerog.ops.loss;

import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorProvider;
import java.util.Collection;
import java.util.List;

/**
 * Softmax and the loss operators, each with its gradient op: Softmax, SoftmaxWithLoss, LabelCrossEntropy,
 * SquaredL2Distance and AveragedLoss.
 */
public final class LossOperators implements OperatorProvider {
  @Override
  public Collection<OperatorDefinition> operators() {
    return List.of(
        Softmax.DEFINITION, Softmax.Gradient.DEFINITION,
        SoftmaxWithLoss.DEFINITION, SoftmaxWithLoss.Gradient.DEFINITION,
        LabelCrossEntropy.DEFINITION, LabelCrossEntropy.Gradient.DEFINITION,
        SquaredL2Distance.DEFINITION, SquaredL2Distance.Gradient.DEFINITION,
        AveragedLoss.DEFINITION, AveragedLoss.Gradient.DEFINITION);
  }
}
