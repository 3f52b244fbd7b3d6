package dev.zerog.ops.linear;

import dev.zerog.ResourceLimitException;
import dev.zerog.blas.Blas;
import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.Arity;
import dev.zerog.op.BlobType;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.util.List;

/**
 * MatMul: the matrix product {@code Y = op(A)·op(B)} of two tensors read as matrices, one GEMM through
 * {@link Blas}.
 *
 * <p>A is read as a matrix split at {@code axis_a} (its dims before the axis form the rows, the rest the columns),
 * B the same way at {@code axis_b}; {@code trans_a} and {@code trans_b} transpose those matrices. Y is
 * {@code [M, N]}, or, with a third input, takes that input's shape (the form MatMul's gradient ops use to give
 * dA and dB the shapes of A and B).
 *
 * <p>Gradient (Caffe2's GetMatMulGradient): two MatMul ops, one for dA and one for dB, whose transpose flags and
 * axes depend on the forward op's; the forward op's arguments are not copied. Caffe2 stores the axes it passes on
 * in a bool, so it passes {@code axis_a}/{@code axis_b} values other than 0 and 1 as 1, which gives wrong shapes;
 * zerog passes the values themselves (for axes 0 and 1, the default, both agree).
 */
final class MatMul extends Operator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("MatMul")
      .linearIn(0)
      .linearIn(1)
      .flops(LinearCosts::matMul)
      .inputs(Arity.range(2, 3))
      .outputs(1)
      .doc("Matrix product: Y = op(A)·op(B), where op transposes when trans_a (trans_b) is set.\n\n"
          + "A of any rank >= 1 is read as an A0×A1 matrix: A0 is the product of its dims before `axis_a`, A1 "
          + "the product of the rest; B likewise at `axis_b`. op(A) is A0×A1, or A1×A0 with trans_a; op(B) is "
          + "B0×B1, or B1×B0 with trans_b. op(A) must be M×K and op(B) K×N; Y is [M, N] (always 2-D), of A's "
          + "type. With a third input S, Y takes S's shape instead, which must hold M·N elements. A and B must "
          + "both be FLOAT or both DOUBLE. Sizes may be zero; with K = 0, Y is zeros.\n\n"
          + "Gradient: two MatMul ops with the third input, dA = MatMul(.., .., A) and dB = MatMul(.., .., B), "
          + "for example, without transposes, dA = MatMul(dY, B, A; trans_b=1, axis_b) and dB = MatMul(A, dY, "
          + "B; trans_a=1, axis_a). The forward op's arguments are not copied. Caffe2 passes axes other than 0 "
          + "and 1 on as 1, giving wrong shapes; zerog passes them as they are.")
      .input("A", "FLOAT or DOUBLE, rank >= 1, read as A0×A1 (split at axis_a)")
      .input("B", "A's type, rank >= 1, read as B0×B1 (split at axis_b)")
      .input("S", "optional: any tensor of M·N elements whose shape Y takes")
      .output("Y", "A's type, shape [M, N] (or S's shape)")
      .arg("axis_a", ArgType.INT, "A's dims before it form A0, the rest A1 (default 1; negative counts from "
          + "the end; must lie in [-rank, rank))")
      .arg("axis_b", ArgType.INT, "B's dims before it form B0, the rest B1 (default 1)")
      .arg("trans_a", ArgType.INT, "1 to transpose A's matrix before multiplying (default 0)")
      .arg("trans_b", ArgType.INT, "1 to transpose B's matrix before multiplying (default 0)")
      .inference(MatMul::infer)
      .build();

  /** Caffe2's GetMatMulGradient, with the forward axes passed on as they are. */
  static final GradientMaker GRADIENT = new GradientMaker() {
    @Override
    public List<OperatorDef> gradientDefs(GradientContext g) {
      Arguments args = Arguments.of(g.def().getArgList());
      boolean transA = args.getLong("trans_a", 0) != 0;
      boolean transB = args.getLong("trans_b", 0) != 0;
      long axisA = args.getLong("axis_a", 1);
      long axisB = args.getLong("axis_b", 1);
      String a = g.I(0);
      String b = g.I(1);
      String dy = g.GO(0);
      String da = g.GI(0);
      String db = g.GI(1);
      if (transA && transB) {
        // Y = Aᵀ·Bᵀ: dA = Bᵀ·dYᵀ, dB = dYᵀ·Aᵀ.
        return List.of(
            GradientContext.op("MatMul", List.of(b, dy, a), List.of(da), flag("trans_a"), flag("trans_b"),
                axis("axis_a", axisB)),
            GradientContext.op("MatMul", List.of(dy, a, b), List.of(db), flag("trans_a"), flag("trans_b"),
                axis("axis_b", axisA)));
      } else if (transA) {
        // Y = Aᵀ·B: dA = B·dYᵀ, dB = A·dY.
        return List.of(
            GradientContext.op("MatMul", List.of(b, dy, a), List.of(da), flag("trans_b"), axis("axis_a", axisB)),
            GradientContext.op("MatMul", List.of(a, dy, b), List.of(db), axis("axis_a", axisA)));
      } else if (transB) {
        // Y = A·Bᵀ: dA = dY·B, dB = dYᵀ·A.
        return List.of(
            GradientContext.op("MatMul", List.of(dy, b, a), List.of(da), axis("axis_b", axisB)),
            GradientContext.op("MatMul", List.of(dy, a, b), List.of(db), flag("trans_a"), axis("axis_b", axisA)));
      } else {
        // Y = A·B: dA = dY·Bᵀ, dB = Aᵀ·dY.
        return List.of(
            GradientContext.op("MatMul", List.of(dy, b, a), List.of(da), flag("trans_b"), axis("axis_b", axisB)),
            GradientContext.op("MatMul", List.of(a, dy, b), List.of(db), flag("trans_a"), axis("axis_a", axisA)));
      }
    }

    @Override
    public boolean copyArguments() {
      return false;
    }
  };

  static Argument flag(String name) {
    return Argument.newBuilder().setName(name).setI(1).build();
  }

  private static Argument axis(String name, long value) {
    return Argument.newBuilder().setName(name).setI(value).build();
  }

  static final OperatorDefinition DEFINITION = definition(null);

  /** MatMul running its GEMM on {@code blas}, or on {@link Blas#get()} when it is null. */
  static OperatorDefinition definition(Blas blas) {
    return OperatorDefinition.builder(SCHEMA).cpu(init -> new MatMul(init, blas)).gradient(GRADIENT).build();
  }

  private final Blas blas;
  private final Geometry geometry;
  private long[] aDims;
  private long[] bDims;
  private long[] yDims;

  private MatMul(OperatorInit init, Blas blas) {
    super(init);
    this.blas = blas != null ? blas : Blas.get();
    this.geometry = new Geometry(init.args());
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
    Geometry g = geometry;
    g.resolve(aDims, bDims, aName, inputBlob(1).name());
    Tensor y;
    if (inputSize() == 3) {
      Tensor shape = input(2);
      if (shape.size() != g.m * g.n) {
        g.checkShapeInput(shape.size(), shape.dims(), inputBlob(2).name());
      }
      y = output(0).resizeLike(dtype, shape);
    } else {
      yDims = g.outputDims(yDims);
      y = output(0).resize(dtype, yDims);
    }
    int m = (int) g.m;
    int n = (int) g.n;
    int k = (int) g.k;
    if (dtype == DataType.FLOAT) {
      blas.sgemm(g.transA, g.transB, m, n, k, 1f, a.floats(), 0, g.lda, b.floats(), 0, g.ldb, 0f, y.floats(), 0,
          n);
    } else {
      blas.dgemm(g.transA, g.transB, m, n, k, 1d, a.doubles(), 0, g.lda, b.doubles(), 0, g.ldb, 0d, y.doubles(), 0,
          n);
    }
  }

  static List<BlobType> infer(OperatorDef def, Arguments args, List<BlobType> in) {
    DataType dtype = LinearInputs.inferType(def, in.get(0), in.get(1));
    long[] a = in.get(0).dims();
    long[] b = in.get(1).dims();
    long[] s = in.size() == 3 ? in.get(2).dims() : null;
    if (a == null || b == null) {
      return List.of(new BlobType(dtype, in.size() == 3 ? s : null));
    }
    Geometry g = new Geometry(args);
    g.resolve(a, b, def.getInput(0), def.getInput(1));
    if (in.size() == 3) {
      if (s != null) {
        g.checkShapeInput(Shapes.elementCount(s), s, def.getInput(2));
      }
      return List.of(new BlobType(dtype, s));
    }
    return List.of(new BlobType(dtype, g.outputDims(null)));
  }

  /** How MatMul reads A and B as matrices: M, K, N and the row strides, with the checks that they fit. */
  static final class Geometry {
    private final long axisA;
    private final long axisB;
    final boolean transA;
    final boolean transB;
    long m;
    long k;
    long n;
    /** The row strides of A and B as stored: A1 and B1. */
    int lda;
    int ldb;

    Geometry(Arguments args) {
      this.axisA = args.getLong("axis_a", 1);
      this.axisB = args.getLong("axis_b", 1);
      this.transA = args.getLong("trans_a", 0) != 0;
      this.transB = args.getLong("trans_b", 0) != 0;
    }

    void resolve(long[] a, long[] b, String aBlob, String bBlob) {
      int ax = LinearInputs.canonicalAxis("axis_a", axisA, a, "A", aBlob);
      int bx = LinearInputs.canonicalAxis("axis_b", axisB, b, "B", bBlob);
      long a0 = LinearInputs.product(a, 0, ax);
      long a1 = LinearInputs.product(a, ax, a.length);
      long b0 = LinearInputs.product(b, 0, bx);
      long b1 = LinearInputs.product(b, bx, b.length);
      m = transA ? a1 : a0;
      k = transA ? a0 : a1;
      long kb = transB ? b1 : b0;
      n = transB ? b0 : b1;
      if (k != kb) {
        throw LinearInputs.error(bBlob, "A '" + aBlob + "' " + Shapes.format(a) + " is read as " + a0 + "×" + a1
            + " (split at axis_a " + axisA + ") and B '" + bBlob + "' " + Shapes.format(b) + " as " + b0 + "×" + b1
            + " (split at axis_b " + axisB + "): " + (transA ? "Aᵀ" : "A") + " has K=" + k + " columns but "
            + (transB ? "Bᵀ" : "B") + " has " + kb + " rows (trans_a=" + (transA ? 1 : 0) + ", trans_b="
            + (transB ? 1 : 0) + ")");
      }
      if (a0 > Integer.MAX_VALUE || a1 > Integer.MAX_VALUE || b0 > Integer.MAX_VALUE || b1 > Integer.MAX_VALUE) {
        throw new ResourceLimitException("MatMul reads A " + Shapes.format(a) + " and B " + Shapes.format(b)
            + " as " + a0 + "×" + a1 + " and " + b0 + "×" + b1 + " matrices; each size must fit a 32-bit integer");
      }
      lda = (int) a1;
      ldb = (int) b1;
    }

    /** The third input, whose shape Y takes, must hold M·N elements. */
    void checkShapeInput(long size, long[] dims, String blob) {
      if (size != m * n) {
        throw LinearInputs.error(blob, "Y takes the shape of the third input '" + blob + "' " + Shapes.format(dims)
            + ", which holds " + size + " elements, but the product is " + m + "×" + n + " = " + m * n);
      }
    }

    /** [M, N], in {@code buffer} when it has two elements. */
    long[] outputDims(long[] buffer) {
      long[] out = buffer != null && buffer.length == 2 ? buffer : new long[2];
      out[0] = m;
      out[1] = n;
      return out;
    }
  }
}
