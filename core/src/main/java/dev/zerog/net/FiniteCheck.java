package dev.zerog.net;

import dev.zerog.NonFiniteException;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Blob;

/** The numeric guard: finds NaN and infinite elements in the floating-point tensors of blobs. */
final class FiniteCheck {
  private FiniteCheck() {}

  /** The non-finite elements of a tensor: how many, the first index and its value. */
  record Finding(long count, long firstIndex, double firstValue, long size) {}

  /** The finding for the tensor in {@code blob}, or null when it holds no floating-point tensor or all are finite. */
  static Finding scan(Blob blob) {
    if (blob == null || !blob.isTensor()) {
      return null;
    }
    Tensor t = blob.tensor();
    DataType type = t.dtype();
    if (!type.isFloatingPoint() || t.isKnownZero()) {
      return null;
    }
    long count = 0;
    int first = -1;
    int n = t.size();
    switch (type) {
      case FLOAT: {
        float[] a = t.floats();
        for (int i = 0; i < n; i++) {
          if (!Float.isFinite(a[i])) {
            count++;
            if (first < 0) {
              first = i;
            }
          }
        }
        break;
      }
      case DOUBLE: {
        double[] a = t.doubles();
        for (int i = 0; i < n; i++) {
          if (!Double.isFinite(a[i])) {
            count++;
            if (first < 0) {
              first = i;
            }
          }
        }
        break;
      }
      case FLOAT16: {
        short[] a = t.shorts();
        for (int i = 0; i < n; i++) {
          if ((a[i] & 0x7C00) == 0x7C00) {
            count++;
            if (first < 0) {
              first = i;
            }
          }
        }
        break;
      }
      default:
        return null;
    }
    return count == 0 ? null : new Finding(count, first, t.getDouble(first), n);
  }

  /**
   * The error for a finding in an output of an operator; {@code inputs} are its input blobs, mentioned when they
   * already held non-finite values.
   */
  static NonFiniteException error(Finding f, String outputName, String[] inputNames, Blob[] inputs) {
    StringBuilder sb = new StringBuilder();
    sb.append(f.count()).append(" of ").append(f.size()).append(" elements are not finite; the first is element ")
        .append(f.firstIndex()).append(" = ").append(f.firstValue());
    for (int i = 0; i < inputs.length; i++) {
      Finding in = scan(inputs[i]);
      if (in != null) {
        sb.append("; input ").append(i).append(" '").append(inputNames[i]).append("' already held ")
            .append(in.count()).append(" non-finite elements (the first at ").append(in.firstIndex()).append(')');
        break;
      }
    }
    sb.append(" (numeric guard)");
    return (NonFiniteException) new NonFiniteException(sb.toString(), f.count(), f.firstIndex(), f.firstValue())
        .atBlob(outputName);
  }
}
