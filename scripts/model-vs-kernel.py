#!/usr/bin/env python3
"""The model held against the kernel (issue 27): lag credit against forfeit
on the same configurations in three places, each a `yieldlab compare` with
interleaved rounds:

  kernel  host mode on kernel/'s patched kernel in the emulated host,
          YIELD_TO_LAG_CREDIT on against off (off: stock yield_to());
  coop    coop's scheduler on real vCPUs in the emulated host,
          --policy lag-credit against forfeit;
  sim     sim --sched host, --policy lag-credit against forfeit.

Prints, per configuration, the median ratio of paired runs' lock ops/s with
its sign-test interval, and credits per yield, for each; and whether the
models rank lag credit and forfeit as the kernel does and sit within 25% of
its ratio.  A side whose DIR/SIDE/summary.json exists is read, not run
again (--fresh runs it again).

  scripts/model-vs-kernel.py --out DIR [--reps 10] [--seed 1]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# the configurations: vCPUs, pCPUs as run takes them and as sim counts them
VCPUS = ("4", "8")
PCPUS = (("0", "1"), ("0-1", "2"))
LOCKS = ("ticket", "qspinlock")
COMMON = ["--lock", ",".join(LOCKS), "--vcpus", ",".join(VCPUS), "--pv", "yield",
          "--pause-exits", "off"]
SIDES = {
    # side: (where, its compared axis, the value that is lag credit, duration ms)
    "kernel": ("emulated", ["--sched-feature", "NO_YIELD_TO_LAG_CREDIT,YIELD_TO_LAG_CREDIT",
                            "--baseline", "sched-feature=NO_YIELD_TO_LAG_CREDIT"],
               "YIELD_TO_LAG_CREDIT", 1000),
    "coop": ("emulated", ["--sched", "coop", "--policy", "forfeit,lag-credit"],
             "lag-credit", 1000),
    "sim": ("sim", ["--mode", "sim", "--sched", "host", "--policy", "forfeit,lag-credit"],
            "lag-credit", 20000),
}
GOAL = 0.25


def compare_args(side, reps, seed):
    where, axis, _, dur = SIDES[side]
    args = ["compare"] + COMMON + axis + ["--duration", str(dur), "--reps", str(reps),
                                          "--seed", str(seed)]
    for run_cpus, sim_cpus in PCPUS:
        args += ["--pcpus", sim_cpus if where == "sim" else run_cpus]
    return args


def run_side(side, build, out, reps, seed):
    where = SIDES[side][0]
    dest = os.path.join(out, side)
    shutil.rmtree(dest, ignore_errors=True)
    args = compare_args(side, reps, seed)
    if where == "sim":
        cmd = [os.path.join(build, "yieldlab")] + args + ["--out", dest]
    else:
        kernel = "patched" if side == "kernel" else "stock"
        cmd = [sys.executable, os.path.join(ROOT, "scripts", "emuhost.py"), "--host",
               "emulated", "--kernel", kernel, "--build", build, "--timeout", "3000",
               "--workdir", os.path.join(out, side + ".emuhost"), "--"] + args + ["--out", dest]
    print("model-vs-kernel: %s: %s" % (side, " ".join(cmd)), file=sys.stderr)
    with open(os.path.join(out, side + ".log"), "w") as log:
        rc = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT).returncode
    if rc:
        sys.exit("model-vs-kernel: %s: compare exited %d (%s.log)" % (side, rc, side))


def credits_per_yield(side, js):
    """Credits over the yields that reached the credit, from one run's JSON."""
    if side == "kernel":
        c = (js["host"].get("lag_credit") or {}).get("counters")
        return c["credits"] / c["yields"] if c and c["yields"] else None
    if side == "sim":
        o = js["sim"]["outcomes"]
        n = o["honoured"] + o["rate_limited"]
        return js["sim"]["credit"]["credits"] / n if n else None
    cr = js["coop"]["credit"] if js.get("coop") else None
    n = js["result"]["yields"]
    return cr["credits"] / n if cr and n else None


def key(values, side):
    pc = values["--pcpus"]
    if SIDES[side][0] != "sim":
        pc = dict(PCPUS)[pc]
    return (values["--vcpus"], pc, values["--lock"])


