#!/usr/bin/env python3
"""docs/results.md's table of the seed's setting at its own scale, from the
compare directory of docs/plans/sim-seed-scale.plan: each variant's median
ratio of lock ops/s to mainline (forfeit, rr, hierarchical, no budget) in the
same round, with the sign-test interval compare uses (compare/stats.c,
yl_sign_rank()), and the smallest VM's CPU share, median over rounds.

  scripts/seed-scale-table.py DIR [--confidence 95]
"""
import argparse
import csv
import os
import statistics

MAINLINE = ("forfeit", "rr", "off", "0")
VARIANTS = [
    ("lag-credit", ("lag-credit", "rr", "off", "0")),
    ("lag-credit, 5% budget", ("lag-credit", "rr", "off", "5")),
    ("lag-credit flat", ("lag-credit", "rr", "on", "0")),
    ("forfeit flat", ("forfeit", "rr", "on", "0")),
    ("IPI-aware (ipi-pairs)", ("forfeit", "ipi-pairs", "off", "0")),
    ("seed: lag-credit + ipi-pairs", ("lag-credit", "ipi-pairs", "off", "0")),
    ("seed, 5% budget", ("lag-credit", "ipi-pairs", "off", "5")),
    ("seed flat", ("lag-credit", "ipi-pairs", "on", "0")),
]


def sign_rank(n, conf):
    """compare/stats.c's yl_sign_rank()."""
    tail, term = 0.0, 2.0 ** -n
    for k in range(n):
        tail += term
        if tail > (1 - conf) / 2:
            return k
        term = term * (n - k) / (k + 1)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--confidence", type=int, default=95)
    a = ap.parse_args()
    runs = {}
    with open(os.path.join(a.dir, "runs.csv")) as f:
        for r in csv.DictReader(f):
            if r["status"] != "ok":
                continue
            key = (r["policy"], r["target"], r["flat"], r["credit-budget"])
            vms = int(r["vms"])
            share = min(float(r["vm%d_cpu_share" % k]) for k in range(vms))
            runs[(vms, key, int(r["round"]))] = (float(r["lock_ops_per_s"]), share)
    allvms = sorted({k[0] for k in runs})
    rounds = sorted({k[2] for k in runs})
    head = "| variant |" + "".join(" %d VMs | min share |" % v for v in allvms)
    print(head)
    print("|---|" + "---|---:|" * len(allvms))
    row = "| mainline forfeit, rr |"
    for v in allvms:
        ops = [runs[(v, MAINLINE, r)][0] for r in rounds if (v, MAINLINE, r) in runs]
        sh = [runs[(v, MAINLINE, r)][1] for r in rounds if (v, MAINLINE, r) in runs]
        row += " %.0f ops/s | %.3f |" % (statistics.median(ops), statistics.median(sh))
    print(row)
    for name, key in VARIANTS:
        row = "| %s |" % name
        for v in allvms:
            rat = sorted(runs[(v, key, r)][0] / runs[(v, MAINLINE, r)][0] for r in rounds
                         if (v, key, r) in runs and (v, MAINLINE, r) in runs)
            sh = [runs[(v, key, r)][1] for r in rounds if (v, key, r) in runs]
            k = sign_rank(len(rat), a.confidence / 100)
            ci = " [%+.1f, %+.1f]" % (100 * (rat[k - 1] - 1), 100 * (rat[len(rat) - k] - 1)) \
                if k else ""
            row += " %+.1f%%%s | %.3f |" % (100 * (statistics.median(rat) - 1), ci,
                                           statistics.median(sh))
        print(row)


if __name__ == "__main__":
    main()
