package dev.zerog.ops.elementwise;

import static dev.zerog.testing.OpDefs.i;
import static dev.zerog.testing.OpDefs.op;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.zerog.net.Net;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The broadcast plans against a direct, index-by-index computation over many random shapes. */
class BroadcastTest {
  private static final int CASES = 300;

  /** A's and B's element index for each of C's elements, by NumPy's rules, computed the slow way. */
  private static int[][] naiveIndices(long[] a, long[] b, long[] c) {
    int n = (int) Shapes.elementCount(c);
    int[][] out = new int[2][n];
    int[] idx = new int[c.length];
    for (int k = 0; k < n; k++) {
      out[0][k] = flatIndex(a, idx, c.length);
      out[1][k] = flatIndex(b, idx, c.length);
      for (int d = c.length - 1; d >= 0; d--) {
        if (++idx[d] < c[d]) {
          break;
        }
        idx[d] = 0;
      }
    }
    return out;
  }

  private static int flatIndex(long[] dims, int[] cIndex, int cRank) {
    int flat = 0;
    for (int d = 0; d < dims.length; d++) {
      int ci = cIndex[d + cRank - dims.length];
      flat = flat * (int) dims[d] + (dims[d] == 1 ? 0 : ci);
    }
    return flat;
  }

  private static long[] randomShape(SplittableRandom r, int rank) {
    long[] dims = new long[rank];
    for (int k = 0; k < rank; k++) {
      dims[k] = r.nextInt(1, 4);
    }
    return dims;
  }

  private static Tensor randomTensor(SplittableRandom r, long[] dims) {
    Tensor t = Tensor.allocate(DataType.DOUBLE, dims);
    for (int k = 0; k < t.size(); k++) {
      t.doubles()[k] = r.nextDouble(0.5, 2);
    }
    return t;
  }

  @Test
  void numpyForwardAndGradientsMatchTheDirectComputation() {
    SplittableRandom r = new SplittableRandom(2024);
    for (int t = 0; t < CASES; t++) {
      long[] c = randomShape(r, r.nextInt(0, 5));
      long[] a = derive(r, c);
      long[] b = derive(r, c);
      checkCase(r, a, b, Broadcast.numpyDims(a, b), a, b);
    }
  }

  @Test
  void legacyForwardAndGradientsMatchTheDirectComputation() {
    SplittableRandom r = new SplittableRandom(99);
    for (int t = 0; t < CASES; t++) {
      long[] a = randomShape(r, r.nextInt(1, 5));
      int start = r.nextInt(0, a.length);
      int end = r.nextInt(start, a.length + 1);
      long[] b = java.util.Arrays.copyOfRange(a, start, end);
      if (b.length == 0) {
        b = new long[] {1};
      }
      boolean suffix = end == a.length && r.nextBoolean();
      // The same broadcast expressed in NumPy terms: B padded with 1s after it.
      long[] bAsNumpy = new long[a.length - start];
      java.util.Arrays.fill(bAsNumpy, 1);
      System.arraycopy(b, 0, bAsNumpy, 0, b.length);
      if (Shapes.elementCount(b) == 1) {
        bAsNumpy = new long[] {1};
      }
      checkCase(r, a, b, a, a, bAsNumpy, i("broadcast", 1), i("axis", suffix ? -1 : start));
    }
  }

  /** Keeps each dim of c or makes it 1, and sometimes drops leading dims. */
  private static long[] derive(SplittableRandom r, long[] c) {
    int drop = c.length == 0 ? 0 : r.nextInt(0, c.length + 1);
    long[] out = new long[c.length - drop];
    for (int k = 0; k < out.length; k++) {
      out[k] = r.nextInt(3) == 0 ? 1 : c[k + drop];
    }
    return out;
  }

  private static void checkCase(SplittableRandom r, long[] aDims, long[] bDims, long[] cDims, long[] aNumpy,
      long[] bNumpy, Argument... args) {
    Tensor a = randomTensor(r, aDims);
    Tensor b = randomTensor(r, bDims);
    long[] cNumpy = Broadcast.numpyDims(aNumpy, bNumpy);
    int[][] idx = naiveIndices(aNumpy, bNumpy, cNumpy);
    String shapes = Shapes.format(aDims) + " " + Shapes.format(bDims) + " " + List.of(args);
    Workspace ws = new Workspace();
    ws.feed("a", a);
    ws.feed("b", b);
    int n = idx[0].length;
    for (String type : List.of("Add", "Sub", "Mul", "Div")) {
      Net.runOperatorOnce(op(type, List.of("a", "b"), List.of("c"), args), ws);
      Tensor c = ws.fetch("c");
      assertThat(c.dims()).as(shapes).containsExactly(cDims);
      for (int k = 0; k < n; k++) {
        double x = a.doubles()[idx[0][k]];
        double y = b.doubles()[idx[1][k]];
        double expected = type.equals("Add") ? x + y : type.equals("Sub") ? x - y : type.equals("Mul") ? x * y
            : x / y;
        assertThat(c.doubles()[k]).as(type + " " + shapes + " at " + k).isEqualTo(expected);
      }
    }
    // MulGradient and DivGradient: reductions over the broadcast axes.
    Tensor dc = randomTensor(r, cDims);
    ws.feed("dc", dc);
    Net.runOperatorOnce(op("Div", List.of("a", "b"), List.of("c"), args), ws);
    Net.runOperatorOnce(op("DivGradient", List.of("dc", "a", "b", "c"), List.of("da", "db"), args), ws);
    double[] daDiv = ws.fetch("da").doubles().clone();
    double[] dbDiv = ws.fetch("db").doubles().clone();
    Net.runOperatorOnce(op("MulGradient", List.of("dc", "a", "b"), List.of("da", "db"), args), ws);
    double[] da = new double[a.size()];
    double[] db = new double[b.size()];
    double[] daD = new double[a.size()];
    double[] dbD = new double[b.size()];
    for (int k = 0; k < n; k++) {
      double g = dc.doubles()[k];
      double x = a.doubles()[idx[0][k]];
      double y = b.doubles()[idx[1][k]];
      da[idx[0][k]] += g * y;
      db[idx[1][k]] += g * x;
      daD[idx[0][k]] += g / y;
      dbD[idx[1][k]] -= g * (x / y) / y;
    }
    assertThat(ws.fetch("da").dims()).as(shapes).containsExactly(aDims);
    assertThat(ws.fetch("db").dims()).as(shapes).containsExactly(bDims);
    assertClose(ws.fetch("da").doubles(), da, shapes);
    assertClose(ws.fetch("db").doubles(), db, shapes);
    assertClose(daDiv, daD, shapes);
    assertClose(dbDiv, dbD, shapes);
  }

  private static void assertClose(double[] actual, double[] expected, String what) {
    assertThat(actual).as(what).hasSameSizeAs(expected);
    for (int k = 0; k < actual.length; k++) {
      assertThat(actual[k]).as(what + " at " + k).isCloseTo(expected[k], within(1e-12 * (1 + Math.abs(expected[k]))));
    }
  }
}
