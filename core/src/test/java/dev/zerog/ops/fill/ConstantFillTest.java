package dev.zerog.ops.fill;

import static dev.zerog.testing.OpDefs.empty;
import static dev.zerog.testing.OpDefs.f;
import static dev.zerog.testing.OpDefs.floats;
import static dev.zerog.testing.OpDefs.i;
import static dev.zerog.testing.OpDefs.ints;
import static dev.zerog.testing.OpDefs.net;
import static dev.zerog.testing.OpDefs.op;
import static dev.zerog.testing.OpDefs.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.zerog.ResourceLimitException;
import dev.zerog.SchemaException;
import dev.zerog.ShapeException;
import dev.zerog.ZerogException;
import dev.zerog.grad.GradientKind;
import dev.zerog.net.Net;
import dev.zerog.op.Arguments;
import dev.zerog.op.BlobType;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConstantFillTest {
  /** A ConstantFill with no input, writing Y. */
  private static OperatorDef fill(Argument... args) {
    return op("ConstantFill", List.of(), List.of("Y"), args);
  }

  /** A ConstantFill reading X, writing Y. */
  private static OperatorDef fillFrom(String input, Argument... args) {
    return op("ConstantFill", List.of(input), List.of("Y"), args);
  }

  /** Runs the op (as op #0 of a net) in {@code ws} and returns Y. */
  private static Tensor run(Workspace ws, OperatorDef op) {
    Net.create(net(op), ws).run();
    return ws.fetch(op.getOutput(0));
  }

  private static Tensor run(OperatorDef op) {
    return run(new Workspace(), op);
  }

  /** Asserts that creating (or else running) the op fails with {@code type}, located at op #0 ConstantFill. */
  private static AbstractThrowableAssert<?, ? extends Throwable> fails(Workspace ws, OperatorDef op,
      Class<? extends ZerogException> type) {
    return assertThatThrownBy(() -> run(ws, op))
        .isInstanceOf(type)
        .satisfies(e -> {
          assertThat(((ZerogException) e).opIndex()).isZero();
          assertThat(((ZerogException) e).opType()).isEqualTo("ConstantFill");
        });
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> fails(OperatorDef op,
      Class<? extends ZerogException> type) {
    return fails(new Workspace(), op, type);
  }

  private static Workspace with(String name, Tensor t) {
    Workspace ws = new Workspace();
    ws.feed(name, t);
    return ws;
  }

  // ---- dtype from value ----

  @Test
  void noArgumentsGiveAFloatScalarZero() {
    Tensor y = run(fill());
    assertThat(y.dtype()).isEqualTo(DataType.FLOAT);
    assertThat(y.rank()).isZero();
    assertThat(y.floats()).containsExactly(0f);
    assertThat(Float.floatToRawIntBits(y.floats()[0])).isZero();
  }

  @Test
  void aFloatValueGivesFloat() {
    Tensor y = run(fill(f("value", 2.5f), ints("shape", 2, 3)));
    assertThat(y.dtype()).isEqualTo(DataType.FLOAT);
    assertThat(y.dims()).containsExactly(2, 3);
    assertThat(y.floats()).hasSize(6).containsOnly(2.5f);
  }

  @Test
  void anIntegerValueGivesInt64() {
    Tensor y = run(fill(i("value", 1L << 40), ints("shape", 4)));
    assertThat(y.dtype()).isEqualTo(DataType.INT64);
    assertThat(y.longs()).containsExactly(1L << 40, 1L << 40, 1L << 40, 1L << 40);
  }

  @Test
  void aStringValueWithoutDtypeIsAnError() {
    fails(fill(s("value", "x")), SchemaException.class)
        .hasMessageContaining("'value' must be a float (f) or an integer (i) when 'dtype' is not given")
        .hasMessageContaining("found a string (s)");
  }

  @Test
  void aValueOfAnotherKindIsAnError() {
    fails(fill(floats("value", 1f)), SchemaException.class)
        .hasMessageContaining("'value' must be a single value (f, i or s), found a float list (floats)");
  }

  // ---- explicit dtype ----

  @Test
  void everySupportedDtype() {
    assertThat(run(fill(i("dtype", 1), f("value", 1.5f), ints("shape", 2))).floats()).containsExactly(1.5f, 1.5f);
    assertThat(run(fill(i("dtype", 13), f("value", 0.1f), ints("shape", 2))).doubles())
        .containsExactly(0.1f, 0.1f);
    assertThat(run(fill(i("dtype", 5), i("value", 1), ints("shape", 2))).bools()).containsExactly(true, true);
    assertThat(run(fill(i("dtype", 2), i("value", -7), ints("shape", 2))).ints()).containsExactly(-7, -7);
    assertThat(run(fill(i("dtype", 10), i("value", Long.MIN_VALUE), ints("shape", 1))).longs())
        .containsExactly(Long.MIN_VALUE);
    Tensor u8 = run(fill(i("dtype", 6), i("value", 255), ints("shape", 2)));
    assertThat(u8.dtype()).isEqualTo(DataType.UINT8);
    assertThat(u8.getLong(0)).isEqualTo(255);
    assertThat(u8.getLong(1)).isEqualTo(255);
    Tensor u16 = run(fill(i("dtype", 8), i("value", 65535), ints("shape", 2)));
    assertThat(u16.dtype()).isEqualTo(DataType.UINT16);
    assertThat(u16.getLong(1)).isEqualTo(65535);
    Tensor str = run(fill(i("dtype", 4), s("value", "zé"), ints("shape", 3)));
    assertThat(str.dtype()).isEqualTo(DataType.STRING);
    assertThat(str.strings()).containsExactly("zé", "zé", "zé");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 13, 5, 2, 10, 6, 8, 4})
  void aDtypeWithoutValueFillsItsZero(int code) {
    DataType type = DataType.fromCode(code);
    Tensor y = run(fill(i("dtype", code), ints("shape", 2, 2)));
    assertThat(y.dtype()).isEqualTo(type);
    assertThat(y.dims()).containsExactly(2, 2);
    assertThat(y.isKnownZero()).isTrue();
    assertThat(y.contentEquals(Tensor.allocate(type, 2, 2))).isTrue();
  }

  @Test
  void aZeroFillOfAnySizeHoldsNoMemoryUntilRead() {
    Workspace ws = new Workspace();
    // 256 MiB of FLOAT: a known zero, nothing allocated or written, on every run.
    Net net = Net.create(net(fill(ints("shape", 64, 1 << 20), f("value", 0))), ws);
    for (int k = 0; k < 3; k++) {
      net.run();
      Tensor y = ws.fetch("Y");
      assertThat(y.isKnownZero()).isTrue();
      assertThat(y.materializedBytes()).isZero();
      assertThat(y.dims()).containsExactly(64, 1 << 20);
    }
  }

  @Test
  void aZeroFillReusesMemoryThatIsAlreadyThere() {
    Workspace ws = new Workspace();
    float[] held = {1, 2, 3, 4, 5, 6};
    ws.feed("Y", Tensor.of(held, 2, 3));
    Tensor y = run(ws, fill(ints("shape", 3, 2), f("value", 0)));
    assertThat(y.isKnownZero()).isFalse();
    assertThat(y.floats()).isSameAs(held).containsOnly(0f);
    assertThat(y.dims()).containsExactly(3, 2);
    // Memory of another size is dropped rather than reallocated.
    y = run(ws, fill(ints("shape", 4), f("value", 0)));
    assertThat(y.isKnownZero()).isTrue();
  }

  @Test
  void aZeroFillLikeAKnownZeroInputMaterializesNeither() {
    Workspace ws = with("X", Tensor.zeros(DataType.DOUBLE, 1 << 20));
    Tensor y = run(ws, fillFrom("X", i("dtype", 13)));
    assertThat(y.isKnownZero()).isTrue();
    assertThat(ws.fetch("X").isKnownZero()).isTrue();
    assertThat(y.dims()).containsExactly(1 << 20);
  }

  @Test
  void negativeZeroAndOtherValuesAreWritten() {
    Tensor y = run(fill(ints("shape", 2), f("value", -0.0f)));
    assertThat(y.isKnownZero()).isFalse();
    assertThat(Float.floatToRawIntBits(y.floats()[0])).isEqualTo(Float.floatToRawIntBits(-0.0f));
    assertThat(run(fill(ints("shape", 2), i("value", 1))).isKnownZero()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(longs = {7, 9, 12, 3, 11, 14, 15, 99, -1, 1L << 40})
  void unsupportedDtypesAreErrors(long code) {
    fails(fill(i("dtype", code)), SchemaException.class)
        .hasMessageContaining("does not support 'dtype' " + code)
        .hasMessageContaining("FLOAT (1)")
        .hasMessageContaining("STRING (4)");
  }

  @Test
  void unsupportedDtypesAreNamed() {
    fails(fill(i("dtype", 7)), SchemaException.class).hasMessageContaining("'dtype' 7 (INT8)");
    fails(fill(i("dtype", 9)), SchemaException.class).hasMessageContaining("'dtype' 9 (INT16)");
    fails(fill(i("dtype", 12)), SchemaException.class).hasMessageContaining("'dtype' 12 (FLOAT16)");
    fails(fill(i("dtype", 3)), SchemaException.class).hasMessageContaining("'dtype' 3 (BYTE)");
  }

  @Test
  void anUndefinedDtypeIsAnError() {
    fails(fill(i("dtype", 0)), SchemaException.class).hasMessageContaining("undefined 'dtype' (0)");
  }

  @Test
  void aFloatDtypeArgumentIsAnError() {
    fails(fill(f("dtype", 1)), SchemaException.class)
        .hasMessageContaining("'dtype' must be an integer (i), found a float (f)");
  }

  // ---- values of the wrong kind for the dtype ----

  @Test
  void valuesThatDoNotFitTheDtypeAreErrors() {
    fails(fill(i("dtype", 2), f("value", 1.5f)), SchemaException.class)
        .hasMessageContaining("'value' = 1.5 is not a whole number").hasMessageContaining("INT32");
    fails(fill(i("dtype", 6), i("value", 300)), SchemaException.class)
        .hasMessageContaining("'value' = 300 does not fit the fill type UINT8 (0 to 255)");
    fails(fill(i("dtype", 6), i("value", -1)), SchemaException.class).hasMessageContaining("UINT8");
    fails(fill(i("dtype", 8), i("value", 65536)), SchemaException.class).hasMessageContaining("UINT16");
    fails(fill(i("dtype", 2), i("value", 1L << 31)), SchemaException.class).hasMessageContaining("INT32");
    fails(fill(i("dtype", 2), i("value", -(1L << 31) - 1)), SchemaException.class).hasMessageContaining("INT32");
    fails(fill(i("dtype", 1), s("value", "1")), SchemaException.class)
        .hasMessageContaining("'value' is a string (s), but the fill type is FLOAT");
    fails(fill(i("dtype", 10), s("value", "1")), SchemaException.class).hasMessageContaining("INT64");
    fails(fill(i("dtype", 4), f("value", 1)), SchemaException.class)
        .hasMessageContaining("'value' must be a string (s) for a STRING fill, found a float (f)");
    fails(fill(i("dtype", 4), i("value", 1)), SchemaException.class).hasMessageContaining("STRING");
  }

  @Test
  void floatValuesOutsideTheIntegerRangeAreErrorsNotClamped() {
    fails(fill(i("dtype", 10), f("value", 1e30f)), SchemaException.class).hasMessageContaining("INT64");
    fails(fill(i("dtype", 10), f("value", 0x1p63f)), SchemaException.class).hasMessageContaining("INT64");
    fails(fill(i("dtype", 10), f("value", Float.POSITIVE_INFINITY)), SchemaException.class);
    fails(fill(i("dtype", 2), f("value", Float.NaN)), SchemaException.class);
    fails(fill(i("dtype", 5), f("value", 0.5f)), SchemaException.class).hasMessageContaining("BOOL");
    assertThat(run(fill(i("dtype", 10), f("value", -0x1p63f), ints("shape", 1))).longs())
        .containsExactly(Long.MIN_VALUE);
  }

  @Test
  void integerValuesMustConvertExactlyToFloatingTypes() {
    fails(fill(i("dtype", 1), i("value", (1 << 24) + 1)), SchemaException.class)
        .hasMessageContaining("16777217 cannot be represented exactly in the fill type FLOAT");
    fails(fill(i("dtype", 13), i("value", (1L << 53) + 1)), SchemaException.class)
        .hasMessageContaining("DOUBLE");
    fails(fill(i("dtype", 1), i("value", Long.MAX_VALUE)), SchemaException.class);
    fails(fill(i("dtype", 13), i("value", Long.MAX_VALUE)), SchemaException.class);
    assertThat(run(fill(i("dtype", 1), i("value", 1 << 24), ints("shape", 1))).floats())
        .containsExactly(16777216f);
    assertThat(run(fill(i("dtype", 13), i("value", -(1L << 53)), ints("shape", 1))).doubles())
        .containsExactly(-0x1p53);
    assertThat(run(fill(i("dtype", 1), i("value", Long.MIN_VALUE), ints("shape", 1))).floats())
        .containsExactly(-0x1p63f);
  }

  @Test
  void wholeFloatValuesFillIntegerTypes() {
    assertThat(run(fill(i("dtype", 2), f("value", 3f), ints("shape", 2))).ints()).containsExactly(3, 3);
    assertThat(run(fill(i("dtype", 6), f("value", 255f), ints("shape", 1))).getLong(0)).isEqualTo(255);
    assertThat(run(fill(i("dtype", 5), f("value", 1f), ints("shape", 1))).bools()).containsExactly(true);
    fails(fill(i("dtype", 6), f("value", 256f)), SchemaException.class).hasMessageContaining("UINT8");
  }

  @Test
  void boolTakesAnyIntegerNonzeroBeingTrueAsCaffe2() {
    assertThat(run(fill(i("dtype", 5), i("value", 2), ints("shape", 1))).bools()).containsExactly(true);
    assertThat(run(fill(i("dtype", 5), i("value", -1), ints("shape", 1))).bools()).containsExactly(true);
    assertThat(run(fill(i("dtype", 5), i("value", 0), ints("shape", 1))).bools()).containsExactly(false);
  }

  @Test
  void negativeZeroAndNaNAreKeptBitwise() {
    Tensor y = run(fill(f("value", -0f), ints("shape", 2)));
    assertThat(Float.floatToRawIntBits(y.floats()[1])).isEqualTo(0x80000000);
    assertThat(run(fill(f("value", Float.NaN), ints("shape", 1))).floats()[0]).isNaN();
    assertThat(run(fill(i("dtype", 13), f("value", Float.NEGATIVE_INFINITY), ints("shape", 1))).doubles())
        .containsExactly(Double.NEGATIVE_INFINITY);
  }

  // ---- shape ----

  @Test
  void shapeFromTheShapeArgument() {
    assertThat(run(fill(ints("shape", 2, 3, 4))).dims()).containsExactly(2, 3, 4);
    assertThat(run(fill(ints("shape", 0, 5))).size()).isZero();
    assertThat(run(fill(empty("shape"))).rank()).isZero();
  }

  @Test
  void shapeFromTheInputsShapeWhateverItsType() {
    Tensor y = run(with("X", Tensor.of(new String[] {"a", "b", "c", "d", "e", "f"}, 3, 2)),
        fillFrom("X", i("value", 9)));
    assertThat(y.dtype()).isEqualTo(DataType.INT64);
    assertThat(y.dims()).containsExactly(3, 2);
    assertThat(y.longs()).containsOnly(9L);
    assertThat(run(with("X", Tensor.scalar(4)), fillFrom("X")).rank()).isZero();
    assertThat(run(with("X", Tensor.allocate(DataType.FLOAT, 0, 3)), fillFrom("X")).dims()).containsExactly(0, 3);
  }

  @Test
  void readingTheInputsShapeDoesNotMaterializeIt() {
    Workspace ws = with("X", Tensor.zeros(DataType.DOUBLE, 1000, 1000));
    Tensor y = run(ws, fillFrom("X", f("value", 1)));
    assertThat(y.dims()).containsExactly(1000, 1000);
    assertThat(ws.fetch("X").isKnownZero()).isTrue();
    assertThat(ws.fetch("X").materializedBytes()).isZero();
  }

  @Test
  void extraShapeIsAppendedToTheInputsShape() {
    Tensor y = run(with("X", Tensor.allocate(DataType.FLOAT, 2)), fillFrom("X", ints("extra_shape", 3, 4)));
    assertThat(y.dims()).containsExactly(2, 3, 4);
    assertThat(run(with("X", Tensor.scalar(1)), fillFrom("X", ints("extra_shape", 5))).dims()).containsExactly(5);
  }

  @Test
  void inputAsShapeReadsTheInputsValues() {
    assertThat(run(with("S", Tensor.of(new long[] {2, 3})), fillFrom("S", i("input_as_shape", 1))).dims())
        .containsExactly(2, 3);
    assertThat(run(with("S", Tensor.of(new int[] {4})), fillFrom("S", i("input_as_shape", 1))).dims())
        .containsExactly(4);
    assertThat(run(with("S", Tensor.of(new long[] {2, 0})), fillFrom("S", i("input_as_shape", 1))).size())
        .isZero();
    Tensor y = run(with("S", Tensor.of(new long[] {2})),
        fillFrom("S", i("input_as_shape", 1), ints("extra_shape", 3), f("value", 7)));
    assertThat(y.dims()).containsExactly(2, 3);
    assertThat(y.floats()).containsOnly(7f);
  }

  @Test
  void inputAsShapeZeroMeansTheInputsShape() {
    assertThat(run(with("S", Tensor.of(new long[] {2, 3})), fillFrom("S", i("input_as_shape", 0))).dims())
        .containsExactly(2);
  }

  @Test
  void inputAsShapeNeedsANonEmpty1dIntegerTensor() {
    fails(with("S", Tensor.of(new long[] {2, 3}, 1, 2)), fillFrom("S", i("input_as_shape", 1)), ShapeException.class)
        .hasMessageContaining("1-D INT64 or INT32").hasMessageContaining("INT64 [1, 2]")
        .satisfies(e -> assertThat(((ZerogException) e).blob()).isEqualTo("S"));
    fails(with("S", Tensor.of(new float[] {2, 3})), fillFrom("S", i("input_as_shape", 1)), ShapeException.class)
        .hasMessageContaining("FLOAT [2]");
    fails(with("S", Tensor.wrap(DataType.INT16, new short[] {2}, 1)), fillFrom("S", i("input_as_shape", 1)),
        ShapeException.class).hasMessageContaining("INT16");
    fails(with("S", Tensor.wrap(DataType.INT64, new long[] {5})), fillFrom("S", i("input_as_shape", 1)),
        ShapeException.class).hasMessageContaining("INT64 []");
    fails(with("S", Tensor.of(new long[0])), fillFrom("S", i("input_as_shape", 1)), ShapeException.class)
        .hasMessageContaining("at least one dim");
    fails(with("S", Tensor.of(new long[] {2, -3})), fillFrom("S", i("input_as_shape", 1)), ShapeException.class)
        .hasMessageContaining("negative dimension -3 at index 1");
  }

  @Test
  void shapeWithAnInputIsAnError() {
    fails(with("X", Tensor.scalar(1)), fillFrom("X", ints("shape", 2)), SchemaException.class)
        .hasMessageContaining("cannot set the 'shape' argument and pass an input at the same time");
  }

  @Test
  void anEmptyShapeWithAnInputIsNotSetAsInCaffe2() {
    assertThat(run(with("X", Tensor.allocate(DataType.FLOAT, 3)), fillFrom("X", empty("shape"))).dims())
        .containsExactly(3);
  }

  @Test
  void extraShapeWithoutAnInputIsAnError() {
    fails(fill(ints("extra_shape", 2)), SchemaException.class)
        .hasMessageContaining("cannot set 'extra_shape' when there is no input");
    assertThat(run(fill(empty("extra_shape"), ints("shape", 2))).dims()).containsExactly(2);
  }

  @Test
  void inputAsShapeWithoutAnInputIsAnError() {
    fails(fill(i("input_as_shape", 1)), SchemaException.class).hasMessageContaining("'input_as_shape' needs an input");
    assertThat(run(fill(i("input_as_shape", 0), ints("shape", 1))).dims()).containsExactly(1);
  }

  @Test
  void aScalarShapeIsAnError() {
    fails(fill(i("shape", 3)), SchemaException.class)
        .hasMessageContaining("'shape'")
        .hasMessageContaining("an integer list (ints)")
        .hasMessageContaining("found an integer (i)");
  }

  @Test
  void negativeDimsAreErrors() {
    fails(fill(ints("shape", 2, -1)), SchemaException.class)
        .hasMessageContaining("'shape' has a negative dimension -1 at axis 1");
    fails(with("X", Tensor.scalar(1)), fillFrom("X", ints("extra_shape", -2)), SchemaException.class)
        .hasMessageContaining("'extra_shape' has a negative dimension -2 at axis 0");
  }

  @Test
  void shapesTooLargeForATensorAreResourceLimitsNamingTheOutput() {
    fails(fill(ints("shape", 1L << 20, 1L << 20)), ResourceLimitException.class)
        .satisfies(e -> assertThat(((ZerogException) e).blob()).isEqualTo("Y"));
    fails(fill(ints("shape", 1L << 62, 4)), ResourceLimitException.class);
    fails(with("X", Tensor.zeros(DataType.FLOAT, 1L << 20)), fillFrom("X", ints("extra_shape", 1L << 20)),
        ResourceLimitException.class);
  }

  // ---- in place and memory reuse ----

  @Test
  void inPlaceIsAllowed() {
    Workspace ws = with("X", Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
    float[] before = ws.fetch("X").floats();
    Net.create(net(op("ConstantFill", List.of("X"), List.of("X"), f("value", 5))), ws).run();
    assertThat(ws.fetch("X").dims()).containsExactly(2, 2);
    assertThat(ws.fetch("X").floats()).isSameAs(before).containsOnly(5f);
  }

  @Test
  void inPlaceWithInputAsShape() {
    Workspace ws = with("S", Tensor.of(new long[] {2, 3}));
    Net.create(net(op("ConstantFill", List.of("S"), List.of("S"), i("input_as_shape", 1), f("value", 1))), ws)
        .run();
    assertThat(ws.fetch("S").dtype()).isEqualTo(DataType.FLOAT);
    assertThat(ws.fetch("S").dims()).containsExactly(2, 3);
  }

  @Test
  void refillingAnOutputOfTheSameTypeAndSizeKeepsItsArray() {
    Workspace ws = new Workspace();
    Net n = Net.create(net(fill(f("value", 2), ints("shape", 3, 4))), ws);
    n.run();
    Tensor y = ws.fetch("Y");
    float[] first = y.floats();
    Arrays.fill(first, -1);
    n.run();
    assertThat(ws.fetch("Y")).isSameAs(y);
    assertThat(y.floats()).isSameAs(first).containsOnly(2f);
  }

  @Test
  void anOutputFedWithTheSameCountKeepsItsArrayEvenWithOtherDims() {
    float[] held = new float[12];
    Workspace ws = with("Y", Tensor.of(held, 12));
    Tensor y = run(ws, fill(f("value", 1), ints("shape", 3, 4)));
    assertThat(y.floats()).isSameAs(held).containsOnly(1f);
    assertThat(y.dims()).containsExactly(3, 4);
  }

  @Test
  void anOutputOfAnotherTypeOrSizeIsReallocated() {
    int[] held = new int[12];
    Workspace ws = with("Y", Tensor.of(held, 12));
    Tensor y = run(ws, fill(f("value", 1), ints("shape", 3, 4)));
    assertThat(y.dtype()).isEqualTo(DataType.FLOAT);
    Workspace ws2 = with("Y", Tensor.of(new float[11]));
    float[] before = ws2.fetch("Y").floats();
    assertThat(run(ws2, fill(f("value", 1), ints("shape", 3, 4))).floats()).isNotSameAs(before).hasSize(12);
  }

  @Test
  void anOutputBlobHoldingSomethingElseGetsATensor() {
    Workspace ws = new Workspace();
    ws.createBlob("Y").set("opaque state");
    assertThat(run(ws, fill(ints("shape", 1))).floats()).containsExactly(0f);
  }

  @Test
  void refillingEveryStepDoesNotAllocate() {
    var threads = ManagementFactory.getThreadMXBean();
    assumeTrue(threads instanceof com.sun.management.ThreadMXBean);
    var counter = (com.sun.management.ThreadMXBean) threads;
    assumeTrue(counter.isThreadAllocatedMemorySupported() && counter.isThreadAllocatedMemoryEnabled());
    Workspace ws = new Workspace();
    Net n = Net.create(net(fill(f("value", 0), ints("shape", 1024, 1024))), ws); // 4 MiB
    for (int k = 0; k < 20; k++) {
      n.run(); // the first run allocates; the rest warm up
    }
    long thread = Thread.currentThread().getId();
    long before = counter.getThreadAllocatedBytes(thread);
    for (int k = 0; k < 10; k++) {
      n.run();
    }
    long allocated = counter.getThreadAllocatedBytes(thread) - before;
    // Ten refills of a 4 MiB tensor; one new array would be 4 MiB. Allow a little for bookkeeping.
    assertThat(allocated).isLessThan(64 * 1024);
  }

  // ---- schema, inference ----

  @Test
  void schema() {
    var def = OperatorRegistry.standard().get("ConstantFill");
    assertThat(def.schema().inputs()).hasToString("0-1");
    assertThat(def.schema().outputs()).hasToString("1");
    assertThat(def.schema().allowsInPlace(0, 0)).isTrue();
    assertThat(def.gradientKind()).isEqualTo(GradientKind.NONE);
    assertThat(def.schema().fullDoc()).contains("value", "dtype", "shape", "extra_shape", "input_as_shape",
        "Differences from Caffe2");
  }

  @Test
  void wrongCounts() {
    Workspace ws = with("X", Tensor.scalar(1));
    fails(ws, op("ConstantFill", List.of("X", "X"), List.of("Y")), SchemaException.class)
        .hasMessageContaining("takes 0-1 inputs, got 2");
    fails(ws, op("ConstantFill", List.of(), List.of()), SchemaException.class)
        .hasMessageContaining("takes 1 output, got 0");
  }

  private static List<BlobType> infer(List<BlobType> in, Argument... args) {
    return ConstantFill.infer(fill(args), Arguments.of(List.of(args)), in);
  }

  @Test
  void inference() {
    assertThat(infer(List.of(), ints("shape", 2, 3))).containsExactly(BlobType.of(DataType.FLOAT, 2, 3));
    assertThat(infer(List.of(), i("value", 1))).containsExactly(BlobType.of(DataType.INT64));
    assertThat(infer(List.of(BlobType.of(DataType.STRING, 4)), ints("extra_shape", 2), i("dtype", 2)))
        .containsExactly(BlobType.of(DataType.INT32, 4, 2));
    assertThat(infer(List.of(BlobType.of(DataType.INT64, 2)), i("input_as_shape", 1)))
        .containsExactly(new BlobType(DataType.FLOAT, null));
    assertThat(infer(List.of(BlobType.UNKNOWN))).containsExactly(new BlobType(DataType.FLOAT, null));
    assertThatThrownBy(() -> infer(List.of(), ints("extra_shape", 1))).isInstanceOf(SchemaException.class);
    assertThatThrownBy(() -> infer(List.of(), i("dtype", 7))).isInstanceOf(SchemaException.class);
  }

  @Property(tries = 200)
  void fillsEveryElementOfTheRequestedShapeWithTheValueBitwise(
      @ForAll @Size(max = 4) List<@LongRange(max = 5) Long> shape, @ForAll float value) {
    long[] dims = shape.stream().mapToLong(Long::longValue).toArray();
    Tensor y = run(fill(f("value", value), ints("shape", dims)));
    assertThat(y.dims()).containsExactly(dims);
    for (float v : y.floats()) {
      assertThat(Float.floatToRawIntBits(v)).isEqualTo(Float.floatToRawIntBits(value));
    }
  }

  @Property(tries = 200)
  void integerFillsTakeExactlyTheValuesThatFit(@ForAll long value, @ForAll @IntRange(max = 3) int which) {
    int[] codes = {2, 6, 8, 10};
    long[][] ranges = {{Integer.MIN_VALUE, Integer.MAX_VALUE}, {0, 255}, {0, 65535}, {Long.MIN_VALUE, Long.MAX_VALUE}};
    OperatorDef op = fill(i("dtype", codes[which]), i("value", value), ints("shape", 1));
    if (value >= ranges[which][0] && value <= ranges[which][1]) {
      assertThat(run(op).getLong(0)).isEqualTo(value);
    } else {
      assertThatThrownBy(() -> run(op)).isInstanceOf(SchemaException.class);
    }
  }
}
