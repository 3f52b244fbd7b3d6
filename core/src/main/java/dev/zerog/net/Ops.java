package dev.zerog.net;

import com.google.protobuf.ByteString;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.OperatorDef;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * Operators and their arguments built in Java, the counterpart of Caffe2's {@code core.CreateOperator}: a type, the
 * input and output blobs, and arguments made by the methods below (an integer, a float, a string, or a list of
 * them).
 *
 * <pre>{@code
 * OperatorDef fc = Ops.create("FC", List.of("X", "W", "b"), List.of("Y"), Ops.arg("axis", 1));
 * OperatorDef zeros = Ops.create("ConstantFill", List.of(), List.of("Z"), Ops.ints("shape", 2, 3),
 *     Ops.arg("value", 0f));
 * OperatorDef zeroGradient = Ops.create("ZeroGradient", List.of("W"), List.of());
 * }</pre>
 *
 * <p>Nothing is checked here beyond non-null names: a net is validated against the operators' schemas when it is
 * created ({@link Net#create}).
 */
public final class Ops {
  private Ops() {}

  /** An operator of {@code type} reading {@code inputs} and writing {@code outputs}, with {@code args}. */
  public static OperatorDef create(String type, List<String> inputs, List<String> outputs, Argument... args) {
    Objects.requireNonNull(type, "type");
    return OperatorDef.newBuilder().setType(type).addAllInput(inputs).addAllOutput(outputs)
        .addAllArg(List.of(args)).build();
  }

  /** An integer argument ({@code i}). */
  public static Argument arg(String name, long value) {
    return named(name).setI(value).build();
  }

  /** A float argument ({@code f}). */
  public static Argument arg(String name, float value) {
    return named(name).setF(value).build();
  }

  /** A float argument ({@code f}); Caffe2 keeps floats in single precision. */
  public static Argument arg(String name, double value) {
    return named(name).setF((float) value).build();
  }

  /** A string argument ({@code s}, UTF-8). */
  public static Argument arg(String name, String value) {
    return named(name).setS(ByteString.copyFrom(value, StandardCharsets.UTF_8)).build();
  }

  /** A list of integers ({@code ints}), such as a {@code shape}. */
  public static Argument ints(String name, long... values) {
    Argument.Builder b = named(name);
    for (long v : values) {
      b.addInts(v);
    }
    return b.build();
  }

  /** A list of floats ({@code floats}). */
  public static Argument floats(String name, float... values) {
    Argument.Builder b = named(name);
    for (float v : values) {
      b.addFloats(v);
    }
    return b.build();
  }

  /** A list of strings ({@code strings}, UTF-8). */
  public static Argument strings(String name, String... values) {
    Argument.Builder b = named(name);
    for (String v : values) {
      b.addStrings(ByteString.copyFrom(v, StandardCharsets.UTF_8));
    }
    return b.build();
  }

  private static Argument.Builder named(String name) {
    return Argument.newBuilder().setName(Objects.requireNonNull(name, "name"));
  }
}
