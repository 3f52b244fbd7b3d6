package dev.zerog.ops.fill;

import dev.zerog.ShapeException;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arity;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;

/**
 * MSRAFill (He's initialization, as Caffe2 defines it): Y[i] ~ N(0, std²) with std = sqrt(2 / fan_out), where
 * fan_out = size(Y) / dim(Y, 1). For an FC weight of shape [out, in], fan_out is {@code out}; for a convolution
 * kernel [out, in, kh, kw], out·kh·kw.
 *
 * <p>Shape rules: {@link Filler}. Random numbers: {@link RandomStream}.
 */
final class MSRAFill extends Filler {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("MSRAFill")
      .inputs(Arity.range(0, 1))
      .outputs(1)
      .allowInPlace(0, 0)
      .doc("Fills the output with samples of a normal distribution scaled by Y's shape (He's initialization as "
          + "Caffe2 defines it): Y[i] ~ N(0, std^2) with std = sqrt(2 / fan_out), fan_out = size(Y) / dim(Y, 1). "
          + "For an FC weight of shape [out, in], fan_out = out. Y must have at least two axes; an empty Y is left "
          + "empty.\n\n" + SHAPE_DOC + "\n\n" + RANDOM_DOC)
      .input("X", "optional; its shape (or, with input_as_shape, its values) gives Y's shape")
      .output("Y", "the samples, FLOAT unless `dtype` says DOUBLE")
      .arg("dtype", ArgType.INT, "FLOAT (1, the default) or DOUBLE (13); Caffe2 fills FLOAT only")
      .arg("shape", ArgType.INTS, "the output dims when there is no input")
      .arg("extra_shape", ArgType.INTS, "dims appended to the input's shape")
      .arg("input_as_shape", ArgType.INT, "1: the input's values are the shape")
      .inference((def, args, in) -> infer(dtypeArgument(def, args, DataType.FLOAT, GaussianFill.TYPES), args, in))
      .build();

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(MSRAFill::new).noGradient().build();

  private final DataType dtype;
  private final RandomStream random;

  MSRAFill(OperatorInit init) {
    super(init);
    this.dtype = dtypeArgument(init.def(), init.args(), DataType.FLOAT, GaussianFill.TYPES);
    this.random = RandomStream.forOperator(init);
  }

  @Override
  DataType outputType() {
    return dtype;
  }

  @Override
  void fill(Tensor y) {
    if (y.rank() < 2) {
      throw (ShapeException) new ShapeException("MSRAFill needs an output with at least two axes (fan_out is "
          + "size / dim 1), got " + Shapes.format(y.dims())).atBlob(outputBlob(0).name());
    }
    if (y.size() == 0) {
      return;
    }
    double fanOut = (double) y.size() / y.dim(1);
    double std = Math.sqrt(2.0 / fanOut);
    if (dtype == DataType.FLOAT) {
      float[] out = y.floats();
      for (int i = 0; i < out.length; i++) {
        out[i] = (float) (std * random.nextGaussian());
      }
    } else {
      double[] out = y.doubles();
      for (int i = 0; i < out.length; i++) {
        out[i] = std * random.nextGaussian();
      }
    }
  }
}
