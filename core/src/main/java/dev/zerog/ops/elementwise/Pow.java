package dev.zerog.ops.elementwise;

import dev.zerog.GradientException;
import dev.zerog.SchemaException;
import dev.zerog.ShapeException;
import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.Arity;
import dev.zerog.op.BlobType;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Pow: {@code Y = X ^ exponent}, with the exponent an argument or a second tensor E (of X's shape, or with
 * {@code broadcast: 1} broadcast over X by Caffe2's legacy rules).
 *
 * <p>Gradient, as Caffe2's maker writes it (the forward op's arguments are not copied):
 * <ul>
 *   <li>exponent argument e: {@code Pow(X) -> dX} with exponent e - 1, {@code Mul(dX, dY) -> dX},
 *       {@code Scale(dX) -> dX} with scale e. In place (X is Y), the first op raises Y to (e - 1) / e instead,
 *       which needs e != 0.</li>
 *   <li>exponent tensor E: dX = E * X^(E - 1) * dY and dE = ln(X) * Y * dY, written as ConstantFill, Sub,
 *       Pow, Mul, Mul, Log, Mul, Mul (and SumReduceLike to reduce dE to E's shape when the op has a
 *       {@code broadcast} argument). Not in place.</li>
 * </ul>
 */
final class Pow extends Operator {
  static final OperatorSchema SCHEMA = BroadcastArguments.declare(OperatorSchema.builder("Pow")
      .inputs(Arity.range(1, 2))
      .outputs(1)
      .allowInPlace(0, 0)
      .allowInPlace(1, 0)
      .doc("Raises every element to a power: Y = X ^ exponent.\n\n"
          + "The exponent is either the `exponent` argument (one input), or a second input E: of X's shape, or, "
          + "with `broadcast: 1`, broadcast over X by Caffe2's legacy rules (E a single element, or a contiguous "
          + "run of X's dims from `axis`); without broadcast, `axis` and `axis_str` must not be set. Y has X's "
          + "shape and type (FLOAT or DOUBLE; E of the same type). Y may be X, or E when nothing broadcasts.\n\n"
          + "Computed with Math.pow (FLOAT in double, rounded once); a single-element E of -1, 0.5, -0.5 or 2 "
          + "takes the reciprocal, square root, reciprocal square root or square, as in Caffe2.\n\n"
          + "Gradient with the exponent argument e: Pow(X) -> dX (exponent e - 1), Mul(dX, dY) -> dX, Scale(dX) "
          + "-> dX (scale e), so dX = e * X^(e-1) * dY; in place, Pow raises Y to (e - 1) / e, which needs "
          + "e != 0. With a tensor E: dX = E * X^(E-1) * dY and dE = ln(X) * Y * dY through ConstantFill, Sub, "
          + "Pow, Mul, Log and Mul ops (and SumReduceLike with broadcast: 1); this gradient is FLOAT only, as "
          + "in Caffe2 (its ConstantFill makes FLOAT), and needs Pow not in place.")
      .input("X", "the base, any shape")
      .input("E", "optional: the exponents, of X's shape or broadcast over it")
      .output("Y", "X ^ exponent, of X's shape")
      .arg("exponent", ArgType.FLOAT, "the exponent when there is no second input"))
      .inference(Pow::infer)
      .build();

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(Pow::new).gradient(new PowGradient()).build();

  private final boolean byArgument;
  private final float exponent;
  private final BroadcastArguments broadcast;
  private final Broadcast plan = new Broadcast();

  Pow(OperatorInit init) {
    super(init);
    Arguments args = init.args();
    int inputs = init.inputs().length;
    this.byArgument = inputs == 1;
    if (byArgument && !args.has("exponent")) {
      throw new SchemaException("Pow with one input needs the 'exponent' argument (or give the exponents as a "
          + "second input)");
    }
    this.exponent = args.getFloat("exponent", 0f);
    this.broadcast = BroadcastArguments.read(args);
    if (!byArgument && !broadcast.legacy() && (args.getInt("axis", -1) != -1
        || !args.getString("axis_str", "").isEmpty())) {
      throw new SchemaException("do not set 'axis' or 'axis_str' when broadcast is not enabled");
    }
    if (!byArgument && broadcast.legacy() && inPlace(1, 0)) {
      throw new SchemaException("with broadcast: 1, Y may be X (in place) but not E");
    }
  }

