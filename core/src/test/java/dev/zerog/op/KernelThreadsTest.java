package dev.zerog.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class KernelThreadsTest {
  @Test
  void everyIndexRunsExactlyOnceInContiguousPieces() {
    for (int n : new int[] {1, 2, 7, 100, 1000, 65_537}) {
      for (int minPiece : new int[] {1, 3, 64, 1 << 20}) {
        AtomicIntegerArray hits = new AtomicIntegerArray(n);
        ConcurrentLinkedQueue<int[]> pieces = new ConcurrentLinkedQueue<>();
        KernelThreads.forRange(n, minPiece, (from, to) -> {
          pieces.add(new int[] {from, to});
          for (int i = from; i < to; i++) {
            hits.incrementAndGet(i);
          }
        });
        for (int i = 0; i < n; i++) {
          assertThat(hits.get(i)).as("index %d of %d, pieces of %d", i, n, minPiece).isEqualTo(1);
        }
        int p = KernelThreads.pieces(n, minPiece);
        assertThat(pieces).as("n %d, minPiece %d", n, minPiece).hasSize(p);
        for (int[] piece : pieces) {
          // Piece k is [k n / p, (k + 1) n / p): its bounds follow from its start alone.
          int k = 0;
          while (k < p && (long) k * n / p != piece[0]) {
            k++;
          }
          assertThat(k).as("a piece starting at %d", piece[0]).isLessThan(p);
          assertThat(piece[1]).isEqualTo((int) ((long) (k + 1) * n / p));
        }
      }
    }
  }

  @Test
  void thePiecesDependOnTheRangeAndThePieceSizeOnly() {
    assertThat(KernelThreads.threads()).isPositive();
    assertThat(KernelThreads.pieces(0, 10)).isEqualTo(1);
    assertThat(KernelThreads.pieces(100, 1000)).isEqualTo(1);
    assertThat(KernelThreads.pieces(100, 50)).isEqualTo(Math.min(2, 4 * KernelThreads.threads()));
    assertThat(KernelThreads.pieces(1 << 20, 1)).isEqualTo(4 * KernelThreads.threads());
    assertThat(KernelThreads.pieces(10, 0)).isEqualTo(Math.min(10, 4 * KernelThreads.threads()));
  }

  @Test
  void anEmptyRangeRunsNothing() {
    KernelThreads.forRange(0, 1, (from, to) -> {
      throw new AssertionError("ran [" + from + ", " + to + ")");
    });
  }

  @Test
  void aFailingPieceFailsTheCallAfterTheOthersFinish() {
    AtomicIntegerArray hits = new AtomicIntegerArray(1000);
    Throwable t = catchThrowable(() -> KernelThreads.forRange(1000, 10, (from, to) -> {
      for (int i = from; i < to; i++) {
        hits.incrementAndGet(i);
      }
      if (from == 0) {
        throw new IllegalStateException("piece 0 fails");
      }
    }));
    assertThat(t).isInstanceOf(IllegalStateException.class).hasMessage("piece 0 fails");
    for (int i = 0; i < 1000; i++) {
      assertThat(hits.get(i)).isEqualTo(1);
    }
    // The threads are free again.
    AtomicIntegerArray again = new AtomicIntegerArray(1000);
    KernelThreads.forRange(1000, 10, (from, to) -> {
      for (int i = from; i < to; i++) {
        again.incrementAndGet(i);
      }
    });
    for (int i = 0; i < 1000; i++) {
      assertThat(again.get(i)).isEqualTo(1);
    }
  }

  @Test
  void aNestedCallRunsOnTheThreadThatMakesIt() {
    AtomicIntegerArray hits = new AtomicIntegerArray(64 * 64);
    KernelThreads.forRange(64, 1, (from, to) -> {
      for (int row = from; row < to; row++) {
        final int r = row;
        Thread outer = Thread.currentThread();
        KernelThreads.forRange(64, 1, (a, b) -> {
          assertThat(Thread.currentThread()).isSameAs(outer);
          for (int i = a; i < b; i++) {
            hits.incrementAndGet(r * 64 + i);
          }
        });
      }
    });
    for (int i = 0; i < 64 * 64; i++) {
      assertThat(hits.get(i)).isEqualTo(1);
    }
  }

  @Test
  void severalCallersAtOnceEachGetTheirWholeRange() throws InterruptedException {
    int callers = 4;
    int n = 20_000;
    AtomicIntegerArray[] hits = new AtomicIntegerArray[callers];
    List<Thread> threads = new ArrayList<>();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    CountDownLatch start = new CountDownLatch(1);
    for (int c = 0; c < callers; c++) {
      final AtomicIntegerArray h = hits[c] = new AtomicIntegerArray(n);
      Thread t = new Thread(() -> {
        try {
          start.await();
          for (int round = 0; round < 200; round++) {
            KernelThreads.forRange(n, 100, (from, to) -> {
              for (int i = from; i < to; i++) {
                h.incrementAndGet(i);
              }
            });
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      });
      threads.add(t);
      t.start();
    }
    start.countDown();
    for (Thread t : threads) {
      t.join();
    }
    assertThat(failures).isEmpty();
    for (AtomicIntegerArray h : hits) {
      for (int i = 0; i < n; i++) {
        assertThat(h.get(i)).isEqualTo(200);
      }
    }
  }
}
