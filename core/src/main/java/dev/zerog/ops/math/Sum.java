package dev.zerog.ops.math;

import dev.zerog.ShapeException;
import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.Arguments;
import dev.zerog.op.Arity;
import dev.zerog.op.BlobType;
import dev.zerog.op.FlopEstimate;
import dev.zerog.op.KernelThreads;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * Sum: the elementwise sum of one or more tensors of the same type and shape, {@code Y = X0 + X1 + ... + Xn-1}.
 * It is the op the backward builder uses to accumulate gradients.
 *
 * <p>Types: FLOAT, DOUBLE, INT32, INT64 (integers wrap on overflow). Y may be the same blob as X0 (in place);
 * no other input may be Y. When Y already holds a tensor of the same type and size, its memory is reused.
 * Inputs that are known zeros (see {@link Tensor#zeros}) are skipped without being materialized, and if
 * every input is one, Y becomes a known zero too.
 *
 * <p>Gradient (Caffe2's GetSumGradient): pass-through, no op; every input's gradient is Y's gradient.
 */
final class Sum extends Operator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("Sum")
      .linearInEveryInput()
      .flops((def, in, out) -> FlopEstimate.perOutputElement(Math.max(0, def.getInputCount() - 1)).flops(def, in, out))
      .inputs(Arity.atLeast(1))
      .outputs(1)
      .allowInPlace(0, 0)
      .doc("Elementwise sum of the inputs: Y[i] = X0[i] + X1[i] + ... + Xn-1[i].\n\n"
          + "Every input must have the same type (FLOAT, DOUBLE, INT32 or INT64) and the same shape; Y has them "
          + "too. Y may be X0 (in place), not another input. Integer sums wrap on overflow. If Y already holds a "
          + "tensor of the same type and size, its memory is reused.\n\n"
          + "Gradient: dXi = dY for every i (passed through, no op).")
      .input("X0", "the first addend; may be Y")
      .input("X1...", "more addends, each of X0's type and shape")
      .output("Y", "the sum, of X0's type and shape")
      .inference(Sum::infer)
      .build();

  /** Caffe2's GetSumGradient: the output's gradient is every input's gradient, with no op. */
  static final GradientMaker GRADIENT = (GradientContext g) -> {
    String dy = g.GO(0);
    for (int i = 0; i < g.inputCount(); i++) {
      g.setDense(i, dy);
    }
    return List.of();
  };

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(Sum::new).gradient(GRADIENT).build();

  /** FLOAT sums of at least this many elements are split across the kernel threads. */
  static final int PIECE = 1 << 16;

  private float[] fOut;
  private float[] fA;
  private float[] fB;
  /** out = a + b, or out += a when b is null. */
  private final KernelThreads.Body floatLoop = this::addFloats;

  Sum(OperatorInit init) {
    super(init);
  }

  private void addFloats(int from, int to) {
    float[] out = fOut;
    float[] a = fA;
    float[] b = fB;
    if (b != null) {
      for (int i = from; i < to; i++) {
        out[i] = a[i] + b[i];
      }
    } else {
      for (int i = from; i < to; i++) {
        out[i] += a[i];
      }
    }
  }

  /** out = a + b (b non-null) or out += a, over the kernel threads. */
  private void addFloats(float[] out, float[] a, float[] b) {
    fOut = out;
    fA = a;
    fB = b;
    try {
      KernelThreads.forRange(out.length, PIECE, floatLoop);
    } finally {
      fOut = null;
      fA = null;
      fB = null;
    }
  }

  @Override
  public void run() {
    Tensor x0 = input(0);
    DataType dtype = x0.dtype();
    if (dtype != DataType.FLOAT && dtype != DataType.DOUBLE && dtype != DataType.INT32
        && dtype != DataType.INT64) {
      throw shapeError(0, "Sum supports FLOAT, DOUBLE, INT32 and INT64 tensors, got " + dtype);
    }
    int n = inputSize();
    for (int i = 1; i < n; i++) {
      Tensor x = input(i);
      if (x.dtype() != dtype || !x.hasDims(x0.dims())) {
        throw shapeError(i, "input " + i + " '" + inputBlob(i).name() + "' is " + x.dtype() + " "
            + Shapes.format(x.dims()) + ", but input 0 '" + inputBlob(0).name() + "' is " + dtype + " "
            + Shapes.format(x0.dims()) + "; every input of Sum must have the same type and shape");
      }
    }
    boolean inPlace = inPlace(0, 0);
    // The addends still to add: every input that is not a known zero (in place, X0 is already in Y).
    int first = nextAddend(inPlace ? 1 : 0);
    Tensor y = output(0);
    if (first == n) {
      if (!inPlace) {
        y.setKnownZero(dtype, x0.dims());
      }
      return;
    }
    if (!inPlace) {
      y.resize(dtype, x0.dims());
    }
    switch (dtype) {
      case FLOAT:
        sumFloats(y.floats(), first, inPlace);
        break;
      case DOUBLE:
        sumDoubles(y.doubles(), first, inPlace);
        break;
      case INT32:
        sumInts(y.ints(), first, inPlace);
        break;
      case INT64:
        sumLongs(y.longs(), first, inPlace);
        break;
      default:
        throw new AssertionError(dtype);
    }
  }

  /** The index of the first input at or after {@code from} that is not a known zero, or the input count. */
  private int nextAddend(int from) {
    int i = from;
    while (i < inputSize() && input(i).isKnownZero()) {
      i++;
    }
    return i;
  }

  private ShapeException shapeError(int input, String detail) {
    return (ShapeException) new ShapeException(detail).atOp(index(), type()).atBlob(inputBlob(input).name());
  }

  // One loop per type over primitive arrays, no allocation. Not in place, Y starts as the first addend (or
  // the sum of the first two, in one pass); every further addend is then added to Y in turn. FLOAT loops are
  // split across the kernel threads (each element is still the same sum in the same order).

  private void sumFloats(float[] out, int first, boolean inPlace) {
    int next = first;
    if (!inPlace) {
      float[] a = input(first).floats();
      int second = nextAddend(first + 1);
      if (second < inputSize()) {
        addFloats(out, a, input(second).floats());
        next = nextAddend(second + 1);
      } else {
        System.arraycopy(a, 0, out, 0, out.length);
        next = second;
      }
    }
    for (; next < inputSize(); next = nextAddend(next + 1)) {
      addFloats(out, input(next).floats(), null);
    }
  }

  private void sumDoubles(double[] out, int first, boolean inPlace) {
    int next = first;
    if (!inPlace) {
      double[] a = input(first).doubles();
      int second = nextAddend(first + 1);
      if (second < inputSize()) {
        double[] b = input(second).doubles();
        for (int i = 0; i < out.length; i++) {
          out[i] = a[i] + b[i];
        }
        next = nextAddend(second + 1);
      } else {
        System.arraycopy(a, 0, out, 0, out.length);
        next = second;
      }
    }
    for (; next < inputSize(); next = nextAddend(next + 1)) {
      double[] a = input(next).doubles();
      for (int i = 0; i < out.length; i++) {
        out[i] += a[i];
      }
    }
  }

  private void sumInts(int[] out, int first, boolean inPlace) {
    int next = first;
    if (!inPlace) {
      int[] a = input(first).ints();
      int second = nextAddend(first + 1);
      if (second < inputSize()) {
        int[] b = input(second).ints();
        for (int i = 0; i < out.length; i++) {
          out[i] = a[i] + b[i];
        }
        next = nextAddend(second + 1);
      } else {
        System.arraycopy(a, 0, out, 0, out.length);
        next = second;
      }
    }
    for (; next < inputSize(); next = nextAddend(next + 1)) {
      int[] a = input(next).ints();
      for (int i = 0; i < out.length; i++) {
        out[i] += a[i];
      }
    }
  }

  private void sumLongs(long[] out, int first, boolean inPlace) {
    int next = first;
    if (!inPlace) {
      long[] a = input(first).longs();
      int second = nextAddend(first + 1);
      if (second < inputSize()) {
        long[] b = input(second).longs();
        for (int i = 0; i < out.length; i++) {
          out[i] = a[i] + b[i];
        }
        next = nextAddend(second + 1);
      } else {
        System.arraycopy(a, 0, out, 0, out.length);
        next = second;
      }
    }
    for (; next < inputSize(); next = nextAddend(next + 1)) {
      long[] a = input(next).longs();
      for (int i = 0; i < out.length; i++) {
        out[i] += a[i];
      }
    }
  }

  /** Every known input type and shape must agree; Y takes them. */
  static List<BlobType> infer(OperatorDef def, Arguments args, List<BlobType> in) {
    DataType dtype = null;
    long[] dims = null;
    int dtypeFrom = -1;
    int dimsFrom = -1;
    for (int i = 0; i < in.size(); i++) {
      BlobType t = in.get(i);
      if (t.dtype() != null) {
        if (dtype == null) {
          dtype = t.dtype();
          dtypeFrom = i;
        } else if (t.dtype() != dtype) {
          throw (ShapeException) new ShapeException("input " + i + " is " + t.dtype() + " but input " + dtypeFrom
              + " is " + dtype + "; every input of Sum must have the same type").atBlob(def.getInput(i));
        }
      }
      long[] d = t.dims();
      if (d != null) {
        if (dims == null) {
          dims = d;
          dimsFrom = i;
        } else if (!Arrays.equals(d, dims)) {
          throw (ShapeException) new ShapeException("input " + i + " has shape " + Shapes.format(d) + " but input "
              + dimsFrom + " has " + Shapes.format(dims) + "; every input of Sum must have the same shape")
              .atBlob(def.getInput(i));
        }
      }
    }
    if (dtype != null && dtype != DataType.FLOAT && dtype != DataType.DOUBLE && dtype != DataType.INT32
        && dtype != DataType.INT64) {
      throw (ShapeException) new ShapeException("Sum supports FLOAT, DOUBLE, INT32 and INT64 tensors, got " + dtype)
          .atBlob(def.getInput(0));
    }
    return List.of(new BlobType(dtype, dims));
  }
}
