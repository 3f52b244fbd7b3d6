package dev.zerog.ops.loss;

import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.Arguments;
import dev.zerog.op.BlobType;
import dev.zerog.op.FlopEstimate;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * AveragedLoss: the mean of every element of X as a 0-d scalar, usually the last op of a loss; and its
 * gradient op AveragedLossGradient.
 *
 * <p>Gradient (Caffe2's GetAveragedLossGradient): {@code AveragedLossGradient(X, dY) -> dX}, every element
 * dY / size(X).
 */
final class AveragedLoss extends Operator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("AveragedLoss")
      .linearIn(0)
      .flops(FlopEstimate.perInputElement(0, 1))
      .inputs(1)
      .outputs(1)
      .doc("The mean of all the elements of X: Y = (Σ_i X[i]) / size(X), a 0-d scalar of X's type (FLOAT or "
          + "DOUBLE). The mean of an empty X is NaN (0 / 0).\n\n"
          + "Gradient: AveragedLossGradient(X, dY) -> dX, X's shape, every element dY / size(X).")
      .input("input", "X: FLOAT or DOUBLE, any shape")
      .output("output", "the mean, a 0-d scalar of X's type")
      .inference(AveragedLoss::infer)
      .build();

  /** Caffe2's GetAveragedLossGradient: (X, dY) -> dX. */
  static final GradientMaker GRADIENT = (GradientContext g) -> GradientContext.single(
      "AveragedLossGradient", List.of(g.I(0), g.GO(0)), List.of(g.GI(0)));

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(AveragedLoss::new).gradient(GRADIENT).build();

  AveragedLoss(OperatorInit init) {
    super(init);
  }

  @Override
  public void run() {
    Tensor x = input(0);
    DataType dtype = Inputs.floating(type(), x, inputBlob(0).name());
    double sum = 0;
    if (dtype == DataType.FLOAT) {
      for (float v : x.floats()) {
        sum += v;
      }
    } else {
      for (double v : x.doubles()) {
        sum += v;
      }
    }
    double mean = sum / x.size();
    Tensor y = output(0).resize(dtype);
    if (dtype == DataType.FLOAT) {
      y.floats()[0] = (float) mean;
    } else {
      y.doubles()[0] = mean;
    }
  }

  static List<BlobType> infer(OperatorDef def, Arguments args, List<BlobType> in) {
    Inputs.inferFloating(def, in.get(0), 0);
    return List.of(new BlobType(in.get(0).dtype(), new long[0]));
  }

  /** AveragedLossGradient(X, dY) -> dX. */
  static final class Gradient extends Operator {
    static final OperatorSchema SCHEMA = OperatorSchema.builder("AveragedLossGradient")
      .linearIn(1)
        .flops(FlopEstimate.perOutputElement(1))
        .inputs(2)
        .outputs(1)
        .doc("The gradient of AveragedLoss: dX has X's shape and type, every element dY / size(X). dY holds one "
            + "element of X's type.")
        .input("X", "AveragedLoss's input")
        .input("dY", "the gradient of the mean, one element")
        .output("dX", "the gradient of X")
        .inference((def, args, in) -> List.of(in.get(0)))
        .build();

    static final OperatorDefinition DEFINITION =
        OperatorDefinition.builder(SCHEMA).cpu(Gradient::new).noGradient().build();

    Gradient(OperatorInit init) {
      super(init);
    }

    @Override
    public void run() {
      Tensor x = input(0);
      Tensor dy = input(1);
      String xName = inputBlob(0).name();
      DataType dtype = Inputs.floating(type(), x, xName);
      Inputs.sameType(dy, inputBlob(1).name(), dtype, xName);
      Inputs.scalar(dy, inputBlob(1).name());
      double g = dy.getDouble(0) / x.size();
      Tensor dx = output(0).resize(dtype, x.dims());
      if (dtype == DataType.FLOAT) {
        Arrays.fill(dx.floats(), (float) g);
      } else {
        Arrays.fill(dx.doubles(), g);
      }
    }
  }
}
