#!/usr/bin/env bash
# bench/gpu/bench.sh: runs ON the GPU machine, from the repository root, with
# .device (bench/gpu/prepare.sh) and .gl carried: the realistic Transformer
# (examples/transformer_adam: d_model 128, 4 heads, seq 64, ff 512, batch 16,
# Adam), forward and train step, asgc on Vulkan (asg-run --device vulkan:N
# --repeat N) against PyTorch CUDA eager on the same card (bench/gpu/bench_gpu.py).
# Writes LOGDIR/bench.{md,json,log}; LOGDIR is $1, else $OUT, else /tmp/asg-gpu.
# Extra arguments after LOGDIR go to bench_gpu.py (e.g. --quick).
set -uo pipefail
cd "$(dirname "$0")/../.."
logdir="${1:-${OUT:-/tmp/asg-gpu}}"
[ $# -gt 0 ] && shift
mkdir -p "$logdir"
. bench/gpu/env.sh
gpu_env || exit 1
[ -f "$logdir/env.txt" ] || gpu_env_report > "$logdir/env.txt"
export PYTHONUNBUFFERED=1
"${ASG_GPU_PYTHON:-python3}" bench/gpu/bench_gpu.py --asg-run "$ASG_RUN" --asgc "$ASG_SHIM" \
  --device "$ASG_GPU_DEVICE" --out "$logdir" "$@" 2>&1 | tee "$logdir/bench.log"
