#!/usr/bin/env python3
"""Writes the PyTorch parity fixtures that zerog's tests compare its operators against.

What it writes
    core/src/test/resources/parity/<case>.pbtxt   a small Caffe2 NetDef (text format): the operator(s) under test
    core/src/test/resources/parity/<case>.npz     the arrays of the case, by key:
        in.<blob>      an input fed to the net (float32, int32 or int64)
        out.<blob>     an expected forward output (float32)
        seed.<blob>    the upstream gradient given to that output (float32, random, the output's shape);
                       the outputs with a seed are the losses of the backward pass
        grad.<blob>    the expected gradient of an input (float32, the input's shape); only the inputs that
                       Caffe2's gradient maker differentiates have one (never labels or indices)
        sparse.<blob>  present (a 0-d int32 1) when Caffe2's gradient of that input is a GradientSlice
                       (indices, values) rather than a dense blob; grad.<blob> is then its dense form
    A case without seed.* arrays is compared forward only (Caffe2 has no gradient for it).

How the expected values are computed
    Inputs are drawn in float32 with a NumPy RandomState seeded from the case name (so adding a case never
    changes another). PyTorch then computes every output and, with autograd, every gradient in float64 from
    those exact float32 values, and the results are rounded to float32. Each case writes Caffe2's semantics
    out in PyTorch terms (for example Softmax's `axis` splits X into N x D rows, FC flattens X at `axis` and
    W at `axis_w`, SoftmaxWithLoss averages over the rows), not PyTorch's own defaults.

How to run it (needs numpy and torch; Debian's python3-torch 1.13 is what the fixtures were made with):
    /usr/bin/python3 tools/parity/make_parity_fixtures.py

The output is byte-for-byte deterministic: the .npz archives carry a fixed timestamp, so rerunning the script
changes no file unless a case changed. Fixtures of cases no longer defined here are deleted. The tests that
read the fixtures (core/src/test/java/dev/zerog/parity/) need neither Python nor PyTorch. See docs/parity.md.
"""

import io
import math
import sys
import zipfile
import zlib
from pathlib import Path

import numpy as np
import torch

OUT_DIR = Path(__file__).resolve().parents[2] / "core" / "src" / "test" / "resources" / "parity"
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
LOG_THRESHOLD = 1e-20  # Caffe2's floor under a probability before its log (kLOG_THRESHOLD)

CASES = {}


def case(name):
    """Registers a case function; it gets a RandomState seeded from the name and returns a Case."""

    def register(fn):
        if name in CASES:
            raise ValueError("case defined twice: " + name)
        CASES[name] = fn
        return fn

    return register


class Case:
    """One parity case.

    ops      list of (type, inputs, outputs, args) with args a dict: int -> i, float -> f, str -> s,
             list of int -> ints
    inputs   dict blob -> numpy array, fed to the net
    forward  function(dict blob -> torch tensor (float64 for floats)) -> dict output blob -> torch tensor
    grads    the inputs Caffe2 differentiates (their torch tensors require grad)
    seeds    the outputs whose upstream gradient is given (the losses); empty: forward only
    sparse   the inputs whose Caffe2 gradient is a GradientSlice
    """

    def __init__(self, ops, inputs, forward, grads=(), seeds=(), sparse=()):
        self.ops = ops
        self.inputs = inputs
        self.forward = forward
        self.grads = list(grads)
        self.seeds = list(seeds)
        self.sparse = list(sparse)


class Draw:
    """Float32 and integer arrays from one RandomState."""

    def __init__(self, seed):
        self.rs = np.random.RandomState(seed)

    def uniform(self, lo, hi, *shape):
        return np.asarray(self.rs.uniform(lo, hi, size=shape), dtype=np.float32)

    def values(self, *shape):
        return self.uniform(-2.0, 2.0, *shape)

    def away_from_zero(self, *shape):
        """Magnitudes in [0.5, 2] with random signs (divisors)."""
        magnitude = self.uniform(0.5, 2.0, *shape)
        sign = np.where(self.rs.randint(0, 2, size=shape) == 1, 1.0, -1.0)
        return np.asarray(magnitude * sign, dtype=np.float32)

    def probabilities(self, rows, cols):
        """Rows of positive float32 values summing to 1 (within float32 rounding)."""
        p = self.uniform(0.1, 1.0, rows, cols).astype(np.float64)
        return (p / p.sum(axis=1, keepdims=True)).astype(np.float32)

    def classes(self, count, n, dtype):
        return self.rs.randint(0, count, size=n).astype(dtype)


