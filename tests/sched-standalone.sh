#!/usr/bin/env bash
# sched/ with nothing else of yieldlab: copy only sched/ and its unit test
# into an empty directory, build them there with the C compiler and Check,
# run the tests and the benchmark's smallest round.  Proves the library
# needs no KVM, no VMM, no other header of ours.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r "$src/sched" "$tmp/sched"
cp "$src/tests/unit/test_sched.c" "$tmp/"
cd "$tmp"
cc=${CC:-cc}
flags="-std=gnu11 -O2 -Wall -Wextra -Werror -iquote sched"
lib=$(ls sched/*.c | grep -v bench.c)
$cc $flags -o test_sched test_sched.c $lib $(pkg-config --cflags --libs check)
$cc $flags -o bench sched/bench.c $lib
./test_sched
./bench 20000 | head -n 3
