package dev.zerog.ops.fill;

import dev.zerog.SchemaException;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.Arity;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import java.util.EnumSet;
import java.util.Set;

/**
 * GaussianFill: fills its output with independent samples of a normal distribution N(mean, std²).
 *
 * <p>Shape rules: {@link Filler}. Random numbers: {@link RandomStream} (deterministic for a given
 * {@code device_option.random_seed}).
 */
final class GaussianFill extends Filler {
  static final Set<DataType> TYPES = EnumSet.of(DataType.FLOAT, DataType.DOUBLE);

  static final OperatorSchema SCHEMA = OperatorSchema.builder("GaussianFill")
      .inputs(Arity.range(0, 1))
      .outputs(1)
      .allowInPlace(0, 0)
      .doc("Fills the output with samples of a normal distribution: Y[i] ~ N(mean, std^2), independently.\n\n"
          + SHAPE_DOC + "\n\n"
          + RANDOM_DOC)
      .input("X", "optional; its shape (or, with input_as_shape, its values) gives Y's shape")
      .output("Y", "the samples, FLOAT unless `dtype` says DOUBLE")
      .arg("mean", ArgType.FLOAT, "the mean (default 0)")
      .arg("std", ArgType.FLOAT, "the standard deviation, > 0 (default 1)")
      .arg("dtype", ArgType.INT, "FLOAT (1, the default) or DOUBLE (13); Caffe2 fills FLOAT only")
      .arg("shape", ArgType.INTS, "the output dims when there is no input")
      .arg("extra_shape", ArgType.INTS, "dims appended to the input's shape")
      .arg("input_as_shape", ArgType.INT, "1: the input's values are the shape")
      .inference((def, args, in) -> infer(dtypeArgument(def, args, DataType.FLOAT, TYPES), args, in))
      .build();

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(GaussianFill::new).noGradient().build();

  private final DataType dtype;
  private final double mean;
  private final double std;
  private final RandomStream random;

  GaussianFill(OperatorInit init) {
    super(init);
    Arguments args = init.args();
    this.dtype = dtypeArgument(init.def(), args, DataType.FLOAT, TYPES);
    this.mean = args.getFloat("mean", 0f);
    this.std = args.getFloat("std", 1f);
    if (!(std > 0)) {
      throw new SchemaException("argument 'std' must be positive, got " + std);
    }
    this.random = RandomStream.forOperator(init);
  }

  @Override
  DataType outputType() {
    return dtype;
  }

  @Override
  void fill(Tensor y) {
    if (dtype == DataType.FLOAT) {
      float[] out = y.floats();
      for (int i = 0; i < out.length; i++) {
        out[i] = (float) (mean + std * random.nextGaussian());
      }
    } else {
      double[] out = y.doubles();
      for (int i = 0; i < out.length; i++) {
        out[i] = mean + std * random.nextGaussian();
      }
    }
  }
}