def op(op_type, inputs, outputs, **args):
    return (op_type, list(inputs), list(outputs), args)


# ---------------------------------------------------------------------------------------------------------
# Elementwise arithmetic with broadcasting
# ---------------------------------------------------------------------------------------------------------

ARITHMETIC = {
    "Add": lambda a, b: a + b,
    "Sub": lambda a, b: a - b,
    "Mul": lambda a, b: a * b,
    "Div": lambda a, b: a / b,
}

# NumPy-style broadcasting: (case suffix, A's shape, B's shape)
NUMPY_SHAPES = [
    ("same_shape", (2, 3), (2, 3)),
    ("broadcast_trailing", (2, 3, 4), (4,)),
    ("broadcast_middle", (2, 3, 4), (3, 1)),
    ("broadcast_both", (4, 1), (1, 5)),
    ("broadcast_both_ranks", (3, 1, 2), (4, 1)),
    ("broadcast_a", (3,), (2, 3)),
    ("scalar_b", (2, 3), ()),
]

# Caffe2's legacy broadcast=1: (case suffix, A's shape, B's shape, axis or None for the default)
LEGACY_SHAPES = [
    ("legacy_trailing", (2, 3, 4, 5), (4, 5), None),
    ("legacy_axis1", (2, 3, 4, 5), (3, 4), 1),
    ("legacy_axis0", (2, 3, 4), (2,), 0),
    ("legacy_single", (2, 3), (1,), None),
    ("legacy_ones", (2, 3, 4, 5), (1, 4, 1), 1),
]


def legacy_view(b, a_rank, axis):
    """B placed at `axis` of A: B's dims at A's dims axis.., ones elsewhere (Caffe2's pre/n/post split)."""
    if axis is None:
        axis = a_rank - b.dim()
    return b.reshape((1,) * axis + tuple(b.shape) + (1,) * (a_rank - axis - b.dim()))


def arithmetic_case(op_type, a_shape, b_shape, legacy, axis):
    fn = ARITHMETIC[op_type]

    def make(r):
        a = r.values(*a_shape)
        b = r.away_from_zero(*b_shape) if op_type == "Div" else r.values(*b_shape)
        args = {}
        if legacy:
            args["broadcast"] = 1
            if axis is not None:
                args["axis"] = axis

        def forward(t):
            b_t = legacy_view(t["B"], len(a_shape), axis) if legacy else t["B"]
            return {"C": fn(t["A"], b_t)}

        return Case([op(op_type, ["A", "B"], ["C"], **args)], {"A": a, "B": b}, forward,
                    grads=["A", "B"], seeds=["C"])

    return make


for _type in ARITHMETIC:
    for _suffix, _a, _b in NUMPY_SHAPES:
        case(_type.lower() + "_" + _suffix)(arithmetic_case(_type, _a, _b, False, None))
    for _suffix, _a, _b, _axis in LEGACY_SHAPES:
        case(_type.lower() + "_" + _suffix)(arithmetic_case(_type, _a, _b, True, _axis))


# ---------------------------------------------------------------------------------------------------------
# Softmax: X read as N x D, split at `axis`
# ---------------------------------------------------------------------------------------------------------

def rows_at(x, axis):
    """X as Caffe2's N x D matrix: N the product of the dims before axis, D of the rest."""
    axis = axis % x.dim()
    n = math.prod(x.shape[:axis])
    return x.reshape(n, -1)


