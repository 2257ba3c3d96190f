#!/usr/bin/env bash
# test.sh: the README's test command. Installs what is missing, builds asgc (and an
# ASan+UBSan build of the importer and runtime), and runs every test through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh

jobs=$(nproc)
# ccache hits across clones in other folders (CI builds a fresh clone).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/asg-runtime-$(id -u)}"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

# The sanitizer build first: the main build's ctest runs its tests too, so one
# ctest summary covers everything.
cmake -G Ninja -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DASG_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs" --target asgc asg-opt asg-run asg-unit-tests

cmake -G Ninja -S . -B build -DCMAKE_BUILD_TYPE=Release -DASG_ASAN_BUILD_DIR="$PWD/build-asan" >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"
