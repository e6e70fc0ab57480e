#!/usr/bin/env bash
# Fetch the Debian 6.12 kernel that the emulated KVM host boots, once, into a
# cache directory outside the source tree. Prints the directory that holds
# vmlinuz and the four decompressed modules (irqbypass, kvm, ccp, kvm-amd).
set -euo pipefail

cache=${YL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/yieldlab}
mkdir -p "$cache"

# The metapackage names the current 6.12 image; resolve it to the versioned one.
meta=linux-image-6.12-amd64
pkg=$(apt-cache depends "$meta" 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-6\.12\.[0-9.]*+deb12-amd64\(-unsigned\)\?\)$/\1/p' | head -n 1)
if [ -z "$pkg" ]; then
	# apt lists may be stale or empty on a fresh machine
	apt-get update -q >/dev/null
	pkg=$(apt-cache depends "$meta" |
		sed -n 's/^ *Depends: \(linux-image-6\.12\.[0-9.]*+deb12-amd64\(-unsigned\)\?\)$/\1/p' | head -n 1)
fi
[ -n "$pkg" ] || { echo "fetch-kernel: cannot resolve $meta to a kernel image package" >&2; exit 1; }

dir="$cache/$pkg"
if [ -f "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi

tmp=$(mktemp -d "$cache/tmp.XXXXXX")
chmod 755 "$tmp"	# apt-get download drops privileges to _apt
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download -q "$pkg" >/dev/null)
deb=$(ls "$tmp"/*.deb)
dpkg-deb -x "$deb" "$tmp/root"

mkdir -p "$tmp/out"
cp "$tmp"/root/boot/vmlinuz-* "$tmp/out/vmlinuz"
for m in irqbypass kvm ccp kvm-amd; do
	ko=$(find "$tmp/root/lib/modules" -name "$m.ko.xz" | head -n 1)
	[ -n "$ko" ] || { echo "fetch-kernel: module $m missing from $pkg" >&2; exit 1; }
	# busybox insmod does not decompress
	xz -dc "$ko" > "$tmp/out/$m.ko"
done
basename "$tmp"/root/lib/modules/* > "$tmp/out/release"
rm -rf "$dir"
mv "$tmp/out" "$dir"
touch "$dir/.complete"
echo "$dir"
