package dev.zerog.net;

import dev.zerog.ShapeException;
import dev.zerog.blas.Blas;
import dev.zerog.op.ArgType;
import dev.zerog.op.BlobType;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.op.OperatorSchema;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * A FLOAT FC (Y = X · Wᵀ + b, with Caffe2's {@code axis} and {@code axis_w}) for the model zoo tests, used only
 * while the library itself has no FC: {@link #registry()} is the standard registry when it defines FC, and the
 * standard registry plus this operator otherwise. It has no gradient.
 */
final class ZooFullyConnected extends Operator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("FC")
      .inputs(3)
      .outputs(1)
      .doc("Test stand-in for FC: Y[m, n] = Σ_k X[m, k] W[n, k] + b[n], X read as [M, K] at `axis`, W as [N, K] at "
          + "`axis_w`.")
      .arg("axis", ArgType.INT, "X's split (default 1)")
      .arg("axis_w", ArgType.INT, "W's split (default 1)")
      .inference((def, args, in) -> {
        long[] x = in.get(0).dims();
        long[] w = in.get(1).dims();
        if (x == null || w == null) {
          return List.of(new BlobType(in.get(0).dtype(), null));
        }
        int axis = args.getInt("axis", 1);
        int axisW = args.getInt("axis_w", 1);
        long k = Shapes.sizeBetween(x, axis, x.length);
        long n = Shapes.sizeBetween(w, 0, axisW);
        if (Shapes.sizeBetween(w, axisW, w.length) != k) {
          throw new ShapeException("FC: X " + Shapes.format(x) + " and W " + Shapes.format(w) + " do not fit");
        }
        long[] y = Arrays.copyOf(x, axis + 1);
        y[axis] = n;
        return List.of(BlobType.of(DataType.FLOAT, y));
      })
      .build();

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(ZooFullyConnected::new).noGradient().build();

  /** The registry the zoo tests use. */
  static OperatorRegistry registry() {
    OperatorRegistry standard = OperatorRegistry.standard();
    return standard.has("FC") ? standard : standard.toBuilder().add(DEFINITION).build();
  }

  private final int axis;
  private final int axisW;

  ZooFullyConnected(OperatorInit init) {
    super(init);
    axis = init.args().getInt("axis", 1);
    axisW = init.args().getInt("axis_w", 1);
  }

  @Override
  public void run() {
    Tensor x = input(0);
    Tensor w = input(1);
    Tensor b = input(2);
    long[] xd = x.dims();
    int m = (int) Shapes.sizeBetween(xd, 0, axis);
    int k = (int) Shapes.sizeBetween(xd, axis, xd.length);
    int n = (int) Shapes.sizeBetween(w.dims(), 0, axisW);
    long[] yd = Arrays.copyOf(xd, axis + 1);
    yd[axis] = n;
    Tensor y = output(0).resize(DataType.FLOAT, yd);
    float[] ya = y.floats();
    float[] ba = b.floats();
    for (int i = 0; i < m; i++) {
      System.arraycopy(ba, 0, ya, i * n, n);
    }
    Blas.get().sgemm(false, true, m, n, k, 1f, x.floats(), 0, k, w.floats(), 0, k, 1f, ya, 0, n);
  }
}
