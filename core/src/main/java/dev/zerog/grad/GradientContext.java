package dev.zerog.grad;

import dev.zerog.GradientException;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.OperatorDef;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a {@link GradientMaker} sees of one forward op, and where it records the gradients of the op's
 * inputs. The helpers carry Caffe2's names: {@code I(i)} and {@code O(i)} name the forward op's blobs,
 * {@code GO(i)} the gradient of output i, {@code GI(i)} declares (and names) the dense gradient of input i as
 * {@code <input>_grad}; {@code GI_I}/{@code GI_V} and {@code GO_I}/{@code GO_V} do the same for sparse
 * gradients; {@link #setDense} and {@link #setSparse} declare pass-through gradients, an output gradient
 * used as an input gradient with no op at all.
 */
@SuppressWarnings("checkstyle:MethodName")
public final class GradientContext {
  private final OperatorDef def;
  private final List<GradientBlob> gOutput;
  private final GradientBlob[] gInput;

  /**
   * @param def the forward op
   * @param gOutput the gradient of each output, null where an output has none
   */
  public GradientContext(OperatorDef def, List<GradientBlob> gOutput) {
    this.def = def;
    this.gOutput = new ArrayList<>(gOutput);
    this.gInput = new GradientBlob[def.getInputCount()];
  }

  /** The forward op. */
  public OperatorDef def() {
    return def;
  }

  /** The name of forward input {@code i}; a GradientException when the op has no such input. */
  public String I(int i) {
    return def.getInput(checkInput(i));
  }

  /** The name of forward output {@code i}; a GradientException when the op has no such output. */
  public String O(int i) {
    return def.getOutput(checkOutput(i));
  }

  /**
   * Checks that the forward op has input {@code i}: a gradient maker that needs more inputs than a hostile NetDef
   * gives its op must fail with an error that says so, not an IndexOutOfBoundsException.
   */
  private int checkInput(int i) {
    if (i < 0 || i >= def.getInputCount()) {
      throw new GradientException(def.getType() + "'s gradient needs input " + i + ", but the op has "
          + def.getInputCount() + " input" + (def.getInputCount() == 1 ? "" : "s"));
    }
    return i;
  }

  /** Checks that the forward op has output {@code i} (see {@link #checkInput}). */
  private int checkOutput(int i) {
    if (i < 0 || i >= def.getOutputCount() || i >= gOutput.size()) {
      throw new GradientException(def.getType() + "'s gradient needs output " + i + ", but the op has "
          + def.getOutputCount() + " output" + (def.getOutputCount() == 1 ? "" : "s"));
    }
    return i;
  }

  /** The number of forward inputs. */
  public int inputCount() {
    return def.getInputCount();
  }

  /** The number of forward outputs. */
  public int outputCount() {
    return def.getOutputCount();
  }

  /** Declares the dense gradient of input {@code i}, {@code <input>_grad}, and returns its name. */
  public String GI(int i) {
    checkInput(i);
    requireNotSparse(i);
    String name = I(i) + "_grad";
    gInput[i] = GradientBlob.dense(name);
    return name;
  }

  /** Declares input {@code i}'s gradient sparse and returns the indices blob name, {@code <input>_grad_indices}. */
  public String GI_I(int i) {
    checkInput(i);
    requireNotDense(i);
    String idx = I(i) + "_grad_indices";
    String val = gInput[i] != null ? gInput[i].values() : I(i) + "_grad_values";
    gInput[i] = GradientBlob.sparse(idx, val);
    return idx;
  }

  /** Declares input {@code i}'s gradient sparse and returns the values blob name, {@code <input>_grad_values}. */
  public String GI_V(int i) {
    checkInput(i);
    requireNotDense(i);
    String idx = gInput[i] != null ? gInput[i].indices() : I(i) + "_grad_indices";
    String val = I(i) + "_grad_values";
    gInput[i] = GradientBlob.sparse(idx, val);
    return val;
  }

  private void requireNotSparse(int i) {
    if (gInput[i] != null && gInput[i].isSparse()) {
      throw (GradientException) new GradientException("Input " + I(i) + " already set to sparse.").atBlob(I(i));
    }
  }

  private void requireNotDense(int i) {
    if (gInput[i] != null && !gInput[i].isSparse()) {
      throw (GradientException) new GradientException("Input " + I(i) + " already set to dense.").atBlob(I(i));
    }
  }

  /** True if output {@code i} has a gradient. */
  public boolean hasGO(int i) {
    return gOutput.get(checkOutput(i)) != null;
  }

  /** The gradient of output {@code i}, or null. */
  public GradientBlob gradientOfOutput(int i) {
    return gOutput.get(checkOutput(i));
  }

  /** The dense gradient of output {@code i}; an error if it is sparse or missing (check with {@link #hasGO}). */
  public String GO(int i) {
    GradientBlob g = gOutput.get(checkOutput(i));
    if (g == null || g.isSparse()) {
      throw (GradientException) new GradientException("Gradient of output " + O(i)
          + " is either sparse or not provided; " + def.getType() + "'s gradient needs it dense").atBlob(O(i));
    }
    return g.dense();
  }

  /** The indices blob of output {@code i}'s sparse gradient; an error if it is dense or missing. */
  public String GO_I(int i) {
    return sparseOutput(i).indices();
  }

  /** The values blob of output {@code i}'s sparse gradient; an error if it is dense or missing. */
  public String GO_V(int i) {
    return sparseOutput(i).values();
  }

  private GradientBlob sparseOutput(int i) {
    GradientBlob g = gOutput.get(checkOutput(i));
    if (g == null || !g.isSparse()) {
      throw (GradientException) new GradientException("Gradient of output " + O(i)
          + " is either dense or not provided; " + def.getType() + "'s gradient needs a GradientSlice")
          .atBlob(O(i));
    }
    return g;
  }

  /** A pass-through gradient: input {@code i}'s gradient is the dense blob {@code name}. */
  public void setDense(int i, String name) {
    checkInput(i);
    requireNotSparse(i);
    gInput[i] = GradientBlob.dense(name);
  }

  /** A pass-through gradient: input {@code i}'s gradient is the GradientSlice (indices, values). */
  public void setSparse(int i, String indices, String values) {
    checkInput(i);
    requireNotDense(i);
    gInput[i] = GradientBlob.sparse(indices, values);
  }

  /** The recorded input gradients (null where none), one per forward input. */
  public List<GradientBlob> inputGradients() {
    return Arrays.asList(gInput.clone());
  }

  /** A gradient op of the given type (no name, no engine; the builder adds device, engine and arguments). */
  public static OperatorDef op(String type, List<String> inputs, List<String> outputs, Argument... args) {
    OperatorDef.Builder b = OperatorDef.newBuilder().setType(type).addAllInput(inputs).addAllOutput(outputs);
    for (Argument a : args) {
      b.addArg(a);
    }
    return b.build();
  }

  /** The single-op shortcut (Caffe2's SingleGradientDef): a list of one {@link #op}. */
  public static List<OperatorDef> single(String type, List<String> inputs, List<String> outputs,
      Argument... args) {
    return List.of(op(type, inputs, outputs, args));
  }
}
