package dev.zerog.ops.conv;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The FLOAT im2col and col2im of "same" windows with stride 1, which copy whole shifted planes, against the
 * general loops (the DOUBLE ones, which go output row by output row), over random windows of 1 to 3 spatial axes:
 * kernels, dilations and asymmetric pads that keep the width, any height, several channels, images side by side
 * in a wider matrix.
 */
class Im2ColTest {
  @Test
  void shiftedPlanesMatchTheRowByRowLoops() {
    SplittableRandom r = new SplittableRandom(21);
    int checked = 0;
    for (int trial = 0; trial < 400; trial++) {
      int spatial = 1 + trial % 3;
      Window w = new Window();
      w.reset(spatial);
      for (int a = 3 - spatial; a < 3; a++) {
        w.kernel[a] = r.nextInt(1, 6);
        w.dilation[a] = r.nextInt(1, 3);
        int span = w.dilation[a] * (w.kernel[a] - 1);
        boolean width = a == 2;
        boolean depth = a == 0 && spatial == 3;
        w.stride[a] = width || a == 1 || !depth ? 1 : r.nextInt(1, 3);
        if (width) {
          // Pads that keep the width: head + tail = span, split at random.
          w.padHead[a] = r.nextInt(0, span + 1);
          w.padTail[a] = span - w.padHead[a];
        } else {
          w.padHead[a] = r.nextInt(0, span + 2);
          w.padTail[a] = r.nextInt(0, span + 2);
        }
        w.in[a] = r.nextInt(Math.max(1, span + 1 - w.padHead[a] - w.padTail[a]), 9);
        w.out[a] = (w.in[a] + w.padHead[a] + w.padTail[a] - span - 1) / w.stride[a] + 1;
      }
      if (!Im2Col.isShiftedPlane(w) || w.out[0] < 1 || w.out[1] < 1) {
        continue;
      }
      int channels = r.nextInt(1, 4);
      int images = r.nextInt(1, 3);
      int inSize = w.inSize();
      int outSize = w.outSize();
      int rows = channels * w.kernelSize();
      int ld = images * outSize + r.nextInt(0, 3);
      // At offset 0 and at the array's end, a read outside the image would fail.
      int xOff = trial % 2 == 0 ? 0 : 2;
      float[] x = new float[images * channels * inSize + xOff];
      double[] xd = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) r.nextDouble(-1, 1);
        xd[i] = x[i];
      }
      float[] col = new float[rows * ld + 3];
      double[] cold = new double[col.length];
      java.util.Arrays.fill(col, 7f);
      java.util.Arrays.fill(cold, 7d);
      for (int i = 0; i < images; i++) {
        Im2Col.nchw(x, xOff + i * channels * inSize, channels, w, col, 1 + i * outSize, ld);
        Im2Col.nchw(xd, xOff + i * channels * inSize, channels, w, cold, 1 + i * outSize, ld);
      }
      for (int i = 0; i < col.length; i++) {
        assertThat((double) col[i]).as("im2col entry %d, trial %d", i, trial).isEqualTo(cold[i]);
      }
      // col2im: random columns added back into images that already hold values.
      for (int i = 0; i < col.length; i++) {
        col[i] = (float) r.nextDouble(-1, 1);
        cold[i] = col[i];
      }
      for (int i = 0; i < images; i++) {
        Im2Col.nchwAdd(col, 1 + i * outSize, ld, channels, w, x, xOff + i * channels * inSize);
        Im2Col.nchwAdd(cold, 1 + i * outSize, ld, channels, w, xd, xOff + i * channels * inSize);
      }
      for (int i = 0; i < x.length; i++) {
        assertThat((double) x[i]).as("col2im entry %d, trial %d", i, trial).isCloseTo(xd[i],
            org.assertj.core.api.Assertions.within(1e-5));
      }
      checked++;
    }
    assertThat(checked).isGreaterThan(100);
  }
}
