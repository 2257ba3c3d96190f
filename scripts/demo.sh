#!/usr/bin/env bash
# demo.sh: the README's demo command. Installs what is missing, builds asgc, trains the
# seed project's Transformer block (compiled with --train) on the CPU and again on Vulkan
# (--target spirv; lavapipe without a GPU), then compiles the example MLP, runs it with
# asg-run, and runs the C program that embeds it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1  # ccache hits across clones

cmake -G Ninja -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target asgc asg-run embed_example

asgc=build/tools/asgc/asgc
run=build/tools/asg-run/asg-run
out=build/demo
mkdir -p "$out"
echo "== the seed demo: a pre-norm Transformer block (d_model 4, 2 heads, ff 16), MSE to 0.5,"
echo "   SGD lr 0.01, 15 epochs over one example (asgc --train, then asg-run --train)"
"$asgc" examples/transformer/seed_transformer.json --train --emit shared -o "$out/seed_transformer.so"
"$run" "$out/seed_transformer.so" --train --data examples/transformer/seed_data.safetensors \
  --epochs 15 --batch-size 1 --seed 0 --save-weights "$out/seed_transformer.trained.safetensors"

echo "== the same training compiled for Vulkan (asgc --target spirv) and run on a Vulkan device"
echo "   (lavapipe, a CPU Vulkan driver, where there is no GPU)"
"$asgc" examples/transformer/seed_transformer.json --train --target spirv --emit shared \
  -o "$out/seed_transformer.spirv.so" --stats
XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}" "$run" "$out/seed_transformer.spirv.so" --device vulkan \
  --train --data examples/transformer/seed_data.safetensors --epochs 15 --batch-size 1 --seed 0 --verbose

echo "== asgc examples/mlp/mlp.json --emit shared"
"$asgc" examples/mlp/mlp.json --emit shared -o "$out/mlp.so" --stats
echo "== asg-run --info"
"$run" "$out/mlp.so" --info
echo "== asg-run forward on examples/mlp/x.npy (parameters from the initializers, seed 0)"
"$run" "$out/mlp.so" --seed 0 --input x=examples/mlp/x.npy --output-dir "$out"
echo "== a C program embedding mlp.o (build/examples/embed_example)"
build/examples/embed_example
