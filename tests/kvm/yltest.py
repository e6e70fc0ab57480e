#!/usr/bin/env python3
"""KVM integration tests for yieldlab.

Every case runs real KVM: directly where /dev/kvm works, otherwise inside the
emulated KVM host of shared/DESIGN.md (QEMU TCG with nested SVM, a Debian 6.12
kernel that loads kvm_amd, a busybox initramfs carrying the yieldlab binary).
If neither can run, the case fails: it is never skipped.

A case declares its yieldlab invocations, gets back exit code, stdout, stderr
and parsed JSON for each, and asserts on them.  In the emulated host all runs
of a case share one boot.
"""
import argparse
import json
import os
import random
import re
import statistics
import sys
import time
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "scripts"))
from emuhost import (EmulatedHost, Failure, NativeHost, Outcome, Run,  # noqa: E402
                     kvm_vendor, pick_host)

CASES = {}


def check(cond, what, outcome=None):
    if not cond:
        raise Failure(what + ("\n" + repr(outcome) if outcome is not None else ""))
    print("  ok: " + what)


def case(fn):
    CASES[fn.__name__] = fn
    return fn


class Tester:
    def __init__(self, host):
        self.host = host

    def runs(self, *runs, files=None):
        res = self.host.run_all(list(runs), files or {})
        for name, o in res.items():
            print("  run %s: exit %d" % (name, o.rc))
        return res


# --------------------------------------------------------------- helpers
def expected_vendor(t):
    """The emulated host loads kvm_amd; natively, what /sys/module shows."""
    return "kvm_amd" if isinstance(t.host, EmulatedHost) else kvm_vendor()


def vcpus(js):
    return js["vcpus"]


def assert_lock_run(o, n, label):
    js = o.json
    check(o.rc == 0 and js is not None, "%s: exit 0 with JSON" % label, o)
    check(js["result"]["status"] == "ok" and js["result"]["complete"],
          "%s: status ok, every vCPU finished" % label, o)
    check(len(vcpus(js)) == n, "%s: %d vCPU records" % (label, n))
    ops = [v["guest"]["ops"] for v in vcpus(js)]
    # Per-vCPU ops are not spread evenly under every policy (a ticket lock
    # under --policy yield --target rr gave [12, 0, 11, 213, 211, 12, 0, 12]
    # with every vCPU at 0.93-1.07 of its CPU share): a vCPU with no op is
    # a statistic, reported by yieldlab as Jain's index, not a failure.
    fair = js["result"]["ops_fairness"]
    check(sum(ops) > 0 and fair["min"] == min(ops) and fair["max"] == max(ops)
          and abs(fair["jain"] - jain(ops)) < 1e-5,  # JSON prints 6 digits
          "%s: %d ops; yieldlab's spread matches its vCPUs: min %d max %d Jain %.3f %s"
          % (label, sum(ops), fair["min"], fair["max"], fair["jain"], ops))
    check(js["checks"]["mutual_exclusion"]["ok"] is True
          and js["result"]["shared_counter"] == sum(ops),
          "%s: mutual exclusion: shared counter %d == sum of ops %d"
          % (label, js["result"]["shared_counter"], sum(ops)))
    check(js["result"]["guest_check_ok"], "%s: the guest's own check passed" % label)
    assert_io_exits_match(js, label)


def jain(xs):
    """Jain's fairness index: 1 when all equal, 1/n when one has everything."""
    sq = sum(x * x for x in xs)
    return sum(xs) ** 2 / (len(xs) * sq) if sq else 1.0


def assert_io_exits_match(js, label):
    for v in vcpus(js):
        yl = v["exits"].get("io", {}).get("count", 0)
        check(v["kvm"] is not None and yl == v["kvm"]["io_exits"],
              "%s: vCPU %d port-I/O exits yieldlab %d == KVM io_exits %s"
              % (label, v["index"], yl, v["kvm"] and v["kvm"]["io_exits"]))
    check(js["checks"]["io_exits"]["ok"] is True, "%s: io_exits cross-check ok" % label)


# --------------------------------------------------------------- cases
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


LOCKS = ("tas", "ttas", "ticket", "mcs", "qspinlock")


def kvm_sum(js, stat):
    return sum(v["kvm"][stat] for v in vcpus(js))


def guest_sum(js, field):
    return sum(v["guest"][field] for v in vcpus(js))


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


def assert_ipi_run(o, n, label):
    """sent == received == acked, each vCPU sent and received, KVM agrees."""
    js = o.json
    check(o.rc == 0 and js is not None, "%s: exit 0 with JSON" % label, o)
    check(js["result"]["status"] == "ok" and js["result"]["complete"]
          and js["result"]["guest_check_ok"], "%s: status ok, the guest's checks passed" % label, o)
    check(len(vcpus(js)) == n, "%s: %d vCPU records" % (label, n))
    res = js["result"]
    check(res["ipi_sent"] > 0 and res["ipi_sent"] == res["ipi_received"] == res["ipi_acked"],
          "%s: sent %d == received %d == acked %d"
          % (label, res["ipi_sent"], res["ipi_received"], res["ipi_acked"]))
    check(js["checks"]["ipi"]["ok"] is True, "%s: yieldlab's IPI check ok" % label)
    ipi = [v["guest"]["ipi"] for v in vcpus(js)]
    # Per vCPU, like lock ops, sends and receipts are a statistic; their
    # sums are bound by construction.
    check(sum(i["sent"] for i in ipi) == res["ipi_sent"]
          and sum(i["received"] for i in ipi) == res["ipi_received"]
          and sum(i["interrupts"] for i in ipi) == res["ipi_interrupts"] > 0,
          "%s: per-vCPU sent/received add up to the totals, %d interrupts %s"
          % (label, res["ipi_interrupts"], [(i["sent"], i["received"]) for i in ipi]))
    yk = guest_sum(js, "yields") + guest_sum(js, "kicks") + res["ipi_yields"]
    if js.get("coop"):
        check(kvm_sum(js, "hypercalls") == 0 == kvm_sum(js, "directed_yield_attempted"),
              "%s: coop: KVM saw no hypercall and no directed yield" % label)
        assert_io_exits_match(js, label)
        return js, ipi
    check(kvm_sum(js, "hypercalls") == yk + res["ipi_hypercalls"],
          "%s: KVM hypercalls %d == guest yields+kicks %d + KVM_HC_SEND_IPI %d"
          % (label, kvm_sum(js, "hypercalls"), yk, res["ipi_hypercalls"]))
    check(kvm_sum(js, "directed_yield_attempted") == yk,
          "%s: KVM directed_yield_attempted == guest yields+kicks %d" % (label, yk))
    assert_io_exits_match(js, label)
    return js, ipi


@case
def ipi_4v1p(t):
    """Unicast and multicast, sync and async, via ICR and KVM_HC_SEND_IPI."""
    runs, combos = [], []
    for via in ("icr", "hypercall"):
        for wait in ("sync", "async"):
            for k in (1, 3):
                name = "%s-%s-%d" % (via, wait, k)
                combos.append((name, via, wait, k))
                runs.append(Run(name, ["run", "--vcpus", "4", "--pcpus", "0", "--workload", "ipi",
                                       "--ipi-via", via, "--ipi-wait", wait,
                                       "--ipi-targets", str(k), "--duration", "200",
                                       "--json", "@JSON@"]))
    # 18 vCPUs span two x2APIC clusters: one logical ICR write per cluster.
    runs.append(Run("clusters", ["run", "--vcpus", "18", "--pcpus", "0", "--workload", "ipi",
                                 "--ipi-targets", "17", "--duration", "200", "--json", "@JSON@"]))
    # Long critical sections, so that lock waiters pass the threshold
    # (and halt, with interrupts on: the safe_halt() path).
    # An IPI op waits for preempted targets (a timeslice each at 4:1), so
    # 200 lock ops go between IPI ops for lock holders to be preempted too.
    for pv in ("yield", "halt"):
        runs.append(Run("mixed-" + pv, ["run", "--vcpus", "4", "--pcpus", "0",
                                         "--workload", "mixed", "--pv", pv, "--cs", "20000",
                                         "--ipi-every", "200", "--spin-threshold", "256",
                                         "--ipi-targets", "2", "--duration", "300",
                                         "--json", "@JSON@"]))
    runs.append(Run("bad_targets", ["run", "--vcpus", "4", "--workload", "ipi",
                                    "--ipi-targets", "4"]))
    runs.append(Run("ipi_opt_alone", ["run", "--ipi-via", "hypercall"]))
    res = t.runs(*runs)
    for name, via, wait, k in combos:
        label = "ipi via %s, %s, %d target(s)" % (via, wait, k)
        js, ipi = assert_ipi_run(res[name], 4, label)
        ops = sum(i["ops"] for i in ipi)
        check(res[name].json["result"]["ipi_sent"] == k * ops,
              "%s: %d requests == %d ops x %d targets" % (label, js["result"]["ipi_sent"], ops, k))
        if via == "icr":
            # 4 vCPUs share x2APIC cluster 0: one write per op, unicast or not
            check(sum(i["icr_writes"] for i in ipi) == ops and js["result"]["ipi_hypercalls"] == 0,
                  "%s: one ICR write per op, no hypercall" % label)
        else:
            check(js["result"]["ipi_hypercalls"] == ops and sum(i["icr_writes"] for i in ipi) == 0
                  and sum(i["hypercalls_short"] for i in ipi) == 0,
                  "%s: one KVM_HC_SEND_IPI per op, each reached all %d targets" % (label, k))
        check(js["result"]["ipi_yields"] == 0, "%s: --pv none: no yield to a target" % label)
        rtt = sum(sum(i["rtt_hist_log2_cycles"]) for i in ipi)
        dlv = sum(sum(i["delivery_hist_log2_cycles"]) for i in ipi)
        check(rtt == (ops if wait == "sync" else 0),
              "%s: round-trip histogram holds %d samples (ops %d)" % (label, rtt, ops))
        check(dlv == js["result"]["ipi_received"],
              "%s: delivery histogram holds one sample per request (%d)" % (label, dlv))
    js, ipi = assert_ipi_run(res["clusters"], 18, "18 vCPUs, 17 targets")
    ops = sum(i["ops"] for i in ipi)
    writes = sum(i["icr_writes"] for i in ipi)
    check(writes == 2 * ops, "18 vCPUs: two logical ICR writes (clusters 0 and 1) per op: %d == 2 x %d"
          % (writes, ops))
    for pv in ("yield", "halt"):
        label = "mixed lock+IPI, --pv " + pv
        o = res["mixed-" + pv]
        assert_lock_run(o, 4, label)
        js, ipi = assert_ipi_run(o, 4, label)
        for v in vcpus(js):
            check(v["guest"]["halts"] == v["kvm"]["halt_exits"],
                  "%s: vCPU %d guest HLTs %d == KVM halt_exits %d"
                  % (label, v["index"], v["guest"]["halts"], v["kvm"]["halt_exits"]))
        if pv == "yield":
            # kvm_smp_send_call_func_ipi(): 4 vCPUs on 1 pCPU, targets are preempted
            check(js["result"]["ipi_yields"] > 0,
                  "%s: senders yielded %d times to preempted targets"
                  % (label, js["result"]["ipi_yields"]))
        else:
            check(guest_sum(js, "halts") > 0 and guest_sum(js, "kicks") > 0,
                  "%s: lock waiters halted %d times with interrupts on, kicked %d times"
                  % (label, guest_sum(js, "halts"), guest_sum(js, "kicks")))
    o = res["bad_targets"]
    check(o.rc == 2 and "--ipi-targets 4: allowed 1 to 3" in o.err and len(o.err.splitlines()) == 1,
          "--ipi-targets above vCPUs-1: exit 2, one line", o)
    o = res["ipi_opt_alone"]
    check(o.rc == 2 and "only with --workload ipi|mixed" in o.err,
          "--ipi-via without an IPI workload: exit 2", o)


