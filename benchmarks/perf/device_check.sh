#!/usr/bin/env bash
# The GPU check, in one script that fits in 8 minutes on one H200:
#   1. the CUDA tests (pytest -m cuda);
#   2. python -m benchmarks.perf --device D --out OUT/perf.json (matmul rate, decode, inversion,
#      TCA and MS-TCN training rates at paper dims; --quick sizes on the CPU);
#   3. a short run at paper dims (D 2048, MS-TCN 4x10x64, TCA d 256 / h 512) on procedural data:
#      one seed, two tasks, every strategy, few epochs, in fp32 and bf16; runs at a time picked
#      from free device memory (--jobs 0);
#   4. itas estimate --json for paper.yaml and paper-procedural.yaml.
# With --device cpu every size shrinks (16-d features, a one-stage MS-TCN, TCA d 4 / h 16) and the
# estimates are made for the short run's config, one run at a time: a few minutes on two cores; a
# slow test runs it that way (tests/benchmarks/perf/test_device_check.py).
#
# usage: bash benchmarks/perf/device_check.sh [--device cuda|cpu] [--out DIR]
# Writes into DIR (default device-check/): log.txt, perf.json, short-run.yaml, run-<precision>/,
# estimate-<config>.json. Exit status: 0 when every step passed, else the number of failed steps.
set -uo pipefail

device=cuda
out=device-check
while [ $# -gt 0 ]; do
  case "$1" in
    --device) device="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "device_check.sh: unknown argument $1 (usage: [--device cuda|cpu] [--out DIR])" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
log="$out/log.txt"
failed=0

step() {  # step NAME SECONDS COMMAND...: run with a time limit (x slack), log it, count a failure
  local name="$1" limit="$2"; shift 2
  local start=$SECONDS
  echo "== $name ($(date -u +%H:%M:%S), limit $((limit * slack))s): $*" | tee -a "$log"
  timeout "$((limit * slack))" "$@" >>"$log" 2>&1
  local code=$?
  [ "$name" = "cuda tests" ] && [ $code -eq 5 ] && code=0  # pytest: no test selected
  echo "== $name: exit $code in $((SECONDS - start))s" | tee -a "$log"
  [ $code -eq 0 ] || failed=$((failed + 1))
}

# The limits add up to the 8 minutes of the GPU check; the CPU mode checks that every step works,
# on machines that may be shared, so its limits are 5x longer and its runs go one at a time.
if [ "$device" = cpu ]; then
  slack=5; jobs=1; perf_size=(--quick)
  dim=16; per_activity=6; scale=0.05; backbone="{stages: 1, layers: 4, maps: 8}"
  tca="latent: 4, hidden: 16, tca_epochs: 2"; steps=5; epochs=1; seconds=0.05
else
  slack=1; jobs=0; perf_size=()
  dim=2048; per_activity=8; scale=0.1; backbone="{name: mstcn, stages: 4, layers: 10, maps: 64, dropout: 0.5}"
  tca="latent: 256, hidden: 512, tca_epochs: 20"; steps=200; epochs=2; seconds=2
fi
cat >"$out/short-run.yaml" <<EOF
data: {preset: breakfast-like, dim: $dim, videos_per_activity: $per_activity, length_scale: $scale}
protocol: {tasks: 2, labels: disjoint, seeds: [42]}
backbone: $backbone
train: {epochs: $epochs, lr: 0.0005, batch_size: 8}
strategies:
  - {name: condensed, params: {K: 1, gamma: 0.5, $tca, inversion_steps: $steps}}
  - {name: tca, params: {$tca}}
  - {name: encoded, params: {K: 1, gamma: 0.5, $tca}}
  - joint
  - {name: icarl, params: {clip: 8, clips_per_video: 2}}
  - original
  - mean
  - coreset
  - lwf
  - finetune
budgets: [{videos: 6}]
EOF

echo "device check on $device, $(date -u '+%Y-%m-%d %H:%M UTC'), $(python -c 'import torch; print("torch", torch.__version__, torch.cuda.get_device_name() if torch.cuda.is_available() else "no CUDA")')" | tee "$log"

step "cuda tests" 90 python -m pytest -q -m cuda -p no:cacheprovider

step "benchmarks.perf" 120 python -m benchmarks.perf --device "$device" --out "$out/perf.json" "${perf_size[@]}"

# bf16 on CUDA; the CPU has no bf16 training (train.precision refuses it there).
precisions=(fp32)
[ "$device" != cpu ] && precisions=(fp32 bf16)
for precision in "${precisions[@]}"; do
  step "short run $precision" 90 python -m benchmarks.cli run "$out/short-run.yaml" --out "$out/run-$precision" \
    --device "$device" --jobs "$jobs" --no-progress --set "train.precision=$precision"
done

if [ "$device" = cpu ]; then
  configs=("$out/short-run.yaml")
else
  configs=(benchmarks/configs/paper.yaml benchmarks/configs/paper-procedural.yaml)
fi
for config in "${configs[@]}"; do
  name=$(basename "$config" .yaml)
  step "estimate $name" 45 sh -c "python -m benchmarks.cli estimate '$config' --device '$device' --seconds '$seconds' --json > '$out/estimate-$name.json'"
done

echo "device check: $failed step(s) failed; log in $log" | tee -a "$log"
exit "$failed"
