package dev.zerog.ops.gradient;

import dev.zerog.ShapeException;
import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.FlopEstimate;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.util.List;

/**
 * GradientMask (a zerog extension, not in Caffe2): the identity forward, and a gradient multiplied by a mask.
 *
 * <p>{@code Y = X}; in the backward pass {@code dX = dY * mask}, the mask broadcast to X's shape. A mask of ones
 * and zeros selects which elements of X are trained: a pruning mask, or a partial freeze of a weight. The mask
 * gets no gradient. Broadcasting follows NumPy's rule with X's shape as the result: the mask's dims, aligned to
 * the end of X's, are each 1 or X's dim (a [N] mask over an [M, N] weight masks columns, a [M, 1] mask rows, a
 * scalar mask the whole tensor).
 *
 * <p>An all-zero mask is a zero gradient: the zero-aware backward pass (docs/zero-aware.md) treats X's gradient
 * as known zero when the init net fills the mask with zeros, and prunes the work that only fed it; at run time,
 * a mask that is a known zero gives a known-zero dX without reading dY.
 *
 * <p>The gradient op is {@code GradientMaskGradient(dY, mask) -> dX}, also a zerog extension.
 */
final class GradientMask extends Operator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("GradientMask")
      .inputs(2)
      .outputs(1)
      .allowInPlace(0, 0)
      .linearIn(0)
      .doc("Y = X forward; backward, dX = dY * mask, the mask broadcast to X's shape (a zerog extension, not in "
          + "Caffe2). For zeroing the gradients of chosen elements of X: a pruning mask, or a partial freeze.\n\n"
          + "X is FLOAT or DOUBLE; the mask has X's type and a shape that broadcasts to X's: its dims, aligned to "
          + "the end of X's, are each 1 or X's dim (a scalar mask masks everything alike). In place (Y is X) the "
          + "op does nothing; otherwise Y becomes a copy of X (a known zero stays one).\n\n"
          + "An all-zero mask makes X's gradient zero: the zero-aware backward pass knows it when the init net fills "
          + "the mask with zeros (ConstantFill 0, or a GivenTensorFill of zeros) and prunes the work that only fed "
          + "X's gradient; a mask that is a known zero at run time gives a known-zero dX.\n\n"
          + "Gradient: GradientMaskGradient(dY, mask) -> dX. The mask gets no gradient.")
      .input("X", "the tensor passed through, FLOAT or DOUBLE")
      .input("mask", "X's type, broadcastable to X's shape; multiplies X's gradient")
      .output("Y", "equal to X; may be X (in place)")
      .inference((def, args, in) -> List.of(in.get(0)))
      .build();

  /** dX = dY * mask, with the mask as the forward op's. */
  static final GradientMaker GRADIENT = (GradientContext g) -> GradientContext.single("GradientMaskGradient",
      List.of(g.GO(0), g.I(1)), List.of(g.GI(0)));

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(GradientMask::new).gradient(GRADIENT).build();

  GradientMask(OperatorInit init) {
    super(init);
  }

  @Override
  public void run() {
    Tensor x = input(0);
    Tensor mask = input(1);
    checkTypes(x, mask, 0, 1);
    MaskPlan.check(x, mask, this, 1);
    if (!inPlace(0, 0)) {
      output(0).copyFrom(x);
    }
  }

  /** X (input {@code xi}) must be FLOAT or DOUBLE and the mask (input {@code mi}) of its type. */
  void checkTypes(Tensor x, Tensor mask, int xi, int mi) {
    DataType t = x.dtype();
    if (t != DataType.FLOAT && t != DataType.DOUBLE) {
      throw located(new ShapeException(type() + " takes a FLOAT or DOUBLE tensor, got " + t + " "
          + Shapes.format(x.dims())), xi);
    }
    if (mask.dtype() != t) {
      throw located(new ShapeException("the mask is " + mask.dtype() + " but '" + inputBlob(xi).name() + "' is " + t
          + "; the mask must have its type"), mi);
    }
  }

  ShapeException located(ShapeException e, int input) {
    return (ShapeException) e.atOp(index(), type()).atBlob(inputBlob(input).name());
  }

  /** GradientMaskGradient(dY, mask) -> dX: dX = dY * mask, broadcast as GradientMask's. */
  static final class Gradient extends Operator {
    static final OperatorSchema SCHEMA = OperatorSchema.builder("GradientMaskGradient")
        .inputs(2)
        .outputs(1)
        .allowInPlace(0, 0)
        .linearIn(0)
        .linearIn(1)
        .flops(FlopEstimate.perOutputElement(1))
        .doc("The gradient of GradientMask (a zerog extension): dX = dY * mask, the mask broadcast to dY's shape "
            + "as in GradientMask. dX has dY's type and shape and may be dY (in place). A known-zero dY or mask "
            + "gives a known-zero dX, computed without reading the other.")
        .input("dY", "the gradient of GradientMask's Y, FLOAT or DOUBLE")
        .input("mask", "GradientMask's mask, dY's type")
        .output("dX", "the gradient of X")
        .inference((def, args, in) -> List.of(in.get(0)))
        .build();

    static final OperatorDefinition DEFINITION =
        OperatorDefinition.builder(SCHEMA).cpu(Gradient::new).noGradient().build();

    private final MaskPlan plan = new MaskPlan();

    Gradient(OperatorInit init) {
      super(init);
    }

    @Override
    public void run() {
      Tensor dy = input(0);
      Tensor mask = input(1);
      DataType t = dy.dtype();
      if (t != DataType.FLOAT && t != DataType.DOUBLE) {
        throw located(new ShapeException(type() + " takes a FLOAT or DOUBLE gradient, got " + t + " "
            + Shapes.format(dy.dims())), 0);
      }
      if (mask.dtype() != t) {
        throw located(new ShapeException("the mask is " + mask.dtype() + " but dY '" + inputBlob(0).name() + "' is "
            + t + "; the mask must have its type"), 1);
      }
      MaskPlan.check(dy, mask, this, 1);
      Tensor dx = output(0);
      if (dy.isKnownZero() || mask.isKnownZero()) {
        if (!(inPlace(0, 0) && dy.isKnownZero())) {
          dx.setKnownZero(t, dy.dims());
        }
        return;
      }
      if (!inPlace(0, 0)) {
        dx.resizeLike(t, dy);
      }
      plan.prepare(dy, mask);
      if (t == DataType.FLOAT) {
        plan.multiply(dy.floats(), mask.floats(), dx.floats());
      } else {
        plan.multiply(dy.doubles(), mask.doubles(), dx.doubles());
      }
    }

    private ShapeException located(ShapeException e, int input) {
      return (ShapeException) e.atOp(index(), type()).atBlob(inputBlob(input).name());
    }
  }
}
