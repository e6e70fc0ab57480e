#!/usr/bin/env python3
"""Every dependency points down: each #include of ours, and each library
CMake links, goes from a folder (a room) to one the allowed arrows of
docs/architecture.md name, and the arrows themselves have no cycle.
A header beside its includer is the includer's own room.  And each room
stays readable: no source file over MAX_FILE lines (sched/eevdf.c, which
mirrors one kernel file, excepted), no function over MAX_FUNC lines
(tables, whose opening line has an '=', are data).

usage: layering.py SOURCE_DIR"""
import os
import re
import sys

SRC = sys.argv[1] if len(sys.argv) > 1 else "."
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
LINK = re.compile(r"target_link_libraries\((\w+)\s+(?:PUBLIC|PRIVATE|INTERFACE)\s+([^)]*)\)")
# the room each library of CMakeLists.txt is, by its top room (yl_vmm: all of vmm/)
LIBS = {"yl_lib": "lib", "yl_out": "out", "yl_sched": "sched", "yl_simparams": "sim/params",
        "yl_sim": "sim", "yl_cli": "cli", "yl_vmm": "vmm/tools", "yl_simcmd": "sim/cmd",
        "yl_compare": "compare", "yl_cmd": "cmd"}
SKIP = (".git", "build", "tests", "docs", "scripts", "cmake")
MAX_FILE, MAX_FUNC = 800, 60
BIG_FILES = ("sched/eevdf.c",)


def room(path):
    """The room of a file: its top folder, vmm/'s subfolders, sim/'s
    command and parameters apart from its engine."""
    parts = path.split("/")
    if parts[0] == "vmm":
        return "vmm/" + parts[1] if len(parts) > 2 else "vmm"
    if parts[0] == "sim":
        if len(parts) > 2:
            return "sim/" + parts[1]
        return "sim/params" if parts[1].startswith("params.") else "sim"
    return parts[0] if len(parts) > 1 else "."


def arrows():
    """ROOM: ROOMS lines of the block between <!-- arrows --> markers."""
    text = open(os.path.join(SRC, "docs", "architecture.md")).read()
    block = text.split("<!-- arrows -->")[1]
    allowed = {}
    for line in block.splitlines():
        m = re.match(r"^([\w/.]+):\s*(.*)$", line.strip())
        if m:
            allowed[m.group(1)] = set(m.group(2).split()) - {"-"}
    return allowed


def cycles(allowed):
    """A cycle among the arrows, or None (depth first)."""
    state = {}

    def visit(r, path):
        state[r] = 1
        for n in sorted(allowed.get(r, ())):
            if state.get(n) == 1:
                return path + [r, n]
            if not state.get(n):
                c = visit(n, path + [r])
                if c:
                    return c
        state[r] = 2
        return None

    for r in sorted(allowed):
        if not state.get(r):
            c = visit(r, [])
            if c:
                return c
    return None


def reach(allowed, r):
    """Every room @r depends on, directly or not."""
    seen, todo = set(), [r]
    while todo:
        for n in allowed.get(todo.pop(), ()):
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return seen


def sizes(path, text):
    """What makes @path too long to read: the file, or one of its functions
    (a body from a '{' alone at column 0 to the first '}' there)."""
    lines = text.split("\n")
    bad = []
    if len(lines) > MAX_FILE and path not in BIG_FILES:
        bad.append("%s: %d lines, allowed %d" % (path, len(lines), MAX_FILE))
    start = None
    for i, line in enumerate(lines):
        if line == "{" and i and "=" not in lines[i - 1]:
            start = i
        elif line == "}" and start is not None:
            if i - start - 1 > MAX_FUNC:
                k = start - 1
                while k > 0 and "(" not in lines[k]:
                    k -= 1
                bad.append("%s:%d: %s: a function of %d lines, allowed %d" %
                           (path, k + 1, lines[k].split("(")[0].split()[-1].lstrip("*"),
                            i - start - 1, MAX_FUNC))
            start = None
    return bad


def main():
    allowed = arrows()
    bad = []
    c = cycles(allowed)
    if c:
        bad.append("the arrows have a cycle: " + " -> ".join(c))
    files = 0
    for root, dirs, names in os.walk(SRC):
        rel = os.path.relpath(root, SRC)
        top = rel.split("/")[0]
        if top in SKIP or top.startswith("build"):	# build-fuzz, build-address...
            continue
        for f in names:
            if not f.endswith((".c", ".h", ".S")):
                continue
            path = os.path.normpath(os.path.join(rel, f))
            files += 1
            r = room(path)
            if r not in allowed:
                bad.append("%s: its folder %s has no line in docs/architecture.md" % (path, r))
                continue
            text = open(os.path.join(SRC, path), errors="replace").read()
            if path.endswith(".c"):
                bad.extend(sizes(path, text))
            for inc in INCLUDE.findall(text):
                target = inc if "/" in inc else os.path.join(os.path.dirname(path), inc)
                if not os.path.exists(os.path.join(SRC, target)):
                    continue	# generated (version.h) or the C library's
                t = room(target)
                if t != r and t not in allowed[r]:
                    bad.append("%s includes %s: %s -> %s is not an allowed arrow" %
                               (path, inc, r, t))
    links = 0
    for m in LINK.finditer(open(os.path.join(SRC, "CMakeLists.txt")).read()):
        if m.group(1) not in LIBS:
            continue
        r = LIBS[m.group(1)]
        for lib in m.group(2).split():
            if lib in LIBS:
                links += 1
                if LIBS[lib] != r and LIBS[lib] not in reach(allowed, r):
                    bad.append("CMakeLists.txt: %s links %s: %s -> %s is not an allowed arrow"
                               % (m.group(1), lib, r, LIBS[lib]))
    for b in bad:
        print("FAIL  " + b)
    print("layering: %d files, %d library links, %d rooms; %d problems"
          % (files, links, len(allowed), len(bad)))
    print("%d passed, %d failed" % (1 if not bad else 0, 1 if bad else 0))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
