package dev.zerog.ops.conv;

import static dev.zerog.testing.OpDefs.f;
import static dev.zerog.testing.OpDefs.i;
import static dev.zerog.testing.OpDefs.op;
import static dev.zerog.testing.OpDefs.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.zerog.grad.BackwardPass;
import dev.zerog.net.Net;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.grad.GradientBlob;
import dev.zerog.testing.OpDefs;
import dev.zerog.testing.OperatorHarness;
import dev.zerog.workspace.Workspace;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Once their outputs and buffers exist, the convolutional and normalization operators and their gradient ops run
 * without allocating: a forward and backward step through all of them, repeated a thousand times, allocates
 * (almost) nothing on the running thread. The large case runs FLOAT loops split across the kernel threads.
 */
class SteadyStateAllocationTest {
  @ParameterizedTest
  @CsvSource({"NCHW, 2, 9, 300, 1000", "NHWC, 2, 9, 300, 1000", "NCHW, 4, 64, 100, 200"})
  void forwardAndBackwardAllocateNothing(String order, int batch, int size, int warmups, int runs) {
    java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    assumeTrue(mx instanceof com.sun.management.ThreadMXBean);
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) mx;
    assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
    boolean nchw = order.equals("NCHW");
    SplittableRandom r = new SplittableRandom(61);
    Workspace ws = new Workspace();
    ws.feed("X", OperatorHarness.uniformFloat(r, -1, 1, nchw ? new long[] {batch, 4, size, size}
        : new long[] {batch, size, size, 4}));
    ws.feed("W", OperatorHarness.uniformFloat(r, -1, 1, nchw ? new long[] {6, 2, 3, 3} : new long[] {6, 3, 3, 2}));
    ws.feed("W1", OperatorHarness.uniformFloat(r, -1, 1, nchw ? new long[] {6, 6, 1, 1} : new long[] {6, 1, 1, 6}));
    ws.feed("b", OperatorHarness.uniformFloat(r, -1, 1, 6));
    ws.feed("WT", OperatorHarness.uniformFloat(r, -1, 1, nchw ? new long[] {6, 2, 2, 2} : new long[] {6, 2, 2, 2}));
    ws.feed("s", OperatorHarness.uniformFloat(r, 0.5, 1.5, 4));
    ws.feed("o", OperatorHarness.uniformFloat(r, -1, 1, 4));
    ws.feed("rm", OperatorHarness.uniformFloat(r, -1, 1, 4));
    ws.feed("rv", OperatorHarness.uniformFloat(r, 0.5, 1.5, 4));
    OperatorDef[] ops = {
        op("SpatialBN", List.of("X", "s", "o", "rm", "rv"), List.of("B", "rm", "rv", "sm", "sv"),
            s("order", order)),
        op("LRN", List.of("B"), List.of("L"), i("size", 3), f("alpha", 0.5f), f("beta", 0.75f), s("order", order)),
        op("Conv", List.of("L", "W", "b"), List.of("C"), i("kernel", 3), i("pad", 1), i("stride", 2),
            i("group", 2), s("order", order)),
        op("Conv", List.of("C", "W1"), List.of("P"), i("kernel", 1), s("order", order)),
        op("ConvTranspose", List.of("P", "WT"), List.of("T"), i("kernel", 2), i("stride", 2), i("group", 3),
            s("order", order)),
        op("MaxPool", List.of("T"), List.of("M"), i("kernel", 3), i("pad", 1), s("order", order)),
        op("AveragePool", List.of("M"), List.of("Y"), i("kernel", 2), i("stride", 2), s("order", order))};
    NetDef forward = OpDefs.net(ops);
    int out = (size - 1) / 2 + 1;
    ws.feed("dY", OperatorHarness.uniformFloat(r, -1, 1, nchw ? new long[] {batch, 6, out, out}
        : new long[] {batch, out, out, 6}));
    Net net = Net.create(BackwardPass.build(forward, List.of("Y"), Map.of("Y", GradientBlob.dense("dY")))
        .appendTo(forward), ws);
    // Warm up, so that the JIT's own work is done before counting.
    for (int k = 0; k < warmups; k++) {
      net.run();
    }
    assertThat(ws.fetch("X_grad").dims()).containsExactly(ws.fetch("X").dims());
    long id = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(id);
    for (int k = 0; k < runs; k++) {
      net.run();
    }
    long allocated = threads.getThreadAllocatedBytes(id) - before;
    // Any array takes 16 bytes or more, so an allocation in every step would be 16,000 bytes or more; the JVM's own
    // occasional bookkeeping stays well below.
    assertThat(allocated).as("bytes allocated by %d steps", runs).isLessThan(16L * runs);
  }
}
