#!/bin/sh
# `cmake --install` puts the binary, yieldlab(1) and bash completion where
# a user finds them: man shows the page, completion completes options.
# usage: tests/install.sh BUILD_DIR
set -eu
build=$1
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
"$prefix/bin/yieldlab" --version | grep -q '^yieldlab [0-9]'
page=$(MANPATH="$prefix/share/man" MANWIDTH=100 man yieldlab 2>/dev/null)
for want in 'YIELDLAB(1)' '--spin-threshold N' 'EXIT STATUS' 'bench handoff'; do
	case $page in
	*"$want"*) ;;
	*) echo "install: man yieldlab lacks '$want'" >&2; exit 1;;
	esac
done
comp="$prefix/share/bash-completion/completions/yieldlab"
got=$(bash -c '. "$1"; COMP_WORDS=(yieldlab run --spin); COMP_CWORD=2; _yieldlab;
	echo "${COMPREPLY[*]}"; COMP_WORDS=(yieldlab run --lock ""); COMP_CWORD=3;
	_yieldlab; echo "${COMPREPLY[*]}"' _ "$comp")
case $got in
*--spin-threshold*qspinlock*) ;;
*) echo "install: completion offered '$got'" >&2; exit 1;;
esac
got=$(bash -c '. "$1"; COMP_WORDS=(yieldlab help ""); COMP_CWORD=2; _yieldlab;
	echo "${COMPREPLY[*]}"; COMP_WORDS=(yieldlab help bench ""); COMP_CWORD=3; _yieldlab;
	echo "${COMPREPLY[*]}"' _ "$comp")
case $got in
*compare*--man*exits*handoff*) ;;
*) echo "install: completion after help offered '$got'" >&2; exit 1;;
esac
mkdir "$prefix/sweep-dir"
got=$(cd "$prefix" && bash -c '. "$1"; COMP_WORDS=(yieldlab compare --resume sweep); COMP_CWORD=3;
	_yieldlab; echo "${COMPREPLY[*]}"; COMP_WORDS=(yieldlab merge sweep); COMP_CWORD=2;
	_yieldlab; echo "${COMPREPLY[*]}"' _ "$comp")
case $got in
sweep-dir*sweep-dir*) ;;
*) echo "install: completion of a directory offered '$got'" >&2; exit 1;;
esac
# the man page points at the docs, and they are there
doc=$(cmake -L -N "$build" 2>/dev/null | sed -n 's/^CMAKE_INSTALL_DOCDIR:PATH=//p')
for f in README.md report.md compare.md schema/run.json schema/compare-summary.json; do
	[ -f "$prefix/${doc:-share/doc/yieldlab}/$f" ] ||
		{ echo "install: $f is not installed under ${doc:-share/doc/yieldlab}" >&2; exit 1; }
done
case $page in
*/doc/yieldlab*) ;;
*) echo "install: man yieldlab names no installed docs" >&2; exit 1;;
esac
echo "install: binary, man page, completion and docs work from $prefix"
