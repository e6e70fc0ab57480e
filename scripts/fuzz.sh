#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (ASan + UBSan) into
# build-fuzz and runs each for SECONDS (default 30), starting from the seed
# corpus in the tree (copied: the tree is not written).  Any crash, leak,
# sanitizer report or timeout fails; the time each ran is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
case $secs in ''|*[!0-9]*) echo "fuzz.sh: SECONDS must be a whole number" >&2; exit 2;; esac
cc=$(command -v clang-14 || command -v clang || true)
[ -n "$cc" ] || { echo "fuzz.sh: clang not found (scripts/install-deps.sh installs clang-14)" >&2; exit 1; }
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER="$cc" -DYL_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc)" >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
for t in tests/fuzz/corpus/*/; do
	t=$(basename "$t")
	mkdir -p "$work/$t"
	cp tests/fuzz/corpus/"$t"/* "$work/$t/"
	t0=$(date +%s)
	if (cd "$work" && ASAN_OPTIONS=detect_leaks=1 "$OLDPWD/build-fuzz/fuzz_$t" \
		-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		"$work/$t" >"$work/$t.log" 2>&1); then
		pass=$((pass + 1))
		echo "fuzz_$t: ran $(( $(date +%s) - t0 )) s, $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$t.log" | grep -o '[0-9]*$') inputs, 0 findings"
	else
		fail=$((fail + 1))
		echo "fuzz_$t: FINDING after $(( $(date +%s) - t0 )) s:"
		grep -E 'ERROR|runtime error|SUMMARY|Test unit written|Base64' "$work/$t.log" | head -20
	fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
