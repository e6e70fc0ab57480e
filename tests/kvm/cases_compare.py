"""KVM cases: yieldlab compare: its verdicts on real KVM, an interrupted and
resumed sweep with a crashing cell, GNU parallel and Slurm through merge,
and the HTML report in headless Chromium."""
import csv
import filecmp
import glob
import json
import os
import shutil
import subprocess
import tempfile

import schema
from harness import EmulatedHost, Outcome, Run, case, check

COOP8 = ["--sched", "coop", "--vcpus", "8", "--pcpus", "0-1", "--pv", "yield", "--cs", "20000",
         "--spin-threshold", "256"]
# The policy comparison: 20 interleaved rounds of 1 s runs.  The verdict
# rests on the sign-test interval of the median of the 20 paired ratios,
# [r(6), r(15)]: "better" needs at most 5 of 20 pairs at or below 1.  The
# emulated host can run handoff's system calls 3-4x slower for a whole
# sweep: a clean-clone CI run (2026-11-30) gave handoff/none 1.65x median
# where a quiet boot gives 4.0x, yet all 20 of its pairs were above 1 (the
# smallest 1.03, r(6) 1.27).  So the claim asserted is the verdict; the
# size of the gain is printed, with the 3x goal, not asserted.
HN_REPS, HN_GOAL = 20, 3.0


def summary(o, label):
    """The summary.json a compare run brought back, schema-checked."""
    if not check(o.outdir and os.path.exists(os.path.join(o.outdir, "summary.json")),
                 "%s: compare wrote its directory and summary.json" % label, o):
        return None
    with open(os.path.join(o.outdir, "summary.json")) as f:
        js = json.load(f)
    bad = schema.problems(js)
    check(not bad, "%s: summary.json follows docs/schema/compare-summary.json" % label
          + "".join("\n    " + b for b in bad))
    for p in sorted(glob.glob(os.path.join(o.outdir, "runs", "*", "run.json"))):
        with open(p) as f:
            bad = schema.problems(json.load(f))
        if bad:
            check(False, "%s: %s follows docs/schema/run.json" % (label, p) + "\n    " + bad[0])
    return js


def log_events(outdir):
    with open(os.path.join(outdir, "log.tsv")) as f:
        lines = f.read().splitlines()
    check(lines[:1] == ["run\tround\tcell\tattempt\tevent\tutc"], "log.tsv: its header line")
    return [dict(zip(("run", "round", "cell", "attempt", "event", "time"), ln.split("\t")))
            for ln in lines[1:]]


def assert_complete_in_order(outdir, nr_runs, label):
    """Every planned run finished once, in the planned order, none twice."""
    ev = log_events(outdir)
    ends = [e for e in ev if e["event"] in ("ok", "failed")]
    finals, seen = [], set()
    for e in ends:
        k = int(e["run"])
        if e["event"] == "ok" or e["attempt"] == "2":
            finals.append(k)
    metas = sorted(glob.glob(os.path.join(outdir, "runs", "*", "meta.json")))
    check(finals == list(range(nr_runs)) and len(metas) == nr_runs,
          "%s: %d runs ended once each, in the planned order (%s); %d meta.json"
          % (label, nr_runs, " ".join(map(str, finals)), len(metas)))
    for e in ev:
        if e["event"] == "ok":
            check(int(e["run"]) not in seen, "%s: run %s finished ok once" % (label, e["run"]))
            seen.add(int(e["run"]))
    return ev


def verdict(js, cell, metric="lock_ops_per_s"):
    return js["cells"][cell]["metrics"][metric]["vs_baseline"]


def merge_same(t, outdir, label):
    """merge of compare's own directory gives its summary.json byte for byte."""
    m = os.path.join(t.host.workdir, label.replace("/", "-") + "-merged")
    shutil.rmtree(m, ignore_errors=True)
    p = subprocess.run([t.host.yieldlab, "merge", outdir, "--out", m],
                       capture_output=True, text=True)
    check(p.returncode == 0 and filecmp.cmp(os.path.join(outdir, "summary.json"),
                                            os.path.join(m, "summary.json"), shallow=False),
          "%s: merge of its directory gives the same summary.json, byte for byte" % label,
          p.stderr)
    return m