  @Override
  public void run() {
    Tensor x = input(0);
    DataType dtype = x.dtype();
    if (dtype != DataType.FLOAT && dtype != DataType.DOUBLE) {
      throw located(FloatingUnaryOp.unsupported(type(), dtype), 0);
    }
    if (byArgument) {
      Tensor y = Outputs.shapeLike(output(0), dtype, x);
      if (dtype == DataType.FLOAT) {
        powByArgument(x.floats(), y.floats(), x.size(), exponent);
      } else {
        powByArgument(x.doubles(), y.doubles(), x.size(), exponent);
      }
      return;
    }
    Tensor e = input(1);
    if (e.dtype() != dtype) {
      throw located(new ShapeException("E '" + inputBlob(1).name() + "' is " + e.dtype() + " but X '"
          + inputBlob(0).name() + "' is " + dtype + "; Pow needs both of one type"), 1);
    }
    if (broadcast.legacy()) {
      try {
        plan.legacy(x, e, broadcast.axis());
      } catch (ShapeException ex) {
        throw located(ex, 1);
      }
    } else {
      if (x.rank() != e.rank() || x.size() != e.size() || !x.hasDims(e.dims())) {
        throw located(new ShapeException("E " + Shapes.format(e.dims()) + " must have X's shape "
            + Shapes.format(x.dims()) + " without broadcast: 1"), 1);
      }
      plan.numpy(x, e);
    }
    Tensor y = Outputs.shapeLike(output(0), dtype, x);
    boolean scalar = broadcast.legacy() && e.size() == 1;
    if (dtype == DataType.FLOAT) {
      if (scalar) {
        powByArgument(x.floats(), y.floats(), x.size(), e.floats()[0]);
      } else {
        powRows(plan, x.floats(), e.floats(), y.floats());
      }
    } else {
      if (scalar) {
        powByArgument(x.doubles(), y.doubles(), x.size(), e.doubles()[0]);
      } else {
        powRows(plan, x.doubles(), e.doubles(), y.doubles());
      }
    }
  }

  private ShapeException located(ShapeException ex, int input) {
    return (ShapeException) ex.atOp(index(), type()).atBlob(inputBlob(input).name());
  }

  private static void powByArgument(float[] x, float[] y, int n, double e) {
    if (e == 2) {
      for (int i = 0; i < n; i++) {
        y[i] = x[i] * x[i];
      }
    } else if (e == 0.5) {
      for (int i = 0; i < n; i++) {
        y[i] = (float) Math.sqrt(x[i]);
      }
    } else {
      for (int i = 0; i < n; i++) {
        y[i] = (float) Math.pow(x[i], e);
      }
    }
  }

  private static void powByArgument(double[] x, double[] y, int n, double e) {
    if (e == 2) {
      for (int i = 0; i < n; i++) {
        y[i] = x[i] * x[i];
      }
    } else if (e == 0.5) {
      for (int i = 0; i < n; i++) {
        y[i] = Math.sqrt(x[i]);
      }
    } else {
      for (int i = 0; i < n; i++) {
        y[i] = Math.pow(x[i], e);
      }
    }
  }

  private static void powRows(Broadcast p, float[] x, float[] e, float[] y) {
    int n = p.inner();
    boolean repeated = p.kind() == Broadcast.B_REPEATED;
    p.start();
    for (int r = 0, o = 0; r < p.rows(); r++, o += n) {
      int eo = p.bOffset();
      if (repeated) {
        double v = e[eo];
        for (int i = 0; i < n; i++) {
          y[o + i] = (float) Math.pow(x[o + i], v);
        }
      } else {
        for (int i = 0; i < n; i++) {
          y[o + i] = (float) Math.pow(x[o + i], e[eo + i]);
        }
      }
      p.next();
    }
  }

  private static void powRows(Broadcast p, double[] x, double[] e, double[] y) {
    int n = p.inner();
    boolean repeated = p.kind() == Broadcast.B_REPEATED;
    p.start();
    for (int r = 0, o = 0; r < p.rows(); r++, o += n) {
      int eo = p.bOffset();
      if (repeated) {
        double v = e[eo];
        for (int i = 0; i < n; i++) {
          y[o + i] = Math.pow(x[o + i], v);
        }
      } else {
        for (int i = 0; i < n; i++) {
          y[o + i] = Math.pow(x[o + i], e[eo + i]);
        }
      }
      p.next();
    }
  }

