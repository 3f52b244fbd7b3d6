package dev.zerog.ops.fill;

import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorProvider;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The filler operators: ConstantFill, GaussianFill, UniformFill, UniformIntFill, XavierFill, MSRAFill, RangeFill
 * and the GivenTensorFill family.
 */
public final class FillOperators implements OperatorProvider {
  @Override
  public Collection<OperatorDefinition> operators() {
    List<OperatorDefinition> all = new ArrayList<>(List.of(ConstantFill.DEFINITION, GaussianFill.DEFINITION,
        UniformFill.DEFINITION, UniformFill.INT_DEFINITION, XavierFill.DEFINITION, MSRAFill.DEFINITION,
        RangeFill.DEFINITION));
    all.addAll(GivenTensorFill.definitions());
    return all;
  }
}
