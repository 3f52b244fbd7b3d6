package dev.zerog.cli.draw;

import dev.zerog.GradientException;
import dev.zerog.ZerogException;
import dev.zerog.grad.BackwardPass;
import dev.zerog.grad.BlobPattern;
import dev.zerog.grad.GradientPruning;
import dev.zerog.grad.PrunedBackward;
import dev.zerog.grad.PrunedOp;
import dev.zerog.net.NetShapes;
import dev.zerog.net.ShapeInference;
import dev.zerog.op.BlobType;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a net and {@link DrawOptions} into the {@link DrawGraph} to draw: which ops run (the net's, and the
 * backward pass {@link BackwardPass} builds for the losses), what each op and blob is (forward, gradient,
 * ZeroGradient, parameter, frozen, known zero), and what the zero-aware pass ({@link GradientPruning}) removes.
 */
final class NetGraph {
  private static final Logger LOG = LoggerFactory.getLogger(NetGraph.class);

  static final double OP_FONT = 12;
  static final double BLOB_FONT = 11;
  static final double DETAIL_FONT = 10;
  static final String TEXT_COLOR = "#1F2328";
  static final String DETAIL_COLOR = "#57606A";
  private static final int MAX_NAME = 44;

  /** Where an op belongs. */
  private enum Role {
    FORWARD,
    BACKWARD,
    UPDATE
  }

  private final NetDef net;
  private final DrawOptions options;
  private final List<OperatorDef> ops = new ArrayList<>();
  private final List<Role> roles = new ArrayList<>();
  private final List<Integer> generators = new ArrayList<>();
  private final Map<Integer, String> prunedOps = new HashMap<>();
  private final Map<Integer, Integer> keptOutputs = new HashMap<>();
  private final Map<Integer, List<Integer>> droppedInputs = new HashMap<>();
  private final Set<String> zeroFilled = new HashSet<>();
  private final Map<Integer, Set<Integer>> zeroOutputs = new HashMap<>();
  private Set<String> parameters = Set.of();
  private Set<String> frozen = Set.of();
  private NetShapes shapes;
  private NetShapes initShapes;
  private String subtitle;

  private NetGraph(NetDef net, DrawOptions options) {
    this.net = net;
    this.options = options;
  }

  /** The graph of {@code net} as {@code options} say to draw it. */
  static DrawGraph build(NetDef net, DrawOptions options) {
    NetGraph g = new NetGraph(net, options);
    if (options.losses().isEmpty()) {
      g.asGiven();
    } else {
      g.withBackwardPass();
    }
    g.inferShapes();
    return g.graph();
  }

  private NetDef initOrEmpty() {
    return options.initNet() == null ? NetDef.getDefaultInstance() : options.initNet();
  }

  /** The forward net followed by the backward pass built for the losses, pruned as asked. */
  private void withBackwardPass() {
    for (int i = 0; i < net.getOpCount(); i++) {
      if (isBackward(net.getOp(i))) {
        throw (GradientException) new GradientException("the net already has a backward pass (a gradient op); "
            + "draw it without a loss, as it is").atOp(i, net.getOp(i).getType());
      }
    }
    List<String> losses = options.losses();
    BackwardPass pass = BackwardPass.build(net, losses);
    List<String> params = parameters(net);
    PrunedBackward pruned = GradientPruning.of(net, pass).parameters(params).freeze(options.freeze())
        .losses(losses).initNet(initOrEmpty()).inputTypes(options.inputTypes()).zeroAware(options.prune()).prune();
    parameters = new LinkedHashSet<>(params);
    frozen = frozen(params);
    int n = net.getOpCount();
    for (OperatorDef op : net.getOpList()) {
      add(op, Role.FORWARD, -1);
    }
    List<OperatorDef> backward = pass.gradientOps();
    for (int j = 0; j < backward.size(); j++) {
      add(backward.get(j), Role.BACKWARD, pass.generators().get(j));
      Set<Integer> zeros = new HashSet<>();
      for (int k = 0; k < backward.get(j).getOutputCount(); k++) {
        if (pruned.isKnownZero(j, k)) {
          zeros.add(k);
        }
      }
      zeroOutputs.put(n + j, zeros);
    }
    boolean showPruning = options.prune() || !options.freeze().isEmpty();
    if (showPruning) {
      matchPrunedPass(n, backward, pruned);
    }
    StringBuilder s = new StringBuilder();
    s.append(n).append(" forward ops, ").append(backward.size()).append(" gradient ops for ")
        .append(losses.size() == 1 ? "loss " : "losses ").append(String.join(", ", losses));
    if (showPruning) {
      int trimmed = pruned.pruned().size() - pruned.removedOps();
      s.append("; ").append(pruned.removedOps()).append(pruned.removedOps() == 1 ? " op" : " ops")
          .append(" pruned").append(trimmed > 0 ? ", " + trimmed + " trimmed" : "").append(" by ")
          .append(options.prune() ? "the zero-aware pass" : "freezing");
    }
    if (!frozen.isEmpty()) {
      s.append("; ").append(frozen.size()).append(frozen.size() == 1 ? " parameter" : " parameters")
          .append(" frozen");
    }
    subtitle = s.toString();
  }