class VmOutcome:
    """One VM of a --vms run, shaped like a single-VM outcome for the asserts."""

    def __init__(self, o, js):
        self.rc, self.out, self.err, self.json = o.rc, o.out, o.err, js

    def __repr__(self):
        return "VM of: %r" % self.__dict__


@case
def vms_2(t):
    """--vms 2: two guests share one pCPU; each passes its own checks."""
    res = t.runs(
        Run("lock", ["run", "--vms", "2", "--vcpus", "2", "--pcpus", "0", "--pv", "yield",
                     "--spin-threshold", "256", "--duration", "300", "--json", "@JSON@"]),
        Run("mixed", ["run", "--vms", "2", "--vcpus", "2", "--pcpus", "0", "--workload", "mixed",
                      "--duration", "300", "--json", "@JSON@"]),
        Run("too_many", ["run", "--vms", "17"]))
    for name in ("lock", "mixed"):
        o = res[name]
        js = o.json
        check(o.rc == 0 and js is not None and len(js.get("vms", [])) == 2,
              "--vms 2 %s: exit 0, two VM records" % name, o)
        comb = js["combined"]
        check(comb["status"] == "ok" and comb["vms"] == 2 and comb["exit_code"] == 0,
              "--vms 2 %s: combined status ok" % name)
        ops = [vm["result"]["ops"] for vm in js["vms"]]
        check(comb["ops"] == sum(ops), "--vms 2 %s: combined ops %d == %s" % (name, comb["ops"], ops))
        for k, vm in enumerate(js["vms"]):
            vo = VmOutcome(o, vm)
            label = "--vms 2 %s, VM %d" % (name, k)
            assert_lock_run(vo, 2, label)
            if name == "mixed":
                assert_ipi_run(vo, 2, label)
            steal = sum(v["host_thread"]["wait_ns"] for v in vm["vcpus"])
            check(steal > 0, "%s: its vCPUs waited for the shared pCPU (%d ns)" % (label, steal))
        check("== combined: 2 VMs on the same pCPUs, status ok ==" in o.out,
              "--vms 2 %s: combined summary printed" % name)
    o = res["too_many"]
    check(o.rc == 2 and "--vms '17'" in o.err and "1 to 16" in o.err,
          "--vms 17: exit 2 naming the range", o)


AS_NOBODY = ("mkdir -p /etc; grep -q ^nobody: /etc/passwd 2>/dev/null ||"
             " echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >> /etc/passwd;"
             " grep -q ^nogroup: /etc/group 2>/dev/null || echo 'nogroup:x:65534:' >> /etc/group;"
             " chmod 666 /dev/kvm;")


@case
def privileges(t):
    """Missing capability named before any change; capabilities dropped after setup."""
    feats = "/sys/kernel/debug/sched/features"
    res = t.runs(
        Run("nobody_feature", [], shell=(
            AS_NOBODY + " echo BEFORE=$(cat %s);"
            " out=$(su -s /bin/sh nobody -c '@YL@ run --vcpus 1 --pcpus 0 --duration 50"
            " --sched-feature NO_RUN_TO_PARITY' 2>&1); echo RC=$?; echo \"ERR=$out\";"
            " echo AFTER=$(cat %s); echo RECORDS=$(ls /run/yieldlab 2>/dev/null)" % (feats, feats))),
        Run("nobody_plain", [], shell=(
            AS_NOBODY + " su -s /bin/sh nobody -c '@YL@ run --vcpus 2 --pcpus 0 --duration 100"
            " >/dev/null 2>&1'; echo RC=$?")),
        Run("root_threads", [], timeout=60, shell=(
            "@YL@ run --vcpus 2 --pcpus 0 --duration 600000 --sched-feature NO_RUN_TO_PARITY"
            " >/dev/null 2>&1 & p=$!; n=0;"
            " while [ $n -lt 1000 ] && [ $(ls /proc/$p/task 2>/dev/null | wc -l) -lt 3 ]; do"
            " sleep 0.01; n=$((n+1)); done; sleep 0.5;"
            " echo TASKS=$(ls /proc/$p/task | wc -l);"
            " for s in /proc/$p/task/*/status; do"
            " echo CAP=$(sed -n 's/^CapEff:[[:space:]]*//p' $s); done;"
            " echo FEATURE_SET=$(grep -o NO_RUN_TO_PARITY %s);"
            " kill -TERM $p; wait $p; echo RC=$?; echo AFTER=$(cat %s)" % (feats, feats))),
        Run("orig", [], shell="echo FEATS=$(cat %s)" % feats),
        Run("root_json", ["run", "--vcpus", "2", "--pcpus", "0", "--duration", "100",
                          "--sched-feature", "NO_RUN_TO_PARITY", "--json", "@JSON@"]))
    o = res["nobody_feature"]
    check(field(o.out, "RC") == "3" and "CAP_DAC_OVERRIDE" in o.out
          and "--sched-feature" in o.out,
          "as nobody, --sched-feature: exit 3 naming CAP_DAC_OVERRIDE: %s" % field(o.out, "ERR"), o)
    check(field(o.out, "BEFORE") == field(o.out, "AFTER") and not field(o.out, "RECORDS"),
          "as nobody, --sched-feature: host features untouched, no record", o)
    check(field(res["nobody_plain"].out, "RC") == "0",
          "as nobody with /dev/kvm access, a run without host knobs works", res["nobody_plain"])
    o = res["root_threads"]
    caps = [line[4:] for line in o.out.splitlines() if line.startswith("CAP=")]
    check(int(field(o.out, "TASKS") or 0) >= 3 and len(caps) >= 3,
          "root run: main and vCPU threads listed (%s)" % field(o.out, "TASKS"), o)
    check(all(int(c, 16) == 0 for c in caps),
          "root run after setup: every thread's CapEff is empty %s" % caps, o)
    check(field(o.out, "FEATURE_SET") == "NO_RUN_TO_PARITY", "root run: the feature was set", o)
    check(field(o.out, "RC") == "130" and field(o.out, "AFTER") == field(res["orig"].out, "FEATS"),
          "root run: SIGTERM, and features restored without any capability", o)
    js = res["root_json"].json
    c = js["config"]["capabilities"]
    check(res["root_json"].rc == 0 and c["at_start"] != "=" and c["after_setup"] == "=",
          "JSON records capabilities at start (%s) and after setup (%s)"
          % (c["at_start"], c["after_setup"]), res["root_json"])


def thread_status(cmd):
    """Shell: start CMD, wait for its threads, print each one's name and
    sandbox fields as T=comm:NoNewPrivs:Seccomp:CapBnd:CapEff, stop it."""
    return ("%s >/dev/null 2>/tmp/e & p=$!; n=0;"
            " while [ $n -lt 1000 ] && [ $(ls /proc/$p/task 2>/dev/null | wc -l) -lt 4 ]; do"
            " sleep 0.01; n=$((n+1)); done; sleep 1;"
            " for d in /proc/$p/task/*; do echo T=$(cat $d/comm):$(awk"
            " '/^NoNewPrivs|^Seccomp:|^CapBnd|^CapEff/ {printf \"%%s:\", $2}' $d/status); done;"
            " kill -INT $p; wait $p; echo RC=$?; echo \"ERR=$(cat /tmp/e)\"" % cmd)


