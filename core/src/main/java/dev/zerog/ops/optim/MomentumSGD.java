package dev.zerog.ops.optim;

import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;

/**
 * MomentumSGD and MomentumSGDUpdate, as Caffe2's: the momentum step (plain or Nesterov) from a gradient, a momentum
 * buffer and a learning rate; MomentumSGDUpdate also subtracts the step from the parameter.
 *
 * <p>Per element, with m the momentum, g the gradient, lr the (positive) learning rate and μ {@code momentum}:
 * plain, {@code m' = lr·g + μ·m} and the step is m'; Nesterov, {@code m' = μ·m + lr·g} and the step is
 * {@code (1 + μ)·m' − μ·m}. Outputs: the step (into the gradient blob, usually in place), m', and for
 * MomentumSGDUpdate {@code param − step}.
 */
final class MomentumSGD extends UpdateOperator {
  private static final String MATH = "Per element, with g = grad, m = moment, mu = `momentum` and lr = LR[0]:\n"
      + "- nesterov 0: m_new = lr * g + mu * m, and step = m_new\n"
      + "- nesterov 1: m_new = mu * m + lr * g, and step = (1 + mu) * m_new - mu * m\n\n";

  private static final String TYPES = "grad, moment (and param) have one type, FLOAT or DOUBLE (Caffe2: FLOAT), and "
      + "the same element count; LR is a one-element floating-point tensor. Each output has the shape of its "
      + "input.";

  static final OperatorSchema SCHEMA = OperatorSchema.builder("MomentumSGD")
      .inputs(3)
      .outputs(2)
      .allowInPlace(0, 0)
      .allowInPlace(1, 1)
      .doc("The momentum SGD step, without the parameter update.\n\n" + MATH
          + "Outputs (step, m_new); both may be in place on their inputs. " + TYPES + "\n\n"
          + "No gradient (Caffe2 refuses to differentiate it).")
      .input("grad", "the gradient")
      .input("moment", "the momentum buffer")
      .input("lr", "the learning rate (positive), one element")
      .output("output_grad", "the step; may be grad")
      .output("output_moment", "the new momentum; may be moment")
      .arg("momentum", ArgType.FLOAT, "mu (default 0)")
      .arg("nesterov", ArgType.INT, "1: Nesterov's momentum (default 0)")
      .inference((def, args, in) -> likeInputs(def, in, 0, 1))
      .build();

  static final OperatorSchema UPDATE_SCHEMA = OperatorSchema.builder("MomentumSGDUpdate")
      .inputs(4)
      .outputs(3)
      .allowInPlace(0, 0)
      .allowInPlace(1, 1)
      .allowInPlace(3, 2)
      .doc("The momentum SGD step and the parameter update: param_new = param - step.\n\n" + MATH
          + "Outputs (step, m_new, param_new); each may be in place on its input (the optimizer builder runs all "
          + "three in place). When param_new is another blob it receives a copy of param first (Caffe2 assumes in "
          + "place). " + TYPES + "\n\n"
          + "Caffe2's optimizer gives this op a positive learning rate, since it subtracts the step. "
          + "No gradient (Caffe2 refuses to differentiate it).")
      .input("grad", "the gradient")
      .input("moment", "the momentum buffer")
      .input("lr", "the learning rate (positive), one element")
      .input("param", "the parameter")
      .output("output_grad", "the step; may be grad")
      .output("output_moment", "the new momentum; may be moment")
      .output("output_param", "the updated parameter; may be param")
      .arg("momentum", ArgType.FLOAT, "mu (default 0)")
      .arg("nesterov", ArgType.INT, "1: Nesterov's momentum (default 0)")
      .inference((def, args, in) -> likeInputs(def, in, 0, 1, 3))
      .build();

  static final OperatorDefinition DEFINITION = OperatorDefinition.builder(SCHEMA)
      .cpu(init -> new MomentumSGD(init, false)).gradientNotImplemented().build();

  static final OperatorDefinition UPDATE_DEFINITION = OperatorDefinition.builder(UPDATE_SCHEMA)
      .cpu(init -> new MomentumSGD(init, true)).gradientNotImplemented().build();

  private final boolean update;
  private final double momentum;
  private final boolean nesterov;

  MomentumSGD(OperatorInit init, boolean update) {
    super(init);
    Arguments args = init.args();
    this.update = update;
    this.momentum = args.getFloat("momentum", 0f);
    this.nesterov = args.getBool("nesterov", false);
  }

  @Override
  public void run() {
    DataType t = update ? denseType(0, 1, 3) : denseType(0, 1);
    double lr = scalar(2);
    // The inputs are read before the outputs are resized: an output that is not in place is another blob.
    Tensor grad = input(0);
    Tensor moment = input(1);
    Tensor outGrad = outputLike(0, 0, t, false);
    Tensor outMoment = outputLike(1, 1, t, false);
    Tensor param = update ? outputLike(2, 3, t, true) : null;
    int n = grad.size();
    if (t == DataType.FLOAT) {
      float[] g = grad.floats();
      float[] m = moment.floats();
      float[] ng = outGrad.floats();
      float[] nm = outMoment.floats();
      float[] w = param == null ? null : param.floats();
      float mu = (float) momentum;
      float rate = (float) lr;
      for (int i = 0; i < n; i++) {
        float step;
        if (!nesterov) {
          step = rate * g[i] + mu * m[i];
          nm[i] = step;
        } else {
          float mi = m[i];
          float mNew = mu * mi + rate * g[i];
          nm[i] = mNew;
          step = (1 + mu) * mNew - mu * mi;
        }
        ng[i] = step;
        if (w != null) {
          w[i] -= step;
        }
      }
    } else {
      double[] g = grad.doubles();
      double[] m = moment.doubles();
      double[] ng = outGrad.doubles();
      double[] nm = outMoment.doubles();
      double[] w = param == null ? null : param.doubles();
      for (int i = 0; i < n; i++) {
        double step;
        if (!nesterov) {
          step = lr * g[i] + momentum * m[i];
          nm[i] = step;
        } else {
          double mi = m[i];
          double mNew = momentum * mi + lr * g[i];
          nm[i] = mNew;
          step = (1 + momentum) * mNew - momentum * mi;
        }
        ng[i] = step;
        if (w != null) {
          w[i] -= step;
        }
      }
    }
  }
}
