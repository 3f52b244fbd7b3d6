package dev.zerog.net;

import static dev.zerog.testing.OpDefs.f;
import static dev.zerog.testing.OpDefs.floats;
import static dev.zerog.testing.OpDefs.i;
import static dev.zerog.testing.OpDefs.ints;
import static dev.zerog.testing.OpDefs.net;
import static dev.zerog.testing.OpDefs.op;
import static dev.zerog.testing.OpDefs.s;
import static dev.zerog.testing.OpDefs.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerog.SchemaException;
import dev.zerog.UnsupportedOperatorException;
import dev.zerog.ZerogException;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arity;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.op.OperatorSchema;
import dev.zerog.proto.Caffe2.DeviceOption;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class NetTest {
  private static final List<DeviceOption> DEVICES_SEEN = new ArrayList<>();

  private static OperatorDefinition define(OperatorSchema schema, Consumer<Operator> body) {
    return OperatorDefinition.builder(schema).cpu((OperatorInit init) -> {
      DEVICES_SEEN.add(init.device());
      return new Operator(init) {
        @Override
        public void run() {
          body.accept(this);
        }
      };
    }).noGradient().build();
  }

  /** Increment: Y[0] += 1 on a FLOAT [1] Y, created as zero. */
  private static final class Increment extends Operator {
    Increment(OperatorInit init) {
      super(init);
    }

    @Override
    public void run() {
      Tensor y = output(0);
      y.resize(DataType.FLOAT, 1);
      y.floats()[0] += 1;
    }
  }

  // The tests also use the standard Copy (Y = X; in place not allowed).
  private static final OperatorRegistry REGISTRY = OperatorRegistry.standard().toBuilder()
      .add(OperatorDefinition.builder(OperatorSchema.builder("Increment").outputs(1).build())
          .cpu(Increment::new).noGradient().build())
      .add(define(OperatorSchema.builder("InPlaceOnly").inputs(1).outputs(1).enforceInPlace(0, 0).build(), o -> {}))
      .add(define(OperatorSchema.builder("Pairwise").inputs(Arity.range(1, 2)).outputs(Arity.oneOf(1, 2))
          .allowOneToOneInPlace().build(), o -> {}))
      .add(define(OperatorSchema.builder("Sink").inputs(Arity.atLeast(1)).build(), o -> {}))
      .add(define(OperatorSchema.builder("Typed").outputs(Arity.range(0, 1))
          .arg("alpha", ArgType.FLOAT, "a float")
          .arg("n", ArgType.INT, "an integer")
          .arg("value", ArgType.NUMBER, "a number")
          .arg("name", ArgType.STRING, "a string")
          .arg("scales", ArgType.FLOATS, "floats")
          .arg("dims", ArgType.INTS, "ints")
          .arg("tags", ArgType.STRINGS, "strings")
          .build(), o -> {}))
      .build();

  private static Net create(Workspace ws, OperatorDef... ops) {
    return Net.create(net(ops), ws, REGISTRY);
  }

  private static Workspace withX() {
    Workspace ws = new Workspace();
    ws.feed("X", Tensor.of(new float[] {1, 2, 3}));
    return ws;
  }

  /** Asserts an error of {@code type} located at op {@code index} of type {@code opType}. */
  private static <T extends ZerogException> void assertOpError(ThrowingCallable call, Class<T> type, int index,
      String opType, String blob, String... phrases) {
    var a = assertThatThrownBy(call).isInstanceOfSatisfying(type, e -> {
      assertThat(e.opIndex()).as("op index").isEqualTo(index);
      assertThat(e.opType()).as("op type").isEqualTo(opType);
      assertThat(e.blob()).as("blob").isEqualTo(blob);
    });
    a.hasMessageStartingWith("op #" + index + " (" + opType + ")");
    for (String p : phrases) {
      a.hasMessageContaining(p);
    }
  }

  @Test
  void aValidNetRunsInOrder() {
    Workspace ws = withX();
    Net n = create(ws, op("Copy", List.of("X"), List.of("A")), op("Copy", List.of("A"), List.of("B")));
    n.run();
    assertThat(ws.fetch("B").floats()).containsExactly(1, 2, 3);
    assertThat(n.size()).isEqualTo(2);
    assertThat(n.types()).containsExactly("Copy", "Copy");
    assertThat(n.operators()).extracting(Operator::index).containsExactly(0, 1);
    assertThat(n.def().getOpCount()).isEqualTo(2);
  }

  @Test
  void aNetRunsManyTimes() {
    Workspace ws = new Workspace();
    Net n = create(ws, op("Increment", List.of(), List.of("count")));
    for (int k = 0; k < 5; k++) {
      n.run();
    }
    assertThat(ws.fetch("count").floats()).containsExactly(5);
  }

  @Test
  void creationCreatesTheOutputBlobsEmpty() {
    Workspace ws = withX();
    create(ws, op("Copy", List.of("X"), List.of("Y")));
    assertThat(ws.hasBlob("Y")).isTrue();
    assertThat(ws.getBlob("Y").isEmpty()).isTrue();
  }

  @Test
  void wrongInputCount() {
    assertOpError(() -> create(withX(), op("Copy", List.of("X"), List.of("A")),
        op("Copy", List.of("X", "X"), List.of("Y"))), SchemaException.class, 1, "Copy", null,
        "takes 1 input, got 2");
    assertOpError(() -> create(withX(), op("Sink", List.of(), List.of())), SchemaException.class, 0, "Sink", null,
        "takes 1-* inputs, got 0");
    assertOpError(() -> create(withX(), op("Pairwise", List.of("X", "X", "X"), List.of("Y"))),
        SchemaException.class, 0, "Pairwise", null, "takes 1-2 inputs, got 3");
  }

  @Test
  void wrongOutputCount() {
    assertOpError(() -> create(withX(), op("Copy", List.of("X"), List.of())), SchemaException.class, 0, "Copy",
        null, "takes 1 output, got 0");
    assertOpError(() -> create(withX(), op("Pairwise", List.of("X"), List.of("A", "B", "C"))),
        SchemaException.class, 0, "Pairwise", null, "takes 1,2 outputs, got 3");
    assertOpError(() -> create(withX(), op("Sink", List.of("X"), List.of("Y"))), SchemaException.class, 0, "Sink",
        null, "takes 0 outputs, got 1");
  }

  @Test
  void aForbiddenInPlacePairIsAnError() {
    assertOpError(() -> create(withX(), op("Copy", List.of("X"), List.of("X"))), SchemaException.class, 0, "Copy",
        "X", "input 0 and output 0 are the same blob");
    // One-to-one in place allows (0, 0) and (1, 1) but not (0, 1).
    Workspace ws = withX();
    ws.feed("Z", Tensor.scalar(0));
    create(ws, op("Pairwise", List.of("X", "Z"), List.of("X", "Z")));
    assertOpError(() -> create(ws, op("Pairwise", List.of("X", "Z"), List.of("A", "X"))), SchemaException.class,
        0, "Pairwise", "X", "input 0 and output 1");
  }

  @Test
  void twoOutputsOfOneOpCannotShareABlob() {
    // Found by fuzzing: FCGradient writing dW and db to one blob resized dW's memory under its own GEMM.
    Workspace ws = withX();
    ws.feed("Z", Tensor.scalar(0));
    assertOpError(() -> create(ws, op("Pairwise", List.of("X", "Z"), List.of("A", "A"))), SchemaException.class,
        0, "Pairwise", "A", "outputs 0 and 1 are the same blob; each output of an op needs a blob of its own");
  }

  @Test
  void anAllowedInPlacePairIsFine() {
    Workspace ws = withX();
    create(ws, op("ConstantFill", List.of("X"), List.of("X"), f("value", 4))).run();
    assertThat(ws.fetch("X").floats()).containsExactly(4, 4, 4);
  }

  @Test
  void anEnforcedInPlacePairMustBeTheSameBlob() {
    assertOpError(() -> create(withX(), op("InPlaceOnly", List.of("X"), List.of("Y"))), SchemaException.class, 0,
        "InPlaceOnly", null, "must run in place", "'X'", "'Y'");
    create(withX(), op("InPlaceOnly", List.of("X"), List.of("X")));
  }

  @Test
  void anInputThatNothingProvidesIsAnError() {
    assertOpError(() -> create(withX(), op("Copy", List.of("X"), List.of("A")),
        op("Copy", List.of("missing"), List.of("B"))), SchemaException.class, 1, "Copy", "missing",
        "does not exist in the workspace");
  }

  @Test
  void anInputProducedByAnEarlierOpIsFine() {
    Workspace ws = new Workspace();
    Net n = create(ws, op("ConstantFill", List.of(), List.of("A"), ints("shape", 2), f("value", 3)),
        op("Copy", List.of("A"), List.of("B")));
    n.run();
    assertThat(ws.fetch("B").floats()).containsExactly(3, 3);
  }

  @Test
  void anInputProducedOnlyByALaterOpIsAnError() {
    assertOpError(() -> create(new Workspace(), op("Copy", List.of("A"), List.of("B")),
        op("ConstantFill", List.of(), List.of("A"))), SchemaException.class, 0, "Copy", "A", "does not exist");
  }

  @Test
  void anOpCannotReadItsOwnOutputAsIfProducedEarlier() {
    assertOpError(() -> create(new Workspace(), op("ConstantFill", List.of("A"), List.of("A"))),
        SchemaException.class, 0, "ConstantFill", "A", "does not exist");
  }

  @Test
  void anEmptyBlobInTheWorkspaceCountsAsExisting() {
    Workspace ws = new Workspace();
    ws.createBlob("E");
    create(ws, op("Sink", List.of("E"), List.of()));
  }

  @Test
  void aFailedCreationLeavesTheWorkspaceAsItWas() {
    Workspace ws = withX();
    ws.createBlob("kept");
    assertThatThrownBy(() -> create(ws, op("Copy", List.of("X"), List.of("A")),
        op("Copy", List.of("A"), List.of("B")), op("Copy", List.of("nowhere"), List.of("C"))))
        .isInstanceOf(SchemaException.class);
    assertThat(ws.blobNames()).containsExactly("X", "kept");
    // And so a second attempt still sees A as missing.
    assertOpError(() -> create(ws, op("Copy", List.of("A"), List.of("D"))), SchemaException.class, 0, "Copy", "A");
  }

  @Test
  void argumentsOfTheWrongTypeAreErrors() {
    Object[][] cases = {
        {i("alpha", 1), "'alpha' must be a float (f), found an integer (i)"},
        {f("n", 1), "'n' must be an integer (i), found a float (f)"},
        {s("value", "1"), "'value' must be a number (f or i), found a string (s)"},
        {i("name", 1), "'name' must be a string (s), found an integer (i)"},
        {ints("scales", 1), "'scales' must be a float list (floats), found an integer list (ints)"},
        {floats("dims", 1), "'dims' must be an integer list (ints), found a float list (floats)"},
        {s("tags", "x"), "'tags' must be a string list (strings), found a string (s)"},
        {i("dims", 2), "'dims' must be an integer list (ints), found an integer (i)"},
    };
    for (Object[] c : cases) {
      assertOpError(() -> create(withX(), op("Copy", List.of("X"), List.of("A")),
          op("Typed", List.of(), List.of(), (dev.zerog.proto.Caffe2.Argument) c[0])), SchemaException.class, 1,
          "Typed", null, (String) c[1]);
    }
  }

  @Test
  void argumentsOfTheRightTypeAndUndeclaredOnesPass() {
    create(new Workspace(), op("Typed", List.of(), List.of(), f("alpha", 1), i("n", 2), i("value", 3),
        s("name", "x"), floats("scales", 1), ints("dims", 1), strings("tags", "a"), f("undeclared", 1)));
    create(new Workspace(), op("Typed", List.of(), List.of(), f("value", 3), dev.zerog.testing.OpDefs.empty("dims")));
  }

  @Test
  void anArgumentGivenTwiceIsAnError() {
    assertOpError(() -> create(new Workspace(), op("Typed", List.of(), List.of(), i("n", 1), i("n", 2))),
        SchemaException.class, 0, "Typed", null, "'n' is given more than once");
  }

  @Test
  void anUnknownOperatorIsNamed() {
    assertOpError(() -> create(withX(), op("Copy", List.of("X"), List.of("A")), op("RoIAlign", List.of("A"),
        List.of("B"))), UnsupportedOperatorException.class, 1, "RoIAlign", null, "unknown operator type 'RoIAlign'");
  }

  @Test
  void allUnknownOperatorsAreNamedInOneError() {
    assertOpError(() -> create(withX(), op("Copy", List.of("X"), List.of("A")), op("RoIAlign", List.of(), List.of()),
        op("ChannelShuffle", List.of(), List.of()), op("RoIAlign", List.of(), List.of()),
        op("Python", List.of(), List.of())),
        UnsupportedOperatorException.class, 1, "RoIAlign", null,
        "3 operator types zerog does not have: RoIAlign, ChannelShuffle, Python (runs code embedded in the net");
  }

  @Test
  void unknownOperatorsAreReportedBeforeAnyOtherError() {
    assertOpError(() -> create(withX(), op("Copy", List.of(), List.of()), op("ChannelShuffle", List.of(), List.of())),
        UnsupportedOperatorException.class, 1, "ChannelShuffle", null, "unknown operator type 'ChannelShuffle'");
  }

  @Test
  void pythonOperatorsAreRefusedBecauseTheyRunCode() {
    for (String type : List.of("Python", "PythonGradient")) {
      assertOpError(() -> create(withX(), op("Copy", List.of("X"), List.of("A")), op(type, List.of(), List.of())),
          UnsupportedOperatorException.class, 1, type, null, "runs code embedded in the net",
          "zerog never runs code from a NetDef");
    }
  }

  @Test
  void theNetsDeviceOptionIsCopiedToOpsWithoutOne() {
    DEVICES_SEEN.clear();
    DeviceOption netDevice = DeviceOption.newBuilder().setDeviceType(0).setDeviceId(3).build();
    DeviceOption own = DeviceOption.newBuilder().setDeviceType(0).setDeviceId(5).build();
    NetDef def = net(op("Sink", List.of("X"), List.of()),
        op("Sink", List.of("X"), List.of()).toBuilder().setDeviceOption(own).build()).toBuilder()
        .setDeviceOption(netDevice).build();
    Net n = Net.create(def, withX(), REGISTRY);
    assertThat(DEVICES_SEEN).containsExactly(netDevice, own);
    assertThat(n.operators().get(0).def().getDeviceOption()).isEqualTo(netDevice);
    assertThat(n.operators().get(1).def().getDeviceOption()).isEqualTo(own);
    assertThat(n.def()).isSameAs(def);
  }

  @Test
  void aNetOnADeviceZerogLacksIsRefusedAtItsFirstOp() {
    NetDef def = net(op("Sink", List.of("X"), List.of())).toBuilder()
        .setDeviceOption(DeviceOption.newBuilder().setDeviceType(1)).build();
    assertOpError(() -> Net.create(def, withX(), REGISTRY), UnsupportedOperatorException.class, 0, "Sink", null,
        "no kernel for CUDA");
  }

  @Test
  void runErrorsNameTheOpAndTheBlob() {
    Workspace ws = new Workspace();
    ws.createBlob("E");
    Net n = create(ws, op("Increment", List.of(), List.of("c")), op("Copy", List.of("E"), List.of("Y")));
    assertOpError(n::run, SchemaException.class, 1, "Copy", "E", "blob is empty");
  }

  @Test
  void internalFailuresWhileRunningBecomeZerogErrorsNamingTheOp() {
    OperatorRegistry registry = REGISTRY.toBuilder().add(define(OperatorSchema.builder("Broken").build(), o -> {
      throw new ArithmeticException("boom");
    })).build();
    Net n = Net.create(net(op("Broken", List.of(), List.of())), new Workspace(), registry);
    assertThatThrownBy(n::run)
        .isInstanceOfSatisfying(ZerogException.class, e -> assertThat(e.opIndex()).isZero())
        .hasMessageContaining("internal error")
        .hasMessageContaining("boom")
        .hasCauseInstanceOf(ArithmeticException.class);
  }

  @Test
  void runOnceHelpers() {
    Workspace ws = new Workspace();
    Net.runOnce(net(op("ConstantFill", List.of(), List.of("A"), ints("shape", 2), f("value", 1))), ws);
    assertThat(ws.fetch("A").floats()).containsExactly(1, 1);
    Net.runOperatorOnce(op("StopGradient", List.of("A"), List.of("B")), ws);
    assertThat(ws.fetch("B").floats()).containsExactly(1, 1);
  }

  @Test
  void runOperatorOnceErrorsNameTheOpType() {
    assertThatThrownBy(() -> Net.runOperatorOnce(op("StopGradient", List.of("nope"), List.of("B")),
        new Workspace()))
        .isInstanceOfSatisfying(SchemaException.class, e -> {
          assertThat(e.opIndex()).isEqualTo(-1);
          assertThat(e.opType()).isEqualTo("StopGradient");
          assertThat(e.blob()).isEqualTo("nope");
        })
        .hasMessageStartingWith("op (StopGradient): blob 'nope'");
    assertThatThrownBy(() -> Net.runOperatorOnce(op("Nope", List.of(), List.of()), new Workspace()))
        .isInstanceOfSatisfying(UnsupportedOperatorException.class, e -> {
          assertThat(e.opType()).isEqualTo("Nope");
          assertThat(e.opIndex()).isEqualTo(-1);
        })
        .hasMessage("op (Nope): unknown operator type 'Nope'");
  }

  @Test
  void anEmptyNetIsFine() {
    Net n = Net.create(NetDef.getDefaultInstance(), new Workspace());
    n.run();
    assertThat(n.size()).isZero();
  }
}
