package dev.zerog.cli;

import dev.zerog.op.BlobType;
import dev.zerog.tensor.DataType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The {@code --shape NAME=[TYPE:]DIMS} option of {@code shapes}, {@code check} and {@code audit}, as a picocli
 * mixin: the type and shape of a blob the net reads, for shape inference. A malformed value is a usage error.
 */
final class InputShapes {
  @Option(names = "--shape", paramLabel = "NAME=[TYPE:]DIMS",
      description = "The type and shape of an input blob: dims comma-separated (none for a scalar), after an "
          + "optional type (default FLOAT), e.g. data=1,3,224,224 or label=int32:8 (repeatable).")
  List<String> specs = new ArrayList<>();

  /** The blobs' types, in the order given; a usage error for a malformed or repeated value. */
  Map<String, BlobType> types(CommandSpec spec) {
    return types(spec, List.of());
  }

  /** The same, with values given under an older spelling of the option too. */
  Map<String, BlobType> types(CommandSpec spec, List<String> legacySpecs) {
    List<String> all = new ArrayList<>(specs);
    all.addAll(legacySpecs);
    Map<String, BlobType> types = new LinkedHashMap<>();
    for (String s : all) {
      String name;
      BlobType type;
      try {
        int eq = s.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("expected NAME=[TYPE:]DIMS");
        }
        name = s.substring(0, eq);
        type = parse(s.substring(eq + 1));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "bad --shape '" + s + "': " + e.getMessage()
            + " (for example data=1,3,224,224 or label=int32:8)");
      }
      if (types.put(name, type) != null) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--shape '" + name + "' is given twice");
      }
    }
    return types;
  }

  /**
   * {@code 1,3,224,224}, {@code int32:8}, {@code float:} (a scalar); also {@code 8:INT32}, the form {@code audit}
   * used to read.
   */
  static BlobType parse(String text) {
    DataType dtype = DataType.FLOAT;
    String dims = text;
    int colon = text.indexOf(':');
    if (colon >= 0) {
      String before = text.substring(0, colon);
      String after = text.substring(colon + 1);
      DataType prefix = typeOrNull(before);
      DataType suffix = prefix == null ? typeOrNull(after) : null;
      if (prefix != null) {
        dtype = prefix;
        dims = after;
      } else if (suffix != null && !before.isBlank()) {
        dtype = suffix;
        dims = before;
      } else {
        throw new IllegalArgumentException("unknown type '" + before + "'");
      }
    }
    if (dims.isBlank()) {
      return BlobType.of(dtype);
    }
    String[] parts = dims.split(",", -1);
    long[] d = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        d[i] = Long.parseLong(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + parts[i] + "' is not a dimension");
      }
      if (d[i] < 0) {
        throw new IllegalArgumentException("a dimension cannot be negative: " + d[i]);
      }
    }
    return BlobType.of(dtype, d);
  }

  private static DataType typeOrNull(String name) {
    String upper = name.trim().toUpperCase(Locale.ROOT);
    if (upper.isEmpty() || !Character.isLetter(upper.charAt(0))) {
      return null;
    }
    try {
      return DataType.valueOf(upper);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
