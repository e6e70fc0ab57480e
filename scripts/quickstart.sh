#!/usr/bin/env bash
# Install what is needed, build, and run the default experiment: 4 vCPUs
# contending for a ticket lock on one physical CPU, without and with
# KVM_HC_SCHED_YIELD.  On a host without /dev/kvm the runs go through the
# emulated KVM host (QEMU TCG): counts and ratios hold there, times do not.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
if ! [ -c /dev/kvm ] || ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
	echo "quickstart: no usable /dev/kvm here, running inside the emulated KVM host." >&2
	echo "quickstart: its timings mean nothing; compare counts and ratios only." >&2
fi
for pv in none yield; do
	scripts/emuhost.py -- run --pv "$pv" "$@"
	echo
done
