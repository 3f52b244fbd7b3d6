package dev.zerog.ops.loss;

import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
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
import java.util.Arrays;
import java.util.List;

/**
 * LabelCrossEntropy: the cross-entropy of probabilities X against integer labels, Y[i] = -log X[i, label[i]],
 * and its gradient op LabelCrossEntropyGradient.
 *
 * <p>X is N x D: a 2-D or higher X has N = its first dim and D the product of the rest; a 1-D X is one row
 * (N = 1). The probability is clamped at 1e-20 before the logarithm, as in Caffe2.
 *
 * <p>Gradient (Caffe2's GetLabelCrossEntropyGradient): {@code LabelCrossEntropyGradient(X, label, dY) -> dX},
 * zero except dX[i, label[i]] = -dY[i] / max(X[i, label[i]], 1e-20).
 */
final class LabelCrossEntropy extends Operator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("LabelCrossEntropy")
      .flops(FlopEstimate.perOutputElement(2))
      .inputs(2)
      .outputs(1)
      .doc("Cross-entropy against integer labels: Y[i] = -log max(X[i, label[i]], 1e-20).\n\n"
          + "X (FLOAT or DOUBLE) holds probabilities, usually a softmax: with rank >= 2 it is N x D, N its first "
          + "dim and D the product of the others; a 1-D X of length D is a single row (N = 1). label is INT32 "
          + "or INT64, of shape [N] or [N, 1], each value in [0, D). Y has X's type and shape [N].\n\n"
          + "Gradient: LabelCrossEntropyGradient(X, label, dY) -> dX, zero except "
          + "dX[i, label[i]] = -dY[i] / max(X[i, label[i]], 1e-20).")
      .input("X", "probabilities, FLOAT or DOUBLE, [N, ...] (or [D] for one row)")
      .input("label", "INT32 or INT64 classes, [N] or [N, 1]")
      .output("Y", "the cross-entropy of each row, X's type, [N]")
      .inference(LabelCrossEntropy::infer)
      .build();

  /** Caffe2's GetLabelCrossEntropyGradient: (X, label, dY) -> dX. */
  static final GradientMaker GRADIENT = (GradientContext g) -> GradientContext.single(
      "LabelCrossEntropyGradient", List.of(g.I(0), g.I(1), g.GO(0)), List.of(g.GI(0)));

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(LabelCrossEntropy::new).gradient(GRADIENT).build();

  LabelCrossEntropy(OperatorInit init) {
    super(init);
  }

  /** {N, D} of X, after checking X and the labels. */
  static int[] rows(Operator op, Tensor x, String xName, Tensor label, String labelName) {
    Inputs.floating(op.type(), x, xName);
    if (x.rank() == 0) {
      throw Inputs.error(xName, "X must have rank >= 1, got a 0-d tensor");
    }
    int n = x.rank() > 1 ? (int) x.dim(0) : 1;
    int d = x.rank() > 1 ? (int) Shapes.sizeBetween(x.dims(), 1, x.rank()) : (int) x.dim(0);
    if (label.dtype() != DataType.INT32 && label.dtype() != DataType.INT64) {
      throw Inputs.error(labelName, "the labels must be INT32 or INT64, got " + label.dtype());
    }
    boolean shapeOk = (label.rank() == 1 || (label.rank() == 2 && label.dim(1) == 1)) && label.dim(0) == n;
    if (!shapeOk) {
      throw Inputs.error(labelName, "the labels must have shape [" + n + "] or [" + n + ", 1] for X of shape "
          + Shapes.format(x.dims()) + ", got " + Shapes.format(label.dims()));
    }
    return new int[] {n, d};
  }

  /** The class of row i, checked to lie in [0, D). */
  static int label(Tensor label, int i, int d, String labelName) {
    long c = label.getLong(i);
    if (c < 0 || c >= d) {
      throw Inputs.error(labelName, "Label seems to be outside of supported range. Supported labels are in "
          + "range [0," + d + "), got " + c + " in row " + i);
    }
    return (int) c;
  }

  @Override
  public void run() {
    Tensor x = input(0);
    Tensor label = input(1);
    String labelName = inputBlob(1).name();
    int[] nd = rows(this, x, inputBlob(0).name(), label, labelName);
    int n = nd[0];
    int d = nd[1];
    Tensor y = output(0).resize(x.dtype(), n);
    if (x.dtype() == DataType.FLOAT) {
      float[] xs = x.floats();
      float[] ys = y.floats();
      for (int i = 0; i < n; i++) {
        ys[i] = (float) -Math.log(Math.max(xs[i * d + label(label, i, d, labelName)], 1e-20f));
      }
    } else {
      double[] xs = x.doubles();
      double[] ys = y.doubles();
      for (int i = 0; i < n; i++) {
        ys[i] = -Math.log(Math.max(xs[i * d + label(label, i, d, labelName)], 1e-20));
      }
    }
  }

  static List<BlobType> infer(OperatorDef def, Arguments args, List<BlobType> in) {
    BlobType x = in.get(0);
    Inputs.inferFloating(def, x, 0);
    long[] dims = x.dims();
    if (dims == null) {
      return List.of(new BlobType(x.dtype(), null));
    }
    if (dims.length == 0) {
      throw Inputs.error(def.getInput(0), "X must have rank >= 1, got a 0-d tensor");
    }
    return List.of(new BlobType(x.dtype(), new long[] {dims.length > 1 ? dims[0] : 1}));
  }

  /** LabelCrossEntropyGradient(X, label, dY) -> dX. */
  static final class Gradient extends Operator {
    static final OperatorSchema SCHEMA = OperatorSchema.builder("LabelCrossEntropyGradient")
      .linearIn(2)
        .flops(FlopEstimate.perOutputElement(1))
        .inputs(3)
        .outputs(1)
        .doc("The gradient of LabelCrossEntropy: dX has X's type and shape and is zero except "
            + "dX[i, label[i]] = -dY[i] / max(X[i, label[i]], 1e-20). dY is [N], X's type.")
        .input("X", "LabelCrossEntropy's input X")
        .input("label", "LabelCrossEntropy's labels")
        .input("dY", "the gradient of Y, [N]")
        .output("dX", "the gradient of X, X's type and shape")
        .inference((def, args, in) -> List.of(in.get(0)))
        .build();

    static final OperatorDefinition DEFINITION =
        OperatorDefinition.builder(SCHEMA).cpu(Gradient::new).noGradient().build();

    Gradient(OperatorInit init) {
      super(init);
    }

    @Override
    public void run() {
      Tensor x = input(0);
      Tensor label = input(1);
      Tensor dy = input(2);
      String labelName = inputBlob(1).name();
      int[] nd = rows(this, x, inputBlob(0).name(), label, labelName);
      int n = nd[0];
      int d = nd[1];
      Inputs.sameType(dy, inputBlob(2).name(), x.dtype(), inputBlob(0).name());
      Inputs.vector(dy, inputBlob(2).name(), n);
      Tensor dx = output(0).resize(x.dtype(), x.dims());
      if (x.dtype() == DataType.FLOAT) {
        float[] xs = x.floats();
        float[] g = dy.floats();
        float[] out = dx.floats();
        Arrays.fill(out, 0f);
        for (int i = 0; i < n; i++) {
          int k = i * d + label(label, i, d, labelName);
          out[k] = -g[i] / Math.max(xs[k], 1e-20f);
        }
      } else {
        double[] xs = x.doubles();
        double[] g = dy.doubles();
        double[] out = dx.doubles();
        Arrays.fill(out, 0d);
        for (int i = 0; i < n; i++) {
          int k = i * d + label(label, i, d, labelName);
          out[k] = -g[i] / Math.max(xs[k], 1e-20);
        }
      }
    }
  }
}
