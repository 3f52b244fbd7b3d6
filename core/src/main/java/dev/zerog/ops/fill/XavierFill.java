package dev.zerog.ops.fill;

import dev.zerog.ShapeException;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arity;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;

/**
 * XavierFill (Glorot's initialization, as Caffe2 defines it): Y[i] ~ U[-s, s) with s = sqrt(3 / fan_in), where
 * fan_in = size(Y) / dim(Y, 0). For an FC weight of shape [out, in], fan_in is {@code in}.
 *
 * <p>Shape rules: {@link Filler}. Random numbers: {@link RandomStream}.
 */
final class XavierFill extends Filler {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("XavierFill")
      .inputs(Arity.range(0, 1))
      .outputs(1)
      .allowInPlace(0, 0)
      .doc("Fills the output with samples of a uniform distribution scaled by Y's shape (Glorot's initialization "
          + "as Caffe2 defines it): Y[i] ~ U[-s, s) with s = sqrt(3 / fan_in), fan_in = size(Y) / dim(Y, 0). For "
          + "an FC weight of shape [out, in], fan_in = in. Y must have at least one axis; an empty Y is left empty."
          + "\n\n" + SHAPE_DOC + "\n\n" + RANDOM_DOC)
      .input("X", "optional; its shape (or, with input_as_shape, its values) gives Y's shape")
      .output("Y", "the samples, FLOAT unless `dtype` says DOUBLE")
      .arg("dtype", ArgType.INT, "FLOAT (1, the default) or DOUBLE (13); Caffe2 fills FLOAT only")
      .arg("shape", ArgType.INTS, "the output dims when there is no input")
      .arg("extra_shape", ArgType.INTS, "dims appended to the input's shape")
      .arg("input_as_shape", ArgType.INT, "1: the input's values are the shape")
      .inference((def, args, in) -> infer(dtypeArgument(def, args, DataType.FLOAT, GaussianFill.TYPES), args, in))
      .build();

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(XavierFill::new).noGradient().build();

  private final DataType dtype;
  private final RandomStream random;

  XavierFill(OperatorInit init) {
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
    if (y.rank() == 0) {
      throw (ShapeException) new ShapeException("XavierFill needs an output with at least one axis (fan_in is "
          + "size / dim 0), got a 0-d shape").atBlob(outputBlob(0).name());
    }
    if (y.size() == 0) {
      return;
    }
    double fanIn = (double) y.size() / y.dim(0);
    double scale = Math.sqrt(3.0 / fanIn);
    if (dtype == DataType.FLOAT) {
      float[] out = y.floats();
      float top = (float) scale;
      for (int i = 0; i < out.length; i++) {
        float v = (float) (scale * (2 * random.nextDouble() - 1));
        out[i] = v < top ? v : Math.nextDown(top);
      }
    } else {
      double[] out = y.doubles();
      for (int i = 0; i < out.length; i++) {
        out[i] = scale * (2 * random.nextDouble() - 1);
      }
    }
  }
}
