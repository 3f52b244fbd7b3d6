package dev.zerog.op;

import java.util.List;

/**
 * One linearity of an operator, resolved for one op: the operator is linear in the inputs {@link #inputs()}
 * taken together (every other input held fixed), so when all of them are zero, every output in
 * {@link #outputs()} is zero.
 *
 * <p>This is what zero propagation relies on: a gradient operator is linear in the gradients it reads, so one
 * whose gradient inputs are all known zeros produces zeros and need not run. An operator may have several
 * linearities: {@code Mul} is linear in A alone and in B alone (each group suffices), {@code Add} only in A and
 * B together. Operators declare them in their schema ({@link OperatorSchema.Builder#linearIn}); an operator
 * that declares none is never assumed to produce zeros.
 *
 * @param inputs the input positions, in increasing order, none repeated, at least one
 * @param outputs the output positions that are zero when those inputs are, in increasing order
 */
public record Linearity(List<Integer> inputs, List<Integer> outputs) {
  /** Copies both lists. */
  public Linearity {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }
}
