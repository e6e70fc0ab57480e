"""KVM cases: runs that compared nothing say so (warnings[]), benchmarks
write JSON that follows the schema.  Each warning's threshold is unit-tested
in tests/unit/test_warn.c; here real runs show they reach it."""
from harness import *  # noqa: F401,F403
from harness import case, check


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