  private static List<BlobType> infer(OperatorDef def, Arguments args, List<BlobType> in) {
    BlobType x = in.get(0);
    if (x.dtype() != null && x.dtype() != DataType.FLOAT && x.dtype() != DataType.DOUBLE) {
      throw (ShapeException) FloatingUnaryOp.unsupported("Pow", x.dtype()).atBlob(def.getInput(0));
    }
    if (in.size() == 2 && x.dims() != null && in.get(1).dims() != null) {
      BroadcastArguments b = BroadcastArguments.read(args);
      try {
        if (b.legacy()) {
          Broadcast.legacySizes(x.dims(), in.get(1).dims(), b.axis());
        } else if (!java.util.Arrays.equals(x.dims(), in.get(1).dims())) {
          throw new ShapeException("E " + Shapes.format(in.get(1).dims()) + " must have X's shape "
              + Shapes.format(x.dims()) + " without broadcast: 1");
        }
      } catch (ShapeException e) {
        throw e.atBlob(def.getInput(1));
      }
    }
    return List.of(x);
  }

  /** Caffe2's GetPowGradient. */
  static final class PowGradient implements GradientMaker {
    @Override
    public List<OperatorDef> gradientDefs(GradientContext g) {
      OperatorDef def = g.def();
      Arguments args = Arguments.of(def.getArgList());
      if (args.has("exponent")) {
        float e = args.getFloat("exponent", 0f);
        float raised;
        if (!g.I(0).equals(g.O(0))) {
          raised = e - 1;
        } else {
          if (!(Math.abs(e) > 1e-12f)) {
            throw (GradientException) new GradientException("the gradient of Pow in place needs a nonzero exponent,"
                + " got " + e).atBlob(g.I(0));
          }
          raised = (e - 1) / e;
        }
        return List.of(
            GradientContext.op("Pow", List.of(g.I(0)), List.of(g.GI(0)), floatArg("exponent", raised)),
            GradientContext.op("Mul", List.of(g.GI(0), g.GO(0)), List.of(g.GI(0))),
            GradientContext.op("Scale", List.of(g.GI(0)), List.of(g.GI(0)), floatArg("scale", e)));
      }
      if (g.inputCount() < 2) {
        throw (GradientException) new GradientException("Pow with one input and no 'exponent' argument has no "
            + "gradient").atBlob(g.I(0));
      }
      if (g.I(0).equals(g.O(0)) || g.I(1).equals(g.O(0))) {
        throw (GradientException) new GradientException("the gradient of Pow with an exponent tensor cannot be "
            + "computed when Pow runs in place").atBlob(g.O(0));
      }
      boolean withBroadcast = args.has("broadcast");
      List<Argument> broadcastArgs = new ArrayList<>();
      if (withBroadcast) {
        broadcastArgs.add(args.get("broadcast"));
        broadcastArgs.add(args.has("axis") ? args.get("axis") : intArg("axis", -1));
        broadcastArgs.add(args.has("axis_str") ? args.get("axis_str") : stringArg("axis_str", ""));
        broadcastArgs.add(args.has("order") ? args.get("order") : stringArg("order", "NCHW"));
      }
      Argument[] bargs = broadcastArgs.toArray(new Argument[0]);
      String gx = g.GI(0);
      String ge = g.GI(1);
      String preReduction = ge + "_autogen_pre_red";
      List<OperatorDef> ops = new ArrayList<>();
      ops.add(GradientContext.op("ConstantFill", List.of(g.I(1)), List.of(ge), floatArg("value", 1f)));
      ops.add(GradientContext.op("Sub", List.of(g.I(1), ge), List.of(ge)));
      ops.add(GradientContext.op("Pow", List.of(g.I(0), ge), List.of(gx), bargs));
      ops.add(GradientContext.op("Mul", List.of(gx, g.GO(0)), List.of(gx)));
      ops.add(GradientContext.op("Mul", List.of(gx, g.I(1)), List.of(gx), bargs));
      ops.add(GradientContext.op("Log", List.of(g.I(0)), List.of(preReduction)));
      ops.add(GradientContext.op("Mul", List.of(preReduction, g.O(0)), List.of(preReduction)));
      if (withBroadcast) {
        ops.add(GradientContext.op("Mul", List.of(preReduction, g.GO(0)), List.of(preReduction)));
        ops.add(GradientContext.op("SumReduceLike", List.of(preReduction, g.I(1)), List.of(ge),
            broadcastArgs.get(1), broadcastArgs.get(2), broadcastArgs.get(3)));
      } else {
        ops.add(GradientContext.op("Mul", List.of(preReduction, g.GO(0)), List.of(ge)));
      }
      return ops;
    }

    @Override
    public boolean copyArguments() {
      return false;
    }

    private static Argument floatArg(String name, float v) {
      return Argument.newBuilder().setName(name).setF(v).build();
    }

    private static Argument intArg(String name, long v) {
      return Argument.newBuilder().setName(name).setI(v).build();
    }

    private static Argument stringArg(String name, String v) {
      return Argument.newBuilder().setName(name).setS(com.google.protobuf.ByteString.copyFromUtf8(v)).build();
    }
  }
}
