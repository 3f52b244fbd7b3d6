package dev.zerog.ops.shape;

import dev.zerog.GradientException;
import dev.zerog.SchemaException;
import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.BlobType;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * Transpose: permutes X's axes, Y[i_0, ..., i_r-1] = X at the index whose axis {@code axes[k]} is i_k; by default
 * the axes are reversed. Any type.
 *
 * <p>Gradient (Caffe2's GetTransposeGradient): {@code Transpose(dY) -> dX} with the inverse permutation, and the
 * forward op's other arguments.
 */
final class Transpose extends Operator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("Transpose")
      .linearIn(0)
      .inputs(1)
      .outputs(1)
      .doc("Permutes the axes of X, as numpy.transpose: Y's axis k is X's axis axes[k], so Y's dims are "
          + "[dims[axes[0]], ..., dims[axes[r-1]]] and Y[i_0, ..., i_r-1] = X[j] with j[axes[k]] = i_k. `axes` "
          + "must be a permutation of 0 .. r-1 for X of rank r; without it the axes are reversed (a matrix is "
          + "transposed). Y has X's type (any type).\n\n"
          + "Gradient: Transpose(dY) -> dX with the inverse permutation.")
      .input("data", "X: any type")
      .output("transposed", "X with its axes permuted")
      .arg("axes", ArgType.INTS, "the permutation (default: reversed axes)")
      .inference(Transpose::infer)
      .build();

  /** Caffe2's GetTransposeGradient: Transpose(dY) -> dX, the forward arguments with axes inverted. */
  static final GradientMaker GRADIENT = new GradientMaker() {
    @Override
    public List<OperatorDef> gradientDefs(GradientContext g) {
      OperatorDef op = GradientContext.op("Transpose", List.of(g.GO(0)), List.of(g.GI(0)));
      OperatorDef.Builder b = op.toBuilder();
      for (Argument a : g.def().getArgList()) {
        if (a.getName().equals("axes")) {
          Argument.Builder inverse = a.toBuilder();
          for (int i = 0; i < a.getIntsCount(); i++) {
            long to = a.getInts(i);
            if (to < 0 || to >= a.getIntsCount()) {
              throw new GradientException("Axes should be a permutation of 0 to ndim: " + a.getIntsList());
            }
            inverse.setInts((int) to, i);
          }
          b.addArg(inverse);
        } else {
          b.addArg(a);
        }
      }
      return List.of(b.build());
    }

    @Override
    public boolean copyArguments() {
      return false;
    }
  };

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(Transpose::new).gradient(GRADIENT).build();

  private final int[] axes;

  Transpose(OperatorInit init) {
    super(init);
    axes = init.args().getInts("axes");
    checkPermutation(axes);
  }

  private static void checkPermutation(int[] axes) {
    int[] sorted = axes.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < sorted.length; i++) {
      if (sorted[i] != i) {
        throw new SchemaException("Axes should be a permutation of 0 to ndim: " + Arrays.toString(axes));
      }
    }
  }

  /** The permutation for a rank-r tensor: {@code axes}, or the reversal when it is empty. */
  static int[] permutation(int[] axes, int rank, String blob, long[] dims) {
    if (axes.length == 0) {
      int[] p = new int[rank];
      for (int i = 0; i < rank; i++) {
        p[i] = rank - 1 - i;
      }
      return p;
    }
    if (axes.length != rank) {
      throw ElementArrays.error(blob, "'axes' " + Arrays.toString(axes) + " has " + axes.length + " entries but '"
          + blob + "' of shape " + Shapes.format(dims) + " has rank " + rank);
    }
    return axes;
  }

  @Override
  public void run() {
    Tensor x = input(0);
    long[] dims = x.dims();
    int[] p = permutation(axes, dims.length, inputBlob(0).name(), dims);
    long[] out = new long[dims.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = dims[p[i]];
    }
    if (x.isKnownZero()) {
      output(0).setKnownZero(x.dtype(), out);
      return;
    }
    Tensor y = output(0).resize(x.dtype(), out);
    permute(x.data(), y.data(), dims, p);
  }

  /**
   * Copies {@code src} (dims {@code dims}) into {@code dst} with its axes permuted by {@code p}. Trailing axes
   * that stay in place are copied as contiguous blocks; the other output axes are walked with an odometer.
   */
  static void permute(Object src, Object dst, long[] dims, int[] p) {
    int rank = dims.length;
    int size = (int) Shapes.elementCount(dims);
    if (size == 0) {
      return;
    }
    int m = rank;
    int block = 1;
    while (m > 0 && p[m - 1] == m - 1) {
      block *= (int) dims[m - 1];
      m--;
    }
    if (m == 0) {
      System.arraycopy(src, 0, dst, 0, size);
      return;
    }
    long[] srcStride = new long[rank];
    long s = 1;
    for (int a = rank - 1; a >= 0; a--) {
      srcStride[a] = s;
      s *= dims[a];
    }
    // Output axes 0 .. m-1 are walked; the last of them is the inner loop.
    int innerCount = (int) dims[p[m - 1]];
    int innerStride = (int) srcStride[p[m - 1]];
    int[] count = new int[m - 1];
    int[] stride = new int[m - 1];
    for (int k = 0; k < m - 1; k++) {
      count[k] = (int) dims[p[k]];
      stride[k] = (int) srcStride[p[k]];
    }
    int[] idx = new int[m - 1];
    int outer = size / block / innerCount;
    int base = 0;
    int d = 0;
    for (int o = 0; o < outer; o++) {
      if (block == 1) {
        copyStrided(src, base, innerStride, dst, d, innerCount);
        d += innerCount;
      } else {
        for (int k = 0, at = base; k < innerCount; k++, at += innerStride) {
          System.arraycopy(src, at, dst, d, block);
          d += block;
        }
      }
      for (int k = m - 2; k >= 0; k--) {
        base += stride[k];
        if (++idx[k] < count[k]) {
          break;
        }
        base -= stride[k] * count[k];
        idx[k] = 0;
      }
    }
  }

  /** dst[d + k] = src[s + k * stride] for k < n, with a plain loop for the primitive numeric types. */
  private static void copyStrided(Object src, int s, int stride, Object dst, int d, int n) {
    if (src instanceof float[]) {
      float[] a = (float[]) src;
      float[] b = (float[]) dst;
      for (int k = 0; k < n; k++) {
        b[d + k] = a[s + k * stride];
      }
    } else if (src instanceof double[]) {
      double[] a = (double[]) src;
      double[] b = (double[]) dst;
      for (int k = 0; k < n; k++) {
        b[d + k] = a[s + k * stride];
      }
    } else if (src instanceof int[]) {
      int[] a = (int[]) src;
      int[] b = (int[]) dst;
      for (int k = 0; k < n; k++) {
        b[d + k] = a[s + k * stride];
      }
    } else if (src instanceof long[]) {
      long[] a = (long[]) src;
      long[] b = (long[]) dst;
      for (int k = 0; k < n; k++) {
        b[d + k] = a[s + k * stride];
      }
    } else {
      for (int k = 0; k < n; k++) {
        System.arraycopy(src, s + k * stride, dst, d + k, 1);
      }
    }
  }

  static List<BlobType> infer(OperatorDef def, Arguments args, List<BlobType> in) {
    BlobType x = in.get(0);
    int[] axes = args.getInts("axes");
    checkPermutation(axes);
    if (x.dims() == null) {
      return List.of(new BlobType(x.dtype(), null));
    }
    long[] dims = x.dims();
    int[] p = permutation(axes, dims.length, def.getInput(0), dims);
    long[] out = new long[dims.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = dims[p[i]];
    }
    return List.of(new BlobType(x.dtype(), out));
  }
}
