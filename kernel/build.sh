#!/usr/bin/env bash
# Builds the emulated host's kernel from Debian's linux-source-6.12:
#   kernel/build.sh patched   the series of kernel/series applied
#   kernel/build.sh plain     the same source and config, no patch
# into a cache keyed by the source version, the patches, the config and
# this script; ccache keeps rebuilds short.  Prints the directory holding
# vmlinuz (and release, series) on stdout, the build time on stderr.
set -euo pipefail

which=${1:-patched}
case $which in
patched|plain) ;;
*) echo "kernel/build.sh: '$which': allowed patched or plain" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
cache=${YL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/yieldlab}/kernel
pkgs="linux-source-6.12 build-essential bc bison flex libelf-dev ccache xz-utils"

missing=
for p in $pkgs; do
	dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	apt-get update -q >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null
fi

version=$(dpkg-query -W -f '${Version}' linux-source-6.12)
tarball=/usr/src/linux-source-6.12.tar.xz
patches=()
if [ "$which" = patched ]; then
	while read -r p; do
		case $p in ''|'#'*) continue ;; esac
		patches+=("$here/patches/$p")
	done < "$here/series"
fi
key=$( { echo "$version $which"; grep '^CONFIG_' "$here/emuhost.config"; cat "$0";
	 for p in "${patches[@]}"; do cat "$p"; done; } | sha256sum | cut -c1-16)
out=$cache/$which-$key
# a build of this key is complete: say where, and stop
built_before() {
	[ -f "$out/.complete" ] || return 0
	echo "kernel/build.sh: $which linux-source-6.12 $version: built before, $out" >&2
	echo "$out"
	exit 0
}
built_before

mkdir -p "$cache"
# one build at a time per cache: the tree below is rebuilt from scratch
exec 9> "$cache/.lock"
flock 9
built_before
tree=$cache/tree-$which
rm -rf "$tree" "$out"
mkdir -p "$tree"
tar -xJf "$tarball" -C "$tree" --strip-components=1
for p in "${patches[@]}"; do
	patch -d "$tree" -p1 --batch --forward --quiet < "$p" ||
		{ echo "kernel/build.sh: $(basename "$p") does not apply to linux-source-6.12 $version" >&2; exit 1; }
done

cd "$tree"
make -s tinyconfig
./scripts/kconfig/merge_config.sh -m -Q .config "$here/emuhost.config" >/dev/null
make -s olddefconfig
lost=$(grep '^CONFIG_' "$here/emuhost.config" | grep -vxF -f .config || true)
if [ -n "$lost" ]; then
	echo "kernel/build.sh: these did not take effect in the config (a dependency missing):" $lost >&2
	exit 1
fi

export CCACHE_DIR=$cache/ccache CCACHE_BASEDIR=$tree CCACHE_NOHASHDIR=1
t0=$(date +%s)
make -s -j"$(nproc)" CC="ccache gcc" KBUILD_BUILD_TIMESTAMP="$(date -u -R -r "$tarball")" \
	KBUILD_BUILD_USER=yieldlab KBUILD_BUILD_HOST=yieldlab bzImage
t1=$(date +%s)

mkdir -p "$out.tmp"
cp arch/x86/boot/bzImage "$out.tmp/vmlinuz"
make -s kernelrelease > "$out.tmp/release"
printf '%s\n' "${patches[@]##*/}" > "$out.tmp/series"
echo "$version" > "$out.tmp/source"
touch "$out.tmp/.complete"
rm -rf "$out"
mv "$out.tmp" "$out"
cd / && rm -rf "$tree"
echo "kernel/build.sh: $which linux-source-6.12 $version built in $((t1 - t0)) s ($(nproc) CPUs)" >&2
echo "$out"
