package dev.zerog.ops.linear;

import dev.zerog.blas.Blas;
import dev.zerog.op.Arity;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.BlobType;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * FCGradient and FCTransposedGradient: the gradients of FC and FCTransposed from X, W and dY.
 *
 * <p>With X read as M×K and dY as M×N: {@code dW = dYᵀ·X} (N×K, FC) or {@code Xᵀ·dY} (K×N, FCTransposed),
 * {@code db[j] = Σ_i dY[i, j]}, and, when the op has a third output, {@code dX = dY·W} (FC) or {@code dY·Wᵀ}
 * (FCTransposed). dW and dX are one GEMM each; db is one GEMV of dYᵀ with a vector of ones kept by the
 * operator. With only two outputs dX is not computed.
 */
final class FullyConnectedGradient extends Operator {
  static final OperatorSchema SCHEMA = schema(false);
  static final OperatorSchema TRANSPOSED_SCHEMA = schema(true);

  static final OperatorDefinition DEFINITION = definition(false, null);
  static final OperatorDefinition TRANSPOSED = definition(true, null);

  /** The gradient op running its GEMMs on {@code blas}, or on {@link Blas#get()} when it is null. */
  static OperatorDefinition definition(boolean transposed, Blas blas) {
    return OperatorDefinition.builder(transposed ? TRANSPOSED_SCHEMA : SCHEMA)
        .cpu(init -> new FullyConnectedGradient(init, transposed, blas))
        .noGradient()
        .build();
  }

  private static OperatorSchema schema(boolean transposed) {
    String forward = transposed ? "FCTransposed" : "FC";
    return OperatorSchema.builder(forward + "Gradient")
        .linearIn(2)
        .skippableOutputs(2)
        .flops(LinearCosts::fcGradient)
        .inputs(3)
        .outputs(Arity.range(2, 3))
        .doc("The gradient of " + forward + ", as " + forward + "'s gradient maker emits it: " + forward
            + "Gradient(X, W, dY) -> (dW, db, dX).\n\n"
            + "X is read as an M×K matrix (split at `axis`), W as " + (transposed ? "K×N" : "N×K")
            + " (split at `axis_w`), as in " + forward + "; dY must hold M·N elements (" + forward
            + "'s output shape, X.dims[:axis] + [N]). Then "
            + (transposed ? "dW = Xᵀ·dY, db[j] = Σ_i dY[i, j] and dX = dY·Wᵀ."
                : "dW = dYᵀ·X, db[j] = Σ_i dY[i, j] and dX = dY·W.")
            + " dW has W's shape, db shape [N], dX X's shape; all have X's type (FLOAT or DOUBLE, the same for "
            + "every input). dX is computed only when the op has a third output. When M = 0, dW and db are zeros. "
            + "When dY is a known zero, every output is a known zero.")
        .input("X", forward + "'s input, FLOAT or DOUBLE")
        .input("W", forward + "'s weights, X's type")
        .input("dY", "the gradient of " + forward + "'s output Y, X's type, M·N elements")
        .output("dW", "the gradient of W, W's shape")
        .output("db", "the gradient of b, shape [N]")
        .output("dX", "optional: the gradient of X, X's shape")
        .arg("axis", ArgType.INT, "as in " + forward + " (default 1)")
        .arg("axis_w", ArgType.INT, "as in " + forward + " (default 1)")
        .arg("float16_compute", ArgType.INT, "accepted for Caffe2 compatibility and ignored")
        .inference((def, args, in) -> infer(def, args, in, transposed))
        .build();
  }

  private final boolean transposed;
  private final Blas blas;
  private final FullyConnected.Geometry geometry;
  private long[] xDims;
  private long[] wDims;
  private long[] dbDims;
  /** At least M ones, for db's GEMV; grown when M grows, so that a steady batch size allocates nothing. */
  private float[] floatOnes = new float[0];
  private double[] doubleOnes = new double[0];

  private FullyConnectedGradient(OperatorInit init, boolean transposed, Blas blas) {
    super(init);
    this.transposed = transposed;
    this.blas = blas != null ? blas : Blas.get();
    this.geometry = new FullyConnected.Geometry(type(), transposed, init.args());
  }

