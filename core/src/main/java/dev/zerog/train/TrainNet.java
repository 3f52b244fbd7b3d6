package dev.zerog.train;

import dev.zerog.proto.Caffe2.NetDef;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A train net made from a predict net by {@link TrainNets#fromPredictNet}.
 *
 * @param net the train net: the forward ops in training mode, ending in SoftmaxWithLoss
 * @param label the label blob the caller feeds (INT32 or INT64 classes, one per example)
 * @param softmax the blob holding the class probabilities (the predict net's Softmax output when it had one)
 * @param loss the loss blob: a scalar, the average cross-entropy over the batch; differentiate this one
 * @param renamed blobs of the predict net whose final value now has another name, because an in-place op
 *     overwrote a version a gradient needs (old name to new name); empty for most nets
 */
public record TrainNet(NetDef net, String label, String softmax, String loss, Map<String, String> renamed) {
  /** Keeps {@code renamed} in order, unmodifiable. */
  public TrainNet {
    renamed = Collections.unmodifiableMap(new LinkedHashMap<>(renamed));
  }

  /** The name a blob of the predict net has in the train net (itself unless renamed). */
  public String blob(String predictNetName) {
    return renamed.getOrDefault(predictNetName, predictNetName);
  }
}
