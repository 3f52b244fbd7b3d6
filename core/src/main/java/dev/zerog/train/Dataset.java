package dev.zerog.train;

import dev.zerog.SchemaException;
import dev.zerog.ShapeException;
import dev.zerog.ZerogException;
import dev.zerog.ZerogIOException;
import dev.zerog.io.FileIO;
import dev.zerog.io.Npy;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Training data as named arrays, one per input blob of a net, that hold one example per row: every array's first
 * axis has the same length, the number of examples. Integer arrays (labels) keep their type.
 *
 * <pre>{@code
 * Dataset data = Dataset.read(Path.of("train.npz")).select(List.of("X", "label"));
 * Trainer trainer = Trainer.builder()
 *     ...
 *     .feeder(data.batches(64, 42))   // 64 examples per step, shuffled with seed 42
 *     .build();
 * }</pre>
 *
 * <p><b>Files.</b> {@link #read} takes a NumPy {@code .npz} archive (each entry an array named by its blob) or a
 * directory of {@code .npy} files (each named by its blob, {@link Npy#fileNameFor} escaping included).
 *
 * <p><b>Batches.</b> {@link #batches(int)} cuts batches along the first axis in order and wraps around at the end,
 * so example {@code p mod n} goes into position {@code p - step·size} of step {@code step}'s batch, where
 * {@code p} runs from {@code step·size}. A batch may span the end of one pass over the data and the start of the
 * next. {@link #batches(int, long)} does the same over a new permutation of the examples for each pass, drawn
 * from the seed and the pass's number. Either way, a step's batch depends on the step's number alone, so training
 * resumed from a checkpoint at step {@code k} sees exactly the batches an uninterrupted run sees from step
 * {@code k}.
 *
 * <p>A dataset is immutable as far as this class goes (it never writes into its arrays); its feeders fill the
 * batch blobs in place and allocate nothing in the steady state (a shuffled feeder draws one permutation per pass).
 */
public final class Dataset {
  private final Map<String, Tensor> arrays;
  private final int examples;
  private final String source;

  private Dataset(Map<String, Tensor> arrays, int examples, String source) {
    this.arrays = arrays;
    this.examples = examples;
    this.source = source;
  }

  /**
   * Named arrays as a dataset (the tensors are not copied, and must not change while it is used).
   *
   * @param arrays at least one array, each of rank 1 or more, all with the same first dimension, at least 1
   * @param source names the data in errors (a file, for example); may be null
   * @throws ShapeException if an array is 0-d or the first dimensions differ or are 0
   */
  public static Dataset of(Map<String, Tensor> arrays, String source) {
    Objects.requireNonNull(arrays, "arrays");
    try {
      if (arrays.isEmpty()) {
        throw new SchemaException("the data holds no arrays");
      }
      String first = null;
      long n = -1;
      for (Map.Entry<String, Tensor> e : arrays.entrySet()) {
        String name = Objects.requireNonNull(e.getKey(), "array name");
        Tensor t = Objects.requireNonNull(e.getValue(), "array");
        if (t.rank() == 0) {
          throw (ShapeException) new ShapeException("array '" + name + "' is 0-d (" + t.dtype()
              + " scalar); training data needs one example per row along the first axis").atBlob(name);
        }
        if (t.dtype() == DataType.STRING) {
          throw (ShapeException) new ShapeException("array '" + name + "' holds strings, which no training "
              + "input takes").atBlob(name);
        }
        long rows = t.dim(0);
        if (n < 0) {
          first = name;
          n = rows;
        } else if (rows != n) {
          throw (ShapeException) new ShapeException("arrays '" + first + "' and '" + name + "' hold " + n
              + " and " + rows + " examples (shapes " + Shapes.format(arrays.get(first).dims()) + " and "
              + Shapes.format(t.dims()) + "): every array needs one example per row, the same number of rows")
              .atBlob(name);
        }
      }
      if (n == 0) {
        throw (ShapeException) new ShapeException("array '" + first + "' holds no examples (first dimension 0)")
            .atBlob(first);
      }
      return new Dataset(Collections.unmodifiableMap(new LinkedHashMap<>(arrays)), (int) n, source);
    } catch (ZerogException e) {
      throw e.atFile(source);
    }
  }

  /**
   * Reads a {@code .npz} archive or a directory of {@code .npy} files (not its subdirectories; the arrays in the
   * order of their names).
   *
   * @throws ZerogIOException naming the path if it does not exist or is a {@code .npy} file
   * @throws dev.zerog.MalformedInputException naming the file if an array cannot be read
   * @throws ShapeException naming the path if the arrays do not fit together (see {@link #of})
   */
  public static Dataset read(Path path) {
    Objects.requireNonNull(path, "path");
    if (Files.isDirectory(path)) {
      return of(readDirectory(path), path.toString());
    }
    if (!Files.exists(path)) {
      throw new ZerogIOException("no such file or directory").atFile(path.toString());
    }
    String name = path.getFileName() == null ? "" : path.getFileName().toString();
    if (name.endsWith(".npy")) {
      throw new ZerogIOException("a single .npy file does not say which blob it feeds: give a .npz archive or a "
          + "directory of .npy files named by their blobs").atFile(path.toString());
    }
    return of(Npy.readNpz(path), path.toString());
  }

  private static Map<String, Tensor> readDirectory(Path dir) {
    Map<String, Path> files = new TreeMap<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*.npy")) {
      for (Path p : entries) {
        if (Files.isRegularFile(p)) {
          String file = p.getFileName().toString();
          String blob;
          try {
            blob = Npy.blobNameFor(file.substring(0, file.length() - 4));
          } catch (ZerogException e) {
            throw e.atFile(p.toString());
          }
          files.put(blob, p);
        }
      }
    } catch (IOException e) {
      throw FileIO.readError(dir, e);
    }
    if (files.isEmpty()) {
      throw new ZerogIOException("the directory holds no .npy files").atFile(dir.toString());
    }
    Map<String, Tensor> arrays = new LinkedHashMap<>();
    files.forEach((blob, p) -> arrays.put(blob, Npy.read(p)));
    return arrays;
  }

  /** Where the data came from (a file or directory), or null. */
  public String source() {
    return source;
  }

  /** The number of examples: every array's first dimension. */
  public int examples() {
    return examples;
  }

  /** The arrays' names, in order. */
  public List<String> names() {
    return new ArrayList<>(arrays.keySet());
  }

  /**
   * The array named {@code name}.
   *
   * @throws SchemaException naming the blob and the data if there is none
   */
  public Tensor array(String name) {
    Tensor t = arrays.get(name);
    if (t == null) {
      throw (SchemaException) new SchemaException("the data has no array named '" + name + "' (it has "
          + String.join(", ", arrays.keySet()) + ")").atBlob(name).atFile(source);
    }
    return t;
  }

  /**
   * The dataset of these arrays only, in this order: the inputs of a net, for example.
   *
   * @throws SchemaException naming the first missing blob, the data and the arrays it has
   */
  public Dataset select(Collection<String> names) {
    Map<String, Tensor> chosen = new LinkedHashMap<>();
    for (String name : names) {
      chosen.put(name, array(name));
    }
    return of(chosen, source);
  }

  /** A feeder of batches of {@code size} examples, in order, wrapping around (see the class doc). */
  public BatchFeeder batches(int size) {
    return new DatasetBatches(this, size, false, 0);
  }

  /**
   * A feeder of batches of {@code size} examples, in a new order for each pass over the data, drawn from
   * {@code seed} (see the class doc).
   */
  public BatchFeeder batches(int size, long seed) {
    return new DatasetBatches(this, size, true, seed);
  }

  Map<String, Tensor> arrays() {
    return arrays;
  }
}
