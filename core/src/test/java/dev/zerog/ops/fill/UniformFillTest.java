package dev.zerog.ops.fill;

import static dev.zerog.ops.fill.FillTesting.filler;
import static dev.zerog.ops.fill.FillTesting.max;
import static dev.zerog.ops.fill.FillTesting.mean;
import static dev.zerog.ops.fill.FillTesting.min;
import static dev.zerog.ops.fill.FillTesting.run;
import static dev.zerog.ops.fill.FillTesting.seeded;
import static dev.zerog.ops.fill.FillTesting.std;
import static dev.zerog.testing.OpDefs.f;
import static dev.zerog.testing.OpDefs.i;
import static dev.zerog.testing.OpDefs.ints;
import static dev.zerog.testing.OpDefs.op;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.zerog.SchemaException;
import dev.zerog.ShapeException;
import dev.zerog.grad.GradientKind;
import dev.zerog.op.Arguments;
import dev.zerog.op.BlobType;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.List;
import org.junit.jupiter.api.Test;

class UniformFillTest {
  @Test
  void floatSamplesCoverTheHalfOpenRange() {
    Tensor y = run(seeded(filler("UniformFill", f("min", -2f), f("max", 6f), ints("shape", 100_000)), 11));
    assertThat(y.dtype()).isEqualTo(DataType.FLOAT);
    assertThat(min(y)).isGreaterThanOrEqualTo(-2.0).isLessThan(-1.99);
    assertThat(max(y)).isLessThan(6.0).isGreaterThan(5.99);
    assertThat(mean(y)).isCloseTo(2.0, within(0.05));
    assertThat(std(y)).isCloseTo(8 / Math.sqrt(12), within(0.03));
  }

  @Test
  void defaultRangeIsZeroToOne() {
    Tensor y = run(filler("UniformFill", ints("shape", 10_000)));
    assertThat(min(y)).isGreaterThanOrEqualTo(0.0);
    assertThat(max(y)).isLessThan(1.0);
    assertThat(mean(y)).isCloseTo(0.5, within(0.02));
  }

  @Test
  void doubleSamples() {
    Tensor y = run(filler("UniformFill", i("dtype", 13), f("min", 1f), f("max", 2f), ints("shape", 1000)));
    assertThat(y.dtype()).isEqualTo(DataType.DOUBLE);
    assertThat(min(y)).isGreaterThanOrEqualTo(1.0);
    assertThat(max(y)).isLessThan(2.0);
  }

  @Test
  void intSamplesIncludeBothBounds() {
    Tensor y = run(seeded(filler("UniformIntFill", i("min", -3), i("max", 3), ints("shape", 7000)), 2));
    assertThat(y.dtype()).isEqualTo(DataType.INT32);
    int[] counts = new int[7];
    for (int v : y.ints()) {
      assertThat(v).isBetween(-3, 3);
      counts[v + 3]++;
    }
    for (int c : counts) {
      assertThat(c).isBetween(800, 1200);
    }
  }

  @Test
  void intExtremeBoundsDoNotOverflow() {
    Tensor y = run(filler("UniformIntFill", i("min", Integer.MAX_VALUE - 1), i("max", Integer.MAX_VALUE),
        ints("shape", 100)));
    assertThat(y.ints()).contains(Integer.MAX_VALUE, Integer.MAX_VALUE - 1);
  }

  @Test
  void determinism() {
    OperatorDef op = seeded(filler("UniformFill", ints("shape", 50)), 77);
    assertThat(run(op).floats()).containsExactly(run(op).floats());
    OperatorDef intOp = seeded(filler("UniformIntFill", i("max", 1000), ints("shape", 50)), 77);
    assertThat(run(intOp).ints()).containsExactly(run(intOp).ints());
  }

  @Test
  void theRangeFromInputs() {
    Workspace ws = new Workspace();
    ws.feed("shape", Tensor.of(new long[] {4, 5}));
    ws.feed("lo", Tensor.scalar(10f));
    ws.feed("hi", Tensor.of(new float[] {11f}));
    Tensor y = FillTesting.run(ws, op("UniformFill", List.of("shape", "lo", "hi"), List.of("Y"),
        i("input_as_shape", 1)));
    assertThat(y.dims()).containsExactly(4, 5);
    assertThat(min(y)).isGreaterThanOrEqualTo(10.0);
    assertThat(max(y)).isLessThan(11.0);
  }

