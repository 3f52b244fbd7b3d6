package dev.zerog.ops.elementwise;

import java.util.Arrays;

/**
 * The float loops of the binary elementwise operators and their gradients, over a {@link Broadcast} plan.
 * Every method walks the plan's rows; within a row, A and B are each contiguous or one repeated element, so
 * each inner loop is a plain indexed loop over primitive arrays that the JIT compiler can vectorize.
 *
 * <p>{@code DoubleKernels}, {@code IntKernels} and {@code LongKernels} are the same code for their types.
 * Outputs may be the same array as an input that has C's shape (in place): every loop reads an element
 * before it writes the same index.
 */
final class FloatKernels {
  private FloatKernels() {}

  /** C = A op B over the plan. */
  static void apply(Arithmetic op, Broadcast p, float[] a, float[] b, float[] c) {
    switch (op) {
      case ADD:
        add(p, a, b, c);
        break;
      case SUB:
        sub(p, a, b, c);
        break;
      case MUL:
        mul(p, a, b, c);
        break;
      case DIV:
        div(p, a, b, c);
        break;
      default:
        throw new AssertionError(op);
    }
  }

  /**
   * The gradients of C = A op B: dA (A's shape) and dB (B's shape) from dC. {@code a} is read by MUL only,
   * {@code c} (the forward output) by DIV only; either may be null when unused. When nothing broadcasts
   * ({@link Broadcast#sameSize}), dA and dB are written elementwise, dB first if {@code dbFirst} (because dA is
   * dC's array) and dA first otherwise (dB may be dC's array). When something broadcasts, they are zeroed and
   * accumulated, so neither may be dC's array: the operator passes scratch instead.
   */
  static void gradient(Arithmetic op, Broadcast p, float[] dc, float[] a, float[] b, float[] c, float[] da,
      float[] db, boolean dbFirst) {
    if (p.sameSize()) {
      int n = p.cSize();
      if (dbFirst) {
        sameSizeGradientB(op, dc, a, b, c, db, n);
        sameSizeGradientA(op, dc, b, da, n);
      } else {
        sameSizeGradientA(op, dc, b, da, n);
        sameSizeGradientB(op, dc, a, b, c, db, n);
      }
      return;
    }
    Arrays.fill(da, 0);
    Arrays.fill(db, 0);
    switch (op) {
      case ADD:
        sumRows(p, true, dc, da);
        sumRows(p, false, dc, db);
        break;
      case SUB:
        sumRows(p, true, dc, da);
        sumRows(p, false, dc, db);
        negate(db, db, db.length);
        break;
      case MUL:
        mulRows(p, true, dc, b, da);
        mulRows(p, false, dc, a, db);
        break;
      case DIV:
        divRowsA(p, dc, b, da);
        divRowsB(p, dc, c, b, db);
        break;
      default:
        throw new AssertionError(op);
    }
  }

  private static void sameSizeGradientA(Arithmetic op, float[] dc, float[] b, float[] da, int n) {
    switch (op) {
      case ADD:
      case SUB:
        if (da != dc) {
          System.arraycopy(dc, 0, da, 0, n);
        }
        break;
      case MUL:
        multiply(dc, b, da, n);
        break;
      case DIV:
        divide(dc, b, da, n);
        break;
      default:
        throw new AssertionError(op);
    }
  }

  private static void sameSizeGradientB(Arithmetic op, float[] dc, float[] a, float[] b, float[] c, float[] db,
      int n) {
    switch (op) {
      case ADD:
        if (db != dc) {
          System.arraycopy(dc, 0, db, 0, n);
        }
        break;
      case SUB:
        negate(dc, db, n);
        break;
      case MUL:
        multiply(dc, a, db, n);
        break;
      case DIV:
        divGradientB(dc, c, b, db, n);
        break;
      default:
        throw new AssertionError(op);
    }
  }

