package dev.zerog.ops.gradient;

import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorProvider;
import java.util.Collection;
import java.util.List;

/**
 * The operators that control gradient flow: ZeroGradient, StopGradient, and zerog's GradientMask (with its
 * gradient op GradientMaskGradient).
 */
public final class GradientControlOperators implements OperatorProvider {
  @Override
  public Collection<OperatorDefinition> operators() {
    return List.of(ZeroGradient.DEFINITION, StopGradient.DEFINITION, GradientMask.DEFINITION,
        GradientMask.Gradient.DEFINITION);
  }
}
