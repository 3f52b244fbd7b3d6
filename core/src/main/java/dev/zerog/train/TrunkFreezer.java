package dev.zerog.train;

import dev.zerog.SchemaException;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Freezes the trunk of a net the Caffe2 way, for fine-tuning: a StopGradient on the cut blob, so that no gradient
 * flows back past it, and a ZeroGradient on every parameter of the trunk, so that each still gets a gradient (of
 * zeros) and an optimizer built over all the parameters finds one for every parameter. A pure NetDef
 * transformation.
 *
 * <p>{@code StopGradient(cut) -> cut} (in place) goes right after the last op that writes the cut blob (at the
 * start when the net only reads it), so every op after it reads the stopped blob; at least one must, as Caffe2
 * refuses a StopGradient whose output nobody reads. The trunk parameters are the parameters read by ops up to that
 * point and by none after it (a parameter the head reads too gets its real gradient); one
 * {@code ZeroGradient(param)} each follows the StopGradient, in the order the net first reads them. The backward
 * pass then gives each of them a {@code ConstantFill} of zeros shaped like it, and emits no gradient op for the
 * trunk at all. A zero gradient leaves a parameter as it was under plain SGD without weight decay; momentum, Adam's
 * moments and weight decay still move it, as in Caffe2 ({@link OptimizerBuilder#freeze} freezes exactly).
 *
 * <p>Which blobs are parameters: {@link #parameters} finds them as Caffe2's model helpers would have declared
 * them: the blobs the init net writes, or without an init net the blobs the net reads without any op writing
 * them, less the data inputs named; in both cases not the blobs an op of the net writes (SpatialBN's running
 * statistics in training, which are computed, not learned).
 */
public final class TrunkFreezer {
  private TrunkFreezer() {}

  /**
   * A net and what freezing it did.
   *
   * @param net the net with the StopGradient and the ZeroGradients inserted
   * @param stopGradientIndex the StopGradient's index in {@code net}
   * @param frozen the parameters that got a ZeroGradient, in order
   */
  public record FrozenNet(NetDef net, int stopGradientIndex, List<String> frozen) {
    /** Copies the list. */
    public FrozenNet {
      frozen = List.copyOf(frozen);
    }
  }

  /**
   * The parameters of {@code net}: the blobs {@code init} writes that the net reads (when {@code init} is not
   * null), else the blobs the net reads and no op of it writes, except {@code dataInputs}. Blobs that an op of the
   * net writes are never parameters. In the order the net first reads them.
   */
  public static List<String> parameters(NetDef net, NetDef init, Collection<String> dataInputs) {
    Objects.requireNonNull(net, "net");
    Set<String> written = new HashSet<>();
    for (OperatorDef op : net.getOpList()) {
      written.addAll(op.getOutputList());
    }
    Set<String> candidates = new HashSet<>();
    if (init != null) {
      for (OperatorDef op : init.getOpList()) {
        candidates.addAll(op.getOutputList());
      }
    }
    Set<String> excluded = dataInputs == null ? Set.of() : new HashSet<>(dataInputs);
    Set<String> params = new LinkedHashSet<>();
    for (OperatorDef op : net.getOpList()) {
      for (String in : op.getInputList()) {
        if (written.contains(in) || excluded.contains(in)) {
          continue;
        }
        if (init == null || candidates.contains(in)) {
          params.add(in);
        }
      }
    }
    return new ArrayList<>(params);
  }

  /**
   * Freezes everything before {@code cut}; see the class doc.
   *
   * @param net the (train) net
   * @param cut the blob where the trunk ends
   * @param parameters the net's parameters (for example from {@link #parameters}); those of the trunk are frozen
   * @throws SchemaException if the net does not have the blob, or no op reads it after its last write
   */
  public static FrozenNet freeze(NetDef net, String cut, Collection<String> parameters) {
    Objects.requireNonNull(net, "net");
    Objects.requireNonNull(cut, "cut");
    Objects.requireNonNull(parameters, "parameters");
    int lastWriter = -1;
    boolean present = net.getExternalInputList().contains(cut);
    for (int i = 0; i < net.getOpCount(); i++) {
      OperatorDef op = net.getOp(i);
      if (op.getOutputList().contains(cut)) {
        lastWriter = i;
        present = true;
      }
      present |= op.getInputList().contains(cut);
    }
    if (!present) {
      throw (SchemaException) new SchemaException("the net has no blob named '" + cut + "' to cut at").atBlob(cut);
    }
    boolean readAfter = false;
    for (int i = lastWriter + 1; i < net.getOpCount() && !readAfter; i++) {
      readAfter = net.getOp(i).getInputList().contains(cut);
    }
    if (!readAfter) {
      throw (SchemaException) new SchemaException("no op reads '" + cut + "' after "
          + (lastWriter < 0 ? "the start of the net" : "op #" + lastWriter + " (" + net.getOp(lastWriter).getType()
          + "), the last to write it") + ", so a StopGradient there would cut nothing (and Caffe2 refuses an "
          + "orphan StopGradient)").atBlob(cut);
    }
    Set<String> paramSet = new HashSet<>(parameters);
    Set<String> trunk = new LinkedHashSet<>();
    Set<String> head = new HashSet<>();
    for (int i = 0; i < net.getOpCount(); i++) {
      for (String in : net.getOp(i).getInputList()) {
        if (paramSet.contains(in)) {
          (i <= lastWriter ? trunk : head).add(in);
        }
      }
    }
    trunk.removeAll(head);
    NetDef.Builder b = net.toBuilder().clearOp();
    for (int i = 0; i <= lastWriter; i++) {
      b.addOp(net.getOp(i));
    }
    int stopAt = b.getOpCount();
    b.addOp(OperatorDef.newBuilder().setType("StopGradient").addInput(cut).addOutput(cut));
    for (String p : trunk) {
      b.addOp(OperatorDef.newBuilder().setType("ZeroGradient").addInput(p));
    }
    for (int i = lastWriter + 1; i < net.getOpCount(); i++) {
      b.addOp(net.getOp(i));
    }
    return new FrozenNet(b.build(), stopAt, new ArrayList<>(trunk));
  }

  /**
   * Adds {@code ZeroGradient(blob)} to the net, as Caffe2's {@code net.ZeroGradient(blob, [])}: right after the last
   * op that writes the blob, or first when no op writes it (a parameter, an input). The backward pass then gives the
   * blob a gradient of zeros ({@code ConstantFill}) in addition to whatever gradient reaches it, summed as Caffe2
   * sums them; a blob that no gradient reaches otherwise (behind a StopGradient, or not used by the loss) gets a
   * gradient of zeros instead of none, so that an optimizer finds one.
   *
   * @throws SchemaException if no op of the net reads or writes {@code blob} and it is not an external input
   */
  public static NetDef addZeroGradient(NetDef net, String blob) {
    Objects.requireNonNull(net, "net");
    Objects.requireNonNull(blob, "blob");
    int lastWriter = -1;
    boolean present = net.getExternalInputList().contains(blob);
    for (int i = 0; i < net.getOpCount(); i++) {
      OperatorDef op = net.getOp(i);
      if (op.getOutputList().contains(blob)) {
        lastWriter = i;
        present = true;
      }
      present |= op.getInputList().contains(blob);
    }
    if (!present) {
      throw (SchemaException) new SchemaException("the net has no blob named '" + blob + "' to give a zero "
          + "gradient").atBlob(blob);
    }
    NetDef.Builder b = net.toBuilder().clearOp();
    for (int i = 0; i <= lastWriter; i++) {
      b.addOp(net.getOp(i));
    }
    b.addOp(OperatorDef.newBuilder().setType("ZeroGradient").addInput(blob));
    for (int i = lastWriter + 1; i < net.getOpCount(); i++) {
      b.addOp(net.getOp(i));
    }
    return b.build();
  }
}
