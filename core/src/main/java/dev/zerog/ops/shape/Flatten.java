package dev.zerog.ops.shape;

import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.BlobType;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.util.List;

/**
 * Flatten and FlattenToVec: X's elements as a matrix (the dims before {@code axis} times the rest) or as a
 * vector. Both take any type.
 *
 * <p>Gradient of both (Caffe2's GetFlattenGradient and GetFlattenToVecGradient): {@code ResizeLike(dY, X) -> dX}.
 */
final class Flatten extends Operator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("Flatten")
      .linearIn(0)
      .inputs(1)
      .outputs(1)
      .doc("X's elements as a 2-D matrix: for X of shape [d0, ..., dn-1], Y has shape "
          + "[d0 * ... * d(axis-1), d(axis) * ... * dn-1] (an empty product is 1) and X's type (any type). "
          + "`axis` must lie in [0, rank].\n\n"
          + "Gradient: ResizeLike(dY, X) -> dX.")
      .input("X", "any type, rank >= axis")
      .output("Y", "X's elements, 2-D")
      .arg("axis", ArgType.INT, "the dims before it form the rows (default 1)")
      .inference(Flatten::infer)
      .build();

  static final OperatorSchema TO_VEC_SCHEMA = OperatorSchema.builder("FlattenToVec")
      .linearIn(0)
      .inputs(1)
      .outputs(1)
      .doc("X's elements as a 1-D vector: Y has shape [size(X)] and X's type (any type). X must have rank >= 1."
          + "\n\nGradient: ResizeLike(dY, X) -> dX.")
      .input("input", "any type, rank >= 1")
      .output("output", "X's elements, 1-D")
      .inference(Flatten::inferToVec)
      .build();

  /** Caffe2's GetFlattenGradient and GetFlattenToVecGradient: ResizeLike(dY, X) -> dX. */
  static final GradientMaker GRADIENT = (GradientContext g) -> GradientContext.single(
      "ResizeLike", List.of(g.GO(0), g.I(0)), List.of(g.GI(0)));

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(init -> new Flatten(init, false)).gradient(GRADIENT).build();
  static final OperatorDefinition TO_VEC =
      OperatorDefinition.builder(TO_VEC_SCHEMA).cpu(init -> new Flatten(init, true)).gradient(GRADIENT).build();

  private final boolean toVector;
  private final int axis;

  private Flatten(OperatorInit init, boolean toVector) {
    super(init);
    this.toVector = toVector;
    this.axis = toVector ? 0 : init.args().getInt("axis", 1);
  }

  @Override
  public void run() {
    Tensor x = input(0);
    long[] dims = x.dims();
    String name = inputBlob(0).name();
    long[] out;
    if (toVector) {
      if (dims.length < 1) {
        throw ElementArrays.error(name, "The rank of the tensor must be >= 1; '" + name + "' is 0-d");
      }
      out = new long[] {x.size()};
    } else {
      out = flatDims(dims, axis, name);
    }
    output(0).copyFrom(x).reshape(out);
  }

  static long[] flatDims(long[] dims, int axis, String blob) {
    if (axis < 0 || axis > dims.length) {
      throw ElementArrays.error(blob, "axis " + axis + " must lie in [0, rank]: the rank of '" + blob + "' "
          + Shapes.format(dims) + " must be >= axis");
    }
    return new long[] {Shapes.sizeBetween(dims, 0, axis), Shapes.sizeBetween(dims, axis, dims.length)};
  }

  static List<BlobType> infer(OperatorDef def, Arguments args, List<BlobType> in) {
    BlobType x = in.get(0);
    if (x.dims() == null) {
      return List.of(new BlobType(x.dtype(), null));
    }
    return List.of(new BlobType(x.dtype(), flatDims(x.dims(), args.getInt("axis", 1), def.getInput(0))));
  }

  static List<BlobType> inferToVec(OperatorDef def, Arguments args, List<BlobType> in) {
    BlobType x = in.get(0);
    if (x.dims() == null) {
      return List.of(new BlobType(x.dtype(), null));
    }
    if (x.dims().length == 0) {
      throw ElementArrays.error(def.getInput(0), "The rank of the tensor must be >= 1; '" + def.getInput(0)
          + "' is 0-d");
    }
    return List.of(new BlobType(x.dtype(), new long[] {Shapes.elementCount(x.dims())}));
  }
}
