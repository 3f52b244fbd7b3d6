package dev.zerog.ops.loss;

import dev.zerog.ShapeException;
import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.BlobType;
import dev.zerog.op.FlopEstimate;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.util.List;

/**
 * Softmax along the trailing axes, and its gradient op SoftmaxGradient.
 *
 * <p>X is viewed as a matrix of N rows and D columns, N the product of the dims before {@code axis} and D of
 * the rest; every row becomes Y[i, j] = exp(X[i, j] - m) / Σ_k exp(X[i, k] - m), with m the row's maximum
 * (which changes nothing mathematically and keeps exp from overflowing). FLOAT and DOUBLE.
 *
 * <p>Gradient (Caffe2's GetSoftmaxGradient): {@code SoftmaxGradient(Y, dY) -> dX}, with
 * dX[i, j] = Y[i, j] (dY[i, j] - Σ_k Y[i, k] dY[i, k]).
 */
final class Softmax extends Operator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("Softmax")
      .flops(FlopEstimate.perOutputElement(5))
      .inputs(1)
      .outputs(1)
      .doc("Softmax of each row: Y[i, j] = exp(X[i, j]) / Σ_k exp(X[i, k]).\n\n"
          + "X, of any rank r >= 1, is read as an N x D matrix: N is the product of the dims before `axis`, D "
          + "the product of the dims from `axis` on (with the default axis 1 and X of shape [B, C], each of "
          + "the B rows is normalized over its C entries). Y has X's type and shape; its rows are positive and "
          + "sum to 1. The row maximum is subtracted before exponentiating, so large inputs do not overflow. "
          + "FLOAT and DOUBLE.\n\n"
          + "Gradient: SoftmaxGradient(Y, dY) -> dX, dX[i, j] = Y[i, j] (dY[i, j] - Σ_k Y[i, k] dY[i, k]).")
      .input("X", "FLOAT or DOUBLE, rank >= 1, read as N x D")
      .output("Y", "the softmax, X's type and shape")
      .arg("axis", ArgType.INT, "the first axis of the D part (default 1; negative counts from the end)")
      .inference(Softmax::infer)
      .build();

  /** Caffe2's GetSoftmaxGradient: SoftmaxGradient(Y, dY) -> dX. */
  static final GradientMaker GRADIENT = (GradientContext g) -> GradientContext.single(
      "SoftmaxGradient", List.of(g.O(0), g.GO(0)), List.of(g.GI(0)));

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(Softmax::new).gradient(GRADIENT).build();

  private final int axis;

  Softmax(OperatorInit init) {
    super(init);
    axis = init.args().getInt("axis", 1);
  }

  @Override
  public void run() {
    Tensor x = input(0);
    DataType dtype = Inputs.floating(type(), x, inputBlob(0).name());
    int[] nd = rows(x, axis, inputBlob(0).name());
    Tensor y = output(0).resize(dtype, x.dims());
    if (dtype == DataType.FLOAT) {
      softmax(x.floats(), y.floats(), nd[0], nd[1]);
    } else {
      softmax(x.doubles(), y.doubles(), nd[0], nd[1]);
    }
  }

  /** {N, D}: X as rows of the dims before {@code axis} by the dims from it on. */
  static int[] rows(Tensor x, int axis, String blob) {
    return rows(x, axis, blob, new int[2]);
  }

  /** {@link #rows(Tensor, int, String)} into {@code nd} (two elements), allocating nothing. */
  static int[] rows(Tensor x, int axis, String blob, int[] nd) {
    int rank = x.rank();
    int a;
    try {
      a = Shapes.canonicalAxis(axis, rank);
    } catch (ShapeException e) {
      throw Inputs.error(blob, "axis " + axis + " is out of range for '" + blob + "' of shape "
          + Shapes.format(x.dims()));
    }
    nd[0] = (int) Inputs.sizeBetween(x, 0, a);
    nd[1] = (int) Inputs.sizeBetween(x, a, rank);
    return nd;
  }

  static void softmax(float[] x, float[] y, int n, int d) {
    for (int i = 0; i < n; i++) {
      int row = i * d;
      float max = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < d; j++) {
        max = Math.max(max, x[row + j]);
      }
      double sum = 0;
      for (int j = 0; j < d; j++) {
        float e = (float) Math.exp(x[row + j] - max);
        y[row + j] = e;
        sum += e;
      }
      float s = (float) sum;
      for (int j = 0; j < d; j++) {
        y[row + j] /= s;
      }
    }
  }

  static void softmax(double[] x, double[] y, int n, int d) {
    for (int i = 0; i < n; i++) {
      int row = i * d;
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < d; j++) {
        max = Math.max(max, x[row + j]);
      }
      double sum = 0;
      for (int j = 0; j < d; j++) {
        double e = Math.exp(x[row + j] - max);
        y[row + j] = e;
        sum += e;
      }
      for (int j = 0; j < d; j++) {
        y[row + j] /= sum;
      }
    }
  }

  static List<BlobType> infer(OperatorDef def, Arguments args, List<BlobType> in) {
    BlobType x = in.get(0);
    Inputs.inferFloating(def, x, 0);
    if (x.dims() != null) {
      int axis = args.getInt("axis", 1);
      if (axis < -x.dims().length || axis >= x.dims().length) {
        throw Inputs.error(def.getInput(0), "axis " + axis + " is out of range for shape "
            + Shapes.format(x.dims()));
      }
    }
    return List.of(x);
  }

  /** SoftmaxGradient(Y, dY) -> dX: the gradient of Softmax, from its output. */
  static final class Gradient extends Operator {
    static final OperatorSchema SCHEMA = OperatorSchema.builder("SoftmaxGradient")
      .linearIn(1)
        .flops(FlopEstimate.perOutputElement(4))
        .inputs(2)
        .outputs(1)
        .doc("The gradient of Softmax: dX[i, j] = Y[i, j] (dY[i, j] - Σ_k Y[i, k] dY[i, k]), rows as in Softmax "
            + "(N x D, split at `axis`). Y and dY have the same type (FLOAT or DOUBLE) and shape; dX has them "
            + "too.")
        .input("Y", "Softmax's output")
        .input("dY", "the gradient of Y, Y's type and shape")
        .output("dX", "the gradient of Softmax's input, Y's type and shape")
        .arg("axis", ArgType.INT, "as in Softmax (default 1)")
        .inference((def, args, in) -> List.of(in.get(0)))
        .build();

    static final OperatorDefinition DEFINITION =
        OperatorDefinition.builder(SCHEMA).cpu(Gradient::new).noGradient().build();

    private final int axis;

    Gradient(OperatorInit init) {
      super(init);
      axis = init.args().getInt("axis", 1);
    }

    @Override
    public void run() {
      Tensor y = input(0);
      Tensor dy = input(1);
      String yName = inputBlob(0).name();
      DataType dtype = Inputs.floating(type(), y, yName);
      Inputs.sameType(dy, inputBlob(1).name(), dtype, yName);
      Inputs.sameDims(dy, inputBlob(1).name(), y.dims(), yName);
      int[] nd = rows(y, axis, yName);
      Tensor dx = output(0).resize(dtype, y.dims());
      if (dtype == DataType.FLOAT) {
        backward(y.floats(), dy.floats(), dx.floats(), nd[0], nd[1]);
      } else {
        backward(y.doubles(), dy.doubles(), dx.doubles(), nd[0], nd[1]);
      }
    }

    private static void backward(float[] y, float[] dy, float[] dx, int n, int d) {
      for (int i = 0; i < n; i++) {
        int row = i * d;
        double dot = 0;
        for (int j = 0; j < d; j++) {
          dot += (double) y[row + j] * dy[row + j];
        }
        float s = (float) dot;
        for (int j = 0; j < d; j++) {
          dx[row + j] = y[row + j] * (dy[row + j] - s);
        }
      }
    }

    private static void backward(double[] y, double[] dy, double[] dx, int n, int d) {
      for (int i = 0; i < n; i++) {
        int row = i * d;
        double dot = 0;
        for (int j = 0; j < d; j++) {
          dot += y[row + j] * dy[row + j];
        }
        for (int j = 0; j < d; j++) {
          dx[row + j] = y[row + j] * (dy[row + j] - dot);
        }
      }
    }
  }
}
