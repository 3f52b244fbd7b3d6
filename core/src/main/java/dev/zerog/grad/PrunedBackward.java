package dev.zerog.grad;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What {@link GradientPruning} returns: the pruned backward pass, where each parameter's gradient comes from,
 * and what was removed.
 *
 * @param pass the pruned backward pass: its ops (the Caffe2-faithful ones that are still needed, in their order,
 *     with Sums that lost zero inputs rewritten, trailing outputs trimmed, and zero fills where a zero must
 *     exist), the gradient map of the blobs whose gradient it still computes, and each op's generator
 * @param parameters each parameter's gradient status, in the order the parameters were given
 * @param pruned the removed work, in the order of the unpruned ops
 * @param zeroOutputs for each op of the unpruned backward pass, in order, the indices of the outputs that zero
 *     propagation found to be known zeros (found whether or not the pass is zero-aware; an empty set where
 *     there are none)
 */
public record PrunedBackward(BackwardPass pass, Map<String, ParameterGradient> parameters, List<PrunedOp> pruned,
    List<Set<Integer>> zeroOutputs) {
  /** Copies the collections (the map keeps its order). */
  public PrunedBackward {
    Objects.requireNonNull(pass, "pass");
    parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    pruned = List.copyOf(pruned);
    zeroOutputs = zeroOutputs.stream().map(Set::copyOf).toList();
  }

  /** True if output {@code output} of op {@code op} of the unpruned backward pass is a known zero. */
  public boolean isKnownZero(int op, int output) {
    return op >= 0 && op < zeroOutputs.size() && zeroOutputs.get(op).contains(output);
  }

  /** The number of ops removed (ops that only lost outputs are not counted). */
  public int removedOps() {
    int n = 0;
    for (PrunedOp p : pruned) {
      if (p.removed()) {
        n++;
      }
    }
    return n;
  }

  /** The estimated floating-point operations saved per run. */
  public long savedFlops() {
    long n = 0;
    for (PrunedOp p : pruned) {
      n += p.flops();
    }
    return n;
  }

  /** The bytes of output no longer written per run. */
  public long savedBytes() {
    long n = 0;
    for (PrunedOp p : pruned) {
      n += p.bytes();
    }
    return n;
  }
}
