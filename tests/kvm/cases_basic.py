"""KVM cases: boot, locks, paravirt waiting, faults, watchdog, signals, bad input, bench, caps."""
import random

from harness import *  # noqa: F401,F403
from harness import case, check


@case
def boot_2v2p(t):
    res = t.runs(*[Run(lock, ["run", "--vcpus", "2", "--pcpus", "0-1", "--lock", lock,
                              "--duration", "300", "--json", "@JSON@"])
                   for lock in ("tas", "ticket")])
    for lock in ("tas", "ticket"):
        assert_lock_run(res[lock], 2, "2 vCPUs on 2 pCPUs, " + lock)
        check("mutual exclusion   ok" in res[lock].out, "%s: table printed" % lock)
        got = res[lock].json["host"]["kvm_module"]
        check(got == expected_vendor(t), "%s: JSON names the vendor module %s" % (lock, got))


@case
def lock_8v1p(t):
    res = t.runs(*[Run(lock, ["run", "--vcpus", "8", "--pcpus", "0", "--lock", lock,
                              "--duration", "400", "--json", "@JSON@"])
                   for lock in ("tas", "ticket")])
    for lock in ("tas", "ticket"):
        assert_lock_run(res[lock], 8, "8 vCPUs on 1 pCPU, " + lock)
        steal = sum(v["host_thread"]["wait_ns"] for v in vcpus(res[lock].json))
        check(steal > 0, "%s: 8:1 oversubscription shows run delay (steal) %d ns"
              % (lock, steal))


@case
def pv_yield_8v1p(t):
    res = t.runs(*[Run(lock, ["run", "--vcpus", "8", "--pcpus", "0", "--lock", lock,
                              "--pv", "yield", "--spin-threshold", "256",
                              "--duration", "500", "--json", "@JSON@"])
                   for lock in ("ticket", "tas")])
    for lock in ("ticket", "tas"):
        o = res[lock]
        assert_lock_run(o, 8, "pv yield 8:1 " + lock)
        guest = sum(v["guest"]["yields"] for v in vcpus(o.json))
        att = sum(v["kvm"]["directed_yield_attempted"] for v in vcpus(o.json))
        succ = sum(v["kvm"]["directed_yield_successful"] for v in vcpus(o.json))
        check(guest > 0, "%s: guest issued %d yield hypercalls" % (lock, guest))
        check(att == guest, "%s: KVM directed_yield_attempted %d == guest yields %d"
              % (lock, att, guest))
        check(succ <= att, "%s: directed_yield_successful %d <= attempted %d"
              % (lock, succ, att))
        check(o.json["checks"]["directed_yield"]["ok"] is True,
              "%s: yieldlab's own cross-check agrees" % lock)


@case
def locks_pv_4v1p(t):
    """Every lock x --pv none|yield|halt at 4 vCPUs on 1 pCPU."""
    runs = [Run("%s-%s" % (lock, pv),
                ["run", "--vcpus", "4", "--pcpus", "0", "--lock", lock, "--pv", pv,
                 "--spin-threshold", "256", "--duration", "300", "--json", "@JSON@"])
            for lock in LOCKS for pv in ("none", "yield", "halt")]
    res = t.runs(*runs)
    for lock in LOCKS:
        for pv in ("none", "yield", "halt"):
            label = "%s --pv %s" % (lock, pv)
            o = res["%s-%s" % (lock, pv)]
            assert_lock_run(o, 4, label)
            js = o.json
            halts, kicks, yields = (guest_sum(js, f) for f in ("halts", "kicks", "yields"))
            for v in vcpus(js):
                check(v["guest"]["halts"] == v["kvm"]["halt_exits"],
                      "%s: vCPU %d guest HLTs %d == KVM halt_exits %d"
                      % (label, v["index"], v["guest"]["halts"], v["kvm"]["halt_exits"]))
            check(kvm_sum(js, "hypercalls") == yields + kicks,
                  "%s: KVM hypercalls %d == guest yields %d + kicks %d"
                  % (label, kvm_sum(js, "hypercalls"), yields, kicks))
            check(kvm_sum(js, "directed_yield_attempted") == yields + kicks,
                  "%s: KVM directed_yield_attempted == yields + kicks" % label)
            for c in ("directed_yield", "hypercalls", "halt_exits"):
                check(js["checks"][c]["ok"] is True, "%s: yieldlab's %s check ok" % (label, c))
            if pv == "none":
                check(halts == kicks == yields == 0, "%s: no paravirt action" % label)
            if pv == "yield":
                check(halts == kicks == 0, "%s: yields only, no halts or kicks" % label)
            if pv == "halt":
                check(yields == 0 and halts > 0 and kicks > 0,
                      "%s: waiters halted %d times and were kicked %d times"
                      % (label, halts, kicks))


