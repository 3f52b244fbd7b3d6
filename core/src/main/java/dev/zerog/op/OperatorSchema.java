package dev.zerog.op;

import dev.zerog.proto.Caffe2.OperatorDef;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.IntPredicate;

/**
 * What an operator type promises, declared as data beside the operator (as Caffe2's OPERATOR_SCHEMA): how
 * many inputs and outputs it takes, which input may share a blob with which output (in place), which must,
 * its documentation, the arguments it reads with their types, and an optional shape and type inference.
 *
 * <p>Three declarations serve the zero-aware backward pass (docs/zero-aware.md): where the operator is linear
 * ({@link #linearities}), which outputs it can skip computing ({@link #canSkipOutput}), and what a run costs
 * ({@link #flops()}).
 *
 * <p>Immutable; build one with {@link #builder(String)}.
 */
public final class OperatorSchema {
  /** A documented input or output. */
  public record Param(String name, String doc) {}

  /** A documented argument and the kind of value it must hold. */
  public record Arg(String name, ArgType type, String doc) {}

  /** An (input index, output index) pair. */
  public record InPlace(int input, int output) {}

  private final String type;
  private final Arity inputs;
  private final Arity outputs;
  private final List<InPlace> allowInPlace;
  private final boolean allowOneToOneInPlace;
  private final List<InPlace> enforceInPlace;
  private final String doc;
  private final List<Param> inputDocs;
  private final List<Param> outputDocs;
  private final List<Arg> args;
  private final TypeInference inference;
  private final List<LinearityRule> linearityRules;
  private final SkippableOutputs skippableOutputs;
  private final FlopEstimate flops;

  private OperatorSchema(Builder b) {
    this.type = b.type;
    this.inputs = b.inputs;
    this.outputs = b.outputs;
    this.allowInPlace = List.copyOf(b.allowInPlace);
    this.allowOneToOneInPlace = b.allowOneToOneInPlace;
    this.enforceInPlace = List.copyOf(b.enforceInPlace);
    this.doc = b.doc;
    this.inputDocs = List.copyOf(b.inputDocs);
    this.outputDocs = List.copyOf(b.outputDocs);
    this.args = List.copyOf(b.args);
    this.inference = b.inference;
    this.linearityRules = List.copyOf(b.linearityRules);
    this.skippableOutputs = b.skippableOutputs;
    this.flops = b.flops;
  }

  /** A builder for the schema of operator type {@code type}. */
  public static Builder builder(String type) {
    return new Builder(type);
  }

  /** The operator type, as NetDefs name it ("ConstantFill"). */
  public String type() {
    return type;
  }

  /** The allowed input counts. */
  public Arity inputs() {
    return inputs;
  }

  /** The allowed output counts. */
  public Arity outputs() {
    return outputs;
  }

  /** True if input {@code in} may be the same blob as output {@code out}. */
  public boolean allowsInPlace(int in, int out) {
    if (allowOneToOneInPlace && in == out) {
      return true;
    }
    return allowInPlace.contains(new InPlace(in, out)) || enforceInPlace.contains(new InPlace(in, out));
  }

  /** The pairs that must be the same blob. */
  public List<InPlace> enforcedInPlace() {
    return enforceInPlace;
  }

  /** The explicitly allowed in-place pairs (not counting one-to-one). */
  public List<InPlace> allowedInPlace() {
    return allowInPlace;
  }

  /** True if every input i may share its blob with output i. */
  public boolean allowsOneToOneInPlace() {
    return allowOneToOneInPlace;
  }

  /** What the operator does: its math and semantics. */
  public String doc() {
    return doc;
  }

  /** The documented inputs, in order. */
  public List<Param> inputDocs() {
    return inputDocs;
  }

  /** The documented outputs, in order. */
  public List<Param> outputDocs() {
    return outputDocs;
  }

  /** The documented arguments; their types are checked when a net is created. */
  public List<Arg> args() {
    return args;
  }

  /** The shape and type inference, or null when the operator has none. */
  public TypeInference inference() {
    return inference;
  }

  /** True if the operator declares at least one linearity. */
  public boolean declaresLinearity() {
    return !linearityRules.isEmpty();
  }

