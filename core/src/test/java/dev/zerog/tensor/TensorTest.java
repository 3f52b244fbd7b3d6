package dev.zerog.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerog.ResourceLimitException;
import dev.zerog.ShapeException;
import java.util.EnumSet;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TensorTest {
  /** Each typed accessor and the types it accepts. */
  private static final Map<String, Function<Tensor, Object>> ACCESSORS = Map.of(
      "floats", Tensor::floats, "doubles", Tensor::doubles, "ints", Tensor::ints, "longs", Tensor::longs,
      "bools", Tensor::bools, "bytes", Tensor::bytes, "shorts", Tensor::shorts, "strings", Tensor::strings);

  private static EnumSet<DataType> accepted(String accessor) {
    switch (accessor) {
      case "floats":
        return EnumSet.of(DataType.FLOAT);
      case "doubles":
        return EnumSet.of(DataType.DOUBLE);
      case "ints":
        return EnumSet.of(DataType.INT32);
      case "longs":
        return EnumSet.of(DataType.INT64);
      case "bools":
        return EnumSet.of(DataType.BOOL);
      case "bytes":
        return EnumSet.of(DataType.UINT8, DataType.INT8);
      case "shorts":
        return EnumSet.of(DataType.UINT16, DataType.INT16, DataType.FLOAT16);
      case "strings":
        return EnumSet.of(DataType.STRING);
      default:
        throw new AssertionError(accessor);
    }
  }

  private static Object accessorFor(Tensor t) {
    for (var e : ACCESSORS.entrySet()) {
      if (accepted(e.getKey()).contains(t.dtype())) {
        return e.getValue().apply(t);
      }
    }
    throw new AssertionError(t.dtype());
  }

  @ParameterizedTest
  @EnumSource(DataType.class)
  void allocateGivesZeroedMemory(DataType type) {
    Tensor t = Tensor.allocate(type, 2, 3);
    assertThat(t.dtype()).isEqualTo(type);
    assertThat(t.dims()).containsExactly(2, 3);
    assertThat(t.rank()).isEqualTo(2);
    assertThat(t.size()).isEqualTo(6);
    assertThat(t.isKnownZero()).isFalse();
    assertThat(t.nbytes()).isEqualTo(6L * type.itemSize());
    assertThat(t.materializedBytes()).isEqualTo(t.nbytes());
    assertThat(java.lang.reflect.Array.getLength(t.data())).isEqualTo(6);
    assertThat(t.contentEquals(Tensor.zeros(type, 2, 3))).isTrue();
    if (type != DataType.STRING) {
      for (int i = 0; i < 6; i++) {
        assertThat(t.getDouble(i)).isZero();
      }
    }
  }

  @Test
  void stringTensorsStartWithEmptyStrings() {
    assertThat(Tensor.allocate(DataType.STRING, 3).strings()).containsExactly("", "", "");
  }

  @Test
  void dimsAreCopies() {
    long[] dims = {2, 3};
    Tensor t = Tensor.allocate(DataType.FLOAT, dims);
    dims[0] = 7;
    assertThat(t.dims()).containsExactly(2, 3);
    t.dims()[1] = 9;
    assertThat(t.dims()).containsExactly(2, 3);
    assertThat(t.hasDims(2, 3)).isTrue();
    assertThat(t.hasDims(2)).isFalse();
  }

  @Test
  void scalarsHaveRankZeroAndOneElement() {
    Tensor t = Tensor.allocate(DataType.DOUBLE);
    assertThat(t.rank()).isZero();
    assertThat(t.size()).isEqualTo(1);
    assertThat(t.doubles()).hasSize(1);
    Tensor s = Tensor.scalar(2.5f);
    assertThat(s.rank()).isZero();
    assertThat(s.floats()).containsExactly(2.5f);
    assertThatThrownBy(() -> s.dim(0)).isInstanceOf(ShapeException.class);
  }

  @Test
  void zeroSizeDims() {
    Tensor t = Tensor.allocate(DataType.FLOAT, 2, 0, 3);
    assertThat(t.size()).isZero();
    assertThat(t.floats()).isEmpty();
    assertThat(t.dims()).containsExactly(2, 0, 3);
    assertThat(t.nbytes()).isZero();
    assertThat(Tensor.empty().dims()).containsExactly(0);
    assertThat(Tensor.empty().dtype()).isEqualTo(DataType.FLOAT);
  }

  @Test
  void dimAcceptsNegativeAxes() {
    Tensor t = Tensor.allocate(DataType.FLOAT, 2, 3, 4);
    assertThat(t.dim(0)).isEqualTo(2);
    assertThat(t.dim(-1)).isEqualTo(4);
    assertThat(t.dim(-3)).isEqualTo(2);
    assertThatThrownBy(() -> t.dim(3)).isInstanceOf(ShapeException.class);
    assertThatThrownBy(() -> t.dim(-4)).isInstanceOf(ShapeException.class);
  }

  @ParameterizedTest
  @EnumSource(DataType.class)
  void knownZeroHoldsNoMemoryUntilATypedAccessorIsCalled(DataType type) {
    Tensor t = Tensor.zeros(type, 1000, 10);
    assertThat(t.isKnownZero()).isTrue();
    assertThat(t.materializedBytes()).isZero();
    assertThat(t.nbytes()).isEqualTo(10_000L * type.itemSize());
    assertThat(t.size()).isEqualTo(10_000);
    assertThat(t.describe(4)).contains("known zero");
    assertThat(t.elementString(3)).isEqualTo(Tensor.allocate(type, 1).elementString(0));
    if (type != DataType.STRING) {
      assertThat(t.getDouble(9_999)).isZero();
    }
    assertThat(t.copy().isKnownZero()).isTrue();
    assertThat(t.materializedBytes()).isZero();

    Object data = accessorFor(t);
    assertThat(t.isKnownZero()).isFalse();
    assertThat(t.materializedBytes()).isEqualTo(t.nbytes());
    assertThat(java.lang.reflect.Array.getLength(data)).isEqualTo(10_000);
    assertThat(t.contentEquals(Tensor.allocate(type, 1000, 10))).isTrue();
    assertThat(accessorFor(t)).isSameAs(data);
  }

  @Test
  void dataMaterializesAKnownZero() {
    Tensor t = Tensor.zeros(DataType.INT64, 4);
    assertThat(t.data()).isInstanceOf(long[].class);
    assertThat(t.isKnownZero()).isFalse();
    assertThat(t.materializedBytes()).isEqualTo(32);
  }

  @Test
  void typedAccessorsRejectEveryOtherType() {
    for (var e : ACCESSORS.entrySet()) {
      for (DataType type : DataType.values()) {
        Tensor t = Tensor.zeros(type, 2);
        if (accepted(e.getKey()).contains(type)) {
          assertThat(e.getValue().apply(t)).as(e.getKey() + " on " + type).isNotNull();
        } else {
          assertThatThrownBy(() -> e.getValue().apply(t))
              .as(e.getKey() + " on " + type)
              .isInstanceOf(ShapeException.class)
              .hasMessageContaining(type.toString())
              .hasMessageContaining("[2]");
          assertThat(t.materializedBytes()).as("a refused accessor materializes nothing").isZero();
          assertThat(t.isKnownZero()).isTrue();
        }
      }
    }
  }

  @Test
  void shortsAcceptsItsThreeTypesAndSaysSo() {
    assertThatThrownBy(() -> Tensor.allocate(DataType.FLOAT, 1).shorts())
        .hasMessageContaining("UINT16 or INT16 or FLOAT16");
    assertThatThrownBy(() -> Tensor.allocate(DataType.FLOAT, 1).bytes())
        .hasMessage("expected a UINT8 or INT8 tensor, got FLOAT [1]");
    assertThatThrownBy(() -> Tensor.allocate(DataType.INT32, 1).floats())
        .hasMessage("expected a FLOAT tensor, got INT32 [1]");
  }

  @Test
  void elementReadersConvertEachType() {
    assertThat(Tensor.wrap(DataType.UINT8, new byte[] {(byte) 255}, 1).getDouble(0)).isEqualTo(255);
    assertThat(Tensor.wrap(DataType.UINT8, new byte[] {(byte) 255}, 1).getLong(0)).isEqualTo(255);
    assertThat(Tensor.wrap(DataType.INT8, new byte[] {(byte) 255}, 1).getLong(0)).isEqualTo(-1);
    assertThat(Tensor.wrap(DataType.UINT16, new short[] {(short) 65535}, 1).getLong(0)).isEqualTo(65535);
    assertThat(Tensor.wrap(DataType.INT16, new short[] {(short) 65535}, 1).getDouble(0)).isEqualTo(-1);
    assertThat(Tensor.wrap(DataType.FLOAT16, new short[] {0x3C00}, 1).getDouble(0)).isEqualTo(1.0);
    assertThat(Tensor.of(new boolean[] {true, false}).getLong(0)).isEqualTo(1);
    assertThat(Tensor.of(new boolean[] {true, false}).getDouble(1)).isZero();
    assertThat(Tensor.of(new long[] {Long.MAX_VALUE}).getLong(0)).isEqualTo(Long.MAX_VALUE);
    assertThat(Tensor.of(new int[] {-7}).getDouble(0)).isEqualTo(-7);
    assertThat(Tensor.of(new double[] {0.1}).getDouble(0)).isEqualTo(0.1);
    assertThat(Tensor.of(new float[] {0.1f}).getDouble(0)).isEqualTo(0.1f);
  }

  @Test
  void elementReadersRejectTypesWithoutSuchElementsEvenWhenKnownZero() {
    assertThatThrownBy(() -> Tensor.allocate(DataType.FLOAT, 1).getLong(0)).isInstanceOf(ShapeException.class);
    assertThatThrownBy(() -> Tensor.zeros(DataType.FLOAT, 1).getLong(0)).isInstanceOf(ShapeException.class);
    assertThatThrownBy(() -> Tensor.zeros(DataType.FLOAT16, 1).getLong(0)).isInstanceOf(ShapeException.class);
    assertThatThrownBy(() -> Tensor.zeros(DataType.STRING, 1).getDouble(0)).isInstanceOf(ShapeException.class);
    assertThatThrownBy(() -> Tensor.allocate(DataType.STRING, 1).getDouble(0))
        .isInstanceOf(ShapeException.class);
    assertThatThrownBy(() -> Tensor.allocate(DataType.FLOAT, 2).getDouble(2))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void wrapTakesTheArrayWithoutCopying() {
    float[] values = {1, 2, 3, 4, 5, 6};
    Tensor t = Tensor.wrap(DataType.FLOAT, values, 2, 3);
    assertThat(t.floats()).isSameAs(values);
    Tensor u = Tensor.of(values, 3, 2);
    assertThat(u.floats()).isSameAs(values);
    assertThat(u.dims()).containsExactly(3, 2);
    assertThat(Tensor.of(values).dims()).containsExactly(6);
    String[] strings = {"a", "b"};
    assertThat(Tensor.of(strings).strings()).isSameAs(strings);
    short[] halves = {0x3C00};
    assertThat(Tensor.wrap(DataType.FLOAT16, halves, 1).shorts()).isSameAs(halves);
  }

  @Test
  void wrapChecksStorageTypeAndLength() {
    assertThatThrownBy(() -> Tensor.wrap(DataType.FLOAT, new double[2], 2))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("float[]")
        .hasMessageContaining("double[]");
    assertThatThrownBy(() -> Tensor.wrap(DataType.INT64, new int[2], 2)).isInstanceOf(ShapeException.class);
    assertThatThrownBy(() -> Tensor.wrap(DataType.FLOAT, new float[5], 2, 3))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("6 elements")
        .hasMessageContaining("5");
    assertThatThrownBy(() -> Tensor.wrap(DataType.FLOAT, "not an array", 1)).isInstanceOf(ShapeException.class);
    assertThatThrownBy(() -> Tensor.of(new String[] {"a", null}))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("element 1");
  }

  @Test
  void negativeDimsAreShapeErrors() {
    assertThatThrownBy(() -> Tensor.allocate(DataType.FLOAT, 2, -1)).isInstanceOf(ShapeException.class);
    assertThatThrownBy(() -> Tensor.zeros(DataType.FLOAT, -1)).isInstanceOf(ShapeException.class);
    assertThatThrownBy(() -> Tensor.wrap(DataType.FLOAT, new float[0], -1)).isInstanceOf(ShapeException.class);
    Tensor t = Tensor.allocate(DataType.FLOAT, 2);
    assertThatThrownBy(() -> t.resize(DataType.FLOAT, -2)).isInstanceOf(ShapeException.class);
    assertThatThrownBy(() -> t.reshape(-2)).isInstanceOf(ShapeException.class);
    assertThatThrownBy(() -> t.setKnownZero(DataType.FLOAT, -2)).isInstanceOf(ShapeException.class);
    assertThat(t.dims()).containsExactly(2);
  }

  @Test
  void overflowingShapesAreResourceLimitsBeforeAnyAllocation() {
    long[] overflow = {1L << 40, 1L << 40};
    long[] tooMany = {Shapes.MAX_ELEMENTS + 1};
    for (long[] dims : new long[][] {overflow, tooMany}) {
      assertThatThrownBy(() -> Tensor.allocate(DataType.DOUBLE, dims))
          .isInstanceOf(ResourceLimitException.class)
          .hasNoCause();
      assertThatThrownBy(() -> Tensor.zeros(DataType.FLOAT, dims)).isInstanceOf(ResourceLimitException.class);
      Tensor t = Tensor.allocate(DataType.FLOAT, 2);
      float[] before = t.floats();
      assertThatThrownBy(() -> t.resize(DataType.FLOAT, dims)).isInstanceOf(ResourceLimitException.class);
      assertThat(t.floats()).isSameAs(before);
      assertThat(t.dims()).containsExactly(2);
    }
  }

  @Test
  void anAllocationTheHeapCannotHoldIsAResourceLimitNotAnError() {
    // 1.5e9 doubles are 12 GB, far beyond the test JVM's heap, yet within one Java array. With no caps, the heap
    // itself refuses, and that is a ResourceLimitException too.
    Allocations.Budget previous = Allocations.enter((dtype, dims, bytes, released) -> { });
    try {
      assertThatThrownBy(() -> Tensor.allocate(DataType.DOUBLE, 1_500_000_000L))
          .isInstanceOf(ResourceLimitException.class)
          .hasMessageContaining("heap")
          .hasCauseInstanceOf(OutOfMemoryError.class);
    } finally {
      Allocations.restore(previous);
    }
    // With the default caps (half the heap for one tensor), the cap refuses first, before trying.
    assertThatThrownBy(() -> Tensor.allocate(DataType.DOUBLE, 1_500_000_000L))
        .isInstanceOf(ResourceLimitException.class)
        .hasMessageContaining("needs 12000000000 bytes")
        .hasNoCause();
    Tensor known = Tensor.zeros(DataType.DOUBLE, 1_500_000_000L);
    assertThat(known.nbytes()).isEqualTo(12_000_000_000L);
    assertThatThrownBy(known::doubles).isInstanceOf(ResourceLimitException.class);
    assertThat(known.isKnownZero()).isTrue();
  }

  @Test
  void resizeKeepsTheArrayWhenTypeAndCountAreUnchanged() {
    Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    float[] before = t.floats();
    assertThat(t.resize(DataType.FLOAT, 3, 2)).isSameAs(t);
    assertThat(t.floats()).isSameAs(before).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(t.dims()).containsExactly(3, 2);
    t.resize(DataType.FLOAT, 6);
    assertThat(t.floats()).isSameAs(before);
    t.resize(DataType.FLOAT, 1, 6, 1);
    assertThat(t.floats()).isSameAs(before);
  }

  @Test
  void resizeReallocatesWhenTheCountChanges() {
    Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    float[] before = t.floats();
    t.resize(DataType.FLOAT, 2, 4);
    assertThat(t.floats()).isNotSameAs(before).hasSize(8).containsOnly(0f);
    t.resize(DataType.FLOAT);
    assertThat(t.rank()).isZero();
    assertThat(t.floats()).hasSize(1);
  }

  @Test
  void resizeReallocatesWhenTheTypeChanges() {
    Tensor t = Tensor.of(new int[] {1, 2});
    int[] before = t.ints();
    t.resize(DataType.FLOAT, 2);
    assertThat(t.dtype()).isEqualTo(DataType.FLOAT);
    assertThat(t.floats()).containsExactly(0, 0);
    t.resize(DataType.INT32, 2);
    assertThat(t.ints()).isNotSameAs(before);
  }

  @Test
  void resizeOfAKnownZeroOfUnchangedTypeAndCountStaysKnownZero() {
    Tensor t = Tensor.zeros(DataType.FLOAT, 4);
    t.resize(DataType.FLOAT, 2, 2);
    assertThat(t.isKnownZero()).isTrue();
    assertThat(t.dims()).containsExactly(2, 2);
    t.resize(DataType.FLOAT, 5);
    assertThat(t.isKnownZero()).isFalse();
  }

  @Test
  void reshapeKeepsTheDataAndChecksTheCount() {
    Tensor t = Tensor.of(new long[] {1, 2, 3, 4, 5, 6});
    long[] before = t.longs();
    assertThat(t.reshape(2, 3)).isSameAs(t);
    assertThat(t.longs()).isSameAs(before);
    assertThat(t.dims()).containsExactly(2, 3);
    assertThatThrownBy(() -> t.reshape(4, 2))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("[2, 3]")
        .hasMessageContaining("[4, 2]");
    assertThat(t.dims()).containsExactly(2, 3);
    Tensor one = Tensor.of(new float[] {7});
    one.reshape();
    assertThat(one.rank()).isZero();
    Tensor zero = Tensor.zeros(DataType.FLOAT, 0, 3);
    zero.reshape(3, 0, 5);
    assertThat(zero.dims()).containsExactly(3, 0, 5);
  }

  @Test
  void setKnownZeroDropsTheMemory() {
    Tensor t = Tensor.of(new float[] {1, 2});
    t.setKnownZero(DataType.INT32, 3);
    assertThat(t.isKnownZero()).isTrue();
    assertThat(t.materializedBytes()).isZero();
    assertThat(t.dtype()).isEqualTo(DataType.INT32);
    assertThat(t.ints()).containsExactly(0, 0, 0);
  }

  @Test
  void copyFromMakesAnIndependentExactCopy() {
    Tensor src = Tensor.of(new float[] {1, Float.NaN, -0f}, 3, 1);
    Tensor dst = Tensor.allocate(DataType.INT32, 5);
    assertThat(dst.copyFrom(src)).isSameAs(dst);
    assertThat(dst.contentEquals(src)).isTrue();
    assertThat(dst.dims()).containsExactly(3, 1);
    assertThat(dst.floats()).isNotSameAs(src.floats());
    src.floats()[0] = 42;
    assertThat(dst.floats()[0]).isEqualTo(1);
  }

  @Test
  void copyFromReusesMemoryOfTheSameTypeAndCount() {
    Tensor src = Tensor.of(new double[] {1, 2, 3, 4});
    Tensor dst = Tensor.allocate(DataType.DOUBLE, 2, 2);
    double[] before = dst.doubles();
    dst.copyFrom(src);
    assertThat(dst.doubles()).isSameAs(before).containsExactly(1, 2, 3, 4);
    assertThat(dst.dims()).containsExactly(4);
  }

  @Test
  void copyFromAKnownZeroGivesAKnownZero() {
    Tensor dst = Tensor.of(new float[] {1, 2});
    dst.copyFrom(Tensor.zeros(DataType.FLOAT16, 3, 3));
    assertThat(dst.isKnownZero()).isTrue();
    assertThat(dst.dtype()).isEqualTo(DataType.FLOAT16);
    assertThat(dst.dims()).containsExactly(3, 3);
  }

  @Test
  void copyFromItselfIsANoOp() {
    Tensor t = Tensor.of(new int[] {1, 2});
    int[] before = t.ints();
    t.copyFrom(t);
    assertThat(t.ints()).isSameAs(before).containsExactly(1, 2);
  }

  @ParameterizedTest
  @EnumSource(DataType.class)
  void copyIsIndependent(DataType type) {
    Tensor t = Tensor.allocate(type, 3);
    Tensor c = t.copy();
    assertThat(c).isNotSameAs(t);
    assertThat(c.contentEquals(t)).isTrue();
    assertThat(c.data()).isNotSameAs(t.data());
  }

  @Test
  void copiedStringsAreIndependent() {
    Tensor t = Tensor.of(new String[] {"a", "b"});
    Tensor c = t.copy();
    t.strings()[0] = "z";
    assertThat(c.strings()).containsExactly("a", "b");
  }

  @Test
  void contentEqualsIsBitwiseForFloats() {
    float nanA = Float.intBitsToFloat(0x7fc00000);
    float nanB = Float.intBitsToFloat(0x7fc00001);
    assertThat(Tensor.of(new float[] {nanA}).contentEquals(Tensor.of(new float[] {nanA}))).isTrue();
    assertThat(Tensor.of(new float[] {nanA}).contentEquals(Tensor.of(new float[] {nanB}))).isFalse();
    assertThat(Tensor.of(new float[] {0f}).contentEquals(Tensor.of(new float[] {-0f}))).isFalse();
    double dnanA = Double.longBitsToDouble(0x7ff8000000000000L);
    double dnanB = Double.longBitsToDouble(0x7ff8000000000001L);
    assertThat(Tensor.of(new double[] {dnanA}).contentEquals(Tensor.of(new double[] {dnanA}))).isTrue();
    assertThat(Tensor.of(new double[] {dnanA}).contentEquals(Tensor.of(new double[] {dnanB}))).isFalse();
    assertThat(Tensor.of(new double[] {0d}).contentEquals(Tensor.of(new double[] {-0d}))).isFalse();
  }

  @Test
  void contentEqualsComparesTypeDimsAndElements() {
    Tensor a = Tensor.of(new int[] {1, 2, 3, 4}, 2, 2);
    assertThat(a.contentEquals(a)).isTrue();
    assertThat(a.contentEquals(null)).isFalse();
    assertThat(a.contentEquals(Tensor.of(new int[] {1, 2, 3, 4}, 2, 2))).isTrue();
    assertThat(a.contentEquals(Tensor.of(new int[] {1, 2, 3, 4}, 4))).isFalse();
    assertThat(a.contentEquals(Tensor.of(new int[] {1, 2, 3, 5}, 2, 2))).isFalse();
    assertThat(a.contentEquals(Tensor.of(new long[] {1, 2, 3, 4}, 2, 2))).isFalse();
    assertThat(Tensor.wrap(DataType.UINT8, new byte[] {1}, 1)
        .contentEquals(Tensor.wrap(DataType.INT8, new byte[] {1}, 1))).isFalse();
    assertThat(Tensor.of(new String[] {"x"}).contentEquals(Tensor.of(new String[] {"x"}))).isTrue();
    assertThat(Tensor.of(new String[] {"x"}).contentEquals(Tensor.of(new String[] {"y"}))).isFalse();
  }

  @ParameterizedTest
  @EnumSource(DataType.class)
  void aKnownZeroEqualsMaterializedZerosWithoutMaterializing(DataType type) {
    Tensor known = Tensor.zeros(type, 2, 3);
    Tensor materialized = Tensor.allocate(type, 2, 3);
    assertThat(known.contentEquals(materialized)).isTrue();
    assertThat(materialized.contentEquals(known)).isTrue();
    assertThat(known.contentEquals(Tensor.zeros(type, 2, 3))).isTrue();
    assertThat(known.contentEquals(Tensor.zeros(type, 3, 2))).isFalse();
    assertThat(known.materializedBytes()).isZero();
  }

  @Test
  void aKnownZeroDiffersFromNonZeros() {
    Tensor known = Tensor.zeros(DataType.FLOAT, 3);
    assertThat(known.contentEquals(Tensor.of(new float[] {0, 0, -0f}))).isFalse();
    assertThat(Tensor.of(new float[] {0, 1, 0}).contentEquals(known)).isFalse();
    assertThat(Tensor.zeros(DataType.STRING, 1).contentEquals(Tensor.of(new String[] {" "}))).isFalse();
    assertThat(Tensor.zeros(DataType.BOOL, 1).contentEquals(Tensor.of(new boolean[] {true}))).isFalse();
    assertThat(known.materializedBytes()).isZero();
  }

  @Test
  void describeShowsTypeDimsAndTheFirstElements() {
    assertThat(Tensor.of(new float[] {1, 2, 3}).describe(2)).isEqualTo("FLOAT [3] {1.0, 2.0, ...}");
    assertThat(Tensor.of(new float[] {1, 2}).toString()).isEqualTo("FLOAT [2] {1.0, 2.0}");
    assertThat(Tensor.of(new String[] {"a"}).toString()).isEqualTo("STRING [1] {\"a\"}");
    assertThat(Tensor.of(new boolean[] {true}).toString()).isEqualTo("BOOL [1] {true}");
    assertThat(Tensor.wrap(DataType.UINT8, new byte[] {(byte) 200}, 1).toString()).isEqualTo("UINT8 [1] {200}");
    assertThat(Tensor.zeros(DataType.INT32, 2).toString()).isEqualTo("INT32 [2] (known zero)");
    assertThat(Tensor.scalar(1).toString()).isEqualTo("FLOAT [] {1.0}");
  }

  @Test
  void byteSizes() {
    assertThat(Tensor.allocate(DataType.DOUBLE, 3).nbytes()).isEqualTo(24);
    assertThat(Tensor.allocate(DataType.FLOAT16, 3).nbytes()).isEqualTo(6);
    assertThat(Tensor.allocate(DataType.BOOL, 3).nbytes()).isEqualTo(3);
    assertThat(Tensor.of(new String[] {"ab", "c"}).nbytes()).isEqualTo(6);
  }
}
