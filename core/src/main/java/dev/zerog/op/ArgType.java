package dev.zerog.op;

import dev.zerog.proto.Caffe2.Argument;

/** The kind of value an operator argument holds, by the {@link Argument} field it is stored in. */
public enum ArgType {
  /** A single float ({@code f}). */
  FLOAT,
  /** A single integer ({@code i}); booleans are integers 0 and 1. */
  INT,
  /** A single float or integer ({@code f} or {@code i}). */
  NUMBER,
  /**
   * A single value of any kind ({@code f}, {@code i} or {@code s}), as ConstantFill's {@code value}, which is a
   * string for a STRING fill; the operator checks that the kind fits.
   */
  SCALAR,
  /** A single string ({@code s}). */
  STRING,
  /** A list of floats ({@code floats}). */
  FLOATS,
  /** A list of integers ({@code ints}). */
  INTS,
  /** A list of strings ({@code strings}). */
  STRINGS,
  /**
   * A list of any kind ({@code floats}, {@code ints} or {@code strings}), as GivenTensorFill's {@code values},
   * whose field depends on its {@code dtype}; the operator checks that the kind fits.
   */
  LIST;

  /** True if {@code arg} stores a value of this kind. */
  public boolean matches(Argument arg) {
    switch (this) {
      case FLOAT:
        return arg.hasF();
      case INT:
        return arg.hasI();
      case NUMBER:
        return arg.hasF() || arg.hasI();
      case SCALAR:
        return arg.hasF() || arg.hasI() || arg.hasS();
      case STRING:
        return arg.hasS();
      case FLOATS:
        return arg.getFloatsCount() > 0 || isEmptyList(arg);
      case INTS:
        return arg.getIntsCount() > 0 || isEmptyList(arg);
      case STRINGS:
        return arg.getStringsCount() > 0 || isEmptyList(arg);
      case LIST:
        return arg.getFloatsCount() > 0 || arg.getIntsCount() > 0 || arg.getStringsCount() > 0
            || isEmptyList(arg);
      default:
        throw new AssertionError(this);
    }
  }

  private static boolean isEmptyList(Argument arg) {
    return !arg.hasF() && !arg.hasI() && !arg.hasS() && !arg.hasT() && !arg.hasN()
        && arg.getFloatsCount() == 0 && arg.getIntsCount() == 0 && arg.getStringsCount() == 0
        && arg.getTensorsCount() == 0 && arg.getNetsCount() == 0 && arg.getQtensorsCount() == 0;
  }

  /** Which field {@code arg} actually uses, for error messages ("i", "floats", "nothing", ...). */
  public static String describe(Argument arg) {
    if (arg.hasF()) {
      return "a float (f)";
    }
    if (arg.hasI()) {
      return "an integer (i)";
    }
    if (arg.hasS()) {
      return "a string (s)";
    }
    if (arg.getFloatsCount() > 0) {
      return "a float list (floats)";
    }
    if (arg.getIntsCount() > 0) {
      return "an integer list (ints)";
    }
    if (arg.getStringsCount() > 0) {
      return "a string list (strings)";
    }
    if (arg.hasT() || arg.getTensorsCount() > 0) {
      return "a tensor";
    }
    if (arg.hasN() || arg.getNetsCount() > 0) {
      return "a net";
    }
    return "no value";
  }

  /** How this kind reads in an error message. */
  public String expected() {
    switch (this) {
      case FLOAT:
        return "a float (f)";
      case INT:
        return "an integer (i)";
      case NUMBER:
        return "a number (f or i)";
      case SCALAR:
        return "a single value (f, i or s)";
      case STRING:
        return "a string (s)";
      case FLOATS:
        return "a float list (floats)";
      case INTS:
        return "an integer list (ints)";
      case STRINGS:
        return "a string list (strings)";
      case LIST:
        return "a list (floats, ints or strings)";
      default:
        throw new AssertionError(this);
    }
  }
}
