#!/usr/bin/env python3
"""The distance between the real kernel's schedule and sched/'s.

The kernel side is an ftrace text trace (sched_switch, and schedload's
"yl-start"/"yl-stop" marks) of schedload's threads on CPU 0; the model
side is yl_replay running the same threads with a preset.  Per thread:
its share of the CPU time the threads got inside the marked window, and
the distribution of its run lengths (time on the CPU between two
switches, runs wholly inside the window).  Two numbers sum it up: the
largest share difference, in percentage points, and the largest
Kolmogorov-Smirnov distance between the two run-length distributions.

    distance.py --trace FILE --replay yl_replay --preset P -d MS -w MS THREAD...
"""
import argparse
import json
import re
import statistics
import subprocess
import sys

SWITCH = re.compile(r"\[(\d+)\].*?\s(\d+\.\d+): sched_switch: prev_comm=(\S+) .*?"
                    r"==> next_comm=(\S+) ")
# a kernel without kallsyms (kernel/emuhost.config) prints the marker's
# address where others print tracing_mark_write
MARK = re.compile(r"\s(\d+\.\d+): (?:tracing_mark_write|0x[0-9a-f]+): (yl-start|yl-stop)")


def kernel_side(text, n, cpu=0):
    """{name: (cpu_ns, [run_ns])} from an ftrace text trace of CPU @cpu."""
    names = ["ylt%d" % i for i in range(n)]
    start = stop = None
    for m in MARK.finditer(text):
        t = float(m.group(1))
        if m.group(2) == "yl-start":
            start = t
        else:
            stop = t
    if start is None or stop is None or stop <= start:
        raise ValueError("the trace lacks schedload's yl-start/yl-stop marks")
    cpu_ns = dict.fromkeys(names, 0.0)
    runs = {k: [] for k in names}
    on, since = None, None
    for m in SWITCH.finditer(text):
        if int(m.group(1)) != cpu:
            continue
        t, prev, nxt = float(m.group(2)), m.group(3), m.group(4)
        if on in cpu_ns and prev == on:
            a, b = max(since, start), min(t, stop)
            if b > a:
                cpu_ns[on] += (b - a) * 1e9
            if since >= start and t <= stop:
                runs[on].append((t - since) * 1e9)
        on, since = nxt, t
    if on in cpu_ns and since < stop:
        cpu_ns[on] += (stop - max(since, start)) * 1e9
    return {k: (cpu_ns[k], runs[k]) for k in names}, (stop - start) * 1e3


def model_side(replay, preset, dur, warm, specs, release=None, ncpus=1):
    """{name: (cpu_ns, [run_ns])} and the preset yl_replay used: @preset, or
    the one for kernel @release if that is given; @ncpus the traced
    machine's CPU count (the base slice scales with it)."""
    which = ["-r", release] if release else ["-p", preset]
    out = subprocess.run([replay] + which + ["-n", str(ncpus), "-d", str(dur),
                                             "-w", str(warm)] + specs,
                         capture_output=True, text=True, check=True).stdout
    js = json.loads(out)
    return {t["name"]: (float(t["cpu_ns"]), [float(x) for x in t["runs_ns"]])
            for t in js["threads"]}, js["preset"]


def median_of(reps):
    """Several traces of one scenario as one: each thread's median share
    (as its cpu_ns, in points) and every trace's runs."""
    out = {}
    for name in reps[0]:
        shares = [r[name][0] / (sum(v[0] for v in r.values()) or 1.0) * 100 for r in reps]
        out[name] = (statistics.median(shares), [x for r in reps for x in r[name][1]])
    return out


def ks(a, b):
    """Two-sample Kolmogorov-Smirnov statistic; 1 if either side is empty."""
    if not a or not b:
        return 1.0
    a, b = sorted(a), sorted(b)
    i = j = 0
    d = 0.0
    while i < len(a) and j < len(b):
        x = min(a[i], b[j])
        while i < len(a) and a[i] <= x:
            i += 1
        while j < len(b) and b[j] <= x:
            j += 1
        d = max(d, abs(i / len(a) - j / len(b)))
    return d


def pct(xs, q):
    if not xs:
        return 0.0
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def compare(kern, model, specs):
    """Rows per thread and the two distances."""
    kt = sum(v[0] for v in kern.values()) or 1.0
    mt = sum(v[0] for v in model.values()) or 1.0
    rows, dshare, dks = [], 0.0, 0.0
    for i, spec in enumerate(specs):
        name = "ylt%d" % i
        ks_, ms_ = kern[name][0] / kt * 100, model[name][0] / mt * 100
        d = ks(kern[name][1], model[name][1])
        rows.append({"thread": name, "spec": spec, "kernel_share_pct": ks_,
                     "model_share_pct": ms_, "diff_pp": ms_ - ks_,
                     "kernel_runs": len(kern[name][1]), "model_runs": len(model[name][1]),
                     "kernel_run_p50_us": pct(kern[name][1], 0.5) / 1e3,
                     "model_run_p50_us": pct(model[name][1], 0.5) / 1e3,
                     "kernel_run_p90_us": pct(kern[name][1], 0.9) / 1e3,
                     "model_run_p90_us": pct(model[name][1], 0.9) / 1e3, "ks": d})
        dshare, dks = max(dshare, abs(ms_ - ks_)), max(dks, d)
    return rows, dshare, dks


def table(rows, dshare, dks, title):
    lines = ["%s" % title,
             "  %-5s %-20s %8s %8s %7s  %13s  %13s  %5s" % (
                 "", "thread", "kernel", "model", "diff", "run p50 k/m", "run p90 k/m", "KS")]
    for r in rows:
        lines.append("  %-5s %-20s %7.2f%% %7.2f%% %+6.2fpp  %6.0f/%-6.0f  %6.0f/%-6.0f  %.2f" % (
            r["thread"], r["spec"], r["kernel_share_pct"], r["model_share_pct"], r["diff_pp"],
            r["kernel_run_p50_us"], r["model_run_p50_us"], r["kernel_run_p90_us"],
            r["model_run_p90_us"], r["ks"]))
    lines.append("  distance: CPU share %.2f pp (largest), run lengths KS %.2f (largest)"
                 % (dshare, dks))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--trace", required=True)
    ap.add_argument("--replay", required=True)
    ap.add_argument("--preset", default="6.12.63")
    ap.add_argument("-d", type=int, default=2000)
    ap.add_argument("-w", type=int, default=200)
    ap.add_argument("-n", type=int, default=1, help="the traced machine's CPU count")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("threads", nargs="+")
    a = ap.parse_args()
    with open(a.trace) as f:
        kern, _ = kernel_side(f.read(), len(a.threads))
    model, _ = model_side(a.replay, a.preset, a.d, a.w, a.threads, ncpus=a.n)
    rows, dshare, dks = compare(kern, model, a.threads)
    if a.json:
        json.dump({"rows": rows, "share_pp": dshare, "runs_ks": dks}, sys.stdout, indent=1)
    else:
        print(table(rows, dshare, dks, "preset %s" % a.preset))
    return 0


if __name__ == "__main__":
    sys.exit(main())
