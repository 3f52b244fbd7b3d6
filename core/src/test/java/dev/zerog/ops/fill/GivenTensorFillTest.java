package dev.zerog.ops.fill;

import static dev.zerog.ops.fill.FillTesting.filler;
import static dev.zerog.ops.fill.FillTesting.run;
import static dev.zerog.ops.fill.FillTesting.with;
import static dev.zerog.testing.OpDefs.floats;
import static dev.zerog.testing.OpDefs.i;
import static dev.zerog.testing.OpDefs.ints;
import static dev.zerog.testing.OpDefs.op;
import static dev.zerog.testing.OpDefs.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerog.SchemaException;
import dev.zerog.ShapeException;
import dev.zerog.grad.GradientKind;
import dev.zerog.net.Net;
import dev.zerog.op.Arguments;
import dev.zerog.op.BlobType;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.List;
import org.junit.jupiter.api.Test;

class GivenTensorFillTest {
  @Test
  void floatValuesInRowMajorOrder() {
    Tensor y = run(filler("GivenTensorFill", floats("values", 1, 2, 3, 4, 5, 6), ints("shape", 2, 3)));
    assertThat(y.dtype()).isEqualTo(DataType.FLOAT);
    assertThat(y.dims()).containsExactly(2, 3);
    assertThat(y.floats()).containsExactly(1, 2, 3, 4, 5, 6);
  }

  @Test
  void dtypeChoosesTheTypeAndTheField() {
    assertThat(run(filler("GivenTensorFill", i("dtype", 13), floats("values", 0.5f), ints("shape", 1))).doubles())
        .containsExactly(0.5);
    assertThat(run(filler("GivenTensorFill", i("dtype", 2), ints("values", -1, 2), ints("shape", 2))).ints())
        .containsExactly(-1, 2);
    assertThat(run(filler("GivenTensorFill", i("dtype", 10), ints("values", 1L << 40), ints("shape", 1))).longs())
        .containsExactly(1L << 40);
    assertThat(run(filler("GivenTensorFill", i("dtype", 5), ints("values", 0, 3), ints("shape", 2))).bools())
        .containsExactly(false, true);
    Tensor u16 = run(filler("GivenTensorFill", i("dtype", 8), ints("values", 65535), ints("shape", 1)));
    assertThat(u16.dtype()).isEqualTo(DataType.UINT16);
    assertThat(u16.getLong(0)).isEqualTo(65535);
    Tensor i16 = run(filler("GivenTensorFill", i("dtype", 9), ints("values", -32768), ints("shape", 1)));
    assertThat(i16.getLong(0)).isEqualTo(-32768);
    assertThat(run(filler("GivenTensorFill", i("dtype", 4), strings("values", "a", "é"), ints("shape", 2)))
        .strings()).containsExactly("a", "é");
  }

  @Test
  void theTypedVariants() {
    assertThat(run(filler("GivenTensorDoubleFill", floats("values", 0.1f, 2), ints("shape", 2))).doubles())
        .containsExactly((double) 0.1f, 2.0);
    assertThat(run(filler("GivenTensorIntFill", ints("values", 7, -7), ints("shape", 2))).ints())
        .containsExactly(7, -7);
    assertThat(run(filler("GivenTensorInt64Fill", ints("values", Long.MAX_VALUE), ints("shape", 1))).longs())
        .containsExactly(Long.MAX_VALUE);
    assertThat(run(filler("GivenTensorBoolFill", ints("values", 1, 0, -5), ints("shape", 3))).bools())
        .containsExactly(true, false, true);
    assertThat(run(filler("GivenTensorStringFill", strings("values", "x"), ints("shape", 1, 1))).strings())
        .containsExactly("x");
  }

  @Test
  void aScalarAndAnEmptyTensor() {
    Tensor scalar = run(filler("GivenTensorFill", floats("values", 4)));
    assertThat(scalar.rank()).isZero();
    assertThat(scalar.floats()).containsExactly(4);
    Tensor empty = run(filler("GivenTensorIntFill", OpDefs2.emptyValues(), ints("shape", 0)));
    assertThat(empty.dtype()).isEqualTo(DataType.INT32);
    assertThat(empty.size()).isZero();
  }

