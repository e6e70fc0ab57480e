"""KVM case: yieldlab sim against real vCPUs.

sim_validation: six configurations (ticket, MCS, qspinlock, TTAS and TAS
locks; 4:1 on one pCPU and 8:2 on two; 2 us and 20 us critical sections) run
in coop mode with --policy none, forfeit and handoff, in interleaved rounds,
and host mode's --pv none and --pv yield on the ticket lock at 8:2; in the
same boot bench exits and bench handoff, from which sim --calibrate takes its
costs.  Then sim runs every cell here, with seven seeds, and the throughputs,
the forfeit/none and handoff/none ratios and the policies' order are put side
by side (docs/results.md#sim-against-real-vcpus has the table and how it was
made; YL_SIM_ROUNDS=N runs more rounds for it).

The emulated host runs single-threaded TCG: its two CPUs take turns on one
host thread, so with both busy every instruction takes about twice as long
(bench exits with a busy loop on the other CPU: 2.12x an exit, 2.13x a bare
exit, 1.71x an op, in one boot).  The 8:2 cells' costs are the one-CPU
benches' times TWO_CPU_FACTOR.

Asserted, each with the margin it needs and how that was measured:
- every run completes with the guest's checks and every sim run with its
  invariants;
- the order of two policies, where every round of the real runs put them
  more than ORDER_MARGIN apart and sim more than SIM_MARGIN, is the sim's
  order too (where sim has them closer, how they compare is printed);
- each ratio within RANGE_BOUND of the range of the real rounds' ratios
  (a cell whose real rounds disagree is judged against all of them), and
  the median error over all cells, against the real medians, within
  MEDIAN_BOUND.
The issue's goal, each ratio within 25% (15% hoped), is printed, met or not.

The same boot measures host mode against coop on one guest (docs/model.md,
"directed yield"): host --pv none and --pv yield --yield-to turn against
coop none and forfeit at 8:2; every host yield hypercall must be counted by
KVM and coop must honour hints; the ratios are printed.
"""
import json
import os
import statistics
import subprocess
import tempfile

from harness import Run, case, check

CONFIGS = [
    ("ticket_8x2_cs20k", ["--lock", "ticket", "--vcpus", "8", "--cs", "20000"], 2),
    ("ticket_4x1_cs2k", ["--lock", "ticket", "--vcpus", "4", "--cs", "2000"], 1),
    ("mcs_8x2_cs2k", ["--lock", "mcs", "--vcpus", "8", "--cs", "2000"], 2),
    ("qspin_4x1_cs20k", ["--lock", "qspinlock", "--vcpus", "4", "--cs", "20000"], 1),
    ("ttas_8x2_cs20k", ["--lock", "ttas", "--vcpus", "8", "--cs", "20000"], 2),
    ("tas_4x1_cs2k", ["--lock", "tas", "--vcpus", "4", "--cs", "2000"], 1),
]
POLICIES = ["none", "forfeit", "handoff"]
# host mode: --pv as given, or yield to the vCPU whose turn it is
HOST_PV = {"none": ["--pv", "none"], "yield": ["--pv", "yield"],
           "yield_turn": ["--pv", "yield", "--yield-to", "turn"]}
COMMON = ["--spin-threshold", "256", "--duration", "1000"]
ROUNDS = int(os.environ.get("YL_SIM_ROUNDS", "2"))
SEEDS = range(1, 8)
PRESET = "6.12.63"     # what --preset host picks for the emulated host's 6.12.117
TWO_CPU_FACTOR = 2.12
# Measured in three boots of 4 rounds (two exploratory sweeps of these
# cells, then this case with YL_SIM_ROUNDS=4, docs/results.md), two CI
# boots of 2 and one run of 1: the median error 1.15-1.37x; against the
# median real ratio the worst 3.8x (MCS handoff/none, whose two real rounds
# gave 2.61 and 0.91); against the range of the real rounds' ratios 1.97x
# with two rounds and 2.83x with one (ticket 8:2 handoff, a round at 2.41
# where the others gave 2.9-7.3).  At 8:2 none's rounds spread up to 3x
# (MCS: 660..1910), so an order is taken as decided by the real runs only
# where both rounds put the policies 2x apart; and sim's MCS forfeit/none
# came out 0.90-1.31 with each boot's costs, where the real rounds gave
# 0.88-3.6: an order sim itself leaves within 1.25x is printed, not judged.
ORDER_MARGIN = 2.0
SIM_MARGIN = 1.25
RANGE_BOUND = 4.0
MEDIAN_BOUND = 1.8
GOAL = 1.25


