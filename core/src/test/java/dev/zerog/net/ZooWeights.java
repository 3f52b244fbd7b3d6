package dev.zerog.net;

import dev.zerog.ShapeException;
import dev.zerog.op.Arguments;
import dev.zerog.op.BlobType;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.op.TypeInference;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import dev.zerog.train.ParameterShapes;
import dev.zerog.train.ZooModel;
import dev.zerog.workspace.Workspace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Parameters for the model zoo's predict nets, which ship without weights: the output channels of each Conv and FC
 * come from the weight-shape fixtures {@code zoo/<model>.shapes.json} (the published architectures), every other parameter shape follows
 * from shape inference op by op (a Conv's input channels, a SpatialBN's channels, an FC's input size).
 */
final class ZooWeights {
  /** Every blob's inferred type, the parameters among them, and the op types in order. */
  record NetShapes(Map<String, BlobType> types, Map<String, Fill> params, List<String> opOrder) {}

  /** How a parameter is filled. */
  enum Fill {
    /** He-normal for its fan-in (Conv and FC weights). */
    WEIGHT,
    /** Ones (SpatialBN scales and variances, the factors of a Mul). */
    ONES,
    /** Zeros (biases, means, the terms of an Add). */
    ZEROS
  }

  private ZooWeights() {}

  /** The shape of every Conv and FC weight of {@code model}: the repository's {@code zoo/<model>.shapes.json}. */
  static Map<String, long[]> weightShapes(String model) {
    ParameterShapes shapes = ParameterShapes.read(ZooModel.shapesFile(model));
    Map<String, long[]> out = new LinkedHashMap<>();
    for (String name : shapes.names()) {
      out.put(name, shapes.dims(name));
    }
    return out;
  }

  /**
   * Infers every blob's type from the data input's, giving parameters their shapes as their consumers need them;
   * fails at the first op whose inputs do not fit (the exception names it).
   */
  static NetShapes infer(NetDef net, String data, long[] dataDims, Map<String, long[]> weights,
      OperatorRegistry registry) {
    Map<String, BlobType> types = new LinkedHashMap<>();
    Map<String, Fill> params = new LinkedHashMap<>();
    types.put(data, BlobType.of(DataType.FLOAT, dataDims));
    List<String> order = new ArrayList<>();
    for (int i = 0; i < net.getOpCount(); i++) {
      OperatorDef op = net.getOp(i);
      Arguments args = Arguments.of(op.getArgList());
      long[] x = types.get(op.getInput(0)).dims();
      switch (op.getType()) {
        case "Conv": {
          long m = need(weights, op.getInput(1))[0];
          int g = args.getInt("group", 1);
          int k = args.getInt("kernel", 0);
          param(types, params, op.getInput(1), Fill.WEIGHT, m, x[1] / g, k, k);
          if (op.getInputCount() > 2) {
            param(types, params, op.getInput(2), Fill.ZEROS, m);
          }
          break;
        }
        case "SpatialBN":
          for (int in = 1; in < 5; in++) {
            param(types, params, op.getInput(in), in == 1 || in == 4 ? Fill.ONES : Fill.ZEROS, x[1]);
          }
          break;
        case "Mul":
        case "Add":
          if (!types.containsKey(op.getInput(1))) {
            param(types, params, op.getInput(1), op.getType().equals("Mul") ? Fill.ONES : Fill.ZEROS,
                x[args.getInt("axis", 1)]);
          }
          break;
        case "FC": {
          int axisW = args.getInt("axis_w", 1);
          long n = need(weights, op.getInput(1))[axisW - 1];
          long k = Shapes.sizeBetween(x, args.getInt("axis", 1), x.length);
          long[] w = new long[axisW + 1];
          Arrays.fill(w, 1);
          w[axisW - 1] = n;
          w[axisW] = k;
          param(types, params, op.getInput(1), Fill.WEIGHT, w);
          param(types, params, op.getInput(2), Fill.ZEROS, n);
          break;
        }
        default:
          break;
      }
      List<BlobType> in = new ArrayList<>();
      for (String name : op.getInputList()) {
        BlobType t = types.get(name);
        if (t == null) {
          throw new ShapeException("op " + i + " " + op.getType() + ": no type for input '" + name + "'");
        }
        in.add(t);
      }
      TypeInference inference = registry.get(op.getType()).schema().inference();
      if (inference == null) {
        throw new ShapeException("op " + i + " " + op.getType() + " has no shape inference");
      }
      List<BlobType> out;
      try {
        out = inference.infer(op, args, in);
      } catch (ShapeException e) {
        throw (ShapeException) e.atOp(i, op.getType());
      }
      for (int o = 0; o < op.getOutputCount(); o++) {
        types.put(op.getOutput(o), out.get(o));
      }
      order.add(op.getType());
    }
    return new NetShapes(types, params, order);
  }

  private static long[] need(Map<String, long[]> weights, String weight) {
    long[] dims = weights.get(weight);
    if (dims == null) {
      throw new IllegalStateException("the weight-shape fixture has no entry for '" + weight + "'");
    }
    return dims;
  }

  private static void param(Map<String, BlobType> types, Map<String, Fill> params, String name, Fill fill,
      long... dims) {
    types.put(name, BlobType.of(DataType.FLOAT, dims));
    params.put(name, fill);
  }

  /**
   * Feeds every parameter as its {@link Fill} says. With {@code materialize} false, every parameter is a known zero
   * that holds no memory (enough to create a net).
   */
  static void feed(Workspace ws, NetShapes shapes, long seed, boolean materialize) {
    SplittableRandom r = new SplittableRandom(seed);
    for (Map.Entry<String, Fill> p : shapes.params().entrySet()) {
      long[] dims = shapes.types().get(p.getKey()).dims();
      if (!materialize) {
        ws.feed(p.getKey(), Tensor.zeros(DataType.FLOAT, dims));
        continue;
      }
      Tensor t = Tensor.allocate(DataType.FLOAT, dims);
      float[] a = t.floats();
      if (p.getValue() == Fill.WEIGHT) {
        double std = Math.sqrt(2.0 / fanIn(dims, a.length));
        for (int i = 0; i < a.length; i++) {
          a[i] = (float) (r.nextGaussian() * std);
        }
      } else if (p.getValue() == Fill.ONES) {
        Arrays.fill(a, 1f);
      }
      ws.feed(p.getKey(), t);
    }
  }

  /** The fan-in of a weight: its size over its output channels (dim 0; for Caffe's 4-D FC weight [1, 1, N, K], N). */
  private static double fanIn(long[] dims, int size) {
    long out = dims.length == 4 && dims[0] == 1 && dims[1] == 1 ? dims[2] : dims[0];
    return (double) size / out;
  }
}