CHECK_JS = """
<script>
window.addEventListener("load", function () {
  var figs = document.querySelectorAll("figure"), out = [];
  figs.forEach(function (f) {
    var svg = f.querySelector("svg"), r = svg ? svg.getBoundingClientRect() : null;
    out.push(f.id + "=" + (r ? Math.round(r.width) + "x" + Math.round(r.height) : "none"));
  });
  console.log("yl-check " + out.join(" "));
  var pre = document.createElement("pre");
  pre.id = "yl-check";
  pre.textContent = out.join(" ");
  document.body.appendChild(pre);
});
</script>
"""


def check_html(report, label):
    """report.html renders in headless Chromium: no console errors, and
    every plot an SVG of non-zero size.  A copy with a checking script is
    what Chromium loads, so the report itself carries no test code."""
    with open(report) as f:
        html = f.read()
    probe = report.replace("report.html", "report-check.html")
    with open(probe, "w") as f:
        f.write(html.replace("</body>", CHECK_JS + "</body>"))
    p = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                        "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000",
                        "--dump-dom", "file://" + probe],
                       capture_output=True, text=True, timeout=120)
    os.unlink(probe)
    console = [ln for ln in p.stderr.splitlines() if ":CONSOLE" in ln]
    errors = [ln for ln in console if "yl-check" not in ln]
    found = [ln for ln in console if "yl-check" in ln]
    plots = found[0].split('"')[1].split()[1:] if found else []
    sized = [x for x in plots if x.split("=")[1] != "none"
             and all(int(v) > 50 for v in x.split("=")[1].split("x"))]
    check(p.returncode == 0 and found and not errors and len(plots) == 3 and len(sized) == 3
          and 'id="yl-check"' in p.stdout,
          "%s: report.html renders in headless Chromium, no console errors, plots %s"
          % (label, " ".join(plots) or "none"), "\n".join(errors[:5]) or p.stderr[-2000:])


@case
def compare_verdicts(t):
    """compare on KVM: A/A says no difference; handoff beats none at 8:2; report.html."""
    aa = ["compare"] + COOP8 + ["--policy", "handoff,handoff", "--duration", "500",
                                "--reps", "10", "--out", "@OUT@"]
    res = t.runs(Run("aa", aa, timeout=900),
                 Run("hn", ["compare"] + COOP8 + ["--policy", "none,handoff", "--duration", "1000",
                                                  "--reps", str(HN_REPS), "--out", "@OUT@"],
                     timeout=1200))
    # A/A: at 95% with 10 pairs the sign-test verdict calls identical cells
    # different in 2.2% of sweeps (tests/unit/test_stats.c); a second,
    # independent sweep (another seed, another boot) runs only if the first
    # says so, and both must say so for the check to fail: 0.05% of CI runs
    # for a correct compare, while a compare that always finds a difference
    # fails every time.
    o = res["aa"]
    for name in ("aa", "aa2"):
        js = summary(o, "A/A " + name)
        if not js:
            return
        v = verdict(js, 1)
        print("  A/A %s: ratio %.3f, %d pairs, CI %s, %s" % (name, v["ratio"], v["pairs"],
                                                           v["ci"], v["verdict"]))
        check(js["runs"] == {"ok": 20, "failed": 0, "missing": 0} and v["pairs"] == 10,
              "A/A %s: 20 runs ok, 10 pairs" % name)
        if v["verdict"] == "no difference" or name == "aa2":
            break
        o = t.runs(Run("aa2", aa + ["--seed", "2"], timeout=900))["aa2"]
    check(v["verdict"] == "no difference",
          "A/A (--policy handoff,handoff, 10 reps): says no difference")
    hn = res["hn"]
    js = summary(hn, "none/handoff")
    if not js:
        return
    v = verdict(js, 1)
    notes = js["cells"][1]["warnings"]
    check(hn.rc == 0 and v["verdict"] == "better" and v["ci"][0] > 1 and "no_hints" not in notes,
          "none vs handoff at 8:2, 20 us sections: handoff %.2fx (3x goal %s), "
          "95%% CI %.2f..%.2f excludes 1, %d pairs: %s"
          % (v["ratio"], "met" if v["ratio"] >= HN_GOAL else "NOT met",
             v["ci"][0], v["ci"][1], v["pairs"], v["verdict"]), hn)
    assert_complete_in_order(hn.outdir, 2 * HN_REPS, "none/handoff")
    with open(os.path.join(hn.outdir, "runs", "00000", "cmd")) as f:
        cmd = f.read()
    check(" run " in cmd and "--json" in cmd and "--policy" in cmd,
          "each run's exact command is kept: %s" % cmd.strip())
    with open(os.path.join(hn.outdir, "runs.csv")) as f:
        rows = list(csv.DictReader(f))
    check(len(rows) == 2 * HN_REPS and all(r["kernel"] and r["kvm_module"] and r["loadavg_1m"]
                                           and r["yieldlab_version"] for r in rows),
          "runs.csv: one row per run with host, kernel, KVM module, version, load")
    m = merge_same(t, hn.outdir, "none/handoff")
    check_html(os.path.join(m, "report.html"), "none/handoff")


