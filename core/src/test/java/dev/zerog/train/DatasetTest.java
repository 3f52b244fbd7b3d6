package dev.zerog.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerog.MalformedInputException;
import dev.zerog.SchemaException;
import dev.zerog.ShapeException;
import dev.zerog.ZerogIOException;
import dev.zerog.io.Npy;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetTest {
  @TempDir Path tmp;

  /** Five examples: X row i is {i, 10 + i}, label i is 100 + i (INT32). */
  private static Map<String, Tensor> five() {
    Map<String, Tensor> m = new LinkedHashMap<>();
    float[] x = new float[10];
    int[] label = new int[5];
    for (int i = 0; i < 5; i++) {
      x[2 * i] = i;
      x[2 * i + 1] = 10 + i;
      label[i] = 100 + i;
    }
    m.put("X", Tensor.of(x, 5, 2));
    m.put("label", Tensor.of(label, 5));
    return m;
  }

  private static List<Integer> labelsOf(BatchFeeder feeder, long step) {
    Workspace ws = new Workspace();
    Batch batch = new Batch(ws);
    feeder.fill(step, batch);
    List<Integer> out = new ArrayList<>();
    Tensor label = ws.fetch("label");
    assertThat(label.dtype()).isEqualTo(DataType.INT32);
    float[] x = ws.fetch("X").floats();
    for (int j = 0; j < label.size(); j++) {
      int l = label.ints()[j];
      out.add(l);
      assertThat(x[2 * j]).as("X row follows its label").isEqualTo(l - 100);
      assertThat(x[2 * j + 1]).isEqualTo(l - 90);
    }
    return out;
  }

  @Test
  void readsAnNpzAndKeepsIntegerLabels() {
    Path npz = tmp.resolve("d.npz");
    Npy.writeNpz(five(), npz);
    Dataset d = Dataset.read(npz);
    assertThat(d.examples()).isEqualTo(5);
    assertThat(d.names()).containsExactly("X", "label");
    assertThat(d.array("label").dtype()).isEqualTo(DataType.INT32);
    assertThat(d.source()).isEqualTo(npz.toString());
  }

  @Test
  void readsADirectoryOfNpyFilesNamedByTheirBlobs() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("d"));
    five().forEach((name, t) -> Npy.write(t, dir.resolve(Npy.fileNameFor(name) + ".npy")));
    Npy.write(Tensor.of(new float[] {1, 2, 3, 4, 5}), dir.resolve("gpu_0%2Fw.npy"));
    Files.writeString(dir.resolve("notes.txt"), "not an array");
    Dataset d = Dataset.read(dir);
    assertThat(d.names()).containsExactly("X", "gpu_0/w", "label");
    assertThat(d.examples()).isEqualTo(5);
  }

  @Test
  void batchesWrapAroundInOrder() {
    BatchFeeder f = Dataset.of(five(), null).batches(2);
    assertThat(labelsOf(f, 0)).containsExactly(100, 101);
    assertThat(labelsOf(f, 1)).containsExactly(102, 103);
    assertThat(labelsOf(f, 2)).containsExactly(104, 100);
    assertThat(labelsOf(f, 3)).containsExactly(101, 102);
    assertThat(labelsOf(f, 7)).containsExactly(104, 100);
  }

  @Test
  void shuffledBatchesDependOnTheStepAloneAndCoverEachPass() {
    Dataset d = Dataset.of(five(), null);
    BatchFeeder a = d.batches(5, 42);
    BatchFeeder b = d.batches(5, 42);
    List<Integer> pass0 = labelsOf(a, 0);
    List<Integer> pass1 = labelsOf(a, 1);
    assertThat(pass0).containsExactlyInAnyOrder(100, 101, 102, 103, 104);
    assertThat(pass1).containsExactlyInAnyOrder(100, 101, 102, 103, 104);
    // Another feeder, asked in another order, gives the same batches.
    assertThat(labelsOf(b, 1)).isEqualTo(pass1);
    assertThat(labelsOf(b, 0)).isEqualTo(pass0);
    // Some pass among the first few is not in order, and passes differ.
    List<List<Integer>> passes = new ArrayList<>();
    for (int s = 0; s < 6; s++) {
      passes.add(labelsOf(a, s));
    }
    assertThat(passes).anyMatch(p -> !p.equals(List.of(100, 101, 102, 103, 104)));
    assertThat(passes.stream().distinct().count()).isGreaterThan(1);
    // Another seed, another order.
    assertThat(List.of(labelsOf(d.batches(5, 7), 0), labelsOf(d.batches(5, 7), 1))).isNotEqualTo(
        List.of(pass0, pass1));
  }

  @Test
  void aBatchRefillsTheSameTensors() {
    BatchFeeder f = Dataset.of(five(), null).batches(2);
    Workspace ws = new Workspace();
    Batch batch = new Batch(ws);
    f.fill(0, batch);
    Tensor x = ws.fetch("X");
    float[] memory = x.floats();
    f.fill(1, batch);
    assertThat(ws.fetch("X")).isSameAs(x);
    assertThat(ws.fetch("X").floats()).isSameAs(memory).containsExactly(2, 12, 3, 13);
    assertThat(x.dims()).containsExactly(2, 2);
  }

  @Test
  void mismatchedFirstDimensionsAreAnError() {
    Map<String, Tensor> m = five();
    m.put("label", Tensor.of(new int[] {1, 2, 3}, 3));
    assertThatThrownBy(() -> Dataset.of(m, "data.npz"))
        .isInstanceOf(ShapeException.class)
        .hasMessageStartingWith("data.npz: blob 'label': ")
        .hasMessageContaining("'X' and 'label' hold 5 and 3 examples");
  }

  @Test
  void scalarsAndEmptyDataAreErrors() {
    assertThatThrownBy(() -> Dataset.of(Map.of("x", Tensor.scalar(1)), "d"))
        .isInstanceOf(ShapeException.class).hasMessageContaining("0-d");
    assertThatThrownBy(() -> Dataset.of(Map.of("x", Tensor.allocate(DataType.FLOAT, 0, 3)), "d"))
        .isInstanceOf(ShapeException.class).hasMessageContaining("no examples");
    assertThatThrownBy(() -> Dataset.of(Map.of(), "d")).isInstanceOf(SchemaException.class);
  }

  @Test
  void aMissingBlobNamesItAndTheArraysThereAre() {
    Dataset d = Dataset.of(five(), "data.npz");
    assertThatThrownBy(() -> d.select(List.of("X", "labels")))
        .isInstanceOf(SchemaException.class)
        .hasMessage("data.npz: blob 'labels': the data has no array named 'labels' (it has X, label)");
  }

  @Test
  void aBatchLargerThanTheDataIsAnError() {
    Dataset d = Dataset.of(five(), "data.npz");
    assertThatThrownBy(() -> d.batches(6))
        .isInstanceOf(SchemaException.class)
        .hasMessage("data.npz: a batch of 6 examples is larger than the data, which holds 5");
    assertThatThrownBy(() -> d.batches(0)).isInstanceOf(SchemaException.class);
  }

  @Test
  void badPathsAreClearErrors() throws Exception {
    assertThatThrownBy(() -> Dataset.read(tmp.resolve("nope.npz")))
        .isInstanceOf(ZerogIOException.class).hasMessageContaining("nope.npz");
    Path npy = tmp.resolve("x.npy");
    Npy.write(Tensor.of(new float[] {1}), npy);
    assertThatThrownBy(() -> Dataset.read(npy))
        .isInstanceOf(ZerogIOException.class).hasMessageContaining("single .npy");
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    assertThatThrownBy(() -> Dataset.read(empty))
        .isInstanceOf(ZerogIOException.class).hasMessageContaining("no .npy files");
    Path junk = tmp.resolve("junk.npz");
    Files.writeString(junk, "not a zip");
    assertThatThrownBy(() -> Dataset.read(junk))
        .isInstanceOf(MalformedInputException.class).hasMessageContaining("junk.npz");
  }
}
