package dev.zerog.ops.linear;

import dev.zerog.ResourceLimitException;
import dev.zerog.blas.Blas;
import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
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
import java.util.List;

/**
 * FC and FCTransposed: a fully connected layer, {@code Y = X·Wᵀ + b} (FC) or {@code Y = X·W + b}
 * (FCTransposed, whose weights are stored already transposed).
 *
 * <p>X is read as an M×K matrix, split at {@code axis}; W as N×K (FC) or K×N (FCTransposed), split at
 * {@code axis_w}; b is a vector of N. Y has shape {@code X.dims[:axis] + [N]}. The product is one GEMM through
 * {@link Blas}: Y's rows are first set to b and the GEMM adds {@code X·Wᵀ} to them ({@code beta = 1}), so the bias
 * costs no pass over Y of its own.
 *
 * <p>Gradient (Caffe2's GetFCGradient): {@code FCGradient(X, W, dY) -> (dW, db, dX)} (or
 * {@code FCTransposedGradient}), with the forward op's arguments; see {@link FullyConnectedGradient}.
 */
final class FullyConnected extends Operator {
  static final OperatorSchema SCHEMA = schema(false);
  static final OperatorSchema TRANSPOSED_SCHEMA = schema(true);

  /**
   * Caffe2's GetFCGradient: {@code <type>Gradient(X, W, dY) -> (dW, db, dX)}, the forward op's arguments copied.
   * dX is always asked for, as in Caffe2, even when X is a net input that nothing else differentiates.
   */
  static final GradientMaker GRADIENT = (GradientContext g) -> GradientContext.single(
      g.def().getType() + "Gradient", List.of(g.I(0), g.I(1), g.GO(0)), List.of(g.GI(1), g.GI(2), g.GI(0)));

  static final OperatorDefinition DEFINITION = definition(false, null);
  static final OperatorDefinition TRANSPOSED = definition(true, null);

  /** FC or FCTransposed running its GEMMs on {@code blas}, or on {@link Blas#get()} when it is null. */
  static OperatorDefinition definition(boolean transposed, Blas blas) {
    return OperatorDefinition.builder(transposed ? TRANSPOSED_SCHEMA : SCHEMA)
        .cpu(init -> new FullyConnected(init, transposed, blas))
        .gradient(GRADIENT)
        .build();
  }

  private static OperatorSchema schema(boolean transposed) {
    String w = transposed ? "K×N" : "N×K";
    return OperatorSchema.builder(transposed ? "FCTransposed" : "FC")
        .linearIn(0, 2)
        .linearIn(1, 2)
        .flops(LinearCosts::fc)
        .inputs(3)
        .outputs(1)
        .doc((transposed
            ? "A fully connected layer whose weights are stored transposed: Y = X·W + b.\n\n"
            : "A fully connected layer: Y = X·Wᵀ + b, that is Y[i, j] = Σ_k X[i, k]·W[j, k] + b[j].\n\n")
            + "X of any rank r >= 1 is read as an M×K matrix: M is the product of its dims before `axis`, K the "
            + "product of the rest (with the default axis 1 and X of shape [B, C, H, W], M = B and K = C·H·W). "
            + "W is read as " + (transposed ? "a K×N" : "an N×K") + " matrix the same way, split at `axis_w`: "
            + (transposed ? "K is the product of its dims before axis_w, N of the rest. "
                : "N is the product of its dims before axis_w, K of the rest. ")
            + "b must be 1-D of length N and is added to every row. Y has shape X.dims[:axis] + [N] (so [M, N] "
            + "for a 2-D X) and X's type. X, W and b must all be FLOAT or all DOUBLE.\n\n"
            + "Sizes may be zero: with M = 0 or N = 0, Y is empty; with K = 0, every row of Y is b.\n\n"
            + "Gradient: " + (transposed ? "FCTransposedGradient" : "FCGradient")
            + "(X, W, dY) -> (dW, db, dX), with this op's arguments.")
        .input("X", "FLOAT or DOUBLE, rank >= 1, read as M×K (split at axis)")
        .input("W", "the weights, X's type, read as " + w + " (split at axis_w)")
        .input("b", "the bias, X's type, shape [N]")
        .output("Y", "X's type, shape X.dims[:axis] + [N]")
        .arg("axis", ArgType.INT, "X's dims before it form M, the rest K (default 1; negative counts from the "
            + "end; must lie in [-rank, rank))")
        .arg("axis_w", ArgType.INT, "W's dims before it form " + (transposed ? "K" : "N") + ", the rest "
            + (transposed ? "N" : "K") + " (default 1; negative counts from the end)")
        .arg("float16_compute", ArgType.INT, "accepted for Caffe2 compatibility and ignored: on the CPU Caffe2 "
            + "computes in the input type too")
        .inference((def, args, in) -> infer(def, args, in, transposed))
        .build();
  }

  private final boolean transposed;
  private final Blas blas;
  private final Geometry geometry;
  private long[] xDims;
  private long[] wDims;
  private long[] bDims;
  private long[] yDims;

  private FullyConnected(OperatorInit init, boolean transposed, Blas blas) {
    super(init);
    this.transposed = transposed;
    this.blas = blas != null ? blas : Blas.get();
    this.geometry = new Geometry(type(), transposed, init.args());
  }

