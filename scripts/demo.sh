#!/usr/bin/env bash
# demo.sh: the README's demo command. Installs what is missing, builds asgc, compiles the
# example MLP, runs it with asg-run, and runs the C program that embeds it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh

cmake -G Ninja -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target asgc asg-run embed_example

asgc=build/tools/asgc/asgc
run=build/tools/asg-run/asg-run
out=build/demo
mkdir -p "$out"
echo "== asgc examples/mlp/mlp.json --emit shared"
"$asgc" examples/mlp/mlp.json --emit shared -o "$out/mlp.so" --stats
echo "== asg-run --info"
"$run" "$out/mlp.so" --info
echo "== asg-run forward on examples/mlp/x.npy (parameters from the initializers, seed 0)"
"$run" "$out/mlp.so" --seed 0 --input x=examples/mlp/x.npy --output-dir "$out"
echo "== a C program embedding mlp.o (build/examples/embed_example)"
build/examples/embed_example