  /**
   * Finds, for each op of the unpruned backward pass, what became of it in the pruned one: removed (and whether a
   * fill of zeros writes its output instead), kept with fewer outputs, or kept with fewer inputs (a Sum that lost
   * its zero inputs). The pruned pass keeps the unpruned one's order.
   */
  private void matchPrunedPass(int n, List<OperatorDef> backward, PrunedBackward pruned) {
    Map<Integer, PrunedOp> byIndex = new HashMap<>();
    for (PrunedOp p : pruned.pruned()) {
      byIndex.put(p.index(), p);
    }
    List<OperatorDef> kept = pruned.pass().gradientOps();
    int q = 0;
    for (int j = 0; j < backward.size(); j++) {
      OperatorDef op = backward.get(j);
      PrunedOp p = byIndex.get(j);
      if (p != null && p.removed()) {
        prunedOps.put(n + j, p.reason() == PrunedOp.Reason.ZERO ? "its outputs are known zeros"
            : "nothing wanted needs its outputs");
        if (q < kept.size() && isReplacement(kept.get(q), op, j + 1 < backward.size() ? backward.get(j + 1) : null)) {
          zeroFilled.addAll(kept.get(q).getOutputList());
          prunedOps.put(n + j, "its outputs are known zeros: a fill of zeros that writes nothing replaces it");
          q++;
        }
        continue;
      }
      if (p != null) {
        keptOutputs.put(n + j, op.getOutputCount() - p.outputsRemoved());
      }
      if (q >= kept.size()) {
        LOG.debug("pruned pass has fewer ops than expected at backward op {}", j);
        continue;
      }
      OperatorDef now = kept.get(q++);
      if (!now.getType().equals(op.getType())) {
        LOG.debug("pruned pass does not line up at backward op {} ({} against {})", j, op.getType(), now.getType());
        return;
      }
      if (!now.equals(op) && now.getInputCount() < op.getInputCount()) {
        droppedInputs.put(n + j, dropped(op.getInputList(), now.getInputList()));
      }
    }
  }

  /** True if {@code candidate} is the fill of zeros that replaces {@code removed} (and is not the next op). */
  private static boolean isReplacement(OperatorDef candidate, OperatorDef removed, OperatorDef next) {
    return candidate.getType().equals("ConstantFill") && candidate.getIsGradientOp() && !candidate.equals(removed)
        && !candidate.equals(next) && removed.getOutputList().containsAll(candidate.getOutputList());
  }

