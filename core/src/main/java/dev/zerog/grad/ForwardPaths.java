package dev.zerog.grad;

import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.proto.Caffe2.OperatorDef;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a blob flows in the forward net, for the audit: which blobs it reaches (through which blob each is first
 * reached), which ops read what it reaches, and whether a loss is reached only through an op that passes no
 * gradient (a StopGradient, or any op registered without one).
 *
 * <p>It follows blob names through the ops in order, the way values flow when the net runs; a blob that an op
 * outside the flow overwrites is still counted as reached (the audit only explains, it decides nothing).
 */
final class ForwardPaths {
  private final List<OperatorDef> ops;
  private final OperatorRegistry registry;

  ForwardPaths(List<OperatorDef> ops, OperatorRegistry registry) {
    this.ops = ops;
    this.registry = registry;
  }

  /** What one blob reaches. */
  final class Reach {
    /** Reached blob → the blob it was first reached from (null for the start). */
    private final Map<String, String> parent = new HashMap<>();
    /** Reached blob → the first op without a gradient on its way, or -1 when none is. */
    private final Map<String, Integer> cut = new HashMap<>();
    /** Op index → the reached input it reads first. */
    private final Map<Integer, String> readers = new HashMap<>();

    Reach(String start) {
      parent.put(start, null);
      cut.put(start, -1);
      for (int i = 0; i < ops.size(); i++) {
        OperatorDef op = ops.get(i);
        String from = null;
        int label = Integer.MAX_VALUE;
        for (String in : op.getInputList()) {
          Integer c = cut.get(in);
          if (c != null && (from == null || (c < 0 && label >= 0))) {
            from = in;
            label = c;
          }
        }
        if (from == null) {
          continue;
        }
        readers.put(i, from);
        if (label < 0 && passesNoGradient(op)) {
          label = i;
        }
        for (String out : op.getOutputList()) {
          if (!parent.containsKey(out)) {
            parent.put(out, from);
            cut.put(out, label);
          }
        }
      }
    }

    /** The op without a gradient that stands between the start and the first of {@code losses} it reaches. */
    int cutBefore(List<String> losses) {
      for (String loss : losses) {
        Integer c = cut.get(loss);
        if (c != null && c >= 0) {
          return c;
        }
      }
      return -1;
    }

    /** The blobs from the start to the input op {@code index} reads, in forward order; empty if it reads none. */
    List<String> pathTo(int index) {
      String blob = readers.get(index);
      if (blob == null) {
        return List.of();
      }
      List<String> path = new ArrayList<>();
      for (String b = blob; b != null; b = parent.get(b)) {
        path.add(b);
      }
      Collections.reverse(path);
      return path;
    }
  }

  Reach from(String start) {
    return new Reach(start);
  }

  private boolean passesNoGradient(OperatorDef op) {
    OperatorDefinition def = registry.find(op.getType());
    return def != null && def.gradientKind() == GradientKind.NONE;
  }
}