@case
def sandbox(t):
    """After setup every thread has no_new_privs, a seccomp filter, an empty
    bounding set; no vCPU thread holds a capability; a forbidden call stops the run."""
    long_host = ("@YL@ run --vcpus 2 --pcpus 0 --duration 600000 --sample-ms 20"
                 " --sched-feature NO_RUN_TO_PARITY")
    long_coop = ("@YL@ run --sched coop --vcpus 3 --pcpus 0-1 --pv halt --policy handoff"
                 " --duration 600000 --sample-ms 20")
    res = t.runs(
        Run("host", [], timeout=60, shell=thread_status(long_host)),
        Run("coop", [], timeout=60, shell=thread_status(long_coop)),
        Run("off", [], timeout=60, shell=thread_status(long_host + " --seccomp off")),
        *[Run("probe_" + k, ["run", "--vcpus", "2", "--pcpus", "0", "--duration", "300",
                             "--sample-ms", "20", "--seccomp-probe", k, "--json", "@JSON@"],
              timeout=60) for k in ("vcpu", "sampler", "main")],
        Run("bench_probe", ["bench", "exits", "--exits", "200", "--seccomp-probe", "vcpu"],
            timeout=60),
        Run("bench_json", ["bench", "exits", "--vcpus", "2"]),
        Run("json", ["run", "--vcpus", "2", "--pcpus", "0", "--duration", "100",
                     "--json", "@JSON@"]))
    for name in ("host", "coop"):
        o = res[name]
        th = [line[2:].split(":") for line in o.out.splitlines() if line.startswith("T=")]
        check(len(th) >= 4 and field(o.out, "RC") == "130",
              "%s: %d threads listed, stopped cleanly" % (name, len(th)), o)
        # /proc/PID/status order: CapEff, CapBnd, NoNewPrivs, Seccomp
        for comm, eff, bnd, nnp, sec, _ in th:
            check(nnp == "1" and sec == "2" and int(bnd, 16) == 0,
                  "%s: thread %s: NoNewPrivs %s, Seccomp %s, CapBnd %s" % (name, comm, nnp, sec, bnd), o)
            if comm.startswith("yl-vcpu"):
                check(int(eff, 16) == 0, "%s: vCPU thread %s holds no capability" % (name, comm), o)
        check({c for c, *_ in th} >= {"yl-sampler", "yl-vcpu0"},
              "%s: the sampler and vCPU threads were among them" % name, o)
    o = res["off"]
    th = [line[2:].split(":") for line in o.out.splitlines() if line.startswith("T=")]
    check(th and all(sec == "0" and nnp == "1" for _, _, _, nnp, sec, _ in th),
          "--seccomp off: no filter (Seccomp 0), no_new_privs still", o)
    for k, comm in (("vcpu", "yl-vcpu"), ("sampler", "yl-sampler"), ("main", "yieldlab")):
        o = res["probe_" + k]
        check(o.rc == 6 and "made system call getppid" in o.err and "thread " + comm in o.err
              and "Failure" not in o.err,
              "--seccomp-probe %s: exit 6 naming getppid and the thread: %s"
              % (k, o.err.strip().splitlines()[-1] if o.err.strip() else ""), o)
        if k != "main":
            check(o.json and o.json["result"]["status"] == "seccomp_violation"
                  and o.json["result"]["stopped_by"] == "seccomp",
                  "--seccomp-probe %s: the JSON says seccomp stopped it" % k, o)
    o = res["bench_probe"]
    check(o.rc == 6 and "made system call getppid" in o.err,
          "bench exits locks itself down as a vCPU thread: exit 6 on a forbidden call", o)
    o = res["bench_json"]
    check(o.rc == 2 and "not an option of 'bench exits'" in o.err,
          "bench exits refuses options it does not use (exit 2): %s" % o.err.strip(), o)
    o = res["json"]
    check(o.rc == 0 and o.json["config"]["seccomp"] is True, "the JSON records seccomp on", o)


@case
def exit_reasons(t):
    """kvm:kvm_exit counted per vCPU by reason; equal to KVM's own statistics."""
    res = t.runs(
        Run("root", ["run", "--vcpus", "2", "--pcpus", "0", "--pv", "halt",
                     "--spin-threshold", "64", "--duration", "200", "--json", "@JSON@"]),
        Run("nobody", [], shell=(
            AS_NOBODY + " su -s /bin/sh nobody -c '@YL@ run --vcpus 2 --pcpus 0 --duration 100'"
            "; echo RC=$?")),
        Run("off", ["run", "--vcpus", "2", "--pcpus", "0", "--sched", "coop", "--pv", "yield",
                    "--policy", "handoff", "--spin-threshold", "64", "--duration", "200",
                    "--exit-tracepoint", "off", "--json", "@JSON@"]))
    o = res["off"]
    check(o.rc == 0 and all(v["kvm_exit_reasons"] is None for v in vcpus(o.json))
          and o.json["coop"]["exit_tracepoint_counters"] is False
          and "not counted: --exit-tracepoint off" in o.out
          and "with the kvm:kvm_exit counters on" not in o.out,
          "--exit-tracepoint off: nothing counted, the report says why", o)
    o = res["root"]
    js = o.json
    check(o.rc == 0 and js["checks"]["tracepoint_io_exits"]["ok"] is True,
          "root: tracepoint I/O cross-check ok: %s" % js["checks"]["tracepoint_io_exits"]["detail"], o)
    for v in vcpus(js):
        tp, kvm = v["kvm_exit_reasons"], v["kvm"]
        check(tp is not None and tp["total"] > 0, "vCPU %d: kvm_exit counted (%s)" % (v["index"], tp))
        io = tp.get("io", tp.get("IO_INSTRUCTION"))
        hlt = tp.get("hlt", tp.get("HLT"))
        hc = tp.get("hypercall", tp.get("VMCALL"))
        check(io == kvm["io_exits"], "vCPU %d: tracepoint io %d == KVM io_exits %d"
              % (v["index"], io, kvm["io_exits"]))
        check(hlt == kvm["halt_exits"] == v["guest"]["halts"],
              "vCPU %d: tracepoint hlt %d == KVM halt_exits %d == guest HLTs %d"
              % (v["index"], hlt, kvm["halt_exits"], v["guest"]["halts"]))
        check(hc == kvm["hypercalls"], "vCPU %d: tracepoint hypercall %d == KVM hypercalls %d"
              % (v["index"], hc, kvm["hypercalls"]))
        check(sum(x for k, x in tp.items() if k != "total") == tp["total"],
              "vCPU %d: reasons and other add up to the total %d" % (v["index"], tp["total"]))
    check(guest_sum(js, "halts") > 0, "root: the run halted (%d)" % guest_sum(js, "halts"))
    check("kernel-side exits (kvm:kvm_exit): " in o.out, "root: exit reasons printed", o)
    o = res["nobody"]
    check(field(o.out, "RC") == "0" and "kernel-side exits (kvm:kvm_exit): not counted:" in o.out
          and "tracepoint I/O     n/a" in o.out,
          "as nobody: the run works and says the tracepoint was not counted, and why", o)


FEATS = "/sys/kernel/debug/sched/features"
TOGGLE = ["--sched-feature", "NO_RUN_TO_PARITY", "--sched-feature", "NEXT_BUDDY"]
# A non-interactive shell starts background jobs with SIGINT ignored, so an
# INT sent before yieldlab has blocked it (to read it from its signalfd) is
# lost and the run ends normally; any other signal sent before that kills
# it before it changed anything.  The random delay therefore counts from
# the moment SigBlk shows HUP, INT, QUIT, ALRM and TERM (bits 0-2, 13, 14)
# blocked, which yieldlab does first thing.
STOP_SIGNALS = ("INT", "TERM", "HUP", "ALRM", "QUIT")
WAIT_BLOCKED = ("n=0; while [ $n -lt 500 ]; do"
                " m=$(sed -n 's/^SigBlk:[[:space:]]*//p' /proc/$p/status 2>/dev/null);"
                " [ -n \"$m\" ] && [ $((0x$m & 0x6007)) -eq $((0x6007)) ] && break;"
                " sleep 0.01; n=$((n+1)); done;")
CG = "/sys/fs/cgroup"
# A parent whose children may use the cpu controller, as on a systemd host.
CG_SETUP = ("echo +cpu > %s/cgroup.subtree_control; mkdir -p %s/yltest;"
            " echo +cpu > %s/yltest/cgroup.subtree_control;" % (CG, CG, CG))
CG_LEFT = "; echo CGROUPS=$(ls -d %s/yltest/yieldlab.* 2>/dev/null)" % CG
LONG = ("@YL@ run --vcpus 2 --pcpus 0 --duration 600000 --cgroup yltest " + " ".join(TOGGLE))


def field(out, key):
    for line in out.splitlines():
        if line.startswith(key + "="):
            return line[len(key) + 1:].strip()
    return None


def feat_on(listing, name):
    toks = listing.split()
    return name in toks if (name in toks or "NO_" + name in toks) else None


