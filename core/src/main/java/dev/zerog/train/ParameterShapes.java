package dev.zerog.train;

import dev.zerog.MalformedInputException;
import dev.zerog.ZerogException;
import dev.zerog.io.FileIO;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The shapes of a net's parameters, as a weight-shape file gives them: for each parameter blob (every Conv and FC
 * weight and bias, every SpatialBN scale, bias, mean and variance, ...), its dims. This is what
 * {@link InitNetGenerator} fills.
 *
 * <p>The file is JSON:
 *
 * <pre>{@code
 * {
 *   "model": "bvlc_alexnet",
 *   "source": "where the shapes come from",
 *   "parameters": {
 *     "conv1_w": [96, 3, 11, 11],
 *     "conv1_b": [96]
 *   }
 * }
 * }</pre>
 *
 * <p>{@code parameters} is required; {@code model} and {@code source} are optional strings; no other key is
 * allowed (so a misspelt one is noticed). Each dim is an integer >= 0; the order of the parameters is kept.
 */
public final class ParameterShapes {
  private static final Set<String> KEYS = Set.of("model", "source", "parameters");

  private final String model;
  private final String source;
  private final Map<String, long[]> shapes;

  private ParameterShapes(String model, String source, Map<String, long[]> shapes) {
    this.model = model;
    this.source = source;
    this.shapes = shapes;
  }

  /** Parameter shapes given directly (a copy is kept, in the map's iteration order). */
  public static ParameterShapes of(Map<String, long[]> shapes) {
    Map<String, long[]> copy = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      copy.put(e.getKey(), e.getValue().clone());
    }
    return new ParameterShapes("", "", Collections.unmodifiableMap(copy));
  }

  /**
   * Reads a weight-shape file.
   *
   * @throws dev.zerog.ZerogIOException if the file cannot be read
   * @throws MalformedInputException naming the file (and line and column) if it is not such a file
   */
  public static ParameterShapes read(Path file) {
    String text = new String(FileIO.readAll(file), StandardCharsets.UTF_8);
    try {
      return parse(text);
    } catch (ZerogException e) {
      throw e.atFile(file.toString());
    }
  }

  /** Parses the JSON text of a weight-shape file; see the class doc for its form. */
  public static ParameterShapes parse(String json) {
    Object root = JsonText.parse(json);
    if (!(root instanceof Map)) {
      throw new MalformedInputException("a weight-shape file must hold a JSON object");
    }
    Map<?, ?> top = (Map<?, ?>) root;
    for (Object key : top.keySet()) {
      if (!KEYS.contains(key)) {
        throw new MalformedInputException("unknown key \"" + key + "\" in a weight-shape file (known: model, "
            + "source, parameters)");
      }
    }
    String model = optionalString(top, "model");
    String source = optionalString(top, "source");
    Object params = top.get("parameters");
    if (!(params instanceof Map)) {
      throw new MalformedInputException("a weight-shape file needs \"parameters\": an object from each parameter "
          + "blob to its dims");
    }
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : ((Map<?, ?>) params).entrySet()) {
      shapes.put((String) e.getKey(), dims((String) e.getKey(), e.getValue()));
    }
    return new ParameterShapes(model, source, Collections.unmodifiableMap(shapes));
  }

  private static String optionalString(Map<?, ?> top, String key) {
    Object v = top.get(key);
    if (v == null) {
      return "";
    }
    if (!(v instanceof String)) {
      throw new MalformedInputException("\"" + key + "\" must be a string");
    }
    return (String) v;
  }

  private static long[] dims(String name, Object value) {
    if (!(value instanceof List)) {
      throw (MalformedInputException) new MalformedInputException("the dims of a parameter must be a list of "
          + "integers, found " + describe(value)).atBlob(name);
    }
    List<?> list = (List<?>) value;
    long[] out = new long[list.size()];
    for (int i = 0; i < out.length; i++) {
      Object d = list.get(i);
      if (!(d instanceof Long) || (Long) d < 0) {
        throw (MalformedInputException) new MalformedInputException("dim " + i + " must be an integer >= 0, found "
            + describe(d)).atBlob(name);
      }
      out[i] = (Long) d;
    }
    return out;
  }

  private static String describe(Object v) {
    return v == null ? "null" : v instanceof String ? "\"" + v + "\"" : v.toString();
  }

  /** The model the file is for, or "" when it does not say. */
  public String model() {
    return model;
  }

  /** Where the shapes come from, or "" when the file does not say. */
  public String source() {
    return source;
  }

  /** The parameter names, in the file's order. */
  public List<String> names() {
    return new ArrayList<>(shapes.keySet());
  }

  /** True if the file gives this parameter. */
  public boolean has(String name) {
    return shapes.containsKey(name);
  }

  /** A parameter's dims (a copy), or null when the file does not give it. */
  public long[] dims(String name) {
    long[] d = shapes.get(name);
    return d == null ? null : d.clone();
  }

  /** The number of parameters. */
  public int size() {
    return shapes.size();
  }

  /** The number of elements of all parameters together. */
  public long elementCount() {
    long n = 0;
    for (long[] d : shapes.values()) {
      long m = 1;
      for (long x : d) {
        m *= x;
      }
      n += m;
    }
    return n;
  }
}
