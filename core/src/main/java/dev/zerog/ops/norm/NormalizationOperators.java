package dev.zerog.ops.norm;

import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorProvider;
import java.util.Collection;
import java.util.List;

/** The normalization operators: SpatialBN and LRN, and their gradients. */
public final class NormalizationOperators implements OperatorProvider {
  @Override
  public Collection<OperatorDefinition> operators() {
    return List.of(SpatialBN.DEFINITION, SpatialBN.Gradient.DEFINITION, LRN.DEFINITION, LRN.Gradient.DEFINITION);
  }
}
