#!/usr/bin/env bash
# bench/gpu/run-tests.sh: runs ON the GPU machine, from the repository root, with
# .device (bench/gpu/prepare.sh) and .gl carried. Installs the Vulkan loader,
# checks that asg-run sees the NVIDIA GPU, then runs every e2e case
# (test/e2e/run_case.py) and every training case (test/train/run_train_case.py)
# through the unchanged drivers, with bench/gpu/asgc-shim.py as --asgc and
# --run-arg=--device=vulkan:N, $ASG_GPU_JOBS (default 8) at a time.
# Writes LOGDIR/tests.log (every driver's output, in order) and
# LOGDIR/tests-summary.txt; LOGDIR is $1, else $OUT, else /tmp/asg-gpu.
# Exit status 0 when every case passes.
set -uo pipefail
cd "$(dirname "$0")/../.."
logdir="${1:-${OUT:-/tmp/asg-gpu}}"
mkdir -p "$logdir"
. bench/gpu/env.sh
gpu_env || exit 1
gpu_env_report | tee "$logdir/env.txt"

work=/tmp/asg-gpu-tests
rm -rf "$work"
mkdir -p "$work/logs"
jobs="${ASG_GPU_JOBS:-8}"
list="$work/cases"
: > "$list"
for m in test/e2e/models/*.json; do
  echo "e2e $(basename "$m" .json) $m" >> "$list"
done
for m in test/train/grad_models/*.json test/train/models/*.json; do
  echo "train $(basename "$m" .json) $m" >> "$list"
done

one() {  # one SUITE NAME MODEL
  local suite="$1" name="$2" model="$3" driver goldens
  if [ "$suite" = e2e ]; then
    driver=test/e2e/run_case.py goldens="test/e2e/goldens/$name"
  else
    driver=test/train/run_train_case.py goldens="test/train/goldens/$name"
  fi
  local t0=$SECONDS
  "${ASG_GPU_PYTHON:-python3}" "$driver" --asgc "$ASG_SHIM" --asg-run "$ASG_RUN" --model "$model" --goldens "$goldens" \
    --work "$work/$suite/$name" --asgc-arg=--target=spirv --run-arg="--device=$ASG_GPU_DEVICE" \
    --run-timeout 60 > "$work/logs/$suite.$name.log" 2>&1
  local rc=$?
  echo "$rc $((SECONDS - t0))" > "$work/logs/$suite.$name.rc"
}
export -f one
export work ASG_GPU_PYTHON="${ASG_GPU_PYTHON:-python3}"
t0=$SECONDS
xargs -P "$jobs" -L 1 bash -c 'one "$0" "$1" "$2"' < "$list"
elapsed=$((SECONDS - t0))

pass=0 fail=0 failed=()
{
  while read -r suite name model; do
    read -r rc secs < "$work/logs/$suite.$name.rc" || rc=99
    if [ "$rc" = 0 ]; then pass=$((pass + 1)); st=PASS; else fail=$((fail + 1)); st="FAIL (exit $rc)"; failed+=("$suite.vulkan.$name"); fi
    echo "===== $suite.vulkan.$name: $st, ${secs:-?} s"
    cat "$work/logs/$suite.$name.log"
  done < "$list"
  echo
  echo "SUMMARY: $pass passed, $fail failed (in ${elapsed} s on $ASG_GPU_DEVICE '$ASG_GPU_NAME')"
  for f in "${failed[@]}"; do echo "FAILED: $f"; done
} > "$logdir/tests.log"
{
  sed -n 's/^===== //p' "$logdir/tests.log"
  grep '^SUMMARY\|^FAILED' "$logdir/tests.log"
  grep -h '^FAIL' "$work"/logs/*.log | cut -c1-400 | head -100
} > "$logdir/tests-summary.txt"
cat "$logdir/tests-summary.txt"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
