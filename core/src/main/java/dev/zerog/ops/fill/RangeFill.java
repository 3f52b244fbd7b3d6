package dev.zerog.ops.fill;

import dev.zerog.op.ArgType;
import dev.zerog.op.Arity;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import java.util.EnumSet;
import java.util.Set;

/**
 * RangeFill: Y[i] = i for every flat (row-major) index i, so that the values tell where each element came from
 * (Caffe2 provides it for checking reshapes and transposes).
 *
 * <p>Shape rules: {@link Filler}.
 */
final class RangeFill extends Filler {
  static final Set<DataType> TYPES = EnumSet.of(DataType.FLOAT, DataType.DOUBLE, DataType.INT32, DataType.INT64);

  static final OperatorSchema SCHEMA = OperatorSchema.builder("RangeFill")
      .inputs(Arity.range(0, 1))
      .outputs(1)
      .allowInPlace(0, 0)
      .doc("Fills the output with its own flat indices: Y[i] = i, in row-major order.\n\n" + SHAPE_DOC)
      .input("X", "optional; its shape (or, with input_as_shape, its values) gives Y's shape")
      .output("Y", "0, 1, 2, ..., FLOAT unless `dtype` says otherwise")
      .arg("dtype", ArgType.INT, "FLOAT (1, the default), DOUBLE (13), INT32 (2) or INT64 (10); Caffe2 fills "
          + "FLOAT only")
      .arg("shape", ArgType.INTS, "the output dims when there is no input")
      .arg("extra_shape", ArgType.INTS, "dims appended to the input's shape")
      .arg("input_as_shape", ArgType.INT, "1: the input's values are the shape")
      .inference((def, args, in) -> infer(dtypeArgument(def, args, DataType.FLOAT, TYPES), args, in))
      .build();

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(RangeFill::new).noGradient().build();

  private final DataType dtype;

  RangeFill(OperatorInit init) {
    super(init);
    this.dtype = dtypeArgument(init.def(), init.args(), DataType.FLOAT, TYPES);
  }

  @Override
  DataType outputType() {
    return dtype;
  }

  @Override
  void fill(Tensor y) {
    switch (dtype) {
      case FLOAT: {
        float[] out = y.floats();
        for (int i = 0; i < out.length; i++) {
          out[i] = i;
        }
        break;
      }
      case DOUBLE: {
        double[] out = y.doubles();
        for (int i = 0; i < out.length; i++) {
          out[i] = i;
        }
        break;
      }
      case INT32: {
        int[] out = y.ints();
        for (int i = 0; i < out.length; i++) {
          out[i] = i;
        }
        break;
      }
      case INT64: {
        long[] out = y.longs();
        for (int i = 0; i < out.length; i++) {
          out[i] = i;
        }
        break;
      }
      default:
        throw new AssertionError(dtype);
    }
  }
}