@case
def host_knobs(t):
    """Sched features restored on every exit path; per-VM halt polling and PAUSE exits."""
    random.seed()
    tail = ("; echo FEATS=$(cat %s); echo RECORDS=$(ls /run/yieldlab 2>/dev/null)" % FEATS
            + CG_LEFT)
    runs = [Run("orig", [], shell=CG_SETUP + "echo FEATS=$(cat %s)" % FEATS),
            Run("normal", ["run", "--vcpus", "2", "--pcpus", "0", "--duration", "200",
                           "--cgroup", "yltest", "--json", "@JSON@"] + TOGGLE),
            Run("after_normal", [], shell="echo FEATS=$(cat %s)" % FEATS + CG_LEFT),
            Run("unknown", ["run", "--sched-feature", "NO_SUCH_FEATURE_X"])]
    trials = [(sig, k, random.uniform(0.0, 1.5)) for sig in STOP_SIGNALS for k in range(20)]
    for sig, k, d in trials:
        runs.append(Run("%s%d" % (sig, k), [], timeout=30, shell=(
            "%s >/dev/null 2>&1 & p=$!; %s sleep %.3f; kill -%s $p; wait $p; echo RC=$?%s"
            % (LONG, WAIT_BLOCKED, d, sig, tail))))
    # SIGPIPE through a closed pipe: the reader is gone before the report.
    pipes = [(k, random.randint(50, 1500)) for k in range(20)]
    for k, ms in pipes:
        runs.append(Run("PIPE%d" % k, [], timeout=30, shell=(
            "{ %s; echo $? > /tmp/prc; } 2>/tmp/perr | true; echo RC=$(cat /tmp/prc);"
            " echo \"ERR=$(cat /tmp/perr)\"%s"
            % (LONG.replace("--duration 600000", "--duration %d" % ms).replace(
                " --cgroup", " --sample-ms 20 --cgroup"), tail))))
    runs.append(Run("kill", [], timeout=60, shell=(
        "%s >/dev/null 2>&1 & p=$!; sleep 2; kill -KILL $p; wait $p;"
        " echo KILLED=$(cat %s); echo LEFT=$(ls /run/yieldlab);"
        " echo KILLED_CG=$(ls -d /sys/fs/cgroup/yltest/yieldlab.*/vm0);"
        " @YL@ run --vcpus 1 --pcpus 0 --duration 50 >/dev/null; echo RC=$?%s"
        % (LONG, FEATS, tail))))
    # SIGKILL at random moments, set-up and restore included: the next
    # start puts back whatever the killed run had changed.
    kills = [(k, random.uniform(0.0, 1.5)) for k in range(20)]
    for k, d in kills:
        runs.append(Run("KILL%d" % k, [], timeout=60, shell=(
            "%s >/dev/null 2>&1 & p=$!; %s sleep %.3f; kill -KILL $p; wait $p;"
            " @YL@ run --vcpus 1 --pcpus 0 --duration 50 >/dev/null; echo RC=$?%s"
            % (LONG, WAIT_BLOCKED, d, tail))))
    for hp in ("0", "1000000000"):
        runs.append(Run("poll" + hp, ["run", "--vcpus", "4", "--pcpus", "0", "--lock", "ticket",
                                      "--pv", "halt", "--spin-threshold", "256",
                                      "--duration", "200", "--halt-poll-ns", hp,
                                      "--json", "@JSON@"]))
    runs.append(Run("pause_off", ["run", "--vcpus", "2", "--pcpus", "0", "--duration", "100",
                                  "--pause-exits", "off", "--json", "@JSON@"]))
    runs.append(Run("pause_on", ["run", "--pause-exits", "on"]))
    res = t.runs(*runs)

    orig = field(res["orig"].out, "FEATS")
    check(orig and feat_on(orig, "RUN_TO_PARITY") is not None
          and feat_on(orig, "NEXT_BUDDY") is not None,
          "host lists RUN_TO_PARITY and NEXT_BUDDY: %s" % orig, res["orig"])
    o = res["normal"]
    assert_lock_run(o, 2, "run with NO_RUN_TO_PARITY NEXT_BUDDY")
    sf = {f["name"]: f for f in o.json["config"]["sched_features"]}
    check(sf["RUN_TO_PARITY"]["set"] is False and sf["NEXT_BUDDY"]["set"] is True
          and sf["RUN_TO_PARITY"]["original"] == feat_on(orig, "RUN_TO_PARITY")
          and sf["NEXT_BUDDY"]["original"] == feat_on(orig, "NEXT_BUDDY"),
          "JSON records what was set and the originals")
    check(field(res["after_normal"].out, "FEATS") == orig, "normal run: features restored")
    check(o.json["cgroup"]["path"].startswith(CG + "/yltest/yieldlab.")
          and not field(res["after_normal"].out, "CGROUPS"),
          "normal run: its cgroup %s is gone" % o.json["cgroup"]["path"], res["after_normal"])
    o = res["unknown"]
    check(o.rc == 3 and "no such feature" in o.err and "allowed:" in o.err,
          "unknown feature: exit 3, names the allowed ones", o)
    for sig, k, d in trials:
        o = res["%s%d" % (sig, k)]
        check(field(o.out, "FEATS") == orig and not field(o.out, "RECORDS")
              and not field(o.out, "CGROUPS"),
              "SIG%s at %.2f s (rc %s): features back, cgroups gone, no record left"
              % (sig, d, field(o.out, "RC")), o)
        check(field(o.out, "RC") == "130", "SIG%s trial %d stopped the run cleanly (130)"
              % (sig, k), o)
    for k, ms in pipes:
        o = res["PIPE%d" % k]
        check(field(o.out, "FEATS") == orig and not field(o.out, "RECORDS")
              and not field(o.out, "CGROUPS") and field(o.out, "RC") == "0"
              and "writing the report to stdout: Broken pipe" in field(o.out, "ERR"),
              "stdout a closed pipe, %d ms run: exit 0, EPIPE said, features back, cgroups"
              " gone, no record" % ms, o)
    o = res["kill"]
    killed = field(o.out, "KILLED")
    check(killed != orig and feat_on(killed, "RUN_TO_PARITY") is False
          and feat_on(killed, "NEXT_BUDDY") is True,
          "SIGKILLed run left its features set: %s" % killed, o)
    check(field(o.out, "LEFT") and field(o.out, "KILLED_CG"),
          "and its cgroups (%s) and crash-safety record" % field(o.out, "KILLED_CG"), o)
    check(field(o.out, "RC") == "0" and field(o.out, "FEATS") == orig
          and not field(o.out, "RECORDS") and not field(o.out, "CGROUPS"),
          "the next start restored them, removed the cgroups and the record", o)
    check("removed cgroup %s left by killed run" % field(o.out, "KILLED_CG") in o.err,
          "the next start said so on stderr", o)
    want = "restored sched feature %sRUN_TO_PARITY left by killed run" % (
        "" if feat_on(orig, "RUN_TO_PARITY") else "NO_")
    check(want in o.err, "the next start said so on stderr: %r" % want, o)
    for k, d in kills:
        o = res["KILL%d" % k]
        check(field(o.out, "RC") == "0" and field(o.out, "FEATS") == orig
              and not field(o.out, "RECORDS") and not field(o.out, "CGROUPS"),
              "SIGKILL at %.2f s: the next start put features back, removed cgroups and"
              " the record" % d, o)
    p0, p1 = res["poll0"], res["poll1000000000"]
    for o in (p0, p1):
        assert_lock_run(o, 4, "pv halt with --halt-poll-ns")
    a0, a1 = kvm_sum(p0.json, "halt_attempted_poll"), kvm_sum(p1.json, "halt_attempted_poll")
    h1 = guest_sum(p1.json, "halts")
    check(a0 == 0, "--halt-poll-ns 0: KVM halt_attempted_poll %d == 0" % a0)
    check(h1 > 0 and a1 > 0, "--halt-poll-ns 1000000000: %d halts, KVM polled %d times" % (h1, a1))
    o = res["pause_off"]
    assert_lock_run(o, 2, "--pause-exits off")
    check(o.json["config"]["pause_exits"] == "off", "JSON records pause_exits off")
    o = res["pause_on"]
    check(o.rc == 3 and "--pause-exits on" in o.err and len(o.err.strip().splitlines()) == 1,
          "--pause-exits on where PLE is off: exit 3, one line: %s" % o.err.strip(), o)


SAME = "--sched-feature NO_RUN_TO_PARITY"
WAIT_RECORD = ("n=0; while [ $n -lt 1000 ] && kill -0 $a 2>/dev/null &&"
               " ! ls /run/yieldlab/$a.*.restore >/dev/null 2>&1; do sleep 0.01; n=$((n+1)); done;")


@case
def concurrent_runs(t):
    """Two runs that set features overlap: one lock orders them, the host ends as it began."""
    random.seed()
    tail = ("; echo FEATS=$(cat %s); echo RECORDS=$(ls /run/yieldlab 2>/dev/null)" % FEATS
            + CG_LEFT)
    runs = [Run("orig", [], shell=CG_SETUP + "echo FEATS=$(cat %s)" % FEATS)]
    trials = [(k, random.choice(STOP_SIGNALS), random.uniform(0.0, 1.0),
               random.randint(50, 800)) for k in range(20)]
    for k, sig, d, ms in trials:
        # A and B start together and both want NO_RUN_TO_PARITY: the lock
        # gives it to one, the other is refused (exit 3) or runs after.
        # C asks for it while A holds it.  D sets another feature beside A.
        runs.append(Run("t%d" % k, [], timeout=60, shell=(
            "@YL@ run --vcpus 2 --pcpus 0 --duration 600000 --cgroup yltest %s"
            " >/dev/null 2>&1 & a=$!;"
            " @YL@ run --vcpus 1 --pcpus 1 --duration %d %s --sched-feature NEXT_BUDDY"
            " >/dev/null 2>/tmp/b.err & b=$!; %s"
            " if ls /run/yieldlab/$a.*.restore >/dev/null 2>&1; then echo A_HELD=1;"
            " @YL@ run --vcpus 1 --pcpus 1 --duration 50 %s >/dev/null 2>/tmp/c.err;"
            " echo C_RC=$?; echo \"C_ERR=$(cat /tmp/c.err)\";"
            " @YL@ run --vcpus 1 --pcpus 1 --duration %d --cgroup yltest"
            " --sched-feature NO_PLACE_LAG >/dev/null 2>/tmp/d.err & d=$!; fi;"
            " sleep %.3f; kill -%s $a; wait $a; echo A_RC=$?; wait $b; echo B_RC=$?;"
            " [ -n \"$d\" ] && { wait $d; echo D_RC=$?; }; echo A_PID=$a;"
            " echo \"B_ERR=$(cat /tmp/b.err)\"; echo \"D_ERR=$(cat /tmp/d.err 2>/dev/null)\"%s"
            % (SAME, ms, SAME, WAIT_RECORD, SAME, ms, d, sig, tail))))
    res = t.runs(*runs)
    orig = field(res["orig"].out, "FEATS")
    check(orig and feat_on(orig, "PLACE_LAG") is not None, "host lists PLACE_LAG: %s" % orig)
    held = 0
    for k, sig, d, ms in trials:
        o = res["t%d" % k]
        a, b = field(o.out, "A_RC"), field(o.out, "B_RC")
        check(field(o.out, "FEATS") == orig and not field(o.out, "RECORDS")
              and not field(o.out, "CGROUPS"),
              "trial %d (SIG%s at %.2f s, B %d ms; A %s, B %s, C %s, D %s): the host ends as"
              " it began, no record, no cgroup" % (k, sig, d, ms, a, b, field(o.out, "C_RC"),
                                                   field(o.out, "D_RC")), o)
        check(a in ("130", "3") and b in ("0", "3") and (a, b) != ("3", "3"),
              "trial %d: A and B did not both lose the feature (A %s, B %s)" % (k, a, b), o)
        if b == "3":
            check("holds it" in field(o.out, "B_ERR"), "trial %d: B refused, naming the holder: %s"
                  % (k, field(o.out, "B_ERR")), o)
        if field(o.out, "A_HELD") == "1":
            held += 1
            check(field(o.out, "C_RC") == "3" and "run %s holds it" % field(o.out, "A_PID")
                  in field(o.out, "C_ERR"),
                  "trial %d: C refused while A holds the feature: %s"
                  % (k, field(o.out, "C_ERR")), o)
            check(field(o.out, "D_RC") == "0",
                  "trial %d: D set another feature beside A and ended ok %s"
                  % (k, field(o.out, "D_ERR")), o)
    check(held > 0, "A won the feature in %d of %d trials" % (held, len(trials)))


