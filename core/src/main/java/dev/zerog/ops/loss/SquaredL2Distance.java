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
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * SquaredL2Distance: half the squared Euclidean distance between the rows of X and Y,
 * Z[i] = ½ Σ_j (X[i, j] - Y[i, j])², and its gradient op SquaredL2DistanceGradient.
 *
 * <p>A row is everything under the first dim (N = X's first dim, 1 for a 0-d X).
 *
 * <p>Gradient (Caffe2's GetSquaredL2DistanceGradient):
 * {@code SquaredL2DistanceGradient(X, Y, dZ) -> (dX, dY)}, dX[i, j] = (X[i, j] - Y[i, j]) dZ[i], dY = -dX.
 */
final class SquaredL2Distance extends Operator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("SquaredL2Distance")
      .flops(FlopEstimate.perInputElement(0, 3))
      .inputs(2)
      .outputs(1)
      .doc("Half the squared L2 distance of each row: Z[i] = ½ Σ_j (X[i, j] - Y[i, j])².\n\n"
          + "X and Y have the same type (FLOAT or DOUBLE) and shape; a row is everything under the first dim, "
          + "so Z has X's type and shape [N], N being X's first dim (1 for a 0-d X).\n\n"
          + "Gradient: SquaredL2DistanceGradient(X, Y, dZ) -> (dX, dY), dX[i, j] = (X[i, j] - Y[i, j]) dZ[i], "
          + "dY = -dX.")
      .input("X", "FLOAT or DOUBLE, any shape")
      .input("Y", "X's type and shape")
      .output("Z", "the half squared distance of each row, X's type, [N]")
      .inference(SquaredL2Distance::infer)
      .build();

  /** Caffe2's GetSquaredL2DistanceGradient: (X, Y, dZ) -> (dX, dY). */
  static final GradientMaker GRADIENT = (GradientContext g) -> GradientContext.single(
      "SquaredL2DistanceGradient", List.of(g.I(0), g.I(1), g.GO(0)), List.of(g.GI(0), g.GI(1)));

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(SquaredL2Distance::new).gradient(GRADIENT).build();

  SquaredL2Distance(OperatorInit init) {
    super(init);
  }

  /** {N, D} after checking that X and Y agree. */
  static int[] rows(Operator op, Tensor x, String xName, Tensor y, String yName) {
    Inputs.floating(op.type(), x, xName);
    Inputs.sameType(y, yName, x.dtype(), xName);
    Inputs.sameDims(y, yName, x.dims(), xName);
    int n = x.rank() > 0 ? (int) x.dim(0) : 1;
    int d = n > 0 ? x.size() / n : 0;
    return new int[] {n, d};
  }

  @Override
  public void run() {
    Tensor x = input(0);
    Tensor y = input(1);
    int[] nd = rows(this, x, inputBlob(0).name(), y, inputBlob(1).name());
    int n = nd[0];
    int d = nd[1];
    Tensor z = output(0).resize(x.dtype(), n);
    if (x.dtype() == DataType.FLOAT) {
      float[] a = x.floats();
      float[] b = y.floats();
      float[] out = z.floats();
      for (int i = 0; i < n; i++) {
        double s = 0;
        for (int j = i * d, end = j + d; j < end; j++) {
          double diff = a[j] - b[j];
          s += diff * diff;
        }
        out[i] = (float) (0.5 * s);
      }
    } else {
      double[] a = x.doubles();
      double[] b = y.doubles();
      double[] out = z.doubles();
      for (int i = 0; i < n; i++) {
        double s = 0;
        for (int j = i * d, end = j + d; j < end; j++) {
          double diff = a[j] - b[j];
          s += diff * diff;
        }
        out[i] = 0.5 * s;
      }
    }
  }

  static List<BlobType> infer(OperatorDef def, Arguments args, List<BlobType> in) {
    BlobType x = in.get(0);
    BlobType y = in.get(1);
    Inputs.inferFloating(def, x, 0);
    if (x.dtype() != null && y.dtype() != null && x.dtype() != y.dtype()) {
      throw Inputs.error(def.getInput(1), "'" + def.getInput(1) + "' is " + y.dtype() + " but '" + def.getInput(0)
          + "' is " + x.dtype() + "; they must have the same type");
    }
    if (x.dims() != null && y.dims() != null && !Arrays.equals(x.dims(), y.dims())) {
      throw Inputs.error(def.getInput(1), "'" + def.getInput(1) + "' has shape " + Shapes.format(y.dims())
          + " but '" + def.getInput(0) + "' has " + Shapes.format(x.dims()) + "; they must have the same shape");
    }
    long[] dims = x.dims() != null ? x.dims() : y.dims();
    DataType dtype = x.dtype() != null ? x.dtype() : y.dtype();
    return List.of(new BlobType(dtype, dims == null ? null : new long[] {dims.length > 0 ? dims[0] : 1}));
  }

  /** SquaredL2DistanceGradient(X, Y, dZ) -> (dX, dY). */
  static final class Gradient extends Operator {
    static final OperatorSchema SCHEMA = OperatorSchema.builder("SquaredL2DistanceGradient")
      .linearIn(2)
        .flops(FlopEstimate.perOutputElement(3))
        .inputs(3)
        .outputs(2)
        .doc("The gradient of SquaredL2Distance: dX[i, j] = (X[i, j] - Y[i, j]) dZ[i] and dY = -dX, both of X's "
            + "type and shape. dZ is [N], X's type.")
        .input("X", "SquaredL2Distance's X")
        .input("Y", "SquaredL2Distance's Y")
        .input("dZ", "the gradient of Z, [N]")
        .output("dX", "the gradient of X")
        .output("dY", "the gradient of Y")
        .inference((def, args, in) -> List.of(in.get(0), in.get(0)))
        .build();

    static final OperatorDefinition DEFINITION =
        OperatorDefinition.builder(SCHEMA).cpu(Gradient::new).noGradient().build();

    Gradient(OperatorInit init) {
      super(init);
    }

    @Override
    public void run() {
      Tensor x = input(0);
      Tensor y = input(1);
      Tensor dz = input(2);
      int[] nd = rows(this, x, inputBlob(0).name(), y, inputBlob(1).name());
      int n = nd[0];
      int d = nd[1];
      Inputs.sameType(dz, inputBlob(2).name(), x.dtype(), inputBlob(0).name());
      Inputs.vector(dz, inputBlob(2).name(), n);
      Tensor dx = output(0).resize(x.dtype(), x.dims());
      Tensor dy = output(1).resize(x.dtype(), x.dims());
      if (x.dtype() == DataType.FLOAT) {
        float[] a = x.floats();
        float[] b = y.floats();
        float[] g = dz.floats();
        float[] ga = dx.floats();
        float[] gb = dy.floats();
        for (int i = 0; i < n; i++) {
          for (int j = i * d, end = j + d; j < end; j++) {
            float v = (a[j] - b[j]) * g[i];
            ga[j] = v;
            gb[j] = -v;
          }
        }
      } else {
        double[] a = x.doubles();
        double[] b = y.doubles();
        double[] g = dz.doubles();
        double[] ga = dx.doubles();
        double[] gb = dy.doubles();
        for (int i = 0; i < n; i++) {
          for (int j = i * d, end = j + d; j < end; j++) {
            double v = (a[j] - b[j]) * g[i];
            ga[j] = v;
            gb[j] = -v;
          }
        }
      }
    }
  }
}
