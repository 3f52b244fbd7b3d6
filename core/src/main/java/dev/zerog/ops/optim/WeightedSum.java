package dev.zerog.ops.optim;

import dev.zerog.SchemaException;
import dev.zerog.ShapeException;
import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.Arity;
import dev.zerog.op.BlobType;
import dev.zerog.op.FlopEstimate;
import dev.zerog.op.Linearity;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * WeightedSum, {@code Y = w0·X0 + w1·X1 + ...}, and its gradient op WeightedSumGradient. With Y in place on X0 it
 * is the plain SGD step ({@code param = 1·param + lr·grad}, lr negative) and the weight decay
 * ({@code grad = 1·grad + wd·param}) of Caffe2's optimizers.
 */
final class WeightedSum extends Operator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("WeightedSum")
      .linearity(WeightedSum::linearity)
      .flops((def, in, out) -> FlopEstimate.perOutputElement(def.getInputCount()).flops(def, in, out))
      .inputs(Arity.atLeast(2))
      .outputs(1)
      .allowInPlace(0, 0)
      .doc("Elementwise weighted sum of (tensor, weight) pairs: Y = w0 * X0 + w1 * X1 + ... + wn-1 * Xn-1.\n\n"
          + "The inputs come in pairs X_i, w_i (an even number, at least 2). Every X_i has X0's type (FLOAT or "
          + "DOUBLE) and element count (their shapes may differ, as in Caffe2, which compares sizes only); X0 must "
          + "not be empty. Each w_i is a one-element FLOAT or DOUBLE tensor. Y has X0's type and shape. Y may be "
          + "X0 (in place), not another input. If Y already holds a tensor of the same type and size, its memory "
          + "is reused. Terms whose X_i is a known zero are skipped without materializing it (all of them: Y is a "
          + "known zero), and 1 * X0 in place is left as it is.\n\n"
          + "Gradient (Caffe2's): one WeightedSumGradient(dY, X0, w0, X1, w1, ...) -> (dX0, dX1, ...) with "
          + "dX_i = w_i * dY, followed by (dw0, dw1, ...) with dw_i = sum(dY * X_i) when `grad_on_w` is 1.")
      .input("X0", "the first tensor; may be Y")
      .input("w0", "its weight, one element")
      .input("X1, w1, ...", "more pairs")
      .output("Y", "the weighted sum, of X0's type and shape")
      .arg("grad_on_w", ArgType.INT, "1: the gradient also has the weights' gradients (default 0)")
      .inference((def, args, in) -> List.of(in.get(0)))
      .build();

  /** Caffe2's GetWeightedSumGradient. */
  static final GradientMaker GRADIENT = (GradientContext g) -> {
    boolean gradOnW = Arguments.of(g.def().getArgList()).getBool("grad_on_w", false);
    List<String> inputs = new ArrayList<>();
    List<String> outputs = new ArrayList<>();
    inputs.add(g.GO(0));
    for (int i = 0; i < g.inputCount(); i += 2) {
      inputs.add(g.I(i));
      inputs.add(g.I(i + 1));
      outputs.add(g.GI(i));
    }
    if (gradOnW) {
      for (int i = 0; i < g.inputCount(); i += 2) {
        outputs.add(g.GI(i + 1));
      }
    }
    return GradientContext.single("WeightedSumGradient", inputs, outputs);
  };

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(WeightedSum::new).gradient(GRADIENT).build();

  WeightedSum(OperatorInit init) {
    super(init);
    if (init.inputs().length % 2 != 0) {
      throw new SchemaException("WeightedSum takes (tensor, weight) pairs, an even number of inputs, got "
          + init.inputs().length);
    }
  }

  @Override
  public void run() {
    Tensor x0 = input(0);
    DataType t = x0.dtype();
    if (t != DataType.FLOAT && t != DataType.DOUBLE) {
      throw shapeError(0, "WeightedSum supports FLOAT and DOUBLE tensors, got " + t);
    }
    int size = x0.size();
    if (size == 0) {
      throw shapeError(0, "X0 is empty (" + Shapes.format(x0.dims()) + "); WeightedSum needs at least one "
          + "element, as in Caffe2");
    }
    int n = inputSize();
    for (int i = 2; i < n; i += 2) {
      Tensor x = input(i);
      if (x.dtype() != t || x.size() != size) {
        throw shapeError(i, "input " + i + " '" + inputBlob(i).name() + "' is " + x.dtype() + " "
            + Shapes.format(x.dims()) + ", but X0 '" + inputBlob(0).name() + "' is " + t + " "
            + Shapes.format(x0.dims()) + "; every X_i must have X0's type and element count");
      }
    }
    for (int i = 1; i < n; i += 2) {
      weight(i);
    }
    boolean inPlace = inPlace(0, 0);
    Tensor y = output(0);
    // Known-zero terms add nothing and are skipped without materializing them; 1 * X0 in place is X0 already.
    int first = nextTerm(0);
    if (first == n) {
      if (!inPlace || !x0.isKnownZero()) {
        y.setKnownZero(t, x0.dims());
      }
      return;
    }
    boolean keepX0 = inPlace && first == 0 && weight(1) == 1.0;
    if (keepX0 && nextTerm(2) == n) {
      return;
    }
    if (!inPlace) {
      y.resizeLike(t, x0);
    }
    // The first two pairs in one pass (Y = w0·X0 + w1·X1, the whole SGD step and the whole weight decay): one
    // read of each input and one write of Y, where a pass per pair would write Y and read it back. Each element
    // is rounded as the pass per pair rounds it, (w0·X0 + w1·X1) + w2·X2 + ..., so the result is the same.
    if (t == DataType.FLOAT) {
      float[] out = y.floats();
      int next = nextTerm(first + 2);
      if (!keepX0) {
        float w0 = (float) weight(first + 1);
        float[] a = input(first).floats();
        if (next == n) {
          for (int k = 0; k < size; k++) {
            out[k] = w0 * a[k];
          }
        } else {
          float w1 = (float) weight(next + 1);
          float[] b = input(next).floats();
          for (int k = 0; k < size; k++) {
            out[k] = w0 * a[k] + w1 * b[k];
          }
          next = nextTerm(next + 2);
        }
      }
      for (; next < n; next = nextTerm(next + 2)) {
        float w = (float) weight(next + 1);
        float[] x = input(next).floats();
        for (int k = 0; k < size; k++) {
          out[k] += w * x[k];
        }
      }
    } else {
      double[] out = y.doubles();
      int next = nextTerm(first + 2);
      if (!keepX0) {
        double w0 = weight(first + 1);
        double[] a = input(first).doubles();
        if (next == n) {
          for (int k = 0; k < size; k++) {
            out[k] = w0 * a[k];
          }
        } else {
          double w1 = weight(next + 1);
          double[] b = input(next).doubles();
          for (int k = 0; k < size; k++) {
            out[k] = w0 * a[k] + w1 * b[k];
          }
          next = nextTerm(next + 2);
        }
      }
      for (; next < n; next = nextTerm(next + 2)) {
        double w = weight(next + 1);
        double[] x = input(next).doubles();
        for (int k = 0; k < size; k++) {
          out[k] += w * x[k];
        }
      }
    }
  }

  /** The first tensor input at or after {@code from} (an even position) that is not a known zero, or the count. */
  private int nextTerm(int from) {
    int i = from;
    while (i < inputSize() && input(i).isKnownZero()) {
      i += 2;
    }
    return Math.min(i, inputSize());
  }

  /** The value of the one-element weight at input {@code i}. */
  private double weight(int i) {
    return weightValue(input(i), i, inputBlob(i).name());
  }

  /** The value of a one-element FLOAT or DOUBLE weight tensor (input {@code i}, blob {@code blob}). */
  static double weightValue(Tensor w, int i, String blob) {
    if (w.size() != 1 || (w.dtype() != DataType.FLOAT && w.dtype() != DataType.DOUBLE)) {
      throw (ShapeException) new ShapeException("weight input " + i + " must be a one-element FLOAT or DOUBLE "
          + "tensor, got " + w.dtype() + " " + Shapes.format(w.dims())).atBlob(blob);
    }
    return w.getDouble(0);
  }

  private ShapeException shapeError(int input, String detail) {
    return (ShapeException) new ShapeException(detail).atBlob(inputBlob(input).name());
  }

  /** Shape inference of WeightedSumGradient: each dX_i like dY, each dw_i [1] of dY's type. */
  static List<BlobType> inferGradient(OperatorDef def, Arguments args, List<BlobType> in) {
    int pairs = (in.size() - 1) / 2;
    List<BlobType> out = new ArrayList<>();
    for (int k = 0; k < def.getOutputCount(); k++) {
      out.add(k < pairs ? in.get(0) : new BlobType(in.get(0).dtype(), new long[] {1}));
    }
    return out;
  }

  /** Linear in the tensors X0, X1, ... together (the weights held fixed). */
  static List<Linearity> linearity(OperatorDef def) {
    List<Integer> in = new ArrayList<>();
    for (int i = 0; i < def.getInputCount(); i += 2) {
      in.add(i);
    }
    return List.of(new Linearity(in, List.of(0)));
  }
}
