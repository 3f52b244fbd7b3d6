package dev.zerog.ops.loss;

import dev.zerog.SchemaException;
import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.Arity;
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
import java.util.ArrayList;
import java.util.List;

/**
 * SoftmaxWithLoss: softmax and cross-entropy in one op, and its gradient op SoftmaxWithLossGradient.
 *
 * <p>The logits X are N x D (split at {@code axis}, as in Softmax). With integer labels T (one class per row),
 * the loss of row i is -log P[i, T[i]], computed as a log-softmax so that it stays finite; with
 * {@code label_prob: 1}, T holds a probability distribution per row and the loss is -Σ_j T[i, j] log P[i, j].
 * An optional weight per row multiplies the row's loss. The output loss is
 * scale · Σ_i w_i loss_i / Σ_i w_i (w_i = 1 without weights), and 0 when the weights sum to 0.
 *
 * <p>Gradient (Caffe2's GetSoftmaxWithLossGradient):
 * {@code SoftmaxWithLossGradient(X, T, [weights,] P, dLoss) -> dX}, with
 * dX[i, j] = (P[i, j] - t[i, j]) · w_i · scale · dLoss / Σ_i w_i, t being T as one-hot rows for integer labels.
 * Only the loss's gradient flows back: the gradient of the softmax output P is ignored, as in Caffe2.
 */
final class SoftmaxWithLoss extends Operator {
  /** The smallest probability a logarithm is taken of, as Caffe2's. */
  static final double LOG_THRESHOLD = 1e-20;

  static final OperatorSchema SCHEMA = OperatorSchema.builder("SoftmaxWithLoss")
      .flops(FlopEstimate.perInputElement(0, 6))
      .inputs(Arity.range(2, 3))
      .outputs(2)
      .doc("Softmax followed by the cross-entropy loss, computed together for numerical stability.\n\n"
          + "The logits X (FLOAT or DOUBLE, rank >= 1) are read as N x D: N is the product of the dims before "
          + "`axis`, D of the dims from `axis` on. P = softmax of each row, X's shape.\n\n"
          + "Integer labels (the default): T is INT32 or INT64 with N elements (shape [N], the dims before "
          + "`axis`, or those followed by a 1), each in [0, D); loss_i = -log P[i, T[i]], computed as "
          + "-(X[i, T[i]] - max_i - log Σ_j exp(X[i, j] - max_i)).\n\n"
          + "Label probabilities (`label_prob: 1`): T has X's type, N x D elements split at `axis` like X, "
          + "each >= 0 and each row summing to 1 (within 1e-5); loss_i = -Σ_j T[i, j] log max(P[i, j], 1e-20)."
          + "\n\n"
          + "With a weight input w (X's type, N elements), row i counts w_i times. The loss output is a 0-d "
          + "scalar of X's type: scale · Σ_i w_i loss_i / Σ_i w_i (w_i = 1 without weights), or 0 when the "
          + "weights sum to 0.\n\n"
          + "Gradient: SoftmaxWithLossGradient(X, T, [w,] P, dLoss) -> dX, "
          + "dX[i, j] = (P[i, j] - t[i, j]) w_i · scale · dLoss / Σ_i w_i, where t is T (one-hot rows for "
          + "integer labels). Only the loss's gradient is used; a gradient reaching P is ignored, as in Caffe2.")
      .input("logits", "X: FLOAT or DOUBLE, rank >= 1, read as N x D")
      .input("labels", "T: N integer classes (INT32 or INT64), or N x D probabilities of X's type with "
          + "label_prob")
      .input("weight_tensor", "optional: w, one weight per row (N elements of X's type)")
      .output("softmax", "P: the softmax of each row, X's type and shape")
      .output("loss", "the weighted average cross-entropy times scale: a 0-d scalar of X's type")
      .arg("label_prob", ArgType.INT, "1: T holds a probability distribution per row (default 0: classes)")
      .arg("axis", ArgType.INT, "where X is split into N x D (default 1; negative counts from the end)")
      .arg("scale", ArgType.FLOAT, "the factor of the loss, >= 0 (default 1)")
      .arg("order", ArgType.STRING, "only \"NCHW\" (the default) is supported")
      .inference(SoftmaxWithLoss::infer)
      .build();

  /** Caffe2's GetSoftmaxWithLossGradient: (X, T, [w,] P, dLoss) -> dX. */
  static final GradientMaker GRADIENT = (GradientContext g) -> {
    List<String> in = new ArrayList<>(List.of(g.I(0), g.I(1)));
    if (g.inputCount() == 3) {
      in.add(g.I(2));
    }
    in.add(g.O(0));
    in.add(g.GO(1));
    return GradientContext.single("SoftmaxWithLossGradient", in, List.of(g.GI(0)));
  };

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(SoftmaxWithLoss::new).gradient(GRADIENT).build();

