# bench/gpu/env.sh: sourced by run-tests.sh and bench.sh on the GPU machine (from
# the repository root). Installs the carried Vulkan loader (.gl/*.deb), finds the
# NVIDIA Vulkan driver and exports:
#   ASG_RUN         the carried asg-run (.device/bin/asg-run)
#   ASG_SHIM        bench/gpu/asgc-shim.py (serves .device/models)
#   ASG_GPU_DEVICE  the asg-run --device of the NVIDIA GPU (vulkan:N)
#   ASG_GPU_NAME    its name as Vulkan reports it
# Elsewhere (no NVIDIA GPU) it stops, unless ASG_GPU_ALLOW_ANY=1 (a dry run on
# lavapipe): then it takes vulkan:0.
gpu_env_fail() { echo "env.sh: $*" >&2; return 1; }

gpu_env() {
  [ -f .device/manifest.json ] || { gpu_env_fail "no .device/manifest.json: run bench/gpu/prepare.sh here first and carry .device"; return 1; }
  if [ -d .gl ] && [ "${ASG_GPU_NO_DEBS:-0}" != 1 ]; then
    for f in .gl/*.deb; do dpkg -x "$f" /; done
    ldconfig
  fi
  ldconfig -p | grep 'libvulkan.so.1 ' >/dev/null || echo "env.sh: warning: no libvulkan.so.1 after unpacking .gl" >&2
  export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/asg-xdg}"
  mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
  export ASG_RUN="$PWD/.device/bin/asg-run" ASG_SHIM="$PWD/bench/gpu/asgc-shim.py"
  chmod +x "$ASG_RUN" "$ASG_SHIM"
  if ! "$ASG_RUN" --version >/dev/null 2>&1; then
    echo "env.sh: asg-run does not start here; using the carried libstdc++" >&2
    mkdir -p /tmp/asg-fallback-lib
    for l in .device/lib/fallback-*; do cp "$l" "/tmp/asg-fallback-lib/${l##*/fallback-}"; done
    export LD_LIBRARY_PATH="/tmp/asg-fallback-lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    "$ASG_RUN" --version || { gpu_env_fail "asg-run does not start"; return 1; }
  fi
  # A probe run of the e2e mlp model names the device that vulkan:N is.
  local g=test/e2e/goldens/mlp probe=/tmp/asg-probe
  mkdir -p "$probe"
  "$ASG_SHIM" test/e2e/models/mlp.json --emit shared -o "$probe/mlp.so" --target=spirv || return 1
  probe_dev() {  # probe_dev DEVICE: prints asg-run's stderr
    "$ASG_RUN" "$probe/mlp.so" --device "$1" --verbose --quiet --weights "$g/weights.safetensors" \
      --input "x=$g/in.1.x.npy" --output-dir "$probe/out" 2>&1 >/dev/null
  }
  local err dev name
  err="$(probe_dev vulkan)"
  if ! grep -q "^device: vulkan:[0-9]* '.*NVIDIA" <<<"$err" && [ -z "${VK_DRIVER_FILES:-}" ] &&
     [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then
    echo "env.sh: no NVIDIA device on vulkan:0 ($(head -1 <<<"$err")); trying VK_DRIVER_FILES" >&2
    export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
    export VK_ICD_FILENAMES="$VK_DRIVER_FILES"
    err="$(probe_dev vulkan)"
  fi
  if ! grep -q "^device: vulkan:[0-9]* '.*NVIDIA" <<<"$err"; then
    # another device comes first: the error for a missing device lists them all
    local list; list="$(probe_dev vulkan:99)"
    dev="$(grep -o "vulkan:[0-9]* '[^']*NVIDIA[^']*'" <<<"$list" | head -1 | cut -d' ' -f1)"
    if [ -n "$dev" ]; then
      err="$(probe_dev "$dev")"
    elif [ "${ASG_GPU_ALLOW_ANY:-0}" != 1 ]; then
      gpu_env_fail "no NVIDIA Vulkan device. asg-run said: $err / $list"; return 1
    fi
  fi
  grep -q '^device: ' <<<"$err" || { gpu_env_fail "the probe run failed: $err"; return 1; }
  dev="$(sed -n "s/^device: \(vulkan:[0-9]*\) '\(.*\)'$/\1/p" <<<"$err" | head -1)"
  name="$(sed -n "s/^device: \(vulkan:[0-9]*\) '\(.*\)'$/\2/p" <<<"$err" | head -1)"
  export ASG_GPU_DEVICE="$dev" ASG_GPU_NAME="$name"
  echo "env.sh: asg-run --device $ASG_GPU_DEVICE is '$ASG_GPU_NAME'" \
       "${VK_DRIVER_FILES:+(VK_DRIVER_FILES=$VK_DRIVER_FILES)}" >&2
}

gpu_env_report() {  # what the machine is: for the logs
  echo "date: $(date -u +%FT%TZ)"
  echo "kernel: $(uname -r)"
  command -v nvidia-smi >/dev/null &&
    echo "nvidia-smi: $(nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader 2>&1 | head -1)"
  echo "cpu: $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(nproc) cores"
  echo "vulkan loader: $(ls /usr/lib/x86_64-linux-gnu/libvulkan.so.1.* 2>/dev/null | head -1)"
  echo "python3: $(${ASG_GPU_PYTHON:-python3} --version 2>&1), numpy $(${ASG_GPU_PYTHON:-python3} -c 'import numpy; print(numpy.__version__)' 2>&1)"
  echo "asg-run device: $ASG_GPU_DEVICE '$ASG_GPU_NAME'"
  echo "bundle: $(python3 -c 'import json; m = json.load(open(".device/manifest.json")); print(m["asgc"], "commit", m["commit"], "uncommitted", m["uncommitted_files_in_compiler_dialect_runtime_tools"], "flags", " ".join(m["flags"]), "prepared", m["prepared"])')"
}