def softmax_case(shape, axis):
    def make(r):
        x = r.uniform(-3.0, 3.0, *shape)
        args = {} if axis is None else {"axis": axis}
        return Case([op("Softmax", ["X"], ["Y"], **args)], {"X": x},
                    lambda t: {"Y": torch.softmax(rows_at(t["X"], 1 if axis is None else axis), 1)
                               .reshape(shape)},
                    grads=["X"], seeds=["Y"])

    return make


case("softmax_2d")(softmax_case((3, 5), None))
case("softmax_axis2")(softmax_case((2, 3, 4), 2))
case("softmax_axis1_3d")(softmax_case((2, 3, 4), 1))
case("softmax_axis_negative")(softmax_case((2, 3, 4), -1))
case("softmax_axis0")(softmax_case((2, 3), 0))


# ---------------------------------------------------------------------------------------------------------
# SoftmaxWithLoss: loss = scale * sum_i w_i loss_i / sum_i w_i (w_i = 1 without weights)
# ---------------------------------------------------------------------------------------------------------

def softmax_with_loss_case(shape, axis=None, label_prob=False, weighted=False, scale=None,
                           label_dtype=np.int32, label_column=False):
    def make(r):
        x = r.uniform(-3.0, 3.0, *shape)
        canonical = (1 if axis is None else axis) % len(shape)
        n = math.prod(shape[:canonical])
        d = math.prod(shape[canonical:])
        if label_prob:
            labels = r.probabilities(n, d).reshape(shape)
        else:
            label_shape = shape[:canonical] + ((1,) if label_column else ())
            labels = r.classes(d, n, label_dtype).reshape(label_shape)
        inputs = {"X": x, "T": labels}
        if weighted:
            inputs["W"] = r.uniform(0.2, 2.0, n)
        args = {}
        if axis is not None:
            args["axis"] = axis
        if label_prob:
            args["label_prob"] = 1
        if scale is not None:
            args["scale"] = scale

        def forward(t):
            logits = rows_at(t["X"], canonical)
            p = torch.softmax(logits, 1)
            if label_prob:
                target = rows_at(t["T"], canonical)
                per_row = -(target * torch.log(torch.clamp(p, min=LOG_THRESHOLD))).sum(1)
            else:
                classes = t["T"].reshape(-1)
                per_row = -torch.log_softmax(logits, 1)[torch.arange(n), classes]
            w = t["W"] if weighted else torch.ones(n, dtype=torch.float64)
            loss = (w * per_row).sum() / w.sum() * (1.0 if scale is None else scale)
            return {"P": p.reshape(shape), "loss": loss}

        return Case([op("SoftmaxWithLoss", list(inputs), ["P", "loss"], **args)], inputs, forward,
                    grads=["X"], seeds=["loss"])

    return make


case("softmax_with_loss_labels")(softmax_with_loss_case((4, 5)))
case("softmax_with_loss_int64_label_column")(
    softmax_with_loss_case((4, 5), label_dtype=np.int64, label_column=True))
case("softmax_with_loss_label_prob")(softmax_with_loss_case((4, 5), label_prob=True))
case("softmax_with_loss_weights")(softmax_with_loss_case((4, 5), weighted=True))
case("softmax_with_loss_scale")(softmax_with_loss_case((3, 4), scale=2.5))
case("softmax_with_loss_label_prob_weights_scale")(
    softmax_with_loss_case((4, 3), label_prob=True, weighted=True, scale=0.75))
case("softmax_with_loss_axis2")(softmax_with_loss_case((2, 3, 4), axis=2))


# ---------------------------------------------------------------------------------------------------------
# LabelCrossEntropy: Y[i] = -log(max(X[i, label[i]], 1e-20))
# ---------------------------------------------------------------------------------------------------------

