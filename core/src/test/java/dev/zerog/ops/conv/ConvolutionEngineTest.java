package dev.zerog.ops.conv;

import static dev.zerog.testing.OperatorHarness.uniform;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zerog.ops.conv.ConvPoolArguments.Order;
import dev.zerog.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The FLOAT engine run whole and split into blocks of images (as it runs when each product has one BLAS thread):
 * the same results, and Conv's forward and gradients those of the definitions; ConvTranspose's directions and
 * gradient the same split or not. Random 2-D geometries: strides, dilations, asymmetric pads, groups, pointwise
 * windows, images small enough to be batched into one product and large enough not to be, NCHW and NHWC.
 */
class ConvolutionEngineTest {
  @Test
  void splitRunsMatchWholeRunsAndTheDefinitions() {
    SplittableRandom r = new SplittableRandom(31);
    for (int trial = 0; trial < 60; trial++) {
      Order order = trial % 4 == 3 ? Order.NHWC : Order.NCHW;
      int group = r.nextInt(1, 3);
      int c = group * r.nextInt(1, 4);
      int m = group * r.nextInt(1, 4);
      int n = r.nextInt(1, 6);
      boolean pointwise = trial % 5 == 0;
      int k = pointwise ? 1 : r.nextInt(1, 4);
      int stride = pointwise ? 1 : r.nextInt(1, 3);
      int dilation = pointwise ? 1 : r.nextInt(1, 3);
      int[] pads = new int[4];
      for (int i = 0; i < 4 && !pointwise; i++) {
        pads[i] = r.nextInt(0, 2);
      }
      // Some images are small (several per product), some large (one per product).
      int size = trial % 2 == 0 ? r.nextInt(Math.max(1, dilation * (k - 1) + 1), 8) : r.nextInt(46, 52);
      Window w = new Window();
      w.reset(2);
      for (int a = 1; a < 3; a++) {
        w.in[a] = size;
        w.kernel[a] = k;
        w.stride[a] = stride;
        w.dilation[a] = dilation;
        w.padHead[a] = pads[a - 1];
        w.padTail[a] = pads[a + 1];
        w.out[a] = (size + pads[a - 1] + pads[a + 1] - dilation * (k - 1) - 1) / stride + 1;
      }
      if (w.out[1] < 1 || w.out[2] < 1) {
        continue;
      }
      String what = "trial " + trial + " " + order + " n " + n + " c " + c + " m " + m + " group " + group + " k " + k
          + " stride " + stride + " dilation " + dilation + " pads " + Arrays.toString(pads) + " size " + size;
      Tensor x = uniform(r, -1, 1, n, c, size, size);
      Tensor wt = uniform(r, -1, 1, m, c / group, k, k);
      Tensor dy = uniform(r, -1, 1, n, m, w.out[1], w.out[2]);
      boolean nhwc = order == Order.NHWC;
      float[] xf = floats(nhwc ? ConvReference.channelsLast(x) : x);
      float[] wf = floats(nhwc ? ConvReference.channelsLast(wt) : wt);
      float[] dyf = floats(nhwc ? ConvReference.channelsLast(dy) : dy);
      float[][] whole = runAll(new Convolution(1), order, group, c, m, w, xf, wf, dyf, n);
      for (int blocks : new int[] {2, 3}) {
        float[][] split = runAll(new Convolution(blocks), order, group, c, m, w, xf, wf, dyf, n);
        for (int out = 0; out < whole.length; out++) {
          assertThat(maxDiff(split[out], whole[out])).as("%s, %d blocks, result %d", what, blocks, out)
              .isLessThan(1e-4);
        }
      }
      // Conv's forward and gradients against the definitions.
      int[] st = {stride, stride};
      int[] dl = {dilation, dilation};
      int[] pd = {pads[0], pads[1], pads[2], pads[3]};
      Tensor y = ConvReference.conv(x, wt, null, st, dl, pd, group);
      Tensor[] grads = ConvReference.convGradients(x, wt, dy, st, dl, pd, group);
      assertThat(maxDiff(whole[0], floats(nhwc ? ConvReference.channelsLast(y) : y))).as(what).isLessThan(1e-4);
      assertThat(maxDiff(whole[1], floats(nhwc ? ConvReference.channelsLast(grads[0]) : grads[0]))).as(what)
          .isLessThan(1e-3);
      assertThat(maxDiff(whole[2], floats(nhwc ? ConvReference.channelsLast(grads[1]) : grads[1]))).as(what)
          .isLessThan(1e-4);
    }
  }

  /**
   * Conv's forward, its dW and dX, ConvTranspose's forward (of dY, into an image of X's shape), and ConvTranspose's
   * dW and dX (with dY the image side and X the columns side).
   */
  private static float[][] runAll(Convolution e, Order order, int group, int c, int m, Window w, float[] x,
      float[] wt, float[] dy, int n) {
    e.configure(order, group, c, m, w);
    float[] y = new float[dy.length];
    e.imageToCols(x, wt, y, n);
    float[] dw = new float[wt.length];
    float[] dx = new float[x.length];
    Arrays.fill(dx, 9f);
    e.convGradient(x, dy, wt, dw, dx, n);
    float[] t = new float[x.length];
    Arrays.fill(t, 9f);
    e.colsToImage(dy, wt, t, n);
    float[] tdw = new float[wt.length];
    Arrays.fill(tdw, 9f);
    float[] tdx = new float[dy.length];
    e.transposeGradient(x, dy, wt, tdw, tdx, n);
    float[] dwOnly = new float[wt.length];
    e.convGradient(x, dy, wt, dwOnly, null, n);
    assertThat(dwOnly).containsExactly(dw);
    return new float[][] {y, dw, dx, t, tdw, tdx};
  }

  private static float[] floats(Tensor t) {
    float[] f = new float[t.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) t.getDouble(i);
    }
    return f;
  }

  private static double maxDiff(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    double worst = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs((double) a[i] - b[i]));
    }
    return worst;
  }
}
