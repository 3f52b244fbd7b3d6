package dev.zerog.testing;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.google.protobuf.ByteString;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arity;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorProvider;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.op.OperatorSchema;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.DeviceOption;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * NetDefs and input tensors built from fuzz data: operators of every registered type, with input and output
 * counts near their schema's, blobs mostly from those that exist, and arguments mostly of the names and kinds the
 * schema declares (sometimes of the wrong kind, or unknown), with values from the edges as often as not.
 */
public final class RandomNets {
  private static final OperatorRegistry REGISTRY = productRegistry();
  private static final List<OperatorDefinition> DEFINITIONS = List.copyOf(REGISTRY.definitions());
  private static final String[] POOL = {"a", "b", "c", "d", "e", "f"};
  private static final DataType[] TYPES = {DataType.FLOAT, DataType.DOUBLE, DataType.INT32, DataType.INT64,
      DataType.BOOL, DataType.FLOAT16, DataType.UINT8, DataType.STRING};
  private static final String[] ARG_NAMES = {"axis", "shape", "dtype", "value", "axes", "keepdims", "broadcast",
      "order", "extra_shape", "input_as_shape", "split", "starts", "ends", "dims", "new_shape", "scale", "ratio",
      "is_test", "min", "max", "exponent", "alpha", "db", "db_type", "to", "values", "label_prob", "indices"};
  private static final long[] EDGE_LONGS = {0, 1, -1, 2, 3, -2, 4, 7, 255, 65536, Integer.MAX_VALUE,
      Integer.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 31, 1L << 40};
  private static final float[] EDGE_FLOATS = {0f, -0f, 1f, -1f, 0.5f, 1e-30f, 1e30f, Float.NaN,
      Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, Float.MAX_VALUE};

  private RandomNets() {}

  /** zerog's own operators: every provider on the class path except the test sources' own test operators. */
  public static OperatorRegistry registry() {
    return REGISTRY;
  }

  private static OperatorRegistry productRegistry() {
    OperatorRegistry.Builder b = OperatorRegistry.builder();
    for (OperatorProvider p : ServiceLoader.load(OperatorProvider.class)) {
      var source = p.getClass().getProtectionDomain().getCodeSource();
      if (source != null && source.getLocation().getPath().contains("test-classes")) {
        continue;
      }
      b.addAll(p.operators());
    }
    return b.build();
  }

  /** The blob names a random net uses. */
  public static List<String> pool() {
    return List.of(POOL);
  }

  /**
   * A net of 1 to {@code maxOps} operators; {@code existing} are blobs that exist before it (inputs are mostly
   * taken from them and from earlier outputs).
   */
  public static NetDef net(FuzzedDataProvider d, int maxOps, List<String> existing) {
    NetDef.Builder net = NetDef.newBuilder().setName("fuzz");
    List<String> available = new ArrayList<>(existing);
    int ops = d.consumeInt(1, maxOps);
    for (int k = 0; k < ops; k++) {
      OperatorDef op = op(d, available);
      net.addOp(op);
      for (String o : op.getOutputList()) {
        if (!available.contains(o)) {
          available.add(o);
        }
      }
    }
    if (d.consumeBoolean() && d.consumeBoolean()) {
      net.setDeviceOption(DeviceOption.newBuilder().setDeviceType(d.consumeInt(0, 2))
          .setRandomSeed(d.consumeInt(0, 5)));
    }
    return net.build();
  }

  private static OperatorDef op(FuzzedDataProvider d, List<String> available) {
    OperatorDefinition def = DEFINITIONS.get(d.consumeInt(0, DEFINITIONS.size() - 1));
    OperatorSchema schema = def.schema();
    OperatorDef.Builder b = OperatorDef.newBuilder().setType(def.type());
    int nIn = count(d, schema.inputs());
    for (int i = 0; i < nIn; i++) {
      b.addInput(d.consumeInt(0, 9) == 0 || available.isEmpty() ? d.pickValue(POOL) : d.pickValue(available));
    }
    int nOut = count(d, schema.outputs());
    for (int i = 0; i < nOut; i++) {
      // In place about a third of the time, else a name from the pool.
      b.addOutput(nIn > i && d.consumeInt(0, 2) == 0 ? b.getInput(i) : d.pickValue(POOL));
    }
    int nArgs = d.consumeInt(0, 4);
    List<OperatorSchema.Arg> specs = schema.args();
    for (int i = 0; i < nArgs; i++) {
      boolean declared = !specs.isEmpty() && d.consumeInt(0, 4) != 0;
      OperatorSchema.Arg spec = declared ? d.pickValue(specs) : null;
      String name = spec != null ? spec.name() : d.pickValue(ARG_NAMES);
      ArgType type = spec != null && d.consumeInt(0, 5) != 0 ? spec.type() : d.pickValue(ArgType.values());
      b.addArg(type == ArgType.STRING && name.startsWith("db") ? dbArgument(d, name) : argument(d, name, type));
    }
    if (d.consumeInt(0, 15) == 0) {
      b.setEngine(d.pickValue(new String[] {"", "CUDNN", "EIGEN,", ","}));
    }
    if (d.consumeInt(0, 15) == 0) {
      b.setDeviceOption(DeviceOption.newBuilder().setDeviceType(d.consumeInt(0, 2)));
    }
    return b.build();
  }

