package dev.zerog.grad;

import dev.zerog.op.Arguments;
import dev.zerog.op.BlobType;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.op.TypeInference;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What shape inference knows of the blobs of a sequence of ops (an init net, a forward net, a backward pass), op
 * by op: the types of each op's inputs as it reads them and of its outputs as it writes them. It plays the ops in
 * order with each schema's {@link TypeInference}, starting from the types given for some blobs; a blob nothing
 * says anything about is {@link BlobType#UNKNOWN}, as are the outputs of an op without inference or whose
 * inference refuses its inputs (estimates should not fail where a net would fail only when run).
 */
final class OpTypes {
  private static final Logger LOG = LoggerFactory.getLogger(OpTypes.class);

  private final OperatorRegistry registry;
  private final Map<String, BlobType> current;

  OpTypes(OperatorRegistry registry, Map<String, BlobType> known) {
    this.registry = registry;
    this.current = new HashMap<>(known);
  }

  /** Plays every op of {@code net}, updating the blobs' types. */
  void play(NetDef net) {
    for (OperatorDef op : net.getOpList()) {
      play(op);
    }
  }

  /** Plays one op; returns its input types (as read) and output types (as written). */
  Io play(OperatorDef op) {
    List<BlobType> in = new ArrayList<>(op.getInputCount());
    for (String name : op.getInputList()) {
      in.add(type(name));
    }
    List<BlobType> out = infer(op, in);
    for (int k = 0; k < op.getOutputCount(); k++) {
      current.put(op.getOutput(k), out.get(k));
    }
    return new Io(in, out);
  }

  /** The types inference gives {@code op}'s outputs from these input types (unknown where it says nothing). */
  List<BlobType> infer(OperatorDef op, List<BlobType> in) {
    List<BlobType> out = null;
    OperatorDefinition def = registry.find(op.getType());
    TypeInference inference = def == null ? null : def.schema().inference();
    if (inference != null) {
      try {
        out = inference.infer(op, Arguments.of(op.getArgList()), in);
      } catch (RuntimeException e) {
        LOG.debug("no types for the outputs of {}: {}", op.getType(), e.getMessage());
      }
    }
    List<BlobType> result = new ArrayList<>(op.getOutputCount());
    for (int k = 0; k < op.getOutputCount(); k++) {
      BlobType t = out != null && k < out.size() && out.get(k) != null ? out.get(k) : BlobType.UNKNOWN;
      result.add(t);
    }
    return result;
  }

  /** The type of {@code name} now. */
  BlobType type(String name) {
    return current.getOrDefault(name, BlobType.UNKNOWN);
  }

  /** An op's input and output types. */
  record Io(List<BlobType> inputs, List<BlobType> outputs) {}

  /** The bytes a blob of this type holds, or 0 when its type or dims are unknown. */
  static long bytes(BlobType t) {
    if (t.dtype() == null || t.dims() == null) {
      return 0;
    }
    long n = 1;
    for (long d : t.dims()) {
      n *= d;
    }
    return n * t.dtype().itemSize();
  }
}