  @Test
  void shapeFromAnInput() {
    Tensor y = FillTesting.run(with("X", Tensor.allocate(DataType.DOUBLE, 2, 2)),
        op("GivenTensorFill", List.of("X"), List.of("Y"), floats("values", 1, 2, 3, 4)));
    assertThat(y.dims()).containsExactly(2, 2);
    assertThat(y.floats()).containsExactly(1, 2, 3, 4);
  }

  @Test
  void rerunningCopiesTheValuesAgainIntoTheSameArray() {
    Workspace ws = new Workspace();
    Net n = Net.create(dev.zerog.testing.OpDefs.net(filler("GivenTensorFill", floats("values", 1, 2),
        ints("shape", 2))), ws);
    n.run();
    float[] held = ws.fetch("Y").floats();
    held[0] = 99;
    n.run();
    assertThat(ws.fetch("Y").floats()).isSameAs(held).containsExactly(1, 2);
  }

  @Test
  void errors() {
    assertThatThrownBy(() -> run(filler("GivenTensorFill", floats("values", 1, 2), ints("shape", 3))))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("GivenTensorFill has 2 values, but Y's shape [3] has 3 elements");
    assertThatThrownBy(() -> run(filler("GivenTensorFill", ints("shape", 1))))
        .isInstanceOf(SchemaException.class).hasMessageContaining("argument 'values' is required");
    assertThatThrownBy(() -> run(filler("GivenTensorFill", ints("values", 1), ints("shape", 1))))
        .isInstanceOf(SchemaException.class)
        .hasMessageContaining("'values' must be a float list (floats) for a FLOAT fill, found an integer list (ints)");
    assertThatThrownBy(() -> run(filler("GivenTensorFill", i("dtype", 2), floats("values", 1), ints("shape", 1))))
        .isInstanceOf(SchemaException.class).hasMessageContaining("must be an integer list (ints) for a INT32 fill");
    assertThatThrownBy(() -> run(filler("GivenTensorIntFill", ints("values", 1L << 31), ints("shape", 1))))
        .isInstanceOf(SchemaException.class).hasMessageContaining("element 0 = 2147483648 does not fit INT32");
    assertThatThrownBy(() -> run(filler("GivenTensorDoubleFill", ints("values", 1), ints("shape", 1))))
        .isInstanceOf(SchemaException.class).hasMessageContaining("'values' must be a float list (floats)");
    assertThatThrownBy(() -> run(filler("GivenTensorFill", i("dtype", 6), ints("values", 1), ints("shape", 1))))
        .isInstanceOf(SchemaException.class).hasMessageContaining("does not support 'dtype' 6 (UINT8)");
  }

  @Test
  void schemaAndInference() {
    var registry = OperatorRegistry.standard();
    for (String type : List.of("GivenTensorFill", "GivenTensorDoubleFill", "GivenTensorIntFill",
        "GivenTensorInt64Fill", "GivenTensorBoolFill", "GivenTensorStringFill")) {
      assertThat(registry.get(type).gradientKind()).isEqualTo(GradientKind.NONE);
      assertThat(registry.get(type).schema().inputs()).hasToString("0-1");
    }
    OperatorDef op = filler("GivenTensorInt64Fill", ints("values", 1, 2), ints("shape", 2));
    assertThat(registry.get("GivenTensorInt64Fill").schema().inference().infer(op, Arguments.of(op.getArgList()),
        List.of())).containsExactly(BlobType.of(DataType.INT64, 2));
    OperatorDef typed = filler("GivenTensorFill", i("dtype", 4), strings("values", "a"), ints("shape", 1));
    assertThat(registry.get("GivenTensorFill").schema().inference().infer(typed,
        Arguments.of(typed.getArgList()), List.of())).containsExactly(BlobType.of(DataType.STRING, 1));
  }

  /** An argument named values holding an empty list. */
  private static final class OpDefs2 {
    static dev.zerog.proto.Caffe2.Argument emptyValues() {
      return dev.zerog.testing.OpDefs.empty("values");
    }
  }
}
