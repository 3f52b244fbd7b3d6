package dev.zerog.net;

import dev.zerog.ResourceLimitException;
import dev.zerog.SchemaException;
import dev.zerog.UnsupportedOperatorException;
import dev.zerog.ZerogException;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.Arity;
import dev.zerog.op.Device;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.op.OperatorSchema;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.DeviceOption;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.Allocations;
import dev.zerog.workspace.Blob;
import dev.zerog.workspace.Workspace;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A NetDef instantiated against a {@link Workspace}: every operator validated and created up front, then run in
 * order as many times as wanted.
 *
 * <p>Creation checks, for every op, in this order: that zerog has the operator type (all unknown types of the
 * net are named in one error); the input and output counts against the schema; that no two outputs of an op
 * share a blob; the in-place rules (an input
 * may share a blob with an output only where the schema allows it, and must where it enforces it); that every
 * input blob exists in the workspace or is an output of an earlier op of the net; and the type of every
 * argument the schema declares. Output blobs are created in the workspace; when creation fails, the blobs it
 * created are removed again. An op without a device option takes the net's. Every error names the op's index
 * and type (an error about unknown types names the first unknown op).
 *
 * <p><b>Limits.</b> Creating and running the operators happens under the workspace's
 * {@link dev.zerog.ResourceLimits} ({@link Workspace#enterLimits()}): a tensor over a cap is a
 * {@link dev.zerog.ResourceLimitException} naming the op, before its memory is allocated.
 *
 * <p><b>Numeric guard.</b> With {@link #setCheckFinite} on, every floating-point output of every op is checked
 * for NaN and infinities right after the op runs; the first op that produces one stops the run with a
 * {@link dev.zerog.NonFiniteException} naming the op (index and type), the blob, how many elements are not
 * finite and the first of them. Off (the default), the guard costs one branch per op.
 *
 * <p>A Net belongs to its workspace and shares its single-threaded use.
 */
public final class Net {
  private static final Logger LOG = LoggerFactory.getLogger(Net.class);

  private final NetDef def;
  private final Operator[] ops;
  private final Workspace workspace;
  private boolean checkFinite;

  private Net(NetDef def, Operator[] ops, Workspace workspace) {
    this.def = def;
    this.ops = ops;
    this.workspace = workspace;
  }

  /** Creates a net with the standard operator registry. */
  public static Net create(NetDef def, Workspace ws) {
    return create(def, ws, OperatorRegistry.standard());
  }

  /** Creates a net, validating and instantiating every operator; see the class doc for the checks. */
  public static Net create(NetDef def, Workspace ws, OperatorRegistry registry) {
    Allocations.Budget previous = ws.enterLimits();
    try {
      return createOperators(def, ws, registry);
    } finally {
      Allocations.restore(previous);
    }
  }

  private static Net createOperators(NetDef def, Workspace ws, OperatorRegistry registry) {
    checkOperatorsKnown(def, registry);
    Set<String> blobsBefore = new HashSet<>(ws.blobNames());
    Set<String> produced = new HashSet<>();
    Operator[] ops = new Operator[def.getOpCount()];
    try {
      for (int i = 0; i < def.getOpCount(); i++) {
        OperatorDef op = def.getOp(i);
        if (!op.hasDeviceOption() && def.hasDeviceOption()) {
          op = op.toBuilder().setDeviceOption(def.getDeviceOption()).build();
        }
        try {
          ops[i] = createOperator(op, i, ws, registry, produced);
        } catch (ZerogException e) {
          throw e.atOp(i, op.getType());
        }
        produced.addAll(op.getOutputList());
      }
    } catch (ZerogException e) {
      // A net that cannot be created leaves the workspace as it found it: no blobs of its outputs.
      List<String> created = new ArrayList<>();
      for (String name : ws.blobNames()) {
        if (!blobsBefore.contains(name)) {
          created.add(name);
        }
      }
      created.forEach(ws::removeBlob);
      throw e;
    }
    LOG.debug("created net '{}' with {} operators", def.getName(), ops.length);
    return new Net(def, ops, ws);
  }

  /** Creates the net and runs it once. */
  public static void runOnce(NetDef def, Workspace ws) {
    create(def, ws).run();
  }

  /**
   * Creates one operator outside any net and runs it once; its errors name the operator's type, with no index.
   */
  public static void runOperatorOnce(OperatorDef op, Workspace ws) {
    Allocations.Budget previous = ws.enterLimits();
    try {
      Operator o;
      try {
        o = createOperator(op, -1, ws, OperatorRegistry.standard(), Set.of());
      } catch (ZerogException e) {
        throw e.atOp(-1, op.getType());
      }
      runOne(o);
    } finally {
      Allocations.restore(previous);
    }
  }

  private static void checkOperatorsKnown(NetDef def, OperatorRegistry registry) {
    Set<String> unknown = new LinkedHashSet<>();
    int first = -1;
    for (int i = 0; i < def.getOpCount(); i++) {
      String type = def.getOp(i).getType();
      if (!registry.has(type) && unknown.add(type) && first < 0) {
        first = i;
      }
    }
    if (unknown.isEmpty()) {
      return;
    }
    if (unknown.size() == 1) {
      try {
        registry.get(unknown.iterator().next());
      } catch (ZerogException e) {
        throw e.atOp(first, def.getOp(first).getType());
      }
    }
    List<String> named = new ArrayList<>();
    for (String type : unknown) {
      named.add(OperatorRegistry.runsEmbeddedCode(type)
          ? type + " (runs code embedded in the net, which zerog never does)" : type);
    }
    throw new UnsupportedOperatorException("the net uses " + unknown.size()
        + " operator types zerog does not have: " + String.join(", ", named))
        .atOp(first, def.getOp(first).getType());
  }

  static Operator createOperator(
      OperatorDef op, int index, Workspace ws, OperatorRegistry registry, Set<String> producedEarlier) {
    OperatorDefinition definition = registry.get(op.getType());
    OperatorSchema schema = definition.schema();
    int nIn = op.getInputCount();
    int nOut = op.getOutputCount();
    if (!schema.inputs().accepts(nIn)) {
      throw new SchemaException(op.getType() + " takes " + count(schema.inputs(), "input") + ", got " + nIn);
    }
    if (!schema.outputs().accepts(nOut)) {
      throw new SchemaException(op.getType() + " takes " + count(schema.outputs(), "output") + ", got " + nOut);
    }
    for (int out = 1; out < nOut; out++) {
      for (int earlier = 0; earlier < out; earlier++) {
        if (op.getOutput(out).equals(op.getOutput(earlier))) {
          throw (SchemaException) new SchemaException("outputs " + earlier + " and " + out + " are the same blob; "
              + "each output of an op needs a blob of its own").atBlob(op.getOutput(out));
        }
      }
    }
    for (int in = 0; in < nIn; in++) {
      for (int out = 0; out < nOut; out++) {
        if (op.getInput(in).equals(op.getOutput(out)) && !schema.allowsInPlace(in, out)) {
          throw (SchemaException) new SchemaException("input " + in + " and output " + out
              + " are the same blob, which " + op.getType() + " does not allow (in place)").atBlob(op.getInput(in));
        }
      }
    }
    for (OperatorSchema.InPlace p : schema.enforcedInPlace()) {
      if (p.input() < nIn && p.output() < nOut && !op.getInput(p.input()).equals(op.getOutput(p.output()))) {
        throw new SchemaException(op.getType() + " must run in place: input " + p.input() + " '"
            + op.getInput(p.input()) + "' and output " + p.output() + " '" + op.getOutput(p.output())
            + "' must be the same blob");
      }
    }
    Blob[] inputs = new Blob[nIn];
    for (int in = 0; in < nIn; in++) {
      String name = op.getInput(in);
      Blob b = ws.getBlob(name);
      if (b == null) {
        if (!producedEarlier.contains(name)) {
          throw (SchemaException) new SchemaException(
              "input " + in + " does not exist in the workspace and no earlier op of the net produces it")
              .atBlob(name);
        }
        b = ws.createBlob(name);
      }
      inputs[in] = b;
    }
    Arguments args = Arguments.of(op.getArgList());
    for (OperatorSchema.Arg spec : schema.args()) {
      Argument a = args.get(spec.name());
      if (a != null && !spec.type().matches(a)) {
        throw new SchemaException("argument '" + spec.name() + "' must be " + spec.type().expected() + ", found "
            + ArgType.describe(a));
      }
    }
    Blob[] outputs = new Blob[nOut];
    for (int out = 0; out < nOut; out++) {
      outputs[out] = ws.createBlob(op.getOutput(out));
    }
    DeviceOption device = op.getDeviceOption();
    var factory = registry.kernel(op.getType(), new Device(device.getDeviceType(), op.getEngine()));
    return factory.create(new OperatorInit(op, index, args, inputs, outputs, ws, device));
  }

  /** "1 input", "0-1 inputs", "1,3 outputs". */
  static String count(Arity arity, String noun) {
    return arity + " " + noun + (arity.min() == 1 && arity.max() == 1 ? "" : "s");
  }

  /**
   * Turns the numeric guard on or off (see the class doc). Returns this net.
   */
  public Net setCheckFinite(boolean on) {
    this.checkFinite = on;
    return this;
  }

  /** True if the numeric guard is on. */
  public boolean checksFinite() {
    return checkFinite;
  }

  /** Runs every operator once, in order. */
  public void run() {
    Allocations.Budget previous = workspace.enterLimits();
    try {
      for (Operator op : ops) {
        runOne(op);
        if (checkFinite) {
          checkOutputsFinite(op);
        }
      }
    } finally {
      Allocations.restore(previous);
    }
  }

  private void checkOutputsFinite(Operator op) {
    OperatorDef d = op.def();
    for (int j = 0; j < d.getOutputCount(); j++) {
      String name = d.getOutput(j);
      FiniteCheck.Finding f = FiniteCheck.scan(workspace.getBlob(name));
      if (f != null) {
        String[] inputNames = d.getInputList().toArray(new String[0]);
        Blob[] inputs = new Blob[inputNames.length];
        for (int i = 0; i < inputs.length; i++) {
          inputs[i] = workspace.getBlob(inputNames[i]);
        }
        throw FiniteCheck.error(f, name, inputNames, inputs).atOp(op.index(), op.type());
      }
    }
  }

  private static void runOne(Operator op) {
    try {
      op.run();
    } catch (ZerogException e) {
      throw e.atOp(op.index(), op.type());
    } catch (RuntimeException e) {
      throw new ZerogException("internal error while running: " + e, e).atOp(op.index(), op.type());
    } catch (OutOfMemoryError e) {
      throw new ResourceLimitException("the Java heap ran out of memory while running (raise -Xmx, or"
          + " lower the limits in dev.zerog.ResourceLimits so that the error comes before the heap runs out)", e)
          .atOp(op.index(), op.type());
    } catch (StackOverflowError e) {
      throw new ZerogException("the thread's stack overflowed while running", e).atOp(op.index(), op.type());
    }
  }

  /** The definition the net was created from. */
  public NetDef def() {
    return def;
  }

  /** The number of operators. */
  public int size() {
    return ops.length;
  }

  /** The created operators, in order. */
  public List<Operator> operators() {
    return List.of(ops);
  }

  /** The operator types in order, for diagnostics. */
  public List<String> types() {
    List<String> out = new ArrayList<>(ops.length);
    for (Operator o : ops) {
      out.add(o.type());
    }
    return out;
  }
}