  /** The dims of the 0-d loss. */
  private static final long[] SCALAR = new long[0];

  private final Settings settings;
  private final Batch batch = new Batch();
  private double[] rowLoss = new double[0];

  SoftmaxWithLoss(OperatorInit init) {
    super(init);
    settings = new Settings(init.args());
  }

  /** The arguments SoftmaxWithLoss and its gradient share. */
  static final class Settings {
    final float scale;
    final boolean labelProb;
    final int axis;

    Settings(Arguments args) {
      scale = args.getFloat("scale", 1f);
      labelProb = args.getBool("label_prob", false);
      axis = args.getInt("axis", 1);
      if (!(scale >= 0)) {
        throw new SchemaException("argument 'scale' must be >= 0, got " + scale);
      }
      String order = args.getString("order", "NCHW");
      if (!order.equalsIgnoreCase("NCHW")) {
        throw new SchemaException("argument 'order' must be \"NCHW\", the only order supported, got \"" + order
            + "\"");
      }
    }
  }

  /**
   * The validated inputs of one run: X as N x D, labels, weights. Each operator keeps one and refills it with
   * {@link #check} on every run, so that a run allocates nothing.
   */
  static final class Batch {
    private final int[] nd = new int[2];
    DataType dtype;
    boolean labelProb;
    int n;
    int d;
    Tensor labels;
    Tensor weights;

    /** Checks the inputs of {@code op} and takes their sizes; the weights {@code w} may be null. */
    Batch check(Operator op, Settings s, Tensor x, String xName, Tensor t, String tName, Tensor w, String wName) {
      dtype = Inputs.floating(op.type(), x, xName);
      labelProb = s.labelProb;
      Softmax.rows(x, s.axis, xName, nd);
      n = nd[0];
      d = nd[1];
      int axis = Shapes.canonicalAxis(s.axis, x.rank());
      int tRank = t.rank();
      if (s.labelProb) {
        Inputs.sameType(t, tName, dtype, xName);
        boolean ok = tRank >= 2 && tRank >= axis && Inputs.sizeBetween(t, 0, axis) == n
            && Inputs.sizeBetween(t, axis, tRank) == d;
        if (!ok) {
          throw Inputs.error(tName, "with label_prob, the labels must have rank >= 2 and split at axis " + axis
              + " into " + n + " x " + d + " like the logits " + Shapes.format(x.dims()) + ", got "
              + Shapes.format(t.dims()));
        }
      } else {
        if (t.dtype() != DataType.INT32 && t.dtype() != DataType.INT64) {
          throw Inputs.error(tName, "the labels must be INT32 or INT64 class indices (or set label_prob: 1 for "
              + "probabilities), got " + t.dtype() + " " + Shapes.format(t.dims()));
        }
        boolean ok = tRank == axis ? t.size() == n
            : tRank > axis && Inputs.sizeBetween(t, 0, axis) == n && Inputs.sizeBetween(t, axis, tRank) == 1;
        if (!ok) {
          throw Inputs.error(tName, "the labels must hold one class for each of the " + n + " rows of the logits "
              + Shapes.format(x.dims()) + " (shape [" + n + "] or the dims before axis " + axis
              + ", optionally followed by 1), got " + Shapes.format(t.dims()));
        }
      }
      labels = t;
      if (w != null) {
        Inputs.sameType(w, wName, dtype, xName);
        if (w.size() != n) {
          throw Inputs.error(wName, "the weights must hold one value for each of the " + n + " rows, got "
              + Shapes.format(w.dims()));
        }
      }
      weights = w;
      return this;
    }

    /** True for integer labels, false for label probabilities. */
    boolean labelsAreClasses() {
      return !labelProb;
    }

    /** The class of row i, checked to lie in [0, D). */
    int label(int i, String tName) {
      long c = labels.getLong(i);
      if (c < 0 || c >= d) {
        throw Inputs.error(tName, "Label seems incorrect: label value larger than number of classes: " + c
            + " vs " + d + " (row " + i + "; labels must lie in [0, " + d + "))");
      }
      return (int) c;
    }

    double weight(int i) {
      return weights == null ? 1 : weights.getDouble(i);
    }
  }

