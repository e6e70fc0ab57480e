#!/usr/bin/env python3
"""Mutation check: break one rule at a time and require the tests to notice.

Two suites.  sched: one rule of the EEVDF model or a policy switched off,
against sched/'s two test programs.  sim: the simulator made to break what
its invariant checks guard (mutual exclusion, one vCPU per CPU, time order,
CPU time adding up, the counter), against sim/'s tests, so those checks are
shown to fire.

Each mutation is a single exact edit of one source line; one that no longer
applies (the code moved on) fails this script as loudly as one that no test
catches, so the list cannot silently go stale.  For each mutation the
script compiles the edited file alone (everything else was compiled once),
links the suite's test programs in a scratch directory, runs them, and
prints the tests that failed.

    tests/mutate.py [--suite sched|sim] [--only NAME] [--cc CC]

Exit 0 when the unmutated build passes and every mutation is caught."""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHED = ["sched/eevdf.c", "sched/params.c", "sched/policy.c", "sched/sched.c",
         "sched/target.c"]

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
     "\t    now - c->last_credit_resched < s->p.credit_resched_ns) {", "\t    false) {"),
    ("lag-credit margin off: credit to zero lag", "sched/policy.c",
     "\tm = (int64_t)(yl_calc_delta_fair(se->slice, se) * s->p.credit_pct / 100) *",
     "\tm = (int64_t)(yl_calc_delta_fair(se->slice, se) * 0 / 100) *"),
    ("lag-credit: the shared ancestor credited whatever credit_curr says", "sched/policy.c",
     "\t       (se != se->cfs_rq->curr || s->p.credit_curr);", "\t       true;"),
    ("lag-credit: the shared ancestor never credited", "sched/policy.c",
     "\t       (se != se->cfs_rq->curr || s->p.credit_curr);", "\t       se != se->cfs_rq->curr;"),
    ("lag-credit: forced reschedule without a credit", "sched/policy.c",
     "\tif (credited && !forced_resched(s, y, now))", "\tif (credit && !forced_resched(s, y, now))"),
    ("rr starts at last_boosted_vcpu instead of after it", "sched/target.c",
     "start = (unsigned int)(a->t->last_boosted + 1);",
     "start = (unsigned int)(a->t->last_boosted + (a->t->last_boosted < 0));"),
    ("rr counts every failed yield_to() as a try", "sched/target.c",
     "\treturn in_round && a->last == YL_OUT_ESRCH && --a->tries <= 0;",
     "\treturn in_round && --a->tries <= 0;"),
    ("strict round: a user-mode vCPU admitted", "sched/target.c",
     "\tif (!relaxed && v->user_mode && !v->pending_irq) {", "\tif (0) {"),
    ("strict round: a pending interrupt no longer admits a user-mode vCPU", "sched/target.c",
     "\tif (!relaxed && v->user_mode && !v->pending_irq) {", "\tif (!relaxed && v->user_mode) {"),
    ("ipi-pairs: the receiver after the strict round", "sched/target.c",
     "\tif (ipi && boosted(a, yield_to_receiver(a), YL_SPIN_BOOST_RECEIVER))\n\t\tgoto out;\n"
     "\tif (boosted(a, spin_round(a, false), YL_SPIN_BOOST_STRICT))\n\t\tgoto out;\n",
     "\tif (boosted(a, spin_round(a, false), YL_SPIN_BOOST_STRICT))\n\t\tgoto out;\n"
     "\tif (ipi && boosted(a, yield_to_receiver(a), YL_SPIN_BOOST_RECEIVER))\n\t\tgoto out;\n"),
    ("ipi-pairs: no relaxed round", "sched/target.c",
     "\tif (ipi && a->s->p.relaxed_boost && a->tries > 0)", "\tif (0)"),
    ("yield_to()'s -ESRCH removed", "sched/policy.c",
     "\t    s->cpus[s->tasks[y].cpu].nr_running == 1 &&",
     "\t    0 && s->cpus[s->tasks[y].cpu].nr_running == 1 &&"),
    ("forfeit on yield no longer moves vruntime", "sched/eevdf.c",
     "\t\tse->vruntime = se->deadline;\n", ""),
]

# The simulator broken where its run-time checks must catch it (docs/sim.md):
# one edit per check, and one of the lock model's hand-over.
SIM_MUTATIONS = [
    ("TAS/TTAS waiter takes a held lock", "sim/guest.c",
     "(!fifo(s) && lock_of(s, t)->owner < 0 && !v->backoff_left);",
     "(!fifo(s) && !v->backoff_left);"),
    ("a release does not count its op in the counter", "sim/guest.c",
     "\tl->counter++;\n", ""),
    ("a preempted vCPU is not taken off its CPU", "sim/sim.c",
     "\t\tv->cpu = -1;\n\t\tpc->curr = -1;\n", "\t\tpc->curr = -1;\n"),
    ("idle time is not accounted", "sim/sim.c",
     "\ts->idle_ns += s->now - pc->idle_since;\n\tpc->curr = (int)t;",
     "\tpc->curr = (int)t;"),
    ("an IPI arrives before it was sent", "sim/sim.c",
     "push(s, s->now + s->c.cost[YL_COST_IPI], EV_IRQ, to);",
     "push(s, s->now - s->c.cost[YL_COST_IPI] / 2, EV_IRQ, to);"),
    ("an idle CPU is not told to pick a woken vCPU", "sim/sim.c",
     "\t\tif (pc->curr < 0 || s->v[pc->curr].gs != G_PORT)",
     "\t\tif (pc->curr >= 0 && s->v[pc->curr].gs != G_PORT)"),
    ("a FIFO release hands the lock to nobody", "sim/guest.c",
     "\t\tif (next >= 0) {\n\t\t\tgrant(s, (unsigned int)next);",
     "\t\tif (next >= 0) {\n\t\t\t(void)grant;"),
]

