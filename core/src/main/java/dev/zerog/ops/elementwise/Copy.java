package dev.zerog.ops.elementwise;

import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.tensor.Tensor;
import java.util.List;

/**
 * Copy: {@code Y = X}, a copy of any tensor; and CopyOnDeviceLike(X, Like) -> Y, which copies X onto Like's
 * device (on the CPU, a plain copy) and is Copy's gradient: {@code CopyOnDeviceLike(dY, X) -> dX}.
 */
final class Copy extends Operator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("Copy")
      .linearIn(0)
      .inputs(1)
      .outputs(1)
      .doc("Copies a tensor: Y = X, same type (any, STRING included), shape and elements.\n\n"
          + "Not in place (as in Caffe2). Y's memory is reused when it already has X's type and size; a "
          + "known-zero X gives a known-zero Y.\n\n"
          + "Gradient: CopyOnDeviceLike(dY, X) -> dX, a copy of dY.")
      .input("X", "the tensor to copy")
      .output("Y", "the copy")
      .inference((def, args, in) -> List.of(in.get(0)))
      .build();

  static final OperatorSchema LIKE_SCHEMA = OperatorSchema.builder("CopyOnDeviceLike")
      .linearIn(0)
      .inputs(2)
      .outputs(1)
      .doc("Copies X onto the device that holds Like: Y = X, same type, shape and elements. zerog runs on the "
          + "CPU only, so this is a plain copy and Like is not read. It is Copy's gradient operator.")
      .input("X", "the tensor to copy")
      .input("Like", "a tensor on the device to copy to (not read)")
      .output("Y", "the copy")
      .inference((def, args, in) -> List.of(in.get(0)))
      .build();

  /** Caffe2's GetCopyGradient: CopyOnDeviceLike(dY, X) -> dX. */
  static final GradientMaker GRADIENT = (GradientContext g) ->
      GradientContext.single("CopyOnDeviceLike", List.of(g.GO(0), g.I(0)), List.of(g.GI(0)));

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(Copy::new).gradient(GRADIENT).build();

  static final OperatorDefinition LIKE_DEFINITION =
      OperatorDefinition.builder(LIKE_SCHEMA).cpu(Copy::new).gradientNotImplemented().build();

  Copy(OperatorInit init) {
    super(init);
  }

  @Override
  public void run() {
    Tensor x = input(0);
    Tensor y = output(0);
    if (x.isKnownZero()) {
      y.setKnownZero(x.dtype(), x.dims());
      return;
    }
    Outputs.shapeLike(y, x.dtype(), x);
    System.arraycopy(x.data(), 0, y.data(), 0, x.size());
  }
}