  /** C = A + B. */
  static void add(Broadcast p, float[] a, float[] b, float[] c) {
    int n = p.inner();
    int kind = p.kind();
    p.start();
    for (int r = 0, o = 0; r < p.rows(); r++, o += n) {
      int ao = p.aOffset();
      int bo = p.bOffset();
      if (kind == Broadcast.BOTH) {
        for (int i = 0; i < n; i++) {
          c[o + i] = a[ao + i] + b[bo + i];
        }
      } else if (kind == Broadcast.B_REPEATED) {
        float y = b[bo];
        for (int i = 0; i < n; i++) {
          c[o + i] = a[ao + i] + y;
        }
      } else {
        float x = a[ao];
        for (int i = 0; i < n; i++) {
          c[o + i] = x + b[bo + i];
        }
      }
      p.next();
    }
  }

  /** C = A - B. */
  static void sub(Broadcast p, float[] a, float[] b, float[] c) {
    int n = p.inner();
    int kind = p.kind();
    p.start();
    for (int r = 0, o = 0; r < p.rows(); r++, o += n) {
      int ao = p.aOffset();
      int bo = p.bOffset();
      if (kind == Broadcast.BOTH) {
        for (int i = 0; i < n; i++) {
          c[o + i] = a[ao + i] - b[bo + i];
        }
      } else if (kind == Broadcast.B_REPEATED) {
        float y = b[bo];
        for (int i = 0; i < n; i++) {
          c[o + i] = a[ao + i] - y;
        }
      } else {
        float x = a[ao];
        for (int i = 0; i < n; i++) {
          c[o + i] = x - b[bo + i];
        }
      }
      p.next();
    }
  }

  /** C = A * B. */
  static void mul(Broadcast p, float[] a, float[] b, float[] c) {
    int n = p.inner();
    int kind = p.kind();
    p.start();
    for (int r = 0, o = 0; r < p.rows(); r++, o += n) {
      int ao = p.aOffset();
      int bo = p.bOffset();
      if (kind == Broadcast.BOTH) {
        for (int i = 0; i < n; i++) {
          c[o + i] = a[ao + i] * b[bo + i];
        }
      } else if (kind == Broadcast.B_REPEATED) {
        float y = b[bo];
        for (int i = 0; i < n; i++) {
          c[o + i] = a[ao + i] * y;
        }
      } else {
        float x = a[ao];
        for (int i = 0; i < n; i++) {
          c[o + i] = x * b[bo + i];
        }
      }
      p.next();
    }
  }

  /** C = A / B. */
  static void div(Broadcast p, float[] a, float[] b, float[] c) {
    int n = p.inner();
    int kind = p.kind();
    p.start();
    for (int r = 0, o = 0; r < p.rows(); r++, o += n) {
      int ao = p.aOffset();
      int bo = p.bOffset();
      if (kind == Broadcast.BOTH) {
        for (int i = 0; i < n; i++) {
          c[o + i] = a[ao + i] / b[bo + i];
        }
      } else if (kind == Broadcast.B_REPEATED) {
        float y = b[bo];
        for (int i = 0; i < n; i++) {
          c[o + i] = a[ao + i] / y;
        }
      } else {
        float x = a[ao];
        for (int i = 0; i < n; i++) {
          c[o + i] = x / b[bo + i];
        }
      }
      p.next();
    }
  }

  /** out = -x, elementwise over n elements (out may be x). */
  static void negate(float[] x, float[] out, int n) {
    for (int i = 0; i < n; i++) {
      out[i] = -x[i];
    }
  }

  /** out = x * y, elementwise over n elements (out may be x or y). */
  static void multiply(float[] x, float[] y, float[] out, int n) {
    for (int i = 0; i < n; i++) {
      out[i] = x[i] * y[i];
    }
  }

  /** out = x / y, elementwise over n elements (out may be x or y). */
  static void divide(float[] x, float[] y, float[] out, int n) {
    for (int i = 0; i < n; i++) {
      out[i] = x[i] / y[i];
    }
  }

