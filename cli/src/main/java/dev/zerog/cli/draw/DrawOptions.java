package dev.zerog.cli.draw;

import dev.zerog.op.BlobType;
import dev.zerog.proto.Caffe2.NetDef;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link NetDrawing} draws besides the net itself.
 *
 * <pre>{@code
 * DrawOptions options = DrawOptions.builder()
 *     .losses(List.of("loss"))            // draw the backward pass zerog builds for this loss
 *     .initNet(init)                       // the blobs it writes are the parameters
 *     .freeze(List.of("conv1_*"))          // these are frozen: their gradient ops are drawn as pruned
 *     .prune(true)                         // and so is everything the zero-aware pass removes
 *     .build();
 * }</pre>
 *
 * @param losses the losses whose backward pass is drawn after the net; empty to draw the net as given, with the
 *     ops marked {@code is_gradient_op} (and the accumulation ops and initial gradients the builder adds) drawn as
 *     the backward pass
 * @param freeze globs over the parameters ({@code *} and {@code ?}): these parameters are drawn frozen, and, with
 *     losses, the gradient ops only they need are drawn as pruned
 * @param prune with losses, draw what the zero-aware backward pass removes (known zeros propagated, only the
 *     parameters' gradients computed) as pruned
 * @param initNet the init net, or null: the blobs it writes are the parameters, and its shapes feed the labels
 * @param parameters the parameters by name, or null to take them from {@code initNet} (without an init net: the
 *     net's inputs that no op of it writes, when {@code freeze} or {@code prune} needs parameters, else none)
 * @param inputTypes types and shapes of input blobs, for the shapes in blob labels
 * @param title the drawing's title, or null for the net's name
 */
public record DrawOptions(List<String> losses, List<String> freeze, boolean prune, NetDef initNet,
    List<String> parameters, Map<String, BlobType> inputTypes, String title) {

  /** Copies the collections; null lists and maps become empty ({@code parameters} stays null). */
  public DrawOptions {
    losses = losses == null ? List.of() : List.copyOf(losses);
    freeze = freeze == null ? List.of() : List.copyOf(freeze);
    parameters = parameters == null ? null : List.copyOf(parameters);
    inputTypes = inputTypes == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(inputTypes));
  }

  /** Draw the net as given: no backward pass added, nothing frozen or pruned. */
  public static DrawOptions defaults() {
    return builder().build();
  }

  /** A builder, starting from {@link #defaults()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link DrawOptions}; every setter is optional. */
  public static final class Builder {
    private final List<String> losses = new ArrayList<>();
    private final List<String> freeze = new ArrayList<>();
    private boolean prune;
    private NetDef initNet;
    private List<String> parameters;
    private final Map<String, BlobType> inputTypes = new LinkedHashMap<>();
    private String title;

    private Builder() {}

    /** The losses whose backward pass is drawn (replacing any given before). */
    public Builder losses(List<String> losses) {
      this.losses.clear();
      this.losses.addAll(Objects.requireNonNull(losses, "losses"));
      return this;
    }

    /** The globs of the frozen parameters (replacing any given before). */
    public Builder freeze(List<String> patterns) {
      this.freeze.clear();
      this.freeze.addAll(Objects.requireNonNull(patterns, "patterns"));
      return this;
    }

    /** Whether to draw what the zero-aware backward pass removes as pruned. */
    public Builder prune(boolean prune) {
      this.prune = prune;
      return this;
    }

    /** The init net (null for none). */
    public Builder initNet(NetDef initNet) {
      this.initNet = initNet;
      return this;
    }

    /** The parameters by name (null to derive them, see {@link DrawOptions#parameters()}). */
    public Builder parameters(List<String> parameters) {
      this.parameters = parameters == null ? null : new ArrayList<>(parameters);
      return this;
    }

    /** Types of input blobs, for the shapes in labels (replacing any given before). */
    public Builder inputTypes(Map<String, BlobType> types) {
      this.inputTypes.clear();
      this.inputTypes.putAll(Objects.requireNonNull(types, "types"));
      return this;
    }

    /** The title (null for the net's name). */
    public Builder title(String title) {
      this.title = title;
      return this;
    }

    /** The options. */
    public DrawOptions build() {
      return new DrawOptions(losses, freeze, prune, initNet, parameters, inputTypes, title);
    }
  }
}