  private static int count(FuzzedDataProvider d, Arity arity) {
    int lo = arity.min();
    long hi = Math.min((long) arity.max(), lo + 3L);
    int n = d.consumeInt(lo, (int) hi);
    return d.consumeInt(0, 19) == 0 ? d.consumeInt(0, 4) : n; // sometimes a count the schema refuses
  }

  private static Argument argument(FuzzedDataProvider d, String name, ArgType type) {
    Argument.Builder a = Argument.newBuilder().setName(name);
    switch (type) {
      case FLOAT:
        return a.setF(floatValue(d)).build();
      case INT:
        return a.setI(longValue(d)).build();
      case NUMBER:
      case SCALAR:
        if (type == ArgType.SCALAR && d.consumeInt(0, 3) == 0) {
          return a.setS(ByteString.copyFrom(d.consumeAsciiString(6), StandardCharsets.UTF_8)).build();
        }
        return d.consumeBoolean() ? a.setF(floatValue(d)).build() : a.setI(longValue(d)).build();
      case STRING:
        return a.setS(ByteString.copyFrom(d.pickValue(new String[] {"NCHW", "NHWC", "zerog", "ckpt.zgc", "",
            "../x", "/tmp/zerog-fuzz", "a", d.consumeAsciiString(8)}), StandardCharsets.UTF_8)).build();
      case FLOATS: {
        int n = d.consumeInt(0, 5);
        for (int i = 0; i < n; i++) {
          a.addFloats(floatValue(d));
        }
        return a.build();
      }
      case INTS: {
        int n = d.consumeInt(0, 5);
        for (int i = 0; i < n; i++) {
          a.addInts(longValue(d));
        }
        return a.build();
      }
      case STRINGS: {
        int n = d.consumeInt(0, 3);
        for (int i = 0; i < n; i++) {
          a.addStrings(ByteString.copyFrom(d.pickValue(POOL), StandardCharsets.UTF_8));
        }
        return a.build();
      }
      default: {
        int n = d.consumeInt(0, 4);
        for (int i = 0; i < n; i++) {
          a.addInts(longValue(d));
        }
        return a.build();
      }
    }
  }

  /** Save's and Load's db and db_type: mostly workable values, sometimes hostile paths. */
  private static Argument dbArgument(FuzzedDataProvider d, String name) {
    String[] values = name.equals("db_type") ? new String[] {"zerog", "zerog", "minidb", ""}
        : new String[] {"ckpt.zgc", "ckpt.zgc", "sub/dir/ckpt.zgc", "../escape.zgc", "/tmp/zerog-fuzz-escape", ""};
    return Argument.newBuilder().setName(name)
        .setS(ByteString.copyFrom(d.pickValue(values), StandardCharsets.UTF_8)).build();
  }

  private static long longValue(FuzzedDataProvider d) {
    switch (d.consumeInt(0, 3)) {
      case 0:
        return d.pickValue(EDGE_LONGS);
      case 1:
        return d.consumeLong();
      default:
        return d.consumeLong(-3, 8);
    }
  }

  private static float floatValue(FuzzedDataProvider d) {
    return d.consumeBoolean() ? d.pickValue(EDGE_FLOATS) : d.consumeRegularFloat(-10f, 10f);
  }

  /** Feeds up to three small tensors of fuzz-chosen types and shapes into {@code feeds}, named from the pool. */
  public static void feeds(FuzzedDataProvider d, Map<String, Tensor> feeds) {
    int n = d.consumeInt(0, 3);
    for (int k = 0; k < n; k++) {
      DataType type = d.pickValue(TYPES);
      int rank = d.consumeInt(0, 3);
      long[] dims = new long[rank];
      long size = 1;
      boolean large = d.consumeInt(0, 7) == 0;
      for (int i = 0; i < rank; i++) {
        dims[i] = large ? d.consumeInt(0, 48) : d.consumeInt(0, 4);
        size *= dims[i];
      }
      Tensor t = Tensor.allocate(type, dims);
      for (int i = 0; i < size; i++) {
        switch (type) {
          case FLOAT:
            t.floats()[i] = floatValue(d);
            break;
          case DOUBLE:
            t.doubles()[i] = floatValue(d);
            break;
          case INT32:
            t.ints()[i] = (int) longValue(d);
            break;
          case INT64:
            t.longs()[i] = longValue(d);
            break;
          case BOOL:
            t.bools()[i] = d.consumeBoolean();
            break;
          case FLOAT16:
            t.shorts()[i] = d.consumeShort();
            break;
          case UINT8:
            t.bytes()[i] = d.consumeByte();
            break;
          default:
            t.strings()[i] = d.consumeAsciiString(3);
            break;
        }
      }
      feeds.put(POOL[k], t);
    }
  }
}