@case
def state_dir(t):
    """A misconfigured state directory, planted by an unprivileged user, steers no root run."""
    plant = (AS_NOBODY + " rm -rf /run/yieldlab /tmp/elsewhere; mkdir -m 777 /run/yieldlab;"
             " chmod 777 /run/yieldlab; echo precious > /tmp/victim; chmod 666 /tmp/victim;"
             " su -s /bin/sh nobody -c 'cd /run/yieldlab && mkfifo 99999.restore &&"
             " ln -s %s 99998.restore && ln -s /tmp/victim 99997.123.restore &&"
             " printf \"sched_feature RUN_TO_PARITY 0\\n\" > 99996.restore'; echo PLANTED=$?;"
             % FEATS)
    after = ("; echo AFTER=$(cat %s); echo VICTIM=$(cat /tmp/victim);"
             " echo LEFT=$(ls /run/yieldlab | tr '\\n' ' ')" % FEATS)
    res = t.runs(
        Run("ww", [], timeout=60, shell=(
            plant + " echo BEFORE=$(cat %s); timeout 30 @YL@ run --vcpus 1 --pcpus 0 --duration 50"
            " --sched-feature NO_NEXT_BUDDY >/dev/null 2>/tmp/e; echo RC=$?;"
            " echo \"ERR=$(cat /tmp/e)\"; timeout 30 @YL@ run --vcpus 1 --pcpus 0 --duration 50"
            " >/dev/null 2>/tmp/e2; echo PLAIN_RC=$?; echo \"PLAIN_ERR=$(cat /tmp/e2)\"" % FEATS
            + after)),
        Run("not_root", [], timeout=60, shell=(
            " rm -rf /run/yieldlab; mkdir -m 700 /run/yieldlab; chown 65534 /run/yieldlab;"
            " timeout 30 @YL@ run --vcpus 1 --pcpus 0 --duration 50 --sched-feature NO_NEXT_BUDDY"
            " >/dev/null 2>/tmp/e; echo RC=$?; echo \"ERR=$(cat /tmp/e)\"")),
        Run("symlink", [], timeout=60, shell=(
            " rm -rf /run/yieldlab; mkdir -m 700 /tmp/elsewhere; ln -s /tmp/elsewhere /run/yieldlab;"
            " timeout 30 @YL@ run --vcpus 1 --pcpus 0 --duration 50 --sched-feature NO_NEXT_BUDDY"
            " >/dev/null 2>/tmp/e; echo RC=$?; echo \"ERR=$(cat /tmp/e)\";"
            " echo ELSEWHERE=$(ls /tmp/elsewhere); rm /run/yieldlab")),
        Run("clean", [], timeout=60, shell=(
            " rm -rf /run/yieldlab; @YL@ run --vcpus 1 --pcpus 0 --duration 50"
            " --sched-feature NO_NEXT_BUDDY >/dev/null; echo RC=$?;"
            " echo MODE=$(stat -c %a /run/yieldlab)")))
    o = res["ww"]
    check(field(o.out, "PLANTED") == "0", "nobody planted a FIFO, symlinks and a record", o)
    check(field(o.out, "RC") == "3" and "mode 0777" in field(o.out, "ERR")
          and len(field(o.out, "ERR").splitlines()) == 1,
          "world-writable state directory: a run with --sched-feature is refused (exit 3): %s"
          % field(o.out, "ERR"), o)
    check(field(o.out, "PLAIN_RC") == "0" and "warning:" in field(o.out, "PLAIN_ERR"),
          "a run that changes nothing still runs, with one warning: %s" % field(o.out, "PLAIN_ERR"), o)
    check(field(o.out, "BEFORE") == field(o.out, "AFTER") and field(o.out, "VICTIM") == "precious"
          and field(o.out, "LEFT").split() == ["99996.restore", "99997.123.restore",
                                               "99998.restore", "99999.restore"],
          "nothing written, deleted or hung on: features, the link's target and the planted"
          " files are as they were", o)
    o = res["not_root"]
    check(field(o.out, "RC") == "3" and "owner uid 65534" in field(o.out, "ERR"),
          "a state directory owned by another user: exit 3: %s" % field(o.out, "ERR"), o)
    o = res["symlink"]
    check(field(o.out, "RC") == "3" and "not a symlink" in field(o.out, "ERR")
          and not field(o.out, "ELSEWHERE"),
          "a symlinked state directory: exit 3, nothing written where it points: %s"
          % field(o.out, "ERR"), o)
    o = res["clean"]
    check(field(o.out, "RC") == "0" and field(o.out, "MODE") == "700",
          "without them, a run makes the directory 0700 and works", o)


@case
def outputs(t):
    """--json: checked before the run, complete or absent, never through a symlink."""
    res = t.runs(
        Run("link", [], shell=(
            "echo precious > /tmp/victim; ln -sf /tmp/victim /tmp/out.json;"
            " @YL@ run --vcpus 1 --pcpus 0 --duration 50 --json /tmp/out.json >/dev/null;"
            " echo RC=$?; echo VICTIM=$(cat /tmp/victim);"
            " [ -L /tmp/out.json ] && echo LINK=yes || echo LINK=no;"
            " echo LEFT=$(ls -a /tmp | grep -c '^\\.out'); cat /tmp/out.json")),
        Run("nodir", [], shell=(
            "s=$(date +%s); @YL@ run --vcpus 1 --pcpus 0 --duration 600000"
            " --json /nonexistent/dir/x.json 2>/tmp/e; echo RC=$?; echo \"ERR=$(cat /tmp/e)\";"
            " echo SECS=$(( $(date +%s) - s ))")),
        Run("isdir", ["run", "--json", "/tmp"]))
    o = res["link"]
    body = o.out[o.out.index("{"):] if "{" in o.out else ""
    check(field(o.out, "RC") == "0" and field(o.out, "VICTIM") == "precious"
          and field(o.out, "LINK") == "no" and field(o.out, "LEFT") == "0"
          and json.loads(body)["result"]["status"] == "ok",
          "--json over a symlink: the link replaced by the result, its target untouched,"
          " no temporary file left", o)
    o = res["nodir"]
    check(field(o.out, "RC") == "2" and "cannot create a file in /nonexistent/dir"
          in field(o.out, "ERR") and int(field(o.out, "SECS")) < 5,
          "--json in a missing directory: exit 2 at once, before the run: %s"
          % field(o.out, "ERR"), o)
    o = res["isdir"]
    check(o.rc == 2 and "is a directory" in o.err, "--json naming a directory: exit 2", o)


def task_cgroups(pid_var):
    """Shell: each thread's name and cgroup, one CG= line per thread."""
    return (" for d in /proc/%s/task/*; do echo CG=$(cat $d/comm):$(sed -n 's/^0:://p' $d/cgroup);"
            " done;" % pid_var)


