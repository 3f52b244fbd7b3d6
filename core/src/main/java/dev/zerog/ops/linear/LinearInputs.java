package dev.zerog.ops.linear;

import dev.zerog.ShapeException;
import dev.zerog.op.BlobType;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;

/**
 * What the linear operators share: reading a tensor's dims into a reused array (so that running allocates
 * nothing), flattening at an axis, the FLOAT/DOUBLE type check, and errors that name the blob.
 */
final class LinearInputs {
  private LinearInputs() {}

  /** A shape error located at {@code blob}. */
  static ShapeException error(String blob, String detail) {
    return (ShapeException) new ShapeException(detail).atBlob(blob);
  }

  /**
   * {@code t}'s dims in {@code buffer} when it has {@code t}'s rank, else in a new array: an operator that keeps
   * the returned array reads the dims of same-rank inputs without allocating.
   */
  static long[] dimsInto(Tensor t, long[] buffer) {
    int rank = t.rank();
    long[] out = buffer != null && buffer.length == rank ? buffer : new long[rank];
    for (int i = 0; i < rank; i++) {
      out[i] = t.dim(i);
    }
    return out;
  }

  /** The product of {@code dims[from, to)}. */
  static long product(long[] dims, int from, int to) {
    long n = 1;
    for (int i = from; i < to; i++) {
      n *= dims[i];
    }
    return n;
  }

  /**
   * {@code axis} made non-negative for a tensor of {@code dims}, as Caffe2's canonical_axis_index: it must lie in
   * [-rank, rank).
   *
   * @param argName the argument that holds the axis, for the message
   * @param role the input's role ("X", "W"), for the message
   */
  static int canonicalAxis(String argName, long axis, long[] dims, String role, String blob) {
    int rank = dims.length;
    if (axis < -rank || axis >= rank) {
      throw error(blob, argName + " " + axis + " is out of range for " + role + " '" + blob + "' "
          + Shapes.format(dims) + " of rank " + rank + ": it must lie in [" + -rank + ", " + rank + ")");
    }
    return (int) (axis < 0 ? axis + rank : axis);
  }

  /** {@code t}'s type, which must be FLOAT or DOUBLE. */
  static DataType floating(String op, Tensor t, String role, String blob) {
    DataType d = t.dtype();
    if (d != DataType.FLOAT && d != DataType.DOUBLE) {
      throw error(blob, op + " supports FLOAT and DOUBLE tensors, but " + role + " '" + blob + "' is " + d + " "
          + Shapes.format(t.dims()));
    }
    return d;
  }

  /** Checks that {@code t} has type {@code expected}, the type of the input named {@code firstRole}. */
  static void sameType(String op, Tensor t, String role, String blob, DataType expected, String firstRole,
      String firstBlob) {
    if (t.dtype() != expected) {
      throw error(blob, role + " '" + blob + "' is " + t.dtype() + " but " + firstRole + " '" + firstBlob + "' is "
          + expected + "; the inputs of " + op + " must have the same type");
    }
  }

  /** Inference: the type shared by the inputs whose types are known (FLOAT or DOUBLE), or null. */
  static DataType inferType(OperatorDef def, BlobType... inputs) {
    DataType dtype = null;
    int from = -1;
    for (int i = 0; i < inputs.length; i++) {
      DataType d = inputs[i].dtype();
      if (d == null) {
        continue;
      }
      if (d != DataType.FLOAT && d != DataType.DOUBLE) {
        throw error(def.getInput(i), def.getType() + " supports FLOAT and DOUBLE tensors, but input " + i + " '"
            + def.getInput(i) + "' is " + d);
      }
      if (dtype == null) {
        dtype = d;
        from = i;
      } else if (d != dtype) {
        throw error(def.getInput(i), "input " + i + " '" + def.getInput(i) + "' is " + d + " but input " + from
            + " '" + def.getInput(from) + "' is " + dtype + "; the inputs of " + def.getType()
            + " must have the same type");
      }
    }
    return dtype;
  }

  /** A 1-element reusable dims array holding {@code n}. */
  static long[] vectorDims(long[] buffer, long n) {
    long[] out = buffer != null && buffer.length == 1 ? buffer : new long[1];
    out[0] = n;
    return out;
  }
}
