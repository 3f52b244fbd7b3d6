package dev.zerog.ops.linear;

import dev.zerog.GradientException;
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
import java.util.Arrays;
import java.util.List;

/**
 * BatchMatMul: a matrix product per batch element, {@code Y[i] = op(A[i])·op(B[i])}, over the leading (batch)
 * dims, one GEMM per batch element through {@link Blas}.
 *
 * <p>Without {@code broadcast}, A and B have the same rank r >= 2 and the same batch dims (all but the last
 * two). With {@code broadcast = 1} the batch dims broadcast as in NumPy's matmul (aligned on the right, a dim of
 * 1 or a missing dim repeats), and a 1-D operand is a vector: A of shape [K] is one row, B of shape [K] one
 * column, and that dim is left out of Y; two vectors give their dot product, of shape [1] as in Caffe2.
 *
 * <p>Gradient (Caffe2's GetBatchMatMulGradient): two BatchMatMul ops, for dA and dB, with transpose flags
 * depending on the forward op's and no other arguments. As in Caffe2 there is no gradient with
 * {@code broadcast = 1}: building it is an error.
 */
final class BatchMatMul extends Operator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("BatchMatMul")
      .linearIn(0)
      .linearIn(1)
      .flops(LinearCosts::batchMatMul)
      .inputs(2)
      .outputs(1)
      .doc("Batched matrix product: Y[i] = op(A[i])·op(B[i]) for every index i over the batch dims (all dims but "
          + "the last two), where op transposes the last two dims when trans_a (trans_b) is set.\n\n"
          + "Without broadcast, A is [d0, ..., M, K] and B [d0, ..., K, N] (before op), of the same rank r >= 2 "
          + "and the same batch dims, and Y is [d0, ..., M, N]; for r = 2 this is a plain matrix product.\n\n"
          + "With broadcast = 1, as NumPy's matmul: the batch dims are aligned on the right and broadcast (a dim "
          + "of 1, or a missing one, repeats to match the other operand's); Y's batch dims are the broadcast "
          + "ones. A 1-D A of shape [K] is multiplied as a 1×K row and the M dim is left out of Y; a 1-D B of "
          + "shape [K] as a K×1 column, and the N dim is left out; trans_a (trans_b) does not apply to a 1-D "
          + "operand. Two 1-D operands give their dot product, of shape [1].\n\n"
          + "A and B must both be FLOAT or both DOUBLE; Y has their type. Sizes may be zero; with K = 0, Y is "
          + "zeros.\n\n"
          + "Gradient (only without broadcast): two BatchMatMul ops; without transposes, dA = BatchMatMul(dY, B; "
          + "trans_b=1) and dB = BatchMatMul(A, dY; trans_a=1).")
      .input("A", "FLOAT or DOUBLE, [batch..., M, K] (or [batch..., K, M] with trans_a); 1-D with broadcast")
      .input("B", "A's type, [batch..., K, N] (or [batch..., N, K] with trans_b); 1-D with broadcast")
      .output("Y", "A's type, [batch..., M, N]")
      .arg("trans_a", ArgType.INT, "1 to transpose the last two dims of A before multiplying (default 0)")
      .arg("trans_b", ArgType.INT, "1 to transpose the last two dims of B before multiplying (default 0)")
      .arg("broadcast", ArgType.INT, "1 to broadcast the batch dims and allow 1-D operands as NumPy's matmul "
          + "does (default 0); there is no gradient with broadcast")
      .inference(BatchMatMul::infer)
      .build();

  /** Caffe2's GetBatchMatMulGradient; an error for a BatchMatMul with broadcast. */
  static final GradientMaker GRADIENT = new GradientMaker() {
    @Override
    public List<OperatorDef> gradientDefs(GradientContext g) {
      Arguments args = Arguments.of(g.def().getArgList());
      if (args.getLong("broadcast", 0) != 0) {
        throw new GradientException("Gradient is currently not supported with broadcast=1 for BatchMatMul.");
      }
      boolean transA = args.getLong("trans_a", 0) != 0;
      boolean transB = args.getLong("trans_b", 0) != 0;
      String a = g.I(0);
      String b = g.I(1);
      String dy = g.GO(0);
      String da = g.GI(0);
      String db = g.GI(1);
      if (transA && transB) {
        // Y = Aᵀ·Bᵀ: dA = Bᵀ·dYᵀ, dB = dYᵀ·Aᵀ.
        return List.of(
            GradientContext.op("BatchMatMul", List.of(b, dy), List.of(da), MatMul.flag("trans_a"),
                MatMul.flag("trans_b")),
            GradientContext.op("BatchMatMul", List.of(dy, a), List.of(db), MatMul.flag("trans_a"),
                MatMul.flag("trans_b")));
      } else if (transA) {
        // Y = Aᵀ·B: dA = B·dYᵀ, dB = A·dY.
        return List.of(
            GradientContext.op("BatchMatMul", List.of(b, dy), List.of(da), MatMul.flag("trans_b")),
            GradientContext.op("BatchMatMul", List.of(a, dy), List.of(db)));
      } else if (transB) {
        // Y = A·Bᵀ: dA = dY·B, dB = dYᵀ·A.
        return List.of(
            GradientContext.op("BatchMatMul", List.of(dy, b), List.of(da)),
            GradientContext.op("BatchMatMul", List.of(dy, a), List.of(db), MatMul.flag("trans_a")));
      } else {
        // Y = A·B: dA = dY·Bᵀ, dB = Aᵀ·dY.
        return List.of(
            GradientContext.op("BatchMatMul", List.of(dy, b), List.of(da), MatMul.flag("trans_b")),
            GradientContext.op("BatchMatMul", List.of(a, dy), List.of(db), MatMul.flag("trans_a")));
      }
    }

    @Override
    public boolean copyArguments() {
      return false;
    }
  };

  static final OperatorDefinition DEFINITION = definition(null);

  /** BatchMatMul running its GEMMs on {@code blas}, or on {@link Blas#get()} when it is null. */
  static OperatorDefinition definition(Blas blas) {
    return OperatorDefinition.builder(SCHEMA).cpu(init -> new BatchMatMul(init, blas)).gradient(GRADIENT).build();
  }

  private final Blas blas;
  private final Plan plan;
  private long[] aDims;
  private long[] bDims;
  private long[] yDims;
  /** The odometer over Y's batch dims. */
  private long[] index = new long[0];

  private BatchMatMul(OperatorInit init, Blas blas) {
    super(init);
    this.blas = blas != null ? blas : Blas.get();
    this.plan = new Plan(init.args());
  }

  @Override
  public void run() {
    Tensor a = input(0);
    Tensor b = input(1);
    String aName = inputBlob(0).name();
    DataType dtype = LinearInputs.floating(type(), a, "A", aName);
    LinearInputs.sameType(type(), b, "B", inputBlob(1).name(), dtype, "A", aName);
    aDims = LinearInputs.dimsInto(a, aDims);
    bDims = LinearInputs.dimsInto(b, bDims);
    Plan p = plan;
    p.resolve(aDims, bDims, aName, inputBlob(1).name());
    yDims = p.outputDims(yDims);
    Tensor y = output(0).resize(dtype, yDims);
    if (y.size() == 0) {
      return;
    }
    int rank = p.batchRank;
    if (index.length != rank) {
      index = new long[rank];
    } else {
      Arrays.fill(index, 0);
    }
    int m = (int) p.m;
    int n = (int) p.n;
    int k = (int) p.k;
    int count = y.size() / (m * n);
    long aOffset = 0;
    long bOffset = 0;
    float[] af = dtype == DataType.FLOAT ? a.floats() : null;
    float[] bf = dtype == DataType.FLOAT ? b.floats() : null;
    float[] yf = dtype == DataType.FLOAT ? y.floats() : null;
    double[] ad = dtype == DataType.DOUBLE ? a.doubles() : null;
    double[] bd = dtype == DataType.DOUBLE ? b.doubles() : null;
    double[] yd = dtype == DataType.DOUBLE ? y.doubles() : null;
    for (int i = 0; i < count; i++) {
      if (af != null) {
        blas.sgemm(p.transA, p.transB, m, n, k, 1f, af, (int) aOffset, p.lda, bf, (int) bOffset, p.ldb, 0f, yf,
            i * m * n, n);
      } else {
        blas.dgemm(p.transA, p.transB, m, n, k, 1d, ad, (int) aOffset, p.lda, bd, (int) bOffset, p.ldb, 0d, yd,
            i * m * n, n);
      }
      // The next batch index, and where its matrices start in A and B (a broadcast dim has stride 0).
      for (int d = rank - 1; d >= 0; d--) {
        index[d]++;
        aOffset += p.aStride[d];
        bOffset += p.bStride[d];
        if (index[d] < p.yBatch[d]) {
          break;
        }
        aOffset -= p.aStride[d] * p.yBatch[d];
        bOffset -= p.bStride[d] * p.yBatch[d];
        index[d] = 0;
      }
    }
  }

  static List<BlobType> infer(OperatorDef def, Arguments args, List<BlobType> in) {
    DataType dtype = LinearInputs.inferType(def, in.get(0), in.get(1));
    long[] a = in.get(0).dims();
    long[] b = in.get(1).dims();
    if (a == null || b == null) {
      return List.of(new BlobType(dtype, null));
    }
    Plan p = new Plan(args);
    p.resolve(a, b, def.getInput(0), def.getInput(1));
    return List.of(new BlobType(dtype, p.outputDims(null)));
  }

  /**
   * How BatchMatMul pairs A's and B's matrices: M, K, N, the row strides, Y's batch dims and, per batch dim, how
   * far A's and B's matrices are apart (0 where the dim is broadcast). One instance per operator, reused on every
   * run.
   */
  static final class Plan {
    private final boolean transposeA;
    private final boolean transposeB;
    private final boolean broadcast;
    /** The transposes that apply: a 1-D operand is never transposed. */
    boolean transA;
    boolean transB;
    long m;
    long k;
    long n;
    int lda;
    int ldb;
    private boolean vectorA;
    private boolean vectorB;
    int batchRank;
    long[] yBatch = new long[0];
    long[] aStride = new long[0];
    long[] bStride = new long[0];

    Plan(Arguments args) {
      this.transposeA = args.getLong("trans_a", 0) != 0;
      this.transposeB = args.getLong("trans_b", 0) != 0;
      this.broadcast = args.getLong("broadcast", 0) != 0;
    }

    void resolve(long[] a, long[] b, String aBlob, String bBlob) {
      int ra = a.length;
      int rb = b.length;
      if (!broadcast) {
        if (ra != rb || ra < 2) {
          throw LinearInputs.error(ra < 2 ? aBlob : bBlob, "BatchMatMul with broadcast=0 needs A and B of the same "
              + "rank, at least 2, but A '" + aBlob + "' is " + Shapes.format(a) + " and B '" + bBlob + "' is "
              + Shapes.format(b) + "; set broadcast=1 to broadcast them as NumPy's matmul does");
        }
        for (int i = 0; i < ra - 2; i++) {
          if (a[i] != b[i]) {
            throw LinearInputs.error(bBlob, "BatchMatMul with broadcast=0 needs the same batch dims, but A '"
                + aBlob + "' is " + Shapes.format(a) + " and B '" + bBlob + "' is " + Shapes.format(b)
                + " (dim " + i + ": " + a[i] + " vs " + b[i] + "); set broadcast=1 to broadcast them");
          }
        }
      } else if (ra == 0 || rb == 0) {
        throw LinearInputs.error(ra == 0 ? aBlob : bBlob, "BatchMatMul needs A and B of rank >= 1, but A '" + aBlob
            + "' is " + Shapes.format(a) + " and B '" + bBlob + "' is " + Shapes.format(b));
      }
      vectorA = ra == 1;
      vectorB = rb == 1;
      // The matrices as stored: rows × columns.
      long aRows = vectorA ? 1 : a[ra - 2];
      long aCols = a[ra - 1];
      long bRows = vectorB ? b[0] : b[rb - 2];
      long bCols = vectorB ? 1 : b[rb - 1];
      transA = transposeA && !vectorA;
      transB = transposeB && !vectorB;
      m = transA ? aCols : aRows;
      k = transA ? aRows : aCols;
      long kb = transB ? bCols : bRows;
      n = transB ? bRows : bCols;
      if (k != kb) {
        throw LinearInputs.error(bBlob, "A '" + aBlob + "' " + Shapes.format(a) + " has K=" + k + " (its "
            + (vectorA ? "length" : transA ? "second-to-last dim, trans_a=1" : "last dim") + ") but B '" + bBlob
            + "' " + Shapes.format(b) + " has " + kb + " (its "
            + (vectorB ? "length" : transB ? "last dim, trans_b=1" : "second-to-last dim") + ")");
      }
      if (aRows > Integer.MAX_VALUE || aCols > Integer.MAX_VALUE || bRows > Integer.MAX_VALUE
          || bCols > Integer.MAX_VALUE) {
        throw new ResourceLimitException("BatchMatMul's matrices " + aRows + "×" + aCols + " and " + bRows + "×"
            + bCols + " are too large: each size must fit a 32-bit integer");
      }
      lda = (int) aCols;
      ldb = (int) bCols;
      int aBatch = vectorA ? 0 : ra - 2;
      int bBatch = vectorB ? 0 : rb - 2;
      batchRank = Math.max(aBatch, bBatch);
      if (yBatch.length != batchRank) {
        yBatch = new long[batchRank];
        aStride = new long[batchRank];
        bStride = new long[batchRank];
      }
      long aStep = aRows * aCols;
      long bStep = bRows * bCols;
      for (int d = batchRank - 1; d >= 0; d--) {
        int ia = d - (batchRank - aBatch);
        int ib = d - (batchRank - bBatch);
        long da = ia >= 0 ? a[ia] : 1;
        long db = ib >= 0 ? b[ib] : 1;
        if (da != db && da != 1 && db != 1) {
          throw LinearInputs.error(bBlob, "the batch dims of A '" + aBlob + "' " + Shapes.format(a) + " and B '"
              + bBlob + "' " + Shapes.format(b) + " do not broadcast: " + da + " against " + db);
        }
        yBatch[d] = da == 1 ? db : da;
        aStride[d] = da == 1 ? 0 : aStep;
        bStride[d] = db == 1 ? 0 : bStep;
        aStep *= da;
        bStep *= db;
      }
    }

    /** Y's dims: the batch dims, then M unless A is 1-D, then N unless B is 1-D; [1] for two vectors. */
    long[] outputDims(long[] buffer) {
      int rank = vectorA && vectorB ? 1 : batchRank + (vectorA ? 0 : 1) + (vectorB ? 0 : 1);
      long[] out = buffer != null && buffer.length == rank ? buffer : new long[rank];
      if (vectorA && vectorB) {
        out[0] = 1;
        return out;
      }
      System.arraycopy(yBatch, 0, out, 0, batchRank);
      int i = batchRank;
      if (!vectorA) {
        out[i++] = m;
      }
      if (!vectorB) {
        out[i] = n;
      }
      return out;
    }
  }
}
