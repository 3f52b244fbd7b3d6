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
 * Adam (Kingma and Ba), as Caffe2's dense AdamOp: bias-corrected first and second moments, and the parameter
 * moved by {@code lr} times the corrected step (lr negative, from Caffe2's optimizer, to descend).
 */
final class Adam extends UpdateOperator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("Adam")
      .inputs(6)
      .outputs(Arity.range(3, 4))
      .allowInPlace(0, 0)
      .allowInPlace(1, 1)
      .allowInPlace(2, 2)
      .doc("The Adam update. With t = ITER[0] + 1 and c = sqrt(1 - beta2^t) / (1 - beta1^t), per element:\n"
          + "- m1_new = beta1 * m1 + (1 - beta1) * grad\n"
          + "- m2_new = beta2 * m2 + (1 - beta2) * grad^2\n"
          + "- step = c * m1_new / (sqrt(m2_new) + epsilon)\n"
          + "- param_new = param + lr * step\n\n"
          + "Caffe2's optimizer gives a negative lr, so that param descends. Outputs (param_new, m1_new, m2_new), "
          + "each may be in place on its input, and optionally the step (output_grad). param, m1, m2 and grad "
          + "have one type, FLOAT or DOUBLE (Caffe2: FLOAT), and the same element count; lr is a one-element "
          + "floating-point tensor; ITER an INT64 counter. When an output is not in place it is resized like its "
          + "input and written entirely.\n\n"
          + "No gradient (Caffe2 refuses to differentiate it).")
      .input("param", "the parameter")
      .input("moment_1", "the first moment")
      .input("moment_2", "the second moment")
      .input("grad", "the gradient")
      .input("lr", "the learning rate (negative to descend), one element")
      .input("iter", "the iteration counter, INT64")
      .output("output_param", "the updated parameter; may be param")
      .output("output_moment_1", "the new first moment; may be moment_1")
      .output("output_moment_2", "the new second moment; may be moment_2")
      .output("output_grad", "optional: the step, param's shape")
      .arg("beta1", ArgType.FLOAT, "the first moment's decay (default 0.9)")
      .arg("beta2", ArgType.FLOAT, "the second moment's decay (default 0.999)")
      .arg("epsilon", ArgType.FLOAT, "added to sqrt(m2_new) (default 1e-5, as Caffe2's op; its optimizer passes "
          + "1e-8)")
      .inference((def, args, in) -> likeInputs(def, in, 0, 1, 2, 0))
      .build();

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(Adam::new).gradientNotImplemented().build();

  private final double beta1;
  private final double beta2;
  private final double epsilon;

  Adam(OperatorInit init) {
    super(init);
    Arguments args = init.args();
    this.beta1 = args.getFloat("beta1", 0.9f);
    this.beta2 = args.getFloat("beta2", 0.999f);
    this.epsilon = args.getFloat("epsilon", 1e-5f);
  }

  @Override
  public void run() {
    DataType t = denseType(3, 0, 1, 2);
    double lr = scalar(4);
    long t1 = iteration(5) + 1;
    double correction = Math.sqrt(1 - Math.pow(beta2, t1)) / (1 - Math.pow(beta1, t1));
    Tensor grad = input(3);
    Tensor param = outputLike(0, 0, t, true);
    Tensor m1 = outputLike(1, 1, t, true);
    Tensor m2 = outputLike(2, 2, t, true);
    Tensor step = outputSize() > 3 ? outputLike(3, 3, t, false) : null;
    int n = grad.size();
    if (t == DataType.FLOAT) {
      // A known-zero gradient is read as zeros, without materializing it.
      float[] g = grad.isKnownZero() ? null : grad.floats();
      float[] w = param.floats();
      float[] a = m1.floats();
      float[] b = m2.floats();
      float[] s = step == null ? null : step.floats();
      float b1 = (float) beta1;
      float b2 = (float) beta2;
      float eps = (float) epsilon;
      float c = (float) correction;
      float rate = (float) lr;
      for (int i = 0; i < n; i++) {
        float gi = g == null ? 0f : g[i];
        float mi = a[i] = a[i] * b1 + gi * (1 - b1);
        float vi = b[i] = b[i] * b2 + gi * gi * (1 - b2);
        float si = c * mi / ((float) Math.sqrt(vi) + eps);
        if (s != null) {
          s[i] = si;
        }
        w[i] += rate * si;
      }
    } else {
      double[] g = grad.isKnownZero() ? null : grad.doubles();
      double[] w = param.doubles();
      double[] a = m1.doubles();
      double[] b = m2.doubles();
      double[] s = step == null ? null : step.doubles();
      for (int i = 0; i < n; i++) {
        double gi = g == null ? 0d : g[i];
        double mi = a[i] = a[i] * beta1 + gi * (1 - beta1);
        double vi = b[i] = b[i] * beta2 + gi * gi * (1 - beta2);
        double si = correction * mi / (Math.sqrt(vi) + epsilon);
        if (s != null) {
          s[i] = si;
        }
        w[i] += lr * si;
      }
    }
  }
}
