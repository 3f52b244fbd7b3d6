package dev.zerog.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The command line on hostile input (src/test/resources/malformed): every case is one {@code error:} line on
 * stderr naming what is wrong, exit code 1, no stack trace, no internal error, and nothing written outside the
 * root.
 */
class CliMalformedInputTest {
  @TempDir static Path tmp;

  static Path corpus(String name) {
    try {
      return Path.of(CliMalformedInputTest.class.getResource("/malformed/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("random_bytes.pb", List.of(), "random_bytes.pb: not a valid binary caffe2.NetDef"),
        Arguments.of("truncated.pbtxt", List.of(), "truncated.pbtxt:5:"),
        Arguments.of("negative_dims.pbtxt", List.of(), "op #0 (ConstantFill): argument 'shape' has a negative"),
        Arguments.of("overflowing_dims.pbtxt", List.of(), "more elements than fit in 64 bits"),
        Arguments.of("huge_fill.pbtxt", List.of(), "has 1000000000000000 elements"),
        Arguments.of("heap_sized_fill.pbtxt", List.of(), "a FLOAT tensor of shape [2147483639] needs"),
        Arguments.of("wrong_arity.pbtxt", List.of(), "op #0 (Relu): Relu takes 1 input, got 2"),
        Arguments.of("unknown_operator.pbtxt", List.of(), "op #0 (NoSuchOperator): unknown operator type"),
        Arguments.of("python_operator.pbtxt", List.of(), "zerog never runs code from a NetDef"),
        Arguments.of("missing_blob.pbtxt", List.of(), "blob 'nowhere': input 0 does not exist"),
        Arguments.of("bad_argument.pbtxt", List.of(), "argument 'shape' must be"),
        Arguments.of("duplicate_field.pbtxt", List.of(), "duplicate_field.pbtxt:2:"),
        Arguments.of("deep_nesting.pbtxt", List.of(), "deep_nesting.pbtxt:"),
        Arguments.of("save_outside.pbtxt", List.of("--root", tmp.toString()), "refused: the path has a '..' element"),
        Arguments.of("save_absolute.pbtxt", List.of("--root", tmp.toString()), "refused: the path is an absolute"),
        Arguments.of("load_missing.pbtxt", List.of("--root", tmp.toString()), "file not found"),
        Arguments.of("not_finite.pbtxt", List.of("--check-finite"), "op #1 (Log): blob 'L': 3 of 3 elements are not"),
        Arguments.of("feed.pbtxt", List.of("--input", "x=" + corpus("bad_header.npy")), "bad_header.npy: bad .npy"),
        Arguments.of("feed.pbtxt", List.of("--input", "x=" + corpus("huge_shape.npy")), "huge_shape.npy:"),
        Arguments.of("huge_fill.pbtxt", List.of("--max-workspace-bytes", "1m"), "has 1000000000000000 elements"),
        Arguments.of("not_finite.pbtxt", List.of("--max-tensor-bytes", "8"), "needs 12 bytes; one tensor may take at"),
        Arguments.of("not_finite.pbtxt", List.of("--out", corpus("README.md").toString()), "README.md: cannot"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void oneErrorLineExitOneNoStackTrace(String file, List<String> options, String expected) {
    List<String> args = new ArrayList<>(List.of("run", corpus(file).toString()));
    args.addAll(options);
    if (!options.contains("--out")) {
      args.addAll(List.of("--out", tmp.resolve("out").toString()));
    }
    CliTest.Result r = CliTest.run(args.toArray(new String[0]));
    assertThat(r.code()).as(r.err()).isEqualTo(1);
    assertThat(r.err().lines()).as(r.err()).hasSize(1);
    assertThat(r.err()).startsWith("error: ").contains(expected).doesNotContain("internal error")
        .doesNotContain("\tat ").doesNotContain("Exception");
    assertThat(Files.exists(Path.of("/tmp/x"))).isFalse();
    assertThat(Files.exists(tmp.getParent().resolve("outside.zgc"))).isFalse();
  }

  @Test
  void saveAndLoadWorkUnderTheRootAndTheGuardPassesFiniteNets() throws Exception {
    Path net = tmp.resolve("save.pbtxt");
    Files.writeString(net, "op { output: \"Y\" type: \"ConstantFill\" arg { name: \"shape\" ints: 2 }"
        + " arg { name: \"value\" f: 2.0 } }\n"
        + "op { input: \"Y\" type: \"Save\" arg { name: \"db\" s: \"ckpt/y.zgc\" }"
        + " arg { name: \"db_type\" s: \"zerog\" } }\n"
        + "op { output: \"Z\" type: \"Load\" arg { name: \"db\" s: \"ckpt/y.zgc\" }"
        + " arg { name: \"db_type\" s: \"zerog\" } arg { name: \"source_blob_names\" strings: \"Y\" } }\n");
    Path root = Files.createDirectories(tmp.resolve("root"));
    CliTest.Result r = CliTest.run("run", net.toString(), "--root", root.toString(), "--check-finite", "--fetch", "Z",
        "--out", tmp.resolve("out2").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("Z: FLOAT [2] {2.0, 2.0}");
    assertThat(Files.exists(root.resolve("ckpt/y.zgc"))).isTrue();
  }

  @Test
  void aKnownZeroLargerThanTheTensorLimitIsNotWritten() throws Exception {
    Path net = tmp.resolve("big_zero.pbtxt");
    Files.writeString(net, "op { output: \"Z\" type: \"ConstantFill\" arg { name: \"shape\" ints: 1000 ints: 1000 }"
        + " arg { name: \"value\" f: 0.0 } }\n");
    Path outDir = tmp.resolve("big_out");
    CliTest.Result r = CliTest.run("run", net.toString(), "--max-tensor-bytes", "1048576", "--out-dir", outDir.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("error: blob 'Z': a known zero of 4000000 bytes: its .npy would be larger than the "
        + "1048576-byte tensor limit (raise it with --max-tensor-bytes)\n");
    assertThat(outDir.resolve("Z.npy")).doesNotExist();
  }

  @Test
  void aBadSizeIsAUsageError() {
    CliTest.Result r = CliTest.run("run", corpus("feed.pbtxt").toString(), "--max-tensor-bytes", "lots");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("'lots' is not a size");
  }
}
