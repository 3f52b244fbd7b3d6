#!/usr/bin/env bash
# Runs the model zoo acceptance check on all seven Caffe2 zoo nets (or those named), one `zerog check` each:
# load, shape inference at the value_info.json input, an init net generated from zoo/<model>.shapes.json, forward
# at batch 1, the train net's backward pass with the loss on the classifier, and the backward pass again with the
# trunk frozen at the last block. Prints each stage's time; exits 1 if any net fails.
#
#   tools/zoo-check.sh [--zoo DIR] [MODEL...] [-- ZEROG_CHECK_OPTIONS...]
#
# The zoo is found as the tests find it: --zoo, else $ZEROG_ZOO, else shared/caffe2-model-zoo in or above the
# repository. Options after -- go to every `zerog check` (for example -- --runs 3). See docs/model-zoo.md.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
zoo="${ZEROG_ZOO:-}"
models=()
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --zoo) zoo="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) models+=("$1"); shift ;;
  esac
done
if [ -z "$zoo" ]; then
  d="$root"
  while [ "$d" != "/" ]; do
    if [ -d "$d/shared/caffe2-model-zoo" ]; then zoo="$d/shared/caffe2-model-zoo"; break; fi
    d="$(dirname "$d")"
  done
fi
if [ -z "$zoo" ] || [ ! -d "$zoo" ]; then
  echo "zoo-check: the Caffe2 model zoo was not found: use --zoo DIR or set ZEROG_ZOO" >&2
  exit 2
fi
if [ ${#models[@]} -eq 0 ]; then
  models=(bvlc_alexnet zfnet512 vgg19 inception_v1 inception_v2 resnet50 densenet121)
fi

# Where each net's last block starts: the blob it reads, where the trunk is frozen.
cut_of() {
  case "$1" in
    bvlc_alexnet|vgg19) echo "pool5" ;;
    zfnet512) echo "gpu_0/pool5" ;;
    inception_v1|inception_v2) echo "inception_5a/output" ;;
    resnet50) echo "gpu_0/res5_1_branch2c_bn" ;;
    densenet121) echo "pool4" ;;
    *) echo "zoo-check: no cut blob known for '$1'" >&2; return 1 ;;
  esac
}

"$root/zerog" --version >/dev/null   # builds the command line once, before the clock starts
failed=()
SECONDS=0
for m in "${models[@]}"; do
  info="$zoo/$m/value_info.json"
  if ! cut="$(cut_of "$m")" || [ ! -f "$info" ]; then
    echo "== $m: not a zoo net with a known cut (or $info is missing)" >&2
    failed+=("$m")
    continue
  fi
  # {"data": [1, [1, 3, 224, 224]]}: the input's name and dims.
  name="$(sed -E 's/^[^"]*"([^"]+)".*/\1/' "$info")"
  dims="$(sed -E 's/.*\[[0-9]+, *\[([0-9, ]+)\]\].*/\1/' "$info" | tr -d ' \n')"
  echo "== $m (input $name=$dims, frozen at $cut)"
  if ! "$root/zerog" check "$zoo/$m/predict_net.pbtxt" --shapes "$root/zoo/$m.shapes.json" \
      --shape "$name=$dims" --freeze-at "$cut" ${extra[@]+"${extra[@]}"}; then
    failed+=("$m")
  fi
done
echo
echo "zoo-check: ${#models[@]} nets in ${SECONDS} s (wall clock, a JVM start per net included)"
if [ ${#failed[@]} -gt 0 ]; then
  echo "zoo-check: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "zoo-check: all passed"