# suite: (sources, test programs as lists of files, include dirs, mutations)
SUITES = {
    "sched": (SCHED, [["tests/unit/test_sched.c"], ["tests/unit/test_sched_rules.c"]],
              ["sched"], MUTATIONS),
    "sim": (SCHED + ["sim/eventq.c", "sim/params.c", "sim/sim.c", "sim/guest.c", "out/json.c",
                     "out/provenance.c", "out/timeline.c"],
            [["tests/unit/main_sim.c", "tests/unit/test_eventq.c", "tests/unit/test_sim.c"]],
            ["sched", "sim", "out"], SIM_MUTATIONS),
}

FAIL_RE = re.compile(r"^[^:]+:\d+:[FE]:([^:]+):([^:]+):")


def flags():
    out = subprocess.run(["pkg-config", "--cflags", "--libs", "check"],
                         capture_output=True, text=True, check=True).stdout
    return out.split()


def compile_one(cc, suite, src, out_dir, obj_dir):
    """One source file to an object; (path, error)."""
    # includes name their folder from the top ("sched/policy.h"), as in the tree
    inc = ["-I" + os.path.join(ROOT, "include"), "-I" + os.path.join(out_dir, "src", "gen"),
           "-iquote", os.path.join(out_dir, "src")]
    obj = os.path.join(obj_dir, src.replace("/", "_") + ".o")
    cflags = [f for f in flags() if f.startswith("-I") or f.startswith("-D")]
    r = subprocess.run([cc, "-O1", "-w", "-D_GNU_SOURCE", "-c"] + inc + cflags +
                       ["-o", obj, src], capture_output=True, text=True)
    return (obj, "") if not r.returncode else (None, r.stderr)


def build(cc, suite, out_dir, objs, changed=None):
    """
    The suite's test programs: @objs maps every source (and test file) to
    its object, compiled once; @changed, a mutated source, is compiled
    alone and takes its place.
    """
    sources, tests, _, _ = SUITES[suite]
    use = dict(objs)
    if changed:
        mut = os.path.join(out_dir, "mut")
        os.makedirs(mut, exist_ok=True)
        obj, err = compile_one(cc, suite, os.path.join(out_dir, "src", changed), out_dir, mut)
        if not obj:
            return None, err
        use[changed] = obj
    bins = []
    for t in tests:
        exe = os.path.join(out_dir, os.path.basename(t[-1])[:-2])
        cmd = ([cc, "-o", exe] + [use[f] for f in t] + [use[s] for s in sources] +
               flags() + ["-lm"])
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode:
            return None, r.stderr
        bins.append(exe)
    return bins, ""


def compile_all(cc, suite, out_dir):
    """Every source and test file of the suite, unmutated: {path: object}."""
    sources, tests, _, _ = SUITES[suite]
    obj_dir = os.path.join(out_dir, "obj")
    os.makedirs(obj_dir)
    objs = {}
    for f in sources + sorted({x for t in tests for x in t}):
        src = os.path.join(out_dir, "src", f) if f in sources else os.path.join(ROOT, f)
        objs[f], err = compile_one(cc, suite, src, out_dir, obj_dir)
        if not objs[f]:
            return None, err
    return objs, ""


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
    ap.add_argument("--suite", choices=sorted(SUITES), default="sched")
    ap.add_argument("--only", help="run only the mutation whose name contains this")
    ap.add_argument("--cc", default=os.environ.get("CC", "cc"))
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="yl-mutate-")
    try:
        src = os.path.join(tmp, "src")
        for d in SUITES[a.suite][2]:
            os.makedirs(os.path.join(src, d))
            for f in os.listdir(os.path.join(ROOT, d)):
                if os.path.isfile(os.path.join(ROOT, d, f)):	# sim/cmd/ is not the engine's
                    shutil.copy(os.path.join(ROOT, d, f), os.path.join(src, d, f))
        os.makedirs(os.path.join(src, "gen"))
        with open(os.path.join(src, "gen", "version.h"), "w") as f:
            f.write('#define YL_VERSION "mutate"\n')
        objs, err = compile_all(a.cc, a.suite, tmp)
        bins, err = build(a.cc, a.suite, tmp, objs) if objs else (None, err)
        if not bins or failures(bins):
            print("mutate: the unmutated %s does not pass its tests\n%s" % (a.suite, err))
            return 1
        mutations = SUITES[a.suite][3]
        print("mutate: unmutated %s passes; %d mutations" % (a.suite, len(mutations)))
        bad = 0
        for name, path, old, new in mutations:
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
            bins, err = build(a.cc, a.suite, tmp, objs, changed=path)
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
