#!/usr/bin/env bash
# bench/get-openblas.sh [BUILD_DIR]: unpacks Debian's libopenblas0-pthread into BUILD_DIR/openblas
# (default: build) without installing it, so that only bench/run.sh's PyTorch and NumPy use it
# (through LD_LIBRARY_PATH). The system's libblas.so.3 alternative is left alone.
set -euo pipefail
build="${1:-build}"
dir="$build/openblas"
mkdir -p "$dir"
cd "$dir"
apt-get download libopenblas0-pthread
dpkg -x libopenblas0-pthread_*.deb root
ls root/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3
