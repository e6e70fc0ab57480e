#!/usr/bin/env bash
# Configures and builds yieldlab into ./build (warnings are errors).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DYL_WERROR=ON >/dev/null
cmake --build build -j"$(nproc)"
