package dev.zerog.ops.optim;

import dev.zerog.SchemaException;
import dev.zerog.ShapeException;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.BlobType;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.util.List;

/**
 * LearningRate: the learning rate for the current iteration, {@code base_lr · lr_scale · multiplier(iter)}, where
 * the multiplier follows a policy (Caffe2's LearningRateOp with the functors of learning_rate_functors.h).
 *
 * <p>Caffe2's optimizers give LearningRate a <em>negative</em> base_lr for the update ops that add
 * {@code lr · step} to the parameter (WeightedSum, Adam, Adagrad), since they descend; MomentumSGDUpdate subtracts
 * its step and gets a positive one. The optimizer builder does the same.
 */
final class LearningRate extends Operator {
  /** The policies zerog implements. */
  static final List<String> POLICIES = List.of("fixed", "step", "exp", "inv", "poly", "multistep");

  static final OperatorSchema SCHEMA = OperatorSchema.builder("LearningRate")
      .inputs(1)
      .outputs(1)
      .doc("The learning rate for the current iteration: LR = base_lr * lr_scale * multiplier(iter), where iter "
          + "is ITER[0] and the multiplier follows `policy`:\n"
          + "- fixed: 1\n"
          + "- step: gamma ^ floor(iter / stepsize)\n"
          + "- exp: gamma ^ iter\n"
          + "- inv: (1 + gamma * iter) ^ (-power)\n"
          + "- poly: (1 - iter / max_iter) ^ power, and 0 from iter >= max_iter on\n"
          + "- multistep: gamma ^ k, where k is the number of entries of `stepsizes` that are <= iter\n\n"
          + "LR is a 0-d FLOAT tensor. Caffe2's optimizers use a negative base_lr with the update ops that add "
          + "lr * step to the parameter (WeightedSum, Adam, Adagrad), and a positive one with MomentumSGDUpdate, "
          + "which subtracts.\n\n"
          + "Checks that Caffe2 makes only in debug builds are errors here: stepsize > 0 and gamma > 0 for step, "
          + "gamma > 0 for exp, gamma > 0 and power > 0 for inv, power > 0 and max_iter > 0 for poly. "
          + "Differences from Caffe2: `multistep` is zerog's (Caffe2 has no such policy; the name and its "
          + "`stepsizes` follow Caffe's multistep); poly stays 0 past max_iter where Caffe2's formula goes negative "
          + "or NaN; Caffe2's other policies (alter, hill, linearWarmup, constantWarmup, composite, cyclical, "
          + "cosine, ...) are refused.")
      .input("ITER", "the iteration counter, INT64, at least one element (the first is read)")
      .output("LR", "the learning rate, a 0-d FLOAT tensor")
      .arg("base_lr", ArgType.FLOAT, "the base learning rate (required)")
      .arg("policy", ArgType.STRING, "fixed, step, exp, inv, poly or multistep (required)")
      .arg("lr_scale", ArgType.FLOAT, "a factor on base_lr (default 1)")
      .arg("stepsize", ArgType.INT, "step: iterations between two multiplications by gamma")
      .arg("gamma", ArgType.FLOAT, "step, exp, inv, multistep: the decay factor")
      .arg("power", ArgType.FLOAT, "inv, poly: the exponent")
      .arg("max_iter", ArgType.INT, "poly: the iteration at which the rate reaches 0")
      .arg("stepsizes", ArgType.INTS, "multistep: the iterations, strictly ascending, from which one more factor "
          + "gamma applies")
      .inference((def, args, in) -> List.of(BlobType.of(DataType.FLOAT)))
      .build();

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(LearningRate::new).noGradient().build();

  private static final long[] SCALAR = new long[0];

  private final double baseLr;
  private final String policy;
  private final long stepsize;
  private final double gamma;
  private final double power;
  private final long maxIter;
  private final long[] stepsizes;

  LearningRate(OperatorInit init) {
    super(init);
    Arguments args = init.args();
    if (!args.has("base_lr")) {
      throw new SchemaException("argument 'base_lr' must be set");
    }
    if (!args.has("policy") || args.getString("policy", "").isEmpty()) {
      throw new SchemaException("argument 'policy' must be set: one of " + String.join(", ", POLICIES));
    }
    this.baseLr = (double) args.getFloat("base_lr", 0f) * args.getFloat("lr_scale", 1f);
    this.policy = args.getString("policy", "");
    this.stepsize = args.getLong("stepsize", 0);
    this.gamma = args.getFloat("gamma", 0f);
    this.power = args.getFloat("power", 0f);
    this.maxIter = args.getLong("max_iter", -1);
    this.stepsizes = args.getLongs("stepsizes");
    switch (policy) {
      case "fixed":
        break;
      case "step":
        positive("stepsize", stepsize);
        positive("gamma", gamma);
        break;
      case "exp":
        positive("gamma", gamma);
        break;
      case "inv":
        positive("gamma", gamma);
        positive("power", power);
        break;
      case "poly":
        positive("power", power);
        positive("max_iter", maxIter);
        break;
      case "multistep":
        positive("gamma", gamma);
        if (stepsizes.length == 0) {
          throw new SchemaException("policy 'multistep' needs 'stepsizes', the iterations at which gamma applies");
        }
        for (int i = 1; i < stepsizes.length; i++) {
          if (stepsizes[i] <= stepsizes[i - 1]) {
            throw new SchemaException("argument 'stepsizes' must be strictly ascending, but element " + i + " ("
                + stepsizes[i] + ") follows " + stepsizes[i - 1]);
          }
        }
        break;
      default:
        throw new SchemaException("unknown learning rate policy '" + policy + "'; zerog supports "
            + String.join(", ", POLICIES));
    }
  }

  private void positive(String arg, double v) {
    if (!(v > 0)) {
      throw new SchemaException("policy '" + policy + "' needs a positive '" + arg + "', got "
          + (arg.equals("stepsize") || arg.equals("max_iter") ? Long.toString((long) v) : Double.toString(v))
          + (arg.equals("max_iter") && v == -1 ? " (not set)" : ""));
    }
  }

  /** The multiplier of base_lr at iteration {@code iter}. */
  double multiplier(long iter) {
    switch (policy) {
      case "fixed":
        return 1;
      case "step":
        return Math.pow(gamma, iter / stepsize);
      case "exp":
        return Math.pow(gamma, iter);
      case "inv":
        return Math.pow(1 + gamma * iter, -power);
      case "poly":
        return iter >= maxIter ? 0 : Math.pow(1 - (double) iter / maxIter, power);
      case "multistep": {
        int k = 0;
        while (k < stepsizes.length && stepsizes[k] <= iter) {
          k++;
        }
        return Math.pow(gamma, k);
      }
      default:
        throw new AssertionError(policy);
    }
  }

  @Override
  public void run() {
    Tensor it = input(0);
    if (it.dtype() != DataType.INT64 || it.size() < 1) {
      throw (ShapeException) new ShapeException("ITER must be an INT64 tensor of at least one element, got "
          + it.dtype() + " " + Shapes.format(it.dims())).atBlob(inputBlob(0).name());
    }
    long iter = it.longs()[0];
    Tensor lr = output(0);
    lr.resize(DataType.FLOAT, SCALAR);
    lr.floats()[0] = (float) (baseLr * multiplier(iter));
  }
}
