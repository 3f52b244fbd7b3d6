package dev.zerog.op;

import dev.zerog.proto.Caffe2.OperatorDef;

/**
 * Which outputs an op may be given without, so that it computes less: as Caffe2's FCGradient computes dX only
 * when it has a third output, and ConvGradient only when it has its last one. An output is skipped by
 * removing it from the op's outputs, so only outputs at the end of the list can be skipped, and the count left
 * must still be one the schema accepts; the kernel computes the outputs present and nothing else.
 */
@FunctionalInterface
public interface SkippableOutputs {
  /** True if {@code def} may be run without its output {@code output} (and every output after it). */
  boolean skippable(OperatorDef def, int output);
}
