package dev.zerog.ops.elementwise;

import dev.zerog.ShapeException;
import dev.zerog.grad.GradientContext;
import dev.zerog.grad.GradientMaker;
import dev.zerog.op.ArgType;
import dev.zerog.op.Arguments;
import dev.zerog.op.Arity;
import dev.zerog.op.BlobType;
import dev.zerog.op.FlopEstimate;
import dev.zerog.op.Linearity;
import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorSchema;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import java.util.ArrayList;
import java.util.List;

/**
 * The four binary arithmetic operators, {@code Add}, {@code Sub}, {@code Mul} and {@code Div}, and their
 * gradient operators {@code AddGradient}, {@code SubGradient}, {@code MulGradient} and {@code DivGradient}:
 * schemas, gradient makers and definitions. The kernels are {@link ArithmeticOp} and
 * {@link ArithmeticGradientOp}; broadcasting is {@link Broadcast}'s.
 *
 * <p>Gradients, as Caffe2's makers write them: {@code AddGradient(dC, A, B) -> (dA, dB)}, the same for Sub and
 * Mul, and {@code DivGradient(dC, A, B, C) -> (dA, dB)}, each getting the forward op's arguments, so that the
 * gradient broadcasts as the forward op did. Each gradient is reduced (summed) over the axes its input was
 * broadcast on, so dA has A's shape and dB has B's.
 */
enum Arithmetic {
  ADD("Add", "addition", "C = A + B", "dA = dC and dB = dC"),
  SUB("Sub", "subtraction", "C = A - B", "dA = dC and dB = -dC"),
  MUL("Mul", "multiplication", "C = A * B", "dA = dC * B and dB = dC * A"),
  DIV("Div", "division", "C = A / B", "dA = dC / B and dB = -dC * C / B");

  private static final String TYPES = "Types: FLOAT, DOUBLE, INT32 and INT64; A and B must have the same type, "
      + "which C takes. Integer results wrap on overflow";
  private static final String GRADIENT_TYPES = "Types: FLOAT, DOUBLE, INT32 and INT64; every input has the same "
      + "type, which dA and dB take";

  final String type;
  private final String name;
  private final String math;
  private final String gradientMath;

  Arithmetic(String type, String name, String math, String gradientMath) {
    this.type = type;
    this.name = name;
    this.math = math;
    this.gradientMath = gradientMath;
  }

  /** The gradient operator's type, "AddGradient". */
  String gradientType() {
    return type + "Gradient";
  }

  /** The forward schema. */
  OperatorSchema schema() {
    OperatorSchema.Builder b = OperatorSchema.builder(type)
        .inputs(2)
        .outputs(1)
        .allowInPlace(0, 0)
        .flops(FlopEstimate.perOutputElement(1));
    switch (this) {
      case ADD:
      case SUB:
        b.linearIn(0, 1);
        break;
      case MUL:
        b.linearIn(0).linearIn(1);
        break;
      default:
        b.linearIn(0);
        break;
    }
    if (this != DIV) {
      // Caffe2 lets Add, Sub and Mul, not Div, write C into B.
      b.allowInPlace(1, 0);
    }
    b.doc("Elementwise " + name + " with broadcasting: " + math + ".\n\n"
        + BroadcastArguments.DOC + "\n\n"
        + TYPES + (this == DIV ? "; integer division truncates toward zero and dividing by zero is an error" : "")
        + ".\n\n"
        + "In place: C may be A" + (this == DIV ? "" : " or B") + " when it has that input's shape"
        + (this == MUL ? " (but MulGradient reads A and B, so a Mul in place in a net that is differentiated gets "
            + "a wrong gradient; Caffe2's backward builder does not catch this, nor does zerog's)" : "")
        + ". When C already holds a tensor of its type and shape, its memory is reused.\n\n"
        + "Gradient: " + gradientType() + "(dC, A, B" + (this == DIV ? ", C" : "") + ") -> (dA, dB) with "
        + gradientMath + ", each summed over the axes its input was broadcast on.")
        .input("A", "the first operand")
        .input("B", "the second operand, of A's type; broadcast as described")
        .output("C", "the result: the broadcast shape (A's shape with broadcast: 1), of A's type");
    BroadcastArguments.declare(b)
        .arg("allow_broadcast_fastpath", ArgType.INT, "accepted for Caffe2 compatibility; zerog always takes its "
            + "fast paths");
    return b.inference(this::infer).build();
  }

