package dev.zerog.ops.fill;

import static dev.zerog.ops.fill.FillTesting.filler;
import static dev.zerog.ops.fill.FillTesting.mean;
import static dev.zerog.ops.fill.FillTesting.run;
import static dev.zerog.ops.fill.FillTesting.seeded;
import static dev.zerog.ops.fill.FillTesting.std;
import static dev.zerog.ops.fill.FillTesting.with;
import static dev.zerog.testing.OpDefs.f;
import static dev.zerog.testing.OpDefs.i;
import static dev.zerog.testing.OpDefs.ints;
import static dev.zerog.testing.OpDefs.net;
import static dev.zerog.testing.OpDefs.op;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.zerog.SchemaException;
import dev.zerog.grad.GradientKind;
import dev.zerog.net.Net;
import dev.zerog.op.Arguments;
import dev.zerog.op.BlobType;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.proto.Caffe2.DeviceOption;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.List;
import org.junit.jupiter.api.Test;

class GaussianFillTest {
  @Test
  void statisticsMatchMeanAndStd() {
    Tensor y = run(seeded(filler("GaussianFill", f("mean", 3f), f("std", 2f), ints("shape", 100_000)), 7));
    assertThat(y.dtype()).isEqualTo(DataType.FLOAT);
    assertThat(y.dims()).containsExactly(100_000);
    assertThat(mean(y)).isCloseTo(3.0, within(0.03));
    assertThat(std(y)).isCloseTo(2.0, within(0.03));
    // About 68% within one std, 95% within two.
    int one = 0;
    int two = 0;
    for (float v : y.floats()) {
      one += Math.abs(v - 3) < 2 ? 1 : 0;
      two += Math.abs(v - 3) < 4 ? 1 : 0;
    }
    assertThat(one / 100_000.0).isCloseTo(0.6827, within(0.01));
    assertThat(two / 100_000.0).isCloseTo(0.9545, within(0.01));
  }

  @Test
  void defaultsAreStandardNormal() {
    Tensor y = run(filler("GaussianFill", ints("shape", 200, 500)));
    assertThat(mean(y)).isCloseTo(0.0, within(0.02));
    assertThat(std(y)).isCloseTo(1.0, within(0.02));
  }

  @Test
  void theSameSeedGivesTheSameValuesInEveryWorkspace() {
    OperatorDef op = seeded(filler("GaussianFill", ints("shape", 64)), 1234);
    float[] a = run(op).floats();
    float[] b = run(op).floats();
    assertThat(b).containsExactly(a);
    // The seed, not the blob name, decides: another output blob with the same seed draws the same values.
    OperatorDef renamed = op.toBuilder().setOutput(0, "other").build();
    assertThat(run(renamed).floats()).containsExactly(a);
    assertThat(run(seeded(filler("GaussianFill", ints("shape", 64)), 1235)).floats()).isNotEqualTo(a);
  }

  @Test
  void theNetsDeviceOptionSeedsOpsWithoutTheirOwn() {
    OperatorDef op = filler("GaussianFill", ints("shape", 16));
    NetDef seededNet = net(op).toBuilder().setDeviceOption(DeviceOption.newBuilder().setRandomSeed(99)).build();
    Workspace ws = new Workspace();
    Net.create(seededNet, ws).run();
    assertThat(ws.fetch("Y").floats()).containsExactly(run(seeded(op, 99)).floats());
  }

  @Test
  void theSeedIsUnsigned() {
    OperatorDef op = seeded(filler("GaussianFill", ints("shape", 8)), -1); // 4294967295
    assertThat(RandomStream.seedOf(op.getDeviceOption(), "Y")).isEqualTo(4294967295L);
    assertThat(run(op).floats()).containsExactly(run(op).floats());
  }

  @Test
  void unseededFillersAreDeterministicAndDifferByOutputName() {
    OperatorDef a = filler("GaussianFill", ints("shape", 32));
    assertThat(run(a).floats()).containsExactly(run(a).floats());
    OperatorDef b = op("GaussianFill", List.of(), List.of("W2"), ints("shape", 32));
    assertThat(run(b).floats()).isNotEqualTo(run(a).floats());
  }