def pcpus(n):
    return "0" if n == 1 else "0-%d" % (n - 1)


def real_runs():
    runs = [Run("bench_exits", ["bench", "exits", "--pcpus", "0", "--json", "@JSON@"]),
            Run("bench_handoff", ["bench", "handoff", "--pcpus", "0", "--json", "@JSON@"])]
    cells = [("coop", c, p) for c, _, _ in CONFIGS for p in POLICIES]
    cells += [("host", "ticket_8x2_cs20k", pv) for pv in HOST_PV]
    for r in range(ROUNDS):
        order = cells[r % len(cells):] + cells[:r % len(cells)]   # each round rotated
        for mode, c, p in order:
            args, n = next((a, k) for name, a, k in CONFIGS if name == c)
            mode_args = (["--sched", "coop", "--pv", "yield", "--policy", p, "--preset", "host"]
                         if mode == "coop" else ["--sched", "host"] + HOST_PV[p])
            runs.append(Run("%s_%s_%s_%d" % (mode, c, p, r),
                            ["run"] + mode_args + args + COMMON +
                            ["--pcpus", pcpus(n), "--json", "@JSON@"]))
    return runs


def costs(ex, ho, n):
    f = TWO_CPU_FACTOR if n == 2 else 1.0
    return "exit=%d,hypercall=%d,pause=%d,switch=%d,op=%d" % (
        ex["yieldlab"]["median_ns_per_exit"] * f, ex["bare"]["median_ns_per_exit"] * f,
        ex["guest_pause_ns"] * f, ho["coop"]["p50_ns"] * f, ex["guest_op_ns"] * f)


def sim_ops(t, tmp, mode_args, args, n, ex, ho):
    """The median over SEEDS of sim's lock ops/s; None if a run failed."""
    got = []
    for seed in SEEDS:
        out = os.path.join(tmp, "s.json")
        p = subprocess.run([t.host.yieldlab, "sim", "--quiet", "--json", out, "--seed", str(seed),
                            "--preset", PRESET, "--pcpus", str(n), "--cost", costs(ex, ho, n)]
                           + mode_args + args + COMMON, capture_output=True, text=True)
        if not check(p.returncode == 0, "sim %s %s seed %d: every invariant held"
                     % (" ".join(mode_args), " ".join(args), seed), p.stderr):
            return None
        got.append(json.load(open(out))["result"]["ops_per_s"])
    return statistics.median(got)


def real_ops(res, mode, c, p):
    out = []
    for r in range(ROUNDS):
        o = res.get("%s_%s_%s_%d" % (mode, c, p, r))
        if check(o is not None and o.rc == 0 and o.json and o.json["result"]["guest_check_ok"],
                 "%s %s %s round %d: ran, the guest checked its work" % (mode, c, p, r), o):
            out.append(o.json["result"]["ops_per_s"])
    return out


def compare_config(c, real, sim):
    """Prints one configuration's rows; returns its ratio errors."""
    errs = []
    for p in POLICIES:
        rr = [real[p][k] / real["none"][k] for k in range(min(len(real[p]), len(real["none"])))]
        mr, ms = statistics.median(rr), sim[p] / sim["none"]
        err = ms / mr
        off = max(ms / max(rr), min(rr) / ms, 1.0)	# outside every real round
        print("  %-17s %-8s real %8.0f (%s)  sim %8.0f   ratio real %5.2f  sim %5.2f  x%.2f%s"
              % (c, p, statistics.median(real[p]), " ".join("%.0f" % x for x in real[p]),
                 sim[p], mr, ms, err, "" if p == "none" else
                 ("  goal met" if max(err, 1 / err) <= GOAL else "  goal NOT met")))
        if p != "none":
            errs.append(max(err, 1 / err))
            check(off <= RANGE_BOUND, "%s: sim's %s/none %.2f within %.1fx of the real rounds'"
                  " %.2f..%.2f" % (c, p, ms, RANGE_BOUND, min(rr), max(rr)))
    for a in POLICIES:
        for b in POLICIES:
            if a >= b:
                continue
            rs = [x / y for x, y in zip(real[a], real[b])]
            q = sim[a] / sim[b]
            if not (all(x > ORDER_MARGIN for x in rs) or all(x < 1 / ORDER_MARGIN for x in rs)):
                continue
            if max(q, 1 / q) < SIM_MARGIN:
                print("  %s: %s %s %s in every real round (>%.1fx); sim has them at %.2f"
                      % (c, a, ">" if rs[0] > 1 else "<", b, ORDER_MARGIN, q))
                continue
            check((q > 1) == (rs[0] > 1), "%s: %s %s %s in every real round (>%.1fx), and in sim"
                  " (%.2f)" % (c, a, ">" if rs[0] > 1 else "<", b, ORDER_MARGIN, q))
    return errs