@case
def guest_fault(t):
    res = t.runs(Run("fault", ["run", "--vcpus", "2", "--pcpus", "0", "--workload",
                               "fault", "--json", "@JSON@"]))
    o = res["fault"]
    check(o.rc == 4, "a faulting guest exits with code 4", o)
    check("vector 14 (#PF)" in o.err and "cr2 0xdead0000000" in o.err,
          "stderr names the vector and the faulting address", o)
    check("rip 0x1" in o.err and "cr3 " in o.err, "RIP and a register dump are printed", o)
    v0 = vcpus(o.json)[0]
    check(v0["end"] == "fault" and o.json["result"]["status"] == "guest_fault",
          "JSON records the fault on vCPU 0")


@case
def watchdog(t):
    res = t.runs(
        Run("hang", ["run", "--vcpus", "2", "--pcpus", "0", "--workload", "hang",
                     "--timeout", "3", "--json", "@JSON@"], timeout=60),
        Run("long", ["run", "--vcpus", "4", "--pcpus", "0", "--duration", "600000",
                     "--timeout", "4", "--json", "@JSON@"], timeout=60),
        Run("knobs", [], timeout=60, shell=(
            CG_SETUP + " echo BEFORE=$(cat %s); @YL@ run --vcpus 2 --pcpus 0 --duration 600000"
            " --timeout 3 --cgroup yltest --sample-ms 100 %s >/dev/null 2>/tmp/e; echo RC=$?;"
            " echo \"ERR=$(cat /tmp/e)\";"
            " echo AFTER=$(cat %s); echo RECORDS=$(ls /run/yieldlab 2>/dev/null)%s"
            % (FEATS, " ".join(TOGGLE), FEATS, CG_LEFT))))
    o = res["knobs"]
    check(field(o.out, "RC") == "5" and field(o.out, "BEFORE") == field(o.out, "AFTER")
          and not field(o.out, "RECORDS") and not field(o.out, "CGROUPS"),
          "watchdog stop with sched features, --cgroup and --sample-ms: exit 5, features"
          " restored, cgroups gone, no record (stderr: %s)" % field(o.out, "ERR"), o)
    o = res["hang"]
    check(o.rc == 5, "a guest that spins forever is stopped by --timeout (exit 5)", o)
    check("watchdog" in o.err, "stderr says the watchdog stopped it", o)
    check(all(v["guest"]["spins"] > 0 and v["end"] == "stopped" for v in vcpus(o.json)),
          "partial statistics: every vCPU shows the spinning it did")
    o = res["long"]
    check(o.rc == 5 and not o.json["result"]["complete"], "long lock run stopped by watchdog", o)
    check(sum(v["guest"]["ops"] for v in vcpus(o.json)) > 0,
          "partial lock statistics: %s ops" % [v["guest"]["ops"] for v in vcpus(o.json)])
    check(o.json["checks"]["mutual_exclusion"]["ok"] is True,
          "partial run still passes the mutual-exclusion check")
    assert_io_exits_match(o.json, "watchdog")


@case
def signals(t):
    res = t.runs(*[Run(sig, ["run", "--vcpus", "4", "--pcpus", "0", "--duration", "600000",
                             "--json", "@JSON@"], signal=sig, delay=random.uniform(2.5, 5.0), timeout=60)
                   for sig in ("INT", "TERM")])
    for sig in ("INT", "TERM"):
        o = res[sig]
        check(o.rc == 130, "SIG%s: exit 130" % sig, o)
        check("vcpu" in o.out and "checks:" in o.out, "SIG%s: the table is still printed" % sig, o)
        check(o.json and o.json["result"]["status"] == "interrupted",
              "SIG%s: JSON written with status interrupted" % sig, o)
        check(sum(v["guest"]["ops"] for v in vcpus(o.json)) > 0,
              "SIG%s: what was measured is reported" % sig)


@case
def bad_invocations(t):
    # In a KVM host: every one of them, including KVM's own vCPU limit.
    res = t.runs(*[Run("bad%d" % i, a) for i, (a, _) in enumerate(BAD)], files=BAD_FILES)
    assert_bad(res, set(range(len(BAD))), "KVM host")
    # Without KVM at all, all but the KVM-limit ones still fail the same way:
    # they are caught before /dev/kvm is even opened, let alone a VM created.
    native = NativeHost(t.host.yieldlab, t.host.workdir)
    no_kvm = set(range(len(BAD)))
    env_res = native.run_all([Run("bad%d" % i, BAD[i][0]) for i in sorted(no_kvm)],
                             BAD_FILES)
    assert_bad(env_res, no_kvm, "no KVM needed")
    check(len(BAD) >= 10, "%d distinct bad invocations" % len(BAD))


