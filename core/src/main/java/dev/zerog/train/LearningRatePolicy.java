package dev.zerog.train;

import dev.zerog.SchemaException;
import java.util.List;
import java.util.Objects;

/**
 * How the learning rate changes with the iteration: the {@code policy} of Caffe2's LearningRate operator and the
 * arguments it uses. The learning rate at iteration {@code iter} (1 at the first training step) is the base
 * learning rate times:
 *
 * <ul>
 *   <li>{@link #fixed()}: 1
 *   <li>{@link #step(long, double)}: gamma ^ floor(iter / stepsize)
 *   <li>{@link #exp(double)}: gamma ^ iter
 *   <li>{@link #inv(double, double)}: (1 + gamma · iter) ^ (−power)
 *   <li>{@link #poly(double, long)}: (1 − iter / max_iter) ^ power, 0 from max_iter on
 *   <li>{@link #multistep(double, long...)}: gamma ^ k, k the number of {@code stepsizes} ≤ iter
 * </ul>
 *
 * @param name the policy name, as LearningRate's {@code policy} argument
 * @param stepSize {@code stepsize} (step), else 0
 * @param gamma {@code gamma} (step, exp, inv, multistep), else 0
 * @param power {@code power} (inv, poly), else 0
 * @param maxIter {@code max_iter} (poly), else 0
 * @param stepSizes {@code stepsizes} (multistep), else empty
 */
public record LearningRatePolicy(String name, long stepSize, double gamma, double power, long maxIter,
    List<Long> stepSizes) {

  /** Checks the values and copies the list. */
  public LearningRatePolicy {
    Objects.requireNonNull(name, "name");
    stepSizes = List.copyOf(stepSizes);
    switch (name) {
      case "fixed":
        break;
      case "step":
        positive(name, "stepsize", stepSize);
        positive(name, "gamma", gamma);
        break;
      case "exp":
        positive(name, "gamma", gamma);
        break;
      case "inv":
        positive(name, "gamma", gamma);
        positive(name, "power", power);
        break;
      case "poly":
        positive(name, "power", power);
        positive(name, "max_iter", maxIter);
        break;
      case "multistep":
        positive(name, "gamma", gamma);
        if (stepSizes.isEmpty()) {
          throw new SchemaException("learning rate policy 'multistep' needs at least one step");
        }
        for (int i = 1; i < stepSizes.size(); i++) {
          if (stepSizes.get(i) <= stepSizes.get(i - 1)) {
            throw new SchemaException("the steps of policy 'multistep' must be strictly ascending, got "
                + stepSizes);
          }
        }
        break;
      default:
        throw new SchemaException("unknown learning rate policy '" + name
            + "'; zerog supports fixed, step, exp, inv, poly and multistep");
    }
  }

  private static void positive(String policy, String arg, double v) {
    if (!(v > 0)) {
      throw new SchemaException("learning rate policy '" + policy + "' needs a positive " + arg + ", got " + v);
    }
  }

  /** The same rate at every iteration. */
  public static LearningRatePolicy fixed() {
    return new LearningRatePolicy("fixed", 0, 0, 0, 0, List.of());
  }

  /** Multiplied by {@code gamma} every {@code stepSize} iterations. */
  public static LearningRatePolicy step(long stepSize, double gamma) {
    return new LearningRatePolicy("step", stepSize, gamma, 0, 0, List.of());
  }

  /** Multiplied by {@code gamma} every iteration. */
  public static LearningRatePolicy exp(double gamma) {
    return new LearningRatePolicy("exp", 0, gamma, 0, 0, List.of());
  }

  /** (1 + gamma · iter) ^ (−power). */
  public static LearningRatePolicy inv(double gamma, double power) {
    return new LearningRatePolicy("inv", 0, gamma, power, 0, List.of());
  }

  /** (1 − iter / maxIter) ^ power, reaching 0 at {@code maxIter}. */
  public static LearningRatePolicy poly(double power, long maxIter) {
    return new LearningRatePolicy("poly", 0, 0, power, maxIter, List.of());
  }

  /** Multiplied by {@code gamma} once more at each of the iterations {@code steps} (strictly ascending). */
  public static LearningRatePolicy multistep(double gamma, long... steps) {
    Long[] boxed = new Long[steps.length];
    for (int i = 0; i < steps.length; i++) {
      boxed[i] = steps[i];
    }
    return new LearningRatePolicy("multistep", 0, gamma, 0, 0, List.of(boxed));
  }
}