def label_cross_entropy_case(n, d, label_dtype, label_column, one_row=False):
    def make(r):
        x = r.probabilities(n, d)
        labels = r.classes(d, n, label_dtype)
        if label_column:
            labels = labels.reshape(n, 1)
        if one_row:
            x = x.reshape(d)

        def forward(t):
            rows = t["X"].reshape(n, d)
            picked = rows[torch.arange(n), t["label"].reshape(-1)]
            return {"Y": -torch.log(torch.clamp(picked, min=LOG_THRESHOLD))}

        return Case([op("LabelCrossEntropy", ["X", "label"], ["Y"])], {"X": x, "label": labels}, forward,
                    grads=["X"], seeds=["Y"])

    return make


case("label_cross_entropy")(label_cross_entropy_case(4, 5, np.int32, False))
case("label_cross_entropy_int64_column")(label_cross_entropy_case(3, 4, np.int64, True))
case("label_cross_entropy_one_row")(label_cross_entropy_case(1, 6, np.int32, False, one_row=True))


# ---------------------------------------------------------------------------------------------------------
# SquaredL2Distance: Z[i] = 0.5 * sum over row i of (X - Y)^2, a row being everything under the first dim
# ---------------------------------------------------------------------------------------------------------

def squared_l2_case(*shape):
    def make(r):
        x = r.values(*shape)
        y = r.values(*shape)
        n = shape[0]
        return Case([op("SquaredL2Distance", ["X", "Y"], ["Z"])], {"X": x, "Y": y},
                    lambda t: {"Z": 0.5 * ((t["X"] - t["Y"]) ** 2).reshape(n, -1).sum(1)},
                    grads=["X", "Y"], seeds=["Z"])

    return make


case("squared_l2_distance")(squared_l2_case(4, 3))
case("squared_l2_distance_3d")(squared_l2_case(2, 3, 2))
case("squared_l2_distance_1d")(squared_l2_case(5))


# ---------------------------------------------------------------------------------------------------------
# Reductions: SumElements, AveragedLoss, ReduceSum, ReduceMean
# ---------------------------------------------------------------------------------------------------------

def sum_elements_case(average):
    def make(r):
        args = {"average": 1} if average else {}
        return Case([op("SumElements", ["X"], ["Y"], **args)], {"X": r.values(3, 4)},
                    lambda t: {"Y": t["X"].mean() if average else t["X"].sum()},
                    grads=["X"], seeds=["Y"])

    return make


case("sum_elements")(sum_elements_case(False))
case("sum_elements_average")(sum_elements_case(True))


@case("averaged_loss")
def _averaged_loss(r):
    return Case([op("AveragedLoss", ["X"], ["Y"])], {"X": r.values(3, 4)}, lambda t: {"Y": t["X"].mean()},
                grads=["X"], seeds=["Y"])


def reduce_case(op_type, shape, axes, keepdims):
    def make(r):
        args = {}
        if axes is not None:
            args["axes"] = list(axes)
        if keepdims is not None:
            args["keepdims"] = keepdims
        dims = list(range(len(shape))) if axes is None else list(axes)
        keep = keepdims is None or keepdims == 1
        fn = torch.sum if op_type == "ReduceSum" else torch.mean
        return Case([op(op_type, ["X"], ["Y"], **args)], {"X": r.values(*shape)},
                    lambda t: {"Y": fn(t["X"], dim=dims, keepdim=keep)},
                    grads=["X"], seeds=["Y"])

    return make


for _type, _prefix in (("ReduceSum", "reduce_sum"), ("ReduceMean", "reduce_mean")):
    case(_prefix + "_axes_0_2_keepdims")(reduce_case(_type, (2, 3, 4), (0, 2), None))
    case(_prefix + "_axis_1_no_keepdims")(reduce_case(_type, (2, 3, 4), (1,), 0))
    case(_prefix + "_negative_axis_keepdims")(reduce_case(_type, (2, 3, 4), (-1,), 1))
    case(_prefix + "_all_no_keepdims")(reduce_case(_type, (3, 4), None, 0))
    case(_prefix + "_all_keepdims")(reduce_case(_type, (2, 3, 2), None, 1))


# ---------------------------------------------------------------------------------------------------------
# Gather: OUTPUT = DATA picked at INDICES along axis; repeated indices make the gradient accumulate
# ---------------------------------------------------------------------------------------------------------

