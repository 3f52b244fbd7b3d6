package dev.zerog.ops.fill;

import static dev.zerog.testing.OpDefs.net;
import static dev.zerog.testing.OpDefs.op;

import dev.zerog.net.Net;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.DeviceOption;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.List;

/** Running fillers in tests, and the statistics the random fillers are checked with. */
final class FillTesting {
  private FillTesting() {}

  /** A filler of {@code type} with no input, writing Y. */
  static OperatorDef filler(String type, Argument... args) {
    return op(type, List.of(), List.of("Y"), args);
  }

  /** The same op with {@code device_option { random_seed: seed }}. */
  static OperatorDef seeded(OperatorDef op, int seed) {
    return op.toBuilder().setDeviceOption(DeviceOption.newBuilder().setRandomSeed(seed)).build();
  }

  /** Runs the op once (as op #0 of a net) in {@code ws}; returns its first output. */
  static Tensor run(Workspace ws, OperatorDef op) {
    Net.create(net(op), ws).run();
    return ws.fetch(op.getOutput(0));
  }

  /** Runs the op once in a new workspace. */
  static Tensor run(OperatorDef op) {
    return run(new Workspace(), op);
  }

  /** A workspace holding one tensor. */
  static Workspace with(String name, Tensor t) {
    Workspace ws = new Workspace();
    ws.feed(name, t);
    return ws;
  }

  /** The mean of the elements. */
  static double mean(Tensor t) {
    double s = 0;
    for (int i = 0; i < t.size(); i++) {
      s += t.getDouble(i);
    }
    return s / t.size();
  }

  /** The (population) standard deviation of the elements. */
  static double std(Tensor t) {
    double m = mean(t);
    double s = 0;
    for (int i = 0; i < t.size(); i++) {
      double d = t.getDouble(i) - m;
      s += d * d;
    }
    return Math.sqrt(s / t.size());
  }

  static double min(Tensor t) {
    double m = Double.POSITIVE_INFINITY;
    for (int i = 0; i < t.size(); i++) {
      m = Math.min(m, t.getDouble(i));
    }
    return m;
  }

  static double max(Tensor t) {
    double m = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < t.size(); i++) {
      m = Math.max(m, t.getDouble(i));
    }
    return m;
  }
}
