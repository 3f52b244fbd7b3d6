#!/usr/bin/python3
"""Writes the PyTorch parity fixtures of zerog's convolutional operators.

Run with Debian's PyTorch (python3-torch) from the repository root:

    /usr/bin/python3 tools/parity/make_cnn_fixtures.py

For each case it writes, under core/src/test/resources/parity/cnn/:

  <case>.pbtxt  a one-operator Caffe2 NetDef (text format): the zerog operator and its arguments;
  <case>.npz    input.<blob>        the operator's inputs (float32; running statistics too),
                output.<blob>       the expected outputs (float64),
                output_grad.<blob>  a random upstream gradient for the differentiated output (float32),
                input_grad.<blob>   the expected gradient of each differentiable input (float64).

The expected values are PyTorch's functions (torch.nn.functional) and autograd evaluated in float64 on the
float32 inputs, so they carry no float32 rounding of their own. Where Caffe2's argument has no PyTorch
counterpart the case builds it from PyTorch operations, as its comment says (asymmetric padding, Caffe2's running
variance). The Java test (dev.zerog.parity.CnnParityTest) runs each operator in FLOAT and DOUBLE and compares.
"""

import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "core", "src", "test", "resources",
                   "parity", "cnn")

rng = np.random.RandomState(20240601)


def f32(v):
    """v rounded to float32, so that PyTorch uses exactly the value zerog reads from a float argument."""
    return float(np.float32(v))


def rand(*shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, size=shape).astype(np.float32)


def arg(name, value):
    if isinstance(value, str):
        return 'arg { name: "%s" s: "%s" }' % (name, value)
    if isinstance(value, float):
        return 'arg { name: "%s" f: %r }' % (name, value)
    if isinstance(value, (list, tuple)):
        return 'arg { name: "%s" %s }' % (name, " ".join("ints: %d" % v for v in value))
    return 'arg { name: "%s" i: %d }' % (name, value)


def nchw_to_nhwc(a):
    return np.ascontiguousarray(np.moveaxis(a, 1, -1))


