package dev.zerog.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.zerog.tensor.Tensor;
import dev.zerog.testing.FuzzChecks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Fuzz target for {@code .npy} and {@code .npz} reading ({@link Npy}). The first byte chooses: even reads the
 * rest as {@code .npy} bytes, odd writes it to a file and reads it as a {@code .npz} archive. A tensor that reads
 * must also write and read back equal. See docs/fuzzing.md.
 */
class NpyFuzzTest {
  private static final Path NPZ = temporaryFile();

  private static Path temporaryFile() {
    try {
      Path f = Files.createTempFile("zerog-fuzz", ".npz");
      f.toFile().deleteOnExit();
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "10s")
  void npyAndNpz(byte[] data) throws Exception {
    if (data.length == 0) {
      return;
    }
    byte[] rest = Arrays.copyOfRange(data, 1, data.length);
    if ((data[0] & 1) == 0) {
      FuzzChecks.expectZerogErrorsOnly(() -> roundTrip(Npy.fromBytes(rest, "fuzz.npy")));
    } else {
      Files.write(NPZ, rest);
      FuzzChecks.expectZerogErrorsOnly(() -> {
        Map<String, Tensor> tensors = Npy.readNpz(NPZ);
        tensors.values().forEach(NpyFuzzTest::roundTrip);
      });
    }
  }

  private static void roundTrip(Tensor t) {
    Tensor back = Npy.fromBytes(Npy.toBytes(t), "round-trip.npy");
    if (!back.contentEquals(t)) {
      throw new AssertionError("a .npy round trip changed " + t);
    }
  }
}