SMALL = ["--vcpus", "2", "--pcpus", "0", "--duration", "300", "--reps", "3"]


@case
def compare_resume(t):
    """compare: SIGINT, --resume: every run once, in order; a crashing cell; bad plans."""
    wait_two = ("while [ $(ls @OUT@/runs/*/meta.json 2>/dev/null | wc -l) -lt 2 ]; do sleep 0.1; done;"
                " sleep 0.3;")
    res = t.runs(
        Run("resume", [], timeout=600, shell=(
            "@YL@ compare --workload lock,fault %s --out @OUT@ > /dev/null 2> /tmp/e1 & p=$!; %s"
            " kill -INT $p; wait $p; echo RC1=$?; cat /tmp/e1 | tail -3;"
            " @YL@ compare --resume @OUT@ > /tmp/o2 2> /tmp/e2; echo RC2=$?; cat /tmp/o2"
            % (" ".join(SMALL), wait_two))),
        Run("vms", ["compare", "--vms", "2", "--vcpus", "2", "--pcpus", "0", "--duration", "200",
                    "--reps", "1", "--out", "@OUT@"], timeout=120),
        Run("ipi", ["compare", "--workload", "ipi", "--vcpus", "2", "--pcpus", "0",
                    "--duration", "200", "--reps", "1", "--out", "@OUT@"], timeout=120),
        Run("bad", [], timeout=60, shell=(
            "@YL@ compare --sched coop --policy none,bogus --out /tmp/bad1; echo RC=$?;"
            " printf 'sched coop\\npolicy none,handoff\\nvcpus 4,0\\n' > /tmp/plan;"
            " @YL@ compare --plan /tmp/plan --out /tmp/bad2; echo RC=$?;"
            " ls /tmp/bad1 /tmp/bad2 2>&1 | grep -c 'No such file'")))
    o = res["resume"]
    check("RC1=130" in o.out and "--resume" in o.out and "RC2=1" in o.out,
          "SIGINT stops the sweep (exit 130, says --resume); resumed, it completes (exit 1: "
          "the fault cell failed)", o)
    if not o.outdir:
        return
    ev = assert_complete_in_order(o.outdir, 6, "interrupted and resumed")
    abandoned = [e["run"] for e in ev if e["event"] == "abandoned"]
    print("  abandoned runs: %s" % (abandoned or "none (SIGINT came between runs)"))
    js = summary(o, "resumed")
    if not js:
        return
    lock, fault = js["cells"][0], js["cells"][1]
    check(lock["runs_ok"] == 3 and fault["runs_failed"] == 3 and js["runs"]["missing"] == 0,
          "the lock cell's 3 runs ok, the fault cell's 3 recorded failed, none missing: %s"
          % js["runs"])
    metas = [json.load(open(p)) for p in sorted(glob.glob(os.path.join(o.outdir, "runs", "*",
                                                                        "meta.json")))]
    failed = [m for m in metas if m["status"] == "failed"]
    check(len(failed) == 3 and all(len(m["attempts"]) == 2 and m["exit_code"] == 4
                                   for m in failed)
          and all(os.path.exists(os.path.join(o.outdir, "runs", "%05d" % m["index"], "stderr.1"))
                  for m in failed),
          "a crashing run is tried twice (exit 4, guest fault), both attempts' files kept")
    js = summary(res["vms"], "--vms 2")
    if js:
        m = js["cells"][0]["metrics"]
        shares = [m[k]["median"] for k in ("vm0_cpu_share", "vm1_cpu_share") if k in m]
        check(len(shares) == 2 and abs(sum(shares) - 1) < 1e-9 and "vm2_cpu_share" not in m
              and js["plan"]["compared"] is None,
              "--vms 2: each VM's CPU share, adding up to 1 (%s); one cell, nothing compared"
              % shares)
    js = summary(res["ipi"], "--workload ipi")
    if js:
        m = js["cells"][0]["metrics"]
        check(js["primary_metric"] == "ipi_ops_per_s" and m["ipi_ops_per_s"]["median"] > 0
              and "lock_ops_per_s" not in m,
              "--workload ipi: the report leads with IPI ops/s (%s)"
              % m.get("ipi_ops_per_s", {}).get("median"))
    b = res["bad"]
    lines = b.out.split()
    check(lines[:2] == ["RC=2", "RC=2"] and lines[2] == "2" and b.err.count("\n") == 2
          and "'bogus'" in b.err and "--vcpus" in b.err,
          "a bad value, on the command line or in a plan file: exit 2, one line, nothing run",
          b)


