package dev.zerog.op;

import dev.zerog.proto.Caffe2.OperatorDef;
import java.util.List;

/**
 * Declares where an operator is linear, for one op: its input and output counts and arguments may decide (for
 * example a gradient operator whose output-gradient input is the last one, whatever the count). See
 * {@link Linearity}.
 */
@FunctionalInterface
public interface LinearityRule {
  /**
   * The linearities of {@code def}, with positions valid for its input and output counts; an empty list when it
   * has none.
   */
  List<Linearity> linearities(OperatorDef def);
}
