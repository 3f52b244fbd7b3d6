package dev.zerog.op;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads that operator kernels split their large loops across: the calling thread and a small fixed set of
 * daemon workers, one set per process, started on first use.
 *
 * <p>{@link #forRange} cuts an index range into contiguous pieces of at least a given size (how many depends only on
 * the range and that size, never on the number of threads) and lets the caller and the workers claim pieces until
 * none is left. A kernel that computes each output within one piece therefore gives the same result bit for bit
 * whatever the number of threads. The caller always works too: if no worker is free (another thread is using them,
 * or a piece calls {@code forRange} again), it runs the whole range itself; if a worker is slow to wake, the caller
 * claims its pieces. Nothing is allocated per call: kernels pass a {@link Body} they keep.
 *
 * <p>The number of threads (caller included) is the system property {@value #PROPERTY} when set (1 runs everything
 * on the caller), else the number of processors, at most {@value #MAX_DEFAULT}. Idle workers spin for a few
 * microseconds, then park.
 */
public final class KernelThreads {
  /** The system property that sets the number of threads, caller included (at least 1). */
  public static final String PROPERTY = "zerog.threads";
  /** The default number of threads is the number of processors, at most this. */
  public static final int MAX_DEFAULT = 4;

  /** How many pieces per thread a range is cut into at most, so that a late worker delays little. */
  private static final int PIECES_PER_THREAD = 4;
  /** How long an idle worker, or the caller waiting for the last pieces, spins before parking. */
  private static final long SPIN_NANOS = 20_000;

  private static final Logger LOG = LoggerFactory.getLogger(KernelThreads.class);
  private static final int THREADS = configuredThreads();
  private static final KernelThreads POOL = THREADS > 1 ? new KernelThreads(THREADS - 1) : null;

  /** A loop over the indices [from, to). */
  @FunctionalInterface
  public interface Body {
    /** Runs the loop over [from, to). */
    void run(int from, int to);
  }

  private final Thread[] workers;
  private final AtomicBoolean busy = new AtomicBoolean();
  /** The job's generation (high 32 bits) and the next unclaimed piece (low 32 bits). */
  private final AtomicLong claims = new AtomicLong();
  private final AtomicInteger done = new AtomicInteger();
  private final AtomicInteger[] sleeping;
  private volatile Body body;
  private volatile int length;
  private volatile int pieces;
  private volatile Throwable failure;
  private volatile Thread caller;
  private volatile boolean callerParked;

  private KernelThreads(int workerCount) {
    workers = new Thread[workerCount];
    sleeping = new AtomicInteger[workerCount];
    for (int i = 0; i < workerCount; i++) {
      sleeping[i] = new AtomicInteger();
      final int id = i;
      Thread t = new Thread(() -> work(id), "zerog-kernel-" + (i + 1));
      t.setDaemon(true);
      workers[i] = t;
    }
    for (Thread t : workers) {
      t.start();
    }
    LOG.debug("{} kernel threads (caller included)", workerCount + 1);
  }

  private static int configuredThreads() {
    String v = System.getProperty(PROPERTY);
    if (v != null && !v.isBlank()) {
      try {
        int n = Integer.parseInt(v.trim());
        if (n >= 1) {
          return n;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      LoggerFactory.getLogger(KernelThreads.class).warn("-D{}={} is not a positive integer; using 1", PROPERTY, v);
      return 1;
    }
    return Math.max(1, Math.min(MAX_DEFAULT, Runtime.getRuntime().availableProcessors()));
  }

  /** The number of threads that run kernels, the caller included. */
  public static int threads() {
    return THREADS;
  }

  /**
   * The number of pieces {@link #forRange} cuts {@code n} indices into for pieces of at least {@code minPiece}:
   * between 1 and {@code n / minPiece}, at most {@value #PIECES_PER_THREAD} per thread.
   */
  public static int pieces(int n, int minPiece) {
    long byLength = n / Math.max(1, (long) minPiece);
    return (int) Math.max(1, Math.min(byLength, (long) PIECES_PER_THREAD * THREADS));
  }

  /**
   * Runs {@code body} over [0, n), cut into {@link #pieces}(n, minPiece) contiguous pieces that the caller and the
   * workers share; returns when every piece has run. Piece k is [k·n/p, (k+1)·n/p). An exception thrown by a piece
   * is rethrown here once every other piece has finished.
   */
  public static void forRange(int n, int minPiece, Body body) {
    if (n <= 0) {
      return;
    }
    int p = pieces(n, minPiece);
    if (p == 1 || POOL == null || !POOL.busy.compareAndSet(false, true)) {
      body.run(0, n);
      return;
    }
    POOL.runShared(n, p, body);
  }

  private void runShared(int n, int p, Body b) {
    try {
      body = b;
      length = n;
      pieces = p;
      failure = null;
      done.set(0);
      caller = Thread.currentThread();
      long generation = (claims.get() >>> 32) + 1;
      claims.set(generation << 32);
      for (int i = 0; i < workers.length; i++) {
        if (sleeping[i].get() != 0) {
          LockSupport.unpark(workers[i]);
        }
      }
      runPieces(generation);
      awaitPieces(p);
      Throwable t = failure;
      if (t != null) {
        if (t instanceof RuntimeException) {
          throw (RuntimeException) t;
        }
        if (t instanceof Error) {
          throw (Error) t;
        }
        throw new IllegalStateException(t);
      }
    } finally {
      body = null;
      caller = null;
      busy.set(false);
    }
  }

  /** Claims and runs pieces of the job of {@code generation} until none is left. */
  private void runPieces(long generation) {
    while (true) {
      long s = claims.get();
      if (s >>> 32 != generation) {
        return;
      }
      int k = (int) s;
      int p = pieces;
      if (k >= p || !claims.compareAndSet(s, s + 1)) {
        if (k >= p) {
          return;
        }
        continue;
      }
      // The claim succeeded, so the job of this generation is still running: its fields are the ones read here.
      int n = length;
      try {
        body.run((int) ((long) k * n / p), (int) ((long) (k + 1) * n / p));
      } catch (Throwable t) {
        if (failure == null) {
          failure = t;
        }
      }
      if (done.incrementAndGet() == p && callerParked) {
        LockSupport.unpark(caller);
      }
    }
  }

  private void awaitPieces(int p) {
    long start = System.nanoTime();
    while (done.get() < p) {
      if (System.nanoTime() - start < SPIN_NANOS) {
        Thread.onSpinWait();
        continue;
      }
      callerParked = true;
      if (done.get() < p) {
        LockSupport.parkNanos(this, 100_000);
      }
      callerParked = false;
    }
  }

  private void work(int id) {
    long seen = 0;
    while (true) {
      long s = claims.get();
      long generation = s >>> 32;
      if (generation != seen) {
        seen = generation;
        runPieces(generation);
        continue;
      }
      long start = System.nanoTime();
      while (claims.get() >>> 32 == seen && System.nanoTime() - start < SPIN_NANOS) {
        Thread.onSpinWait();
      }
      if (claims.get() >>> 32 != seen) {
        continue;
      }
      sleeping[id].set(1);
      if (claims.get() >>> 32 == seen) {
        LockSupport.park(this);
      }
      sleeping[id].set(0);
    }
  }
}
