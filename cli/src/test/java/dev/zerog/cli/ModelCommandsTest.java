package dev.zerog.cli;

import static dev.zerog.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zerog.cli.CliTest.Result;
import dev.zerog.net.NetDefs;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** zerog shapes, init-net, train-net, freeze and check, on the small CNN test net of the core module. */
class ModelCommandsTest {
  @TempDir Path tmp;

  /** core/src/test/resources/train/NAME: a predict net with the zoo's patterns, and its weight shapes. */
  private static String fixture(String name) {
    return CliTest.examples().getParent().resolve("core/src/test/resources/train").resolve(name).toString();
  }

  private static String net() {
    return fixture("small_cnn.pbtxt");
  }

  private static String shapes() {
    return fixture("small_cnn.shapes.json");
  }

  private Path initNet() {
    Path init = tmp.resolve("init.pbtxt");
    Result r = run("init-net", net(), "--shapes", shapes(), "-o", init.toString());
    assertThat(r.code()).as(r.err()).isZero();
    return init;
  }

  @Test
  void initNetWritesOneFillerPerParameterAndNamesWhatIsLeftToFeed() throws Exception {
    Path init = initNet();
    NetDef def = NetDefs.read(init);
    assertThat(def.getOpList()).extracting(OperatorDef::getType).startsWith("MSRAFill", "ConstantFill")
        .contains("XavierFill").hasSize(12);
    Result again = run("init-net", net(), "--shapes", shapes(), "-o", tmp.resolve("again.pbtxt").toString());
    assertThat(again.out()).contains("12 parameters").contains("the net also reads, to be fed: data");
    assertThat(Files.readString(tmp.resolve("again.pbtxt"))).isEqualTo(Files.readString(init));
    Result seeded = run("init-net", net(), "--shapes", shapes(), "--seed", "9", "-o",
        tmp.resolve("seeded.pbtxt").toString());
    assertThat(seeded.code()).isZero();
    assertThat(Files.readString(tmp.resolve("seeded.pbtxt"))).contains("random_seed: 9")
        .isNotEqualTo(Files.readString(init));
  }

  @Test
  void initNetNamesTheBadParameter() throws Exception {
    Path bad = tmp.resolve("bad.shapes.json");
    Files.writeString(bad, "{\"parameters\": {\"conv1_w\": [4, 3, 3, 3], \"nowhere\": [1]}}");
    Result r = run("init-net", net(), "--shapes", bad.toString(), "-o", tmp.resolve("i.pbtxt").toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("error: " + net() + ": blob 'nowhere': the shapes give parameter "
        + "'nowhere', which no op of the net reads");
    Files.writeString(bad, "{\"parameters\": {\"conv1_w\": [4, 3, 3, 3],}}");
    Result syntax = run("init-net", net(), "--shapes", bad.toString(), "-o", tmp.resolve("i.pbtxt").toString());
    assertThat(syntax.err()).startsWith("error: " + bad + ":1:").contains("bad JSON");
  }

  @Test
  void shapesPrintsEveryBlobWithItsOrigin() {
    Path init = initNet();
    Result r = run("shapes", net(), "--shape", "data=2,3,8,8", "--init", init.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out().lines()).anyMatch(l -> l.matches("data +FLOAT \\[2, 3, 8, 8] +input"))
        .anyMatch(l -> l.matches("conv1_w +FLOAT \\[4, 3, 3, 3] +init"))
        .anyMatch(l -> l.matches("pool1 +FLOAT \\[2, 4, 4, 4] +op #5 \\(MaxPool\\)"))
        .anyMatch(l -> l.matches("prob +FLOAT \\[2, 5] +op #10 \\(Softmax\\)"));
    assertThat(r.out()).doesNotContain("note:");
  }

  @Test
  void shapesFromAWeightShapeFile() {
    Result r = run("shapes", net(), "--shape", "data=2,3,8,8", "--shapes", shapes());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out().lines()).anyMatch(l -> l.matches("conv1_w +FLOAT \\[4, 3, 3, 3] +input"))
        .anyMatch(l -> l.matches("prob +FLOAT \\[2, 5] +op #10 \\(Softmax\\)"));
  }

  @Test
  void shapesJson() {
    Path init = initNet();
    Result r = run("shapes", net(), "--shape", "data=float:2,3,8,8", "--shape", "unused=int32:", "--init",
        init.toString(), "--json");
    assertThat(r.code()).as(r.err()).isZero();
    String json = r.out();
    assertThat(json).contains("\"prob\": {\n      \"dtype\": \"FLOAT\",\n      \"dims\": [\n        2,\n        5\n"
        + "      ],\n      \"from\": \"op #10 (Softmax)\"\n    }");
    assertThat(json).contains("\"uninferred\": []").contains("\"unknown_inputs\": []")
        .contains("\"unused_inputs\": [\n    \"unused\"\n  ]");
  }

