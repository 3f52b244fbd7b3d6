package dev.zerog.net;

import dev.zerog.op.BlobType;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link ShapeInference} found out about a net: the type and shape of every blob, where each came from,
 * and what it could not say.
 *
 * @param blobs every blob the net reads or writes, in the order it first appears (given inputs and init-net
 *     blobs the net reads first, then each op's outputs), with its type after the last op that writes it
 * @param origins for each blob of {@code blobs}, where its type comes from: {@code "input"} (given by the
 *     caller), {@code "init"} (written by the init net) or {@code "op #i (Type)"} (the last op of the net that
 *     writes it); {@code "unknown"} for a blob nothing gives
 * @param opOutputs for each op of the net, in order, the types of its outputs as that op wrote them
 * @param uninferred the ops whose output types are unknown because their operator type has no shape
 *     inference (of the init net too), in the order met
 * @param unknownInputs the blobs the net reads that nobody gives: not an input, not written by the init net nor
 *     by an earlier op
 */
public record NetShapes(Map<String, BlobType> blobs, Map<String, String> origins, List<List<BlobType>> opOutputs,
    List<Uninferred> uninferred, List<String> unknownInputs) {

  /** Copies everything into immutable collections (the maps keep their order). */
  public NetShapes {
    blobs = Collections.unmodifiableMap(new LinkedHashMap<>(blobs));
    origins = Collections.unmodifiableMap(new LinkedHashMap<>(origins));
    opOutputs = opOutputs.stream().map(List::copyOf).toList();
    uninferred = List.copyOf(uninferred);
    unknownInputs = List.copyOf(unknownInputs);
  }

  /**
   * An op whose outputs shape inference could not give, because its type declares no inference.
   *
   * @param net {@code "net"} or {@code "init"}: which of the two nets holds the op
   * @param index the op's index in that net
   * @param type the op's type
   * @param outputs the op's outputs, whose types are therefore unknown
   */
  public record Uninferred(String net, int index, String type, List<String> outputs) {
    /** Copies the outputs. */
    public Uninferred {
      outputs = List.copyOf(outputs);
    }

    /** "op #3 (Foo) of the init net has no shape inference; unknown: a, b". */
    public String describe() {
      return "op #" + index + " (" + type + ")" + ("init".equals(net) ? " of the init net" : "")
          + " has no shape inference; its outputs are unknown: " + String.join(", ", outputs);
    }
  }

  /** The type of a blob, or {@link BlobType#UNKNOWN} when the net does not have it. */
  public BlobType type(String blob) {
    return blobs.getOrDefault(blob, BlobType.UNKNOWN);
  }

  /** The dims of a blob, or null when they are not known. */
  public long[] dims(String blob) {
    return type(blob).dims();
  }

  /** True if every blob's type and shape are known. */
  public boolean isComplete() {
    return blobs.values().stream().allMatch(BlobType::isKnown);
  }
}
