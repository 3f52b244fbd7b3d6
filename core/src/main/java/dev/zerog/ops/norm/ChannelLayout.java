package dev.zerog.ops.norm;

import dev.zerog.SchemaException;
import dev.zerog.ShapeException;
import dev.zerog.op.BlobType;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.util.Locale;

/**
 * Where the channels of an image tensor are, by Caffe2's {@code order} argument, and the tensor viewed as
 * [outer, C, inner] around them: NCHW [N, C, D...] is [N, C, D1 · ... · Dk]; NHWC [N, D..., C] is
 * [N · D1 · ... · Dk, C, 1].
 */
final class ChannelLayout {
  final boolean nchw;
  int outer;
  int channels;
  int inner;

  ChannelLayout(String order) {
    switch (order.toUpperCase(Locale.ROOT)) {
      case "NCHW":
        nchw = true;
        break;
      case "NHWC":
        nchw = false;
        break;
      default:
        throw new SchemaException("order must be \"NCHW\" or \"NHWC\", got \"" + order + "\"");
    }
  }

  /** The channel axis of a tensor of rank {@code rank}. */
  int channelAxis(int rank) {
    return nchw ? 1 : rank - 1;
  }

  /** Sets outer, channels and inner from {@code x}, which must have rank at least {@code minRank}. */
  void view(Tensor x, int minRank, String op, String blob) {
    int rank = x.rank();
    if (rank < minRank) {
      throw error(blob, op + " needs an input of rank " + minRank + " or more (" + (nchw ? "N, C, spatial..." : "N, "
          + "spatial..., C") + "), got " + Shapes.format(x.dims()));
    }
    long c = x.dim(channelAxis(rank));
    channels = (int) c;
    long rest = 1;
    for (int a = 0; a < rank; a++) {
      if (a != 0 && a != channelAxis(rank)) {
        rest *= x.dim(a);
      }
    }
    if (nchw) {
      outer = (int) x.dim(0);
      inner = (int) rest;
    } else {
      outer = (int) (x.dim(0) * rest);
      inner = 1;
    }
  }

  /** The number of elements per channel. */
  long perChannel() {
    return (long) outer * inner;
  }

  static ShapeException error(String blob, String detail) {
    return (ShapeException) new ShapeException(detail).atBlob(blob);
  }

  /** The type of a FLOAT or DOUBLE tensor. */
  static DataType floating(String op, Tensor t, String blob) {
    DataType d = t.dtype();
    if (d != DataType.FLOAT && d != DataType.DOUBLE) {
      throw error(blob, op + " supports FLOAT and DOUBLE tensors, got " + d + " " + Shapes.format(t.dims()));
    }
    return d;
  }

  /** Checks that {@code t} has type {@code dtype} and {@code n} elements (a per-channel vector). */
  static void perChannel(Tensor t, String blob, DataType dtype, int n, String what) {
    if (t.dtype() != dtype) {
      throw error(blob, "'" + blob + "' (" + what + ") is " + t.dtype() + " " + Shapes.format(t.dims())
          + " but the input is " + dtype + "; they must have the same type");
    }
    if (t.size() != n) {
      throw error(blob, "'" + blob + "' (" + what + ") must hold one value per channel, " + n + ", got "
          + Shapes.format(t.dims()));
    }
  }

  /** Inference: a known type must be FLOAT or DOUBLE. */
  static DataType inferFloating(OperatorDef def, BlobType t, int input) {
    if (t.dtype() != null && t.dtype() != DataType.FLOAT && t.dtype() != DataType.DOUBLE) {
      throw error(def.getInput(input), def.getType() + " supports FLOAT and DOUBLE tensors, got " + t.dtype());
    }
    return t.dtype();
  }
}
