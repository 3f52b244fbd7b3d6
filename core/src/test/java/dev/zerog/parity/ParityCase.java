package dev.zerog.parity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerog.grad.BackwardPass;
import dev.zerog.grad.GradientBlob;
import dev.zerog.io.Npy;
import dev.zerog.net.Net;
import dev.zerog.net.NetDefs;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One PyTorch parity fixture, written by {@code tools/parity/make_parity_fixtures.py}: a NetDef
 * ({@code parity/<name>.pbtxt}) and its arrays ({@code parity/<name>.npz}: {@code in.*} inputs,
 * {@code out.*} expected outputs, {@code seed.*} upstream gradients of the losses, {@code grad.*} expected
 * input gradients, {@code sparse.*} markers of GradientSlice gradients).
 *
 * <p>{@link #check()} feeds the inputs, runs the net, builds the backward pass with each seed as the initial
 * gradient of its output, runs the gradient ops, and compares every expected output and gradient with
 * {@link #assertClose}. A sparse gradient is made dense (its values summed into the rows its indices name)
 * before the comparison.
 */
final class ParityCase {
  /** The relative tolerance: |actual - expected| <= 1e-5 * max(|expected|, min(1, max |expected tensor|)). */
  static final double TOLERANCE = 1e-5;

  private static final String SEED_SUFFIX = "_parity_seed";

  private final String name;
  private final NetDef net;
  private final Map<String, Tensor> arrays;

  private ParityCase(String name, NetDef net, Map<String, Tensor> arrays) {
    this.name = name;
    this.net = net;
    this.arrays = arrays;
  }

  /** Loads fixture {@code name} from the test resources. */
  static ParityCase load(String name) {
    return new ParityCase(name, NetDefs.read(resource(name + ".pbtxt")), Npy.readNpz(resource(name + ".npz")));
  }

  /** The directory holding the fixtures. */
  static Path directory() {
    return resource("").toAbsolutePath();
  }

  private static Path resource(String file) {
    URL url = ParityCase.class.getResource("/parity/" + file);
    assertThat(url).as("fixture parity/%s (run tools/parity/make_parity_fixtures.py)", file).isNotNull();
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new AssertionError(e);
    }
  }

  /** The case's name. */
  String name() {
    return name;
  }

  /** The array stored under {@code key} ({@code out.Y}, {@code grad.X}, ...). */
  Tensor array(String key) {
    Tensor t = arrays.get(key);
    assertThat(t).as("%s: array %s", name, key).isNotNull();
    return t;
  }

  /** The same case with the array under {@code key} replaced (for tests of the comparison itself). */
  ParityCase withArray(String key, Tensor replacement) {
    array(key);
    Map<String, Tensor> copy = new LinkedHashMap<>(arrays);
    copy.put(key, replacement);
    return new ParityCase(name, net, copy);
  }

  /** True when the fixture has upstream gradients, so that gradients are compared too. */
  boolean hasGradients() {
    return !blobs("seed.").isEmpty();
  }

  /** The blob names of the arrays whose keys start with {@code prefix}, in the archive's order. */
  List<String> blobs(String prefix) {
    List<String> names = new ArrayList<>();
    for (String key : arrays.keySet()) {
      if (key.startsWith(prefix)) {
        names.add(key.substring(prefix.length()));
      }
    }
    return names;
  }

  /**
   * Runs the case in zerog and compares every output and gradient with the fixture's.
   *
   * @return the largest relative error seen, |a - e| / max(|e|, scale), over every compared element
   */
  double check() {
    double worst = 0;
    Workspace ws = new Workspace();
    for (String blob : blobs("in.")) {
      ws.feed(blob, array("in." + blob).copy());
    }
    Net.create(net, ws).run();
    List<String> outputs = blobs("out.");
    assertThat(outputs).as("%s: expected outputs", name).isNotEmpty();
    for (String blob : outputs) {
      assertClose(name + ": output " + blob, ws.fetch(blob), array("out." + blob));
      worst = Math.max(worst, worstError(ws.fetch(blob), array("out." + blob)));
    }
    if (!hasGradients()) {
      assertThat(blobs("grad.")).as("%s: gradients without seeds", name).isEmpty();
      return worst;
    }

    List<String> losses = blobs("seed.");
    Map<String, GradientBlob> initial = new LinkedHashMap<>();
    for (String loss : losses) {
      ws.feed(loss + SEED_SUFFIX, array("seed." + loss).copy());
      initial.put(loss, GradientBlob.dense(loss + SEED_SUFFIX));
    }
    BackwardPass backward = BackwardPass.build(net, losses, initial);
    Net.create(NetDef.newBuilder().setName(name + "_backward").addAllOp(backward.gradientOps()).build(), ws).run();

    List<String> inputs = blobs("in.");
    TreeSet<String> withGradient = new TreeSet<>();
    for (String blob : inputs) {
      if (backward.gradientMap().containsKey(blob)) {
        withGradient.add(blob);
      }
    }
    assertThat(withGradient).as("%s: the inputs that get a gradient", name)
        .containsExactlyElementsOf(new TreeSet<>(blobs("grad.")));
    for (String blob : withGradient) {
      GradientBlob gradient = backward.gradientMap().get(blob);
      assertThat(gradient.isSparse()).as("%s: the gradient of %s is a GradientSlice", name, blob)
          .isEqualTo(arrays.containsKey("sparse." + blob));
      Tensor actual = gradient.isSparse()
          ? densify(ws.fetch(gradient.indices()), ws.fetch(gradient.values()), ws.fetch(blob))
          : ws.fetch(gradient.dense());
      assertClose(name + ": gradient of " + blob, actual, array("grad." + blob));
      worst = Math.max(worst, worstError(actual, array("grad." + blob)));
    }
    return worst;
  }

  /** The dense tensor of a GradientSlice: zeros shaped like {@code like}, each slice row added at its index. */
  static Tensor densify(Tensor indices, Tensor values, Tensor like) {
    assertThat(values.dtype()).isEqualTo(DataType.FLOAT);
    int rows = (int) like.dim(0);
    int rowSize = rows == 0 ? 0 : like.size() / rows;
    assertThat(values.size()).as("slice values: one row of %d per index", rowSize)
        .isEqualTo(indices.size() * rowSize);
    float[] dense = new float[like.size()];
    float[] v = values.floats();
    for (int k = 0; k < indices.size(); k++) {
      long index = indices.getLong(k);
      assertThat(index).as("slice index %d", k).isBetween(0L, rows - 1L);
      for (int j = 0; j < rowSize; j++) {
        dense[(int) index * rowSize + j] += v[k * rowSize + j];
      }
    }
    return Tensor.of(dense, like.dims());
  }

  /**
   * Fails unless {@code actual} is a FLOAT tensor with {@code expected}'s dims whose every element is within
   * {@link #allowed} of the expected one. NaN never matches.
   */
  static void assertClose(String what, Tensor actual, Tensor expected) {
    assertThat(actual.dtype()).as("%s: type", what).isEqualTo(DataType.FLOAT);
    assertThat(actual.dims()).as("%s: dims", what).containsExactly(expected.dims());
    float[] a = actual.floats();
    float[] e = expected.floats();
    double scale = scale(expected);
    for (int i = 0; i < e.length; i++) {
      double allowed = allowed(e[i], scale);
      double diff = Math.abs((double) a[i] - e[i]);
      if (!(diff <= allowed)) {
        throw new AssertionError(String.format(
            "%s: element %d of %s is %s, expected %s (difference %.3g, allowed %.3g)",
            what, i, Arrays.toString(expected.dims()), a[i], e[i], diff, allowed));
      }
    }
  }

  /**
   * The largest difference allowed from an expected element {@code e} of a tensor of scale {@code s}
   * ({@link #scale}): {@code 1e-5 * max(|e|, s)}. It is relative to the element, except that an element near zero
   * is held to 1e-5 of its tensor's scale rather than to a bound that shrinks to nothing.
   */
  static double allowed(float e, double scale) {
    return TOLERANCE * Math.max(Math.abs(e), scale);
  }

  /**
   * The scale of an expected tensor: its largest magnitude, but at most 1 ({@code min(1, max |E|)}); so in a
   * tensor whose values reach 1 or more, the bound for small elements is 1e-5 absolute, and in a tensor of small
   * values it is 1e-5 of the largest.
   */
  static double scale(Tensor expected) {
    double largest = 0;
    for (float v : expected.floats()) {
      largest = Math.max(largest, Math.abs(v));
    }
    return Math.min(1.0, largest);
  }

  /** The largest difference over {@link #allowed} of the elements, times {@link #TOLERANCE}; for reports. */
  static double worstError(Tensor actual, Tensor expected) {
    float[] a = actual.floats();
    float[] e = expected.floats();
    double scale = scale(expected);
    double worst = 0;
    for (int i = 0; i < e.length; i++) {
      double allowed = allowed(e[i], scale);
      double diff = Math.abs((double) a[i] - e[i]);
      worst = Math.max(worst, allowed == 0 ? (diff == 0 ? 0 : Double.POSITIVE_INFINITY) : TOLERANCE * diff / allowed);
    }
    return worst;
  }

  @Override
  public String toString() {
    return name;
  }
}
