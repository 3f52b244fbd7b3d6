package dev.zerog.ops.optim;

import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.Arity;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;

/**
 * Adagrad, as Caffe2's dense AdagradOp: a per-element learning rate from the (optionally decayed) sum of squared
 * gradients, with the optional weight decay of the newer Caffe2 op.
 */
final class Adagrad extends UpdateOperator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("Adagrad")
      .inputs(4)
      .outputs(Arity.range(2, 4))
      .allowInPlace(0, 0)
      .allowInPlace(1, 1)
      .doc("The Adagrad update, per element:\n"
          + "- g = grad + weight_decay * param\n"
          + "- moment_new = decay * moment + g^2\n"
          + "- effective_lr = lr / (sqrt(moment_new) + epsilon)\n"
          + "- update = effective_lr * g\n"
          + "- param_new = param + update\n\n"
          + "Caffe2's optimizer gives a negative lr, so that param descends. Outputs (param_new, moment_new), each "
          + "may be in place on its input, then optionally effective_lr and update, param's shape. param, moment "
          + "and grad have one type, FLOAT or DOUBLE (Caffe2: FLOAT), and the same element count; lr is a "
          + "one-element floating-point tensor.\n\n"
          + "No gradient (Caffe2 refuses to differentiate it).")
      .input("param", "the parameter")
      .input("moment", "the sum of squared gradients")
      .input("grad", "the gradient")
      .input("lr", "the learning rate (negative to descend), one element")
      .output("output_param", "the updated parameter; may be param")
      .output("output_moment", "the new sum; may be moment")
      .output("output_effective_lr", "optional: lr / (sqrt(moment_new) + epsilon)")
      .output("output_update", "optional: the update added to param")
      .arg("epsilon", ArgType.FLOAT, "added to sqrt(moment_new) (default 1e-5)")
      .arg("decay", ArgType.FLOAT, "the factor on the old sum (default 1, no decay)")
      .arg("weight_decay", ArgType.FLOAT, "L2 weight decay added to the gradient (default 0)")
      .inference((def, args, in) -> likeInputs(def, in, 0, 1, 0, 0))
      .build();

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(Adagrad::new).gradientNotImplemented().build();

  private final double epsilon;
  private final double decay;
  private final double weightDecay;

  Adagrad(OperatorInit init) {
    super(init);
    Arguments args = init.args();
    this.epsilon = args.getFloat("epsilon", 1e-5f);
    this.decay = args.getFloat("decay", 1f);
    this.weightDecay = args.getFloat("weight_decay", 0f);
  }

  @Override
  public void run() {
    DataType t = denseType(2, 0, 1);
    double lr = scalar(3);
    Tensor grad = input(2);
    Tensor param = outputLike(0, 0, t, true);
    Tensor moment = outputLike(1, 1, t, true);
    Tensor effective = outputSize() > 2 ? outputLike(2, 2, t, false) : null;
    Tensor update = outputSize() > 3 ? outputLike(3, 2, t, false) : null;
    int n = grad.size();
    if (t == DataType.FLOAT) {
      // A known-zero gradient is read as zeros, without materializing it.
      float[] g = grad.isKnownZero() ? null : grad.floats();
      float[] w = param.floats();
      float[] h = moment.floats();
      float[] e = effective == null ? null : effective.floats();
      float[] u = update == null ? null : update.floats();
      float eps = (float) epsilon;
      float dec = (float) decay;
      float wd = (float) weightDecay;
      float rate = (float) lr;
      for (int i = 0; i < n; i++) {
        float gi = (g == null ? 0f : g[i]) + wd * w[i];
        float hi = h[i] = dec * h[i] + gi * gi;
        float ei = rate / ((float) Math.sqrt(hi) + eps);
        float ui = ei * gi;
        if (e != null) {
          e[i] = ei;
        }
        if (u != null) {
          u[i] = ui;
        }
        w[i] += ui;
      }
    } else {
      double[] g = grad.isKnownZero() ? null : grad.doubles();
      double[] w = param.doubles();
      double[] h = moment.doubles();
      double[] e = effective == null ? null : effective.doubles();
      double[] u = update == null ? null : update.doubles();
      for (int i = 0; i < n; i++) {
        double gi = (g == null ? 0d : g[i]) + weightDecay * w[i];
        double hi = h[i] = decay * h[i] + gi * gi;
        double ei = lr / (Math.sqrt(hi) + epsilon);
        double ui = ei * gi;
        if (e != null) {
          e[i] = ei;
        }
        if (u != null) {
          u[i] = ui;
        }
        w[i] += ui;
      }
    }
  }
}