@case
def cgroups(t):
    """--cgroup/--cpu-weight: threads placed, weights felt, checks, errors, all removed."""
    long_run = ("@YL@ run --vms 2 --vcpus 2 --pcpus 0 --duration 600000 --cgroup yltest"
                " --cpu-weight 100,300 >/dev/null 2>&1 & p=$!; n=0;"
                " while [ $n -lt 1000 ] && [ $(ls /proc/$p/task 2>/dev/null | wc -l) -lt 5 ]; do"
                " sleep 0.01; n=$((n+1)); done; sleep 0.5;" + task_cgroups("$p") +
                " r=%s/yltest/yieldlab.$p; echo TYPE=$(cat $r/vm0/cgroup.type);"
                " echo RTYPE=$(cat $r/cgroup.type); echo W0=$(cat $r/vm0/cpu.weight);"
                " echo W1=$(cat $r/vm1/cpu.weight); echo PID=$p;"
                " kill -INT $p; wait $p; echo RC=$?; echo MINE=$(sed -n 's/^0:://p' /proc/self/cgroup)"
                % CG + CG_LEFT)
    res = t.runs(
        Run("setup", [], shell=CG_SETUP + " mkdir -p %s/nocpu; echo OK=1" % CG),
        Run("weights", ["run", "--vms", "2", "--vcpus", "2", "--pcpus", "0", "--duration", "1500",
                        "--cgroup", "yltest", "--cpu-weight", "100,400", "--json", "@JSON@"]),
        Run("long", [], timeout=60, shell=long_run),
        Run("absolute", ["run", "--vcpus", "2", "--pcpus", "0", "--duration", "100",
                         "--cgroup", CG + "/yltest", "--json", "@JSON@"]),
        Run("missing", ["run", "--cgroup", "no/such/parent"]),
        Run("not_cgroup", ["run", "--cgroup", "/tmp"]),
        Run("no_cpu", ["run", "--cgroup", "nocpu"]),
        Run("nobody", [], shell=(
            AS_NOBODY + " out=$(su -s /bin/sh nobody -c '@YL@ run --vcpus 1 --pcpus 0"
            " --duration 50 --cgroup yltest' 2>&1); echo RC=$?; echo \"ERR=$out\"" + CG_LEFT)),
        Run("after", [], shell="echo REST=$(ls %s/yltest | grep -c yieldlab)" % CG))
    check(field(res["setup"].out, "OK") == "1", "cgroup2 mounted, cpu enabled for yltest", res["setup"])

    o = res["weights"]
    js = o.json
    check(o.rc == 0 and js is not None and js["combined"]["status"] == "ok",
          "--vms 2 --cpu-weight 100,400: exit 0, status ok", o)
    use = []
    for k, vm in enumerate(js["vms"]):
        cg = vm["cgroup"]
        check(cg["path"].endswith("/vm%d" % k) and cg["cpu_weight"] == (100, 400)[k],
              "VM %d: cgroup %s, cpu.weight %d" % (k, cg["path"], cg["cpu_weight"]))
        check(vm["checks"]["cgroup_usage"]["ok"] is True,
              "VM %d: %s" % (k, vm["checks"]["cgroup_usage"]["detail"]))
        assert_lock_run(VmOutcome(o, vm), 2, "VM %d in its cgroup" % k)
        use.append(cg["usage_usec"])
    ratio = use[1] / max(use[0], 1)
    check(2.0 <= ratio <= 8.0,
          "weights 100:400 on one pCPU: CPU time %d us : %d us, ratio %.2f (4 expected)"
          % (use[0], use[1], ratio), o)
    check("cg_cpu_ms" in o.out, "the combined table shows each VM's cgroup CPU time", o)

    o = res["long"]
    pid = field(o.out, "PID")
    run = "/yltest/yieldlab." + pid
    cgs = [line[3:] for line in o.out.splitlines() if line.startswith("CG=")]
    vcpu_cgs = sorted(c.split(":", 1)[1] for c in cgs if c.startswith("yl-vcpu"))
    check(vcpu_cgs == sorted([run + "/vm0"] * 2 + [run + "/vm1"] * 2),
          "each VM's vCPU threads in its own cgroup: %s" % cgs, o)
    # KVM's per-VM worker (kvm-nx-lpage-recovery) starts from a vCPU thread's
    # first KVM_RUN and takes its cgroup: the VM's own work stays with the VM.
    check(all(c.split(":", 1)[1] == run for c in cgs if not c.startswith(("yl-vcpu", "kvm-")))
          and all(c.split(":", 1)[1] in (run + "/vm0", run + "/vm1")
                  for c in cgs if c.startswith("kvm-")),
          "yieldlab's other threads in the run's cgroup %s, KVM's workers with their VM" % run, o)
    check(field(o.out, "TYPE") == "threaded" and field(o.out, "RTYPE") == "domain threaded",
          "vm0 is threaded, the run's cgroup its threaded domain", o)
    check(field(o.out, "W0") == "100" and field(o.out, "W1") == "300", "cpu.weight 100 and 300 set", o)
    check(field(o.out, "RC") == "130" and not field(o.out, "CGROUPS"),
          "SIGINT: exit 130, the cgroups removed", o)

    o = res["absolute"]
    check(o.rc == 0 and o.json["config"]["cgroup_parent"] == CG + "/yltest"
          and o.json["cgroup"]["cpu_weight"] == 100 and o.json["checks"]["cgroup_usage"]["ok"],
          "an absolute parent works; default weight 100 recorded", o)
    for name, want in (("missing", "no/such/parent"), ("not_cgroup", "not a cgroup v2 directory"),
                       ("no_cpu", "cpu controller is not enabled")):
        o = res[name]
        check(o.rc == 3 and want in o.err and len(o.err.strip().splitlines()) == 1,
              "--cgroup %s: exit 3, one line: %s" % (name, o.err.strip()), o)
    o = res["nobody"]
    check(field(o.out, "RC") == "3" and "--cgroup" in o.out and "CAP_DAC_OVERRIDE" in o.out
          and not field(o.out, "CGROUPS"),
          "as nobody: exit 3 naming CAP_DAC_OVERRIDE, nothing created: %s" % field(o.out, "ERR"), o)
    check(field(res["after"].out, "REST") == "0", "no yieldlab cgroup left", res["after"])


def sampled_total(js_vcpu, ts, name):
    """What the per-interval rates add up to: last - first sample."""
    r = js_vcpu["rates_per_s"][name]
    return sum(x * (b - a) / 1000.0 for x, a, b in zip(r, ts, ts[1:]))


