#!/usr/bin/env bash
# Install what is needed, build, and run the default experiment: 4 vCPUs
# contending for a ticket lock on one physical CPU, without and with
# KVM_HC_SCHED_YIELD.  On a host without VMX or SVM KVM the runs go through
# the emulated KVM host (QEMU TCG): counts and ratios hold there, times do not.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
# emuhost.py picks native KVM on kvm_intel or kvm_amd, else the emulated
# host, and says which on stderr.
echo "quickstart: in the emulated KVM host timings mean nothing; compare counts and ratios only." >&2
for pv in none yield; do
	scripts/emuhost.py -- run --pv "$pv" "$@"
	echo
done
