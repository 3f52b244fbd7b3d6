#!/usr/bin/python3
"""PyTorch's side of bench/run-resnet.sh: the training step of the model zoo's ResNet-50, built by hand.

The network is the one of the zoo's resnet50/predict_net.pbtxt, layer for layer: a 7x7/2 convolution (no bias),
batch norm, ReLU and a 3x3/2 max pool (pad 1); four stages of 3, 4, 6 and 3 bottleneck blocks of widths 64, 128,
256 and 512 (1x1, 3x3, 1x1 convolutions without bias, each followed by batch norm; the stride of a stage on its
first block's 3x3 convolution; a projection shortcut, 1x1 convolution and batch norm, on the first block of every
stage, with the stage's stride); the residual sum, ReLU; a 7x7 average pool; a 1000-way fully connected layer with
bias; softmax cross-entropy on integer labels (Caffe2's SoftmaxWithLoss, averaged over the batch). Batch norm
trains (batch statistics, running statistics updated), as SpatialBN with is_test 0 does.

A step is the forward pass with the loss, then the backward pass; gradients are dropped (set to None) before each
step, so that backward writes rather than accumulates them, as zerog's gradient ops do. Mode "full" trains every
parameter; mode "frozen" sets requires_grad=False on every parameter but the classifier's.

Usage: resnet50_torch.py [--batch 8] [--size 224] [--warmup 3] [--steps 10] [--threads 2] [--modes full,frozen]
Prints one RESULT line per mode (read by bench/run-resnet.sh).
"""
import argparse
import os
import re
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Bottleneck(nn.Module):
    def __init__(self, cin, width, stride, project):
        super().__init__()
        cout = 4 * width
        self.conv_a = nn.Conv2d(cin, width, 1, bias=False)
        self.bn_a = nn.BatchNorm2d(width)
        self.conv_b = nn.Conv2d(width, width, 3, stride=stride, padding=1, bias=False)
        self.bn_b = nn.BatchNorm2d(width)
        self.conv_c = nn.Conv2d(width, cout, 1, bias=False)
        self.bn_c = nn.BatchNorm2d(cout)
        if project:
            self.proj = nn.Conv2d(cin, cout, 1, stride=stride, bias=False)
            self.bn_proj = nn.BatchNorm2d(cout)
        else:
            self.proj = None

    def forward(self, x):
        y = F.relu(self.bn_a(self.conv_a(x)))
        y = F.relu(self.bn_b(self.conv_b(y)))
        y = self.bn_c(self.conv_c(y))
        shortcut = self.bn_proj(self.proj(x)) if self.proj is not None else x
        return F.relu(y + shortcut)


class ResNet50(nn.Module):
    def __init__(self, classes=1000):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        blocks = []
        cin = 64
        for width, count, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
            for i in range(count):
                blocks.append(Bottleneck(cin, width, stride if i == 0 else 1, i == 0))
                cin = 4 * width
        self.blocks = nn.Sequential(*blocks)
        self.pred = nn.Linear(2048, classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, stride=2, padding=1)
        x = self.blocks(x)
        x = F.avg_pool2d(x, 7, stride=1)
        return self.pred(torch.flatten(x, 1))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--modes", default="full,frozen")
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(7)
    config = torch.__config__.show()
    blas = re.findall(r"(?:BLAS_INFO|LAPACK_INFO)=[^,\s]+|Intel\(R\) (?:MKL-DNN|oneAPI Deep Neural Network)[^\n(]*", config)
    torch.ones(64, 64) @ torch.ones(64, 64)  # loads the BLAS library, to name it below
    with open("/proc/self/maps") as maps:
        libs = sorted({line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line})
    blas.append("BLAS library " + (", ".join(os.path.realpath(lib) for lib in libs) or "none loaded"))
    print("torch: %s, %d threads (OPENBLAS/OMP/MKL_NUM_THREADS=%s/%s/%s), mkldnn %s; %s" % (
        torch.__version__, torch.get_num_threads(), os.environ.get("OPENBLAS_NUM_THREADS", "unset"),
        os.environ.get("OMP_NUM_THREADS", "unset"), os.environ.get("MKL_NUM_THREADS", "unset"),
        "available" if torch.backends.mkldnn.is_available() else "not available", "; ".join(blas)))

    model = ResNet50()
    model.train()
    params = sum(q.numel() for q in model.parameters())
    print("torch: ResNet-50 by hand, batch %d at %dx%d, %d trainable parameters" % (a.batch, a.size, a.size, params))
    g = torch.Generator().manual_seed(7)
    x = torch.rand(a.batch, 3, a.size, a.size, generator=g) * 2 - 1
    labels = torch.randint(0, 1000, (a.batch,), generator=g)

    for mode in a.modes.split(","):
        if mode not in ("full", "frozen"):
            sys.exit("unknown mode " + mode)
        for name, q in model.named_parameters():
            q.requires_grad_(mode == "full" or name.startswith("pred."))
        fwd, bwd, tot = [], [], []
        for i in range(a.warmup + a.steps):
            for q in model.parameters():
                q.grad = None
            t0 = time.perf_counter()
            loss = F.cross_entropy(model(x), labels)
            t1 = time.perf_counter()
            loss.backward()
            t2 = time.perf_counter()
            if i >= a.warmup:
                fwd.append((t1 - t0) * 1e3)
                bwd.append((t2 - t1) * 1e3)
                tot.append((t2 - t0) * 1e3)
        print("torch %s: step times (ms): %s" % (mode, " ".join("%.0f" % t for t in tot)))
        med = statistics.median(tot)
        print("RESULT torch %s step_ms=%.1f min_ms=%.1f forward_ms=%.1f backward_ms=%.1f per_image_ms=%.1f "
              "loss=%.4f" % (mode, med, min(tot), statistics.median(fwd), statistics.median(bwd), med / a.batch,
                             loss.item()))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
