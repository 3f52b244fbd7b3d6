package dev.zerog.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerog.io.Npy;
import dev.zerog.tensor.Tensor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
  @TempDir Path tmp;

  /** The repository's examples/ directory, from the cli module's working directory. */
  static Path examples() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path e = p.resolve("examples");
      if (Files.isDirectory(e) && Files.exists(p.resolve("zerog"))) {
        return e;
      }
    }
    throw new IllegalStateException("examples/ not found above " + Path.of("").toAbsolutePath());
  }

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void runsTheExampleAndWritesNpyOutputs() throws Exception {
    Path dir = tmp.resolve("out");
    Result r = run("run", examples().resolve("zero_gradient.pbtxt").toString(), "--out", dir.toString());
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("X_detached: FLOAT [2, 3] {1.0, 1.0").contains("loss: FLOAT [2, 3] {2.0, 2.0");
    Tensor loss = Npy.read(dir.resolve("loss.npy"));
    assertThat(loss.dims()).containsExactly(2, 3);
    assertThat(loss.floats()).containsOnly(2.0f);
  }

  @Test
  void namedOutputWithSlashIsEscapedInTheFileName() throws Exception {
    Path net = tmp.resolve("slash.pbtxt");
    Files.writeString(net, "op { output: \"a/b\" type: \"ConstantFill\" arg { name: \"shape\" ints: 2 } "
        + "arg { name: \"value\" f: 3.0 } }\n");
    Path dir = tmp.resolve("o");
    Result r = run("run", net.toString(), "--fetch", "a/b", "--out", dir.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(Npy.read(dir.resolve("a%2Fb.npy")).floats()).containsExactly(3f, 3f);
  }

  @Test
  void feedsInputsFromNpy() throws Exception {
    Path x = tmp.resolve("x.npy");
    Npy.write(Tensor.of(new float[] {1, 2, 3}), x);
    Path net = tmp.resolve("copy.pbtxt");
    Files.writeString(net, "op { input: \"x\" output: \"y\" type: \"StopGradient\" }\n");
    Result r = run("run", net.toString(), "--input", "x=" + x, "--out", tmp.resolve("o").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(Npy.read(tmp.resolve("o/y.npy")).floats()).containsExactly(1f, 2f, 3f);
  }

  @Test
  void textSyntaxErrorNamesFileLineAndColumn() throws Exception {
    Path net = tmp.resolve("bad.pbtxt");
    Files.writeString(net, "op {\n  type: \"ConstantFill\"\n  output: \n}\n");
    Result r = run("run", net.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("error: " + net + ":4:");
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  @Test
  void unknownOperatorNamesFileOpIndexAndType() throws Exception {
    Path net = tmp.resolve("unknown.pbtxt");
    Files.writeString(net, "op { output: \"a\" type: \"ConstantFill\" arg { name: \"shape\" ints: 1 } }\n"
        + "op { input: \"a\" output: \"b\" type: \"NoSuchOp\" }\n");
    Result r = run("run", net.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip())
        .isEqualTo("error: " + net + ":2:1: op #1 (NoSuchOp): unknown operator type 'NoSuchOp'");
  }

  @Test
  void missingInputBlobNamesTheBlob() throws Exception {
    Path net = tmp.resolve("missing.pbtxt");
    Files.writeString(net, "op { input: \"nowhere\" type: \"ZeroGradient\" }\n");
    Result r = run("run", net.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("error: " + net + ":1:1: op #0 (ZeroGradient): blob 'nowhere': ");
  }

  @Test
  void wrongArityIsAnError() throws Exception {
    Path net = tmp.resolve("arity.pbtxt");
    Files.writeString(net, "op { output: \"a\" type: \"ConstantFill\" arg { name: \"shape\" ints: 1 } }\n"
        + "op { input: \"a\" output: \"b\" type: \"ZeroGradient\" }\n");
    Result r = run("run", net.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("op #1 (ZeroGradient)").contains("outputs");
  }

  @Test
  void missingFileIsOneLineError() {
    Result r = run("run", tmp.resolve("nope.pb").toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("error: ").contains("nope.pb");
    assertThat(r.err()).doesNotContain("\tat ");
  }

  @Test
  void badNpyIsOneLineError() throws Exception {
    Path bad = tmp.resolve("bad.npy");
    Files.write(bad, "not numpy".getBytes(StandardCharsets.UTF_8));
    Path net = tmp.resolve("copy.pbtxt");
    Files.writeString(net, "op { input: \"x\" output: \"y\" type: \"StopGradient\" }\n");
    Result r = run("run", net.toString(), "--input", "x=" + bad);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("error: ").contains("bad.npy");
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  @Test
  void verbosePrintsTheStackTrace() {
    Result r = run("run", "--verbose", tmp.resolve("nope.pb").toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("\tat ");
  }

  @Test
  void usageErrorExitsTwo() {
    Result r = run("run", "--no-such-flag");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("error: ");
  }

  @Test
  void opsJsonListsTheCoreOperators() {
    Result r = run("ops", "--json");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("\"name\": \"ZeroGradient\"").contains("\"inputs\": \"1\"")
        .contains("\"outputs\": \"0\"").contains("\"name\": \"ConstantFill\"").contains("\"inputs\": \"0-1\"")
        .contains("\"gradient\": \"none\"");
    assertThat(r.out().strip()).startsWith("[").endsWith("]");
  }

  @Test
  void operatorReferenceIsCurrent() throws Exception {
    Path doc = examples().getParent().resolve("docs/operators.md");
    Result r = run("ops", "--markdown");
    assertThat(r.code()).isZero();
    assertThat(Files.exists(doc)).as("docs/operators.md exists (regenerate: ./zerog ops --markdown > docs/operators.md)")
        .isTrue();
    assertThat(Files.readString(doc))
        .as("docs/operators.md is current (regenerate: ./zerog ops --markdown > docs/operators.md)")
        .isEqualTo(r.out());
  }

  @Test
  void gradWritesANetThatRunsAndGivesZeroGradients() throws Exception {
    Path train = tmp.resolve("train.pbtxt");
    Path map = tmp.resolve("grads.json");
    Result g = run("grad", examples().resolve("zero_gradient.pbtxt").toString(), "--loss", "loss", "-o",
        train.toString(), "--grad-map", map.toString());
    assertThat(g.code()).as(g.err()).isZero();
    String json = Files.readString(map);
    assertThat(json).contains("\"W\": \"W_grad\"").contains("\"loss\": \"loss_autogen_grad\"")
        .doesNotContain("\"X\":");
    Path dir = tmp.resolve("o");
    Result r = run("run", train.toString(), "--fetch", "W_grad", "--fetch", "X_detached_grad", "--out",
        dir.toString());
    assertThat(r.code()).as(r.err()).isZero();
    Tensor wGrad = Npy.read(dir.resolve("W_grad.npy"));
    assertThat(wGrad.dims()).containsExactly(2, 3);
    assertThat(wGrad.floats()).containsOnly(0f);
    assertThat(Npy.read(dir.resolve("X_detached_grad.npy")).floats()).containsOnly(2f);
  }

  @Test
  void gradWritesBinaryByExtension() throws Exception {
    Path train = tmp.resolve("train.pb");
    Result g = run("grad", examples().resolve("zero_gradient.pbtxt").toString(), "--loss", "loss", "-o",
        train.toString());
    assertThat(g.code()).as(g.err()).isZero();
    byte[] bytes = Files.readAllBytes(train);
    assertThat(dev.zerog.net.NetDefs.parse(bytes, "train.pb", dev.zerog.net.NetDefs.Format.BINARY).getOpList())
        .anyMatch(op -> op.getType().equals("ConstantFill") && op.getOutput(0).equals("W_grad"));
  }

  @Test
  void gradWithUnknownLossIsAnError() throws Exception {
    Result g = run("grad", examples().resolve("zero_gradient.pbtxt").toString(), "--loss", "nope", "-o",
        tmp.resolve("t.pbtxt").toString());
    assertThat(g.code()).isEqualTo(1);
    assertThat(g.err()).startsWith("error: ").contains("nope");
  }

  @Test
  void versionAndHelp() {
    assertThat(run("--version").out()).startsWith("zerog ");
    Result help = run("run", "--help");
    assertThat(help.code()).isZero();
    assertThat(help.out()).contains("Examples:");
  }

  /** A net with every gradient status: W1 masked by an all-zero mask, b2 behind a StopGradient, U zero, W3 real. */
  private Path auditNets() throws Exception {
    Files.writeString(tmp.resolve("net.pbtxt"), String.join("\n",
        "external_input: \"X\"",
        "op { input: \"W1\" input: \"mask1\" output: \"W1m\" type: \"GradientMask\" }",
        "op { input: \"X\" input: \"W1m\" output: \"m1\" type: \"Mul\" }",
        "op { input: \"m1\" output: \"h1\" type: \"Relu\" }",
        "op { input: \"b2\" output: \"b2s\" type: \"StopGradient\" }",
        "op { input: \"h1\" input: \"b2s\" output: \"a2\" type: \"Add\" }",
        "op { input: \"a2\" input: \"W3\" output: \"m3\" type: \"Mul\" }",
        "op { input: \"m3\" output: \"loss\" type: \"SumElements\" }",
        "op { input: \"U\" type: \"ZeroGradient\" }", ""));
    Files.writeString(tmp.resolve("init.pbtxt"), String.join("\n",
        "op { output: \"W1\" type: \"ConstantFill\" arg { name: \"shape\" ints: 4 } arg { name: \"value\" f: 2 } }",
        "op { output: \"mask1\" type: \"ConstantFill\" arg { name: \"shape\" ints: 4 } }",
        "op { output: \"b2\" type: \"ConstantFill\" arg { name: \"shape\" ints: 4 } arg { name: \"value\" f: 1 } }",
        "op { output: \"W3\" type: \"ConstantFill\" arg { name: \"shape\" ints: 4 } arg { name: \"value\" f: 3 } }",
        "op { output: \"U\" type: \"ConstantFill\" arg { name: \"shape\" ints: 2 } arg { name: \"value\" f: 1 } }",
        ""));
    return tmp.resolve("net.pbtxt");
  }

  @Test
  void auditJsonGivesEachParametersStatusCauseAndPath() throws Exception {
    // Removed with X [5, 4]: AddGradient (40 FLOPs; 96 bytes of h1_grad and b2s_grad), ReluGradient (20; 80),
    // the first MulGradient (80; 96) and GradientMaskGradient (4; 16), replaced by a zero fill like W1.
    Path net = auditNets();
    Result r = run("audit", net.toString(), "--loss", "loss", "--init", tmp.resolve("init.pbtxt").toString(),
        "--param", "W?", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("\"W1\"").contains("\"W3\"").doesNotContain("\"U\"").doesNotContain("mask1");
    r = run("audit", net.toString(), "--loss", "loss", "--init", tmp.resolve("init.pbtxt").toString(), "--json",
        "--shape", "X=5,4");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out().strip()).isEqualTo(String.join("\n",
        "{",
        "  \"params\": {",
        "    \"W1\": {",
        "      \"status\": \"zero\",",
        "      \"cause\": \"#0 GradientMask\",",
        "      \"path\": [",
        "        \"W1\"",
        "      ]",
        "    },",
        "    \"mask1\": {",
        "      \"status\": \"none\",",
        "      \"cause\": null,",
        "      \"path\": []",
        "    },",
        "    \"b2\": {",
        "      \"status\": \"none\",",
        "      \"cause\": \"#3 StopGradient\",",
        "      \"path\": [",
        "        \"b2\"",
        "      ]",
        "    },",
        "    \"W3\": {",
        "      \"status\": \"real\",",
        "      \"cause\": null,",
        "      \"path\": []",
        "    },",
        "    \"U\": {",
        "      \"status\": \"zero\",",
        "      \"cause\": \"#7 ZeroGradient\",",
        "      \"path\": [",
        "        \"U\"",
        "      ]",
        "    }",
        "  },",
        "  \"pruned\": {",
        "    \"ops\": 4,",
        "    \"flops\": 144,",
        "    \"bytes\": 288",
        "  }",
        "}"));
  }

  @Test
  void auditTextAndFreeze() throws Exception {
    Path net = auditNets();
    Result r = run("audit", net.toString(), "--loss", "loss", "--init", tmp.resolve("init.pbtxt").toString(),
        "--freeze", "W*");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("W1         frozen").contains("W3         frozen")
        .contains("U          zero    #7 ZeroGradient  (U)").contains("b2         none    #3 StopGradient  (b2)")
        .contains("pruned: ");
    Result bad = run("audit", net.toString(), "--loss", "loss", "--freeze", "conv*");
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.err()).startsWith("error: " + net + ": ").contains("'conv*' matches no parameter");
  }

  @Test
  void auditWithoutInitTakesTheNetsUnproducedInputs() throws Exception {
    Path net = auditNets();
    Result r = run("audit", net.toString(), "--loss", "loss", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("\"W1\"").contains("\"mask1\"").contains("\"X\"").contains("\"U\"");
    Result named = run("audit", net.toString(), "--loss", "loss", "--param", "W?", "--json");
    assertThat(named.out()).contains("\"W1\"").contains("\"W3\"").doesNotContain("\"U\"");
  }

  @Test
  void gradWithFreezeAndPruneWritesANetThatRuns() throws Exception {
    Path net = auditNets();
    Path init = tmp.resolve("init.pbtxt");
    Path full = tmp.resolve("full.pbtxt");
    Path frozen = tmp.resolve("frozen.pbtxt");
    Path pruned = tmp.resolve("pruned.pbtxt");
    assertThat(run("grad", net.toString(), "--loss", "loss", "-o", full.toString()).code()).isZero();
    Result f = run("grad", net.toString(), "--loss", "loss", "--init", init.toString(), "--freeze", "W3", "-o",
        frozen.toString(), "--grad-map", tmp.resolve("map.json").toString());
    assertThat(f.code()).as(f.err()).isZero();
    assertThat(Files.readString(tmp.resolve("map.json"))).doesNotContain("\"W3\"").contains("\"X\"");
    Result p = run("grad", net.toString(), "--loss", "loss", "--init", init.toString(), "--freeze", "W3",
        "--prune", "-o", pruned.toString());
    assertThat(p.code()).as(p.err()).isZero();
    assertThat(p.out()).contains("pruned: ");
    int fullOps = dev.zerog.net.NetDefs.read(full).getOpCount();
    int prunedOps = dev.zerog.net.NetDefs.read(pruned).getOpCount();
    assertThat(prunedOps).isLessThan(dev.zerog.net.NetDefs.read(frozen).getOpCount()).isLessThan(fullOps);
    Path x = tmp.resolve("x.npy");
    Npy.write(Tensor.of(new float[] {1, -2, 3, -4}), x);
    Path dir = tmp.resolve("o");
    Result r = run("run", pruned.toString(), "--init", init.toString(), "--input", "X=" + x, "--fetch", "U_grad",
        "--fetch", "W1_grad", "--out", dir.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(Npy.read(dir.resolve("W1_grad.npy")).floats()).containsExactly(0, 0, 0, 0);
  }
}
