package dev.zerog.ops.elementwise;

import dev.zerog.ShapeException;
import dev.zerog.ZerogException;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorInit;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;

/**
 * The kernel of Add, Sub, Mul and Div: checks the types, plans the broadcast (kept while the shapes stay the
 * same), shapes C and runs the loop of {@link FloatKernels} (or its double, int and long twins) for the
 * operation. See {@link Arithmetic} for the semantics.
 */
final class ArithmeticOp extends Operator {
  private final Arithmetic op;
  private final BroadcastArguments broadcast;
  private final Broadcast plan = new Broadcast();

  ArithmeticOp(OperatorInit init, Arithmetic op) {
    super(init);
    this.op = op;
    this.broadcast = BroadcastArguments.read(init.args());
    if (broadcast.legacy() && inPlace(1, 0)) {
      throw error("with broadcast: 1, C may be A (in place) but not B");
    }
  }

  @Override
  public void run() {
    Tensor a = input(0);
    Tensor b = input(1);
    DataType dtype = a.dtype();
    if (!Arithmetic.supports(dtype)) {
      throw located(Arithmetic.unsupported(dtype), 0);
    }
    if (b.dtype() != dtype) {
      throw located(new ShapeException("B '" + inputBlob(1).name() + "' is " + b.dtype() + " but A '"
          + inputBlob(0).name() + "' is " + dtype + "; " + op.type + " needs both of one type"), 1);
    }
    try {
      if (broadcast.legacy()) {
        plan.legacy(a, b, broadcast.axis());
      } else {
        plan.numpy(a, b);
      }
    } catch (ShapeException e) {
      throw located(e, 1);
    }
    if (inPlace(0, 0) && !plan.hasCDims(a) || inPlace(1, 0) && !plan.hasCDims(b)) {
      int in = inPlace(0, 0) ? 0 : 1;
      throw located(new ShapeException("C is written into " + (in == 0 ? "A" : "B") + " (in place), which needs C to"
          + " have its shape " + Shapes.format((in == 0 ? a : b).dims()) + ", but C is "
          + Shapes.format(plan.cDims())), in);
    }
    Tensor c = Outputs.shape(output(0), dtype, plan.cDims());
    switch (dtype) {
      case FLOAT:
        FloatKernels.apply(op, plan, a.floats(), b.floats(), c.floats());
        break;
      case DOUBLE:
        DoubleKernels.apply(op, plan, a.doubles(), b.doubles(), c.doubles());
        break;
      case INT32:
        try {
          IntKernels.apply(op, plan, a.ints(), b.ints(), c.ints());
        } catch (ArithmeticException e) {
          throw divisionByZero();
        }
        break;
      case INT64:
        try {
          LongKernels.apply(op, plan, a.longs(), b.longs(), c.longs());
        } catch (ArithmeticException e) {
          throw divisionByZero();
        }
        break;
      default:
        throw new AssertionError(dtype);
    }
  }

  private ZerogException divisionByZero() {
    return new ZerogException("integer division by zero: B '" + inputBlob(1).name() + "' has a zero element")
        .atBlob(inputBlob(1).name());
  }

  private ShapeException located(ShapeException e, int input) {
    return (ShapeException) e.atOp(index(), type()).atBlob(inputBlob(input).name());
  }
}