  @Test
  void eachRunContinuesTheStream() {
    Workspace ws = new Workspace();
    Net n = Net.create(net(seeded(filler("GaussianFill", ints("shape", 10)), 5)), ws);
    n.run();
    float[] first = ws.fetch("Y").floats().clone();
    n.run();
    assertThat(ws.fetch("Y").floats()).isNotEqualTo(first);
    // The second run's values are the next ones of the same stream: a fresh op drawing 20 gives both.
    float[] twenty = run(seeded(filler("GaussianFill", ints("shape", 20)), 5)).floats();
    for (int k = 0; k < 10; k++) {
      assertThat(twenty[k]).isEqualTo(first[k]);
      assertThat(twenty[10 + k]).isEqualTo(ws.fetch("Y").floats()[k]);
    }
  }

  @Test
  void doubleOutput() {
    Tensor y = run(seeded(filler("GaussianFill", i("dtype", 13), f("mean", -1f), f("std", 0.5f),
        ints("shape", 50_000)), 3));
    assertThat(y.dtype()).isEqualTo(DataType.DOUBLE);
    assertThat(mean(y)).isCloseTo(-1.0, within(0.02));
    assertThat(std(y)).isCloseTo(0.5, within(0.01));
  }

  @Test
  void shapeFromAnInputWithExtraShape() {
    Tensor y = run(with("X", Tensor.allocate(DataType.INT32, 2, 3)),
        op("GaussianFill", List.of("X"), List.of("Y"), ints("extra_shape", 4)));
    assertThat(y.dims()).containsExactly(2, 3, 4);
    assertThat(y.dtype()).isEqualTo(DataType.FLOAT);
  }

  @Test
  void aScalarAndAnEmptyOutput() {
    assertThat(run(filler("GaussianFill")).rank()).isZero();
    assertThat(run(filler("GaussianFill", ints("shape", 0, 3))).size()).isZero();
  }

  @Test
  void badArguments() {
    assertThatThrownBy(() -> run(filler("GaussianFill", f("std", 0f))))
        .isInstanceOf(SchemaException.class).hasMessageContaining("'std' must be positive, got 0.0");
    assertThatThrownBy(() -> run(filler("GaussianFill", f("std", -1f))))
        .isInstanceOf(SchemaException.class).hasMessageContaining("'std' must be positive");
    assertThatThrownBy(() -> run(filler("GaussianFill", i("mean", 1))))
        .isInstanceOf(SchemaException.class).hasMessageContaining("'mean' must be a float (f)");
    assertThatThrownBy(() -> run(filler("GaussianFill", i("dtype", 2))))
        .isInstanceOf(SchemaException.class)
        .hasMessageContaining("GaussianFill does not support 'dtype' 2 (INT32); it supports FLOAT (1), DOUBLE (13)");
    assertThatThrownBy(() -> run(filler("GaussianFill", ints("extra_shape", 2))))
        .isInstanceOf(SchemaException.class).hasMessageContaining("cannot set 'extra_shape' when there is no input");
  }

  @Test
  void schemaAndInference() {
    var def = OperatorRegistry.standard().get("GaussianFill");
    assertThat(def.gradientKind()).isEqualTo(GradientKind.NONE);
    assertThat(def.schema().inputs()).hasToString("0-1");
    assertThat(def.schema().allowsInPlace(0, 0)).isTrue();
    assertThat(def.schema().fullDoc()).contains("N(mean, std^2)", "random_seed", "mean", "std", "dtype");
    OperatorDef op = filler("GaussianFill", ints("shape", 2, 5), i("dtype", 13));
    assertThat(def.schema().inference().infer(op, Arguments.of(op.getArgList()), List.of()))
        .containsExactly(BlobType.of(DataType.DOUBLE, 2, 5));
  }
}
