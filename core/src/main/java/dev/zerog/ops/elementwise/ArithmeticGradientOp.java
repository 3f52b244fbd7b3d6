package dev.zerog.ops.elementwise;

import dev.zerog.ShapeException;
import dev.zerog.ZerogException;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorInit;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;

/**
 * The kernel of AddGradient, SubGradient, MulGradient and DivGradient: from dC, A and B (and C for Div), dA
 * with A's shape and dB with B's, each reduced over the axes its input was broadcast on (see
 * {@link Arithmetic}).
 *
 * <p>A known-zero dC gives known-zero dA and dB, with no memory and no work (every gradient here is linear in
 * dC). In place, dA (or dB) may be input 0 (dC; B in DivGradient's three-input form): when nothing broadcasts
 * the loops are ordered so that the inputs are read before they are overwritten; when something does, that
 * gradient is accumulated in a scratch tensor kept by the operator and copied over at the end.
 */
final class ArithmeticGradientOp extends Operator {
  private final Arithmetic op;
  private final BroadcastArguments broadcast;
  private final Broadcast plan = new Broadcast();
  // Caffe2's older DivGradient form: (B, C, dC) instead of (dC, A, B, C).
  private final boolean divThreeInputs;
  private final int dcIndex;
  private final int aIndex;
  private final int bIndex;
  private final int cIndex;
  private final Tensor scratch = Tensor.empty();

  ArithmeticGradientOp(OperatorInit init, Arithmetic op) {
    super(init);
    this.op = op;
    this.broadcast = BroadcastArguments.read(init.args());
    this.divThreeInputs = op == Arithmetic.DIV && init.inputs().length == 3;
    if (divThreeInputs) {
      dcIndex = 2;
      aIndex = 1; // A's shape is C's
      bIndex = 0;
      cIndex = 1;
    } else {
      dcIndex = 0;
      aIndex = 1;
      bIndex = 2;
      cIndex = op == Arithmetic.DIV ? 3 : -1;
    }
  }

  @Override
  public void run() {
    Tensor dc = input(dcIndex);
    Tensor a = input(aIndex);
    Tensor b = input(bIndex);
    Tensor c = cIndex >= 0 ? input(cIndex) : null;
    DataType dtype = a.dtype();
    if (!Arithmetic.supports(dtype)) {
      throw located(Arithmetic.unsupported(dtype), aIndex);
    }
    requireType(b, bIndex, dtype);
    requireType(dc, dcIndex, dtype);
    if (c != null) {
      requireType(c, cIndex, dtype);
    }
    try {
      if (broadcast.legacy()) {
        plan.legacy(a, b, broadcast.axis());
      } else {
        plan.numpy(a, b);
      }
    } catch (ShapeException e) {
      throw located(e, bIndex);
    }
    requireCShape(dc, dcIndex, "dC");
    if (c != null) {
      // In the three-input form A is taken to have C's shape, so C must also be the broadcast of itself and B.
      requireCShape(c, cIndex, "C");
    }
    Tensor da = output(0);
    Tensor db = output(1);
    if (dc.isKnownZero()) {
      da.setKnownZero(dtype, a.dims());
      db.setKnownZero(dtype, b.dims());
      return;
    }
    // In place, dA (or dB) is one of the inputs: dC, or B in DivGradient's three-input form.
    boolean daIsInput = isInput(da);
    boolean dbIsInput = isInput(db);
    if (plan.sameSize()) {
      // Elementwise, computing first the output that is not an input, so that every input is read before an
      // in-place output overwrites it. A same-count resize keeps the array, so shaping an output that is an
      // input keeps its values.
      Outputs.shapeLike(da, dtype, a);
      Outputs.shapeLike(db, dtype, b);
      compute(dtype, dc, a, b, c, da, db, daIsInput);
      return;
    }
    // Broadcast: an output that is an input is accumulated in scratch and copied over at the end.
    Tensor daTarget = Outputs.shapeLike(daIsInput ? scratch : da, dtype, a);
    Tensor dbTarget = Outputs.shapeLike(dbIsInput ? scratch : db, dtype, b);
    compute(dtype, dc, a, b, c, daTarget, dbTarget, false);
    if (daIsInput || dbIsInput) {
      Tensor out = daIsInput ? da : db;
      Outputs.shapeLike(out, dtype, daIsInput ? a : b);
      System.arraycopy(scratch.data(), 0, out.data(), 0, scratch.size());
    }
  }

  private boolean isInput(Tensor t) {
    for (int i = 0; i < inputSize(); i++) {
      if (inputBlob(i).isTensor() && input(i) == t) {
        return true;
      }
    }
    return false;
  }

  private void compute(DataType dtype, Tensor dc, Tensor a, Tensor b, Tensor c, Tensor da, Tensor db,
      boolean dbFirst) {
    boolean readsA = op == Arithmetic.MUL;
    switch (dtype) {
      case FLOAT:
        FloatKernels.gradient(op, plan, dc.floats(), readsA ? a.floats() : null, b.floats(),
            c != null ? c.floats() : null, da.floats(), db.floats(), dbFirst);
        break;
      case DOUBLE:
        DoubleKernels.gradient(op, plan, dc.doubles(), readsA ? a.doubles() : null, b.doubles(),
            c != null ? c.doubles() : null, da.doubles(), db.doubles(), dbFirst);
        break;
      case INT32:
        try {
          IntKernels.gradient(op, plan, dc.ints(), readsA ? a.ints() : null, b.ints(),
              c != null ? c.ints() : null, da.ints(), db.ints(), dbFirst);
        } catch (ArithmeticException e) {
          throw divisionByZero();
        }
        break;
      case INT64:
        try {
          LongKernels.gradient(op, plan, dc.longs(), readsA ? a.longs() : null, b.longs(),
              c != null ? c.longs() : null, da.longs(), db.longs(), dbFirst);
        } catch (ArithmeticException e) {
          throw divisionByZero();
        }
        break;
      default:
        throw new AssertionError(dtype);
    }
  }

  private void requireType(Tensor t, int input, DataType dtype) {
    if (t.dtype() != dtype) {
      throw located(new ShapeException("input " + input + " '" + inputBlob(input).name() + "' is " + t.dtype()
          + " but A is " + dtype + "; every input of " + type() + " must have one type"), input);
    }
  }

  private void requireCShape(Tensor t, int input, String what) {
    if (!plan.hasCDims(t)) {
      throw located(new ShapeException(what + " '" + inputBlob(input).name() + "' has shape "
          + Shapes.format(t.dims()) + " but C = A " + op.type + " B has shape " + Shapes.format(plan.cDims())),
          input);
    }
  }

  private ZerogException divisionByZero() {
    return new ZerogException("integer division by zero: B '" + inputBlob(bIndex).name() + "' has a zero element")
        .atBlob(inputBlob(bIndex).name());
  }

  private ShapeException located(ShapeException e, int input) {
    return (ShapeException) e.atOp(index(), type()).atBlob(inputBlob(input).name());
  }
}
