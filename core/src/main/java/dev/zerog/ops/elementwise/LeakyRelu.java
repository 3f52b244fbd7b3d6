package dev.zerog.ops.elementwise;

import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.ArgType;
import dev.zerog.op.FlopEstimate;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import java.util.List;

/**
 * LeakyRelu: {@code Y = X where X >= 0, else alpha * X}; and LeakyReluGradient(Y, dY) -> dX with
 * {@code dX = dY where Y >= 0, else alpha * dY}.
 */
final class LeakyRelu extends FloatingUnaryOp {
  static final float DEFAULT_ALPHA = 0.01f;

  static final OperatorSchema SCHEMA = OperatorSchema.builder("LeakyRelu")
      .flops(FlopEstimate.perOutputElement(2))
      .inputs(1)
      .outputs(1)
      .allowInPlace(0, 0)
      .doc("Leaky rectified linear unit, elementwise: Y = X where X >= 0, alpha * X elsewhere (computed as "
          + "max(X, 0) + alpha * min(X, 0)).\n\n"
          + "Y has X's shape and type (FLOAT or DOUBLE) and may be X (in place).\n\n"
          + "Gradient: LeakyReluGradient(Y, dY) -> dX with the same alpha, dX = dY where Y >= 0 and alpha * dY "
          + "elsewhere.")
      .input("X", "the input, any shape")
      .output("Y", "the output, of X's shape; may be X")
      .arg("alpha", ArgType.FLOAT, "the slope for negative inputs (default 0.01)")
      .inference(FloatingUnaryOp::infer)
      .build();

  static final OperatorSchema GRADIENT_SCHEMA = OperatorSchema.builder("LeakyReluGradient")
      .linearIn(1)
      .flops(FlopEstimate.perOutputElement(2))
      .inputs(2)
      .outputs(1)
      .allowInPlace(1, 0)
      .doc("The gradient of LeakyRelu: dX = dY where Y >= 0, alpha * dY elsewhere. Y and dY have one type "
          + "(FLOAT or DOUBLE) and one shape, which dX takes; dX may be dY (in place).")
      .input("Y", "LeakyRelu's output")
      .input("dY", "the gradient of Y")
      .output("dX", "the gradient of X")
      .arg("alpha", ArgType.FLOAT, "the forward op's slope (default 0.01)")
      .inference(FloatingUnaryGradientOp::inferDySecond)
      .build();

  /** Caffe2's GetLeakyReluGradient: LeakyReluGradient(Y, dY) -> dX; the builder copies alpha. */
  static final GradientMaker GRADIENT = (GradientContext g) ->
      GradientContext.single("LeakyReluGradient", List.of(g.O(0), g.GO(0)), List.of(g.GI(0)));

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(LeakyRelu::new).gradient(GRADIENT).build();

  static final OperatorDefinition GRADIENT_DEFINITION =
      OperatorDefinition.builder(GRADIENT_SCHEMA).cpu(Gradient::new).gradientNotImplemented().build();

  private final float alpha;

  LeakyRelu(OperatorInit init) {
    super(init);
    this.alpha = init.args().getFloat("alpha", DEFAULT_ALPHA);
  }

  @Override
  void apply(float[] x, float[] y, int n) {
    float a = alpha;
    for (int i = 0; i < n; i++) {
      y[i] = Math.max(x[i], 0f) + a * Math.min(x[i], 0f);
    }
  }

  @Override
  void apply(double[] x, double[] y, int n) {
    double a = alpha;
    for (int i = 0; i < n; i++) {
      y[i] = Math.max(x[i], 0d) + a * Math.min(x[i], 0d);
    }
  }

  /** LeakyReluGradient's kernel. */
  static final class Gradient extends FloatingUnaryGradientOp {
    private final float alpha;

    Gradient(OperatorInit init) {
      super(init, 1);
      this.alpha = init.args().getFloat("alpha", DEFAULT_ALPHA);
    }

    @Override
    void apply(float[] y, float[] dy, float[] dx, int n) {
      float a = alpha;
      for (int i = 0; i < n; i++) {
        dx[i] = y[i] >= 0 ? dy[i] : a * dy[i];
      }
    }

    @Override
    void apply(double[] y, double[] dy, double[] dx, int n) {
      double a = alpha;
      for (int i = 0; i < n; i++) {
        dx[i] = y[i] >= 0 ? dy[i] : a * dy[i];
      }
    }
  }
}
