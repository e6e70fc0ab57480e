#!/usr/bin/env bash
# Every test: install what is needed, build, then the unit tests and the KVM
# integration suite (natively on /dev/kvm, else in the emulated KVM host).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
cd build
ctest --output-on-failure --timeout 1200 "$@"
