package dev.zerog.grad;

import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import java.util.HashMap;
import java.util.Map;

/**
 * Recognizes the ops that fill a blob with zeros, from their arguments alone: a ConstantFill whose value is
 * zero (or absent), and a GivenTensorFill (or a typed variant) whose values are all zero. These are the zero
 * gradients ZeroGradient emits, and the all-zero masks an init net creates.
 */
final class ZeroFills {
  private ZeroFills() {}

  /** The type of the zeros {@code op} fills its output with, or null if it is not a zero fill. */
  static DataType zeroFillType(OperatorDef op) {
    if (op.getOutputCount() != 1) {
      return null;
    }
    switch (op.getType()) {
      case "ConstantFill":
        return constantZero(op);
      case "GivenTensorFill":
        return allZero(op) ? typeArgument(op, DataType.FLOAT) : null;
      case "GivenTensorDoubleFill":
        return allZero(op) ? DataType.DOUBLE : null;
      case "GivenTensorIntFill":
        return allZero(op) ? DataType.INT32 : null;
      case "GivenTensorInt64Fill":
        return allZero(op) ? DataType.INT64 : null;
      case "GivenTensorBoolFill":
        return allZero(op) ? DataType.BOOL : null;
      default:
        return null;
    }
  }

  private static DataType constantZero(OperatorDef op) {
    Argument value = arg(op, "value");
    DataType byValue = DataType.FLOAT;
    if (value != null) {
      if (value.hasS()) {
        return null;
      }
      if (value.hasF()) {
        if (value.getF() != 0) {
          return null;
        }
      } else if (value.hasI()) {
        if (value.getI() != 0) {
          return null;
        }
        byValue = DataType.INT64;
      }
    }
    DataType t = typeArgument(op, byValue);
    return t == DataType.STRING ? null : t;
  }

  private static boolean allZero(OperatorDef op) {
    Argument values = arg(op, "values");
    if (values == null) {
      return false;
    }
    for (float f : values.getFloatsList()) {
      if (f != 0) {
        return false;
      }
    }
    for (long i : values.getIntsList()) {
      if (i != 0) {
        return false;
      }
    }
    return values.getStringsCount() == 0;
  }

  private static DataType typeArgument(OperatorDef op, DataType dflt) {
    Argument dtype = arg(op, "dtype");
    if (dtype == null || !dtype.hasI()) {
      return dflt;
    }
    DataType t = DataType.fromCode(dtype.getI());
    return t == null ? dflt : t;
  }

  private static Argument arg(OperatorDef op, String name) {
    Argument found = null;
    for (Argument a : op.getArgList()) {
      if (a.getName().equals(name)) {
        found = a;
      }
    }
    return found;
  }

  /**
   * The blobs that {@code nets}, run in order, leave holding zeros: those whose last writer is a zero fill, with
   * the type of the zeros.
   */
  static Map<String, DataType> zeroBlobs(NetDef... nets) {
    Map<String, DataType> zeros = new HashMap<>();
    for (NetDef net : nets) {
      for (OperatorDef op : net.getOpList()) {
        DataType t = zeroFillType(op);
        for (String out : op.getOutputList()) {
          if (t != null) {
            zeros.put(out, t);
          } else {
            zeros.remove(out);
          }
        }
      }
    }
    return zeros;
  }
}
