#!/usr/bin/python3
"""PyTorch's side of zerog's MLP training-step benchmark (bench/run-mlp.sh).

The MLP of dev.zerog.bench.MlpSpec, with the same options and defaults: `hidden` Linear layers of `width` units
with ReLU on `inputs` features, a Linear layer of `classes` logits, cross-entropy on integer labels (mean over the
batch), plain SGD (torch.optim.SGD, no momentum) at a fixed learning rate. Weights are initialized as Caffe2's
XavierFill, U[-s, s] with s = sqrt(3 / fan_in), biases to 0. One batch, fixed for the run, feeds every step.

A step: zero the gradients, forward, loss, backward, update, and read the loss (loss.item()). The harness is the
one of the Java sides (dev.zerog.bench.StepTimer): `warmup` untimed steps, then `steps` steps timed one by one;
it prints one RESULT line with the median, the 10th and 90th percentiles, the mean, the process's CPU time over
the wall time of the timed steps, and the first and last losses.

--mode frozen freezes the hidden layers the PyTorch way (requires_grad=False on their parameters; the optimizer gets
the classifier's only) and prints side=torch-frozen.

Threads: torch.set_num_threads(--threads) and one inter-op thread; run it with OPENBLAS_NUM_THREADS and
OMP_NUM_THREADS set to the same count (run-mlp.sh does), so that the BLAS underneath uses that many too.
"""

import argparse
import math
import os
import re
import statistics
import sys
import time

import torch


def percentile(sorted_times, q):
    """Nearest-rank percentile, as StepTimer.percentile."""
    rank = math.ceil(q * len(sorted_times))
    return sorted_times[max(0, min(len(sorted_times) - 1, rank - 1))]


def blas_of_torch():
    """Which BLAS this torch calls: its build's BLAS_INFO and the BLAS libraries its process has loaded."""
    match = re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show())
    info = match.group(1) if match else "unknown"
    loaded = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1]
                name = os.path.basename(path)
                if "blas" in name or "mkl" in name:
                    loaded.add(os.path.realpath(path))
    except OSError:
        pass
    return info, sorted(loaded)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--hidden", type=int, default=8)
    p.add_argument("--width", type=int, default=1024)
    p.add_argument("--inputs", type=int, default=1024)
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--warmup", type=int, default=30)
    p.add_argument("--steps", type=int, default=60)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--mode", choices=["full", "frozen"], default="full",
                   help="frozen: every hidden layer requires_grad=False, only the classifier trains")
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass  # already set by an earlier parallel call; it only matters for inter-op parallelism, unused here
    torch.manual_seed(a.seed)

    layers = []
    fan_in = a.inputs
    for i in range(a.hidden + 1):
        out = a.classes if i == a.hidden else a.width
        linear = torch.nn.Linear(fan_in, out)
        bound = math.sqrt(3.0 / fan_in)
        with torch.no_grad():
            linear.weight.uniform_(-bound, bound)
            linear.bias.zero_()
        layers.append(linear)
        if i < a.hidden:
            layers.append(torch.nn.ReLU())
        fan_in = out
    model = torch.nn.Sequential(*layers)
    if a.mode == "frozen":
        for layer in layers[:-1]:
            for parameter in layer.parameters():
                parameter.requires_grad_(False)
    trained = [q for q in model.parameters() if q.requires_grad]
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(trained, lr=a.lr)
    x = torch.randn(a.batch, a.inputs)
    y = torch.randint(0, a.classes, (a.batch,))

    def step():
        optimizer.zero_grad(set_to_none=False)
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    info, loaded = blas_of_torch()
    print(f"torch: mode {a.mode}, {a.hidden} hidden layers of {a.width} (ReLU), {a.inputs} inputs, {a.classes} classes, "
          f"batch {a.batch}, SGD lr {a.lr}, {a.warmup} warm-up and {a.steps} timed steps; torch {torch.__version__}, "
          f"intra-op threads {torch.get_num_threads()}, inter-op threads {torch.get_num_interop_threads()}, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}, BLAS_INFO={info}", flush=True)

    first = float("nan")
    for i in range(a.warmup):
        loss = step()
        if i == 0:
            first = loss
    info, loaded = blas_of_torch()  # after the first products, the BLAS library is surely loaded
    print("torch: BLAS libraries loaded: " + (", ".join(loaded) if loaded else "none"), flush=True)

    times = []
    cpu0 = time.process_time()
    wall0 = time.perf_counter()
    last = float("nan")
    for i in range(a.steps):
        t0 = time.perf_counter_ns()
        last = step()
        times.append(time.perf_counter_ns() - t0)
        if a.warmup == 0 and i == 0:
            first = last
    wall = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0
    if not math.isfinite(last):
        sys.exit(f"torch: the loss is {last} after {a.warmup + a.steps} steps")
    s = sorted(times)
    threads = len(os.listdir("/proc/self/task"))
    side = "torch" if a.mode == "full" else "torch-" + a.mode
    print(f"RESULT side={side} median_ms={statistics.median(s) / 1e6:.2f} p10_ms={percentile(s, 0.10) / 1e6:.2f} "
          f"p90_ms={percentile(s, 0.90) / 1e6:.2f} mean_ms={statistics.fmean(s) / 1e6:.2f} "
          f"cpu_per_wall={cpu / wall:.2f} loss_first={first:.4f} loss_last={last:.4f} "
          f"intra_threads={torch.get_num_threads()} os_threads={threads} blas_info={info}", flush=True)


if __name__ == "__main__":
    main()
