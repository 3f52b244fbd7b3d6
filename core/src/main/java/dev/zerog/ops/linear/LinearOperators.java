package dev.zerog.ops.linear;

import dev.zerog.blas.Blas;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorProvider;
import java.util.Collection;
import java.util.List;

/**
 * The linear operators, whose products run on {@link Blas}: FC and FCTransposed with their gradient ops
 * FCGradient and FCTransposedGradient, MatMul and BatchMatMul.
 */
public final class LinearOperators implements OperatorProvider {
  @Override
  public Collection<OperatorDefinition> operators() {
    return List.of(FullyConnected.DEFINITION, FullyConnected.TRANSPOSED, FullyConnectedGradient.DEFINITION,
        FullyConnectedGradient.TRANSPOSED, MatMul.DEFINITION, BatchMatMul.DEFINITION);
  }

  /**
   * The same operators running on the given BLAS instead of {@link Blas#get()}: for tests of one implementation
   * (the pure-Java one) whatever {@code -Dzerog.blas} says.
   */
  static List<OperatorDefinition> definitions(Blas blas) {
    return List.of(FullyConnected.definition(false, blas), FullyConnected.definition(true, blas),
        FullyConnectedGradient.definition(false, blas), FullyConnectedGradient.definition(true, blas),
        MatMul.definition(blas), BatchMatMul.definition(blas));
  }
}