  @Override
  public void run() {
    String xName = inputBlob(0).name();
    String tName = inputBlob(1).name();
    Tensor x = input(0);
    Batch b = batch.check(this, settings, x, xName, input(1), tName, inputSize() > 2 ? input(2) : null,
        inputSize() > 2 ? inputBlob(2).name() : null);
    if (rowLoss.length < b.n) {
      rowLoss = new double[b.n];
    }
    Tensor p = output(0).resizeLike(b.dtype, x);
    if (b.dtype == DataType.FLOAT) {
      rowLosses(b, x.floats(), p.floats(), tName);
    } else {
      rowLosses(b, x.doubles(), p.doubles(), tName);
    }
    double lossSum = 0;
    double weightSum = 0;
    for (int i = 0; i < b.n; i++) {
      double w = b.weight(i);
      lossSum += w * rowLoss[i];
      weightSum += w;
    }
    double loss = weightSum != 0 ? lossSum * settings.scale / weightSum : 0;
    Tensor out = output(1).resize(b.dtype, SCALAR);
    if (b.dtype == DataType.FLOAT) {
      out.floats()[0] = (float) loss;
    } else {
      out.doubles()[0] = loss;
    }
  }

  /** Writes P and the unweighted loss of every row into {@link #rowLoss}. */
  private void rowLosses(Batch b, float[] x, float[] p, String tName) {
    int d = b.d;
    for (int i = 0; i < b.n; i++) {
      int row = i * d;
      float max = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < d; j++) {
        max = Math.max(max, x[row + j]);
      }
      double sum = 0;
      for (int j = 0; j < d; j++) {
        float e = (float) Math.exp(x[row + j] - max);
        p[row + j] = e;
        sum += e;
      }
      float s = (float) sum;
      if (b.labelsAreClasses()) {
        int c = b.label(i, tName);
        double logSum = Math.log(Math.max(s, LOG_THRESHOLD));
        rowLoss[i] = -((double) x[row + c] - max - logSum);
        for (int j = 0; j < d; j++) {
          p[row + j] /= s;
        }
      } else {
        for (int j = 0; j < d; j++) {
          p[row + j] /= s;
        }
        rowLoss[i] = probabilityLoss(b, i, p, row, tName);
      }
    }
  }

  private void rowLosses(Batch b, double[] x, double[] p, String tName) {
    int d = b.d;
    for (int i = 0; i < b.n; i++) {
      int row = i * d;
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < d; j++) {
        max = Math.max(max, x[row + j]);
      }
      double sum = 0;
      for (int j = 0; j < d; j++) {
        double e = Math.exp(x[row + j] - max);
        p[row + j] = e;
        sum += e;
      }
      for (int j = 0; j < d; j++) {
        p[row + j] /= sum;
      }
      if (b.labelsAreClasses()) {
        int c = b.label(i, tName);
        rowLoss[i] = -(x[row + c] - max - Math.log(Math.max(sum, LOG_THRESHOLD)));
      } else {
        double loss = 0;
        double total = 0;
        double[] t = b.labels.doubles();
        for (int j = 0; j < d; j++) {
          double tj = checkedProbability(t[row + j], tName);
          loss -= Math.log(Math.max(p[row + j], LOG_THRESHOLD)) * tj;
          total += tj;
        }
        checkTotal(total, i, tName);
        rowLoss[i] = loss;
      }
    }
  }

  private static double probabilityLoss(Batch b, int i, float[] p, int row, String tName) {
    float[] t = b.labels.floats();
    double loss = 0;
    double total = 0;
    for (int j = 0; j < b.d; j++) {
      double tj = checkedProbability(t[row + j], tName);
      loss -= Math.log(Math.max(p[row + j], LOG_THRESHOLD)) * tj;
      total += tj;
    }
    checkTotal(total, i, tName);
    return loss;
  }

  private static double checkedProbability(double t, String tName) {
    if (!(t >= 0)) {
      throw Inputs.error(tName, "Label prob seems incorrect: label prob value must be nonnegative: " + t);
    }
    return t;
  }

  private static void checkTotal(double total, int row, String tName) {
    if (!(Math.abs(total - 1) < 1e-5)) {
      throw Inputs.error(tName, "Label prob seems incorrect: label prob values do not sum to 1.0: " + total
          + " vs 1.0 (+/- 1e-5) in row " + row);
    }
  }

  static List<BlobType> infer(OperatorDef def, Arguments args, List<BlobType> in) {
    BlobType x = in.get(0);
    Inputs.inferFloating(def, x, 0);
    return List.of(x, new BlobType(x.dtype(), new long[0]));
  }

  /** SoftmaxWithLossGradient(X, T, [w,] P, dLoss) -> dX. */
  static final class Gradient extends Operator {
    static final OperatorSchema SCHEMA = OperatorSchema.builder("SoftmaxWithLossGradient")
      .linearIn(-1)
        .flops(FlopEstimate.perOutputElement(2))
        .inputs(Arity.range(4, 5))
        .outputs(1)
        .doc("The gradient of SoftmaxWithLoss with respect to its logits: "
            + "dX[i, j] = (P[i, j] - t[i, j]) w_i · scale · dLoss / Σ_i w_i, where t is T as one-hot rows for "
            + "integer labels (T itself with label_prob), w_i = 1 and Σ_i w_i = N without weights. If the "
            + "weights sum to 0 or less, dX is (P - t) w unscaled, as in Caffe2. dX has X's type and shape.")
        .input("X", "the logits")
        .input("T", "the labels")
        .input("w", "optional: the weights")
        .input("P", "SoftmaxWithLoss's softmax output")
        .input("dLoss", "the gradient of the loss, one element")
        .output("dX", "the gradient of the logits, X's type and shape")
        .arg("label_prob", ArgType.INT, "as in SoftmaxWithLoss")
        .arg("axis", ArgType.INT, "as in SoftmaxWithLoss")
        .arg("scale", ArgType.FLOAT, "as in SoftmaxWithLoss")
        .arg("order", ArgType.STRING, "as in SoftmaxWithLoss")
        .inference((def, args, in) -> List.of(in.get(0)))
        .build();

    static final OperatorDefinition DEFINITION =
        OperatorDefinition.builder(SCHEMA).cpu(Gradient::new).noGradient().build();

    private final Settings settings;
    private final Batch batch = new Batch();

    Gradient(OperatorInit init) {
      super(init);
      settings = new Settings(init.args());
    }

    @Override
    public void run() {
      int np = inputSize() - 2;
      String xName = inputBlob(0).name();
      String tName = inputBlob(1).name();
      Tensor x = input(0);
      boolean weighted = inputSize() == 5;
      Batch b = batch.check(this, settings, x, xName, input(1), tName, weighted ? input(2) : null,
          weighted ? inputBlob(2).name() : null);
      Tensor p = input(np);
      String pName = inputBlob(np).name();
      Inputs.sameType(p, pName, b.dtype, xName);
      if (!p.hasSameDims(x)) {
        Inputs.sameDims(p, pName, x.dims(), xName);
      }
      Tensor dLoss = input(np + 1);
      String dName = inputBlob(np + 1).name();
      Inputs.sameType(dLoss, dName, b.dtype, xName);
      Inputs.scalar(dLoss, dName);
      Tensor dx = output(0).resizeLike(b.dtype, x);
      double totalWeight = 0;
      for (int i = 0; i < b.n; i++) {
        totalWeight += b.weight(i);
      }
      double factor = totalWeight > 0 ? settings.scale / totalWeight * dLoss.getDouble(0) : 1;
      if (b.dtype == DataType.FLOAT) {
        backward(b, p.floats(), dx.floats(), (float) factor, tName);
      } else {
        backward(b, p.doubles(), dx.doubles(), factor, tName);
      }
    }

    private static void backward(Batch b, float[] p, float[] dx, float factor, String tName) {
      int d = b.d;
      float[] t = b.labelsAreClasses() ? null : b.labels.floats();
      for (int i = 0; i < b.n; i++) {
        int row = i * d;
        float f = (float) (factor * b.weight(i));
        if (t == null) {
          int c = b.label(i, tName);
          for (int j = 0; j < d; j++) {
            dx[row + j] = p[row + j] * f;
          }
          dx[row + c] = (p[row + c] - 1) * f;
        } else {
          for (int j = 0; j < d; j++) {
            dx[row + j] = (p[row + j] - t[row + j]) * f;
          }
        }
      }
    }

    private static void backward(Batch b, double[] p, double[] dx, double factor, String tName) {
      int d = b.d;
      double[] t = b.labelsAreClasses() ? null : b.labels.doubles();
      for (int i = 0; i < b.n; i++) {
        int row = i * d;
        double f = factor * b.weight(i);
        if (t == null) {
          int c = b.label(i, tName);
          for (int j = 0; j < d; j++) {
            dx[row + j] = p[row + j] * f;
          }
          dx[row + c] = (p[row + c] - 1) * f;
        } else {
          for (int j = 0; j < d; j++) {
            dx[row + j] = (p[row + j] - t[row + j]) * f;
          }
        }
      }
    }
  }
}