  /** out = -(dc * c / b), elementwise over n elements: Div's dB when nothing broadcasts. */
  static void divGradientB(float[] dc, float[] c, float[] b, float[] out, int n) {
    for (int i = 0; i < n; i++) {
      out[i] = -(dc[i] * c[i] / b[i]);
    }
  }

  /** out (A's shape if {@code toA}, else B's) += the sum of dC over the axes that operand is broadcast on. */
  static void sumRows(Broadcast p, boolean toA, float[] dc, float[] out) {
    int n = p.inner();
    boolean repeated = p.kind() == (toA ? Broadcast.A_REPEATED : Broadcast.B_REPEATED);
    p.start();
    for (int r = 0, o = 0; r < p.rows(); r++, o += n) {
      int t = toA ? p.aOffset() : p.bOffset();
      if (repeated) {
        float s = 0;
        for (int i = 0; i < n; i++) {
          s += dc[o + i];
        }
        out[t] += s;
      } else {
        for (int i = 0; i < n; i++) {
          out[t + i] += dc[o + i];
        }
      }
      p.next();
    }
  }

  /**
   * out (A's shape if {@code toA}, else B's) += the sum of dC * other over the broadcast axes, where other is
   * the other operand (B if {@code toA}, else A): Mul's gradient.
   */
  static void mulRows(Broadcast p, boolean toA, float[] dc, float[] other, float[] out) {
    int n = p.inner();
    int kind = p.kind();
    boolean targetRepeated = kind == (toA ? Broadcast.A_REPEATED : Broadcast.B_REPEATED);
    boolean otherRepeated = kind == (toA ? Broadcast.B_REPEATED : Broadcast.A_REPEATED);
    p.start();
    for (int r = 0, o = 0; r < p.rows(); r++, o += n) {
      int t = toA ? p.aOffset() : p.bOffset();
      int x = toA ? p.bOffset() : p.aOffset();
      if (targetRepeated) {
        float s = 0;
        for (int i = 0; i < n; i++) {
          s += dc[o + i] * other[x + i];
        }
        out[t] += s;
      } else if (otherRepeated) {
        float v = other[x];
        for (int i = 0; i < n; i++) {
          out[t + i] += dc[o + i] * v;
        }
      } else {
        for (int i = 0; i < n; i++) {
          out[t + i] += dc[o + i] * other[x + i];
        }
      }
      p.next();
    }
  }

  /** dA (A's shape) += the sum of dC / B over the axes A is broadcast on: Div's dA. */
  static void divRowsA(Broadcast p, float[] dc, float[] b, float[] out) {
    int n = p.inner();
    int kind = p.kind();
    p.start();
    for (int r = 0, o = 0; r < p.rows(); r++, o += n) {
      int t = p.aOffset();
      int x = p.bOffset();
      if (kind == Broadcast.A_REPEATED) {
        float s = 0;
        for (int i = 0; i < n; i++) {
          s += dc[o + i] / b[x + i];
        }
        out[t] += s;
      } else if (kind == Broadcast.B_REPEATED) {
        float v = b[x];
        for (int i = 0; i < n; i++) {
          out[t + i] += dc[o + i] / v;
        }
      } else {
        for (int i = 0; i < n; i++) {
          out[t + i] += dc[o + i] / b[x + i];
        }
      }
      p.next();
    }
  }

  /** dB (B's shape) -= the sum of dC * C / B over the axes B is broadcast on: Div's dB. */
  static void divRowsB(Broadcast p, float[] dc, float[] c, float[] b, float[] out) {
    int n = p.inner();
    boolean repeated = p.kind() == Broadcast.B_REPEATED;
    p.start();
    for (int r = 0, o = 0; r < p.rows(); r++, o += n) {
      int t = p.bOffset();
      if (repeated) {
        float s = 0;
        for (int i = 0; i < n; i++) {
          s += dc[o + i] * c[o + i];
        }
        out[t] -= s / b[t];
      } else {
        for (int i = 0; i < n; i++) {
          out[t + i] -= dc[o + i] * c[o + i] / b[t + i];
        }
      }
      p.next();
    }
  }
}
