#!/usr/bin/env bash
# bench/run.sh [BUILD_DIR] [--quick] [--out DIR]: asgc (--threads 1 and 2) vs PyTorch eager and OpenBLAS
# (through NumPy) side by side.
# Builds nothing: BUILD_DIR (default: build) must hold tools/asgc/asgc and tools/asg-run/asg-run.
# PyTorch and NumPy run with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset, and with OpenBLAS
# from $BENCH_OPENBLAS or BUILD_DIR/openblas (bench/get-openblas.sh) when present.
# Prints the results tables; also writes DIR/results.{md,json} (default DIR: BUILD_DIR/bench). See bench/README.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-build}"
[ $# -gt 0 ] && shift
exec env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 "$here/bench.py" "$build" "$@"
