package dev.zerog.ops.dropout;

import dev.zerog.SchemaException;
import dev.zerog.ShapeException;
import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.Arity;
import dev.zerog.op.BlobType;
import dev.zerog.op.FlopEstimate;
import dev.zerog.op.Linearity;
import dev.zerog.op.Operator;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorInit;
import dev.zerog.op.OperatorSchema;
import dev.zerog.proto.Caffe2.DeviceOption;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Dropout: in training, zeroes each element with probability {@code ratio} and scales the others by
 * 1 / (1 - ratio), recording which it kept in a BOOL mask; in test mode ({@code is_test: 1}), Y = X. Its
 * gradient op is DropoutGrad.
 *
 * <p>Randomness: each Dropout op draws from its own generator, seeded once, when the op is created, from its
 * device option's {@code random_seed} (so a net created twice with the same seed drops the same elements run
 * after run), or from a random seed when none is given, as in Caffe2.
 *
 * <p>Gradient (Caffe2's GetDropoutGradient): {@code DropoutGrad(dY, mask) -> dX} in training,
 * {@code DropoutGrad(dY) -> dX} in test mode.
 */
final class Dropout extends Operator {
  static final OperatorSchema SCHEMA = OperatorSchema.builder("Dropout")
      .linearity(Dropout::linearity)
      .flops(FlopEstimate.perOutputElement(1))
      .inputs(1)
      .outputs(Arity.range(1, 2))
      .allowInPlace(0, 0)
      .doc("Training (`is_test: 0`, the default): mask[i] is true with probability 1 - ratio, independently for "
          + "each element, and Y[i] = X[i] / (1 - ratio) where mask[i] is true, 0 elsewhere; the mask output is "
          + "required. Test (`is_test: 1`): Y = X, and the mask, if given, is not written. `ratio` lies in "
          + "[0, 1).\n\n"
          + "X is FLOAT or DOUBLE; Y has its type and shape and may be X itself (in place); mask is BOOL of X's "
          + "shape. The draws come from a generator seeded when the op is created, by the device option's "
          + "`random_seed` when set (so results are reproducible), else randomly.\n\n"
          + "Gradient: DropoutGrad(dY, mask) -> dX, dX[i] = dY[i] / (1 - ratio) where mask[i], else 0 "
          + "(DropoutGrad(dY) -> dX = dY in test mode).")
      .input("X", "FLOAT or DOUBLE")
      .output("Y", "X with elements dropped and the rest scaled (training), or X (test)")
      .output("mask", "BOOL, X's shape: true where the element was kept (training only)")
      .arg("ratio", ArgType.FLOAT, "the probability of dropping an element, in [0, 1) (default 0.5)")
      .arg("is_test", ArgType.INT, "1: test mode, Y = X (default 0)")
      .inference(Dropout::infer)
      .build();

  /** Caffe2's GetDropoutGradient: DropoutGrad(dY, mask) -> dX, or DropoutGrad(dY) -> dX in test mode. */
  static final GradientMaker GRADIENT = (GradientContext g) -> {
    boolean test = Arguments.of(g.def().getArgList()).getBool("is_test", false);
    List<String> in = new ArrayList<>(List.of(g.GO(0)));
    if (!test) {
      in.add(g.O(1));
    }
    return GradientContext.single("DropoutGrad", in, List.of(g.GI(0)));
  };

  static final OperatorDefinition DEFINITION =
      OperatorDefinition.builder(SCHEMA).cpu(Dropout::new).gradient(GRADIENT).build();

  private final float ratio;
  private final boolean test;
  private final SplittableRandom random;

  Dropout(OperatorInit init) {
    super(init);
    ratio = ratio(init.args());
    test = init.args().getBool("is_test", false);
    if (!test && init.outputs().length < 2) {
      throw new SchemaException("Dropout in training (is_test: 0) needs its second output, the mask");
    }
    random = generator(init.device());
  }

  static float ratio(Arguments args) {
    float r = args.getFloat("ratio", 0.5f);
    if (!(r >= 0 && r < 1)) {
      throw new SchemaException("argument 'ratio' must lie in [0, 1), got " + r);
    }
    return r;
  }

  /** A generator seeded by the device option's random_seed (an unsigned 32-bit value), else randomly. */
  static SplittableRandom generator(DeviceOption device) {
    return device.hasRandomSeed() ? new SplittableRandom(Integer.toUnsignedLong(device.getRandomSeed()))
        : new SplittableRandom();
  }

  static DataType floating(String type, Tensor t, String blob) {
    DataType d = t.dtype();
    if (d != DataType.FLOAT && d != DataType.DOUBLE) {
      throw (ShapeException) new ShapeException(type + " supports FLOAT and DOUBLE tensors, got " + d + " "
          + Shapes.format(t.dims())).atBlob(blob);
    }
    return d;
  }

  @Override
  public void run() {
    Tensor x = input(0);
    DataType dtype = floating(type(), x, inputBlob(0).name());
    long[] dims = x.dims();
    boolean inPlace = inPlace(0, 0);
    if (test) {
      if (!inPlace) {
        output(0).copyFrom(x);
      }
      return;
    }
    boolean[] mask = output(1).resize(DataType.BOOL, dims).bools();
    double keep = 1.0 - ratio;
    for (int i = 0; i < mask.length; i++) {
      mask[i] = random.nextDouble() < keep;
    }
    Tensor y = inPlace ? x : output(0).resize(dtype, dims);
    if (dtype == DataType.FLOAT) {
      float scale = (float) (1.0 / keep);
      float[] in = x.floats();
      float[] out = y.floats();
      for (int i = 0; i < out.length; i++) {
        out[i] = mask[i] ? in[i] * scale : 0f;
      }
    } else {
      double scale = 1.0 / keep;
      double[] in = x.doubles();
      double[] out = y.doubles();
      for (int i = 0; i < out.length; i++) {
        out[i] = mask[i] ? in[i] * scale : 0d;
      }
    }
  }

  static List<BlobType> infer(OperatorDef def, Arguments args, List<BlobType> in) {
    BlobType x = in.get(0);
    if (def.getOutputCount() == 1) {
      return List.of(x);
    }
    return List.of(x, new BlobType(DataType.BOOL, x.dims()));
  }

  /** DropoutGrad(dY, [mask]) -> dX. */
  static final class Gradient extends Operator {
    static final OperatorSchema SCHEMA = OperatorSchema.builder("DropoutGrad")
      .linearIn(0)
        .flops(FlopEstimate.perOutputElement(1))
        .inputs(Arity.range(1, 2))
        .outputs(1)
        .allowInPlace(0, 0)
        .doc("The gradient of Dropout: in training, dX[i] = dY[i] / (1 - ratio) where mask[i] is true and 0 "
            + "elsewhere (the mask is required); in test mode, dX = dY. dX has dY's type (FLOAT or DOUBLE) and "
            + "shape, and may be dY itself (in place).")
        .input("dY", "the gradient of Dropout's output")
        .input("mask", "Dropout's mask (training only)")
        .output("dX", "the gradient of Dropout's input")
        .arg("ratio", ArgType.FLOAT, "as in Dropout")
        .arg("is_test", ArgType.INT, "as in Dropout")
        .inference((def, args, in) -> List.of(in.get(0)))
        .build();

    static final OperatorDefinition DEFINITION =
        OperatorDefinition.builder(SCHEMA).cpu(Gradient::new).noGradient().build();

    private final float ratio;
    private final boolean test;

    Gradient(OperatorInit init) {
      super(init);
      ratio = ratio(init.args());
      test = init.args().getBool("is_test", false);
      if (!test && init.inputs().length < 2) {
        throw new SchemaException("DropoutGrad in training (is_test: 0) needs the mask input");
      }
    }

    @Override
    public void run() {
      Tensor dy = input(0);
      DataType dtype = floating(type(), dy, inputBlob(0).name());
      boolean inPlace = inPlace(0, 0);
      if (test) {
        if (!inPlace) {
          output(0).copyFrom(dy);
        }
        return;
      }
      Tensor m = input(1);
      String maskName = inputBlob(1).name();
      if (m.dtype() != DataType.BOOL || m.size() != dy.size()) {
        throw (ShapeException) new ShapeException("the mask '" + maskName + "' must be BOOL with the "
            + dy.size() + " elements of the gradient, got " + m.dtype() + " " + Shapes.format(m.dims()))
            .atBlob(maskName);
      }
      boolean[] mask = m.bools();
      Tensor dx = inPlace ? dy : output(0).resize(dtype, dy.dims());
      double keep = 1.0 - ratio;
      if (dtype == DataType.FLOAT) {
        float scale = (float) (1.0 / keep);
        float[] in = dy.floats();
        float[] out = dx.floats();
        for (int i = 0; i < out.length; i++) {
          out[i] = mask[i] ? in[i] * scale : 0f;
        }
      } else {
        double scale = 1.0 / keep;
        double[] in = dy.doubles();
        double[] out = dx.doubles();
        for (int i = 0; i < out.length; i++) {
          out[i] = mask[i] ? in[i] * scale : 0d;
        }
      }
    }
  }

  /** Linear in X; Y is zero when X is, the mask never is. */
  static List<Linearity> linearity(OperatorDef def) {
    return List.of(new Linearity(List.of(0), List.of(0)));
  }
}
