package dev.zerog.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Crash safety: a child JVM saves checkpoints without pause and is killed with SIGKILL at random moments; after
 * every kill, the latest checkpoint loads intact with the tensors of its step, no checkpoint is damaged, and no
 * save the child reported is lost. The child resumes from the latest checkpoint, as a training job would.
 *
 * <p>30 kills by default; {@code -Dzerog.killTest.rounds=N} runs more.
 */
@DisabledOnOs(OS.WINDOWS) // destroyForcibly is SIGKILL on Unix only
class CheckpointKillTest {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointKillTest.class);

  @TempDir Path tmp;

  @Test
  void thePreviousCheckpointSurvivesAKillAtAnyMoment() throws Exception {
    int rounds = Integer.getInteger("zerog.killTest.rounds", 30);
    long seed = Long.getLong("zerog.killTest.seed", System.nanoTime());
    // Three children at a time, each in its own directory, so that JVM start-ups overlap.
    int lanes = 3;
    ExecutorService pool = Executors.newFixedThreadPool(lanes);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int lane = 0; lane < lanes; lane++) {
        Path dir = Files.createDirectories(tmp.resolve("lane" + lane));
        int laneRounds = rounds / lanes + (lane < rounds % lanes ? 1 : 0);
        Random random = new Random(seed + lane);
        results.add(pool.submit(() -> killRepeatedly(dir, laneRounds, random)));
      }
      int interrupted = 0;
      for (Future<Integer> f : results) {
        interrupted += f.get();
      }
      LOG.info("{} kills (seed {}), {} of them left a half-written temporary file", rounds, seed, interrupted);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Kills a child {@code rounds} times in {@code dir}, checking after each; returns the kills that cut a save. */
  private static int killRepeatedly(Path dir, int rounds, Random random) throws Exception {
    int interrupted = 0;
    for (int round = 0; round < rounds; round++) {
      long reported = killDuringSaves(dir, random);
      Optional<Path> latest = Checkpoints.latest(dir);
      assertThat(latest).as("%s round %d: a checkpoint exists", dir, round).isPresent();
      long step = Checkpoints.step(latest.get());
      assertThat(step).as("%s round %d: the last reported save (%d) is kept", dir, round, reported)
          .isGreaterThanOrEqualTo(reported);
      try (Stream<Path> files = Files.list(dir)) {
        for (Path p : (Iterable<Path>) files::iterator) {
          if (p.getFileName().toString().endsWith(".tmp")) {
            interrupted++;
          } else {
            checkIntact(p, Checkpoints.step(p));
          }
        }
      }
      Checkpoints.prune(dir, 2);
    }
    return interrupted;
  }

  /** Starts the child, waits for its first save, kills it after a random delay; returns its last reported step. */
  private static long killDuringSaves(Path dir, Random random) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
        "-cp", System.getProperty("java.class.path"), CheckpointWriterProcess.class.getName(), dir.toString());
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process child = pb.start();
    AtomicLong reported = new AtomicLong(-1);
    Object firstSave = new Object();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          if (line.startsWith("saved ")) {
            reported.set(Long.parseLong(line.substring(6)));
            synchronized (firstSave) {
              firstSave.notifyAll();
            }
          }
        }
      } catch (IOException e) {
        // the child was killed
      }
    });
    reader.start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      synchronized (firstSave) {
        while (reported.get() < 0 && child.isAlive() && System.nanoTime() < deadline) {
          firstSave.wait(50);
        }
      }
      assertThat(reported.get()).as("the child saved once (alive: %s)", child.isAlive()).isGreaterThanOrEqualTo(0);
      Thread.sleep(random.nextInt(40));
    } finally {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
      reader.join(10_000);
    }
    return reported.get();
  }

  private static void checkIntact(Path file, long step) {
    Map<String, Tensor> got = Checkpoints.read(file);
    Workspace want = CheckpointWriterProcess.expected(step);
    List<String> names = new ArrayList<>(got.keySet());
    assertThat(names).as(file.toString()).containsExactly("W", "b", "iter");
    for (String name : names) {
      assertThat(got.get(name).contentEquals(want.fetch(name))).as("%s: %s", file, name).isTrue();
    }
  }
}