  /**
   * The linearities of {@code def}: each names inputs in which the op is linear together, and the outputs that
   * are zero when those inputs are all zero. Declarations whose positions do not exist for {@code def}'s input
   * and output counts are left out. Empty when the operator declares none.
   */
  public List<Linearity> linearities(OperatorDef def) {
    if (linearityRules.isEmpty()) {
      return List.of();
    }
    List<Linearity> out = new ArrayList<>(linearityRules.size());
    for (LinearityRule rule : linearityRules) {
      for (Linearity l : rule.linearities(def)) {
        if (fits(l, def)) {
          out.add(l);
        }
      }
    }
    return out;
  }

  private static boolean fits(Linearity l, OperatorDef def) {
    if (l.inputs().isEmpty()) {
      return false;
    }
    for (int i : l.inputs()) {
      if (i < 0 || i >= def.getInputCount()) {
        return false;
      }
    }
    for (int o : l.outputs()) {
      if (o < 0 || o >= def.getOutputCount()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Which outputs of {@code def} are certainly zero when the inputs for which {@code inputIsZero} holds are zero
   * (and nothing is known of the others), by the declared linearities: output k is zero if some linearity whose
   * inputs are all zero lists it.
   */
  public boolean[] zeroOutputs(OperatorDef def, IntPredicate inputIsZero) {
    boolean[] zero = new boolean[def.getOutputCount()];
    for (Linearity l : linearities(def)) {
      boolean all = true;
      for (int i : l.inputs()) {
        if (!inputIsZero.test(i)) {
          all = false;
          break;
        }
      }
      if (all) {
        for (int o : l.outputs()) {
          zero[o] = true;
        }
      }
    }
    return zero;
  }

  /**
   * True if {@code def} may run without its output {@code output} and every output after it (see
   * {@link SkippableOutputs}); the count left must be one the schema accepts.
   */
  public boolean canSkipOutput(OperatorDef def, int output) {
    return skippableOutputs != null && output >= 0 && output < def.getOutputCount() && outputs.accepts(output)
        && skippableOutputs.skippable(def, output);
  }

  /** The estimate of what one run costs, or null when the operator declares none. */
  public FlopEstimate flops() {
    return flops;
  }

  /** The full documentation as plain text: the doc, then inputs, outputs and arguments. */
  public String fullDoc() {
    StringBuilder sb = new StringBuilder(doc.strip()).append('\n');
    if (!inputDocs.isEmpty()) {
      sb.append("\nInputs:\n");
      for (int i = 0; i < inputDocs.size(); i++) {
        sb.append("  ").append(i).append(' ').append(inputDocs.get(i).name()).append(": ")
            .append(inputDocs.get(i).doc()).append('\n');
      }
    }
    if (!outputDocs.isEmpty()) {
      sb.append("\nOutputs:\n");
      for (int i = 0; i < outputDocs.size(); i++) {
        sb.append("  ").append(i).append(' ').append(outputDocs.get(i).name()).append(": ")
            .append(outputDocs.get(i).doc()).append('\n');
      }
    }
    if (!args.isEmpty()) {
      sb.append("\nArguments:\n");
      for (Arg a : args) {
        sb.append("  ").append(a.name()).append(" (").append(a.type().name().toLowerCase(java.util.Locale.ROOT))
            .append("): ").append(a.doc()).append('\n');
      }
    }
    return sb.toString();
  }

  /** Builds an {@link OperatorSchema}. */
  public static final class Builder {
    private final String type;
    private Arity inputs = Arity.exactly(0);
    private Arity outputs = Arity.exactly(0);
    private final List<InPlace> allowInPlace = new ArrayList<>();
    private boolean allowOneToOneInPlace;
    private final List<InPlace> enforceInPlace = new ArrayList<>();
    private String doc = "";
    private final List<Param> inputDocs = new ArrayList<>();
    private final List<Param> outputDocs = new ArrayList<>();
    private final List<Arg> args = new ArrayList<>();
    private TypeInference inference;
    private final List<LinearityRule> linearityRules = new ArrayList<>();
    private SkippableOutputs skippableOutputs;
    private FlopEstimate flops;

    private Builder(String type) {
      this.type = Objects.requireNonNull(type, "type");
    }

    /** Exactly {@code n} inputs. */
    public Builder inputs(int n) {
      return inputs(Arity.exactly(n));
    }

    /** The allowed input counts. */
    public Builder inputs(Arity arity) {
      this.inputs = Objects.requireNonNull(arity);
      return this;
    }

    /** Exactly {@code n} outputs. */
    public Builder outputs(int n) {
      return outputs(Arity.exactly(n));
    }

    /** The allowed output counts. */
    public Builder outputs(Arity arity) {
      this.outputs = Objects.requireNonNull(arity);
      return this;
    }

    /** Input {@code in} may share its blob with output {@code out}. */
    public Builder allowInPlace(int in, int out) {
      allowInPlace.add(new InPlace(in, out));
      return this;
    }

    /** Every input i may share its blob with output i. */
    public Builder allowOneToOneInPlace() {
      allowOneToOneInPlace = true;
      return this;
    }

    /** Input {@code in} must be the same blob as output {@code out}. */
    public Builder enforceInPlace(int in, int out) {
      enforceInPlace.add(new InPlace(in, out));
      return this;
    }

    /** The operator's documentation: what it computes, the math. */
    public Builder doc(String doc) {
      this.doc = Objects.requireNonNull(doc);
      return this;
    }

    /** Documents the next input. */
    public Builder input(String name, String doc) {
      inputDocs.add(new Param(name, doc));
      return this;
    }

    /** Documents the next output. */
    public Builder output(String name, String doc) {
      outputDocs.add(new Param(name, doc));
      return this;
    }

    /** Declares and documents an argument; its type is checked when a net is created. */
    public Builder arg(String name, ArgType type, String doc) {
      args.add(new Arg(name, type, doc));
      return this;
    }

    /** The shape and type inference. */
    public Builder inference(TypeInference inference) {
      this.inference = inference;
      return this;
    }

    /**
     * Declares the operator linear in these inputs taken together (negative positions count from the end, -1
     * being the last input): when all of them are zero, every output is zero. Call once per linearity; for
     * {@code Mul}, {@code linearIn(0).linearIn(1)}.
     */
    public Builder linearIn(int... inputs) {
      int[] positions = inputs.clone();
      if (positions.length == 0) {
        throw new IllegalArgumentException("a linearity needs at least one input");
      }
      return linearity(def -> {
        int n = def.getInputCount();
        List<Integer> in = new ArrayList<>(positions.length);
        for (int p : positions) {
          int i = p < 0 ? n + p : p;
          if (!in.contains(i)) {
            in.add(i);
          }
        }
        Collections.sort(in);
        return List.of(new Linearity(in, allOutputs(def)));
      });
    }

    /** Declares the operator linear in all its inputs together (as Sum): when all are zero, every output is. */
    public Builder linearInEveryInput() {
      return linearity(def -> {
        List<Integer> in = new ArrayList<>(def.getInputCount());
        for (int i = 0; i < def.getInputCount(); i++) {
          in.add(i);
        }
        return in.isEmpty() ? List.of() : List.of(new Linearity(in, allOutputs(def)));
      });
    }

    /** Declares linearities that depend on the op (its counts or arguments). */
    public Builder linearity(LinearityRule rule) {
      linearityRules.add(Objects.requireNonNull(rule, "rule"));
      return this;
    }

    private static List<Integer> allOutputs(OperatorDef def) {
      List<Integer> out = new ArrayList<>(def.getOutputCount());
      for (int k = 0; k < def.getOutputCount(); k++) {
        out.add(k);
      }
      return out;
    }

    /** Declares that these outputs may be skipped, from the end of the output list (see {@link SkippableOutputs}). */
    public Builder skippableOutputs(int... outputs) {
      int[] positions = outputs.clone();
      return skippableOutputs((def, output) -> {
        for (int p : positions) {
          if (p == output) {
            return true;
          }
        }
        return false;
      });
    }

    /** Declares which outputs may be skipped, depending on the op. */
    public Builder skippableOutputs(SkippableOutputs rule) {
      this.skippableOutputs = Objects.requireNonNull(rule, "rule");
      return this;
    }

    /** Declares the estimate of what one run costs. */
    public Builder flops(FlopEstimate estimate) {
      this.flops = Objects.requireNonNull(estimate, "estimate");
      return this;
    }

    /** The immutable schema. */
    public OperatorSchema build() {
      return new OperatorSchema(this);
    }
  }

  @Override
  public String toString() {
    return "OperatorSchema(" + type + ", inputs " + inputs + ", outputs " + outputs + ")";
  }

  /** The schemas sorted by type, for listings. */
  public static List<OperatorSchema> sorted(java.util.Collection<OperatorSchema> schemas) {
    List<OperatorSchema> out = new ArrayList<>(schemas);
    out.sort((a, b) -> a.type().compareTo(b.type()));
    return Collections.unmodifiableList(out);
  }
}
