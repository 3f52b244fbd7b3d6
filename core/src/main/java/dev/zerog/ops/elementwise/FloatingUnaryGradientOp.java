package dev.zerog.ops.elementwise;

import dev.zerog.ShapeException;
import dev.zerog.op.Arguments;
import dev.zerog.op.BlobType;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorInit;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.util.List;

/**
 * The kernel shape of the gradient operators of the elementwise functions: {@code dX = g(P, dY)}, where P is
 * the forward op's output Y or input X (as the op's gradient maker says) and dY the gradient of Y. P and dY
 * must have one type (FLOAT or DOUBLE) and one shape, which dX takes. dX may be dY (in place).
 *
 * <p>Every such gradient is linear in dY, so a known-zero dY gives a known-zero dX at no cost.
 */
abstract class FloatingUnaryGradientOp extends Operator {
  private final int dyIndex;
  private final int pIndex;

  /** @param dyIndex which input is dY (the other is P) */
  FloatingUnaryGradientOp(OperatorInit init, int dyIndex) {
    super(init);
    this.dyIndex = dyIndex;
    this.pIndex = 1 - dyIndex;
  }

  @Override
  public final void run() {
    Tensor p = input(pIndex);
    Tensor dy = input(dyIndex);
    DataType dtype = p.dtype();
    if (dtype != DataType.FLOAT && dtype != DataType.DOUBLE) {
      throw located(FloatingUnaryOp.unsupported(type(), dtype), pIndex);
    }
    if (dy.dtype() != dtype || dy.rank() != p.rank() || dy.size() != p.size() || !sameDims(dy, p)) {
      throw located(new ShapeException("dY '" + inputBlob(dyIndex).name() + "' is " + dy.dtype() + " "
          + Shapes.format(dy.dims()) + " but '" + inputBlob(pIndex).name() + "' is " + dtype + " "
          + Shapes.format(p.dims()) + "; " + type() + " needs both of one type and shape"), dyIndex);
    }
    Tensor dx = output(0);
    if (dy.isKnownZero()) {
      dx.setKnownZero(dtype, dy.dims());
      return;
    }
    Outputs.shapeLike(dx, dtype, dy);
    if (dtype == DataType.FLOAT) {
      apply(p.floats(), dy.floats(), dx.floats(), p.size());
    } else {
      apply(p.doubles(), dy.doubles(), dx.doubles(), p.size());
    }
  }

  private static boolean sameDims(Tensor a, Tensor b) {
    for (int i = 0; i < a.rank(); i++) {
      if (a.dim(i) != b.dim(i)) {
        return false;
      }
    }
    return true;
  }

  private ShapeException located(ShapeException e, int input) {
    return (ShapeException) e.atOp(index(), type()).atBlob(inputBlob(input).name());
  }

  /** dx[i] = g(p[i], dy[i]) for i < n; dx may be dy. */
  abstract void apply(float[] p, float[] dy, float[] dx, int n);

  /** dx[i] = g(p[i], dy[i]) for i < n; dx may be dy. */
  abstract void apply(double[] p, double[] dy, double[] dx, int n);

  /** The inference of a gradient op whose dY is input 0: dX is like dY. */
  static List<BlobType> inferDyFirst(OperatorDef def, Arguments args, List<BlobType> in) {
    return FloatingUnaryOp.sameAsInput(def, in, 0);
  }

  /** The inference of a gradient op whose dY is input 1: dX is like dY. */
  static List<BlobType> inferDySecond(OperatorDef def, Arguments args, List<BlobType> in) {
    return FloatingUnaryOp.sameAsInput(def, in, 1);
  }
}
