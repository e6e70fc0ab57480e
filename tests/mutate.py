#!/usr/bin/env python3
"""Mutation check of sched/'s tests: break one rule of the model at a time
and require the sched/ unit tests to notice.

Each mutation is a single exact edit of one source line; one that no longer
applies (the code moved on) fails this script as loudly as one that no test
catches, so the list cannot silently go stale.  For each mutation the
script builds sched/ with the edit and both sched/ test programs into a
scratch directory, runs them, and prints the tests that failed.

    tests/mutate.py [--only NAME] [--cc CC]

Exit 0 when the unmutated build passes and every mutation is caught."""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCES = ["sched/eevdf.c", "sched/params.c", "sched/policy.c", "sched/sched.c",
           "sched/target.c"]
TESTS = ["tests/unit/test_sched.c", "tests/unit/test_sched_rules.c"]

# (name, file, exact text, replacement): one rule switched off or broken.
MUTATIONS = [
    ("RUN_TO_PARITY removed", "sched/eevdf.c",
     "\tif (curr && protect && yl_protect_slice(rq, curr))\n\t\treturn curr;\n", ""),
    ("VPROT: lost protection no longer reschedules", "sched/eevdf.c",
     "\t\treturn !yl_protect_slice(rq, curr);", "\t\treturn false;"),
    ("6.12 did_preempt_short() removed", "sched/eevdf.c",
     "\treturn rq->p->preempt_short && curr->pick_deadline != curr->deadline &&",
     "\treturn false && curr->pick_deadline != curr->deadline &&"),
    ("(W+w)/W scaling removed from the in-place shift", "sched/eevdf.c",
     "\t    (uint64_t)scale_lag(vlag, load, se->weight);", "\t    (uint64_t)vlag;"),
    ("place_entity() ignores lag", "sched/eevdf.c",
     "\t\tlag = scale_lag(se->vlag, avg_load(rq).load, se->weight);", "\t\tlag = 0;"),
    ("PICK_BUDDY ignores eligibility", "sched/eevdf.c",
     "rq->next && yl_entity_eligible(rq, rq->next)", "rq->next"),
    ("lag clamp removed", "sched/eevdf.c",
     "\treturn lag < -limit ? -limit : lag > limit ? limit : lag;", "\treturn lag;"),
    ("DELAY_DEQUEUE off", "sched/params.c",
     "\tp->delay_dequeue = true;", "\tp->delay_dequeue = false;"),
    ("DELAY_ZERO off", "sched/params.c",
     "\tp->delay_zero = true;", "\tp->delay_zero = false;"),
    ("PLACE_REL_DEADLINE off", "sched/params.c",
     "\tp->place_rel_deadline = true;", "\tp->place_rel_deadline = false;"),
    ("lag-credit rate limit removed", "sched/policy.c",
     "\t    now - c->last_credit_resched < s->p.credit_resched_ns)", "\t    false)"),
    ("rr starts at last_boosted_vcpu instead of after it", "sched/target.c",
     "start = (unsigned int)(a->t->last_boosted + 1);",
     "start = (unsigned int)(a->t->last_boosted + (a->t->last_boosted < 0));"),
    ("rr counts every failed yield_to() as a try", "sched/target.c",
     "\treturn a->last == YL_OUT_ESRCH && --a->tries <= 0;", "\treturn --a->tries <= 0;"),
    ("ipi-pairs' pending-interrupt step removed", "sched/target.c",
     "\tif (a->t->kind == YL_TARGET_IPI_PAIRS && rr_pass(a, PASS_PENDING_IRQ))",
     "\tif (0 && rr_pass(a, PASS_PENDING_IRQ))"),
    ("yield_to()'s -ESRCH removed", "sched/policy.c",
     "\t    s->cpus[s->tasks[y].cpu].nr_running == 1 &&",
     "\t    0 && s->cpus[s->tasks[y].cpu].nr_running == 1 &&"),
    ("forfeit on yield no longer moves vruntime", "sched/eevdf.c",
     "\t\tse->vruntime = se->deadline;\n", ""),
]

FAIL_RE = re.compile(r"^[^:]+:\d+:[FE]:([^:]+):([^:]+):")


def flags():
    out = subprocess.run(["pkg-config", "--cflags", "--libs", "check"],
                         capture_output=True, text=True, check=True).stdout
    return out.split()


def build(cc, src_dir, out_dir):
    """The two test programs against the sched/ sources in src_dir."""
    bins = []
    for t in TESTS:
        exe = os.path.join(out_dir, os.path.basename(t)[:-2])
        cmd = [cc, "-O1", "-w", "-iquote", os.path.join(src_dir, "sched"), "-o", exe,
               os.path.join(ROOT, t)] + [os.path.join(src_dir, s) for s in SOURCES] + flags()
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode:
            return None, r.stderr
        bins.append(exe)
    return bins, ""


def failures(bins):
    """The tests that failed, as tcase:test, in the order reported."""
    failed = []
    env = dict(os.environ, CK_VERBOSITY="normal")
    for b in bins:
        r = subprocess.run([b], capture_output=True, text=True, env=env, timeout=600)
        for ln in (r.stdout + r.stderr).splitlines():
            m = FAIL_RE.match(ln)
            if m:
                failed.append("%s:%s:%s" % (os.path.basename(b), m.group(1), m.group(2)))
        if r.returncode and not failed:
            failed.append("%s: exit %d" % (os.path.basename(b), r.returncode))
    return failed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", help="run only the mutation whose name contains this")
    ap.add_argument("--cc", default=os.environ.get("CC", "cc"))
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="yl-mutate-")
    try:
        src = os.path.join(tmp, "src")
        os.makedirs(os.path.join(src, "sched"))
        for f in os.listdir(os.path.join(ROOT, "sched")):
            shutil.copy(os.path.join(ROOT, "sched", f), os.path.join(src, "sched", f))
        bins, err = build(a.cc, src, tmp)
        if not bins or failures(bins):
            print("mutate: the unmutated sched/ does not pass its tests\n" + err)
            return 1
        print("mutate: unmutated sched/ passes; %d mutations" % len(MUTATIONS))
        bad = 0
        for name, path, old, new in MUTATIONS:
            if a.only and a.only not in name:
                continue
            orig = os.path.join(ROOT, path)
            with open(orig) as f:
                text = f.read()
            if text.count(old) != 1:
                print("  STALE   %-50s the edit matches %d times in %s"
                      % (name, text.count(old), path))
                bad += 1
                continue
            with open(os.path.join(src, path), "w") as f:
                f.write(text.replace(old, new))
            bins, err = build(a.cc, src, tmp)
            shutil.copy(orig, os.path.join(src, path))
            if not bins:
                print("  CAUGHT  %-50s by the compiler\n%s" % (name, err))
                continue
            got = failures(bins)
            if got:
                more = " (+%d more)" % (len(got) - 3) if len(got) > 3 else ""
                print("  CAUGHT  %-50s by %s%s" % (name, ", ".join(got[:3]), more))
            else:
                print("  MISSED  %-50s every test still passes" % name)
                bad += 1
        print("mutate: %s" % ("every mutation caught" if not bad
                               else "%d mutation(s) missed or stale" % bad))
        return 1 if bad else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
