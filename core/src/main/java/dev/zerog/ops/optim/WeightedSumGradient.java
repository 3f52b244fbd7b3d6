package dev.zerog.ops.optim;

import dev.zerog.SchemaException;
import dev.zerog.ShapeException;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.Arity;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;

/** WeightedSumGradient: the gradient op of {@link WeightedSum}, as Caffe2's WeightedSumGradientOp. */
final class WeightedSumGradient extends Operator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("WeightedSumGradient")
      .linearIn(0)
      .inputs(Arity.atLeast(3))
      .outputs(Arity.atLeast(1))
      .doc("The gradient of WeightedSum: from dY and the forward pairs (X_i, w_i), dX_i = w_i * dY for each pair, "
          + "then, with `grad_on_w: 1`, dw_i = sum(dY * X_i) for each pair.\n\n"
          + "The inputs are dY, X0, w0, X1, w1, ... (an odd number); the outputs dX0, dX1, ..., then dw0, dw1, ... "
          + "with grad_on_w (so as many outputs as pairs, or twice as many). Each dX_i has dY's type (FLOAT or "
          + "DOUBLE) and shape; each dw_i is [1] of dY's type. With grad_on_w each X_i must have dY's type and "
          + "element count.")
      .input("dY", "the gradient of Y")
      .input("X0, w0, ...", "the forward op's inputs")
      .output("dX0, ...", "the gradients of the tensors")
      .output("dw0, ...", "with grad_on_w: the gradients of the weights, [1] each")
      .arg("grad_on_w", ArgType.INT, "1: also compute the weights' gradients (default 0)")
      .inference(WeightedSum::inferGradient)
      .build();

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(WeightedSumGradient::new).gradientNotImplemented().build();

  private static final long[] ONE = {1};

  private final boolean gradOnW;
  private final int pairs;

  WeightedSumGradient(OperatorInit init) {
    super(init);
    Arguments args = init.args();
    int nIn = init.inputs().length;
    if (nIn % 2 != 1) {
      throw new SchemaException("WeightedSumGradient takes dY and (tensor, weight) pairs, an odd number of "
          + "inputs, got " + nIn);
    }
    this.gradOnW = args.getBool("grad_on_w", false);
    this.pairs = nIn / 2;
    int expected = gradOnW ? 2 * pairs : pairs;
    if (init.outputs().length != expected) {
      throw new SchemaException("WeightedSumGradient with " + pairs + " pairs" + (gradOnW ? " and grad_on_w" : "")
          + " has " + expected + " outputs, got " + init.outputs().length);
    }
  }

  @Override
  public void run() {
    Tensor dy = input(0);
    DataType t = dy.dtype();
    if (t != DataType.FLOAT && t != DataType.DOUBLE) {
      throw (ShapeException) new ShapeException("WeightedSumGradient supports FLOAT and DOUBLE, got " + t)
          .atBlob(inputBlob(0).name());
    }
    int size = dy.size();
    for (int p = 0; p < pairs; p++) {
      double w = WeightedSum.weightValue(input(2 * p + 2), 2 * p + 2, inputBlob(2 * p + 2).name());
      Tensor dx = output(p);
      dx.resizeLike(t, dy);
      if (t == DataType.FLOAT) {
        float[] g = dy.floats();
        float[] out = dx.floats();
        float wf = (float) w;
        for (int k = 0; k < size; k++) {
          out[k] = wf * g[k];
        }
      } else {
        double[] g = dy.doubles();
        double[] out = dx.doubles();
        for (int k = 0; k < size; k++) {
          out[k] = w * g[k];
        }
      }
      if (gradOnW) {
        Tensor x = input(2 * p + 1);
        if (x.dtype() != t || x.size() != size) {
          throw (ShapeException) new ShapeException("X" + p + " is " + x.dtype() + " " + Shapes.format(x.dims())
              + ", but dY is " + t + " " + Shapes.format(dy.dims()) + "; they must have the same type and element "
              + "count").atBlob(inputBlob(2 * p + 1).name());
        }
        Tensor dw = output(pairs + p);
        dw.resize(t, ONE);
        if (t == DataType.FLOAT) {
          float[] g = dy.floats();
          float[] xs = x.floats();
          double dot = 0;
          for (int k = 0; k < size; k++) {
            dot += g[k] * xs[k];
          }
          dw.floats()[0] = (float) dot;
        } else {
          double[] g = dy.doubles();
          double[] xs = x.doubles();
          double dot = 0;
          for (int k = 0; k < size; k++) {
            dot += g[k] * xs[k];
          }
          dw.doubles()[0] = dot;
        }
      }
    }
  }
}
