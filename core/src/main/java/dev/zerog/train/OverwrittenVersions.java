package dev.zerog.train;

import dev.zerog.GradientException;
import dev.zerog.grad.GradientBlob;
import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientKind;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.op.OperatorSchema;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gives new names to the blobs that in-place ops overwrite while a gradient still needs the old value, so that
 * the backward pass can be built.
 *
 * <p>Inference nets run ops in place freely (Relu then Dropout on one blob; SpatialBN, Mul and Add on another).
 * The backward pass reads forward blobs at the version each forward op saw, and refuses a net where a later op
 * overwrote that version (Caffe2's "Gradient operator needs input "X" at version 0, but currently we have version
 * 1"). This pass asks every op's gradient maker which of the op's inputs and outputs its gradient ops read (as
 * Caffe2's builder checks them: outputs first, then inputs), finds a needed version that a later write replaces,
 * and renames that write: the op that makes the next version writes {@code <blob>_<optype>} (lower case, made
 * unique) instead, and every later reference to the blob follows it, as does the net's external output. It
 * repeats until every needed version survives to the end of the forward pass. Ops whose gradient maker fails
 * without real gradients to work with, or that must run in place by their schema, are left as they are.
 */
final class OverwrittenVersions {
  private final OperatorRegistry registry;

  OverwrittenVersions(OperatorRegistry registry) {
    this.registry = registry;
  }

  /** The net with the needed versions kept; {@code renamed} receives each old name's final new name. */
  NetDef keepNeededVersions(NetDef net, Map<String, String> renamed) {
    NetDef current = net;
    Set<String> names = allNames(net);
    // Each round renames the first overwriting write of every blob with a conflict, so a blob's conflicts are
    // resolved one version per round; the bound is a guard.
    for (int round = 0; round <= net.getOpCount() + 1; round++) {
      List<Conflict> conflicts = conflicts(current);
      if (conflicts.isEmpty()) {
        return current;
      }
      Map<String, Conflict> byBlob = new HashMap<>();
      Map<String, String> fresh = new HashMap<>();
      for (Conflict c : conflicts) {
        String name = freshName(c.blob + "_"
            + current.getOp(c.writer).getType().toLowerCase(java.util.Locale.ROOT), names);
        names.add(name);
        byBlob.put(c.blob, c);
        fresh.put(c.blob, name);
      }
      current = rename(current, byBlob, fresh);
      for (Conflict c : conflicts) {
        String old = c.blob;
        String now = fresh.get(old);
        boolean followed = false;
        for (Map.Entry<String, String> e : renamed.entrySet()) {
          if (e.getValue().equals(old)) {
            e.setValue(now);
            followed = true;
          }
        }
        if (!followed) {
          renamed.put(old, now);
        }
      }
    }
    return current;
  }

  /** A version of {@code blob} that a gradient needs, and the op that overwrites it. */
  private record Conflict(String blob, int writer) {}

  /** For each blob with a needed version that a later write replaces, the first such write; by writer. */
  private List<Conflict> conflicts(NetDef net) {
    Map<String, Integer> version = new HashMap<>();
    // (blob, version) -> the op that wrote it.
    Map<String, Map<Integer, Integer>> writers = new HashMap<>();
    List<int[]> inVersions = new ArrayList<>();
    List<int[]> outVersions = new ArrayList<>();
    for (int i = 0; i < net.getOpCount(); i++) {
      OperatorDef op = net.getOp(i);
      int[] in = new int[op.getInputCount()];
      for (int k = 0; k < in.length; k++) {
        in[k] = version.computeIfAbsent(op.getInput(k), b -> 0);
      }
      int[] out = new int[op.getOutputCount()];
      for (int k = 0; k < out.length; k++) {
        String b = op.getOutput(k);
        Integer v = version.get(b);
        int next = v == null ? 0 : v + 1;
        version.put(b, next);
        out[k] = next;
        writers.computeIfAbsent(b, x -> new HashMap<>()).put(next, i);
      }
      inVersions.add(in);
      outVersions.add(out);
    }
    Map<String, Integer> first = new HashMap<>();
    for (int i = 0; i < net.getOpCount(); i++) {
      OperatorDef op = net.getOp(i);
      for (String blob : forwardBlobsReadByGradient(op)) {
        int want = neededVersion(op, blob, inVersions.get(i), outVersions.get(i));
        if (version.get(blob) != want) {
          Integer writer = writers.getOrDefault(blob, Map.of()).get(want + 1);
          if (writer == null || mustStayInPlace(net.getOp(writer), blob)) {
            continue;
          }
          first.merge(blob, writer, Math::min);
        }
      }
    }
    List<Conflict> out = new ArrayList<>();
    for (Map.Entry<String, Integer> e : first.entrySet()) {
      out.add(new Conflict(e.getKey(), e.getValue()));
    }
    out.sort((a, b) -> a.writer != b.writer ? Integer.compare(a.writer, b.writer) : a.blob.compareTo(b.blob));
    return out;
  }

  /** Caffe2's order: a blob that is one of the op's outputs is needed at its output version. */
  private static int neededVersion(OperatorDef op, String blob, int[] in, int[] out) {
    for (int k = op.getOutputCount() - 1; k >= 0; k--) {
      if (op.getOutput(k).equals(blob)) {
        return out[k];
      }
    }
    for (int k = 0; k < op.getInputCount(); k++) {
      if (op.getInput(k).equals(blob)) {
        return in[k];
      }
    }
    throw new IllegalStateException(blob + " is not a blob of " + op.getType());
  }

  /** The op's own inputs and outputs that its gradient ops read, when every output has a gradient. */
  private Set<String> forwardBlobsReadByGradient(OperatorDef op) {
    OperatorDefinition def = registry.find(op.getType());
    if (def == null || def.gradientKind() != GradientKind.YES) {
      return Set.of();
    }
    GradientMaker maker = def.gradientMaker();
    List<GradientBlob> gOut = new ArrayList<>();
    for (String out : op.getOutputList()) {
      gOut.add(GradientBlob.dense(out + "_grad"));
    }
    List<OperatorDef> gradOps;
    try {
      gradOps = maker.gradientDefs(new GradientContext(op, gOut));
    } catch (GradientException e) {
      return Set.of();
    }
    Set<String> own = new HashSet<>(op.getInputList());
    own.addAll(op.getOutputList());
    Set<String> read = new HashSet<>();
    for (OperatorDef g : gradOps) {
      for (String in : g.getInputList()) {
        if (own.contains(in)) {
          read.add(in);
        }
      }
    }
    return read;
  }

  private boolean mustStayInPlace(OperatorDef op, String blob) {
    OperatorDefinition def = registry.find(op.getType());
    if (def == null) {
      return false;
    }
    for (OperatorSchema.InPlace p : def.schema().enforcedInPlace()) {
      if (p.output() < op.getOutputCount() && op.getOutput(p.output()).equals(blob)) {
        return true;
      }
    }
    return false;
  }

  /**
   * For each conflict, its writer writes the fresh name instead of the blob, and every later op and the net's
   * external outputs follow.
   */
  private static NetDef rename(NetDef net, Map<String, Conflict> byBlob, Map<String, String> fresh) {
    NetDef.Builder b = net.toBuilder().clearOp();
    for (int i = 0; i < net.getOpCount(); i++) {
      OperatorDef op = net.getOp(i);
      OperatorDef.Builder o = null;
      for (int k = 0; k < op.getInputCount(); k++) {
        Conflict c = byBlob.get(op.getInput(k));
        if (c != null && i > c.writer) {
          o = o == null ? op.toBuilder() : o;
          o.setInput(k, fresh.get(c.blob));
        }
      }
      for (int k = 0; k < op.getOutputCount(); k++) {
        Conflict c = byBlob.get(op.getOutput(k));
        if (c != null && i >= c.writer) {
          o = o == null ? op.toBuilder() : o;
          o.setOutput(k, fresh.get(c.blob));
        }
      }
      if (o == null) {
        b.addOp(op);
      } else {
        b.addOp(o);
      }
    }
    for (int k = 0; k < b.getExternalOutputCount(); k++) {
      String name = fresh.get(b.getExternalOutput(k));
      if (name != null) {
        b.setExternalOutput(k, name);
      }
    }
    return b.build();
  }

  private static Set<String> allNames(NetDef net) {
    Set<String> names = new HashSet<>(net.getExternalInputList());
    names.addAll(net.getExternalOutputList());
    for (OperatorDef op : net.getOpList()) {
      names.addAll(op.getInputList());
      names.addAll(op.getOutputList());
    }
    return names;
  }

  static String freshName(String base, Set<String> taken) {
    if (!taken.contains(base)) {
      return base;
    }
    for (int k = 1; ; k++) {
      String name = base + "_" + k;
      if (!taken.contains(name)) {
        return name;
      }
    }
  }
}
