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
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "scripts"))
from emuhost import Failure, NativeHost, Outcome, Run, pick_host  # noqa: E402

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
def vcpus(js):
    return js["vcpus"]


def assert_lock_run(o, n, label):
    js = o.json
    check(o.rc == 0 and js is not None, "%s: exit 0 with JSON" % label, o)
    check(js["result"]["status"] == "ok" and js["result"]["complete"],
          "%s: status ok, every vCPU finished" % label, o)
    check(len(vcpus(js)) == n, "%s: %d vCPU records" % (label, n))
    ops = [v["guest"]["ops"] for v in vcpus(js)]
    check(all(x > 0 for x in ops), "%s: every vCPU has ops > 0 %s" % (label, ops))
    check(js["checks"]["mutual_exclusion"]["ok"] is True
          and js["result"]["shared_counter"] == sum(ops),
          "%s: mutual exclusion: shared counter %d == sum of ops %d"
          % (label, js["result"]["shared_counter"], sum(ops)))
    check(js["result"]["guest_check_ok"], "%s: the guest's own check passed" % label)
    assert_io_exits_match(js, label)


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
                     "--timeout", "4", "--json", "@JSON@"], timeout=60))
    o = res["hang"]
    check(o.rc == 5, "a guest that spins forever is stopped by --timeout (exit 5)", o)
    check("watchdog" in o.err, "stderr says the watchdog stopped it", o)
    check(all(v["guest"]["spins"] > 0 and v["end"] == "stopped" for v in vcpus(o.json)),
          "partial statistics: every vCPU shows the spinning it did")
    o = res["long"]
    check(o.rc == 5 and not o.json["result"]["complete"], "long lock run stopped by watchdog", o)
    check(all(v["guest"]["ops"] > 0 for v in vcpus(o.json)),
          "partial lock statistics: ops > 0 on every vCPU")
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
    (["run", "--vcpus", "100000"], "KVM allows at most"),
    (["run", "--vcpus", "300"], "guest supports at most 256"),
    (["run", "--lock", "clh"], "allowed: tas|ticket|ttas|mcs|qspinlock"),
    (["run", "--pv", "spin"], "allowed: none|yield|halt"),
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
    no_kvm = {i for i, (a, _) in enumerate(BAD) if a[-1] not in ("100000", "300")}
    env_res = native.run_all([Run("bad%d" % i, BAD[i][0]) for i in sorted(no_kvm)],
                             BAD_FILES)
    assert_bad(env_res, no_kvm, "no KVM needed")
    check(len(BAD) >= 10, "%d distinct bad invocations" % len(BAD))


@case
def bench_exits(t):
    res = t.runs(Run("bench", ["bench", "exits", "--exits", "2000"], timeout=300))
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
        print("case %s on %s (seed %d)" % (a.case, host.kind, seed))
        CASES[a.case](Tester(host))
    except Failure as e:
        print("FAILED: %s" % e)
        return 1
    print("case %s passed" % a.case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
