package dev.zerog.ops.gradient;

import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import java.util.List;

/**
 * StopGradient: the identity forward, and a wall backward.
 *
 * <p>Y = X (in place it does nothing; otherwise Y becomes a copy of X). It has no gradient: the backward pass
 * does not continue through it, so X and everything before it get no gradient from this path. Its output
 * must be read by a later op for the builder to accept it, as in Caffe2.
 */
final class StopGradient extends Operator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("StopGradient")
      .linearIn(0)
      .inputs(1)
      .outputs(1)
      .allowInPlace(0, 0)
      .doc("Y = X forward; no gradient flows from Y back to X.\n\n"
          + "In place (Y is X) it does nothing; otherwise Y becomes a copy of X, reusing Y's memory when the type "
          + "and size match.")
      .input("X", "the input")
      .output("Y", "equal to X; its gradient stops here")
      .inference((def, args, in) -> List.of(in.get(0)))
      .build();

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(StopGradient::new).noGradient().build();

  StopGradient(OperatorInit init) {
    super(init);
  }

  @Override
  public void run() {
    if (inPlace(0, 0)) {
      return;
    }
    output(0).copyFrom(input(0));
  }
}
