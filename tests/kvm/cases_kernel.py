"""KVM cases on a host kernel of ours: linux-source-6.12 with the series of
kernel/series, built by kernel/build.sh and booted in the emulated host."""
from harness import *  # noqa: F401,F403
from harness import case_on_kernel, check

DBG = "/sys/kernel/debug/sched"
KNOBS = {"yield_credit_curr": "1", "yield_credit_pct": "25", "yield_credit_depth": "4",
         "yield_credit_resched_ns": "6000000"}
# the counters' names, as sched/yield_credit lists them (patch 0004)
COUNTERS = ("yields", "cross_rq", "credits", "levels", "curr_task", "curr_group",
            "queued_task", "queued_group", "curr_skipped", "eligible", "credit_ns",
            "resched", "resched_limited")


def counters(out):
    """sched/yield_credit's "name value" lines."""
    got = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in COUNTERS and parts[1].lstrip("-").isdigit():
            got[parts[0]] = int(parts[1])
    return got


def delta(before, after):
    return {k: after[k] - before[k] for k in COUNTERS}


def kvm_sum(js, name):
    return sum(v["kvm"][name] for v in js["vcpus"] if v["kvm"] is not None)


def snapshot(name):
    return Run(name, [], shell="cat %s/yield_credit" % DBG)


@case_on_kernel("patched")
def kernel_lag_credit(t):
    """The series in a real kernel: every directed yield reaches the patched
    yield_to_task_fair(); with the feature it credits, without it nothing."""
    # 4 vCPUs on one pCPU: yielder and target always share the run queue,
    # the case where the credit acts (patch 5); no pause exits, so every
    # yield_to() is a PV sched-yield KVM counts as directed_yield_successful
    common = ["run", "--vcpus", "4", "--pcpus", "0", "--duration", "1500",
              "--lock", "ticket", "--pv", "yield", "--pause-exits", "off",
              "--json", "@JSON@"]
    res = t.runs(
        Run("knobs", [], shell="for f in %s; do echo $f=$(cat %s/$f); done;"
            " echo FEATS=$(cat %s/features)" % (" ".join(KNOBS), DBG, DBG)),
        snapshot("c0"),
        Run("on", common),
        snapshot("c1"),
        Run("off", common + ["--sched-feature", "NO_YIELD_TO_LAG_CREDIT"]),
        snapshot("c2"),
        Run("after", [], shell="echo FEATS=$(cat %s/features)" % DBG))
    o = res["knobs"]
    for k, v in KNOBS.items():
        check(field(o.out, k) == v, "knob %s is the cover letter's default %s (got %s)"
              % (k, v, field(o.out, k)), o)
    feats = field(o.out, "FEATS") or ""
    check(feat_on(feats, "YIELD_TO_LAG_CREDIT"), "YIELD_TO_LAG_CREDIT is on by default", o)
    snaps = [counters(res[n].out) for n in ("c0", "c1", "c2")]
    check(all(len(c) == len(COUNTERS) for c in snaps),
          "sched/yield_credit lists all %d counters" % len(COUNTERS), res["c0"])
    on, off = delta(snaps[0], snaps[1]), delta(snaps[1], snaps[2])
    for name, d in (("on", on), ("off", off)):
        assert_lock_run(res[name], 4, "feature %s" % name)
        print("  feature %s: kernel %s" % (name, d))
    ok_on = kvm_sum(res["on"].json, "directed_yield_successful")
    ok_off = kvm_sum(res["off"].json, "directed_yield_successful")
    check(ok_on > 0 and ok_off > 0, "both runs made directed yields (KVM: %d, %d)"
          % (ok_on, ok_off))
    # counts that must be equal: each successful PV yield is one call of the
    # patched yield_to_task_fair(), and nothing else in the host yields to
    check(on["yields"] == ok_on,
          "feature on: the kernel saw %d yields == KVM's directed_yield_successful %d"
          % (on["yields"], ok_on))
    check(on["cross_rq"] == 0, "one pCPU: no cross-rq yield (%d)" % on["cross_rq"])
    check(on["credits"] > 0 and on["levels"] >= on["credits"],
          "feature on: %d credits over %d levels" % (on["credits"], on["levels"]))
    check(on["levels"] == on["curr_task"] + on["curr_group"] + on["queued_task"]
          + on["queued_group"], "every credited level is current or queued, task or group")
    # yield_to() bails out for a running target: its task is never current
    check(on["curr_task"] == 0, "no credit to a current task entity (%d)" % on["curr_task"])
    check(on["resched"] + on["resched_limited"] == on["credits"],
          "each credit forced a resched or was rate limited: %d + %d == %d"
          % (on["resched"], on["resched_limited"], on["credits"]))
    check(all(v == 0 for v in off.values()),
          "feature off: the patched path does nothing (%s)" % off)
    # yieldlab reads the same counters around its own run: the same numbers
    lc_on, lc_off = res["on"].json["host"]["lag_credit"], res["off"].json["host"]["lag_credit"]
    check(lc_on is not None and lc_on["feature"] and lc_on["counters"] == on
          and lc_on["knobs"] == {"curr": 1, "pct": 25, "depth": 4, "resched_ns": 6000000},
          "run's JSON: feature on, the knobs, and the counters debugfs gave around it")
    check(lc_off is not None and not lc_off["feature"] and lc_off["counters"] == off,
          "run's JSON with NO_YIELD_TO_LAG_CREDIT: feature off, the same counters")
    check(res["on"].json["checks"]["kernel_yields"]["ok"] is True
          and res["off"].json["checks"]["kernel_yields"]["ok"] is None,
          "run's kernel_yields check: %s / %s" % (res["on"].json["checks"]["kernel_yields"]["detail"],
                                                 res["off"].json["checks"]["kernel_yields"]["detail"]))
    check(feat_on(field(res["after"].out, "FEATS") or "", "YIELD_TO_LAG_CREDIT"),
          "the feature is back on after the run that turned it off", res["after"])
