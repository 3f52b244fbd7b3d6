package dev.zerog.train;

import dev.zerog.ShapeException;
import dev.zerog.grad.GradientContext;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorProvider;
import dev.zerog.op.OperatorSchema;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import java.util.Collection;
import java.util.List;

/**
 * Differentiable FLOAT operators for the training tests, registered through the test class path's
 * {@code META-INF/services/dev.zerog.op.OperatorProvider}. They refill their outputs in place, so that a training
 * step made of them (and of zerog's own operators) allocates nothing.
 *
 * <ul>
 *   <li>{@code TrainMul(A, B) -> Y}: Y = A·B elementwise. Gradient: {@code TrainMul(dY, B) -> dA},
 *       {@code TrainMul(dY, A) -> dB}.
 *   <li>{@code TrainHalfSquaredNorm(X) -> L}: L = ½·Σ x², a 0-d tensor. Gradient:
 *       {@code TrainScaleBy(X, dL) -> dX}.
 *   <li>{@code TrainScaleBy(X, S) -> Y}: Y = S[0]·X. Gradient: {@code TrainScaleBy(dY, S) -> dX} (none for S).
 * </ul>
 */
public final class TrainingTestOperators implements OperatorProvider {
  @Override
  public Collection<OperatorDefinition> operators() {
    return List.of(MUL, HALF_SQUARED_NORM, SCALE_BY);
  }

  private static final long[] SCALAR = new long[0];

  static final OperatorDefinition MUL = OperatorDefinition.builder(OperatorSchema.builder("TrainMul")
      .inputs(2).outputs(1).doc("Y = A * B elementwise").input("A", "FLOAT").input("B", "FLOAT, A's size")
      .output("Y", "A * B").build())
      .cpu(Mul::new)
      .gradient(g -> List.of(
          GradientContext.op("TrainMul", List.of(g.GO(0), g.I(1)), List.of(g.GI(0))),
          GradientContext.op("TrainMul", List.of(g.GO(0), g.I(0)), List.of(g.GI(1)))))
      .build();

  private static final class Mul extends Operator {
    Mul(OperatorInit init) {
      super(init);
    }

    @Override
    public void run() {
      Tensor a = input(0);
      Tensor b = input(1);
      if (a.size() != b.size()) {
        throw new ShapeException("TrainMul: sizes differ");
      }
      float[] x = a.floats();
      float[] z = b.floats();
      Tensor y = output(0);
      y.resizeLike(DataType.FLOAT, a);
      float[] out = y.floats();
      for (int i = 0; i < out.length; i++) {
        out[i] = x[i] * z[i];
      }
    }
  }

  static final OperatorDefinition HALF_SQUARED_NORM = OperatorDefinition.builder(
      OperatorSchema.builder("TrainHalfSquaredNorm").inputs(1).outputs(1).doc("L = 0.5 * sum(X^2)")
          .input("X", "FLOAT").output("L", "0-d").build())
      .cpu(HalfSquaredNorm::new)
      .gradient(g -> GradientContext.single("TrainScaleBy", List.of(g.I(0), g.GO(0)), List.of(g.GI(0))))
      .build();

  private static final class HalfSquaredNorm extends Operator {
    HalfSquaredNorm(OperatorInit init) {
      super(init);
    }

    @Override
    public void run() {
      float[] x = input(0).floats();
      double s = 0;
      for (float v : x) {
        s += (double) v * v;
      }
      Tensor l = output(0);
      l.resize(DataType.FLOAT, SCALAR);
      l.floats()[0] = (float) (0.5 * s);
    }
  }

  static final OperatorDefinition SCALE_BY = OperatorDefinition.builder(OperatorSchema.builder("TrainScaleBy")
      .inputs(2).outputs(1).doc("Y = S[0] * X").input("X", "FLOAT").input("S", "FLOAT, one element")
      .output("Y", "the scaled X").build())
      .cpu(ScaleBy::new)
      .gradient(g -> GradientContext.single("TrainScaleBy", List.of(g.GO(0), g.I(1)), List.of(g.GI(0))))
      .build();

  private static final class ScaleBy extends Operator {
    ScaleBy(OperatorInit init) {
      super(init);
    }

    @Override
    public void run() {
      Tensor x = input(0);
      float s = input(1).floats()[0];
      float[] in = x.floats();
      Tensor y = output(0);
      y.resizeLike(DataType.FLOAT, x);
      float[] out = y.floats();
      for (int i = 0; i < out.length; i++) {
        out[i] = s * in[i];
      }
    }
  }
}
