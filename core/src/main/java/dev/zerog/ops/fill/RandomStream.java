package dev.zerog.ops.fill;

import dev.zerog.op.OperatorInit;
import dev.zerog.proto.Caffe2.DeviceOption;
import java.util.SplittableRandom;

/**
 * The random numbers of one random filler: a {@link SplittableRandom} (SplitMix64, whose output for a seed is
 * fixed by its specification) seeded when the operator is created, so that the same seed gives the same values on
 * every run of the program, on any JVM.
 *
 * <p>The seed is the operator's {@code device_option.random_seed} when it has one (the op's own device option,
 * else the net's), as in Caffe2, where every operator's context seeds its generator from it: two fillers with the
 * same seed draw the same stream. Without a seed Caffe2 seeds from the clock; zerog stays deterministic instead and
 * derives the seed from a fixed constant and the name of the operator's first output, so that two unseeded fillers
 * of different blobs draw different values, and the same blob gets the same values on every run of the program.
 *
 * <p>The stream continues from run to run of the same operator instance (a filler run twice draws new values),
 * as Caffe2's does. Gaussian values come from the Box–Muller transform computed with {@link StrictMath}, so they
 * too are identical on every platform.
 */
final class RandomStream {
  /** The seed base used when the operator has no random_seed. */
  static final long DEFAULT_SEED = 0x7A65726F67L; // "zerog"

  private final SplittableRandom random;
  private boolean haveSpare;
  private double spare;

  RandomStream(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** The stream of an operator being created: see the class doc for the seed. */
  static RandomStream forOperator(OperatorInit init) {
    return new RandomStream(seedOf(init.device(), init.def().getOutputCount() > 0 ? init.def().getOutput(0) : ""));
  }

  /** The seed for an operator with this device option whose first output is {@code output}. */
  static long seedOf(DeviceOption device, String output) {
    if (device != null && device.hasRandomSeed()) {
      return Integer.toUnsignedLong(device.getRandomSeed());
    }
    return DEFAULT_SEED ^ (output.hashCode() * 0x9E3779B97F4A7C15L);
  }

  /** A uniform double in [0, 1). */
  double nextDouble() {
    return random.nextDouble();
  }

  /** A uniform long in [origin, bound), bound > origin. */
  long nextLong(long origin, long bound) {
    return random.nextLong(origin, bound);
  }

  /** A standard normal value. */
  double nextGaussian() {
    if (haveSpare) {
      haveSpare = false;
      return spare;
    }
    // Box–Muller: two independent uniforms give two independent standard normals. u1 is in (0, 1] so that the
    // logarithm is finite.
    double u1 = 1.0 - random.nextDouble();
    double u2 = random.nextDouble();
    double r = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
    double theta = 2.0 * StrictMath.PI * u2;
    spare = r * StrictMath.sin(theta);
    haveSpare = true;
    return r * StrictMath.cos(theta);
  }
}
