package dev.zerog.ops.reduce;

import dev.zerog.ShapeException;
import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.BlobType;
import dev.zerog.op.FlopEstimate;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * SumElements: the sum (or, with {@code average: 1}, the mean) of every element of X as a 0-d scalar; and its
 * gradient op SumElementsGradient.
 *
 * <p>Gradient (Caffe2's GetSumElementsGradient): {@code SumElementsGradient(X, dY) -> dX}, every element dY
 * (or dY / size(X) with {@code average}).
 */
final class SumElements extends Operator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("SumElements")
      .linearIn(0)
      .flops(FlopEstimate.perInputElement(0, 1))
      .inputs(1)
      .outputs(1)
      .doc("The sum of all the elements of X, Y = Σ_i X[i], or with `average: 1` their mean (Σ_i X[i]) / size(X). "
          + "Y is a 0-d scalar of X's type (FLOAT or DOUBLE). The sum of an empty X is 0, its mean NaN.\n\n"
          + "Gradient: SumElementsGradient(X, dY) -> dX, X's shape, every element dY (dY / size(X) with "
          + "`average`).")
      .input("X", "FLOAT or DOUBLE, any shape")
      .output("sum", "the sum or mean, a 0-d scalar of X's type")
      .arg("average", ArgType.INT, "1: the mean instead of the sum (default 0)")
      .inference(SumElements::infer)
      .build();

  /** Caffe2's GetSumElementsGradient: (X, dY) -> dX. */
  static final GradientMaker GRADIENT = (GradientContext g) -> GradientContext.single(
      "SumElementsGradient", List.of(g.I(0), g.GO(0)), List.of(g.GI(0)));

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(SumElements::new).gradient(GRADIENT).build();

  private final boolean average;

  SumElements(OperatorInit init) {
    super(init);
    average = init.args().getBool("average", false);
  }

  static DataType floating(String type, Tensor t, String blob) {
    DataType d = t.dtype();
    if (d != DataType.FLOAT && d != DataType.DOUBLE) {
      throw (ShapeException) new ShapeException(type + " supports FLOAT and DOUBLE tensors, got " + d + " "
          + Shapes.format(t.dims())).atBlob(blob);
    }
    return d;
  }

  @Override
  public void run() {
    Tensor x = input(0);
    DataType dtype = floating(type(), x, inputBlob(0).name());
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
    if (average) {
      sum /= x.size();
    }
    Tensor y = output(0).resize(dtype);
    if (dtype == DataType.FLOAT) {
      y.floats()[0] = (float) sum;
    } else {
      y.doubles()[0] = sum;
    }
  }

  static List<BlobType> infer(OperatorDef def, Arguments args, List<BlobType> in) {
    DataType d = in.get(0).dtype();
    if (d != null && d != DataType.FLOAT && d != DataType.DOUBLE) {
      throw (ShapeException) new ShapeException("SumElements supports FLOAT and DOUBLE tensors, got " + d)
          .atBlob(def.getInput(0));
    }
    return List.of(new BlobType(d, new long[0]));
  }

  /** SumElementsGradient(X, dY) -> dX. */
  static final class Gradient extends Operator {
    static final OperatorSchema SCHEMA = OperatorSchema.builder("SumElementsGradient")
      .linearIn(1)
        .flops(FlopEstimate.perOutputElement(1))
        .inputs(2)
        .outputs(1)
        .doc("The gradient of SumElements: dX has X's type and shape, every element dY, or dY / size(X) with "
            + "`average: 1`. dY holds one element of X's type.")
        .input("X", "SumElements's input")
        .input("dY", "the gradient of the sum, one element")
        .output("dX", "the gradient of X")
        .arg("average", ArgType.INT, "as in SumElements")
        .inference((def, args, in) -> List.of(in.get(0)))
        .build();

    static final OperatorDefinition DEFINITION =
        OperatorDefinition.builder(SCHEMA).cpu(Gradient::new).noGradient().build();

    private final boolean average;

    Gradient(OperatorInit init) {
      super(init);
      average = init.args().getBool("average", false);
    }

    @Override
    public void run() {
      Tensor x = input(0);
      Tensor dy = input(1);
      DataType dtype = floating(type(), x, inputBlob(0).name());
      String dyName = inputBlob(1).name();
      if (dy.dtype() != dtype || dy.size() != 1) {
        throw (ShapeException) new ShapeException("the gradient '" + dyName + "' must be one " + dtype
            + " element, got " + dy.dtype() + " " + Shapes.format(dy.dims())).atBlob(dyName);
      }
      double g = average ? dy.getDouble(0) / x.size() : dy.getDouble(0);
      Tensor dx = output(0).resize(dtype, x.dims());
      if (dtype == DataType.FLOAT) {
        Arrays.fill(dx.floats(), (float) g);
      } else {
        Arrays.fill(dx.doubles(), g);
      }
    }
  }
}
