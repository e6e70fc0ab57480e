#!/usr/bin/env python3
"""The review of the series, one command per question (docs/review.md).

Each question is a `yieldlab compare` of the choice the reviewer asked
about, in interleaved rounds, on two sides:

  sim     sim at the seed's scale (16 pCPUs, 3 VMs of 16 vCPUs, host mode);
  coop    coop's scheduler on real vCPUs (this host's /dev/kvm, else the
          emulated host), 2 VMs of 4 vCPUs on 2 pCPUs;
  simcoop sim of coop's configuration, so that the model and coop are held
          against each other on the same experiment;
  kernel  the two lag-credit questions in host mode on kernel/'s patched
          kernel in the emulated host: coop's configuration, each VM in a
          cgroup, YIELD_TO_LAG_CREDIT off (stock yield_to()) against on, the
          choice a knob of the patch (--host-param);
  kernel-ple  the same with pause-loop exits: booted with
          kvm_amd.pause_exit_unfiltered=1 (every PAUSE exits; TCG has no
          pause filter) and --pause-exits kvm.

For every side it prints the compared cells' median of the question's
metric, the median ratio of paired runs against the baseline with its
sign-test interval and verdict, and the counters that settle the question,
medians over the runs; then whether the sides agree on the sign.  A side
whose OUT/QUESTION/SIDE/summary.json exists is read, not run again.

  scripts/review.py QUESTION [--side sim,simcoop,coop,kernel,kernel-ple] [--reps 10]
                    [--calibrate BENCH.json ...] --out DIR
  QUESTION: curr | ipi-target | ipi-async | margin
"""
import argparse
import csv
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# where each side runs, and the options that make it that side
SEED = ["--mode", "sim", "--sched", "host", "--placement", "random", "--vms", "3",
        "--vcpus", "16", "--pcpus", "16", "--lock", "qspinlock", "--pv", "yield",
        "--duration", "2000"]
COOP = ["--sched", "coop", "--vms", "2", "--vcpus", "4", "--pcpus", "0-1", "--lock",
        "ticket", "--cs", "20000", "--pv", "yield", "--spin-threshold", "64",
        "--duration", "1000"]
KERNEL = ["--vms", "2", "--vcpus", "4", "--pcpus", "0-1", "--cgroup", "review",
          "--lock", "ticket", "--cs", "20000", "--pv", "yield", "--pause-exits", "off",
          "--duration", "1000", "--sched-feature", "NO_YIELD_TO_LAG_CREDIT,YIELD_TO_LAG_CREDIT",
          "--baseline", "sched-feature=NO_YIELD_TO_LAG_CREDIT"]
CG = "/sys/fs/cgroup"
CG_SETUP = ("echo +cpu > {0}/cgroup.subtree_control && mkdir -p {0}/review &&"
            " echo +cpu > {0}/review/cgroup.subtree_control").format(CG)
# lag credit against forfeit, the choice on or off: forfeit runs once per
# value of the choice, which does not touch it, and is each one's baseline
AGAINST_FORFEIT = ["--policy", "forfeit,lag-credit", "--baseline", "policy=forfeit"]


def credit(js):
    """sched/'s credit counters (sim and coop) or the kernel's."""
    c = (js.get("coop") or js.get("sim") or {}).get("credit")
    if c is None:
        c = ((js.get("host") or {}).get("lag_credit") or {}).get("counters") or {}
    return c


def spin(js):
    return (js.get("coop") or js.get("sim") or {}).get("spin") or {}


def ipi_yields(js):
    vms = js.get("vms", [js])
    return sum(v["result"].get("ipi_yields", 0) for v in vms)


def lag_credit_question(ask, option, values, knob, counters):
    """A lag-credit choice: the model's option and the kernel's knob, value for
    value (values: (option value, knob value) pairs), lag credit against forfeit."""
    opt = ",".join(v for v, _ in values)
    return {
        "ask": ask,
        "metric": "lock_ops_per_s",
        "counters": lambda js: {k: credit(js).get(k) for k in counters},
        "sides": {
            "sim": SEED + ["--workload", "mixed", "--target", "rr", "--" + option, opt] +
            AGAINST_FORFEIT,
            "coop": COOP + ["--" + option, opt] + AGAINST_FORFEIT,
            "kernel": KERNEL + ["--host-param", ",".join("sched.%s=%s" % (knob, k)
                                                         for _, k in values)],
        },
        # the kernel's cells under the model's names, to set side by side
        "kernel_as": {"sched-feature=YIELD_TO_LAG_CREDIT host-param=sched.%s=%s" % (knob, k):
                      "%s=%s policy=lag-credit" % (option, v) for v, k in values},
    }