@case
def samples(t):
    """--sample-ms: io_uring monitor; rates add up to KVM's counts; one pCPU's worth of run time."""
    res = t.runs(
        Run("halt", ["run", "--vcpus", "4", "--pcpus", "0", "--pv", "halt", "--spin-threshold",
                     "256", "--duration", "400", "--sample-ms", "20", "--json", "@JSON@"]),
        Run("spin", ["run", "--vcpus", "4", "--pcpus", "0", "--duration", "400",
                     "--sample-ms", "25", "--json", "@JSON@"]),
        Run("vms", ["run", "--vms", "2", "--vcpus", "2", "--pcpus", "0", "--duration", "200",
                    "--sample-ms", "30", "--json", "@JSON@"]),
        Run("disabled", [], shell=(
            "echo 2 > /proc/sys/kernel/io_uring_disabled;"
            " @YL@ run --vcpus 2 --pcpus 0 --duration 50 --sample-ms 10 --sched-feature NEXT_BUDDY"
            " 2>/tmp/e; echo RC=$?; echo \"ERR=$(cat /tmp/e)\"; echo 0 > /proc/sys/kernel/io_uring_disabled;"
            " echo RECORDS=$(ls /run/yieldlab 2>/dev/null); echo FEATS=$(cat %s)" % FEATS)),
        Run("feats", [], shell="echo FEATS=$(cat %s)" % FEATS))
    o = res["halt"]
    assert_lock_run(o, 4, "--sample-ms 20, pv halt")
    s = o.json["samples"]
    ts = s["t_ms"]
    check(o.json["checks"]["samples"]["ok"] is True,
          "last sample = final KVM statistics: %s" % o.json["checks"]["samples"]["detail"], o)
    check(s["failed_reads"] == 0 and not s["truncated"], "no failed reads, not truncated")
    wall = o.json["result"]["wall_ms"]
    check(400 / 20 <= s["samples"] <= wall / 20 + 3,
          "%d samples in %.0f ms at 20 ms" % (s["samples"], wall))
    # Ticks are absolute: a late one is taken late, the overrun ones skipped,
    # so each sample but the final one falls in its own 20 ms slot.
    # (t_ms counts from the tick grid's origin, so slots are t // 20)
    slots = [int(x // 20) for x in ts[:-1]]
    check(all(b > a for a, b in zip(slots, slots[1:])) and ts[-1] > ts[-2],
          "samples ascend, one per 20 ms slot (slots %s)" % slots)
    for i, v in enumerate(s["vcpus"]):
        js_v = o.json["vcpus"][i]
        for name in ("halt_exits", "hypercalls", "exits"):
            total = sampled_total(v, ts, name)
            want = js_v["kvm"][name] - v["first"][name]
            check(abs(total - want) < 0.01,
                  "vCPU %d: %s rates add up to %.2f == KVM %d - first sample %d"
                  % (i, name, total, js_v["kvm"][name], v["first"][name]))
    check("time series: " in o.out and "halt_exits" in o.out.split("time series: ")[1],
          "the table has the time-series summary", o)

    o = res["spin"]
    assert_lock_run(o, 4, "--sample-ms 25, spinning")
    s = o.json["samples"]
    n = s["samples"] - 1
    pcpu = [sum(v["rates_per_s"]["host_run_ns"][k] for v in s["vcpus"]) / 1e9 for k in range(n)]
    ts = s["t_ms"]
    dt = [b - a for a, b in zip(ts, ts[1:])]
    inner = sorted(pcpu[1:-1])
    # The four schedstat reads of a tick land a little apart, so one
    # interval may show more than a pCPU; over the run it cannot.
    whole = sum(x * d for x, d in zip(pcpu[1:-1], dt[1:-1])) / sum(dt[1:-1])
    check(whole <= 1.05 and inner[-1] <= 1.5 and inner[len(inner) // 2] >= 0.5,
          "4 vCPU threads on 1 pCPU: their run time adds up to %.3f pCPU over the run"
          " (per interval median %.2f, max %.2f)" % (whole, inner[len(inner) // 2], inner[-1]))
    check(o.json["checks"]["samples"]["ok"] is True, "spin: samples check ok", o)

    o = res["vms"]
    check(o.rc == 0 and all(vm["checks"]["samples"]["ok"] is True and vm["samples"]["samples"] >= 5
                            for vm in o.json["vms"]),
          "--vms 2: each VM has its samples and their check passes", o)
    o = res["disabled"]
    check(field(o.out, "RC") == "3" and "io_uring" in field(o.out, "ERR")
          and "--sample-ms" in field(o.out, "ERR"),
          "io_uring disabled by sysctl: exit 3, one line: %s" % field(o.out, "ERR"), o)
    check(field(o.out, "FEATS") == field(res["feats"].out, "FEATS") and not field(o.out, "RECORDS")
          and "KVM_CREATE_VM" not in o.err, "and refused before anything on the host changed", o)


POLICIES = ("none", "yield", "forfeit", "lag-credit", "handoff")
TARGETS = ("hint", "rr", "ipi-pairs")
TP_PAIRS = 20
TP_LOW_RANK = 4		# sorted(pairs)[4], the 5th smallest: see coop()
TP_GOAL = 3.0
TP_FLOOR = 1.5
COOP_IPI = ["run", "--vcpus", "4", "--pcpus", "0", "--sched", "coop", "--workload", "ipi",
            "--duration", "300", "--json", "@JSON@"]
COOP = ["run", "--vcpus", "8", "--pcpus", "0-1", "--sched", "coop", "--lock", "ticket",
        "--spin-threshold", "256", "--json", "@JSON@"]


def assert_coop_run(o, label):
    assert_lock_run(o, 8, label)
    c = o.json["coop"]
    check(c["max_in_kvm_run"] <= 2 and o.json["checks"]["coop_one_per_pcpu"]["ok"] is True,
          "%s: at most %d vCPUs in KVM_RUN at once on 2 pCPUs" % (label, c["max_in_kvm_run"]))
    check(c["entries"] > 0 and c["entries_on_another_host_cpu"] == 0,
          "%s: all %d KVM_RUNs on the host CPU of the vCPU's sched/ CPU"
          % (label, c["entries"]))
    share = [v["service_ns"] / max(v["fair_share_ns"], 1.0) for v in c["vcpus"]]
    check(min(share) >= 0.5, "%s: every vCPU got >= half its fair share (min %.2f)"
          % (label, min(share)))
    # the same by the host's own account: each thread's schedstat run time
    hosts = [v["host_thread"] for v in vcpus(o.json)]
    run = [h["run_ns"] / max(v["fair_share_ns"], 1.0) for h, v in zip(hosts, c["vcpus"])
           if h.get("valid")]
    check(len(run) == len(hosts) and min(run) >= 0.5,
          "%s: by the host's schedstat too, every vCPU thread ran >= half its fair share"
          " (min %.2f)" % (label, min(run, default=0)))
    hints = sum(v["hints"] for v in c["vcpus"])
    check(hints == sum(v["guest"]["yields"] for v in vcpus(o.json)),
          "%s: the guest's %d spin hints all reached the scheduler" % (label, hints))
    return c


@case
def coop(t):
    """--sched coop: every policy x target at 8:2; decisions as sched/ predicts; halt/kick."""
    runs = [Run("%s_%s" % (p, g), COOP + ["--pv", "yield", "--duration", "400", "--policy", p,
                                          "--target", g], timeout=120)
            for p in POLICIES for g in TARGETS]
    # throughput: none and handoff interleaved, TP_PAIRS each, with critical
    # sections long enough (20 us) that a preempted holder, not the hand-off
    # itself, is what the waiters pay for: the regime directed yield is for.
    # Judged on the median of the pairs' ratios: the emulated host runs its
    # two CPUs on one TCG thread, which, both busy, switches between them
    # every 100 ms, and for stretches of several seconds the emulator runs
    # code-heavy paths about three times slower (system calls, wake-ups:
    # handoff runs lose up to two thirds of their ops, none runs, which
    # spin, a third).  Such a stretch spans two to four consecutive pairs,
    # whose ratios drop to 1.4-2.9x while the others give 3.6-5.5x; the
    # median of 14 pairs is what the policy does, the slow stretches are
    # not.
    runs += [Run("tp_%s_%d" % (p, k), COOP + ["--pv", "yield", "--duration", "1000",
                                             "--cs", "20000", "--policy", p], timeout=120)
             for k in range(TP_PAIRS) for p in ("none", "handoff")]
    runs += [Run("halt", COOP + ["--pv", "halt", "--duration", "400", "--policy", "forfeit"],
                 timeout=120),
             Run("bench", ["bench", "handoff", "--duration", "500"], timeout=120),
             Run("ipi_sync", COOP_IPI + ["--pv", "yield", "--policy", "handoff"], timeout=120),
             Run("ipi_pairs", COOP_IPI + ["--pv", "yield", "--policy", "forfeit",
                                          "--target", "ipi-pairs"], timeout=120),
             Run("ipi_multi", COOP_IPI + ["--pv", "yield", "--policy", "handoff",
                                          "--ipi-targets", "3", "--ipi-wait", "async"],
                 timeout=120),
             Run("mixed_halt", [a if a != "ipi" else "mixed" for a in COOP_IPI] +
                 ["--ipi-every", "50", "--cs", "20000", "--spin-threshold", "256",
                  "--pv", "halt", "--policy", "forfeit"], timeout=120),
             Run("ipi_via", ["run", "--sched", "coop", "--workload", "ipi", "--ipi-via",
                             "hypercall"]),
             Run("sigint", [], timeout=60, shell=(
                 "@YL@ run --sched coop --vcpus 4 --pcpus 0-1 --pv halt --policy handoff"
                 " --duration 600000 --sample-ms 50 >/dev/null 2>&1 & p=$!; %s sleep 1;"
                 " kill -INT $p; wait $p; echo RC=$?" % WAIT_BLOCKED)),
             Run("hang", ["run", "--sched", "coop", "--vcpus", "3", "--pcpus", "0",
                          "--workload", "hang", "--timeout", "3"], timeout=60),
             Run("two_vms", ["run", "--sched", "coop", "--vms", "2"]),
             Run("policy_host", ["run", "--policy", "handoff"])]
    res = t.runs(*runs)
    for p in POLICIES:
        for g in TARGETS:
            c = assert_coop_run(res["%s_%s" % (p, g)], "coop %s/%s" % (p, g))
            o = c["outcomes"]
            if p == "none":
                # rr/ipi-pairs may find no candidate at all: no_target, not ignored
                check(o["ignored"] + o["no_target"] == sum(o.values()) and o["ignored"] > 0,
                      "coop none/%s: every hint ignored or without a target %s"
                      % (g, {k: v for k, v in o.items() if v}))
            elif p == "yield":
                check(o["yielded"] > 0, "coop yield/%s: undirected yields %d" % (g, o["yielded"]))
            else:
                check(o["honoured"] > 0, "coop %s/%s: outcomes %s"
                      % (p, g, {k: v for k, v in o.items() if v}))
    d = res["forfeit_hint"].json["coop"]["decisions"]
    check(d["ineligible_at_pick"] > 0 and d["ineligible_at_pick_ran_next"] == 0,
          "forfeit: a buddy still ineligible at the pick is never run next (%d of %d)"
          % (d["ineligible_at_pick_ran_next"], d["ineligible_at_pick"]))
    d = res["lag-credit_hint"].json["coop"]["decisions"]
    check(d["honoured_ineligible"] > 0 and d["ineligible_ran_next"] == d["honoured_ineligible"],
          "lag-credit: a target ineligible when hinted is run next (%d of %d)"
          % (d["ineligible_ran_next"], d["honoured_ineligible"]))
    d = res["handoff_hint"].json["coop"]["decisions"]
    n = d["honoured_eligible"] + d["honoured_ineligible"]
    check(n > 0 and d["eligible_ran_next"] + d["ineligible_ran_next"] == n,
          "handoff: every honoured target on the yielder's CPU runs next (%d)" % n)
    ops = {p: [res["tp_%s_%d" % (p, k)].json["result"]["ops"] for k in range(TP_PAIRS)]
           for p in ("none", "handoff")}
    for k in range(TP_PAIRS):
        for p in ("none", "handoff"):
            assert_coop_run(res["tp_%s_%d" % (p, k)], "throughput %s #%d" % (p, k))
    ratio = sum(ops["handoff"]) / max(sum(ops["none"]), 1)
    pairs = [h / max(n, 1) for h, n in zip(ops["handoff"], ops["none"])]
    median = statistics.median(pairs)
    out = {p: sum((Counter(res["tp_%s_%d" % (p, k)].json["coop"]["outcomes"])
                   for k in range(TP_PAIRS)),
                  Counter()) for p in ("none", "handoff")}
    # The claim "handoff beats none" is judged distribution-free: with 20
    # pairs, the 5th-smallest ratio is a one-sided 99.4% lower confidence
    # bound of the median (P[Bin(20, 1/2) <= 4] = 6196/2^20), and it must
    # exceed 1.  The emulator's slow stretches are not noise that pairing
    # cancels: in them handoff, which makes system calls, drops to a
    # quarter while none, which spins, keeps its ops.  The worst stretch
    # seen (a clean-clone CI run, 9 consecutive pairs of 14) gave ratios
    # 1.95 2.56 2.47 1.69 1.80 1.84 0.96 3.10 0.80: two of nine at or
    # below 1, median 1.84; the other pairs 3.6-4.8.  With 20 pairs the
    # 5th smallest tolerates a stretch over half of them (about two pairs
    # at or below 1 per nine), and the floor on the median, 1.5, stays
    # below the stretch's own median, so it holds even over all of them.
    # The 3x goal is printed, met or not, and not asserted.
    low = sorted(pairs)[TP_LOW_RANK]
    check(median >= TP_FLOOR and low > 1.0 and out["handoff"]["honoured"] > 0
          and out["none"]["ignored"] > 0,
          "handoff/hint reaches %.2f x the lock ops of none (floor %g; 3x goal %s), median of %d"
          " interleaved 1 s pairs, 99.4%% lower bound %.2f > 1 (pairs %s; %s vs %s ops),"
          " %.2f x summed; hints honoured %d under handoff, ignored %d under none"
          % (median, TP_FLOOR, "met" if median >= TP_GOAL else "NOT met", TP_PAIRS, low,
             " ".join("%.2f" % r for r in pairs), ops["handoff"], ops["none"], ratio,
             out["handoff"]["honoured"], out["none"]["ignored"]))
    ph = res["handoff_hint"].json["coop"]["handoff_phases"]
    check(ph["n"] > 0 and ph["decide_ns_mean"] > 0 and ph["wake_ns_mean"] > 0,
          "handoff: hand-off latency split into decide %d ns, wake %d ns, enter %d ns (%d)"
          % (ph["decide_ns_mean"], ph["wake_ns_mean"], ph["enter_ns_mean"], ph["n"]))
    o = res["halt"]
    c = assert_coop_run(o, "coop --pv halt")
    halts = sum(v["halts"] for v in c["vcpus"])
    check(halts > 0 and o.json["checks"]["halt_exits"]["ok"] is True,
          "coop --pv halt: %s" % o.json["checks"]["halt_exits"]["detail"])
    check(sum(v["kicks_received"] for v in c["vcpus"]) == sum(v["kicks_sent"] for v in c["vcpus"]),
          "coop --pv halt: every kick sent was received")
    o = res["bench"]
    m = re.search(r"futex ping-pong, 2 threads +([0-9.]+) ns.*\n.*KVM_RUN +([0-9.]+) ns/hand-off "
                  r"\(mean of ([0-9]+)", o.out)
    check(o.rc == 0 and m and float(m.group(1)) > 0 and int(m.group(3)) > 0
          and "ratio coop/futex" in o.out and "wake: wake call to the target" in o.out,
          "bench handoff measures both sides in one run", o)
    m = re.search(r"ping-pong, +([0-9.]+) us of work between hand-offs: wake ([0-9.]+) ns", o.out)
    check(m and float(m.group(1)) > 0 and float(m.group(2)) > 0
          and "ratio coop/busy ping-pong" in o.out,
          "bench handoff also measures the ping-pong at coop's pace", o)
    print(o.out)
    for name in ("ipi_sync", "ipi_pairs", "ipi_multi", "mixed_halt"):
        o = res[name]
        assert_ipi_run(o, 4, "coop " + name)
        c = o.json["coop"]
        check(o.json["checks"]["hypercalls"]["ok"] is True,
              "coop %s: %s" % (name, o.json["checks"]["hypercalls"]["detail"]))
        check(c["max_in_kvm_run"] <= 1, "coop %s: one vCPU in KVM_RUN at a time on 1 pCPU" % name)
        injected = sum(v["ipis_injected"] for v in c["vcpus"])
        check(injected == o.json["result"]["ipi_sent"],
              "coop %s: yieldlab injected %d MSIs for %d IPIs sent"
              % (name, injected, o.json["result"]["ipi_sent"]))
    for name in ("ipi_sync", "ipi_pairs"):
        pairs = res[name].json["coop"]["ipi_pairs"]
        check(len(pairs) == 4 and all(p["sender"] != p["receiver"] for p in pairs),
              "coop %s: ipi-pairs learnt each sender's receiver %s" % (name, pairs))
    o = res["ipi_pairs"].json["coop"]["outcomes"]
    check(o["honoured"] > 0, "coop ipi-pairs target choice: yields honoured (%d)" % o["honoured"])
    check(sum(v["halts"] for v in res["mixed_halt"].json["coop"]["vcpus"]) > 0
          and res["mixed_halt"].json["checks"]["halt_exits"]["ok"] is True,
          "coop mixed --pv halt: %s" % res["mixed_halt"].json["checks"]["halt_exits"]["detail"])
    o = res["ipi_via"]
    check(o.rc == 2 and "--ipi-via" in o.err, "coop with --ipi-via: exit 2: %s" % o.err.strip(), o)
    check(field(res["sigint"].out, "RC") == "130",
          "coop: SIGINT stops every vCPU thread, waiting or running (exit 130)", res["sigint"])
    o = res["hang"]
    check(o.rc == 5 and "watchdog" in o.err, "coop: the watchdog stops a hung guest (exit 5)", o)
    o = res["two_vms"]
    check(o.rc == 2 and "--vms 1" in o.err, "--sched coop --vms 2: exit 2: %s" % o.err.strip(), o)
    o = res["policy_host"]
    check(o.rc == 2 and "only with --sched coop" in o.err,
          "--policy in host mode: exit 2: %s" % o.err.strip(), o)


@case
def coop_smoke(t):
    """Coop's thread hand-offs under every mechanism, judged by yieldlab's own
    checks only: the case the sanitizer builds run (no timing is asserted)."""
    runs = [Run(p, COOP + ["--pv", "yield", "--duration", "300", "--policy", p,
                           "--sample-ms", "50"], timeout=300)
            for p in ("handoff", "lag-credit")]
    runs += [Run("halt", COOP + ["--pv", "halt", "--duration", "300", "--policy", "forfeit"],
                 timeout=300),
             Run("ipi", COOP_IPI + ["--pv", "yield", "--policy", "handoff", "--ipi-targets",
                                    "3", "--ipi-wait", "async"], timeout=300),
             Run("sigint", [], timeout=120, shell=(
                 "@YL@ run --sched coop --vcpus 4 --pcpus 0-1 --pv halt --policy handoff"
                 " --duration 600000 >/dev/null 2>/tmp/e & p=$!; %s sleep 2;"
                 " kill -INT $p; wait $p; echo RC=$?; echo \"ERR=$(cat /tmp/e)\"" % WAIT_BLOCKED))]
    res = t.runs(*runs)
    for name in ("handoff", "lag-credit", "halt", "ipi"):
        o = res[name]
        js = o.json
        check(o.rc == 0 and js is not None and js["result"]["status"] == "ok"
              and all(c["ok"] is not False for c in js["checks"].values())
              and "Sanitizer" not in o.err,
              "coop %s: exit 0, every check holds, no sanitizer report" % name, o)
    o = res["sigint"]
    check(field(o.out, "RC") == "130" and "Sanitizer" not in o.out,
          "coop stopped by SIGINT: exit 130, no sanitizer report", o)


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


BAD = [
    (["run", "--vcpus", "0"], "--vcpus '0'"),
    (["run", "--vcpus", "300"], "must be an integer from 1 to 256"),
    (["run", "--lock", "clh"], "allowed: tas|ticket|ttas|mcs|qspinlock"),
    (["run", "--pv", "spin"], "allowed: none|yield|halt"),
    (["run", "--sched-feature", "no_lower"], "allowed [NO_]NAME"),
    (["run", "--sched-feature", "A", "--sched-feature", "NO_A"], "given twice"),
    (["run", "--pause-exits", "maybe"], "allowed: kvm|on|off"),
    (["run", "--halt-poll-ns", "-1"], "from 0 to 1000000000"),
    (["run", "--pcpus", "60"], "not inside this process's CPU affinity"),
    (["run", "--pcpus", "0-x"], "CPU list"),
    (["run", "--duration", "-5"], "--duration '-5'"),
    (["run", "--cs", "-1"], "--cs '-1'"),
    (["run", "--think", "99999999999"], "--think"),
    (["run", "--timeout", "0"], "--timeout '0'"),
    (["run", "--guest", "/nonexistent/guest.bin"], "No such file"),
    (["run", "--guest", "/"], "not a regular file"),
    (["run", "--guest", "@DATA@/big.bin"], "allowed 1 to 1048576"),
    (["run", "--guest", "@DATA@/empty.bin"], "0 bytes"),
    (["run", "--frobnicate"], "unknown option"),
    (["run", "--json", "/nonexistent/dir/x.json"], "cannot create a file in /nonexistent/dir"),
    (["bench", "exits", "--sched-feature", "NO_X"], "not an option of 'bench exits'"),
    (["launch"], "command 'launch'"),
]
BAD_FILES = {"big.bin": b"\x90" * (1024 * 1024 + 1), "empty.bin": b""}


def assert_bad(res, names, where):
    for i, (args, needle) in enumerate(BAD):
        if i not in names:
            continue
        o = res["bad%d" % i]
        lines = o.err.strip().split("\n")
        check(o.rc == 2 and len(lines) == 1 and needle in lines[0] and o.out == "",
              "%s: %s -> exit 2, one line: %s" % (where, " ".join(args), lines[0]), o)


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
    res = t.runs(Run("bench", ["bench", "exits", "--exits", "2000"], timeout=300),
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
    for key in ("bare KVM_RUN loop", "yieldlab run loop", "ratio yieldlab/bare"):
        check(key in o.out, "bench prints '%s'" % key, o)
    print(o.out)


@case
def caps(t):
    res = t.runs(Run("caps", ["caps"]))
    o = res["caps"]
    check(o.rc == 0, "caps exits 0 on a KVM host", o)
    check("KVM_CAP_IRQCHIP" in o.out and "PV_SCHED_YIELD" in o.out,
          "caps lists KVM capabilities and PV features", o)
    check("sched/features" in o.out, "caps reports the scheduler features", o)
    line = [ln for ln in o.out.splitlines() if "vendor module" in ln]
    check(len(line) == 1 and line[0].split()[2] == expected_vendor(t),
          "caps names the vendor module %s" % expected_vendor(t), o)
    print(o.out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--yieldlab", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--case", required=True, choices=sorted(CASES))
    ap.add_argument("--host", choices=("auto", "native", "emulated"),
                    default=os.environ.get("YL_KVM_HOST", "auto"))
    a = ap.parse_args()
    workdir = os.path.join(os.path.abspath(a.workdir), a.case)
    os.makedirs(workdir, exist_ok=True)
    seed = int(os.environ.get("YL_TEST_SEED", time.time()))
    random.seed(seed)
    try:
        host = pick_host(a.yieldlab, workdir, a.host)
        print("case %s on %s: %s (seed %d)" % (a.case, host.kind, host.why, seed))
        CASES[a.case](Tester(host))
    except Failure as e:
        print("FAILED: %s" % e)
        return 1
    print("case %s passed" % a.case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
