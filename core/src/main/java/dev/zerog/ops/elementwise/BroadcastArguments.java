package dev.zerog.ops.elementwise;

import dev.zerog.SchemaException;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.OperatorSchema;

/**
 * Caffe2's broadcasting arguments of the binary elementwise operators, read once: {@code broadcast} (1: the
 * legacy mode), {@code axis}, and {@code axis_str} with {@code order} (the axis named by a letter of the
 * layout, such as "C" in "NCHW"). Without {@code broadcast}, {@code axis} and {@code axis_str} are ignored, as in
 * Caffe2.
 *
 * @param legacy true for {@code broadcast: 1}
 * @param axis where B's dims start in A's in the legacy mode; -1 for B's dims being A's last dims
 */
record BroadcastArguments(boolean legacy, int axis) {
  /** Reads and checks the arguments (a {@link SchemaException} when they contradict each other). */
  static BroadcastArguments read(Arguments args) {
    boolean legacy = args.getBool("broadcast", false);
    return new BroadcastArguments(legacy, legacy ? legacyAxis(args) : args.getInt("axis", -1));
  }

  /**
   * The legacy mode's axis from {@code axis}, or from {@code axis_str} and {@code order}; -1 when neither is
   * set. A {@link SchemaException} when both are set or axis_str is not a letter of order.
   */
  static int legacyAxis(Arguments args) {
    int axis = args.getInt("axis", -1);
    String axisStr = args.getString("axis_str", "");
    String order = args.getString("order", "NCHW");
    if (axis != -1) {
      if (!axisStr.isEmpty()) {
        throw new SchemaException("arguments 'axis' and 'axis_str' cannot be used together");
      }
      return axis;
    }
    if (axisStr.isEmpty()) {
      return -1;
    }
    int found = axisStr.length() == 1 ? order.indexOf(axisStr) : -1;
    if (found < 0) {
      throw new SchemaException("argument 'axis_str' must be one letter of 'order' (\"" + order + "\"), got \""
          + axisStr + "\"");
    }
    return found;
  }

  /** Declares and documents the arguments on a schema. */
  static OperatorSchema.Builder declare(OperatorSchema.Builder b) {
    return b
        .arg("broadcast", ArgType.INT, "1: Caffe2's legacy broadcasting of B over A (default 0: NumPy rules)")
        .arg("axis", ArgType.INT, "with broadcast: 1, the axis of A where B's dims start (default -1: B's dims are "
            + "A's last dims); ignored otherwise")
        .arg("axis_str", ArgType.STRING, "with broadcast: 1, the axis as a letter of `order` (\"C\" in \"NCHW\"); "
            + "not together with axis")
        .arg("order", ArgType.STRING, "the layout that axis_str is a letter of (default \"NCHW\")");
  }

  /** The common part of the binary operators' docs: both broadcasting modes. */
  static final String DOC = "Broadcasting. Without `broadcast` (or with `broadcast: 0`), NumPy rules: the dims of A "
      + "and B are aligned from the right, each pair must be equal or one of them 1 (a missing dim counts as 1), "
      + "and C has the larger of each pair (0 if either is 0). For example [2, 3, 4] with [3, 1] gives [2, 3, 4], "
      + "and [4, 1] with [1, 5] gives [4, 5]. With `broadcast: 1` (Caffe2's legacy mode), C has A's shape and B "
      + "is either a single element or a contiguous run of A's dims starting at `axis` (by default A's last "
      + "dims; B's leading and trailing dims of size 1 are ignored): with A [2, 3, 4, 5], B may be [5], [4, 5], "
      + "[3, 4] with axis 1, [2] with axis 0, or [1]; B may not be the output then (in place).";
}
