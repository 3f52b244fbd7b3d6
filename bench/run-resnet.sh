#!/usr/bin/env bash
# ResNet-50 training step, zerog against PyTorch, in one run: the model zoo's predict net made a train net
# (SpatialBN in training mode, SoftmaxWithLoss on labels), forward and backward over a batch of 8 at 224x224 on
# 2 threads; then the same with the trunk frozen at the classifier's input, zerog the Caffe2 way ("frozen":
# StopGradient on the cut, ZeroGradient on every trunk parameter) and with its own freeze ("pruned": the
# zero-aware backward pass with the trunk parameters frozen), PyTorch with requires_grad=False on the trunk.
# PyTorch is Debian's python3-torch run by /usr/bin/python3 on the same network written by hand
# (bench/resnet50_torch.py); zerog's side is dev.zerog.bench.ResNetTrainStep.
#
# Usage: bench/run-resnet.sh [--no-build] [--rounds R] [--steps S] [--warmup W] [--batch B] [--profile N]
#   --no-build   use the existing bench/target/zerog-bench.jar
#   --rounds R   alternate the two sides R times (default 2), each round a fresh process per side
#   --steps S    timed steps per side, mode and round (default 10), after W warm-up steps (default 3)
#   --profile N  also print zerog's time per operator type over N more steps
# Prints every step time and the load average before each side, then per side and mode the median over all timed
# steps (per batch and per image), the ratio zerog / PyTorch of the medians and that of the fastest steps. Takes about 4 minutes with the defaults on 2 cores.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
jar="$root/bench/target/zerog-bench.jar"
zoo="${ZEROG_ZOO:-$root/../../shared/caffe2-model-zoo}"
[[ -d "$zoo" ]] || zoo=/work/shared/caffe2-model-zoo
net="$zoo/resnet50/predict_net.pbtxt"
shapes="$root/zoo/resnet50.shapes.json"

build=1 rounds=2 steps=10 warmup=3 batch=8 profile=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-build) build=0; shift ;;
    --rounds) rounds="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --batch) batch="$2"; shift 2 ;;
    --profile) profile="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

if [[ $build == 1 ]]; then
  echo "building $jar ..." >&2
  (cd "$root" && mvn -B -q -o -Pbench -pl bench -am package -DskipTests) >&2
fi

export OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2 MKL_NUM_THREADS=2
log="$(mktemp -t zerog-resnet.XXXXXX)"
trap 'rm -f "$log"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r)"
echo "java: $(java -version 2>&1 | head -1); python: $(/usr/bin/python3 --version 2>&1)"
load() { sed 's/^\([^ ]*\) \([^ ]*\) \([^ ]*\).*/\1 \2 \3/' /proc/loadavg; }
echo "load average before: $(load)"
for ((r = 1; r <= rounds; r++)); do
  echo "--- round $r of $rounds: zerog (load $(load))"
  java -Xms6g -Xmx6g -cp "$jar" dev.zerog.bench.ResNetTrainStep --net "$net" \
    --shapes "$shapes" --batch "$batch" --warmup "$warmup" --steps "$steps" \
    --profile "$([[ $r == "$rounds" ]] && echo "$profile" || echo 0)" | tee -a "$log"
  echo "--- round $r of $rounds: PyTorch (load $(load))"
  /usr/bin/python3 "$root/bench/resnet50_torch.py" --batch "$batch" --warmup "$warmup" --steps "$steps" \
    --threads 2 | tee -a "$log"
done
echo "load average after: $(load)"

echo
echo "ResNet-50 training step, batch $batch at 224x224, 2 threads: median over $rounds x $steps steps (ms)"
awk -v batch="$batch" '
  /^(zerog|torch) (full|frozen|pruned): .*step times \(ms\): / {
    split($0, parts, "step times \\(ms\\): ")
    side = $1; mode = $2; sub(/:$/, "", mode)
    n = split(parts[2], v, " ")
    for (i = 1; i <= n; i++) { times[side, mode, ++count[side, mode]] = v[i] }
  }
  function least(side, mode,    n, i, m) {
    n = count[side, mode]
    m = -1
    for (i = 1; i <= n; i++) if (m < 0 || times[side, mode, i] + 0 < m) m = times[side, mode, i] + 0
    return m
  }
  function median(side, mode,    n, i, j, a, t) {
    n = count[side, mode]
    if (n == 0) return -1
    for (i = 1; i <= n; i++) a[i] = times[side, mode, i] + 0
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  END {
    printf "%-36s  %-20s  %-20s  %-15s  %s\n", "mode (zerog / PyTorch)", "zerog batch (image)", \
      "PyTorch batch (image)", "zerog / PyTorch", "fastest steps: zerog / PyTorch"
    split("full frozen pruned", modes, " ")
    split("full frozen frozen", peer, " ")
    split("full step / full step|frozen, Caffe2 way / trunk frozen|frozen, zerog prune / trunk frozen", label, "|")
    for (k = 1; k <= 3; k++) {
      z = median("zerog", modes[k]); p = median("torch", peer[k])
      if (z < 0 || p < 0) continue
      printf "%-36s  %7.0f (%6.1f)      %7.0f (%6.1f)       %-15.2f  %.0f / %.0f = %.2f\n", label[k], z, z / batch, p, \
        p / batch, z / p, least("zerog", modes[k]), least("torch", peer[k]), least("zerog", modes[k]) / least("torch", peer[k])
    }
  }' "$log"