def read_side(side, out):
    """{config: (ratio, [lo, hi], verdict, credits/yield median)}"""
    d = os.path.join(out, side)
    with open(os.path.join(d, "summary.json")) as f:
        summ = json.load(f)
    lag = SIDES[side][2]
    cpy = {}
    for run in sorted(os.listdir(os.path.join(d, "runs"))):
        try:
            with open(os.path.join(d, "runs", run, "run.json")) as f:
                js = json.load(f)
            with open(os.path.join(d, "runs", run, "cmd")) as f:
                cmd = f.read()
        except (OSError, ValueError):
            continue
        if lag not in cmd or "NO_" + lag in cmd:
            continue
        v = credits_per_yield(side, js)
        if v is not None:
            cfg = js["config"]
            cpy.setdefault((str(cfg["vcpus"]), str(cfg.get("nr_pcpus", cfg.get("pcpus"))),
                            cfg["lock"]), []).append(v)
    res = {}
    for c in summ["cells"]:
        vals = c["values"]
        axis_val = vals.get("--sched-feature", vals.get("--policy"))
        if axis_val != lag:
            continue
        m = c["metrics"]["lock_ops_per_s"]["vs_baseline"]
        k = key(vals, side)
        res[k] = (m["ratio"], m["ci"], m["verdict"], cpy.get(k))
    return res


def fmt(r):
    if r is None:
        return "-", "-"
    ratio, ci, verdict, cpy = r
    lo, hi = ci if ci else (None, None)
    iv = "%.2f (%s..%s)" % (ratio, "%.2f" % lo if lo is not None else "-",
                           "%.2f" % hi if hi is not None else "-")
    return iv, "%.2f" % statistics.median(cpy) if cpy else "-"


def sign(r):
    """+1 or -1 where the interval excludes 1 (a verdict), else 0."""
    lo, hi = r[1] if r[1] else (None, None)
    if lo is not None and lo > 1:
        return 1
    if hi is not None and hi < 1:
        return -1
    return 0


def judge(k, m):
    """The ranking, where the intervals decide one: the same verdict as the
    kernel's, or a verdict the kernel's interval does not support; and the
    model's median ratio against the kernel's (within GOAL or not), with
    whether their intervals overlap."""
    if not k or not m or not k[1] or not m[1]:
        return "-"
    sk, sm = sign(k), sign(m)
    if sk == sm:
        rank = "same verdict" if sk else "neither decides"
    elif sk == 0:
        rank = "model decides, kernel does not"
    elif sm == 0:
        rank = "kernel decides, model does not"
    else:
        rank = "OPPOSITE VERDICTS"
    off = m[0] / k[0] - 1
    overlap = m[1][0] <= k[1][1] and k[1][0] <= m[1][1]
    return "%s; %s%s" % (rank, "within %d%%" % (GOAL * 100) if abs(off) <= GOAL
                         else "%+.0f%%" % (off * 100), "" if overlap else ", intervals apart")


def table(out):
    sides = {s: read_side(s, out) for s in SIDES}
    lines = ["| vCPUs | pCPUs | lock | kernel on/off (CI) | cr/yield | coop lag-credit/forfeit (CI)"
             " | cr/yield | sim lag-credit/forfeit (CI) | cr/yield | coop vs kernel | sim vs kernel |",
             "|---:|---:|---|---|---:|---|---:|---|---:|---|---|"]
    for v in VCPUS:
        for _, pc in PCPUS:
            for lock in LOCKS:
                k = (v, pc, lock)
                row = [v, pc, lock]
                for s in SIDES:
                    row += list(fmt(sides[s].get(k)))
                row += [judge(sides["kernel"].get(k), sides[m].get(k)) for m in ("coop", "sim")]
                lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--fresh", action="store_true", help="run every side again")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for side in SIDES:
        if a.fresh or not os.path.exists(os.path.join(a.out, side, "summary.json")):
            run_side(side, a.build, a.out, a.reps, a.seed)
    t = table(a.out)
    with open(os.path.join(a.out, "table.md"), "w") as f:
        f.write(t + "\n")
    print(t)
    return 0


if __name__ == "__main__":
    sys.exit(main())
