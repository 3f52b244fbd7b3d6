package dev.zerog.ops.reduce;

import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorProvider;
import java.util.Collection;
import java.util.List;

/** The reductions, each with its gradient op: SumElements, ReduceSum and ReduceMean. */
public final class ReductionOperators implements OperatorProvider {
  @Override
  public Collection<OperatorDefinition> operators() {
    return List.of(
        SumElements.DEFINITION, SumElements.Gradient.DEFINITION,
        Reduce.SUM, Reduce.Gradient.SUM,
        Reduce.MEAN, Reduce.Gradient.MEAN);
  }
}
