package dev.zerog.ops.elementwise;

import dev.zerog.ShapeException;
import dev.zerog.op.Arguments;
import dev.zerog.op.BlobType;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorInit;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import java.util.List;

/**
 * The kernel shape of the elementwise functions {@code Y = f(X)} on FLOAT and DOUBLE tensors (Relu, Sigmoid,
 * Exp, ...): checks the type, shapes Y like X (reusing its memory when it already fits), and hands the two
 * arrays to the subclass's loop, once per run. Y may be X (in place): the loops read element i before they
 * write it.
 */
abstract class FloatingUnaryOp extends Operator {
  FloatingUnaryOp(OperatorInit init) {
    super(init);
  }

  @Override
  public final void run() {
    Tensor x = input(0);
    DataType dtype = x.dtype();
    if (dtype != DataType.FLOAT && dtype != DataType.DOUBLE) {
      throw (ShapeException) unsupported(type(), dtype).atOp(index(), type()).atBlob(inputBlob(0).name());
    }
    Tensor y = Outputs.shapeLike(output(0), dtype, x);
    if (dtype == DataType.FLOAT) {
      apply(x.floats(), y.floats(), x.size());
    } else {
      apply(x.doubles(), y.doubles(), x.size());
    }
  }

  /** y[i] = f(x[i]) for i < n; y may be x. */
  abstract void apply(float[] x, float[] y, int n);

  /** y[i] = f(x[i]) for i < n; y may be x. */
  abstract void apply(double[] x, double[] y, int n);

  static ShapeException unsupported(String type, DataType dtype) {
    return new ShapeException(type + " supports FLOAT and DOUBLE tensors, got " + dtype);
  }

  /** The inference of an op whose single output has the type and shape of input {@code index}. */
  static List<BlobType> sameAsInput(OperatorDef def, List<BlobType> in, int index) {
    BlobType t = in.get(index);
    if (t.dtype() != null && t.dtype() != DataType.FLOAT && t.dtype() != DataType.DOUBLE) {
      throw (ShapeException) unsupported(def.getType(), t.dtype()).atBlob(def.getInput(index));
    }
    return List.of(t);
  }

  /** {@link #sameAsInput} for input 0, as a {@link dev.zerog.op.TypeInference}. */
  static List<BlobType> infer(OperatorDef def, Arguments args, List<BlobType> in) {
    return sameAsInput(def, in, 0);
  }
}
