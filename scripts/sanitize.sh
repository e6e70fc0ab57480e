#!/usr/bin/env bash
# Sanitizer builds, each in its own tree, checked on real KVM (natively or
# in the emulated host, as the suite chooses):
#   address: ASan + UBSan; the unit tests and a representative set of KVM
#            cases (boot, locks under every paravirt backend, IPIs, coop,
#            watchdog, signals, sampling, cgroups, host knobs, and
#            compare stopped, resumed and retrying a crashing run);
#   thread:  TSan; the coop cases, where threads hand vCPUs to each other.
# A sanitizer report exits 86 or aborts (cmd/sanitize.c), so it fails the
# case that expected exit 0.  Usage: scripts/sanitize.sh [address|thread]...
set -euo pipefail
cd "$(dirname "$0")/.."
kinds=("$@")
[ ${#kinds[@]} -gt 0 ] || kinds=(address thread)
fail=0
run_cases() {	# build-dir case...
	local dir=$1 c
	shift
	for c in "$@"; do
		if python3 tests/kvm/yltest.py --yieldlab "$dir/yieldlab" \
			--workdir "$dir/kvm" --case "$c" >"$dir/kvm-$c.log" 2>&1; then
			echo "sanitize $(basename "$dir"): kvm_$c passed"
		else
			echo "sanitize $(basename "$dir"): kvm_$c FAILED:"
			grep -E 'FAILED|Sanitizer|runtime error' "$dir/kvm-$c.log" | head -20
			fail=1
		fi
	done
}
for k in "${kinds[@]}"; do
	case $k in
	address|thread) ;;
	*) echo "sanitize.sh: '$k': allowed address|thread" >&2; exit 2;;
	esac
	dir=build-$k
	cmake -S . -B "$dir" -DYL_SANITIZE="$k" -DYL_WERROR=ON >/dev/null
	cmake --build "$dir" -j"$(nproc)" >/dev/null
	if [ "$k" = address ]; then
		# the mutation checks build their own unsanitized copies: once is enough
		(cd "$dir" && ctest -L unit -E '_mutations$' --output-on-failure) || fail=1
		run_cases "$dir" boot_2v2p locks_pv_4v1p ipi_4v1p coop_smoke watchdog signals \
			samples cgroups host_knobs compare_resume
	else
		run_cases "$dir" coop_smoke
	fi
done
exit $fail