def gather_along(data, indices, axis):
    flat = data.index_select(axis, indices.reshape(-1))
    return flat.reshape(tuple(data.shape[:axis]) + tuple(indices.shape) + tuple(data.shape[axis + 1:]))


@case("gather_rows_sparse_gradient")
def _gather_rows(r):
    indices = np.array([[0, 2, 2], [4, 0, 2]], dtype=np.int32)
    return Case([op("Gather", ["DATA", "INDICES"], ["OUTPUT"])], {"DATA": r.values(5, 3), "INDICES": indices},
                lambda t: {"OUTPUT": gather_along(t["DATA"], t["INDICES"], 0)},
                grads=["DATA"], seeds=["OUTPUT"], sparse=["DATA"])


@case("gather_dense_gradient")
def _gather_dense(r):
    indices = np.array([3, 1, 3, 3], dtype=np.int64)
    return Case([op("Gather", ["DATA", "INDICES"], ["OUTPUT"], dense_gradient=1)],
                {"DATA": r.values(4, 2, 2), "INDICES": indices},
                lambda t: {"OUTPUT": gather_along(t["DATA"], t["INDICES"], 0)},
                grads=["DATA"], seeds=["OUTPUT"])


@case("gather_axis1")
def _gather_axis1(r):
    indices = np.array([2, 0, 2], dtype=np.int32)
    return Case([op("Gather", ["DATA", "INDICES"], ["OUTPUT"], axis=1)],
                {"DATA": r.values(2, 4, 3), "INDICES": indices},
                lambda t: {"OUTPUT": gather_along(t["DATA"], t["INDICES"], 1)},
                grads=["DATA"], seeds=["OUTPUT"])


@case("gather_twice_accumulated")
def _gather_twice(r):
    # Two Gathers read DATA: the backward builder joins their GradientSlices with Concat.
    first = np.array([1, 3, 1], dtype=np.int64)
    # Caffe2 concatenates the slices along axis 0, so both index tensors must have the same rank.
    second = np.array([3, 0, 1, 1], dtype=np.int64)
    return Case([op("Gather", ["DATA", "I1"], ["Y1"]), op("Gather", ["DATA", "I2"], ["Y2"])],
                {"DATA": r.values(5, 2), "I1": first, "I2": second},
                lambda t: {"Y1": gather_along(t["DATA"], t["I1"], 0), "Y2": gather_along(t["DATA"], t["I2"], 0)},
                grads=["DATA"], seeds=["Y1", "Y2"], sparse=["DATA"])


# ---------------------------------------------------------------------------------------------------------
# Dense operators: FC, FCTransposed, MatMul, BatchMatMul (DenseParityTest)
# ---------------------------------------------------------------------------------------------------------

def fc_case(x_shape, w_shape, axis=None, axis_w=None, transposed=False):
    def make(r):
        a = 1 if axis is None else axis
        a_w = 1 if axis_w is None else axis_w
        # FC: W is N x K (flattened at axis_w); FCTransposed: W is K x N.
        n = math.prod(w_shape[a_w:]) if transposed else math.prod(w_shape[:a_w])
        args = {}
        if axis is not None:
            args["axis"] = axis
        if axis_w is not None:
            args["axis_w"] = axis_w

        def forward(t):
            x = rows_at(t["X"], a)
            w = rows_at(t["W"], a_w)
            y = x @ (w if transposed else w.t()) + t["b"]
            return {"Y": y.reshape(tuple(x_shape[:a]) + (n,))}

        return Case([op("FCTransposed" if transposed else "FC", ["X", "W", "b"], ["Y"], **args)],
                    {"X": r.values(*x_shape), "W": r.values(*w_shape), "b": r.values(n)}, forward,
                    grads=["X", "W", "b"], seeds=["Y"])

    return make


