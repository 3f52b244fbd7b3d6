package dev.zerog.train;

import dev.zerog.SchemaException;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Turns a predict (inference) net into a train net, as one would rebuild it for training with Caffe2's model
 * helpers. A pure NetDef transformation.
 *
 * <ol>
 *   <li><b>SpatialBN</b> gets {@code is_test: 0} and the outputs training needs: the running mean and variance,
 *       updated in place (the op's inputs 3 and 4), and the saved mean and inverse standard deviation,
 *       {@code <Y>_sm} and {@code <Y>_siv} (the names Caffe2's {@code brew.spatial_bn} gives them).</li>
 *   <li><b>Dropout</b> gets {@code is_test: 0} and, when it has none, its mask output {@code _<Y>_mask}.</li>
 *   <li><b>The loss.</b> When the net's last op is a Softmax, it is replaced by
 *       {@code SoftmaxWithLoss(logits, label) -> (probabilities, loss)}, keeping the Softmax's output name and
 *       arguments; otherwise (DenseNet-121 ends in its classifier) {@code SoftmaxWithLoss(last output, label) ->
 *       (<last output>_softmax, loss)} is appended. SoftmaxWithLoss's loss is already the batch average, so no
 *       AveragedLoss is needed. The label is added to the external inputs, the loss to the external outputs.</li>
 *   <li><b>Overwritten versions.</b> Where an in-place op overwrites a blob whose old value a gradient needs (Relu
 *       then Dropout on {@code fc7} in AlexNet and VGG-19, SpatialBN then Add on one blob in DenseNet-121), the
 *       overwriting op writes a new blob, {@code <blob>_<optype>} (AlexNet's {@code fc7_dropout}), and later ops
 *       read that; {@link TrainNet#renamed()} lists each such blob. Caffe2's backward builder refuses four of the
 *       zoo's predict nets as shipped for this reason.</li>
 * </ol>
 *
 * <p>Everything else (the ops, their arguments, device options, the other external inputs and outputs) is kept.
 */
public final class TrainNets {
  /** The label blob {@link #fromPredictNet(NetDef)} uses. */
  public static final String DEFAULT_LABEL = "label";
  /** The loss blob {@link #fromPredictNet(NetDef)} uses. */
  public static final String DEFAULT_LOSS = "loss";

  private TrainNets() {}

  /** The train net with the label blob {@code label} and the loss blob {@code loss}. */
  public static TrainNet fromPredictNet(NetDef predict) {
    return fromPredictNet(predict, DEFAULT_LABEL, DEFAULT_LOSS, OperatorRegistry.standard());
  }

  /**
   * The train net of {@code predict}; see the class doc.
   *
   * @param predict the inference net
   * @param label the name of the label blob
   * @param loss the name to give the loss blob
   * @param registry the operators whose gradient makers say which blob versions the backward pass needs
   * @throws SchemaException if the net has no ops, if {@code label} or {@code loss} is already a blob of the net,
   *     or if a SpatialBN or Dropout has an output count training cannot extend
   */
  public static TrainNet fromPredictNet(NetDef predict, String label, String loss, OperatorRegistry registry) {
    Objects.requireNonNull(predict, "predict");
    Objects.requireNonNull(registry, "registry");
    if (predict.getOpCount() == 0) {
      throw new SchemaException("the predict net has no ops");
    }
    Set<String> names = blobNames(predict);
    for (String name : new String[] {label, loss}) {
      if (name == null || name.isEmpty()) {
        throw new SchemaException("the label and loss blobs need names");
      }
      if (names.contains(name)) {
        throw (SchemaException) new SchemaException("the predict net already has a blob named '" + name
            + "'; choose another name for the " + (name.equals(label) ? "label" : "loss")).atBlob(name);
      }
    }
    if (label.equals(loss)) {
      throw new SchemaException("the label and the loss cannot both be named '" + label + "'");
    }
    NetDef.Builder train = predict.toBuilder().clearOp();
    int last = predict.getOpCount() - 1;
    for (int i = 0; i < last; i++) {
      train.addOp(trainingMode(predict.getOp(i), i));
    }
    OperatorDef final0 = predict.getOp(last);
    String softmax;
    if (final0.getType().equals("Softmax") && final0.getInputCount() == 1 && final0.getOutputCount() == 1) {
      softmax = final0.getOutput(0);
      train.addOp(final0.toBuilder().setType("SoftmaxWithLoss").clearInput().addInput(final0.getInput(0))
          .addInput(label).clearOutput().addOutput(softmax).addOutput(loss));
    } else {
      train.addOp(trainingMode(final0, last));
      String logits = final0.getOutput(0);
      softmax = OverwrittenVersions.freshName(logits + "_softmax", names);
      train.addOp(OperatorDef.newBuilder().setType("SoftmaxWithLoss").addInput(logits).addInput(label)
          .addOutput(softmax).addOutput(loss));
      if (!train.getExternalOutputList().contains(softmax)) {
        train.addExternalOutput(softmax);
      }
    }
    if (!train.getExternalInputList().contains(label)) {
      train.addExternalInput(label);
    }
    train.addExternalOutput(loss);
    if (!predict.getName().isEmpty()) {
      train.setName(predict.getName() + "_train");
    }
    Map<String, String> renamed = new LinkedHashMap<>();
    NetDef net = new OverwrittenVersions(registry).keepNeededVersions(train.build(), renamed);
    return new TrainNet(net, label, softmax, loss, renamed);
  }

  private static OperatorDef trainingMode(OperatorDef op, int index) {
    switch (op.getType()) {
      case "SpatialBN": {
        OperatorDef.Builder b = withIsTestZero(op);
        if (op.getOutputCount() == 1) {
          if (op.getInputCount() < 5) {
            throw (SchemaException) new SchemaException("SpatialBN needs 5 inputs to train (X, scale, bias, "
                + "running mean, running variance), got " + op.getInputCount()).atOp(index, op.getType());
          }
          String y = op.getOutput(0);
          b.addOutput(op.getInput(3)).addOutput(op.getInput(4)).addOutput(y + "_sm").addOutput(y + "_siv");
        } else if (op.getOutputCount() != 5) {
          throw (SchemaException) new SchemaException("SpatialBN has " + op.getOutputCount()
              + " outputs; training needs 1 (to extend) or 5").atOp(index, op.getType());
        }
        return b.build();
      }
      case "Dropout": {
        OperatorDef.Builder b = withIsTestZero(op);
        if (op.getOutputCount() == 1) {
          b.addOutput("_" + op.getOutput(0) + "_mask");
        }
        return b.build();
      }
      default:
        return op;
    }
  }

  /** The op with {@code is_test: 0}, in place of its {@code is_test} argument or after its arguments. */
  private static OperatorDef.Builder withIsTestZero(OperatorDef op) {
    OperatorDef.Builder b = op.toBuilder();
    Argument zero = Argument.newBuilder().setName("is_test").setI(0).build();
    for (int k = 0; k < b.getArgCount(); k++) {
      if (b.getArg(k).getName().equals("is_test")) {
        b.setArg(k, zero);
        return b;
      }
    }
    return b.addArg(zero);
  }

  private static Set<String> blobNames(NetDef net) {
    Set<String> names = new HashSet<>(net.getExternalInputList());
    names.addAll(net.getExternalOutputList());
    for (OperatorDef op : net.getOpList()) {
      names.addAll(op.getInputList());
      names.addAll(op.getOutputList());
    }
    return names;
  }
}