  @Override
  public void run() {
    Tensor x = input(0);
    Tensor w = input(1);
    Tensor b = input(2);
    String xName = inputBlob(0).name();
    DataType dtype = LinearInputs.floating(type(), x, "X", xName);
    LinearInputs.sameType(type(), w, "W", inputBlob(1).name(), dtype, "X", xName);
    LinearInputs.sameType(type(), b, "b", inputBlob(2).name(), dtype, "X", xName);
    xDims = LinearInputs.dimsInto(x, xDims);
    wDims = LinearInputs.dimsInto(w, wDims);
    bDims = LinearInputs.dimsInto(b, bDims);
    geometry.resolve(xDims, wDims, bDims, xName, inputBlob(1).name(), inputBlob(2).name());
    yDims = geometry.outputDims(xDims, yDims);
    Tensor y = output(0).resize(dtype, yDims);
    int m = (int) geometry.m;
    int n = (int) geometry.n;
    int k = (int) geometry.k;
    if (m == 0 || n == 0) {
      return;
    }
    // Y's rows start as b; the GEMM then adds X·Wᵀ (beta = 1), so the bias needs no pass of its own.
    if (dtype == DataType.FLOAT) {
      float[] yv = y.floats();
      float[] bv = b.floats();
      for (int i = 0; i < m; i++) {
        System.arraycopy(bv, 0, yv, i * n, n);
      }
      blas.sgemm(false, !transposed, m, n, k, 1f, x.floats(), 0, k, w.floats(), 0, transposed ? n : k, 1f, yv, 0,
          n);
    } else {
      double[] yv = y.doubles();
      double[] bv = b.doubles();
      for (int i = 0; i < m; i++) {
        System.arraycopy(bv, 0, yv, i * n, n);
      }
      blas.dgemm(false, !transposed, m, n, k, 1d, x.doubles(), 0, k, w.doubles(), 0, transposed ? n : k, 1d, yv, 0,
          n);
    }
  }

  static List<BlobType> infer(OperatorDef def, Arguments args, List<BlobType> in, boolean transposed) {
    DataType dtype = LinearInputs.inferType(def, in.get(0), in.get(1), in.get(2));
    long[] x = in.get(0).dims();
    long[] w = in.get(1).dims();
    if (x == null || w == null) {
      return List.of(new BlobType(dtype, null));
    }
    Geometry g = new Geometry(def.getType(), transposed, args);
    g.resolve(x, w, in.get(2).dims(), def.getInput(0), def.getInput(1), def.getInput(2));
    return List.of(new BlobType(dtype, g.outputDims(x, null)));
  }

  /**
   * How FC (and its gradient) reads its inputs as matrices: from X's and W's dims and the {@code axis} and
   * {@code axis_w} arguments, M, K and N, with the checks that they fit. One instance per operator, reused on
   * every run.
   */
  static final class Geometry {
    private final String type;
    private final boolean transposed;
    private final long axis;
    private final long axisW;
    /** X's split axis, made non-negative. */
    int xAxis;
    long m;
    long k;
    long n;

    Geometry(String type, boolean transposed, Arguments args) {
      this.type = type;
      this.transposed = transposed;
      this.axis = args.getLong("axis", 1);
      this.axisW = args.getLong("axis_w", 1);
    }

    /**
     * Sets M, K and N from X's and W's dims and checks them, and b's when {@code b} is not null; the errors name
     * the dims that disagree.
     */
    void resolve(long[] x, long[] w, long[] b, String xBlob, String wBlob, String bBlob) {
      xAxis = LinearInputs.canonicalAxis("axis", axis, x, "X", xBlob);
      int wAxis = LinearInputs.canonicalAxis("axis_w", axisW, w, "W", wBlob);
      m = LinearInputs.product(x, 0, xAxis);
      k = LinearInputs.product(x, xAxis, x.length);
      long before = LinearInputs.product(w, 0, wAxis);
      long after = LinearInputs.product(w, wAxis, w.length);
      n = transposed ? after : before;
      long wk = transposed ? before : after;
      if (wk != k) {
        throw LinearInputs.error(wBlob, "X '" + xBlob + "' " + Shapes.format(x) + " has K=" + k
            + " columns after flattening at axis " + axis + ", but W '" + wBlob + "' " + Shapes.format(w) + " has "
            + wk + (transposed ? " rows" : " columns") + " after flattening at axis_w " + axisW + "; " + type
            + " needs W as " + (transposed ? "K×N" : "N×K"));
      }
      if (b != null && (b.length != 1 || b[0] != n)) {
        throw LinearInputs.error(bBlob, "b '" + bBlob + "' has shape " + Shapes.format(b) + ", but " + type
            + " needs a 1-D bias of N=" + n + " elements, N being W '" + wBlob + "' " + Shapes.format(w)
            + (transposed ? " columns" : " rows") + " after flattening at axis_w " + axisW);
      }
      if (m > Integer.MAX_VALUE || k > Integer.MAX_VALUE || n > Integer.MAX_VALUE) {
        throw new ResourceLimitException(type + " reads X " + Shapes.format(x) + " and W " + Shapes.format(w)
            + " as matrices with M=" + m + ", K=" + k + ", N=" + n + "; each must fit a 32-bit integer");
      }
    }

    /** Y's dims, {@code x[:axis] + [N]}, in {@code buffer} when it has the right rank. */
    long[] outputDims(long[] x, long[] buffer) {
      long[] out = buffer != null && buffer.length == xAxis + 1 ? buffer : new long[xAxis + 1];
      System.arraycopy(x, 0, out, 0, xAxis);
      out[xAxis] = n;
      return out;
    }
  }
}
