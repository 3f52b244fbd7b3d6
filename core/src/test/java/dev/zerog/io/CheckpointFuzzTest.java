package dev.zerog.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.zerog.testing.FuzzChecks;
import java.io.ByteArrayInputStream;

/**
 * Fuzz target for reading checkpoint files ({@link CheckpointFormat}): hostile bytes give the tensors or a
 * {@link dev.zerog.ZerogException}, never another exception. See docs/fuzzing.md.
 */
class CheckpointFuzzTest {
  @FuzzTest(maxDuration = "10s")
  void read(byte[] data) throws Exception {
    FuzzChecks.expectZerogErrorsOnly(() ->
        CheckpointFormat.read(new ByteArrayInputStream(data), data.length, name -> true, data.length % 2 == 0));
  }
}
