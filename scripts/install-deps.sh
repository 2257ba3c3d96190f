#!/usr/bin/env bash
# Installs every Debian package asgc needs to build, test and run its demo; idempotent.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache git
  llvm-19-dev libmlir-19-dev mlir-19-tools llvm-19-tools clang-19
  libcli11-dev nlohmann-json3-dev catch2
  spirv-tools libvulkan-dev mesa-vulkan-drivers
  python3 python3-numpy
)
# PyTorch is only needed to regenerate goldens (test/e2e/gen_goldens.py); opt in.
if [[ "${ASG_WITH_TORCH:-0}" == 1 ]]; then packages+=(python3-torch); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} )); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