  /** The indices of {@code before}'s inputs that {@code after} no longer reads (names counted with repeats). */
  private static List<Integer> dropped(List<String> before, List<String> after) {
    Map<String, Integer> left = new HashMap<>();
    for (String s : after) {
      left.merge(s, 1, Integer::sum);
    }
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < before.size(); i++) {
      Integer c = left.get(before.get(i));
      if (c == null || c == 0) {
        out.add(i);
      } else {
        left.put(before.get(i), c - 1);
      }
    }
    return out;
  }

  /** The net as it is: ops after the first backward op that are not part of it are update ops. */
  private void asGiven() {
    if (options.prune()) {
      throw new GradientException("pruning is drawn on the backward pass zerog builds: give a loss");
    }
    boolean seenBackward = false;
    NetDef.Builder forward = net.toBuilder().clearOp();
    List<OperatorDef> backward = new ArrayList<>();
    List<Integer> backwardIndices = new ArrayList<>();
    for (int i = 0; i < net.getOpCount(); i++) {
      OperatorDef op = net.getOp(i);
      Role role;
      if (isBackward(op)) {
        role = Role.BACKWARD;
        seenBackward = true;
        backward.add(op);
        backwardIndices.add(i);
      } else {
        role = seenBackward ? Role.UPDATE : Role.FORWARD;
        if (role == Role.FORWARD) {
          forward.addOp(op);
        }
      }
      add(op, role, -1);
    }
    List<String> params = parameters(forward.build());
    parameters = new LinkedHashSet<>(params);
    frozen = frozen(params);
    PrunedBackward zeros = null;
    if (!backward.isEmpty()) {
      try {
        zeros = GradientPruning.of(forward.build(), new BackwardPass(backward, Map.of())).initNet(initOrEmpty())
            .inputTypes(options.inputTypes()).prune();
      } catch (ZerogException e) {
        LOG.debug("no known zeros in the drawing: {}", e.getMessage());
      }
    }
    if (zeros != null) {
      for (int j = 0; j < backward.size(); j++) {
        Set<Integer> z = new HashSet<>();
        for (int k = 0; k < backward.get(j).getOutputCount(); k++) {
          if (zeros.isKnownZero(j, k)) {
            z.add(k);
          }
        }
        zeroOutputs.put(backwardIndices.get(j), z);
      }
    }
    int updates = (int) roles.stream().filter(r -> r == Role.UPDATE).count();
    int forwardOps = net.getOpCount() - backward.size() - updates;
    subtitle = (backward.isEmpty() ? forwardOps + (forwardOps == 1 ? " op" : " ops")
        : forwardOps + " forward ops, " + backward.size() + " gradient ops"
            + (updates > 0 ? ", " + updates + " update ops" : "") + " (as given)")
        + (frozen.isEmpty() ? "" : "; " + frozen.size() + (frozen.size() == 1 ? " parameter" : " parameters")
            + " frozen");
  }

  private void add(OperatorDef op, Role role, int generator) {
    ops.add(op);
    roles.add(role);
    generators.add(generator);
  }

  /**
   * True for the ops of a backward pass: gradient ops ({@code is_gradient_op}), and those the builder adds itself,
   * the accumulation ops (tagged {@code is_auto_gen_sum_ops}) and the initial gradients ({@code <loss>_autogen_grad}).
   */
  static boolean isBackward(OperatorDef op) {
    if (op.getIsGradientOp()) {
      return true;
    }
    for (String info : op.getDeviceOption().getExtraInfoList()) {
      if (info.startsWith("is_auto_gen_sum_ops")) {
        return true;
      }
    }
    return op.getType().equals("ConstantFill") && op.getInputCount() == 1 && op.getOutputCount() == 1
        && op.getOutput(0).equals(op.getInput(0) + "_autogen_grad");
  }

  /** The parameters by the rules of {@link DrawOptions#parameters()}. */
  private List<String> parameters(NetDef forward) {
    if (options.parameters() != null) {
      return options.parameters();
    }
    if (options.initNet() != null) {
      Set<String> written = new LinkedHashSet<>();
      for (OperatorDef op : options.initNet().getOpList()) {
        written.addAll(op.getOutputList());
      }
      return new ArrayList<>(written);
    }
    if (options.freeze().isEmpty() && !options.prune()) {
      return List.of();
    }
    Set<String> written = new HashSet<>();
    Set<String> inputs = new LinkedHashSet<>();
    for (OperatorDef op : forward.getOpList()) {
      for (String in : op.getInputList()) {
        if (!written.contains(in)) {
          inputs.add(in);
        }
      }
      written.addAll(op.getOutputList());
    }
    if (inputs.isEmpty()) {
      throw new GradientException("the net reads no blob it does not write: name the parameters (--param) or give "
          + "the init net (--init)");
    }
    return new ArrayList<>(inputs);
  }

  private Set<String> frozen(List<String> params) {
    if (options.freeze().isEmpty()) {
      return Set.of();
    }
    return new LinkedHashSet<>(BlobPattern.select(params, options.freeze(), "parameter"));
  }

  /** Shapes for the labels, when shape inference can give them; a drawing does not fail for want of them. */
  private void inferShapes() {
    try {
      if (options.initNet() != null) {
        initShapes = ShapeInference.infer(options.initNet(), Map.of());
      }
      shapes = ShapeInference.infer(net.toBuilder().clearOp().addAllOp(ops).build(), options.inputTypes(),
          initShapes);
    } catch (ZerogException e) {
      LOG.debug("no shapes in the drawing: {}", e.getMessage());
      shapes = null;
    }
  }

  private DrawGraph graph() {
    List<DrawGraph.Node> nodes = new ArrayList<>();
    Map<Long, int[]> edgeCounts = new LinkedHashMap<>();
    Map<Long, Boolean> edgePruned = new HashMap<>();
    Map<Long, Mark> edgeRoles = new HashMap<>();
    Map<String, Integer> current = new HashMap<>();
    Map<String, Integer> versions = new HashMap<>();
    Set<Mark> marks = EnumSet.noneOf(Mark.class);
    Set<Integer> prunedNodes = new HashSet<>();
    for (int i = 0; i < ops.size(); i++) {
      OperatorDef op = ops.get(i);
      List<Integer> inputNodes = new ArrayList<>();
      for (String in : op.getInputList()) {
        Integer id = current.get(in);
        if (id == null) {
          id = nodes.size();
          nodes.add(blobNode(id, in, 0, initialType(in), null, false));
          current.put(in, id);
          versions.put(in, 0);
          marks.add(nodes.get(id).mark());
        }
        inputNodes.add(id);
      }
      Mark opMark = opMark(op, roles.get(i));
      boolean opPruned = prunedOps.containsKey(i);
      int opId = nodes.size();
      nodes.add(opNode(opId, i, op, opMark, opPruned));
      marks.add(opMark);
      if (opPruned) {
        prunedNodes.add(opId);
      }
      List<Integer> dropped = droppedInputs.getOrDefault(i, List.of());
      for (int k = 0; k < inputNodes.size(); k++) {
        long key = (long) inputNodes.get(k) << 32 | opId;
        edgeCounts.computeIfAbsent(key, x -> new int[1])[0]++;
        boolean edgeIsPruned = opPruned || prunedNodes.contains(inputNodes.get(k)) || dropped.contains(k);
        edgePruned.merge(key, edgeIsPruned, Boolean::logicalAnd);
        edgeRoles.put(key, roleMark(roles.get(i)));
      }
      int keep = keptOutputs.getOrDefault(i, op.getOutputCount());
      Set<Integer> zeros = zeroOutputs.getOrDefault(i, Set.of());
      for (int k = 0; k < op.getOutputCount(); k++) {
        String out = op.getOutput(k);
        int version = versions.containsKey(out) ? versions.get(out) + 1 : 0;
        versions.put(out, version);
        boolean zero = zeros.contains(k);
        boolean blobPruned = k >= keep || (opPruned && !(zero && zeroFilled.contains(out)));
        int id = nodes.size();
        Mark producer = roles.get(i) == Role.BACKWARD ? (zero ? Mark.KNOWN_ZERO : Mark.GRADIENT) : null;
        nodes.add(blobNode(id, out, version, outputType(i, k), producer, blobPruned));
        marks.add(nodes.get(id).mark());
        if (blobPruned) {
          prunedNodes.add(id);
        }
        current.put(out, id);
        long key = (long) opId << 32 | id;
        edgeCounts.put(key, new int[] {1});
        edgePruned.put(key, opPruned || blobPruned);
        edgeRoles.put(key, roleMark(roles.get(i)));
      }
    }
    List<DrawGraph.Edge> edges = new ArrayList<>();
    for (Map.Entry<Long, int[]> e : edgeCounts.entrySet()) {
      long key = e.getKey();
      edges.add(new DrawGraph.Edge((int) (key >>> 32), (int) key, e.getValue()[0], edgeRoles.get(key),
          edgePruned.get(key)));
    }
    String title = options.title() != null ? options.title() : net.getName().isEmpty() ? "net" : net.getName();
    return new DrawGraph(nodes, edges, title, subtitle, marks, !prunedNodes.isEmpty());
  }

  private static Mark roleMark(Role role) {
    switch (role) {
      case BACKWARD:
        return Mark.BACKWARD_OP;
      case UPDATE:
        return Mark.UPDATE_OP;
      default:
        return Mark.FORWARD_OP;
    }
  }

  private static Mark opMark(OperatorDef op, Role role) {
    if (role == Role.FORWARD) {
      switch (op.getType()) {
        case "ZeroGradient":
          return Mark.ZERO_GRADIENT;
        case "StopGradient":
          return Mark.STOP_GRADIENT;
        case "GradientMask":
          return Mark.GRADIENT_MASK;
        default:
          return Mark.FORWARD_OP;
      }
    }
    return roleMark(role);
  }

  private DrawGraph.Node opNode(int id, int index, OperatorDef op, Mark mark, boolean pruned) {
    List<DrawGraph.Line> label = new ArrayList<>();
    label.add(new DrawGraph.Line("#" + index + " " + op.getType(), OP_FONT, true, TEXT_COLOR));
    if (!op.getName().isEmpty()) {
      label.add(new DrawGraph.Line(shorten(op.getName()), DETAIL_FONT, false, DETAIL_COLOR));
    }
    if (generators.get(index) >= 0) {
      int g = generators.get(index);
      label.add(new DrawGraph.Line("for #" + g + " " + ops.get(g).getType(), DETAIL_FONT, false, DETAIL_COLOR));
    }
    StringBuilder tip = new StringBuilder("#" + index + " " + op.getType());
    int generator = generators.get(index);
    if (generator >= 0) {
      tip.append(", gradient of #").append(generator).append(' ').append(ops.get(generator).getType());
    } else if (roles.get(index) == Role.BACKWARD && !op.getIsGradientOp()) {
      tip.append(", added by the backward builder");
    }
    if (!op.getName().isEmpty()) {
      tip.append("\nname: ").append(op.getName());
    }
    if (!op.getEngine().isEmpty()) {
      tip.append("\nengine: ").append(op.getEngine());
    }
    tip.append("\nreads: ").append(op.getInputCount() == 0 ? "-" : String.join(", ", op.getInputList()));
    tip.append("\nwrites: ").append(op.getOutputCount() == 0 ? "-" : String.join(", ", op.getOutputList()));
    if (op.getArgCount() > 0) {
      tip.append("\nargs: ").append(arguments(op));
    }
    if (pruned) {
      tip.append("\npruned: ").append(prunedOps.get(index));
    } else if (keptOutputs.containsKey(index)) {
      tip.append("\npruned: its last ").append(op.getOutputCount() - keptOutputs.get(index))
          .append(" output(s), which nothing needs");
    } else if (droppedInputs.containsKey(index)) {
      tip.append("\npruned: its inputs that are known zeros");
    }
    return DrawGraph.Node.sized(id, "op" + index, true, mark, pruned, label, tip.toString());
  }

  private DrawGraph.Node blobNode(int id, String name, int version, BlobType type, Mark producer, boolean pruned) {
    Mark mark;
    if (frozen.contains(name)) {
      mark = Mark.FROZEN_PARAMETER;
    } else if (parameters.contains(name)) {
      mark = Mark.PARAMETER;
    } else if (producer != null) {
      mark = producer;
    } else {
      mark = Mark.BLOB;
    }
    List<DrawGraph.Line> label = new ArrayList<>();
    label.add(new DrawGraph.Line(shorten(name), BLOB_FONT, false, TEXT_COLOR));
    String dims = describe(type);
    if (mark == Mark.KNOWN_ZERO) {
      label.add(new DrawGraph.Line(dims == null ? "zeros" : "zeros " + dims, DETAIL_FONT, false, DETAIL_COLOR));
    } else if (dims != null) {
      label.add(new DrawGraph.Line(dims, DETAIL_FONT, false, DETAIL_COLOR));
    }
    StringBuilder tip = new StringBuilder(name);
    if (version > 0) {
      tip.append(" (write #").append(version + 1).append(')');
    }
    if (type != null && (type.dtype() != null || type.dims() != null)) {
      tip.append("\n").append(type);
    }
    tip.append("\n").append(mark.legend);
    if (pruned) {
      tip.append(", pruned: not computed");
    }
    return DrawGraph.Node.sized(id, "blob" + id, false, mark, pruned, label, tip.toString());
  }

  /** The type of a blob before any op of the drawn net writes it. */
  private BlobType initialType(String name) {
    BlobType t = options.inputTypes().get(name);
    if (t == null && initShapes != null) {
      t = initShapes.type(name);
    }
    if ((t == null || !t.isKnown()) && shapes != null) {
      String origin = shapes.origins().get(name);
      if ("input".equals(origin) || "init".equals(origin)) {
        t = shapes.type(name);
      }
    }
    return t;
  }

  private BlobType outputType(int op, int output) {
    if (shapes == null || op >= shapes.opOutputs().size()) {
      return null;
    }
    List<BlobType> outs = shapes.opOutputs().get(op);
    return output < outs.size() ? outs.get(output) : null;
  }

  /** "2×3", "scalar", "int32 8", or null when the dims are unknown. */
  static String describe(BlobType type) {
    if (type == null || type.dims() == null) {
      return null;
    }
    long[] dims = type.dims();
    StringBuilder s = new StringBuilder();
    if (type.dtype() != null && type.dtype() != DataType.FLOAT) {
      s.append(type.dtype().name().toLowerCase(Locale.ROOT)).append(' ');
    }
    if (dims.length == 0) {
      s.append("scalar");
    }
    for (int i = 0; i < dims.length; i++) {
      s.append(i == 0 ? "" : "\u00d7").append(dims[i]);
    }
    return s.toString();
  }

  /** A long name cut in the middle. */
  static String shorten(String name) {
    if (name.length() <= MAX_NAME) {
      return name;
    }
    int head = MAX_NAME / 2 - 2;
    return name.substring(0, head) + "\u2026" + name.substring(name.length() - (MAX_NAME - head - 1));
  }

  private static String arguments(OperatorDef op) {
    List<String> parts = new ArrayList<>();
    for (Argument a : op.getArgList()) {
      String v;
      if (a.hasF()) {
        v = Float.toString(a.getF());
      } else if (a.hasI()) {
        v = Long.toString(a.getI());
      } else if (a.hasS()) {
        v = '"' + a.getS().toStringUtf8() + '"';
      } else if (a.getIntsCount() > 0) {
        v = a.getIntsList().toString();
      } else if (a.getFloatsCount() > 0) {
        v = a.getFloatsCount() > 8 ? "[" + a.getFloatsCount() + " floats]" : a.getFloatsList().toString();
      } else if (a.getStringsCount() > 0) {
        v = "[" + a.getStringsCount() + " strings]";
      } else {
        v = "[]";
      }
      if (v.length() > 60) {
        v = v.substring(0, 57) + "...";
      }
      parts.add(a.getName() + "=" + v);
    }
    return String.join(", ", parts);
  }
}
