package dev.zerog.ops.shape;

import dev.zerog.SchemaException;
import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.Arity;
import dev.zerog.op.BlobType;
import dev.zerog.op.Linearity;
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
 * Reshape: the same elements under new dims, which come from the {@code shape} argument or from a second
 * input; the input's old dims are a second output.
 *
 * <p>As in Caffe2 (and NumPy), a new dim of 0 copies the input's dim at the same position and one dim may be
 * -1, inferred so that the element count is unchanged.
 *
 * <p>Gradient (Caffe2's GetReshapeGradient): {@code Reshape(dY, old_shape) -> (dX, _<dX>_dims)}, without the
 * forward op's arguments.
 */
final class Reshape extends Operator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("Reshape")
      .linearity(Reshape::linearity)
      .inputs(Arity.range(1, 2))
      .outputs(2)
      .allowInPlace(0, 0)
      .doc("Gives X's elements new dims, in the same row-major order.\n\n"
          + "The new dims are the `shape` argument, or the values of the second input (a 1-D INT32 or INT64 "
          + "tensor); exactly one of them must be given. A dim of 0 takes X's dim at the same position (which "
          + "must exist); at most one dim may be -1, and it is inferred from X's element count; other dims must "
          + "be >= 0 and their product must equal X's element count.\n\n"
          + "`reshaped` has X's type (any type) and the new dims; it may be X itself (in place). `old_shape` is "
          + "a 1-D tensor of X's dims, of the second input's type when the shape comes from it, else INT64.\n\n"
          + "Gradient: Reshape(dY, old_shape) -> (dX, _<dX>_dims), without `shape`.")
      .input("data", "X: any type and shape")
      .input("new_shape", "optional: the new dims, a 1-D INT32 or INT64 tensor")
      .output("reshaped", "X's elements under the new dims")
      .output("old_shape", "X's dims, 1-D")
      .arg("shape", ArgType.INTS, "the new dims, when there is no new_shape input")
      .inference(Reshape::infer)
      .build();

  /** Caffe2's GetReshapeGradient: Reshape(dY, old_shape) -> (dX, _dX_dims), with no arguments copied. */
  static final GradientMaker GRADIENT = new GradientMaker() {
    @Override
    public List<OperatorDef> gradientDefs(GradientContext g) {
      String dx = g.GI(0);
      return GradientContext.single("Reshape", List.of(g.GO(0), g.O(1)), List.of(dx, "_" + dx + "_dims"));
    }

    @Override
    public boolean copyArguments() {
      return false;
    }
  };

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(Reshape::new).gradient(GRADIENT).build();

  private final long[] shape;

  Reshape(OperatorInit init) {
    super(init);
    Arguments args = init.args();
    boolean fromInput = init.inputs().length == 2;
    checkSources(args, fromInput);
    shape = fromInput ? null : args.getLongs("shape");
  }

  private static void checkSources(Arguments args, boolean fromInput) {
    if (fromInput && args.has("shape")) {
      throw new SchemaException("New shape is specified by the input blob, do not pass in the argument `shape`.");
    }
    if (!fromInput && !args.has("shape")) {
      throw new SchemaException("Argument `shape` is missing: give the new dims as the `shape` argument or as a "
          + "second input.");
    }
  }

  @Override
  public void run() {
    Tensor x = input(0);
    String name = inputBlob(0).name();
    long[] oldDims = x.dims();
    long[] requested;
    DataType shapeType = DataType.INT64;
    if (shape == null) {
      Tensor s = input(1);
      requested = ElementArrays.integers(s, inputBlob(1).name(), "the new shape");
      shapeType = s.dtype();
    } else {
      requested = shape;
    }
    long[] dims = resolve(requested, oldDims, x.size(), name);
    Tensor old = output(1).resize(shapeType, oldDims.length);
    for (int i = 0; i < oldDims.length; i++) {
      if (shapeType == DataType.INT32) {
        old.ints()[i] = (int) oldDims[i];
      } else {
        old.longs()[i] = oldDims[i];
      }
    }
    if (inPlace(0, 0)) {
      x.reshape(dims);
    } else {
      output(0).copyFrom(x).reshape(dims);
    }
  }

  /** The new dims: 0s replaced by X's dims, the -1 inferred; an error when they do not fit X's elements. */
  static long[] resolve(long[] requested, long[] oldDims, long total, String blob) {
    long[] dims = requested.clone();
    int unknown = -1;
    long size = 1;
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] == 0) {
        if (i >= oldDims.length) {
          throw ElementArrays.error(blob, "Argument `shape` has a dimension set to zero that exceeds the original "
              + "dimension size: dim " + i + " of " + Shapes.format(requested) + ", but '" + blob + "' has shape "
              + Shapes.format(oldDims));
        }
        dims[i] = oldDims[i];
      }
      if (dims[i] == -1) {
        if (unknown != -1) {
          throw ElementArrays.error(blob, "Argument `shape` has more than one missing dimension: "
              + Shapes.format(requested));
        }
        unknown = i;
      } else if (dims[i] < 0) {
        throw ElementArrays.error(blob, "The dimensions in argument `shape` must not be a negative number other"
            + " than -1: " + Shapes.format(requested));
      } else {
        size = size > 0 && dims[i] > Long.MAX_VALUE / size ? Long.MAX_VALUE : size * dims[i];
      }
    }
    if (unknown != -1) {
      if (size == 0 || total % size != 0) {
        throw ElementArrays.error(blob, "Argument `shape` does not agree with the input data: " + total
            + " elements of shape " + Shapes.format(oldDims) + " cannot fill " + Shapes.format(requested));
      }
      dims[unknown] = total / size;
    } else if (size != total) {
      throw ElementArrays.error(blob, "Argument `shape` does not agree with the input data: " + total
          + " elements of shape " + Shapes.format(oldDims) + " cannot take the shape " + Shapes.format(dims) + " ("
          + size + " elements)");
    }
    return dims;
  }

  static List<BlobType> infer(OperatorDef def, Arguments args, List<BlobType> in) {
    BlobType x = in.get(0);
    checkSources(args, in.size() == 2);
    long[] xd = x.dims();
    DataType shapeType = in.size() == 2 ? in.get(1).dtype() : DataType.INT64;
    BlobType old = new BlobType(shapeType, xd == null ? null : new long[] {xd.length});
    if (in.size() == 2 || xd == null) {
      return List.of(new BlobType(x.dtype(), null), old);
    }
    long[] dims = resolve(args.getLongs("shape"), xd, Shapes.elementCount(xd), def.getInput(0));
    return List.of(new BlobType(x.dtype(), dims), old);
  }

  /** Linear in the data; the reshaped data is zero when it is, the old shape never is. */
  static List<Linearity> linearity(OperatorDef def) {
    return List.of(new Linearity(List.of(0), List.of(0)));
  }
}
