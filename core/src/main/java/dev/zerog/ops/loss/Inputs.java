package dev.zerog.ops.loss;

import dev.zerog.ShapeException;
import dev.zerog.op.BlobType;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;

/** The checks the loss operators make of their inputs, with errors that name the blob. */
final class Inputs {
  private Inputs() {}

  /** A shape error located at {@code blob}. */
  static ShapeException error(String blob, String detail) {
    return (ShapeException) new ShapeException(detail).atBlob(blob);
  }

  /** {@code t}'s type, which must be FLOAT or DOUBLE. */
  static DataType floating(String op, Tensor t, String blob) {
    DataType d = t.dtype();
    if (d != DataType.FLOAT && d != DataType.DOUBLE) {
      throw error(blob, op + " supports FLOAT and DOUBLE tensors, got " + d + " " + Shapes.format(t.dims()));
    }
    return d;
  }

  /** Checks that {@code t} has type {@code expected} (the type of another input, named in the message). */
  static void sameType(Tensor t, String blob, DataType expected, String expectedBlob) {
    if (t.dtype() != expected) {
      throw error(blob, "'" + blob + "' is " + t.dtype() + " " + Shapes.format(t.dims()) + " but '" + expectedBlob
          + "' is " + expected + "; they must have the same type");
    }
  }

  /** Checks that {@code t} has exactly the dims {@code dims} (those of another input, named in the message). */
  static void sameDims(Tensor t, String blob, long[] dims, String expectedBlob) {
    if (!t.hasDims(dims)) {
      throw error(blob, "'" + blob + "' has shape " + Shapes.format(t.dims()) + " but '" + expectedBlob + "' has "
          + Shapes.format(dims) + "; they must have the same shape");
    }
  }

  /** Checks that the gradient {@code dy} holds exactly one element. */
  static void scalar(Tensor dy, String blob) {
    if (dy.size() != 1) {
      throw error(blob, "the output gradient '" + blob + "' must hold one element, got " + dy.dtype() + " "
          + Shapes.format(dy.dims()));
    }
  }

  /** Checks that the gradient {@code dy} is 1-D of length {@code n}. */
  static void vector(Tensor dy, String blob, long n) {
    if (dy.rank() != 1 || dy.dim(0) != n) {
      throw error(blob, "the output gradient '" + blob + "' must have shape [" + n + "], got "
          + Shapes.format(dy.dims()));
    }
  }

  /** The product of {@code t}'s dims in [from, to), read without copying them. */
  static long sizeBetween(Tensor t, int from, int to) {
    long n = 1;
    for (int i = from; i < to; i++) {
      n *= t.dim(i);
    }
    return n;
  }

  /** Inference: a known type of input {@code i} must be FLOAT or DOUBLE. */
  static void inferFloating(OperatorDef def, BlobType t, int i) {
    if (t.dtype() != null && t.dtype() != DataType.FLOAT && t.dtype() != DataType.DOUBLE) {
      throw error(def.getInput(i), def.getType() + " supports FLOAT and DOUBLE tensors, got " + t.dtype());
    }
  }
}