  @Test
  void maxBelowMinFromInputsEmptiesTheFirstDim() {
    Workspace ws = new Workspace();
    ws.feed("X", Tensor.allocate(DataType.FLOAT, 3, 2));
    ws.feed("lo", Tensor.scalar(5f));
    ws.feed("hi", Tensor.scalar(4f));
    Tensor y = FillTesting.run(ws, op("UniformFill", List.of("X", "lo", "hi"), List.of("Y")));
    assertThat(y.dims()).containsExactly(0, 2);
    assertThat(y.size()).isZero();

    Workspace ints = new Workspace();
    ints.feed("X", Tensor.allocate(DataType.FLOAT, 3));
    ints.feed("lo", Tensor.of(new int[] {2}));
    ints.feed("hi", Tensor.of(new int[] {2}));
    Tensor same = FillTesting.run(ints, op("UniformIntFill", List.of("X", "lo", "hi"), List.of("Y")));
    assertThat(same.ints()).containsExactly(2, 2, 2);
  }

  @Test
  void rangeErrors() {
    assertThatThrownBy(() -> run(filler("UniformFill", f("min", 1f), f("max", 1f))))
        .isInstanceOf(SchemaException.class)
        .hasMessageContaining("argument 'max' (1.0) must be greater than 'min' (1.0)");
    assertThatThrownBy(() -> run(filler("UniformIntFill", i("min", 5), i("max", 4))))
        .isInstanceOf(SchemaException.class).hasMessageContaining("'max' (4) must be greater than 'min' (5)");
    assertThatThrownBy(() -> run(filler("UniformIntFill", f("min", 0f))))
        .isInstanceOf(SchemaException.class).hasMessageContaining("'min' must be an integer (i)");

    Workspace ws = new Workspace();
    ws.feed("X", Tensor.allocate(DataType.FLOAT, 3));
    ws.feed("lo", Tensor.scalar(0f));
    ws.feed("hi", Tensor.of(new float[] {1f, 2f}));
    assertThatThrownBy(() -> FillTesting.run(ws, op("UniformFill", List.of("X", "lo", "hi"), List.of("Y"),
        f("min", 0f))))
        .isInstanceOf(SchemaException.class)
        .hasMessageContaining("cannot set both the 'min' argument and the MIN input");
    assertThatThrownBy(() -> FillTesting.run(ws, op("UniformFill", List.of("X", "lo", "hi"), List.of("Y"))))
        .isInstanceOf(ShapeException.class).hasMessageContaining("MAX must hold one element")
        .satisfies(e -> assertThat(((ShapeException) e).blob()).isEqualTo("hi"));
    ws.feed("hi", Tensor.scalar(1f));
    assertThatThrownBy(() -> FillTesting.run(ws, op("UniformIntFill", List.of("X", "lo", "hi"), List.of("Y"))))
        .isInstanceOf(ShapeException.class).hasMessageContaining("MIN must be an integer tensor, got FLOAT");
    assertThatThrownBy(() -> run(op("UniformFill", List.of("X", "lo"), List.of("Y"))))
        .isInstanceOf(SchemaException.class).hasMessageContaining("UniformFill takes 0,1,3 inputs, got 2");
  }

  @Test
  void aScalarCannotLoseItsFirstDim() {
    Workspace ws = new Workspace();
    ws.feed("X", Tensor.scalar(0f));
    ws.feed("lo", Tensor.scalar(1f));
    ws.feed("hi", Tensor.scalar(0f));
    assertThatThrownBy(() -> FillTesting.run(ws, op("UniformFill", List.of("X", "lo", "hi"), List.of("Y"))))
        .isInstanceOf(ShapeException.class).hasMessageContaining("Y is 0-d");
  }

  @Test
  void schemaAndInference() {
    var registry = OperatorRegistry.standard();
    for (String type : List.of("UniformFill", "UniformIntFill")) {
      var def = registry.get(type);
      assertThat(def.gradientKind()).isEqualTo(GradientKind.NONE);
      assertThat(def.schema().inputs()).hasToString("0,1,3");
      assertThat(def.schema().fullDoc()).contains("min", "max", "random_seed");
    }
    OperatorDef op = filler("UniformIntFill", ints("shape", 3));
    assertThat(registry.get("UniformIntFill").schema().inference().infer(op, Arguments.of(op.getArgList()),
        List.of())).containsExactly(BlobType.of(DataType.INT32, 3));
    OperatorDef fromInputs = op("UniformFill", List.of("X", "lo", "hi"), List.of("Y"));
    assertThat(registry.get("UniformFill").schema().inference().infer(fromInputs,
        Arguments.of(fromInputs.getArgList()), List.of(BlobType.of(DataType.FLOAT, 3), BlobType.UNKNOWN,
            BlobType.UNKNOWN))).containsExactly(new BlobType(DataType.FLOAT, null));
  }
}
