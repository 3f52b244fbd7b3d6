package dev.zerog.ops.norm;

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
import java.util.List;

/**
 * SpatialBN: batch normalization over every axis but the channels, in test mode (given statistics) or training
 * mode (batch statistics, running averages updated in place, the batch mean and inverse standard deviation saved
 * for the gradient); and its gradient op SpatialBNGradient.
 *
 * <p>Gradient (Caffe2's GetSpatialBNGradient): training, {@code SpatialBNGradient(X, scale, dY, saved_mean,
 * saved_inv_std) -> (dX, dscale, dbias)}; test mode, {@code SpatialBNGradient(X, scale, dY, mean, var) -> (dX,
 * dscale, dbias)} with the forward op's {@code is_test: 1}.
 *
 * <p>One deliberate difference from Caffe2: Caffe2's SpatialBNGradient ignores {@code is_test}, reads the variance
 * input of a test-mode op as if it were an inverse standard deviation and applies the training formula, which is
 * not the gradient of the test-mode function. zerog's gradient op honours {@code is_test}: with the statistics
 * constant, dX = scale · dY / sqrt(var + epsilon). Caffe2's {@code num_batches} (statistics accumulated over several
 * batches, inputs 6 and 7) is not supported and is refused.
 */
final class SpatialBN extends Operator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("SpatialBN")
      .flops(FlopEstimate.perInputElement(0, 5))
      .inputs(Arity.oneOf(5, 7))
      .outputs(Arity.oneOf(1, 5))
      .allowInPlace(0, 0)
      .enforceInPlace(3, 1)
      .enforceInPlace(4, 2)
      .doc("Spatial batch normalization: Y = scale[c] · (X - μ[c]) / sqrt(σ²[c] + epsilon) + bias[c] for every "
          + "element of channel c.\n\n"
          + "Test mode (`is_test: 1`, one output): μ and σ² are the inputs mean and var.\n\n"
          + "Training mode (`is_test: 0`, the default; five outputs): μ and σ² are the batch's mean and biased "
          + "variance over every axis but the channels. The running statistics are updated in place (outputs 1 and "
          + "2 must be inputs 3 and 4): running = momentum · running + (1 - momentum) · batch (for the variance, "
          + "the biased batch variance, as in Caffe2); running statistics that do not hold C values are first "
          + "reset to zeros, as in Caffe2. saved_mean = μ and saved_inv_std = 1 / sqrt(σ² + epsilon) are written "
          + "for the gradient.\n\n"
          + "Shapes: X of rank 3 or more, [N, C, ...] (NCHW) or [N, ..., C] (NHWC); scale, bias, mean, var and "
          + "the outputs 1 to 4 hold C values; Y has X's shape. FLOAT or DOUBLE, all of one type. Y may be X (in "
          + "place).\n\n"
          + "Gradient: SpatialBNGradient(X, scale, dY, saved_mean, saved_inv_std) -> (dX, dscale, dbias) in "
          + "training; in test mode (X, scale, dY, mean, var) -> (dX, dscale, dbias), where zerog computes the "
          + "gradient with the statistics held constant (Caffe2 applies its training formula to them instead).")
      .input("X", "the input")
      .input("scale", "γ, [C]")
      .input("bias", "β, [C]")
      .input("mean", "test: the estimated mean; training: the running mean, updated in place")
      .input("var", "test: the estimated variance; training: the running variance, updated in place")
      .input("sums", "Caffe2's num_batches input; not supported")
      .input("sumsq", "Caffe2's num_batches input; not supported")
      .output("Y", "the normalized output, X's shape and type")
      .output("running_mean", "training: the updated running mean (input 3, in place)")
      .output("running_var", "training: the updated running variance (input 4, in place)")
      .output("saved_mean", "training: the batch mean, [C]")
      .output("saved_inv_std", "training: 1 / sqrt(batch variance + epsilon), [C]")
      .arg("is_test", ArgType.INT, "1: test mode, one output; 0: training mode, five outputs (default 0)")
      .arg("epsilon", ArgType.FLOAT, "added to the variance before the square root (default 1e-5; must be > 0)")
      .arg("momentum", ArgType.FLOAT, "the weight of the old running statistics, in [0, 1] (default 0.9)")
      .arg("order", ArgType.STRING, "\"NCHW\" (the default) or \"NHWC\"")
      .arg("num_batches", ArgType.INT, "Caffe2's multi-batch statistics; only 1 (the default) is supported")
      .inference(SpatialBN::infer)
      .build();

  /** Caffe2's GetSpatialBNGradient (num_batches 1). */
  static final GradientMaker GRADIENT = (GradientContext g) -> {
    Arguments args = Arguments.of(g.def().getArgList());
    boolean isTest = args.getBool("is_test", false);
    List<String> out = List.of(g.GI(0), g.GI(1), g.GI(2));
    List<String> in = isTest
        ? List.of(g.I(0), g.I(1), g.GO(0), g.I(3), g.I(4))
        : List.of(g.I(0), g.I(1), g.GO(0), g.O(3), g.O(4));
    return GradientContext.single("SpatialBNGradient", in, out);
  };

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(SpatialBN::new).gradient(GRADIENT).build();

  private final boolean isTest;
  private final double epsilon;
  private final double momentum;
  private final ChannelLayout layout;
  private final FloatChannelLoops loops = new FloatChannelLoops();
  private final long[] cDims = new long[1];
  private double[] scale = new double[0];
  private double[] bias = new double[0];
  private double[] mean = new double[0];
  private double[] var = new double[0];
  private double[] alpha = new double[0];
  private double[] beta = new double[0];

  SpatialBN(OperatorInit init) {
    super(init);
    Arguments args = init.args();
    isTest = args.getBool("is_test", false);
    epsilon = args.getFloat("epsilon", 1e-5f);
    momentum = args.getFloat("momentum", 0.9f);
    layout = new ChannelLayout(args.getString("order", "NCHW"));
    checkCommon(args, epsilon);
    if (!(momentum >= 0 && momentum <= 1)) {
      throw new SchemaException("momentum must be in [0, 1], got " + momentum);
    }
    int outputs = init.outputs().length;
    if (isTest ? outputs != 1 : outputs != 5) {
      throw new SchemaException("SpatialBN takes 1 output in test mode (is_test: 1) and 5 in training mode, got "
          + outputs + " with is_test: " + (isTest ? 1 : 0));
    }
  }

  static void checkCommon(Arguments args, double epsilon) {
    if (!(epsilon > 0)) {
      throw new SchemaException("epsilon must be positive, got " + epsilon);
    }
    int numBatches = args.getInt("num_batches", 1);
    if (numBatches != 1) {
      throw new SchemaException("num_batches: " + numBatches + " (statistics over several batches) is not supported "
          + "by zerog; only 1 is");
    }
  }

  private void ensure(int c) {
    if (scale.length < c) {
      scale = new double[c];
      bias = new double[c];
      mean = new double[c];
      var = new double[c];
      alpha = new double[c];
      beta = new double[c];
    }
  }

  @Override
  public void run() {
    Tensor x = input(0);
    String xName = inputBlob(0).name();
    DataType dtype = ChannelLayout.floating(type(), x, xName);
    layout.view(x, 3, type(), xName);
    int c = layout.channels;
    ensure(c);
    Tensor s = input(1);
    Tensor b = input(2);
    ChannelLayout.perChannel(s, inputBlob(1).name(), dtype, c, "scale");
    ChannelLayout.perChannel(b, inputBlob(2).name(), dtype, c, "bias");
    read(s, scale, c);
    read(b, bias, c);
    if (isTest) {
      Tensor m = input(3);
      Tensor v = input(4);
      ChannelLayout.perChannel(m, inputBlob(3).name(), dtype, c, "mean");
      ChannelLayout.perChannel(v, inputBlob(4).name(), dtype, c, "var");
      read(m, mean, c);
      read(v, var, c);
      for (int k = 0; k < c; k++) {
        alpha[k] = scale[k] / Math.sqrt(var[k] + epsilon);
        beta[k] = bias[k] - alpha[k] * mean[k];
      }
    } else {
      cDims[0] = c;
      Tensor runningMean = runningStatistic(1, 3, dtype, c);
      Tensor runningVar = runningStatistic(2, 4, dtype, c);
      Tensor savedMean = output(3).resize(dtype, cDims);
      Tensor savedRstd = output(4).resize(dtype, cDims);
      if (layout.perChannel() == 0) {
        fill(savedMean, 0);
        fill(savedRstd, 0);
        output(0).resizeLike(dtype, x);
        return;
      }
      if (dtype == DataType.FLOAT) {
        loops.moments(x.floats(), mean, var, layout.outer, c, layout.inner);
      } else {
        ChannelKernels.moments(x.doubles(), mean, var, layout.outer, c, layout.inner);
      }
      for (int k = 0; k < c; k++) {
        double rstd = 1 / Math.sqrt(var[k] + epsilon);
        update(runningMean, k, mean[k]);
        update(runningVar, k, var[k]);
        alpha[k] = scale[k] * rstd;
        beta[k] = bias[k] - alpha[k] * mean[k];
        set(savedMean, k, mean[k]);
        set(savedRstd, k, rstd);
      }
    }
    Tensor y = output(0).resizeLike(dtype, x);
    if (dtype == DataType.FLOAT) {
      loops.affine(x.floats(), y.floats(), alpha, beta, layout.outer, c, layout.inner);
    } else {
      ChannelKernels.affine(x.doubles(), y.doubles(), alpha, beta, layout.outer, c, layout.inner);
    }
  }

  /** Output {@code out}, in place on input {@code in}: reset to C zeros unless it holds C values of the type. */
  private Tensor runningStatistic(int out, int in, DataType dtype, int c) {
    Tensor t = input(in);
    if (t.size() == c && t.dtype() == dtype) {
      return output(out);
    }
    if (t.size() == c) {
      ChannelLayout.perChannel(t, inputBlob(in).name(), dtype, c, in == 3 ? "running mean" : "running var");
    }
    Tensor r = output(out).resize(dtype, cDims);
    fill(r, 0);
    return r;
  }

  private void update(Tensor running, int k, double batch) {
    set(running, k, momentum * running.getDouble(k) + (1 - momentum) * batch);
  }

  static void read(Tensor t, double[] into, int n) {
    if (t.dtype() == DataType.FLOAT) {
      ChannelKernels.read(t.floats(), into, n);
    } else {
      System.arraycopy(t.doubles(), 0, into, 0, n);
    }
  }

  static void set(Tensor t, int k, double v) {
    if (t.dtype() == DataType.FLOAT) {
      t.floats()[k] = (float) v;
    } else {
      t.doubles()[k] = v;
    }
  }

  static void fill(Tensor t, double v) {
    for (int k = 0; k < t.size(); k++) {
      set(t, k, v);
    }
  }

  static List<BlobType> infer(OperatorDef def, Arguments args, List<BlobType> in) {
    boolean isTest = args.getBool("is_test", false);
    DataType dtype = ChannelLayout.inferFloating(def, in.get(0), 0);
    for (int i = 1; i < 5 && dtype == null; i++) {
      dtype = ChannelLayout.inferFloating(def, in.get(i), i);
    }
    long[] xd = in.get(0).dims();
    BlobType y = new BlobType(dtype, xd);
    if (isTest) {
      return List.of(y);
    }
    ChannelLayout layout = new ChannelLayout(args.getString("order", "NCHW"));
    long[] c = null;
    if (xd != null) {
      if (xd.length < 3) {
        throw ChannelLayout.error(def.getInput(0), "SpatialBN needs an input of rank 3 or more, got "
            + Shapes.format(xd));
      }
      c = new long[] {xd[layout.channelAxis(xd.length)]};
    }
    BlobType stat = new BlobType(dtype, c);
    return List.of(y, stat, stat, stat, stat);
  }

  /**
   * {@code SpatialBNGradient(X, scale, dY, mean, rstd_or_var) -> (dX, dscale, dbias)}: the gradient of SpatialBN,
   * for the training-mode function (inputs 3 and 4 the saved mean and inverse standard deviation) or, with
   * {@code is_test: 1}, the test-mode one (inputs 3 and 4 the estimated mean and variance).
   */
  static final class Gradient extends Operator {
    static final OperatorSchema SCHEMA = OperatorSchema.builder("SpatialBNGradient")
        .linearIn(2)
        .flops(FlopEstimate.perInputElement(0, 8))
        .inputs(Arity.oneOf(5, 7))
        .outputs(3)
        .allowInPlace(5, 1)
        .allowInPlace(6, 2)
        .doc("The gradient of SpatialBN. Per channel c, over the N·spatial elements of the channel: dbias = Σ dY and "
            + "dscale = Σ dY · (X - μ) · r, with μ the mean and r the inverse standard deviation.\n\n"
            + "Training (`is_test` 0, inputs 3 and 4 the forward op's saved_mean and saved_inv_std): dX = scale · r · "
            + "(dY - dbias / M - (X - μ) · r · dscale / M), M the number of elements per channel.\n\n"
            + "Test (`is_test: 1`, inputs 3 and 4 the estimated mean and variance, r = 1 / sqrt(var + epsilon)): the "
            + "statistics are constants, so dX = scale · r · dY. (Caffe2 applies the training formula here instead, "
            + "reading the variance as r.)\n\n"
            + "dX has X's shape; dscale and dbias have scale's. FLOAT or DOUBLE. The arguments are the forward op's.")
        .input("X", "the forward op's input")
        .input("scale", "γ, [C]")
        .input("dY", "the gradient of Y")
        .input("mean", "training: saved_mean; test: the estimated mean")
        .input("inv_std", "training: saved_inv_std; test: the estimated variance")
        .input("dscale_sum", "Caffe2's num_batches input; not supported")
        .input("dbias_sum", "Caffe2's num_batches input; not supported")
        .output("dX", "the gradient of X")
        .output("dscale", "the gradient of scale")
        .output("dbias", "the gradient of bias")
        .arg("is_test", ArgType.INT, "as in SpatialBN: 1 reads inputs 3 and 4 as the estimated mean and variance")
        .arg("epsilon", ArgType.FLOAT, "as in SpatialBN (default 1e-5)")
        .arg("momentum", ArgType.FLOAT, "accepted: the forward op's argument")
        .arg("order", ArgType.STRING, "\"NCHW\" (the default) or \"NHWC\"")
        .arg("num_batches", ArgType.INT, "only 1 (the default) is supported")
        .inference((def, args, in) -> List.of(in.get(0), in.get(1), in.get(1)))
        .build();

    static final OperatorDefinition DEFINITION =
        OperatorDefinition.builder(SCHEMA).cpu(Gradient::new).noGradient().build();

    private final boolean isTest;
    private final double epsilon;
    private final ChannelLayout layout;
    private final FloatChannelLoops loops = new FloatChannelLoops();
    private double[] scale = new double[0];
    private double[] mean = new double[0];
    private double[] rstd = new double[0];
    private double[] dscale = new double[0];
    private double[] dbias = new double[0];
    private double[] alpha = new double[0];
    private double[] beta = new double[0];
    private double[] gamma = new double[0];

    Gradient(OperatorInit init) {
      super(init);
      Arguments args = init.args();
      isTest = args.getBool("is_test", false);
      epsilon = args.getFloat("epsilon", 1e-5f);
      layout = new ChannelLayout(args.getString("order", "NCHW"));
      checkCommon(args, epsilon);
    }

    private void ensure(int c) {
      if (scale.length < c) {
        scale = new double[c];
        mean = new double[c];
        rstd = new double[c];
        dscale = new double[c];
        dbias = new double[c];
        alpha = new double[c];
        beta = new double[c];
        gamma = new double[c];
      }
    }

    @Override
    public void run() {
      Tensor x = input(0);
      Tensor s = input(1);
      Tensor dy = input(2);
      String xName = inputBlob(0).name();
      DataType dtype = ChannelLayout.floating(type(), x, xName);
      layout.view(x, 3, type(), xName);
      int c = layout.channels;
      ensure(c);
      ChannelLayout.perChannel(s, inputBlob(1).name(), dtype, c, "scale");
      if (dy.dtype() != dtype || !dy.hasSameDims(x)) {
        throw ChannelLayout.error(inputBlob(2).name(), "the output gradient '" + inputBlob(2).name() + "' is "
            + dy.dtype() + " " + Shapes.format(dy.dims()) + " but '" + xName + "' is " + dtype + " "
            + Shapes.format(x.dims()) + "; they must have the same type and shape");
      }
      Tensor m = input(3);
      Tensor r = input(4);
      ChannelLayout.perChannel(m, inputBlob(3).name(), dtype, c, isTest ? "mean" : "saved mean");
      ChannelLayout.perChannel(r, inputBlob(4).name(), dtype, c, isTest ? "var" : "saved inverse std");
      SpatialBN.read(s, scale, c);
      SpatialBN.read(m, mean, c);
      SpatialBN.read(r, rstd, c);
      if (isTest) {
        for (int k = 0; k < c; k++) {
          rstd[k] = 1 / Math.sqrt(rstd[k] + epsilon);
        }
      }
      Tensor dx = output(0).resizeLike(dtype, x);
      Tensor ds = output(1).resizeLike(dtype, s);
      Tensor db = output(2).resizeLike(dtype, s);
      if (dtype == DataType.FLOAT) {
        loops.scaleBiasGradients(dy.floats(), x.floats(), mean, rstd, dscale, dbias, layout.outer, c, layout.inner);
      } else {
        ChannelKernels.scaleBiasGradients(dy.doubles(), x.doubles(), mean, rstd, dscale, dbias, layout.outer, c,
            layout.inner);
      }
      double count = layout.perChannel();
      for (int k = 0; k < c; k++) {
        alpha[k] = scale[k] * rstd[k];
        if (isTest || count == 0) {
          beta[k] = 0;
          gamma[k] = 0;
        } else {
          double b = dscale[k] * rstd[k];
          gamma[k] = alpha[k] * (mean[k] * b - dbias[k]) / count;
          beta[k] = -alpha[k] * b / count;
        }
        SpatialBN.set(ds, k, dscale[k]);
        SpatialBN.set(db, k, dbias[k]);
      }
      if (dtype == DataType.FLOAT) {
        loops.inputGradient(dy.floats(), x.floats(), dx.floats(), alpha, beta, gamma, layout.outer, c, layout.inner);
      } else {
        ChannelKernels.inputGradient(dy.doubles(), x.doubles(), dx.doubles(), alpha, beta, gamma, layout.outer, c,
            layout.inner);
      }
    }
  }
}