def write_case(name, op_type, inputs, outputs, args, expected, differentiate, grad_inputs, output_grad):
    """inputs/outputs: blob names; expected: {blob: float64 array}; grad_inputs: {blob: float64 gradient}."""
    lines = ['name: "%s"' % name, "op {"]
    lines += ['  input: "%s"' % b for b in inputs]
    lines += ['  output: "%s"' % b for b in outputs]
    lines.append('  type: "%s"' % op_type)
    lines += ["  " + arg(k, v) for k, v in args]
    lines.append("}")
    with open(os.path.join(OUT, name + ".pbtxt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    arrays = {}
    for blob, value in expected.items():
        arrays["output." + blob] = np.asarray(value, dtype=np.float64)
    arrays["output_grad." + differentiate] = output_grad
    for blob, value in grad_inputs.items():
        arrays["input_grad." + blob] = np.asarray(value, dtype=np.float64)
    return arrays


def save(name, feeds, arrays):
    all_arrays = {"input." + k: v for k, v in feeds.items()}
    all_arrays.update(arrays)
    np.savez_compressed(os.path.join(OUT, name + ".npz"), **all_arrays)


def run_case(name, op_type, feeds, args, fn, outputs=("Y",), nhwc=False, differentiable=None, extra=None):
    """fn(**float64 tensors in NCHW) -> the output tensor (NCHW). With nhwc, feeds are given NCHW and stored
    NHWC (filters too: channels moved last), and outputs and gradients are stored NHWC."""
    differentiable = list(feeds) if differentiable is None else differentiable
    tensors = {k: torch.tensor(v, dtype=torch.float64, requires_grad=k in differentiable) for k, v in feeds.items()}
    y = fn(**tensors)
    dy = rand(*y.shape)
    y.backward(torch.tensor(dy, dtype=torch.float64))
    expected = {outputs[0]: y.detach().numpy()}
    grads = {k: tensors[k].grad.numpy() for k in differentiable}
    if extra:
        expected.update(extra(tensors))
    stored = dict(feeds)
    if nhwc:
        expected = {k: (nchw_to_nhwc(v) if v.ndim > 2 else v) for k, v in expected.items()}
        grads = {k: (nchw_to_nhwc(v) if v.ndim > 2 else v) for k, v in grads.items()}
        stored = {k: (nchw_to_nhwc(v) if v.ndim > 2 else v) for k, v in feeds.items()}
        dy = nchw_to_nhwc(dy)
    inputs = list(feeds)
    arrays = write_case(name, op_type, inputs, list(outputs), args, expected, outputs[0], grads, dy)
    save(name, stored, arrays)
    print("wrote", name, file=sys.stderr)


def conv_fn(stride=1, padding=0, dilation=1, groups=1, pads=None, dims=2):
    conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[dims]

    def fn(X, W, b=None):
        x = X
        if pads is not None:
            # Caffe2's pads (heads of every axis, then tails) as explicit zero padding: F.pad takes the last axis
            # first, (left, right) pairs.
            n = len(pads) // 2
            flat = []
            for axis in reversed(range(n)):
                flat += [pads[axis], pads[axis + n]]
            x = F.pad(x, flat)
        return conv(x, W, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
    return fn


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".npz") or f.endswith(".pbtxt"):
            os.remove(os.path.join(OUT, f))

    # ---- Conv
    run_case("conv_pad_bias", "Conv", {"X": rand(2, 3, 7, 7), "W": rand(4, 3, 3, 3), "b": rand(4)},
             [("kernel", 3), ("pad", 1)], conv_fn(padding=1))
    run_case("conv_stride_dilation", "Conv", {"X": rand(2, 4, 9, 8), "W": rand(6, 4, 3, 2), "b": rand(6)},
             [("kernels", [3, 2]), ("strides", [2, 1]), ("dilations", [2, 1])],
             conv_fn(stride=(2, 1), dilation=(2, 1)))
    # Groups and asymmetric padding (top 1, left 0, bottom 2, right 1): explicit F.pad, then an unpadded conv.
    groups_asym = {"X": rand(1, 6, 8, 8), "W": rand(9, 2, 3, 3), "b": rand(9)}
    run_case("conv_groups_asymmetric_pad", "Conv", groups_asym,
             [("kernel", 3), ("group", 3), ("pad_t", 1), ("pad_l", 0), ("pad_b", 2), ("pad_r", 1), ("stride", 2)],
             conv_fn(stride=2, groups=3, pads=[1, 0, 2, 1]))
    run_case("conv_groups_asymmetric_pad_nhwc", "Conv", groups_asym,
             [("kernel", 3), ("group", 3), ("pad_t", 1), ("pad_l", 0), ("pad_b", 2), ("pad_r", 1), ("stride", 2),
              ("order", "NHWC")],
             conv_fn(stride=2, groups=3, pads=[1, 0, 2, 1]), nhwc=True)
    run_case("conv_depthwise_no_bias", "Conv", {"X": rand(2, 4, 6, 6), "W": rand(4, 1, 3, 3)},
             [("kernel", 3), ("group", 4), ("stride", 2), ("pad", 1)], conv_fn(stride=2, padding=1, groups=4))
    run_case("conv_pointwise", "Conv", {"X": rand(2, 8, 5, 5), "W": rand(16, 8, 1, 1), "b": rand(16)},
             [("kernel", 1)], conv_fn())
    run_case("conv_dilation_groups_nhwc", "Conv", {"X": rand(2, 4, 7, 7), "W": rand(6, 2, 2, 3)},
             [("kernels", [2, 3]), ("dilations", [2, 2]), ("group", 2), ("pads", [1, 1, 0, 2]), ("order", "NHWC")],
             conv_fn(dilation=2, groups=2, pads=[1, 1, 0, 2]), nhwc=True)
    run_case("conv1d", "Conv", {"X": rand(2, 3, 10), "W": rand(4, 3, 3), "b": rand(4)},
             [("kernels", [3]), ("strides", [2]), ("pads", [1, 2])], conv_fn(stride=2, pads=[1, 2], dims=1))
    run_case("conv3d", "Conv", {"X": rand(1, 2, 4, 5, 5), "W": rand(3, 2, 2, 3, 3), "b": rand(3)},
             [("kernels", [2, 3, 3]), ("pads", [1, 1, 1, 0, 1, 1])], conv_fn(pads=[1, 1, 1, 0, 1, 1], dims=3))

    # ---- ConvTranspose (W is [Ci, Co / group, kh, kw], as in PyTorch)
    run_case("conv_transpose_stride_adj", "ConvTranspose", {"X": rand(2, 4, 5, 5), "W": rand(4, 3, 3, 3),
                                                             "b": rand(3)},
             [("kernel", 3), ("stride", 2), ("pad", 1), ("adj", 1)],
             lambda X, W, b: F.conv_transpose2d(X, W, b, stride=2, padding=1, output_padding=1))

    # Asymmetric cropping (top 0, left 1, bottom 1, right 0) with groups: the full output, sliced.
    def convt_asym(X, W, b):
        full = F.conv_transpose2d(X, W, b, stride=2, groups=2)
        return full[:, :, 0:full.shape[2] - 1, 1:]
    convt = {"X": rand(1, 4, 4, 4), "W": rand(4, 2, 3, 3), "b": rand(4)}
    run_case("conv_transpose_groups_asymmetric_pad", "ConvTranspose", convt,
             [("kernel", 3), ("stride", 2), ("group", 2), ("pad_t", 0), ("pad_l", 1), ("pad_b", 1), ("pad_r", 0)],
             convt_asym)
    run_case("conv_transpose_groups_asymmetric_pad_nhwc", "ConvTranspose", convt,
             [("kernel", 3), ("stride", 2), ("group", 2), ("pad_t", 0), ("pad_l", 1), ("pad_b", 1), ("pad_r", 0),
              ("order", "NHWC")], convt_asym, nhwc=True)
    run_case("conv_transpose_no_bias", "ConvTranspose", {"X": rand(2, 3, 4, 3), "W": rand(3, 2, 2, 3)},
             [("kernels", [2, 3]), ("strides", [1, 2])],
             lambda X, W: F.conv_transpose2d(X, W, None, stride=(1, 2)))

    # ---- MaxPool and AveragePool
    x_pool = rand(2, 3, 7, 7)
    run_case("max_pool", "MaxPool", {"X": x_pool}, [("kernel", 3), ("stride", 2), ("pad", 1)],
             lambda X: F.max_pool2d(X, 3, stride=2, padding=1))
    # AlexNet's pool5 padding (bottom and right 1): -inf padding, then an unpadded max pool.
    run_case("max_pool_asymmetric_pad", "MaxPool", {"X": rand(1, 2, 13, 13)},
             [("kernel", 3), ("stride", 2), ("pad_t", 0), ("pad_l", 0), ("pad_b", 1), ("pad_r", 1)],
             lambda X: F.max_pool2d(F.pad(X, [0, 1, 0, 1], value=float("-inf")), 3, stride=2))
    run_case("max_pool_nhwc", "MaxPool", {"X": x_pool}, [("kernel", 3), ("stride", 2), ("pad", 1),
                                                          ("order", "NHWC")],
             lambda X: F.max_pool2d(X, 3, stride=2, padding=1), nhwc=True)
    run_case("max_pool_global", "MaxPool", {"X": rand(2, 3, 5, 4)}, [("global_pooling", 1)],
             lambda X: F.adaptive_max_pool2d(X, 1))
    run_case("average_pool_exclude_pad", "AveragePool", {"X": x_pool}, [("kernel", 3), ("stride", 2), ("pad", 1)],
             lambda X: F.avg_pool2d(X, 3, stride=2, padding=1, count_include_pad=False))
    run_case("average_pool_include_pad", "AveragePool", {"X": x_pool},
             [("kernel", 3), ("stride", 2), ("pad", 1), ("count_include_pad", 1)],
             lambda X: F.avg_pool2d(X, 3, stride=2, padding=1, count_include_pad=True))
    run_case("average_pool_include_pad_nhwc", "AveragePool", {"X": x_pool},
             [("kernel", 3), ("stride", 2), ("pad", 1), ("count_include_pad", 1), ("order", "NHWC")],
             lambda X: F.avg_pool2d(X, 3, stride=2, padding=1, count_include_pad=True), nhwc=True)
    run_case("average_pool_global", "AveragePool", {"X": rand(2, 5, 7, 7)}, [("global_pooling", 1)],
             lambda X: F.adaptive_avg_pool2d(X, 1))

    # ---- SpatialBN
    bn = {"X": rand(2, 3, 4, 5, lo=-2, hi=3), "scale": rand(3, lo=0.5, hi=2), "bias": rand(3),
          "mean": rand(3), "var": rand(3, lo=0.5, hi=2)}
    eps = f32(1e-5)
    run_case("spatial_bn_test", "SpatialBN", bn, [("is_test", 1), ("epsilon", eps)],
             lambda X, scale, bias, mean, var: F.batch_norm(X, mean, var, scale, bias, training=False, eps=eps),
             differentiable=["X", "scale", "bias"])
    momentum = f32(0.9)

    def bn_train_case(name, nhwc):
        feeds = {"X": bn["X"], "scale": bn["scale"], "bias": bn["bias"], "running_mean": bn["mean"],
                 "running_var": bn["var"]}

        def fn(X, scale, bias, running_mean, running_var):
            # Y and its gradients from PyTorch in training mode (PyTorch's momentum is Caffe2's 1 - momentum).
            return F.batch_norm(X, running_mean.detach().clone(), running_var.detach().clone(), scale, bias,
                                training=True, momentum=1 - momentum, eps=eps)

        def stats(t):
            x = t["X"].detach()
            mean = x.mean(dim=(0, 2, 3))
            var = x.var(dim=(0, 2, 3), unbiased=False)
            # Caffe2's running variance averages the biased batch variance (PyTorch's the unbiased one).
            return {"running_mean": (momentum * t["running_mean"].detach() + (1 - momentum) * mean).numpy(),
                    "running_var": (momentum * t["running_var"].detach() + (1 - momentum) * var).numpy(),
                    "saved_mean": mean.numpy(), "saved_inv_std": (1 / torch.sqrt(var + eps)).numpy()}
        run_case(name, "SpatialBN", feeds,
                 [("is_test", 0), ("epsilon", eps), ("momentum", momentum)] + ([("order", "NHWC")] if nhwc else []),
                 fn, outputs=("Y", "running_mean", "running_var", "saved_mean", "saved_inv_std"), nhwc=nhwc,
                 differentiable=["X", "scale", "bias"], extra=stats)
    bn_train_case("spatial_bn_train", False)
    bn_train_case("spatial_bn_train_nhwc", True)

    # ---- LRN
    x_lrn = rand(2, 7, 5, 5, lo=-3, hi=3)
    alpha, beta = f32(0.2), f32(0.75)
    run_case("lrn", "LRN", {"X": x_lrn}, [("size", 5), ("alpha", alpha), ("beta", beta), ("bias", 2.0)],
             lambda X: F.local_response_norm(X, 5, alpha=alpha, beta=beta, k=2.0))
    alpha, beta = f32(0.5), f32(0.6)
    run_case("lrn_nhwc", "LRN", {"X": x_lrn},
             [("size", 3), ("alpha", alpha), ("beta", beta), ("bias", 1.0), ("order", "NHWC")],
             lambda X: F.local_response_norm(X, 3, alpha=alpha, beta=beta, k=1.0), nhwc=True)


if __name__ == "__main__":
    torch.manual_seed(0)
    main()
