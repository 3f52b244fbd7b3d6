package dev.zerog.grad;

import dev.zerog.proto.Caffe2.DeviceOption;
import dev.zerog.proto.Caffe2.OperatorDef;

/**
 * An op of the backward pass while it is being built. It stays mutable until the end because accumulation
 * may rename one of its outputs after it was emitted (Caffe2's {@code _<name>_autosplit_<k>}).
 */
final class EmittedOp {
  private final OperatorDef.Builder builder;
  private final int generator;

  /** An op the builder adds itself (an initial gradient, an accumulation). */
  EmittedOp(OperatorDef.Builder builder) {
    this(builder, -1);
  }

  /** An op the gradient maker of forward op {@code generator} wrote. */
  EmittedOp(OperatorDef.Builder builder, int generator) {
    this.builder = builder;
    this.generator = generator;
  }

  /** The index of the forward op whose gradient maker wrote this op, or -1 for the builder's own ops. */
  int generator() {
    return generator;
  }

  /** The op's type. */
  String type() {
    return builder.getType();
  }

  /** The number of inputs. */
  int inputCount() {
    return builder.getInputCount();
  }

  /** Input {@code i}. */
  String input(int i) {
    return builder.getInput(i);
  }

  /** The number of outputs. */
  int outputCount() {
    return builder.getOutputCount();
  }

  /** Output {@code i}, under its current name. */
  String output(int i) {
    return builder.getOutput(i);
  }

  /** Renames output {@code i}. */
  void renameOutput(int i, String name) {
    builder.setOutput(i, name);
  }

  /** The op's device option (the default instance when it has none). */
  DeviceOption deviceOption() {
    return builder.getDeviceOption();
  }

  /** The finished op. */
  OperatorDef build() {
    return builder.build();
  }
}