case("fc")(fc_case((4, 3), (5, 3)))
case("fc_axis2")(fc_case((2, 3, 4), (5, 4), axis=2))
case("fc_axis_w2")(fc_case((4, 3), (5, 2, 3), axis_w=2))
case("fc_transposed")(fc_case((4, 3), (3, 5), transposed=True))
case("fc_transposed_axis2")(fc_case((2, 3, 4), (4, 5), axis=2, transposed=True))


def matmul_case(a_shape, b_shape, trans_a=0, trans_b=0, axis_a=None, axis_b=None):
    def make(r):
        args = {}
        if axis_a is not None:
            args["axis_a"] = axis_a
        if axis_b is not None:
            args["axis_b"] = axis_b
        if trans_a:
            args["trans_a"] = 1
        if trans_b:
            args["trans_b"] = 1

        def forward(t):
            a = rows_at(t["A"], 1 if axis_a is None else axis_a)
            b = rows_at(t["B"], 1 if axis_b is None else axis_b)
            return {"Y": (a.t() if trans_a else a) @ (b.t() if trans_b else b)}

        return Case([op("MatMul", ["A", "B"], ["Y"], **args)], {"A": r.values(*a_shape), "B": r.values(*b_shape)},
                    forward, grads=["A", "B"], seeds=["Y"])

    return make


case("matmul")(matmul_case((3, 4), (4, 5)))
case("matmul_trans_a")(matmul_case((4, 3), (4, 5), trans_a=1))
case("matmul_trans_b")(matmul_case((3, 4), (5, 4), trans_b=1))
case("matmul_trans_both")(matmul_case((4, 3), (5, 4), trans_a=1, trans_b=1))
case("matmul_3d_default_axes")(matmul_case((2, 3, 2), (6, 4)))
case("matmul_axis_a2_axis_b2")(matmul_case((2, 3, 4), (2, 2, 5), axis_a=2, axis_b=2))
case("matmul_axes_trans_both")(matmul_case((2, 2, 3), (5, 2, 2), trans_a=1, trans_b=1, axis_a=2, axis_b=1))


def batch_matmul_case(a_shape, b_shape, trans_a=0, trans_b=0, broadcast=False):
    def make(r):
        args = {}
        if trans_a:
            args["trans_a"] = 1
        if trans_b:
            args["trans_b"] = 1
        if broadcast:
            args["broadcast"] = 1

        def forward(t):
            a = t["A"].transpose(-1, -2) if trans_a else t["A"]
            b = t["B"].transpose(-1, -2) if trans_b else t["B"]
            return {"Y": torch.matmul(a, b)}

        # Caffe2 refuses the gradient of BatchMatMul with broadcast: 1, so those cases are forward only.
        return Case([op("BatchMatMul", ["A", "B"], ["Y"], **args)],
                    {"A": r.values(*a_shape), "B": r.values(*b_shape)}, forward,
                    grads=[] if broadcast else ["A", "B"], seeds=[] if broadcast else ["Y"])

    return make


case("batch_matmul")(batch_matmul_case((2, 3, 4), (2, 4, 5)))
case("batch_matmul_trans_a")(batch_matmul_case((2, 4, 3), (2, 4, 5), trans_a=1))
case("batch_matmul_trans_b")(batch_matmul_case((2, 3, 4), (2, 5, 4), trans_b=1))
case("batch_matmul_trans_both_4d")(batch_matmul_case((2, 2, 4, 3), (2, 2, 5, 4), trans_a=1, trans_b=1))
case("batch_matmul_2d")(batch_matmul_case((3, 4), (4, 2)))
case("batch_matmul_broadcast")(batch_matmul_case((2, 1, 3, 4), (5, 4, 2), broadcast=True))
case("batch_matmul_broadcast_vector")(batch_matmul_case((2, 3, 4), (4,), broadcast=True))


# ---------------------------------------------------------------------------------------------------------
# Running the cases and writing the files
# ---------------------------------------------------------------------------------------------------------

def to_torch(array, differentiable):
    if array.dtype == np.float32:
        return torch.from_numpy(array.astype(np.float64)).requires_grad_(differentiable)
    return torch.from_numpy(array.astype(np.int64))


