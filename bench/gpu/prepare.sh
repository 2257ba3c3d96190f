#!/usr/bin/env bash
# bench/gpu/prepare.sh [BUILD_DIR]: runs HERE (where asgc and LLVM are), before a
# call of the GPU machine. Compiles every e2e model (forward), every training
# model (--train) and the benchmark Transformer (both) with
#   asgc --target=spirv --cpu=$ASG_GPU_HOST_CPU --emit shared
# into .device/ at the repository root (ignored through .git/info/exclude, never
# committed), with asg-run, a fallback libstdc++ and .device/manifest.json, which
# bench/gpu/asgc-shim.py serves on the GPU machine. Also fetches the Vulkan
# loader debs into .gl/ once (the GPU machine has no libvulkan.so.1).
# Then, on the GPU machine (carry .device and .gl):
#   bash bench/gpu/run-tests.sh; bash bench/gpu/bench.sh
# See bench/README.md, "GPU (Vulkan)".
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
build="$(cd "${1:-build}" && pwd)"
asgc_built="$build/tools/asgc/asgc"
run="$build/tools/asg-run/asg-run"
# The host half of a SPIR-V model (it records the dispatches) is native code
# for --cpu; the default, this machine's CPU, may use instructions that the GPU
# machine's CPU lacks, so the bundle uses a portable x86-64 level instead.
host_cpu="${ASG_GPU_HOST_CPU:-x86-64-v3}"
flags=(--target=spirv "--cpu=$host_cpu")
accept=(--target=spirv)   # what the test drivers pass (--asgc-arg=--target=spirv)
out="$root/.device"

for t in "$asgc_built" "$run"; do
  [ -x "$t" ] || { echo "prepare.sh: $t not found: build asgc and asg-run first" >&2; exit 1; }
done
mkdir -p .git/info
touch .git/info/exclude
for p in /.device/ /.gl/; do grep -qxF "$p" .git/info/exclude || echo "$p" >> .git/info/exclude; done

rm -rf "$out"
mkdir -p "$out/bin" "$out/lib" "$out/models/e2e" "$out/models/train" "$out/models/bench"
# One consistent compiler for the whole bundle, even if build/ is rebuilt meanwhile.
asgc="$out/asgc.tmp"
cp "$asgc_built" "$asgc"

entries=()
compile() {  # compile MODEL.json OUT.so [--train]
  local model="$1" so="$2" train="${3:-}"
  nice "$asgc" "$model" $train --emit shared -o "$out/$so" "${flags[@]}"
  local sum; sum=$(sha256sum "$model" | cut -d' ' -f1)
  entries+=("{\"model\": \"$model\", \"train\": $([ -n "$train" ] && echo true || echo false), \"sha256\": \"$sum\", \"so\": \"$so\"}")
  printf '.'
}
n=0
for m in test/e2e/models/*.json; do
  compile "$m" "models/e2e/$(basename "$m" .json).so"; n=$((n + 1))
done
for m in test/train/grad_models/*.json test/train/models/*.json; do
  compile "$m" "models/train/$(basename "$m" .json).train.so" --train; n=$((n + 1))
done
# bench/gpu/bench_gpu.py: the realistic Transformer (forward and --train), and the
# smaller cases of bench/run.sh (the seed block, both; the MLP, sgemm and the
# elementwise models, forward).
for m in examples/transformer_adam/transformer_adam.json examples/transformer/seed_transformer.json; do
  compile "$m" "models/bench/$(basename "$m" .json).so"
  compile "$m" "models/bench/$(basename "$m" .json).train.so" --train
  n=$((n + 2))
done
for m in bench/models/{mlp1024,sgemm,ew_chain,ew_add}.json; do
  compile "$m" "models/bench/$(basename "$m" .json).so"; n=$((n + 1))
done
echo
version="$("$asgc" --version | head -1)"
rm -f "$asgc"

cp "$run" "$out/bin/asg-run"
if ldd "$run" | grep -q libasgrt; then
  cp "$(ldd "$run" | awk '/libasgrt/ {print $3}')" "$out/lib/"
fi
# Fallback only (bench/gpu/env.sh uses them when asg-run does not start there).
for l in libstdc++.so.6 libgcc_s.so.1; do
  cp -L "$(ldd "$run" | awk -v l="$l" '$1 == l {print $3}')" "$out/lib/fallback-$l" 2>/dev/null || true
done

dirty="$(git status --porcelain -- compiler dialect runtime tools | wc -l)"
{
  echo "{"
  echo "  \"asgc\": \"$version\","
  echo "  \"commit\": \"$(git rev-parse --short HEAD)\","
  echo "  \"uncommitted_files_in_compiler_dialect_runtime_tools\": $dirty,"
  echo "  \"asgc_binary_mtime\": \"$(date -u -r "$asgc_built" +%FT%TZ)\","
  echo "  \"prepared\": \"$(date -u +%FT%TZ)\","
  echo "  \"flags\": [$(printf '"%s", ' "${flags[@]}" | sed 's/, $//')],"
  echo "  \"accept\": [$(printf '"%s", ' "${accept[@]}" | sed 's/, $//')],"
  echo "  \"models\": ["
  for i in "${!entries[@]}"; do
    sep=","; [ "$i" -eq $((${#entries[@]} - 1)) ] && sep=""
    echo "    ${entries[$i]}$sep"
  done
  echo "  ]"
  echo "}"
} > "$out/manifest.json"

# The Vulkan loader (and GL libs) for the GPU machine: the device README's recipe.
if ! ls .gl/libvulkan1_*.deb >/dev/null 2>&1; then
  mkdir -p .gl /tmp/amd64/partial
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  apt-get $o update >/dev/null
  (cd .gl && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
fi

echo "prepare.sh: $n libraries from $version (commit $(git rev-parse --short HEAD), $dirty uncommitted" \
     "files in compiler/dialect/runtime/tools), flags ${flags[*]}"
du -sh "$out" .gl | sed 's/^/prepare.sh: /'
echo "prepare.sh: now run on the GPU machine, carrying .device and .gl:"
echo "  bash bench/gpu/run-tests.sh; bash bench/gpu/bench.sh"