  @Test
  void shapesNotesWhatItCannotKnow() {
    Result r = run("shapes", net(), "--shape", "data=2,3,8,8", "--shape", "dta=1");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("conv1  ").contains("FLOAT [?]")
        .contains("note: 12 blob(s) read by the net have no known shape (give them with --shape, or write them in "
            + "the init net): conv1_w, conv1_b, ")
        .contains("note: the net reads no blob named dta (given with --shape)");
  }

  @Test
  void shapesNamesTheFirstOpThatDoesNotFit() {
    Path init = initNet();
    Result r = run("shapes", net(), "--shape", "data=2,5,8,8", "--init", init.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("error: " + net() + ": op #0 (Conv): ");
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  @Test
  void shapesUsageErrors() {
    Result bad = run("shapes", net(), "--shape", "data=2,x");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).startsWith("error: bad --shape 'data=2,x': 'x' is not a dimension");
    assertThat(run("shapes", net(), "--shape", "data=complex:2").err()).contains("unknown type 'complex'");
    assertThat(run("shapes", net(), "--shape", "=2").code()).isEqualTo(2);
    assertThat(run("shapes", net(), "--shape", "data=-1").err()).contains("cannot be negative");
    assertThat(run("shapes", net(), "--shape", "d=1", "--shape", "d=2").err()).contains("given twice");
  }

  @Test
  void trainNetWritesATrainNetThatGradDifferentiates() throws Exception {
    Path train = tmp.resolve("train.pbtxt");
    Result r = run("train-net", net(), "-o", train.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("11 ops -> 11 ops; label 'label', loss 'loss', probabilities 'prob'")
        .contains("renamed fc1 -> fc1_dropout");
    Result g = run("grad", train.toString(), "--loss", "loss", "-o", tmp.resolve("step.pbtxt").toString());
    assertThat(g.code()).as(g.err()).isZero();
    Result grad = run("grad", net(), "--loss", "prob", "-o", tmp.resolve("no.pbtxt").toString());
    assertThat(grad.code()).isEqualTo(1);
    assertThat(grad.err()).contains("at version 1, but currently we have version 2");
  }

  @Test
  void trainNetWithTheTrunkFrozen() throws Exception {
    Path init = initNet();
    Path train = tmp.resolve("train.pbtxt");
    Result r = run("train-net", net(), "--freeze-at", "pool1", "--init", init.toString(), "-o", train.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("frozen at pool1: StopGradient at op #6, ZeroGradient on 6 parameters (conv1_w, "
        + "conv1_b, bn1_scale, bn1_bias, bn1_w, bn1_b)");
    NetDef def = NetDefs.read(train);
    assertThat(def.getOp(6).getType()).isEqualTo("StopGradient");
    // Without an init net, data and label are not parameters.
    Result noInit = run("train-net", net(), "--freeze-at", "pool1", "--not-param", "data", "-o",
        tmp.resolve("t2.pbtxt").toString());
    assertThat(noInit.out()).contains("ZeroGradient on 6 parameters");
  }

  @Test
  void freezeANet() throws Exception {
    Path frozen = tmp.resolve("frozen.pbtxt");
    Result r = run("freeze", net(), "--freeze-at", "fc2", "--not-param", "data", "-o", frozen.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("frozen at fc2: StopGradient at op #10, ZeroGradient on 12 parameters (conv1_w, "
        + "conv1_b, bn1_scale, ... 7 more ..., fc2_w, fc2_b) -> " + frozen);
    Result nowhere = run("freeze", net(), "--freeze-at", "nope", "-o", frozen.toString());
    assertThat(nowhere.code()).isEqualTo(1);
    assertThat(nowhere.err().strip()).isEqualTo("error: " + net() + ": blob 'nope': the net has no blob named "
        + "'nope' to cut at");
  }

  @Test
  void checkRunsEveryStage() {
    Result r = run("check", net(), "--shapes", shapes(), "--shape", "data=2,3,8,8", "--freeze-at", "pool1",
        "--runs", "2");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out().lines().map(l -> l.split(" ")[0])).containsExactly("load", "shapes", "init", "forward",
        "backward", "frozen", "total");
    assertThat(r.out()).contains("prob FLOAT [2, 5]").contains("(fastest of 2)")
        .contains("10 of 10 parameters have a finite gradient; renamed bn1 -> bn1_add, fc1 -> fc1_dropout")
        .contains("cut at pool1: 6 parameters frozen (zero gradients), 4 trained");
  }

  @Test
  void checkFailsOnAMissingInput() {
    Result r = run("check", net(), "--shapes", shapes());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("error: " + net() + ": blob 'data': the net reads 'data', which "
        + shapes() + " does not give: name its shape with --shape");
    assertThat(run("check", net(), "--shapes", shapes(), "--shape", "data=2,3,8,8", "--runs", "0").code())
        .isEqualTo(2);
  }
}