QUESTIONS = {
    "curr": lag_credit_question(
        "Can yield_to() reach an off-tree current entity, and what does crediting it do?",
        "credit-curr", (("on", "1"), ("off", "0")), "yield_credit_curr",
        ("curr_task", "curr_group", "curr_skipped", "levels", "eligible")),
    "ipi-target": {
        "ask": "Why does an IPI's sender yield to the first preempted target?",
        "metric": "ipi_ops_per_s",
        "counters": lambda js: {"ipi_yields": ipi_yields(js)},
        "sides": {
            "sim": SEED + ["--workload", "ipi", "--target", "rr", "--policy", "forfeit",
                           "--ipi-targets", "3",
                           "--ipi-yield", "first,none,all", "--baseline", "ipi-yield=first"],
            "coop": COOP + ["--workload", "ipi", "--policy", "forfeit", "--ipi-targets", "3",
                            "--ipi-yield", "first,none,all", "--baseline",
                            "ipi-yield=first"],
        },
    },
    "ipi-async": {
        "ask": "Can't IPIs be async: does the IPI-aware target choice still pay then?",
        "metric": "ipi_ops_per_s",
        "counters": lambda js: {k: spin(js).get(k) for k in
                                ("spin_boost_receiver", "spin_boost_strict")},
        "sides": {
            "sim": SEED + ["--workload", "mixed", "--policy", "forfeit", "--ipi-wait",
                           "sync,async", "--target", "rr,ipi-pairs", "--baseline",
                           "target=rr"],
            "coop": COOP + ["--workload", "mixed", "--policy", "forfeit",
                            "--ipi-wait", "sync,async", "--target", "rr,ipi-pairs",
                            "--baseline", "target=rr"],
        },
    },
    "margin": lag_credit_question(
        "Simple lag movement first, the margin later: what does each give?",
        "credit-pct", (("0", "0"), ("25", "25")), "yield_credit_pct",
        ("credits", "credit_ns", "margin_ns")),
}


def simcoop(args):
    """coop's side as sim runs it: --pcpus is a count there."""
    return ["--mode", "sim"] + ["2" if a == "0-1" else a for a in args]


def coop_mode():
    """coop runs on this host's KVM where there is one, else emulated."""
    return [] if os.path.exists("/dev/kvm") else ["--mode", "emulated"]


def side_args(q, side, calibrate=()):
    sides = QUESTIONS[q]["sides"]
    if side == "kernel-ple":
        return ["kvm" if a == "off" and i and sides["kernel"][i - 1] == "--pause-exits"
                else a for i, a in enumerate(sides["kernel"])]
    if side == "simcoop":
        return simcoop(sides["coop"]) + [a for f in calibrate for a in ("--calibrate", f)]
    return (coop_mode() if side == "coop" else []) + sides[side]


PLE_ARG = "kvm_amd.pause_exit_unfiltered=1"


def run_kernel(args, yl, dest, kernel_args=()):
    """compare inside the emulated host booted with the patched kernel."""
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    from emuhost import EmulatedHost, Failure, Run
    try:
        host = EmulatedHost(yl, dest + ".emuhost", "patched", kernel_args)
        res = host.run_all([Run("setup", [], shell=CG_SETUP),
                            Run("compare", ["compare"] + args + ["--out", "@OUT@"],
                                timeout=7200)], {})
    except Failure as e:
        sys.exit("review: kernel: %s" % e)
    o = res["compare"]
    with open(dest + ".log", "w") as log:
        log.write(res["setup"].err + o.out + o.err)
    if res["setup"].rc or o.rc or not o.outdir:
        sys.exit("review: kernel: setup %d, compare %d (see %s.log)"
                 % (res["setup"].rc, o.rc, dest))
    os.rename(o.outdir, dest)


