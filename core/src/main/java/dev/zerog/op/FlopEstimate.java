package dev.zerog.op;

import dev.zerog.proto.Caffe2.OperatorDef;
import java.util.List;

/**
 * An estimate of the floating-point operations one run of an op costs, from the types its inputs and outputs
 * are known to have (as shape inference finds them). Used to report what pruning saves; a rough count (a
 * multiply-add is two operations, an exponential or a division one), never a measurement.
 */
@FunctionalInterface
public interface FlopEstimate {
  /**
   * The operations of one run, or -1 when the shapes it needs are unknown.
   *
   * @param def the op
   * @param inputs the known types of its inputs (possibly {@link BlobType#UNKNOWN})
   * @param outputs the known types of its outputs (possibly {@link BlobType#UNKNOWN})
   */
  long flops(OperatorDef def, List<BlobType> inputs, List<BlobType> outputs);

  /** {@code perElement} operations for each element of output 0. */
  static FlopEstimate perOutputElement(long perElement) {
    return (def, inputs, outputs) -> {
      long n = outputs.isEmpty() ? -1 : elements(outputs.get(0));
      return n < 0 ? -1 : n * perElement;
    };
  }

  /** {@code perElement} operations for each element of input {@code input} (negative: counted from the end). */
  static FlopEstimate perInputElement(int input, long perElement) {
    return (def, inputs, outputs) -> {
      int i = input < 0 ? inputs.size() + input : input;
      long n = i < 0 || i >= inputs.size() ? -1 : elements(inputs.get(i));
      return n < 0 ? -1 : n * perElement;
    };
  }

  /** The element count of a blob whose dims are known, else -1. */
  static long elements(BlobType t) {
    long[] dims = t.dims();
    if (dims == null) {
      return -1;
    }
    long n = 1;
    for (long d : dims) {
      n *= d;
    }
    return n;
  }
}
