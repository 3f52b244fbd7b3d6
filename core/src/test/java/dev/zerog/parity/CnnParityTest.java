package dev.zerog.parity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerog.grad.BackwardPass;
import dev.zerog.grad.GradientBlob;
import dev.zerog.io.Npy;
import dev.zerog.net.Net;
import dev.zerog.net.NetDefs;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Parity of the convolutional operators with PyTorch: each fixture under {@code parity/cnn} (written by
 * {@code tools/parity/make_cnn_fixtures.py}) holds one Caffe2 operator, its inputs, PyTorch's outputs for them, a
 * random upstream gradient of the first output and PyTorch's gradients of the inputs. The operator runs with its
 * gradient ops (built by {@link BackwardPass}) in FLOAT and in DOUBLE.
 *
 * <p>Tolerance, element by element against PyTorch's float64 values e: FLOAT |zerog - e| <= 1e-5 |e| + 1e-5 m,
 * where m = max(1, max |e| over the tensor) is the absolute floor (float32 sums of tens of products cancel to values
 * far below their terms, whose rounding the floor covers); DOUBLE |zerog - e| <= 1e-10 |e| + 1e-10 m.
 */
class CnnParityTest {
  private static final String DIR = "/parity/cnn";

  static List<Path> fixtures() throws IOException, URISyntaxException {
    Path dir = Path.of(CnnParityTest.class.getResource(DIR).toURI());
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".pbtxt")).sorted().collect(Collectors.toList());
    }
  }

  @Test
  void everyOperatorHasFixtures() throws Exception {
    List<String> types = new ArrayList<>();
    for (Path p : fixtures()) {
      types.add(NetDefs.read(p).getOp(0).getType());
    }
    assertThat(types).contains("Conv", "ConvTranspose", "MaxPool", "AveragePool", "SpatialBN", "LRN");
    assertThat(types).hasSizeGreaterThanOrEqualTo(20);
  }

  @TestFactory
  Stream<DynamicTest> matchesPyTorch() throws Exception {
    return fixtures().stream().flatMap(p -> Stream.of(DataType.FLOAT, DataType.DOUBLE).map(dtype ->
        DynamicTest.dynamicTest(p.getFileName().toString().replace(".pbtxt", "") + " " + dtype,
            () -> check(p, dtype))));
  }

  private static void check(Path pbtxt, DataType dtype) {
    NetDef net = NetDefs.read(pbtxt);
    OperatorDef op = net.getOp(0);
    String npz = pbtxt.getFileName().toString().replace(".pbtxt", ".npz");
    Map<String, Tensor> arrays = Npy.readNpz(pbtxt.resolveSibling(npz));
    String out = op.getOutput(0);
    Workspace ws = new Workspace();
    arrays.forEach((key, t) -> {
      if (key.startsWith("input.")) {
        ws.feed(key.substring("input.".length()), convert(t, dtype));
      }
    });
    String upstream = out + "_upstream";
    ws.feed(upstream, convert(arrays.get("output_grad." + out), dtype));
    BackwardPass pass = BackwardPass.build(net, List.of(out), Map.of(out, GradientBlob.dense(upstream)));
    Net.create(pass.appendTo(net), ws).run();
    double tol = dtype == DataType.FLOAT ? 1e-5 : 1e-10;
    int compared = 0;
    for (Map.Entry<String, Tensor> e : arrays.entrySet()) {
      String key = e.getKey();
      String blob;
      if (key.startsWith("output.")) {
        blob = key.substring("output.".length());
      } else if (key.startsWith("input_grad.")) {
        String input = key.substring("input_grad.".length());
        GradientBlob g = pass.gradientMap().get(input);
        assertThat(g).as("the gradient of %s", input).isNotNull();
        blob = g.dense();
      } else {
        continue;
      }
      Tensor actual = ws.fetch(blob);
      Tensor expected = e.getValue();
      assertThat(actual.dtype()).as(key).isEqualTo(dtype);
      assertThat(actual.dims()).as(key).containsExactly(expected.dims());
      double floor = 1;
      for (int i = 0; i < expected.size(); i++) {
        floor = Math.max(floor, Math.abs(expected.getDouble(i)));
      }
      for (int i = 0; i < expected.size(); i++) {
        double ev = expected.getDouble(i);
        double av = actual.getDouble(i);
        assertThat(Math.abs(av - ev)).as("%s element %d: zerog %s, PyTorch %s", key, i, av, ev)
            .isLessThanOrEqualTo(tol * Math.abs(ev) + tol * floor);
      }
      compared++;
    }
    assertThat(compared).isGreaterThanOrEqualTo(2);
  }

  private static Tensor convert(Tensor t, DataType dtype) {
    Tensor out = Tensor.allocate(dtype, t.dims());
    for (int i = 0; i < t.size(); i++) {
      if (dtype == DataType.FLOAT) {
        out.floats()[i] = (float) t.getDouble(i);
      } else {
        out.doubles()[i] = t.getDouble(i);
      }
    }
    return out;
  }
}