def host_against_coop(res):
    """Host mode's yield_to() and coop's on the same guest, round by round."""
    cells = {"host_none": ("host", "none"), "host_yield": ("host", "yield_turn"),
             "coop_none": ("coop", "none"), "coop_forfeit": ("coop", "forfeit")}
    got = {}
    for cell, (mode, p) in cells.items():
        got[cell] = [res.get("%s_ticket_8x2_cs20k_%s_%d" % (mode, p, r)) for r in range(ROUNDS)]
        if any(o is None or not o.json for o in got[cell]):
            return
    for o in got["host_yield"]:
        check(o.json["checks"]["directed_yield"]["ok"],
              "host yield: KVM counted every yield hypercall: %s"
              % o.json["checks"]["directed_yield"]["detail"])
    for o in got["coop_forfeit"]:
        check(o.json["coop"]["outcomes"]["honoured"] > 0, "coop forfeit: hints were honoured")

    def ratio(a, b):
        rs = sorted(x.json["result"]["ops_per_s"] / y.json["result"]["ops_per_s"]
                    for x, y in zip(got[a], got[b]))
        return statistics.median(rs), rs[0], rs[-1]
    for a, b in (("coop_none", "host_none"), ("coop_forfeit", "host_yield"),
                 ("host_yield", "host_none"), ("coop_forfeit", "coop_none")):
        print("  host against coop: %s / %s: median %.2f [%.2f, %.2f]" % ((a, b) + ratio(a, b)))


@case
def sim_validation(t):
    res = t.runs(*real_runs())
    ex, ho = res["bench_exits"].json, res["bench_handoff"].json
    if not check(ex and ho and ex.get("guest_pause_ns") and ex.get("guest_op_ns") is not None
                 and ho.get("coop"), "bench exits and bench handoff ran: costs to calibrate from"):
        return
    print("  calibration: exit %.0f ns, bare exit %.0f, PAUSE %.0f, op %.0f, hand-off p50 %.0f;"
          " 8:2 cells x%.2f" % (ex["yieldlab"]["median_ns_per_exit"], ex["bare"]["median_ns_per_exit"],
                                ex["guest_pause_ns"], ex["guest_op_ns"], ho["coop"]["p50_ns"],
                                TWO_CPU_FACTOR))
    errs, ranked = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for c, args, n in CONFIGS:
            real = {p: real_ops(res, "coop", c, p) for p in POLICIES}
            if any(not v for v in real.values()):
                continue
            sim = {p: sim_ops(t, tmp, ["--sched", "coop", "--pv", "yield", "--policy", p],
                              args, n, ex, ho) for p in POLICIES}
            if None in sim.values():
                continue
            ranked += 1
            errs += compare_config(c, real, sim)
        args, n = CONFIGS[0][1], CONFIGS[0][2]
        for pv in ("none", "yield"):
            real = real_ops(res, "host", "ticket_8x2_cs20k", pv)
            s = sim_ops(t, tmp, ["--sched", "host"] + HOST_PV[pv] + ["--pause-exits", "off"],
                        args, n, ex, ho)
            if real and s:
                print("  host ticket_8x2 --pv %-5s real %8.0f (%s)  sim %8.0f  x%.2f"
                      % (pv, statistics.median(real), " ".join("%.0f" % x for x in real), s,
                         s / statistics.median(real)))
    host_against_coop(res)
    if not check(ranked == len(CONFIGS), "every configuration compared"):
        return
    med = statistics.median(errs)
    met = sum(1 for e in errs if e <= GOAL)
    print("  sim_validation: %d of %d ratios within 25%% (goal); median error x%.2f, worst x%.2f"
          % (met, len(errs), med, max(errs)))
    check(med <= MEDIAN_BOUND, "median ratio error x%.2f within x%.1f" % (med, MEDIAN_BOUND))
