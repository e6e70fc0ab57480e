#!/usr/bin/env python3
"""The README and docs name no yieldlab option that does not exist.

Every `--option` in README.md, docs/*.md and sched/README.md must be one the
binary declares (`yieldlab help --options`), or one of another tool's that
the docs name on purpose, listed below with its tool.
usage: tests/docs-options.py YIELDLAB SOURCE_DIR"""
import glob
import os
import re
import subprocess
import sys

OTHER_TOOLS = {
    "--install": "cmake", "--prefix": "cmake", "--build": "cmake, emuhost.py",
    "--list": "yltest.py", "--case": "yltest.py", "--workdir": "yltest.py",
    "--host": "yltest.py, emuhost.py", "--timeout": "emuhost.py", "--kernel": "emuhost.py", "--kernel-arg": "emuhost.py",
    "--output-on-failure": "ctest", "--change": "duplicates", "--base": "duplicates",
    "--suite": "mutate.py", "--side": "scripts/review.py",
    "--sshloginfile": "GNU parallel", "--return": "GNU parallel", "--exclusive": "sbatch",
    "--man": "yieldlab help", "--bash-completion": "yieldlab help", "--options": "yieldlab help",
    "--trace": "trace/distance.py", "--replay": "trace/distance.py",
}


def main():
    yl, src = sys.argv[1], sys.argv[2]
    listed = subprocess.run([yl, "help", "--options"], capture_output=True, text=True,
                            check=True).stdout
    known = {ln.split("\t")[0] for ln in listed.splitlines() if ln}
    files = [os.path.join(src, "README.md"), os.path.join(src, "sched", "README.md")]
    files += sorted(glob.glob(os.path.join(src, "docs", "*.md")))
    bad = []
    for path in files:
        for n, line in enumerate(open(path), 1):
            for opt in re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*[a-z0-9]", line):
                if opt not in known and opt not in OTHER_TOOLS:
                    bad.append("%s:%d: %s" % (os.path.relpath(path, src), n, opt))
    for b in bad:
        print("docs-options: no such option: " + b)
    print("docs-options: %d files, %d yieldlab options known, %d unknown named"
          % (len(files), len(known), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
