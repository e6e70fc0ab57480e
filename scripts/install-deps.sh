#!/usr/bin/env bash
# Installs every Debian package yieldlab needs to build, test and run the
# emulated KVM host, then fetches that host's kernel into the cache.
set -euo pipefail

# libseccomp: the per-thread filters; clang-14 and libFuzzer: the fuzz
# targets (gcc's ASan, UBSan and TSan runtimes come with build-essential);
# python3-jsonschema: every JSON the suite writes is checked against
# docs/schema/; man-db: the installed man page is read back by a test.
# compare: libjansson-dev reads run JSON, gnuplot-nox draws its plots,
# parallel runs --emit parallel's commands, chromium renders report.html
# in a test.
pkgs=(build-essential cmake pkg-config liburing-dev libcap-dev libseccomp-dev check
      python3 python3-jsonschema man-db qemu-system-x86 busybox-static cpio xz-utils
      clang-14 libfuzzer-14-dev libclang-rt-14-dev
      libjansson-dev gnuplot-nox parallel chromium)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if [ ${#missing[@]} -gt 0 ]; then
	echo "install-deps: installing ${missing[*]}"
	as_root apt-get update -q
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The emulated KVM host's kernel: needed wherever /dev/kvm is not usable.
if ! [ -c /dev/kvm ] || ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
	"$(dirname "$0")/fetch-kernel.sh" >/dev/null
fi
