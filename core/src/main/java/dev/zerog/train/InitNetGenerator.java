package dev.zerog.train;

import dev.zerog.SchemaException;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.DeviceOption;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Writes an init net for a net whose trained weights are not at hand: one filler op per parameter of a
 * {@link ParameterShapes}, with Caffe2's fillers, as Caffe2's model helpers initialize new layers.
 *
 * <p>What fills a parameter depends on the op that first reads it and where:
 *
 * <table>
 *   <caption>Fillers by role</caption>
 *   <tr><th>role</th><th>filler</th></tr>
 *   <tr><td>Conv, ConvTranspose (and Conv1D/2D/3D) filter, input 1</td><td>MSRAFill</td></tr>
 *   <tr><td>FC, FCTransposed weight, input 1</td><td>XavierFill</td></tr>
 *   <tr><td>a bias: input 2 of those</td><td>ConstantFill 0</td></tr>
 *   <tr><td>SpatialBN scale (input 1) and running variance (input 4)</td><td>ConstantFill 1</td></tr>
 *   <tr><td>SpatialBN bias (input 2) and running mean (input 3)</td><td>ConstantFill 0</td></tr>
 *   <tr><td>the second operand of Mul (a per-channel scale)</td><td>ConstantFill 1</td></tr>
 *   <tr><td>the second operand of Add (a per-channel shift)</td><td>ConstantFill 0</td></tr>
 * </table>
 *
 * <p>A parameter in any other role is refused, naming it and its op, rather than guessed at. The ops come in
 * the order the net first reads the parameters; each has a {@code shape} argument, and each random filler a
 * {@code device_option.random_seed} of {@code seed + k} (k counting the random fillers from 0), so the same seed
 * gives the same init net, and the same values, every time. The init net's {@code external_output} lists the
 * parameters. Blobs the net reads that are neither written by its ops nor in the shapes (the data input) are left
 * to the caller: see {@link #inputsLeftToCaller}.
 */
public final class InitNetGenerator {
  /** The seed {@link #generate(NetDef, ParameterShapes)} uses. */
  public static final long DEFAULT_SEED = 1;

  private InitNetGenerator() {}

  /** The init net of {@code net}'s parameters, with {@link #DEFAULT_SEED}. */
  public static NetDef generate(NetDef net, ParameterShapes shapes) {
    return generate(net, shapes, DEFAULT_SEED);
  }

  /**
   * The init net of {@code net}'s parameters.
   *
   * @param net the net whose parameters are filled (a predict or a train net)
   * @param shapes the dims of every parameter to fill
   * @param seed the first random seed
   * @throws SchemaException naming the parameter if one of {@code shapes} is not read by any op of the net, is
   *     written by one before any reads it, or is read in a role that has no filler rule
   */
  public static NetDef generate(NetDef net, ParameterShapes shapes, long seed) {
    Objects.requireNonNull(net, "net");
    Objects.requireNonNull(shapes, "shapes");
    Set<String> writtenSoFar = new HashSet<>();
    Map<String, Role> roles = new LinkedHashMap<>();
    for (int i = 0; i < net.getOpCount(); i++) {
      OperatorDef op = net.getOp(i);
      for (int k = 0; k < op.getInputCount(); k++) {
        String name = op.getInput(k);
        if (!shapes.has(name) || roles.containsKey(name)) {
          continue;
        }
        if (writtenSoFar.contains(name)) {
          throw (SchemaException) new SchemaException("the shapes give '" + name + "' as a parameter, but op #"
              + writerOf(net, name) + " of the net writes it before any op reads it").atBlob(name);
        }
        roles.put(name, role(op, i, k));
      }
      writtenSoFar.addAll(op.getOutputList());
    }
    for (String name : shapes.names()) {
      if (!roles.containsKey(name) && writtenSoFar.contains(name)) {
        throw (SchemaException) new SchemaException("the shapes give '" + name + "' as a parameter, but op #"
            + writerOf(net, name) + " of the net writes it before any op reads it").atBlob(name);
      }
    }
    for (String name : shapes.names()) {
      if (!roles.containsKey(name)) {
        throw (SchemaException) new SchemaException("the shapes give parameter '" + name
            + "', which no op of the net reads").atBlob(name);
      }
    }
    NetDef.Builder init = NetDef.newBuilder().setName((net.getName().isEmpty() ? "net" : net.getName()) + "_init");
    long nextSeed = seed;
    for (Map.Entry<String, Role> e : roles.entrySet()) {
      Role role = e.getValue();
      OperatorDef.Builder op = OperatorDef.newBuilder().setType(role.filler).addOutput(e.getKey())
          .addArg(shapeArg(shapes.dims(e.getKey())));
      if (role.filler.equals("ConstantFill")) {
        op.addArg(Argument.newBuilder().setName("value").setF(role.value));
      } else {
        op.setDeviceOption(DeviceOption.newBuilder().setRandomSeed((int) nextSeed++));
      }
      init.addOp(op);
      init.addExternalOutput(e.getKey());
    }
    return init.build();
  }

  /**
   * The blobs {@code net} reads before (or without) writing them that {@code shapes} does not give: the inputs the
   * caller feeds (such as the data), in the order the net first reads them.
   */
  public static List<String> inputsLeftToCaller(NetDef net, ParameterShapes shapes) {
    Set<String> seen = new HashSet<>();
    Set<String> left = new LinkedHashSet<>();
    for (OperatorDef op : net.getOpList()) {
      for (String in : op.getInputList()) {
        if (!seen.contains(in) && !shapes.has(in)) {
          left.add(in);
        }
      }
      seen.addAll(op.getInputList());
      seen.addAll(op.getOutputList());
    }
    return new ArrayList<>(left);
  }

  /** A filler type and, for ConstantFill, its value. */
  private record Role(String filler, float value) {}

  private static Role role(OperatorDef op, int index, int input) {
    String type = op.getType();
    switch (type) {
      case "Conv":
      case "Conv1D":
      case "Conv2D":
      case "Conv3D":
      case "ConvTranspose":
        if (input == 1) {
          return new Role("MSRAFill", 0);
        }
        if (input == 2) {
          return new Role("ConstantFill", 0);
        }
        break;
      case "FC":
      case "FCTransposed":
        if (input == 1) {
          return new Role("XavierFill", 0);
        }
        if (input == 2) {
          return new Role("ConstantFill", 0);
        }
        break;
      case "SpatialBN":
        if (input == 1 || input == 4) {
          return new Role("ConstantFill", 1);
        }
        if (input == 2 || input == 3) {
          return new Role("ConstantFill", 0);
        }
        break;
      case "Mul":
        if (input == 1) {
          return new Role("ConstantFill", 1);
        }
        break;
      case "Add":
        if (input == 1) {
          return new Role("ConstantFill", 0);
        }
        break;
      default:
        break;
    }
    throw (SchemaException) new SchemaException("no filler rule for parameter '" + op.getInput(input)
        + "': it is input " + input + " of op #" + index + " (" + type + "); parameters are filled as Conv and FC "
        + "weights and biases, SpatialBN statistics, or the second operand of Mul and Add")
        .atBlob(op.getInput(input));
  }

  private static Argument shapeArg(long[] dims) {
    Argument.Builder a = Argument.newBuilder().setName("shape");
    for (long d : dims) {
      a.addInts(d);
    }
    return a.build();
  }

  private static int writerOf(NetDef net, String blob) {
    for (int i = 0; i < net.getOpCount(); i++) {
      if (net.getOp(i).getOutputList().contains(blob)) {
        return i;
      }
    }
    return -1;
  }
}
