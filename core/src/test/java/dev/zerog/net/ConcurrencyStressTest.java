package dev.zerog.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerog.grad.BackwardPass;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * What zerog shares between threads: one NetDef, the standard registry and the backward builder, used by many
 * workspaces at once on every core. Each thread builds the backward pass, creates its own workspace and net, runs
 * forward and backward many times, and must get exactly the blobs a single thread gets.
 */
class ConcurrencyStressTest {
  private static final List<String> CHECKED = List.of("loss", "X_grad", "W_grad", "Unused_grad", "s");

  private static NetDef forward() throws IOException {
    try (InputStream in = ConcurrencyStressTest.class.getResourceAsStream("/nets/stress.pbtxt")) {
      return NetDefs.parse(in.readAllBytes(), "stress.pbtxt", NetDefs.Format.TEXT);
    }
  }

  private static Workspace workspace() {
    SplittableRandom r = new SplittableRandom(7);
    Workspace ws = new Workspace();
    for (String name : List.of("X", "W", "T", "Unused")) {
      float[] v = new float[64 * 32];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) r.nextDouble(-1, 1);
      }
      ws.feed(name, Tensor.of(v, 64, 32));
    }
    return ws;
  }

  /** Builds the backward pass, creates the net on a fresh workspace, runs it {@code runs} times. */
  private static Map<String, Tensor> train(NetDef forward, int runs) {
    BackwardPass pass = BackwardPass.build(forward, List.of("loss"));
    Workspace ws = workspace();
    Net net = Net.create(pass.appendTo(forward), ws);
    for (int i = 0; i < runs; i++) {
      net.run();
    }
    Map<String, Tensor> out = new java.util.LinkedHashMap<>();
    for (String name : CHECKED) {
      out.put(name, ws.fetch(name).copy());
    }
    return out;
  }

  @Test
  void manyWorkspacesAtOnceGiveWhatOneGives() throws Exception {
    NetDef forward = forward();
    Map<String, Tensor> reference = train(forward, 3);
    int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Map<String, Tensor>>> results = new ArrayList<>();
      for (int t = 0; t < threads * 3; t++) {
        results.add(pool.submit(() -> {
          start.await();
          // The shared registry is used concurrently too.
          assertThat(OperatorRegistry.standard().has("Tanh")).isTrue();
          return train(forward, 3);
        }));
      }
      start.countDown();
      for (Future<Map<String, Tensor>> f : results) {
        Map<String, Tensor> got = f.get();
        for (String name : CHECKED) {
          assertThat(got.get(name).contentEquals(reference.get(name))).as(name).isTrue();
        }
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(reference.get("Unused_grad").getDouble(0)).isZero();
  }
}
