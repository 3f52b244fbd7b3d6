package dev.zerog.ops.linear;

import dev.zerog.op.Arguments;
import dev.zerog.op.BlobType;
import dev.zerog.op.FlopEstimate;
import dev.zerog.proto.Caffe2.OperatorDef;
import java.util.List;

/**
 * The FLOP estimates of the linear operators (a multiply-add counts two): an M×K by K×N product costs 2·M·K·N,
 * the bias (or db) M·N.
 */
final class LinearCosts {
  private LinearCosts() {}

  /** The product of dims[from, to), or -1 when dims is unknown or the range is not in it. */
  private static long product(long[] dims, int from, int to) {
    if (dims == null || from < 0 || to > dims.length || from > to) {
      return -1;
    }
    long n = 1;
    for (int i = from; i < to; i++) {
      n *= dims[i];
    }
    return n;
  }

  private static int axis(OperatorDef def, String name, int rank) {
    long a = Arguments.of(def.getArgList()).getLong(name, 1);
    return (int) (a < 0 ? a + rank : a);
  }

  /** K of an FC: the product of X's dims from {@code axis}. */
  private static long fcK(OperatorDef def, BlobType x) {
    long[] d = x.dims();
    return d == null ? -1 : product(d, axis(def, "axis", d.length), d.length);
  }

  /** FC and FCTransposed: 2·M·K·N + M·N. */
  static long fc(OperatorDef def, List<BlobType> in, List<BlobType> out) {
    long k = fcK(def, in.get(0));
    long mn = out.isEmpty() ? -1 : FlopEstimate.elements(out.get(0));
    return k < 0 || mn < 0 ? -1 : 2 * mn * k + mn;
  }

  /** FCGradient and FCTransposedGradient: dW 2·M·K·N, db M·N, and dX 2·M·K·N when present. */
  static long fcGradient(OperatorDef def, List<BlobType> in, List<BlobType> out) {
    long k = fcK(def, in.get(0));
    long mn = FlopEstimate.elements(in.get(2));
    if (k < 0 || mn < 0) {
      return -1;
    }
    return 2 * mn * k * (def.getOutputCount() == 3 ? 2 : 1) + mn;
  }

  /** MatMul: 2·M·K·N, K read from A at axis_a (before it with trans_a). */
  static long matMul(OperatorDef def, List<BlobType> in, List<BlobType> out) {
    long[] a = in.get(0).dims();
    long mn = out.isEmpty() ? -1 : FlopEstimate.elements(out.get(0));
    if (a == null || mn < 0) {
      return -1;
    }
    int axis = axis(def, "axis_a", a.length);
    boolean trans = Arguments.of(def.getArgList()).getBool("trans_a", false);
    long k = trans ? product(a, 0, axis) : product(a, axis, a.length);
    return k < 0 ? -1 : 2 * mn * k;
  }

  /** BatchMatMul: 2·K per element of Y, K one of A's last two dims (its last for a 1-D A). */
  static long batchMatMul(OperatorDef def, List<BlobType> in, List<BlobType> out) {
    long[] a = in.get(0).dims();
    long y = out.isEmpty() ? -1 : FlopEstimate.elements(out.get(0));
    if (a == null || a.length == 0 || y < 0) {
      return -1;
    }
    boolean trans = Arguments.of(def.getArgList()).getBool("trans_a", false) && a.length >= 2;
    long k = trans ? a[a.length - 2] : a[a.length - 1];
    return 2 * y * k;
  }
}
