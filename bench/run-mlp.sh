#!/usr/bin/env bash
# One MLP training step (forward, backward, SGD update): zerog against DJL 0.33 (PyTorch 2.5.1 engine) and against
# Debian's PyTorch, in one run, on the same thread count, then the ratios. The MLP: 8 hidden layers of 1024 with
# ReLU on 1024 inputs, 10 classes, softmax cross-entropy on integer labels, batch 256, plain SGD at a fixed rate
# (dev.zerog.bench.MlpSpec). Also times the matrix products of one zerog step alone ("gemm"), the floor.
#
# Usage: bench/run-mlp.sh [--no-build] [--threads N] [--rounds R] [--frozen] [MLP options...]
#   --no-build   use the existing bench/target/zerog-bench.jar
#   --threads N  threads for every side (default 2): OPENBLAS_NUM_THREADS, OMP_NUM_THREADS, MKL_NUM_THREADS,
#                DJL's ai.djl.pytorch.num_threads, PyTorch's set_num_threads
#   --rounds R   run the four sides R times, in turn (default 1); a table per round
#   --frozen     also the step with every hidden layer frozen and the classifier trained: zerog's freeze with
#                pruning, zerog the Caffe2 way (StopGradient + ZeroGradient, not pruned), DJL's
#                freezeParameters, PyTorch's requires_grad=False; then frozen/full per side and the ratios
#   MLP options  go to every side: --hidden 8 --width 1024 --inputs 1024 --classes 10 --batch 256 --lr 0.01
#                --warmup 30 --steps 60 --seed 7 (the defaults)
# Each side runs in its own process: 30 untimed warm-up steps, then 60 steps timed one by one; the figure is the
# median. One round takes about a minute on 2 cores. Needs /usr/bin/python3 with torch (Debian's python3-torch) and,
# for the first build, Maven Central for DJL (later builds run from the local repository).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
jar="$root/bench/target/zerog-bench.jar"
native_cp_file="$root/bench/target/pytorch-native.classpath"

build=1
threads=2
rounds=1
frozen=0
mlp_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-build) build=0; shift ;;
    --threads) threads="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --frozen) frozen=1; shift ;;
    *) mlp_args+=("$1"); shift ;;
  esac
done

if [[ $build == 1 ]]; then
  echo "building $jar ..." >&2
  (cd "$root" && mvn -B -q -Pbench -pl bench -am package -DskipTests) >&2
fi
if [[ ! -f "$jar" || ! -f "$native_cp_file" ]]; then
  echo "no $jar or $native_cp_file: build first (without --no-build)" >&2
  exit 1
fi

export OPENBLAS_NUM_THREADS="$threads" OMP_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads"
java_opts=(-Duser.language=en -Duser.country=US -Xms1g -Xmx1g)
logs="$(mktemp -d -t zerog-mlp.XXXXXX)"
trap 'rm -rf "$logs"' EXIT

# Runs one side; its description lines go to stderr, its RESULT line to stdout.
side() {
  local name="$1"
  shift
  if ! "$@" "${mlp_args[@]}" >"$logs/$name.out" 2>"$logs/$name.err"; then
    echo "$name failed:" >&2
    cat "$logs/$name.out" "$logs/$name.err" >&2
    exit 1
  fi
  grep -v '^RESULT' "$logs/$name.out" >&2 || true
  grep '^RESULT' "$logs/$name.out"
}

field() { # field <RESULT line> <key>
  sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"
}

row() { # row <RESULT line>
  local name loss
  name="$(field "$1" side)"
  loss="$(field "$1" loss_first) -> $(field "$1" loss_last)"
  [[ $name == gemm ]] && loss="(products only, $(field "$1" gflop_per_step) GFLOP)"
  printf '%-13s  %9s  %9s  %9s  %8s  %s\n' "$name" "$(field "$1" median_ms)" "$(field "$1" p10_ms)" \
    "$(field "$1" p90_ms)" "$(field "$1" cpu_per_wall)" "$loss"
}

zerog_side() { # zerog_side <mode>
  side "zerog-$1" java "${java_opts[@]}" -Dzerog.mlp.mode="$1" -cp "$jar" dev.zerog.bench.ZerogMlpStep
}

djl_side() { # djl_side <mode>
  side "djl-$1" java "${java_opts[@]}" -Dzerog.mlp.mode="$1" -Dai.djl.offline=true \
    -Dai.djl.pytorch.num_threads="$threads" -Dai.djl.pytorch.num_interop_threads=1 \
    -cp "$jar:$(cat "$native_cp_file")" dev.zerog.bench.DjlMlpStep
}

torch_side() { # torch_side <mode>
  side "torch-$1" /usr/bin/python3 "$root/bench/mlp_step_torch.py" --threads "$threads" --mode "$1"
}

ratio() { # ratio <numerator RESULT> <denominator RESULT>
  awk -v a="$(field "$1" median_ms)" -v b="$(field "$2" median_ms)" 'BEGIN { printf "%.2f", a / b }'
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(java -version 2>&1 | head -1); threads per side: $threads" >&2
for ((r = 1; r <= rounds; r++)); do
  echo "round $r of $rounds, load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  zerog="$(zerog_side full)"
  djl="$(djl_side full)"
  torch="$(torch_side full)"
  gemm="$(side gemm java "${java_opts[@]}" -cp "$jar" dev.zerog.bench.GemmFloor)"
  if [[ $frozen == 1 ]]; then
    zerog_frozen="$(zerog_side frozen)"
    zerog_caffe2="$(zerog_side caffe2)"
    djl_frozen="$(djl_side frozen)"
    torch_frozen="$(torch_side frozen)"
  fi
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

  echo
  printf '%-13s  %9s  %9s  %9s  %8s  %s\n' side "median ms" "p10 ms" "p90 ms" "cpu/wall" "loss first -> last"
  for line in "$zerog" "$djl" "$torch" "$gemm"; do
    row "$line"
  done
  z="$(field "$zerog" median_ms)"
  awk -v z="$z" -v d="$(field "$djl" median_ms)" -v t="$(field "$torch" median_ms)" \
    -v g="$(field "$gemm" median_ms)" -v gf="$(field "$gemm" gflop_per_step)" 'BEGIN {
      printf "ratio zerog/DJL = %.2f, zerog/PyTorch = %.2f; the products take %.1f ms (%.0f GFLOP/s), %.0f%% of zerog'"'"'s step\n",
        z / d, z / t, g, gf / (g / 1000), 100 * g / z
    }'
  echo "zerog allocated $(field "$zerog" alloc_bytes) bytes on the Java heap in its $(field "$zerog" steps) timed steps, $(field "$zerog" gc_runs) GC runs"
  if [[ $frozen == 1 ]]; then
    echo
    echo "hidden layers frozen, classifier trained:"
    for line in "$zerog_frozen" "$zerog_caffe2" "$djl_frozen" "$torch_frozen"; do
      row "$line"
    done
    echo "frozen/full: zerog $(ratio "$zerog_frozen" "$zerog"), zerog the Caffe2 way $(ratio "$zerog_caffe2" "$zerog"), DJL $(ratio "$djl_frozen" "$djl"), PyTorch $(ratio "$torch_frozen" "$torch")"
    echo "frozen: zerog/DJL = $(ratio "$zerog_frozen" "$djl_frozen"), zerog/PyTorch = $(ratio "$zerog_frozen" "$torch_frozen"), zerog/zerog the Caffe2 way = $(ratio "$zerog_frozen" "$zerog_caffe2")"
  fi
done