  /** The gradient operator's schema. */
  OperatorSchema gradientSchema() {
    OperatorSchema.Builder b = OperatorSchema.builder(gradientType())
        .outputs(2)
        .allowInPlace(0, 0);
    // Linear in dC: input 0 in the (dC, A, B[, C]) form, the last input in Div's older (B, C, dC) form.
    b.linearity(def -> List.of(new Linearity(List.of(def.getInputCount() == 3 && this == DIV ? 2 : 0),
        List.of(0, 1))));
    b.flops(FlopEstimate.perInputElement(0, this == ADD ? 2 : this == SUB ? 3 : this == MUL ? 4 : 6));
    if (this == DIV) {
      b.inputs(Arity.range(3, 4))
          .doc("The gradient of Div (C = A / B): dA = dC / B and dB = -dC * C / B, each summed over the axes its "
              + "input was broadcast on, so dA has A's shape and dB has B's. The broadcasting arguments are the "
              + "forward op's.\n\n"
              + "Inputs: (dC, A, B, C) as Div's gradient maker writes them, or Caffe2's older form (B, C, dC), "
              + "where A's shape is taken to be C's. Only the shapes of A are read. dA may be dC (in place).\n\n"
              + GRADIENT_TYPES + "; integer division by zero is an error.")
          .input("dC or B", "the gradient of C (4 inputs), or B (3 inputs)")
          .input("A or C", "A (4 inputs), or C (3 inputs)")
          .input("B or dC", "B (4 inputs), or the gradient of C (3 inputs)")
          .input("C", "the forward output, 4 inputs only");
    } else {
      b.inputs(3)
          .allowInPlace(0, 1)
          .doc("The gradient of " + type + " (" + math + "): " + gradientMath + ", each summed over the axes "
              + "its input was broadcast on, so dA has A's shape and dB has B's. The broadcasting arguments are the "
              + "forward op's. dA or dB may be dC (in place); dA and dB must be different blobs.\n\n"
              + GRADIENT_TYPES + "; integer results wrap on overflow.")
          .input("dC", "the gradient of C, of C's shape")
          .input("A", "the forward op's A" + (this == MUL ? "" : " (only its shape is read)"))
          .input("B", "the forward op's B" + (this == MUL ? "" : " (only its shape is read)"));
    }
    b.output("dA", "the gradient of A, of A's shape and type")
        .output("dB", "the gradient of B, of B's shape and type");
    BroadcastArguments.declare(b)
        .arg("allow_broadcast_fastpath", ArgType.INT, "accepted for Caffe2 compatibility; no effect");
    return b.inference(this::inferGradient).build();
  }

  /** Caffe2's gradient maker: one gradient op from (dC, A, B), and C for Div. */
  GradientMaker gradientMaker() {
    return (GradientContext g) -> {
      List<String> inputs = new ArrayList<>(List.of(g.GO(0), g.I(0), g.I(1)));
      if (this == DIV) {
        inputs.add(g.O(0));
      }
      return GradientContext.single(gradientType(), inputs, List.of(g.GI(0), g.GI(1)));
    };
  }

  /** The forward operator's definition. */
  OperatorDefinition definition() {
    return OperatorDefinition.builder(schema()).cpu(init -> new ArithmeticOp(init, this))
        .gradient(gradientMaker()).build();
  }

  /** The gradient operator's definition; Caffe2 registers no gradient for it. */
  OperatorDefinition gradientDefinition() {
    return OperatorDefinition.builder(gradientSchema()).cpu(init -> new ArithmeticGradientOp(init, this))
        .gradientNotImplemented().build();
  }

  /** True for the types the arithmetic operators take. */
  static boolean supports(DataType t) {
    return t == DataType.FLOAT || t == DataType.DOUBLE || t == DataType.INT32 || t == DataType.INT64;
  }

  static ShapeException unsupported(DataType t) {
    return new ShapeException("the arithmetic operators support FLOAT, DOUBLE, INT32 and INT64 tensors, got " + t);
  }

  private List<BlobType> infer(OperatorDef def, Arguments args, List<BlobType> in) {
    BlobType a = in.get(0);
    BlobType b = in.get(1);
    DataType dtype = a.dtype() != null ? a.dtype() : b.dtype();
    if (a.dtype() != null && b.dtype() != null && a.dtype() != b.dtype()) {
      throw (ShapeException) new ShapeException("B is " + b.dtype() + " but A is " + a.dtype() + "; " + type
          + " needs both of one type").atBlob(def.getInput(1));
    }
    if (dtype != null && !supports(dtype)) {
      throw (ShapeException) unsupported(dtype).atBlob(def.getInput(0));
    }
    BroadcastArguments broadcast = BroadcastArguments.read(args);
    long[] dims = null;
    try {
      if (broadcast.legacy()) {
        if (a.dims() != null && b.dims() != null) {
          Broadcast.legacySizes(a.dims(), b.dims(), broadcast.axis());
        }
        dims = a.dims();
      } else if (a.dims() != null && b.dims() != null) {
        dims = Broadcast.numpyDims(a.dims(), b.dims());
        Shapes.checkedElementCount(dims);
      }
    } catch (ShapeException e) {
      throw e.atBlob(def.getInput(1));
    }
    return List.of(new BlobType(dtype, dims));
  }

  private List<BlobType> inferGradient(OperatorDef def, Arguments args, List<BlobType> in) {
    if (this == DIV && in.size() == 3) {
      // Caffe2's older form (B, C, dC): dA is shaped like C, dB like B.
      return List.of(in.get(1), in.get(0));
    }
    return List.of(in.get(1), in.get(2));
  }
}