def run_side(q, side, yl, out, reps, seed, calibrate):
    dest = os.path.join(out, q, side)
    if os.path.exists(os.path.join(dest, "summary.json")):
        return dest
    args = side_args(q, side, calibrate) + ["--reps", str(reps), "--seed", str(seed),
                                 "--out", dest, "--yes"]

    os.makedirs(os.path.dirname(dest), exist_ok=True)
    print("review: %s/%s: yieldlab compare %s" % (q, side, " ".join(args)), flush=True)
    if side in ("kernel", "kernel-ple"):
        args = [a for a in args if a != "--yes"]
        run_kernel(args[:args.index("--out")], yl, dest,
                   [PLE_ARG] if side == "kernel-ple" else [])
        return dest
    with open(dest + ".log", "w") as log:
        p = subprocess.run([yl, "compare"] + args, stdout=log, stderr=log)
    if p.returncode:
        sys.exit("review: %s/%s: compare exited %d (see %s.log)" % (q, side, p.returncode,
                                                                   dest))
    return dest


def run_counters(dest, q):
    """The question's counters, each cell's median over its runs."""
    by = {}
    with open(os.path.join(dest, "runs.csv")) as f:
        for row in csv.DictReader(f):
            if row["status"] != "ok":
                continue
            path = os.path.join(dest, "runs", "%05d" % int(row["run"]), "run.json")
            with open(path) as g:
                c = QUESTIONS[q]["counters"](json.load(g))
            cell = by.setdefault(int(row["cell"]), {})
            for k, v in c.items():
                if v is not None:
                    cell.setdefault(k, []).append(v)
    return {cell: {k: statistics.median(v) for k, v in c.items()} for cell, c in by.items()}


def direction(vs):
    """+1 better, -1 worse, 0 no difference, None not judged."""
    v = vs.get("verdict", "")
    return {"better": 1, "worse": -1, "no difference": 0}.get(v)


def report(q, side, dest):
    m = QUESTIONS[q]["metric"]
    s = json.load(open(os.path.join(dest, "summary.json")))
    counters = run_counters(dest, q)
    signs = {}
    runs = s.get("runs") or {}
    print("  %s: %d runs ok, %d failed, on %s" % (side, runs.get("ok", 0), runs.get("failed", 0),
                                               ", ".join(h.get("hostname", "?") + " " +
                                                         h.get("kernel", "?")
                                                         for h in s.get("hosts", []))))
    for c in s["cells"]:
        d = c["metrics"].get(m) or {}
        vs = d.get("vs_baseline")
        cnt = ", ".join("%s %g" % kv for kv in sorted(counters.get(c["cell"], {}).items()))
        if vs:
            lo, hi = vs["ci"]
            ci = "%.3f..%.3f" % (lo, hi) if lo is not None else "-"
            print("    %-34s %10.0f  %.3fx [%s] %-13s %s" % (c["label"], d.get("median", 0),
                                                           vs["ratio"], ci, vs["verdict"], cnt))
            label = QUESTIONS[q].get("kernel_as", {}).get(c["label"], c["label"])
            signs[label] = direction(vs)
        else:
            print("    %-34s %10.0f  baseline                     %s"
                  % (c["label"], d.get("median", 0), cnt))
    return signs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("question", choices=sorted(QUESTIONS))
    ap.add_argument("--side", default="sim,coop")
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--yieldlab", default=os.path.join(ROOT, "build", "yieldlab"))
    ap.add_argument("--calibrate", action="append", default=[],
                    help="simcoop: a bench exits or bench handoff --json of the coop host")
    a = ap.parse_args()
    q = QUESTIONS[a.question]
    sides = [s for s in a.side.split(",") if s]
    allowed = list(q["sides"]) + ["simcoop"] + (["kernel-ple"] if "kernel" in q["sides"]
                                                  else [])
    bad = [s for s in sides if s not in allowed]
    if bad:
        sys.exit("review: %s: no side %s; allowed: %s" % (a.question, ",".join(bad),
                                                          ",".join(allowed)))
    dests = {s: run_side(a.question, s, a.yieldlab, a.out, a.reps, a.seed, a.calibrate)
             for s in sides}
    print("%s\n  metric %s; ratio = median of paired runs / baseline, sign-test interval"
          % (q["ask"], q["metric"]))
    signs = {s: report(a.question, s, d) for s, d in dests.items()}
    labels = set.intersection(*(set(v) for v in signs.values())) if signs else set()
    for label in sorted(labels):
        got = {s: signs[s][label] for s in signs}
        judged = [v for v in got.values() if v is not None]
        same = len(set(judged)) <= 1
        print("  %s: %s -> %s" % (label, ", ".join("%s %s" % (s, {1: "better", -1: "worse",
                                                               0: "no difference",
                                                               None: "not judged"}[v])
                                                for s, v in got.items()),
                                "agree" if same else "DISAGREE"))


if __name__ == "__main__":
    main()