  @Override
  public void run() {
    Tensor x = input(0);
    Tensor w = input(1);
    Tensor dy = input(2);
    String xName = inputBlob(0).name();
    DataType dtype = LinearInputs.floating(type(), x, "X", xName);
    LinearInputs.sameType(type(), w, "W", inputBlob(1).name(), dtype, "X", xName);
    LinearInputs.sameType(type(), dy, "dY", inputBlob(2).name(), dtype, "X", xName);
    xDims = LinearInputs.dimsInto(x, xDims);
    wDims = LinearInputs.dimsInto(w, wDims);
    geometry.resolve(xDims, wDims, null, xName, inputBlob(1).name(), null);
    int m = (int) geometry.m;
    int n = (int) geometry.n;
    int k = (int) geometry.k;
    if (dy.size() != geometry.m * geometry.n) {
      throw LinearInputs.error(inputBlob(2).name(), "dY '" + inputBlob(2).name() + "' has shape "
          + Shapes.format(dy.dims()) + " (" + dy.size() + " elements), but " + type().replace("Gradient", "")
          + "'s output for X '" + xName + "' " + Shapes.format(xDims) + " and W '" + inputBlob(1).name() + "' "
          + Shapes.format(wDims) + " has M·N = " + m + "·" + n + " = " + geometry.m * geometry.n + " elements");
    }
    dbDims = LinearInputs.vectorDims(dbDims, n);
    boolean withDx = outputSize() == 3;
    if (dy.isKnownZero()) {
      // Every output is linear in dY.
      output(0).setKnownZero(dtype, wDims);
      output(1).setKnownZero(dtype, dbDims);
      if (withDx) {
        output(2).setKnownZero(dtype, xDims);
      }
      return;
    }
    Tensor dw = output(0).resize(dtype, wDims);
    Tensor db = output(1).resize(dtype, dbDims);
    Tensor dx = withDx ? output(2).resize(dtype, xDims) : null;
    if (dtype == DataType.FLOAT) {
      float[] xv = x.floats();
      float[] dyv = dy.floats();
      if (transposed) {
        blas.sgemm(true, false, k, n, m, 1f, xv, 0, k, dyv, 0, n, 0f, dw.floats(), 0, n);
      } else {
        blas.sgemm(true, false, n, k, m, 1f, dyv, 0, n, xv, 0, k, 0f, dw.floats(), 0, k);
      }
      // db = dYᵀ·1: a GEMV with a vector of ones, faster than a loop over dY's rows, which C2 does not vectorize.
      blas.sgemv(true, m, n, 1f, dyv, 0, n, floatOnes(m), 0, 1, 0f, db.floats(), 0, 1);
      if (dx != null) {
        blas.sgemm(false, transposed, m, k, n, 1f, dyv, 0, n, w.floats(), 0, transposed ? n : k, 0f, dx.floats(),
            0, k);
      }
    } else {
      double[] xv = x.doubles();
      double[] dyv = dy.doubles();
      if (transposed) {
        blas.dgemm(true, false, k, n, m, 1d, xv, 0, k, dyv, 0, n, 0d, dw.doubles(), 0, n);
      } else {
        blas.dgemm(true, false, n, k, m, 1d, dyv, 0, n, xv, 0, k, 0d, dw.doubles(), 0, k);
      }
      blas.dgemv(true, m, n, 1d, dyv, 0, n, doubleOnes(m), 0, 1, 0d, db.doubles(), 0, 1);
      if (dx != null) {
        blas.dgemm(false, transposed, m, k, n, 1d, dyv, 0, n, w.doubles(), 0, transposed ? n : k, 0d,
            dx.doubles(), 0, k);
      }
    }
  }

  private float[] floatOnes(int m) {
    if (floatOnes.length < m) {
      floatOnes = new float[m];
      Arrays.fill(floatOnes, 1f);
    }
    return floatOnes;
  }

  private double[] doubleOnes(int m) {
    if (doubleOnes.length < m) {
      doubleOnes = new double[m];
      Arrays.fill(doubleOnes, 1d);
    }
    return doubleOnes;
  }

  static List<BlobType> infer(OperatorDef def, Arguments args, List<BlobType> in, boolean transposed) {
    DataType dtype = LinearInputs.inferType(def, in.get(0), in.get(1), in.get(2));
    long[] x = in.get(0).dims();
    long[] w = in.get(1).dims();
    List<BlobType> out = new ArrayList<>();
    if (w == null) {
      out.add(new BlobType(dtype, null));
      out.add(new BlobType(dtype, null));
    } else {
      long n;
      if (x != null) {
        FullyConnected.Geometry g = new FullyConnected.Geometry(def.getType(), transposed, args);
        g.resolve(x, w, null, def.getInput(0), def.getInput(1), null);
        n = g.n;
      } else {
        int wAxis = LinearInputs.canonicalAxis("axis_w", args.getLong("axis_w", 1), w, "W", def.getInput(1));
        n = transposed ? LinearInputs.product(w, wAxis, w.length) : LinearInputs.product(w, 0, wAxis);
      }
      out.add(new BlobType(dtype, w));
      out.add(new BlobType(dtype, new long[] {n}));
    }
    if (def.getOutputCount() == 3) {
      out.add(new BlobType(dtype, x));
    }
    return out;
  }
}
