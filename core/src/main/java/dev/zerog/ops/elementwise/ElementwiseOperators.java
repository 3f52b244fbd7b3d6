package dev.zerog.ops.elementwise;

import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorProvider;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The elementwise operators and their gradient operators: Add, Sub, Mul and Div with broadcasting (and
 * SumReduceLike); Scale, Copy (and CopyOnDeviceLike), Negative, Exp, Log, Sqr, Sqrt, Abs, Pow; the activations
 * Relu, LeakyRelu, Elu, Sigmoid, Tanh and Softplus; Clip; and Cast.
 */
public final class ElementwiseOperators implements OperatorProvider {
  @Override
  public Collection<OperatorDefinition> operators() {
    List<OperatorDefinition> all = new ArrayList<>();
    for (Arithmetic op : Arithmetic.values()) {
      all.add(op.definition());
      all.add(op.gradientDefinition());
    }
    all.addAll(List.of(
        SumReduceLike.DEFINITION,
        Scale.DEFINITION,
        Copy.DEFINITION,
        Copy.LIKE_DEFINITION,
        Negative.DEFINITION,
        Exp.DEFINITION,
        Log.DEFINITION,
        Sqr.DEFINITION,
        Sqrt.DEFINITION,
        Abs.DEFINITION,
        Abs.GRADIENT_DEFINITION,
        Pow.DEFINITION,
        Relu.DEFINITION,
        Relu.GRADIENT_DEFINITION,
        LeakyRelu.DEFINITION,
        LeakyRelu.GRADIENT_DEFINITION,
        Elu.DEFINITION,
        Elu.GRADIENT_DEFINITION,
        Sigmoid.DEFINITION,
        Sigmoid.GRADIENT_DEFINITION,
        Tanh.DEFINITION,
        Tanh.GRADIENT_DEFINITION,
        Softplus.DEFINITION,
        Softplus.GRADIENT_DEFINITION,
        Clip.DEFINITION,
        Clip.GRADIENT_DEFINITION,
        Cast.DEFINITION));
    return all;
  }
}
