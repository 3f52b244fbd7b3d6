package dev.zerog.ops.conv;

import dev.zerog.op.Arguments;
import dev.zerog.op.BlobType;
import dev.zerog.op.FlopEstimate;
import dev.zerog.op.Linearity;
import dev.zerog.proto.Caffe2.OperatorDef;
import java.util.List;

/**
 * The FLOP estimates of the convolutions (a multiply-add counts two). A convolution does, for each output
 * element, one multiply-add per filter element of its output channel: 2·|Y|·|W|/M with W [M, ...]. A transposed
 * convolution does the same per input element, with W [C, ...]: 2·|X|·|W|/C.
 */
final class ConvCosts {
  private ConvCosts() {}

  /** 2·|per|·|W|/W.dim(0), or -1. */
  private static long product(BlobType per, BlobType w) {
    long n = FlopEstimate.elements(per);
    long[] wd = w.dims();
    long wn = FlopEstimate.elements(w);
    if (n < 0 || wd == null || wd.length == 0 || wn < 0) {
      return -1;
    }
    return wd[0] == 0 ? 0 : 2 * n * (wn / wd[0]);
  }

  /** Conv: the products, plus the bias per output element. */
  static long conv(OperatorDef def, List<BlobType> in, List<BlobType> out) {
    long p = product(out.get(0), in.get(1));
    long y = FlopEstimate.elements(out.get(0));
    return p < 0 ? -1 : p + (in.size() > 2 ? y : 0);
  }

  /** ConvTranspose: the products per input element, plus the bias per output element. */
  static long convTranspose(OperatorDef def, List<BlobType> in, List<BlobType> out) {
    long p = product(in.get(0), in.get(1));
    long y = FlopEstimate.elements(out.get(0));
    return p < 0 ? -1 : p + (in.size() > 2 && y > 0 ? y : 0);
  }

  /** ConvGradient(X, W, dY): dW as many products as the forward op, db |dY|, dX as many again when present. */
  static long convGradient(OperatorDef def, List<BlobType> in, List<BlobType> out) {
    return gradient(def, product(in.get(2), in.get(1)), in.get(2));
  }

  /** ConvTransposeGradient(X, W, dY): as ConvGradient, the products counted per input element. */
  static long convTransposeGradient(OperatorDef def, List<BlobType> in, List<BlobType> out) {
    return gradient(def, product(in.get(0), in.get(1)), in.get(2));
  }

  private static long gradient(OperatorDef def, long products, BlobType dy) {
    long n = FlopEstimate.elements(dy);
    if (products < 0 || n < 0) {
      return -1;
    }
    boolean noBias = noBias(def);
    return products * (dx(def) >= 0 ? 2 : 1) + (noBias ? 0 : n);
  }

  /**
   * A convolution is affine: linear in X and the bias together, and in W and the bias together (X or W alone
   * without a bias).
   */
  static List<Linearity> linearities(OperatorDef def) {
    if (def.getInputCount() > 2) {
      return List.of(new Linearity(List.of(0, 2), List.of(0)), new Linearity(List.of(1, 2), List.of(0)));
    }
    return List.of(new Linearity(List.of(0), List.of(0)), new Linearity(List.of(1), List.of(0)));
  }

  static boolean noBias(OperatorDef def) {
    return Arguments.of(def.getArgList()).getBool("no_bias", false);
  }

  /** The position of dX among a convolution gradient op's outputs, or -1 when it has none. */
  static int dx(OperatorDef def) {
    int at = noBias(def) ? 1 : 2;
    return def.getOutputCount() > at ? at : -1;
  }

  /** A convolution gradient op can skip dX, its last output after dW (and db). */
  static boolean skippable(OperatorDef def, int output) {
    return output == (noBias(def) ? 1 : 2);
  }
}
