"""The KVM suite's harness: hosts, runs, checks and the one case registry.

Every case runs real KVM: directly where /dev/kvm works, otherwise inside the
emulated KVM host of shared/DESIGN.md (QEMU TCG with nested SVM, a Debian 6.12
kernel that loads kvm_amd, a busybox initramfs carrying the yieldlab binary).
If neither can run, the case fails: it is never skipped.

A case declares its yieldlab invocations, gets back exit code, stdout, stderr
and parsed JSON for each, and asserts on them with check(): a failed check is
reported and the case goes on, so one run shows every check that failed.  In
the emulated host all runs of a case share one boot.  Every JSON file a run
writes is validated against docs/schema/.  Cases live in cases_*.py, one file
per area; yltest.py --list is what CMake registers.
"""
import argparse
import json
import os
import random
import re
import sys
import time
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "scripts"))
from emuhost import (EmulatedHost, Failure, NativeHost, Outcome, Run,  # noqa: E402,F401
                     kvm_vendor, pick_host)
import schema  # noqa: E402

CASES = {}
FAILED = []


def check(cond, what, outcome=None):
    """Records a failed check and goes on; the case fails at its end."""
    if not cond:
        msg = what + ("\n" + repr(outcome) if outcome is not None else "")
        FAILED.append(what)
        print("  FAILED: " + msg)
        return False
    print("  ok: " + what)
    return True


def case(fn):
    CASES[fn.__name__] = fn
    return fn


KERNEL_OF = {}


def case_on_kernel(kernel, *kernel_args):
    """A case that needs a host kernel of ours (kernel/build.sh): it runs in
    the emulated host booting it, with @kernel_args on its command line,
    whatever host the other cases use."""
    def register(fn):
        KERNEL_OF[fn.__name__] = (kernel, kernel_args)
        return case(fn)
    return register


class Tester:
    def __init__(self, host):
        self.host = host

    def runs(self, *runs, files=None):
        res = self.host.run_all(list(runs), files or {})
        for name, o in res.items():
            print("  run %s: exit %d" % (name, o.rc))
            if o.json is not None:
                bad = schema.problems(o.json)
                check(not bad, "run %s: its JSON follows docs/schema/%s"
                      % (name, schema.FILES.get(o.json.get("command"), "?")
                         if isinstance(o.json, dict) else "?") + "".join("\n    " + b for b in bad))
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


LOCKS = ("tas", "ttas", "ticket", "mcs", "qspinlock")


def kvm_sum(js, stat):
    return sum(v["kvm"][stat] for v in vcpus(js))


def guest_sum(js, field):
    return sum(v["guest"][field] for v in vcpus(js))


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


class VmOutcome:
    """One VM of a --vms run, shaped like a single-VM outcome for the asserts."""

    def __init__(self, o, js):
        self.rc, self.out, self.err, self.json = o.rc, o.out, o.err, js

    def __repr__(self):
        return "VM of: %r" % self.__dict__


AS_NOBODY = ("mkdir -p /etc; grep -q ^nobody: /etc/passwd 2>/dev/null ||"
             " echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >> /etc/passwd;"
             " grep -q ^nogroup: /etc/group 2>/dev/null || echo 'nogroup:x:65534:' >> /etc/group;"
             " chmod 666 /dev/kvm;")


def thread_status(cmd):
    """Shell: start CMD, wait for its threads, print each one's name and
    sandbox fields as T=comm:NoNewPrivs:Seccomp:CapBnd:CapEff, stop it."""
    return ("%s >/dev/null 2>/tmp/e & p=$!; n=0;"
            " while [ $n -lt 1000 ] && [ $(ls /proc/$p/task 2>/dev/null | wc -l) -lt 4 ]; do"
            " sleep 0.01; n=$((n+1)); done; sleep 1;"
            " for d in /proc/$p/task/*; do echo T=$(cat $d/comm):$(awk"
            " '/^NoNewPrivs|^Seccomp:|^CapBnd|^CapEff/ {printf \"%%s:\", $2}' $d/status); done;"
            " kill -INT $p; wait $p; echo RC=$?; echo \"ERR=$(cat /tmp/e)\"" % cmd)


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


SAME = "--sched-feature NO_RUN_TO_PARITY"


WAIT_RECORD = ("n=0; while [ $n -lt 1000 ] && kill -0 $a 2>/dev/null &&"
               " ! ls /run/yieldlab/$a.*.restore >/dev/null 2>&1; do sleep 0.01; n=$((n+1)); done;")


def task_cgroups(pid_var):
    """Shell: each thread's name and cgroup, one CG= line per thread."""
    return (" for d in /proc/%s/task/*; do echo CG=$(cat $d/comm):$(sed -n 's/^0:://p' $d/cgroup);"
            " done;" % pid_var)


def sampled_total(js_vcpu, ts, name):
    """What the per-interval rates add up to: last - first sample."""
    r = js_vcpu["rates_per_s"][name]
    return sum(x * (b - a) / 1000.0 for x, a, b in zip(r, ts, ts[1:]))


POLICIES = ("none", "yield", "forfeit", "lag-credit", "handoff")


TARGETS = ("hint", "rr", "ipi-pairs")


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
    # the executor: one thread per pCPU; no vCPU ever in two threads at once
    threads = c["pcpu_threads"]
    check(len(threads) == c["nr_pcpus"] and c["double_entries"] == 0
          and all(p["host_valid"] and p["host_run_ns"] > 0 for p in threads),
          "%s: %d executor threads, each ran (host schedstat), no vCPU entered twice at once"
          % (label, len(threads)))
    hints = sum(v["hints"] for v in c["vcpus"])
    check(hints == sum(v["guest"]["yields"] for v in vcpus(o.json)),
          "%s: the guest's %d spin hints all reached the scheduler" % (label, hints))
    return c


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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--list", action="store_true", help="print the cases, one per line")
    ap.add_argument("--yieldlab")
    ap.add_argument("--workdir")
    ap.add_argument("--case", choices=sorted(CASES))
    ap.add_argument("--host", choices=("auto", "native", "emulated"),
                    default=os.environ.get("YL_KVM_HOST", "auto"))
    a = ap.parse_args()
    if a.list:
        print("\n".join(CASES))
        return 0
    if not (a.yieldlab and a.workdir and a.case):
        ap.error("--yieldlab, --workdir and --case are needed")
    schema.check_all_schemas()
    workdir = os.path.join(os.path.abspath(a.workdir), a.case)
    os.makedirs(workdir, exist_ok=True)
    seed = int(os.environ.get("YL_TEST_SEED", time.time()))
    random.seed(seed)
    try:
        kernel, kernel_args = KERNEL_OF.get(a.case, ("stock", ()))
        host = pick_host(a.yieldlab, workdir, "emulated" if kernel != "stock" else a.host,
                         kernel, kernel_args)
        print("case %s on %s: %s (seed %d)" % (a.case, host.kind, host.why, seed))
        CASES[a.case](Tester(host))
    except Failure as e:
        FAILED.append(str(e).split("\n")[0])
        print("FAILED: %s" % e)
    except Exception:  # a check failed and what followed it could not go on
        traceback.print_exc()
        FAILED.append("the case stopped on an exception (above)")
    if FAILED:
        print("case %s FAILED %d check(s):\n  %s" % (a.case, len(FAILED), "\n  ".join(FAILED)))
        return 1
    print("case %s passed" % a.case)
    return 0