def wrapper(t, d):
    """yieldlab as the emitted commands run it: through emuhost.py on this
    case's host, each call with its own scratch directory."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    host = "emulated" if isinstance(t.host, EmulatedHost) else "native"
    path = os.path.join(d, "yieldlab-via-emuhost")
    with open(path, "w") as f:
        f.write("#!/bin/sh\nw=$(mktemp -d)\npython3 %s --host %s --build %s --workdir \"$w\" -- \"$@\"\n"
                "rc=$?\nrm -rf \"$w\"\nexit $rc\n"
                % (os.path.join(root, "scripts", "emuhost.py"), host,
                   os.path.dirname(os.path.abspath(t.host.yieldlab))))
    os.chmod(path, 0o755)
    return path


@case
def compare_emit(t):
    """compare --emit parallel through GNU parallel, --emit slurm per task, then merge."""
    plan = ["--sched", "coop", "--vcpus", "4", "--pcpus", "0-1", "--pv", "yield",
            "--spin-threshold", "64", "--policy", "none,handoff", "--duration", "300",
            "--reps", "2"]
    d = tempfile.mkdtemp(dir=t.host.workdir)
    if isinstance(t.host, EmulatedHost):
        # the user's way there: compare --mode emulated, one boot for the sweep
        outdir = os.path.join(d, "direct")
        p = subprocess.run([t.host.yieldlab, "compare", "--mode", "emulated"] + plan
                           + ["--out", outdir], capture_output=True, text=True, timeout=900)
        check(p.returncode == 0 and "| compare: run 4/4" in p.stderr and "| cell |" in p.stdout
              and os.path.exists(os.path.join(outdir, "plots", "throughput.svg")),
              "--mode emulated: the sweep in one boot, its progress shown as it ran, the "
              "report and plots built here", p.stderr[-3000:])
        direct_o = Outcome(p.returncode, p.stdout, p.stderr, None, None, outdir)
    else:
        direct_o = t.runs(Run("direct", ["compare"] + plan + ["--out", "@OUT@"], timeout=600))["direct"]
    direct = summary(direct_o, "compare itself")
    yl = wrapper(t, d)
    par, sl = os.path.join(d, "par"), os.path.join(d, "slurm")
    cmds, script = os.path.join(d, "cmds"), os.path.join(d, "job.sh")
    for out, kind, f in ((par, "parallel", cmds), (sl, "slurm", script)):
        p = subprocess.run([t.host.yieldlab, "compare"] + plan + ["--out", out, "--emit", kind, f,
                                                                  "--yieldlab", yl],
                           capture_output=True, text=True)
        check(p.returncode == 0 and os.path.exists(f), "--emit %s writes %s" % (kind, f), p.stderr)
    lines = open(cmds).read().splitlines()
    check(len(lines) == 4 and all(" --only %d" % k in ln for k, ln in enumerate(lines)),
          "--emit parallel: one command per run, in the planned order")
    p = subprocess.run(["parallel", "--will-cite", "-j2", "-a", cmds], capture_output=True,
                       text=True, timeout=900)
    check(p.returncode == 0, "GNU parallel ran the 4 commands", p.stderr[-3000:])
    p = subprocess.run(["bash", "-n", script], capture_output=True, text=True)
    check(p.returncode == 0, "the Slurm script passes bash -n", p.stderr)
    procs, outs = [], []
    for pair in ((0, 1), (2, 3)):     # two at a time: this machine has two CPUs
        now = [subprocess.Popen(["bash", script], env=dict(os.environ, SLURM_ARRAY_TASK_ID=str(k)),
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
               for k in pair]
        outs += [pr.communicate(timeout=900)[0] for pr in now]
        procs += now
    check(all(pr.returncode == 0 for pr in procs),
          "the Slurm script ran once per SLURM_ARRAY_TASK_ID 0..3", "\n".join(outs)[-3000:])
    p = subprocess.run(["bash", script], env={k: v for k, v in os.environ.items()
                                              if k != "SLURM_ARRAY_TASK_ID"},
                       capture_output=True, text=True)
    check(p.returncode != 0 and "SLURM_ARRAY_TASK_ID" in p.stderr,
          "without SLURM_ARRAY_TASK_ID the script refuses", p.stderr)
    for out, label in ((par, "parallel"), (sl, "slurm")):
        p = subprocess.run([t.host.yieldlab, "merge", out], capture_output=True, text=True)
        try:
            js = json.load(open(os.path.join(out, "summary.json")))
        except (OSError, ValueError):
            js = None
        check(p.returncode == 0 and js is not None and not schema.problems(js),
              "merge of the %s runs: exit 0, a valid summary.json" % label, p.stderr)
        if not (js and direct):
            continue
        same = (js["plan"] == direct["plan"] and js["runs"] == direct["runs"]
                and [(c["label"], c["runs_ok"], sorted(c["metrics"]),
                      sorted(c["metrics"]["lock_ops_per_s"].get("vs_baseline", {})))
                     for c in js["cells"]]
                == [(c["label"], c["runs_ok"], sorted(c["metrics"]),
                     sorted(c["metrics"]["lock_ops_per_s"].get("vs_baseline", {})))
                    for c in direct["cells"]])
        check(same, "%s + merge gives compare's summary: the same plan, cells, runs, metrics "
              "and comparisons (the numbers are other runs')" % label)
    p = subprocess.run([t.host.yieldlab, "merge", par, sl, "--out", os.path.join(d, "both")],
                       capture_output=True, text=True)
    check(p.returncode == 0 and "4 of 4 planned runs from 2 directories" in p.stderr,
          "merge of two directories of one plan", p.stderr)
    if direct_o.outdir:
        merge_same(t, direct_o.outdir, "direct")
        other = os.path.join(d, "other")
        subprocess.run([t.host.yieldlab, "compare"] + plan[:-1] + ["3", "--out", other, "--emit",
                                                                    "parallel", os.devnull],
                       capture_output=True)
        p = subprocess.run([t.host.yieldlab, "merge", direct_o.outdir, other],
                           capture_output=True, text=True)
        check(p.returncode == 2 and "another plan" in p.stderr and p.stderr.count("\n") == 1,
              "merge refuses directories of different plans: exit 2, one line", p.stderr)
