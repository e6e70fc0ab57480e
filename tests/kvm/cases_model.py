"""KVM cases: how far sched/ is from the kernel it names, measured on the
host's real kernel (the emulated host boots Debian's 6.12.117).

sched_trace: plain threads on one CPU (nice values, sleepers, sched_yield()
callers) under the real scheduler, recorded with the sched_switch
tracepoint, beside trace/replay.c's run of the same threads through sched/
with the preset for that kernel (--preset host's choice); per thread CPU
share and run lengths, and the distance (trace/distance.py).

Host mode's yield_to() against coop's on the same guest (docs/model.md's
"directed yield") is measured in sim_validation's boot (cases_sim.py)."""
import os
import sys

from harness import Run, case, check

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "trace"))
import distance  # noqa: E402

# Each scenario: threads as trace/spec.h reads them, on one CPU.
SCENARIOS = [
    ("nice", ["busy:0", "busy:0", "busy:5", "busy:-5"]),
    ("pair", ["busy:0", "yield:0:500"]),
    ("sleepers", ["busy:0", "busy:0", "sleep:0:1000:3000", "sleep:0:300:700", "busy:10"]),
    ("yielders", ["busy:0", "busy:0", "yield:0:500", "yield:0:200", "sleep:5:2000:2000"]),
]
DUR_MS, WARM_MS, REPS = 2000, 200, 3
# The goal of issue 16 is every thread's share within 2 points of the
# kernel's, against the median of the kernel's repetitions; it is printed.
# Met for threads that run, sleep and differ in nice, and for one busy
# thread beside one yielder (0.02-1.01 points in two boots); not for the
# yielders scenario, where the kernel picks the sched_yield() callers about
# 1.6x as often as the model and the model is 2.9-4.3 points off
# (docs/model.md).  Asserted is 7 points: that 4.3 plus the 1.9 points the
# kernel's own share for one yielder moved between boots, and half of what
# the replay's first start cost on pair (14 points).
SHARE_GOAL_PP, SHARE_BOUND_PP = 2.0, 7.0

TRACE_SH = r"""
%s
T=/sys/kernel/tracing
[ -d $T/events ] || mount -t tracefs nodev $T || exit 3
mkdir -p @OUT@; chmod +x /data/schedload; uname -r > @OUT@/release; nproc > @OUT@/ncpus
i=0
for s in %s; do
  for sc in %s; do
    eval "th=\$$sc"
    echo 0 > $T/tracing_on; echo > $T/trace; echo 8192 > $T/buffer_size_kb
    echo 1 > $T/events/sched/sched_switch/enable
    echo 1 > $T/tracing_on
    /data/schedload -d %d -w %d $th || exit 4
    echo 0 > $T/tracing_on
    grep -E 'ylt|yl-st' $T/trace > @OUT@/$sc.$s.txt
    i=$((i+1))
  done
done
"""


def build_dir(t):
    return os.path.dirname(os.path.abspath(t.host.yieldlab))


def trace_scenarios(t, setup=""):
    """Run every scenario REPS times under sched_switch tracing in one boot
    of t's host, after the shell commands @setup.  Returns the kernel's
    release, its CPU count and, per scenario, the traces read (None when
    the tracing did not run)."""
    with open(os.path.join(build_dir(t), "yl_schedload"), "rb") as f:
        load = f.read()
    sh = "".join("%s='%s'\n" % (name, " ".join(th)) for name, th in SCENARIOS)
    sh += TRACE_SH % (setup, " ".join(str(r) for r in range(REPS)),
                      " ".join(n for n, _ in SCENARIOS), DUR_MS, WARM_MS)
    o = t.runs(Run("trace", [], shell=sh, timeout=600), files={"schedload": load})["trace"]
    if not check(o.rc == 0 and o.outdir, "schedload ran under tracing (exit %d)" % o.rc, o):
        return None, 0, None
    with open(os.path.join(o.outdir, "release")) as f:
        release = f.read().strip()
    with open(os.path.join(o.outdir, "ncpus")) as f:
        ncpus = int(f.read().strip())
    traces = {}
    for name, th in SCENARIOS:
        traces[name] = []
        for r in range(REPS):
            with open(os.path.join(o.outdir, "%s.%d.txt" % (name, r))) as f:
                kern, window_ms = distance.kernel_side(f.read(), len(th))
            check(abs(window_ms - DUR_MS) < 0.2 * DUR_MS,
                  "%s #%d: the marked window is %.0f ms (asked %d)" % (name, r, window_ms,
                                                                       DUR_MS))
            check(all(v[0] > 0 for v in kern.values()),
                  "%s #%d: every thread ran on the kernel's CPU 0" % (name, r))
            traces[name].append(kern)
    return release, ncpus, traces


@case
def sched_trace(t):
    bd = build_dir(t)
    release, ncpus, traces = trace_scenarios(t)
    if traces is None:
        return
    worst = 0.0
    for name, th in SCENARIOS:
        model, preset = distance.model_side(os.path.join(bd, "yl_replay"), None, DUR_MS,
                                            WARM_MS, th, release=release, ncpus=ncpus)
        for r, kern in enumerate(traces[name]):
            rows, dshare, _ = distance.compare(kern, model, th)
            print("  %s #%d: largest share distance %.2f pp (%s)" % (
                name, r, dshare, ", ".join("%.2f" % x["kernel_share_pct"] for x in rows)))
        kern = distance.median_of(traces[name])
        rows, dshare, dks = distance.compare(kern, model, th)
        print(distance.table(rows, dshare, dks, "  %s, median of %d traces, kernel %s, "
                             "preset %s" % (name, REPS, release, preset)))
        worst = max(worst, dshare)
    print("  sched_trace: largest per-thread share distance %.2f pp (goal %.1f: %s)"
          % (worst, SHARE_GOAL_PP, "met" if worst <= SHARE_GOAL_PP else "NOT met"))
    check(worst <= SHARE_BOUND_PP, "every thread's CPU share within %.1f pp of the kernel's"
          % SHARE_BOUND_PP)
