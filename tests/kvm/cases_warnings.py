"""KVM cases: runs that compared nothing say so (warnings[]), benchmarks
write JSON that follows the schema.  Each warning's threshold is unit-tested
in tests/unit/test_warn.c; here real runs show they reach it."""
import csv
import os
import shlex
import subprocess

from harness import *  # noqa: F401,F403
from harness import CG_SETUP, Run, case, check, expected_vendor


def warning_ids(js):
    return [w["id"] for w in js["warnings"]] if js else None


@case
def warnings(t):
    never = str(2 ** 31)        # --spin-threshold no waiter reaches in 300 ms
    res = t.runs(
        Run("no_hints", ["run", "--sched", "coop", "--policy", "handoff", "--duration", "300",
                         "--json", "@JSON@"]),
        Run("yield_unused", ["run", "--pv", "yield", "--spin-threshold", never,
                             "--duration", "300", "--json", "@JSON@"]),
        Run("halt_unused", ["run", "--pv", "halt", "--spin-threshold", never,
                            "--duration", "300", "--quiet", "--json", "@JSON@"]),
        # four busy loops on the vCPUs' pCPU: 2 of 6 runnable tasks are
        # vCPUs, so they run a third of its time (the warning is at a half)
        Run("starved", [], timeout=120, shell=(
            "for i in 1 2 3 4; do taskset -c 0 sh -c 'while :; do :; done' & done;"
            " @YL@ run --vcpus 2 --pcpus 0 --duration 500 --json @JSON@; rc=$?;"
            " kill $(jobs -p); exit $rc")),
        # weights 1 and 10000: VM 0 mostly waits while VM 1 runs; where VM 0's
        # phase starts (its first slice) is up to the host, so it may wait
        # through part of VM 1's.  The run's own threads held the pCPU all
        # along, so no VM is starved: the warning counts the VMs together
        Run("setup", [], shell=CG_SETUP + " echo OK=1"),
        Run("weights", ["run", "--vms", "2", "--vcpus", "2", "--pcpus", "0", "--duration", "500",
                        "--cgroup", "yltest", "--cpu-weight", "1,10000", "--json", "@JSON@"],
            timeout=180),
        Run("compared", ["run", "--sched", "coop", "--policy", "handoff", "--pv", "yield",
                         "--spin-threshold", "64", "--duration", "300", "--json", "@JSON@"]),
        Run("handoff", ["bench", "handoff", "--duration", "300", "--json", "@JSON@"], timeout=180))
    o = res["no_hints"]
    check(o.rc == 0 and warning_ids(o.json) == ["no_hints"]
          and "warning: --policy handoff received no spin hint" in o.out,
          "coop policy without --pv yield: exit 0, warning no_hints in the table and the JSON", o)
    o = res["yield_unused"]
    check(o.rc == 0 and "pv_unused" in warning_ids(o.json) and o.json["result"]["yields"] == 0
          and "warning: --pv yield: no waiter yielded" in o.out,
          "--pv yield that never yielded: warning pv_unused", o)
    o = res["halt_unused"]
    check(o.rc == 0 and "pv_unused" in warning_ids(o.json) and o.out == ""
          and "yieldlab: warning: --pv halt: no waiter halted" in o.err,
          "--pv halt that never halted, --quiet: warning pv_unused on stderr and in the JSON", o)
    o = res["starved"]
    check(o.rc == 0 and "starved" in warning_ids(o.json),
          "2 vCPUs beside 4 busy loops on one pCPU: warning starved: %s"
          % (o.json and o.json["warnings"]), o)
    o = res["weights"]
    js = o.json
    check(o.rc == 0 and js and len(js["vms"]) == 2
          and not any(w["id"] == "starved" for w in js["warnings"]),
          "two VMs with cpu.weight 1 and 10000, each alone while it ran: no starved warning: %s"
          % (js and js["warnings"]), o)
    o = res["compared"]
    check(o.rc == 0 and "no_hints" not in warning_ids(o.json)
          and o.json["coop"]["outcomes"]["honoured"] > 0,
          "coop handoff with --pv yield --spin-threshold 64 acted on hints: no no_hints warning", o)
    o = res["handoff"]
    js = o.json
    check(o.rc == 0 and js and js["coop"]["p10_ns"] <= js["coop"]["p50_ns"] <= js["coop"]["p90_ns"]
          and abs(js["ratio"] - js["coop"]["p50_ns"] / js["futex_pingpong"]["floor_ns"]) < 1e-3 * js["ratio"]
          and "median of the last" in o.out,
          "bench handoff --json: the ratio is of medians, p10 <= p50 <= p90", o)


SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NOTHING = ("no_hints", "pv_unused", "no_credit")   # the warnings that say so


def readme_examples():
    """The README's Examples block, one argument list per command."""
    text = open(os.path.join(SRC, "README.md")).read()
    block = text.split("## Examples", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    cmds, cur = [], ""
    for line in block.splitlines():
        line = line.split(" #", 1)[0].rstrip()
        if line.endswith("\\"):
            cur += line[:-1] + " "
            continue
        cur += line
        if cur.strip():
            cmds.append(shlex.split(cur))
        cur = ""
    return cmds


def help_examples(yieldlab):
    """The examples `yieldlab help` prints."""
    out = subprocess.run([yieldlab, "help"], capture_output=True, text=True).stdout
    part = out.split("examples:\n", 1)[1].split("\n\n", 1)[0]
    return [shlex.split(ln) for ln in part.splitlines() if ln.startswith("  yieldlab ")]


def as_test(args):
    """An example as the suite runs it: --strict (a run that compared
    nothing exits 7), its JSON where the suite reads it; compare with 2
    rounds of 1 s into @OUT@ (the warnings are the runs')."""
    a = list(args[1:])
    if a and a[0] in ("run", "sim"):
        if "--json" in a:
            a[a.index("--json") + 1] = "@JSON@"
        else:
            a += ["--json", "@JSON@"]
        return a + ["--strict"]
    if a and a[0] == "compare":
        for opt, val in (("--reps", "2"), ("--duration", "1000")):
            if opt in a:
                a[a.index(opt) + 1] = val
            else:
                a += [opt, val]
        return a + ["--out", "@OUT@", "--yes"]
    return a


def margin(js):
    """How far a run was from a compared-nothing warning: its yields,
    halts and (lag-credit) credits, which the warnings need above 0."""
    if not js or "result" not in js and "vms" not in js:
        return "-"
    vms = js.get("vms", [js])
    coop = js.get("coop") or vms[0].get("coop") or {}
    return "yields %d, halts %d, credits %s" % (
        sum(v["result"]["yields"] for v in vms), sum(v["result"]["halts"] for v in vms),
        coop.get("credit", {}).get("credits", "-"))


@case
def examples(t):
    """Every README and `yieldlab help` example runs and compares what it
    is for (issue 25, item 8): exit 0, and none of its runs warns that it
    compared nothing.  A host where an example cannot run at all may
    refuse it up front: exit 3, one line (kvm_pvm's stalling hypercalls).
    my.slice, the README's cgroup, is made first, as on a systemd host."""
    cmds = readme_examples() + help_examples(t.host.yieldlab)
    check(len(cmds) >= 10, "README and help give %d examples" % len(cmds))
    # only where /sys/fs/cgroup is cgroup2: on a v1 (hybrid) host it is a tmpfs,
    # where these writes would make files, and --cgroup is refused anyway
    # (a cgroup2 root has cgroup.controllers; busybox's stat names no cgroup2fs)
    runs = [Run("setup", [], shell="[ ! -e /sys/fs/cgroup/cgroup.controllers ] || { " +
                CG_SETUP.replace("yltest", "my.slice") + " }; echo OK=1")]
    for k, c in enumerate(cmds):
        runs.append(Run("ex%02d" % k, as_test(c), timeout=600))
    res = t.runs(*runs)
    pvm = expected_vendor(t) == "kvm_pvm"
    for k, c in enumerate(cmds):
        o, what = res["ex%02d" % k], " ".join(c)
        if pvm and o.rc == 3:
            check(len(o.err.strip().splitlines()) == 1, "%s: refused, one line" % what, o)
            continue
        print("  %s: %s" % (what, margin(o.json)))
        warned = [w["id"] for w in (o.json or {}).get("warnings", []) if w["id"] in NOTHING]
        if o.outdir:
            with open(os.path.join(o.outdir, "runs.csv")) as f:
                warned += [w for r in csv.DictReader(f) for w in r["warnings"].split()
                           if w in NOTHING]
        check(o.rc == 0 and not warned,
              "%s: exit %d, compared-nothing warnings %s" % (what, o.rc, warned), o)
