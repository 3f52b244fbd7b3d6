package dev.zerog.ops.optim;

import dev.zerog.ShapeException;
import dev.zerog.op.BlobType;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorInit;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * What the parameter-update operators (MomentumSGD, MomentumSGDUpdate, Adam, Adagrad) share: checks of the
 * tensors they read (one floating-point type for the dense tensors, equal element counts, one-element learning
 * rate and iteration) and outputs that either are their input, in place, or become its copy.
 */
abstract class UpdateOperator extends Operator {
  UpdateOperator(OperatorInit init) {
    super(init);
  }

  /**
   * The type of the dense inputs {@code first}, {@code a} and {@code b}: all FLOAT or all DOUBLE, with the element
   * count of {@code first}. (Fixed arities, not varargs: a varargs call allocates its array on every run.)
   */
  final DataType denseType(int first, int a, int b) {
    DataType t = denseType(first, a);
    sameAs(first, b, t);
    return t;
  }

  /** As {@link #denseType(int, int, int)}, for four inputs. */
  final DataType denseType(int first, int a, int b, int c) {
    DataType t = denseType(first, a, b);
    sameAs(first, c, t);
    return t;
  }

  /** As {@link #denseType(int, int, int)}, for two inputs. */
  final DataType denseType(int first, int a) {
    Tensor x = input(first);
    DataType t = x.dtype();
    if (t != DataType.FLOAT && t != DataType.DOUBLE) {
      throw shapeError(first, type() + " updates FLOAT or DOUBLE tensors; input " + first + " is " + t);
    }
    sameAs(first, a, t);
    return t;
  }

  private void sameAs(int first, int i, DataType t) {
    Tensor a = input(first);
    Tensor b = input(i);
    if (b.dtype() != t || b.size() != a.size()) {
      throw shapeError(i, "input " + i + " '" + inputBlob(i).name() + "' is " + b.dtype() + " "
          + Shapes.format(b.dims()) + " (" + b.size() + " elements), but input " + first + " '"
          + inputBlob(first).name() + "' is " + t + " " + Shapes.format(a.dims()) + " (" + a.size()
          + " elements); they must have the same type and element count");
    }
  }

  /** The value of a one-element floating-point input (a learning rate). */
  final double scalar(int input) {
    Tensor t = input(input);
    if (t.size() != 1 || !t.dtype().isFloatingPoint()) {
      throw shapeError(input, "input " + input + " '" + inputBlob(input).name() + "' must be a one-element "
          + "floating-point tensor, got " + t.dtype() + " " + Shapes.format(t.dims()));
    }
    return t.getDouble(0);
  }

  /** The first value of an INT64 input holding at least one element (an iteration counter). */
  final long iteration(int input) {
    Tensor t = input(input);
    if (t.dtype() != DataType.INT64 || t.size() < 1) {
      throw shapeError(input, "input " + input + " '" + inputBlob(input).name() + "' must be an INT64 iteration "
          + "counter, got " + t.dtype() + " " + Shapes.format(t.dims()));
    }
    return t.longs()[0];
  }

  /**
   * Output {@code out}, shaped like input {@code in}: the input itself when they are the same blob; otherwise
   * resized like it (reusing memory) and, if {@code copy}, holding a copy of its values.
   */
  final Tensor outputLike(int out, int in, DataType dtype, boolean copy) {
    Tensor x = input(in);
    if (inPlace(in, out)) {
      return x;
    }
    Tensor y = output(out);
    y.resizeLike(dtype, x);
    if (copy) {
      System.arraycopy(x.data(), 0, y.data(), 0, x.size());
    }
    return y;
  }

  final ShapeException shapeError(int input, String detail) {
    return (ShapeException) new ShapeException(detail).atBlob(inputBlob(input).name());
  }

  /** Shape inference: output k has the type and dims of input {@code like[k]}. */
  static List<BlobType> likeInputs(OperatorDef def, List<BlobType> in, int... like) {
    List<BlobType> out = new ArrayList<>();
    for (int k = 0; k < def.getOutputCount(); k++) {
      out.add(k < like.length ? in.get(like[k]) : BlobType.UNKNOWN);
    }
    return out;
  }
}