def evaluate(name, c, seed_draw):
    tensors = {blob: to_torch(array, blob in c.grads) for blob, array in c.inputs.items()}
    outputs = c.forward(tensors)
    arrays = {}
    for blob, array in c.inputs.items():
        arrays["in." + blob] = array
    for blob, value in outputs.items():
        arrays["out." + blob] = value.detach().numpy().astype(np.float32)
    if c.seeds:
        seeds = []
        for blob in c.seeds:
            seed = seed_draw.uniform(-1.5, 1.5, *outputs[blob].shape)
            arrays["seed." + blob] = seed
            seeds.append(torch.from_numpy(seed.astype(np.float64)))
        grads = torch.autograd.grad([outputs[b] for b in c.seeds], [tensors[b] for b in c.grads], seeds)
        for blob, grad in zip(c.grads, grads):
            if tuple(grad.shape) != c.inputs[blob].shape:
                raise AssertionError(name + ": gradient of " + blob + " has the wrong shape")
            arrays["grad." + blob] = grad.numpy().astype(np.float32)
    for blob in c.sparse:
        arrays["sparse." + blob] = np.array(1, dtype=np.int32)
    return arrays


def text_value(value):
    if isinstance(value, bool) or isinstance(value, (int, np.integer)):
        return "i: %d" % value
    if isinstance(value, float):
        return "f: %r" % float(np.float32(value))
    if isinstance(value, str):
        return 's: "%s"' % value
    return " ".join("ints: %d" % v for v in value)


def net_text(name, c, outputs):
    lines = ["# Written by tools/parity/make_parity_fixtures.py; do not edit.", 'name: "%s"' % name]
    for op_type, inputs, op_outputs, args in c.ops:
        lines.append("op {")
        lines.extend('  input: "%s"' % b for b in inputs)
        lines.extend('  output: "%s"' % b for b in op_outputs)
        lines.append('  type: "%s"' % op_type)
        for arg_name, value in args.items():
            lines.append('  arg { name: "%s" %s }' % (arg_name, text_value(value)))
        lines.append("}")
    lines.extend('external_input: "%s"' % b for b in c.inputs)
    lines.extend('external_output: "%s"' % b for b in outputs)
    return "\n".join(lines) + "\n"


def npz_bytes(arrays):
    """NumPy's savez layout (stored .npy entries), with a fixed timestamp so that reruns are identical."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for key, array in arrays.items():
            entry = io.BytesIO()
            np.lib.format.write_array(entry, np.array(array, order="C"), allow_pickle=False)
            archive.writestr(zipfile.ZipInfo(key + ".npy", date_time=FIXED_ZIP_TIME), entry.getvalue())
    return buffer.getvalue()


def write_if_changed(path, data):
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)
        return True
    return False


def main():
    torch.set_grad_enabled(True)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    written = set()
    changed = 0
    total = 0
    for name, make in CASES.items():
        seed = zlib.crc32(name.encode("utf-8"))
        c = make(Draw(seed))
        arrays = evaluate(name, c, Draw(seed ^ 0x5EED))
        outputs = [k[len("out."):] for k in arrays if k.startswith("out.")]
        npz = npz_bytes(arrays)
        pbtxt = net_text(name, c, outputs).encode("utf-8")
        changed += write_if_changed(OUT_DIR / (name + ".npz"), npz)
        changed += write_if_changed(OUT_DIR / (name + ".pbtxt"), pbtxt)
        written.update({name + ".npz", name + ".pbtxt"})
        total += len(npz) + len(pbtxt)
    removed = 0
    for path in sorted(OUT_DIR.iterdir()):
        if path.suffix in (".npz", ".pbtxt") and path.name not in written:
            path.unlink()
            removed += 1
    print("%d cases, %d bytes in %s; %d files changed, %d removed (torch %s)"
          % (len(CASES), total, OUT_DIR, changed, removed, torch.__version__))
    return 0


if __name__ == "__main__":
    sys.exit(main())
