package dev.zerog.ops.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerog.MalformedInputException;
import dev.zerog.SchemaException;
import dev.zerog.ZerogException;
import dev.zerog.ZerogIOException;
import dev.zerog.io.CheckpointBytes;
import dev.zerog.io.Checkpoints;
import dev.zerog.io.FileRoot;
import dev.zerog.net.Net;
import dev.zerog.net.NetDefs;
import dev.zerog.proto.Caffe2.BlobProto;
import dev.zerog.proto.Caffe2.DeviceOption;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.TensorProto;
import dev.zerog.tensor.Tensor;
import dev.zerog.tensor.TensorProtoConversion;
import dev.zerog.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SaveLoadTest {
  @TempDir Path tmp;
  Path root;
  Workspace ws;

  @BeforeEach
  void setUp() throws IOException {
    root = Files.createDirectories(tmp.resolve("root"));
    ws = new Workspace().setFileRoot(FileRoot.of(root));
    ws.feed("gpu_0/W", Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
    ws.feed("gpu_0/b", Tensor.of(new float[] {5, 6}));
  }

  private static NetDef text(String body) {
    return NetDefs.parseText(body, "test.pbtxt");
  }

  private static String save(String db, String extra) {
    return "op { type: \"Save\" input: \"gpu_0/W\" input: \"gpu_0/b\""
        + " arg { name: \"db\" s: \"" + db + "\" } arg { name: \"db_type\" s: \"zerog\" } " + extra + " }";
  }

  private void run(String body) {
    Net.create(text(body), ws).run();
  }

  @Test
  void savesAndLoadsUnderTheirNames() {
    run(save("ckpt/model.zgc", ""));
    assertThat(Checkpoints.read(root.resolve("ckpt/model.zgc")).keySet()).containsExactly("gpu_0/W", "gpu_0/b");
    Workspace other = new Workspace().setFileRoot(FileRoot.of(root));
    Net.create(text("op { type: \"Load\" output: \"gpu_0/b\" output: \"gpu_0/W\""
        + " arg { name: \"db\" s: \"ckpt/model.zgc\" } arg { name: \"db_type\" s: \"zerog\" } }"), other).run();
    assertThat(other.fetch("gpu_0/W").floats()).containsExactly(1, 2, 3, 4);
    assertThat(other.fetch("gpu_0/b").floats()).containsExactly(5, 6);
  }

  @Test
  void stripPrefixAndAddPrefix() {
    run(save("m.zgc", "arg { name: \"strip_prefix\" s: \"_0/\" }"));
    assertThat(Checkpoints.read(root.resolve("m.zgc")).keySet()).containsExactly("W", "b");
    run("op { type: \"Load\" output: \"gpu_1/W\" arg { name: \"db\" s: \"m.zgc\" }"
        + " arg { name: \"db_type\" s: \"zerog\" } arg { name: \"add_prefix\" s: \"gpu_1/\" }"
        + " arg { name: \"allow_incomplete\" i: 1 } }");
    assertThat(ws.fetch("gpu_1/W").floats()).containsExactly(1, 2, 3, 4);
    run("op { type: \"Load\" output: \"B\" arg { name: \"db\" s: \"m.zgc\" }"
        + " arg { name: \"db_type\" s: \"zerog\" } arg { name: \"strip_prefix\" s: \"b\" }"
        + " arg { name: \"add_prefix\" s: \"B\" } arg { name: \"allow_incomplete\" i: 1 } }");
    assertThat(ws.fetch("B").floats()).containsExactly(5, 6);
  }

  @Test
  void blobNameOverridesAndSourceBlobNames() {
    run(save("o.zgc", "arg { name: \"blob_name_overrides\" strings: \"w\" strings: \"bias\" }"));
    assertThat(Checkpoints.read(root.resolve("o.zgc")).keySet()).containsExactly("w", "bias");
    run("op { type: \"Load\" output: \"X\" arg { name: \"db\" s: \"o.zgc\" }"
        + " arg { name: \"db_type\" s: \"zerog\" } arg { name: \"source_blob_names\" strings: \"bias\" } }");
    assertThat(ws.fetch("X").floats()).containsExactly(5, 6);
  }

  @Test
  void loadAllLoadsEveryBlobFromSeveralFiles() {
    Checkpoints.write(Map.of("a", Tensor.scalar(1)), root.resolve("one.zgc"));
    Checkpoints.write(Map.of("c", Tensor.scalar(3)), root.resolve("two.zgc"));
    run("op { type: \"Load\" output: \"a\" arg { name: \"dbs\" strings: \"one.zgc\" strings: \"two.zgc\" }"
        + " arg { name: \"db_type\" s: \"zerog\" } arg { name: \"load_all\" i: 1 } }");
    assertThat(ws.fetch("a").floats()).containsExactly(1);
    assertThat(ws.fetch("c").floats()).containsExactly(3);
  }

  @Test
  void aBlobInTwoFilesIsAnError() {
    Checkpoints.write(Map.of("a", Tensor.scalar(1)), root.resolve("one.zgc"));
    Checkpoints.write(Map.of("a", Tensor.scalar(2)), root.resolve("two.zgc"));
    assertThatThrownBy(() -> run("op { type: \"Load\" output: \"a\""
        + " arg { name: \"dbs\" strings: \"one.zgc\" strings: \"two.zgc\" } arg { name: \"db_type\" s: \"zerog\" } }"))
        .isInstanceOf(SchemaException.class)
        .hasMessageContaining("blob 'a': the blob is stored in both 'one.zgc' and 'two.zgc'");
  }

  @Test
  void aMissingBlobIsAnErrorUnlessIncompleteIsAllowed() {
    run(save("m.zgc", ""));
    String load = "op { type: \"Load\" output: \"gpu_0/W\" output: \"nope\" arg { name: \"db\" s: \"m.zgc\" }"
        + " arg { name: \"db_type\" s: \"zerog\" } %s }";
    assertThatThrownBy(() -> run(String.format(load, "")))
        .isInstanceOf(SchemaException.class)
        .hasMessage("op #0 (Load): expected to load 2 blobs, got 1; not found in m.zgc: nope");
    ws.feed("gpu_0/W", Tensor.scalar(0));
    run(String.format(load, "arg { name: \"allow_incomplete\" i: 1 }"));
    assertThat(ws.fetch("gpu_0/W").floats()).containsExactly(1, 2, 3, 4);
  }

  @Test
  void badArgumentsAreErrorsWhenTheNetIsCreated() {
    String[][] cases = {
        {save("m.zgc", "").replace("\"zerog\"", "\"minidb\""), "db_type \"minidb\" is not supported"},
        {save("m.zgc", "").replace("arg { name: \"db_type\" s: \"zerog\" }", ""), "'db_type' is required"},
        {save("", ""), "'db' is required"},
        {save("m.zgc", "arg { name: \"strip_prefix\" s: \"gpu_0/\" } arg { name: \"blob_name_overrides\""
            + " strings: \"a\" strings: \"b\" }"), "cannot both be given"},
        {save("m.zgc", "arg { name: \"blob_name_overrides\" strings: \"a\" }"), "1 names for 2 inputs"},
        {save("m.zgc", "arg { name: \"blob_name_overrides\" strings: \"a\" strings: \"a\" }"),
            "two inputs would be saved under the name 'a'"},
        {"op { type: \"Load\" output: \"x\" arg { name: \"db_type\" s: \"zerog\" } }", "'db' (or 'dbs') is required"},
        {"op { type: \"Load\" output: \"x\" arg { name: \"db\" s: \"m\" } arg { name: \"db_type\" s: \"zerog\" }"
            + " arg { name: \"load_all\" i: 1 } arg { name: \"source_blob_names\" strings: \"y\" } }",
            "load_all and source_blob_names"},
        {"op { type: \"Load\" input: \"gpu_0/W\" output: \"x\" arg { name: \"db\" s: \"m\" }"
            + " arg { name: \"db_type\" s: \"zerog\" } }", "Load takes 0 inputs, got 1"},
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> Net.create(text(c[0]), ws)).as(c[0])
          .isInstanceOf(ZerogException.class)
          .hasMessageContaining(c[1]);
    }
  }

  @Test
  void pathsLeavingTheRootAreRefusedBeforeAnythingIsWritten() throws IOException {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.createSymbolicLink(root.resolve("link"), outside);
    String[][] cases = {
        {save("../outside/x.zgc", ""), "'..'"},
        {save("/tmp/x", "arg { name: \"absolute_path\" i: 1 }"), "is an absolute path"},
        {save(outside.resolve("x.zgc").toString(), ""), "absolute_path is 0"},
        {save("link/x.zgc", ""), "leads out of the root"},
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> Net.create(text(c[0]), ws)).as(c[0])
          .isInstanceOf(ZerogException.class)
          .hasMessageContaining(c[1]);
    }
    try (var files = Files.list(outside)) {
      assertThat(files).isEmpty();
    }
    assertThat(Files.exists(Path.of("/tmp/x"))).as("nothing written to /tmp/x").isFalse();
    assertThatThrownBy(() -> run("op { type: \"Load\" output: \"x\" arg { name: \"db\" s: \"link/x.zgc\" }"
        + " arg { name: \"db_type\" s: \"zerog\" } }"))
        .isInstanceOf(ZerogIOException.class)
        .hasMessageContaining("leads out of the root");
  }

  @Test
  void theCallerMayAllowPathsOutsideTheRoot() throws IOException {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    ws.setFileRoot(FileRoot.of(root).allowingOutside());
    run(save(outside.resolve("x.zgc").toString(), "arg { name: \"absolute_path\" i: 1 }"));
    run(save("../outside/y.zgc", ""));
    assertThat(Checkpoints.read(outside.resolve("x.zgc"))).hasSize(2);
    assertThat(Checkpoints.read(outside.resolve("y.zgc"))).hasSize(2);
  }

  @Test
  void aCorruptedFileIsAnErrorThatChangesNothing() throws IOException {
    run(save("m.zgc", ""));
    Path f = root.resolve("m.zgc");
    byte[] bytes = Files.readAllBytes(f);
    Files.write(f, java.util.Arrays.copyOf(bytes, bytes.length - 3));
    Workspace other = new Workspace().setFileRoot(FileRoot.of(root));
    other.feed("gpu_0/W", Tensor.scalar(7));
    assertThatThrownBy(() -> Net.create(text("op { type: \"Load\" output: \"gpu_0/W\" output: \"gpu_0/b\""
        + " arg { name: \"db\" s: \"m.zgc\" } arg { name: \"db_type\" s: \"zerog\" } }"), other).run())
        .isInstanceOf(MalformedInputException.class)
        .hasMessageStartingWith(f.toRealPath() + ": op #0 (Load): truncated zerog checkpoint");
    assertThat(other.fetch("gpu_0/W").floats()).containsExactly(7);
  }

  @Test
  void keepDeviceRefusesATensorStoredForAnotherDevice() throws IOException {
    TensorProto cuda = TensorProtoConversion.toProto(Tensor.scalar(1)).toBuilder()
        .setDeviceDetail(DeviceOption.newBuilder().setDeviceType(1)).build();
    Files.write(root.resolve("cuda.zgc"), CheckpointBytes.of(List.of(
        BlobProto.newBuilder().setName("t").setType("Tensor").setTensor(cuda).build())));
    String load = "op { type: \"Load\" output: \"t\" arg { name: \"db\" s: \"cuda.zgc\" }"
        + " arg { name: \"db_type\" s: \"zerog\" } arg { name: \"keep_device\" i: %d } }";
    run(String.format(load, 0));
    assertThat(ws.fetch("t").floats()).containsExactly(1);
    assertThatThrownBy(() -> run(String.format(load, 1)))
        .isInstanceOf(MalformedInputException.class)
        .hasMessageContaining("zerog has only the CPU");
  }
}
