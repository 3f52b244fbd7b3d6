package dev.zerog.net;

import dev.zerog.SchemaException;
import dev.zerog.ZerogException;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.BlobType;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.op.OperatorSchema;
import dev.zerog.op.TypeInference;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The type and shape of every blob of a net, found without running it: each op's {@link TypeInference} (from
 * its schema) is applied in order, starting from the types of the net's inputs.
 *
 * <p>Where the types come from: the caller's inputs first, then the blobs of an init net (whose own shapes are
 * inferred the same way, by {@code infer(init, Map.of())}), then the outputs of earlier ops. A blob that none
 * of them gives is unknown and listed in {@link NetShapes#unknownInputs()}; ops reading it see
 * {@link BlobType#UNKNOWN} and infer what they can (usually nothing).
 *
 * <p>An op whose inputs do not fit (wrong rank, mismatched channels, different types) stops the inference with
 * the op's own error, located at the op's index and type ({@link ZerogException#opIndex()}), so the first op
 * that does not fit is the one named. An op type zerog does not have is an
 * {@link dev.zerog.UnsupportedOperatorException}; wrong input or output counts and badly typed arguments are
 * {@link SchemaException}s, as when a net is created. An op type that declares no inference does not stop it:
 * its outputs become unknown and the op is listed in {@link NetShapes#uninferred()}, so nothing is guessed.
 *
 * <p>Pure: no workspace, nothing runs. Cost is linear in the size of the net.
 */
public final class ShapeInference {
  private ShapeInference() {}

  /** The shapes of {@code net} given the types of its inputs, with the standard operators. */
  public static NetShapes infer(NetDef net, Map<String, BlobType> inputs) {
    return infer(net, inputs, null, OperatorRegistry.standard());
  }

  /**
   * The shapes of {@code net} given the types of its inputs and what shape inference found for its init net
   * (null for none); a blob in {@code inputs} wins over the init net's.
   */
  public static NetShapes infer(NetDef net, Map<String, BlobType> inputs, NetShapes init) {
    return infer(net, inputs, init, OperatorRegistry.standard());
  }

  /**
   * The shapes of {@code net}, with the operators (and so the inferences) of {@code registry}.
   *
   * @param net the net
   * @param inputs the types of blobs the net reads, keyed by name
   * @param init the inferred shapes of the net's init net, or null
   * @param registry where each op type's schema is found
   * @throws ZerogException naming the first op (index and type) whose inputs do not fit, and why
   */
  public static NetShapes infer(NetDef net, Map<String, BlobType> inputs, NetShapes init,
      OperatorRegistry registry) {
    Objects.requireNonNull(net, "net");
    Objects.requireNonNull(inputs, "inputs");
    Objects.requireNonNull(registry, "registry");
    Map<String, BlobType> types = new LinkedHashMap<>();
    Map<String, String> origins = new LinkedHashMap<>();
    List<List<BlobType>> opOutputs = new ArrayList<>(net.getOpCount());
    List<NetShapes.Uninferred> uninferred = new ArrayList<>();
    Set<String> unknownInputs = new LinkedHashSet<>();
    if (init != null) {
      for (NetShapes.Uninferred u : init.uninferred()) {
        uninferred.add(new NetShapes.Uninferred("init", u.index(), u.type(), u.outputs()));
      }
    }
    for (int i = 0; i < net.getOpCount(); i++) {
      OperatorDef op = net.getOp(i);
      List<BlobType> in = new ArrayList<>(op.getInputCount());
      for (String name : op.getInputList()) {
        in.add(typeOfInput(name, types, origins, inputs, init, unknownInputs));
      }
      List<BlobType> out;
      try {
        out = inferOne(op, in, registry);
      } catch (ZerogException e) {
        throw e.atOp(i, op.getType());
      } catch (RuntimeException e) {
        throw new ZerogException("internal error in shape inference: " + e, e).atOp(i, op.getType());
      }
      if (out == null) {
        uninferred.add(new NetShapes.Uninferred("net", i, op.getType(), op.getOutputList()));
        out = new ArrayList<>();
        for (int k = 0; k < op.getOutputCount(); k++) {
          out.add(BlobType.UNKNOWN);
        }
      }
      String origin = "op #" + i + " (" + op.getType() + ")";
      for (int k = 0; k < op.getOutputCount(); k++) {
        types.put(op.getOutput(k), out.get(k));
        origins.put(op.getOutput(k), origin);
      }
      opOutputs.add(out);
    }
    return new NetShapes(types, origins, opOutputs, uninferred, new ArrayList<>(unknownInputs));
  }

  private static BlobType typeOfInput(String name, Map<String, BlobType> types, Map<String, String> origins,
      Map<String, BlobType> inputs, NetShapes init, Set<String> unknownInputs) {
    BlobType t = types.get(name);
    if (t != null) {
      return t;
    }
    if (inputs.containsKey(name)) {
      t = inputs.get(name) == null ? BlobType.UNKNOWN : inputs.get(name);
      origins.put(name, "input");
    } else if (init != null && init.blobs().containsKey(name)) {
      t = init.blobs().get(name);
      origins.put(name, "init");
    } else {
      t = BlobType.UNKNOWN;
      origins.put(name, "unknown");
      unknownInputs.add(name);
    }
    types.put(name, t);
    return t;
  }

  /**
   * The output types of one op, one entry per output (UNKNOWN where the inference says nothing); null when its
   * type has no inference.
   */
  private static List<BlobType> inferOne(OperatorDef op, List<BlobType> in, OperatorRegistry registry) {
    OperatorDefinition definition = registry.get(op.getType());
    OperatorSchema schema = definition.schema();
    if (!schema.inputs().accepts(op.getInputCount())) {
      throw new SchemaException(op.getType() + " takes " + Net.count(schema.inputs(), "input") + ", got "
          + op.getInputCount());
    }
    if (!schema.outputs().accepts(op.getOutputCount())) {
      throw new SchemaException(op.getType() + " takes " + Net.count(schema.outputs(), "output") + ", got "
          + op.getOutputCount());
    }
    Arguments args = Arguments.of(op.getArgList());
    for (OperatorSchema.Arg spec : schema.args()) {
      Argument a = args.get(spec.name());
      if (a != null && !spec.type().matches(a)) {
        throw new SchemaException("argument '" + spec.name() + "' must be " + spec.type().expected() + ", found "
            + ArgType.describe(a));
      }
    }
    TypeInference inference = schema.inference();
    if (inference == null) {
      return null;
    }
    List<BlobType> inferred = inference.infer(op, args, in);
    List<BlobType> out = new ArrayList<>(op.getOutputCount());
    for (int k = 0; k < op.getOutputCount(); k++) {
      BlobType t = inferred != null && k < inferred.size() ? inferred.get(k) : null;
      out.add(t == null ? BlobType.UNKNOWN : t);
    }
    return out;
  }
}
