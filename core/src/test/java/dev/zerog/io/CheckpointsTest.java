package dev.zerog.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.zerog.MalformedInputException;
import dev.zerog.ResourceLimitException;
import dev.zerog.ResourceLimits;
import dev.zerog.SchemaException;
import dev.zerog.ZerogException;
import dev.zerog.ZerogIOException;
import dev.zerog.proto.Caffe2.BlobProto;
import dev.zerog.proto.Caffe2.DeviceOption;
import dev.zerog.proto.Caffe2.TensorProto;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.tensor.TensorProtoConversion;
import dev.zerog.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsTest {
  @TempDir Path dir;

  private static Map<String, Tensor> sample() {
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("W", Tensor.of(new float[] {1, -2.5f, Float.NaN, 4, 5, 6}, 2, 3));
    m.put("b", Tensor.of(new double[] {0.25}));
    m.put("iter", Tensor.of(new long[] {42}, new long[0]));
    m.put("mask", Tensor.of(new boolean[] {true, false}));
    m.put("gpu_0/label", Tensor.of(new int[] {-7, 3}));
    m.put("zero", Tensor.zeros(DataType.FLOAT, 4, 0));
    m.put("known", Tensor.zeros(DataType.DOUBLE, 3));
    m.put("words", Tensor.of(new String[] {"a", "ü"}));
    m.put("half", Tensor.wrap(DataType.FLOAT16, new short[] {0x3C00}, 1));
    return m;
  }

  @Test
  void roundTripsEveryType() {
    Path f = dir.resolve("all.zgc");
    Checkpoints.write(sample(), f);
    Map<String, Tensor> back = Checkpoints.read(f);
    assertThat(back.keySet()).containsExactlyElementsOf(sample().keySet());
    sample().forEach((name, t) -> assertThat(back.get(name).contentEquals(t)).as(name).isTrue());
  }

  @Test
  void readsOnlyTheWantedTensorsButVerifiesAll() throws IOException {
    Path f = dir.resolve("all.zgc");
    Checkpoints.write(sample(), f);
    assertThat(Checkpoints.read(f, "b"::equals, false).keySet()).containsExactly("b");
    byte[] bytes = Files.readAllBytes(f);
    bytes[bytes.length - 20] ^= 1; // inside the last record
    Files.write(f, bytes);
    assertThatThrownBy(() -> Checkpoints.read(f, "b"::equals, false)).isInstanceOf(MalformedInputException.class);
  }

  @Test
  void everyTruncationIsAClearError() throws IOException {
    Path f = dir.resolve("t.zgc");
    Checkpoints.write(sample(), f);
    byte[] bytes = Files.readAllBytes(f);
    Path cut = dir.resolve("cut.zgc");
    for (int n = 0; n < bytes.length; n++) {
      Files.write(cut, java.util.Arrays.copyOf(bytes, n));
      Throwable e = catchThrowable(() -> Checkpoints.read(cut));
      assertThat(e).as("truncated to %d bytes", n).isInstanceOf(MalformedInputException.class);
      assertThat(((ZerogException) e).file()).isEqualTo(cut.toString());
    }
  }

  @Test
  void everyFlippedBitIsAClearError() throws IOException {
    Map<String, Tensor> small = Map.of("x", Tensor.of(new float[] {1, 2}));
    Path f = dir.resolve("s.zgc");
    Checkpoints.write(small, f);
    byte[] bytes = Files.readAllBytes(f);
    Path bad = dir.resolve("bad.zgc");
    for (int i = 0; i < bytes.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] copy = bytes.clone();
        copy[i] ^= (byte) (1 << bit);
        Files.write(bad, copy);
        assertThatThrownBy(() -> Checkpoints.read(bad)).as("byte %d bit %d", i, bit)
            .isInstanceOf(MalformedInputException.class)
            .hasMessageStartingWith(bad.toString() + ": ");
      }
    }
  }

  @Test
  void trailingBytesAndOtherFilesAreRefused() throws IOException {
    Path f = dir.resolve("x.zgc");
    Checkpoints.write(Map.of("x", Tensor.scalar(1)), f);
    Files.write(f, new byte[] {0}, java.nio.file.StandardOpenOption.APPEND);
    assertThatThrownBy(() -> Checkpoints.read(f)).hasMessageContaining("bytes after its footer");
    Path text = dir.resolve("net.pbtxt");
    Files.writeString(text, "name: \"not a checkpoint at all\"\n");
    assertThatThrownBy(() -> Checkpoints.read(text)).isInstanceOf(MalformedInputException.class)
        .hasMessageContaining("not a zerog checkpoint");
    assertThatThrownBy(() -> Checkpoints.read(dir.resolve("missing.zgc"))).isInstanceOf(ZerogIOException.class)
        .hasMessageContaining("file not found");
    assertThatThrownBy(() -> Checkpoints.read(dir)).isInstanceOf(ZerogIOException.class);
  }

  @Test
  void anEmptyCheckpointIsValid() {
    Path f = dir.resolve("empty.zgc");
    Checkpoints.write(Map.of(), f);
    assertThat(Checkpoints.read(f)).isEmpty();
  }

  @Test
  void savesNumberedCheckpointsAndFindsTheLatest() {
    Workspace ws = new Workspace();
    assertThat(Checkpoints.latest(dir)).isEmpty();
    assertThat(Checkpoints.latest(dir.resolve("nowhere"))).isEmpty();
    ws.feed("W", Tensor.of(new float[] {1}));
    Path first = Checkpoints.save(ws, List.of("W"), dir);
    assertThat(first.getFileName().toString()).isEqualTo("checkpoint-000000000000.zgc");
    ws.feed("W", Tensor.of(new float[] {2}));
    Path second = Checkpoints.save(ws, List.of("W"), dir);
    assertThat(Checkpoints.step(second)).isEqualTo(1);
    Path hundred = Checkpoints.save(ws, List.of("W"), dir, 100);
    assertThat(Checkpoints.latest(dir)).contains(hundred);

    Workspace fresh = new Workspace();
    assertThat(Checkpoints.load(Checkpoints.latest(dir).orElseThrow(), fresh)).containsExactly("W");
    assertThat(fresh.fetch("W").floats()).containsExactly(2f);
  }

  @Test
  void pruneKeepsTheNewestAndRemovesLeftoverTemporaries() throws IOException {
    Workspace ws = new Workspace();
    ws.feed("W", Tensor.of(new float[] {1}));
    for (int s = 0; s < 5; s++) {
      Checkpoints.save(ws, List.of("W"), dir, s);
    }
    Path stray = Files.writeString(dir.resolve(".checkpoint-000000000005.zgc.1f2e.tmp"), "half");
    List<Path> deleted = Checkpoints.prune(dir, 2);
    assertThat(deleted).hasSize(4).contains(stray);
    assertThat(Checkpoints.latest(dir).map(Checkpoints::step)).contains(4L);
    assertThat(Files.exists(dir.resolve(Checkpoints.fileName(3)))).isTrue();
    assertThat(Files.exists(dir.resolve(Checkpoints.fileName(2)))).isFalse();
  }

  @Test
  void savingAMissingBlobNamesIt() {
    assertThatThrownBy(() -> Checkpoints.save(new Workspace(), List.of("nope"), dir, 0))
        .isInstanceOf(SchemaException.class).hasMessageContaining("blob 'nope'");
    assertThatThrownBy(() -> Checkpoints.save(new Workspace(), List.of(), dir, -1))
        .isInstanceOf(SchemaException.class);
    assertThatThrownBy(() -> Checkpoints.step(dir.resolve("other.zgc"))).isInstanceOf(ZerogIOException.class);
  }

  @Test
  void loadingHonoursTheWorkspaceLimitsAndChangesNothingOnError() {
    Path f = dir.resolve("big.zgc");
    Checkpoints.write(Map.of("a", Tensor.allocate(DataType.FLOAT, 100), "b", Tensor.allocate(DataType.FLOAT, 1000)),
        f);
    Workspace ws = new Workspace(ResourceLimits.of(1000, ResourceLimits.UNLIMITED));
    assertThatThrownBy(() -> Checkpoints.load(f, ws)).isInstanceOf(ResourceLimitException.class)
        .hasMessageContaining("blob 'b'");
    assertThat(ws.blobNames()).isEmpty();
  }

  @Test
  void theDocumentedLayoutIsWhatZerogWrites() throws IOException {
    Tensor t = Tensor.of(new float[] {1, 2});
    Path f = dir.resolve("doc.zgc");
    Checkpoints.write(Map.of("x", t), f);
    BlobProto record = BlobProto.newBuilder().setName("x").setType("Tensor")
        .setTensor(TensorProtoConversion.toProto(t)).build();
    assertThat(Files.readAllBytes(f)).isEqualTo(CheckpointBytes.of(List.of(record)));
  }

  @Test
  void recordsZerogDoesNotWriteAreRefused() throws IOException {
    Path f = dir.resolve("odd.zgc");
    TensorProto cpu = TensorProtoConversion.toProto(Tensor.scalar(1));
    TensorProto cuda = cpu.toBuilder().setDeviceDetail(DeviceOption.newBuilder().setDeviceType(1)).build();
    Files.write(f, CheckpointBytes.of(List.of(BlobProto.newBuilder().setName("t").setType("Tensor")
        .setTensor(cuda).build())));
    assertThat(Checkpoints.read(f).get("t").floats()).containsExactly(1f);
    assertThatThrownBy(() -> Checkpoints.read(f, n -> true, true))
        .isInstanceOf(MalformedInputException.class)
        .hasMessageContaining("blob 't': the tensor is stored for device type 1 and keep_device");
    Files.write(f, CheckpointBytes.of(List.of(BlobProto.newBuilder().setName("q").setType("QTensor").build())));
    assertThatThrownBy(() -> Checkpoints.read(f)).hasMessageContaining("zerog checkpoints hold tensors only");
    BlobProto a = BlobProto.newBuilder().setName("a").setType("Tensor").setTensor(cpu).build();
    Files.write(f, CheckpointBytes.of(List.of(a, a)));
    assertThatThrownBy(() -> Checkpoints.read(f)).hasMessageContaining("two records of the checkpoint");
    Files.write(f, CheckpointBytes.of(List.of(a.toBuilder().clearName().build())));
    assertThatThrownBy(() -> Checkpoints.read(f)).hasMessageContaining("has no blob name");
  }
}
