package dev.zerog.train;

import dev.zerog.SchemaException;
import java.util.Objects;

/**
 * What an optimizer does, as the arguments of Caffe2's {@code build_sgd}, {@code build_adam} and
 * {@code build_adagrad}: the update rule, the learning rate and its policy, the rule's hyperparameters and the
 * weight decay. Immutable; start from {@link #sgd}, {@link #adam} or {@link #adagrad}, which set Caffe2's
 * defaults, and change what differs:
 *
 * <pre>{@code
 * OptimizerConfig sgd = OptimizerConfig.sgd(0.1).momentum(0.9).weightDecay(1e-4).build();
 * OptimizerConfig adam = OptimizerConfig.adam(1e-3).policy(LearningRatePolicy.step(1000, 0.5)).build();
 * }</pre>
 *
 * @param type the update rule
 * @param baseLearningRate the (positive) base learning rate; the optimizer builder gives LearningRate its
 *     negative, as Caffe2 does, except for momentum SGD, whose update op subtracts
 * @param policy how the rate changes with the iteration
 * @param momentum SGD: the momentum (0 for plain SGD, which updates with WeightedSum)
 * @param nesterov SGD with momentum: Nesterov's variant (Caffe2's default: true)
 * @param beta1 Adam: the first moment's decay
 * @param beta2 Adam: the second moment's decay
 * @param epsilon Adam and Adagrad: added to the root of the second moment
 * @param decay Adagrad: the factor on the old sum of squares (1: none)
 * @param weightDecay L2 weight decay, 0 for none: the gradient gets {@code weightDecay · param} added (for SGD
 *     and Adam with a WeightedSum before the update, as Caffe2's add_weight_decay; for Adagrad through the op's
 *     {@code weight_decay} argument, as Caffe2's AdagradOptimizer)
 */
public record OptimizerConfig(Type type, double baseLearningRate, LearningRatePolicy policy, double momentum,
    boolean nesterov, double beta1, double beta2, double epsilon, double decay, double weightDecay) {

  /** The update rules. */
  public enum Type {
    /** Stochastic gradient descent, plain (WeightedSum) or with momentum (MomentumSGDUpdate). */
    SGD,
    /** Adam. */
    ADAM,
    /** Adagrad. */
    ADAGRAD
  }

  /** Checks every value. */
  public OptimizerConfig {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(policy, "policy");
    check(baseLearningRate > 0 && Double.isFinite(baseLearningRate), "the base learning rate must be positive, "
        + "got " + baseLearningRate);
    check(momentum >= 0 && Double.isFinite(momentum), "momentum must be 0 or more, got " + momentum);
    check(beta1 >= 0 && beta1 < 1, "beta1 must be in [0, 1), got " + beta1);
    check(beta2 >= 0 && beta2 < 1, "beta2 must be in [0, 1), got " + beta2);
    check(epsilon >= 0 && Double.isFinite(epsilon), "epsilon must be 0 or more, got " + epsilon);
    check(decay > 0 && decay <= 1, "decay must be in (0, 1], got " + decay);
    check(weightDecay >= 0 && Double.isFinite(weightDecay), "weight decay must be 0 or more, got " + weightDecay);
    check(type == Type.SGD || momentum == 0, "momentum applies to SGD only, not " + type);
    check(type == Type.ADAGRAD || decay == 1, "decay applies to Adagrad only, not " + type);
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new SchemaException("optimizer configuration: " + message);
    }
  }

  /** SGD with Caffe2's SgdOptimizer defaults: fixed rate, no momentum (Nesterov when momentum is set). */
  public static Builder sgd(double baseLearningRate) {
    return new Builder(Type.SGD, baseLearningRate, 1e-8);
  }

  /** Adam with Caffe2's AdamOptimizer defaults: beta1 0.9, beta2 0.999, epsilon 1e-8, fixed rate. */
  public static Builder adam(double baseLearningRate) {
    return new Builder(Type.ADAM, baseLearningRate, 1e-8);
  }

  /** Adagrad with Caffe2's AdagradOptimizer defaults: epsilon 1e-4, decay 1, fixed rate. */
  public static Builder adagrad(double baseLearningRate) {
    return new Builder(Type.ADAGRAD, baseLearningRate, 1e-4);
  }

  /** A builder holding this configuration, to derive another. */
  public Builder toBuilder() {
    Builder b = new Builder(type, baseLearningRate, epsilon);
    b.policy = policy;
    b.momentum = momentum;
    b.nesterov = nesterov;
    b.beta1 = beta1;
    b.beta2 = beta2;
    b.decay = decay;
    b.weightDecay = weightDecay;
    return b;
  }

  /** Builds an {@link OptimizerConfig}; {@link #build()} checks the values. */
  public static final class Builder {
    private final Type type;
    private final double baseLearningRate;
    private LearningRatePolicy policy = LearningRatePolicy.fixed();
    private double momentum;
    private boolean nesterov = true;
    private double beta1 = 0.9;
    private double beta2 = 0.999;
    private double epsilon;
    private double decay = 1;
    private double weightDecay;

    private Builder(Type type, double baseLearningRate, double epsilon) {
      this.type = type;
      this.baseLearningRate = baseLearningRate;
      this.epsilon = epsilon;
    }

    /** How the learning rate changes (default: fixed). */
    public Builder policy(LearningRatePolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** SGD: the momentum (default 0). */
    public Builder momentum(double momentum) {
      this.momentum = momentum;
      return this;
    }

    /** SGD with momentum: Nesterov's variant (default true, as Caffe2's SgdOptimizer). */
    public Builder nesterov(boolean nesterov) {
      this.nesterov = nesterov;
      return this;
    }

    /** Adam: the moments' decays (default 0.9 and 0.999). */
    public Builder betas(double beta1, double beta2) {
      this.beta1 = beta1;
      this.beta2 = beta2;
      return this;
    }

    /** Adam and Adagrad: epsilon (default 1e-8 for Adam, 1e-4 for Adagrad). */
    public Builder epsilon(double epsilon) {
      this.epsilon = epsilon;
      return this;
    }

    /** Adagrad: the decay of the sum of squares (default 1: none). */
    public Builder decay(double decay) {
      this.decay = decay;
      return this;
    }

    /** L2 weight decay (default 0). */
    public Builder weightDecay(double weightDecay) {
      this.weightDecay = weightDecay;
      return this;
    }

    /** The configuration; a {@link SchemaException} if a value is out of range. */
    public OptimizerConfig build() {
      return new OptimizerConfig(type, baseLearningRate, policy, momentum, nesterov, beta1, beta2, epsilon, decay,
          weightDecay);
    }
  }
}