@case
def bench_exits(t):
    res = t.runs(Run("bench", ["bench", "exits", "--exits", "2000", "--json", "@JSON@"],
                     timeout=300),
                 Run("run_exits", ["run", "--vcpus", "2", "--pcpus", "0", "--workload", "exits",
                                   "--duration", "200", "--json", "@JSON@"], timeout=120),
                 Run("bench_watchdog", ["bench", "exits", "--exits", "10000000", "--timeout", "3"],
                     timeout=120))
    o = res["bench_watchdog"]
    check(o.rc == 5 and "stopped by the watchdog" in o.err,
          "bench exits under a watchdog: rounds of 10^7 exits stopped by --timeout 3 (exit 5)", o)
    o = res["run_exits"]
    js = o.json
    check(o.rc == 0 and js["result"]["status"] == "ok" and js["result"]["complete"]
          and js["result"]["stopped_by"] == "guest"
          and all(v["guest"]["bench_exits"] > 0 for v in vcpus(js)),
          "run --workload exits ends after --duration, not by the watchdog: %s exits"
          % [v["guest"]["bench_exits"] for v in vcpus(js)] if js else "no JSON", o)
    o = res["bench"]
    check(o.rc == 0, "bench exits runs", o)
    js = o.json
    check(js and js["ratio"]["min"] <= js["ratio"]["median"] <= js["ratio"]["max"]
          and js["exits_per_round"] == 2000,
          "bench exits --json: per-round ratios, min <= median <= max", o)
    for key in ("bare KVM_RUN loop", "yieldlab run loop", "ratio yieldlab/bare",
                "one thread change costs"):
        check(key in o.out, "bench prints '%s'" % key, o)
    tc = js["thread_change"]
    check(tc["control_round_trip_ns"] > 0 and tc["moved_round_trip_ns"] > 0
          and abs(tc["cost_ns"] - (tc["moved_round_trip_ns"] - tc["control_round_trip_ns"]
                                   - js["bare"]["median_ns_per_exit"]) / 2)
          # the JSON carries 6 significant digits (yj_dbl's %.6g): past 1 ms a
          # round trip is rounded by up to 5 ns, as slow emulated boots show
          < max(1, 1e-5 * tc["moved_round_trip_ns"]),
          "bench exits: a KVM_RUN from a new thread, measured against its control: %.0f ns"
          % tc["cost_ns"], o)
    # what sim --calibrate takes: the guest's own timings, a spin iteration
    # (a PAUSE at least) and an op (at least one PAUSE-free lock round trip)
    check(js["guest_pause_ns"] and js["guest_pause_ns"] > 0 and js["guest_op_ns"]
          and js["guest_op_ns"] > 0 and "the guest's spin loop" in o.out,
          "bench exits: the guest timed its spin loop (%s ns) and an op (%s ns)"
          % (js.get("guest_pause_ns"), js.get("guest_op_ns")), o)
    print(o.out)


@case
def caps(t):
    res = t.runs(Run("caps", ["caps", "--json", "@JSON@"]),
                 Run("pv_yield", ["run", "--vcpus", "2", "--pcpus", "0", "--pv", "yield",
                                  "--duration", "200", "--timeout", "20"]))
    o = res["pv_yield"]
    if expected_vendor(t) == "kvm_pvm":
        check(o.rc == 3 and "KVM_HC_SCHED_YIELD stalls" in o.err and
              len(o.err.strip().splitlines()) == 1,
              "a host-mode --pv yield run is refused up front, one line, exit 3", o)
    else:
        check(o.rc == 0, "a host-mode --pv yield run passes the hypercall check", o)
    o = res["caps"]
    check(o.rc == 0, "caps exits 0 on a KVM host", o)
    kvm = o.json["kvm"] if o.json else {}
    check(kvm.get("available") is True and kvm.get("vendor_module") == expected_vendor(t)
          and kvm["caps"]["irqchip"] > 0 and kvm["pv_features"]["pv_sched_yield"] is True,
          "caps --json: typed facts under snake_case keys (vendor %s)" % expected_vendor(t), o)
    # kvm_amd and kvm_intel return from every hypercall; kvm_pvm stalls (issue 25, item 7)
    want = "stalls" if expected_vendor(t) == "kvm_pvm" else "returns"
    check(kvm.get("hypercalls") == {"sched_yield": want, "kick_cpu": want, "send_ipi": want},
          "caps: each KVM hypercall probed in a throw-away VM: %s" % kvm.get("hypercalls"), o)
    check(o.json and isinstance(o.json["host"]["kvm_exit_tracepoint"], bool) and
          o.json["host"]["cgroup2_mount"], "caps: the cgroup v2 mount and the tracepoint", o)
    check("KVM_CAP_IRQCHIP" in o.out and "PV_SCHED_YIELD" in o.out,
          "caps lists KVM capabilities and PV features", o)
    check("sched/features" in o.out, "caps reports the scheduler features", o)
    line = [ln for ln in o.out.splitlines() if "vendor module" in ln]
    check(len(line) == 1 and line[0].split()[2] == expected_vendor(t),
          "caps names the vendor module %s" % expected_vendor(t), o)
    print(o.out)
