#!/usr/bin/env python3
"""yieldlab as root against files another local user wrote (no KVM
needed: compare --mode sim, merge and sim stand in for run, whose outputs
share outfile.c and whose KVM cases are in tests/kvm).

Each check is a reproducer of issue 25 that passed before its fix:
- a plan's label reaching gnuplot's command language (`backquotes`);
- outputs that replaced a device node or FIFO by a regular file, and
  `-` for standard output;
- --emit following a planted link and truncating its target;
- --resume, merge and --out taking a directory another user owns or can
  write, or whose runs/ another user owns;
- reads that hung on a FIFO (--plan, --calibrate, a resumed plan, a
  merged meta.json), each bounded here by a 20 s timeout that a hang hits;
- a truncated meta.json or run.json that --resume took as done, and merge
  exiting 0 with runs missing.
Run as root; the hostile files are written as `nobody`.

usage: hostile.py YIELDLAB"""
import fcntl
import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile

YL = os.path.abspath(sys.argv[1])
NOBODY = pwd.getpwnam("nobody")
failures = []
passed = []
SWEEP = ["--mode", "sim", "--sched", "coop", "--vcpus", "4", "--pcpus", "2",
         "--pv", "yield", "--policy", "none,forfeit", "--duration", "50", "--reps", "2"]


def check(ok, what, detail=""):
    print("%s  %s%s" % ("ok  " if ok else "FAIL", what, (": " + detail) if not ok and detail else ""))
    (passed if ok else failures).append(what)
    return ok


CWD = None	# the test's own directory: a binary that writes "-" as a file writes it there


def yl(args, **kw):
    try:
        return subprocess.run([YL] + args, capture_output=True, text=True, timeout=20,
                              cwd=CWD, **kw)
    except subprocess.TimeoutExpired:
        return None


def read_all(fd):
    chunks = []
    while True:
        try:
            b = os.read(fd, 65536)
        except BlockingIOError:
            b = b""
        if not b:
            return b"".join(chunks)
        chunks.append(b)


def as_nobody():
    os.setgroups([])
    os.setgid(NOBODY.pw_gid)
    os.setuid(NOBODY.pw_uid)


def one_line_refusal(p, code, what, needle):
    ok = p is not None and p.returncode == code and needle in p.stderr and \
        len(p.stderr.strip().splitlines()) == 1
    check(ok, what, "hung" if p is None else "exit %d: %s" % (p.returncode, p.stderr.strip()[:300]))


def gnuplot_titles(tmp):
    """Item 1: the reproducer of the issue, merged by root."""
    pwned = os.path.join(tmp, "PWNED")
    d = os.path.join(tmp, "g")
    os.mkdir(d)
    os.mkdir(os.path.join(d, "runs"))
    with open(os.path.join(d, "plan"), "w") as f:
        f.write("reps 1\nvcpus 2,4\nguest /x'`touch %s`' <b>&\nguest /y\n" % pwned)
    p = yl(["merge", "--out", os.path.join(tmp, "gm"), d])
    check(p is not None and not os.path.exists(pwned),
          "merge: a plan's label never runs as a gnuplot command", p and p.stderr[-300:])
    gp = open(os.path.join(tmp, "gm", "plots", "throughput.gp")).read()
    check("touch" not in gp, "merge: no label byte in the .gp scripts")
    dat = open(os.path.join(tmp, "gm", "plots", "throughput.dat")).read()
    html = open(os.path.join(tmp, "gm", "report.html")).read()
    check("<b>&" not in html and "&lt;b&gt;&amp;" in html,
          "report.html: the label is escaped, not markup")
    check("/x'`touch %s`' <b>&" % pwned in dat, "the plot still carries the label, as data")


def outputs(tmp):
    """Item 2: devices and FIFOs written in place; `-` is stdout."""
    node = os.path.join(tmp, "null")
    os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    p = yl(["sim", "--quiet", "--duration", "20", "--json", node, "--timeline", node,
            "--sched", "coop"])
    check(p is not None and p.returncode == 0 and stat.S_ISCHR(os.lstat(node).st_mode),
          "sim --json DEVICE: the device node is still one", p and p.stderr)
    p = yl(["sim", "--quiet", "--duration", "20", "--json", "-"])
    try:
        doc = json.loads(p.stdout)
    except (ValueError, AttributeError):
        doc = None
    check(doc is not None and doc.get("command") == "sim",
          "sim --json -: standard output is the JSON alone", p and p.stdout[:200])
    # /dev/fd/3 onto a regular file: written through the descriptor
    target = os.path.join(tmp, "fd3.json")
    p = subprocess.run(["sh", "-c", 'exec "$0" sim --quiet --duration 20 --json /dev/fd/3 3>"$1"',
                        YL, target], capture_output=True, text=True, timeout=20, cwd=tmp)
    try:
        doc = json.load(open(target))
    except ValueError:
        doc = None
    check(p.returncode == 0 and doc is not None and doc.get("command") == "sim",
          "sim --json /dev/fd/3: the descriptor's file gets the JSON", p.stderr)
    fifo = os.path.join(tmp, "fifo")
    os.mkfifo(fifo)
    p = yl(["sim", "--quiet", "--duration", "20", "--json", fifo])
    one_line_refusal(p, 2, "--json FIFO with no reader: refused at once, not hung",
                     "nobody reads")
    check(stat.S_ISFIFO(os.lstat(fifo).st_mode), "... and the FIFO is still one")
    # the reader is there first, with room for the whole file: read after
    rfd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    fcntl.fcntl(rfd, fcntl.F_SETPIPE_SZ, 1 << 20)
    p = yl(["sim", "--quiet", "--duration", "20", "--json", fifo])
    out = read_all(rfd)
    os.close(rfd)
    check(p is not None and p.returncode == 0 and b'"command": "sim"' in out,
          "--json FIFO with a reader: the reader gets the JSON")
    sock_dir = os.path.join(tmp, "blk")
    os.mkdir(sock_dir)
    blk = os.path.join(sock_dir, "loop")
    os.mknod(blk, 0o600 | stat.S_IFBLK, os.makedev(7, 0))
    p = yl(["sim", "--quiet", "--duration", "20", "--json", blk])
    one_line_refusal(p, 2, "--json BLOCK-DEVICE: refused", "block device")
    check(stat.S_ISBLK(os.lstat(blk).st_mode), "... and the node is untouched")


def stale_temps(tmp):
    """Item 17: a SIGKILLed writer's temporary file is removed by the next
    start that writes the same name; a live writer's, and another user's,
    are not."""
    d = os.path.join(tmp, "stale")
    os.mkdir(d)
    dead = subprocess.Popen(["true"])
    dead.wait()			# a PID nobody has now
    names = {"dead": ".out.json.%d.AbC123" % dead.pid,
             "live": ".out.json.%d.AbC123" % os.getpid(),
             "theirs": ".out.json.%d.XyZ789" % dead.pid}
    for k, n in names.items():
        open(os.path.join(d, n), "w").close()
    os.chown(os.path.join(d, names["theirs"]), NOBODY.pw_uid, NOBODY.pw_gid)
    p = yl(["sim", "--quiet", "--duration", "20", "--json", os.path.join(d, "out.json")])
    left = set(os.listdir(d))
    check(p is not None and p.returncode == 0 and names["dead"] not in left and
          names["live"] in left and names["theirs"] in left and "out.json" in left,
          "a dead writer's temporary file removed; a live one's and nobody's kept", str(left))


def emit_link(tmp):
    """Item 3: --emit FILE through a link planted by another user."""
    shared = os.path.join(tmp, "shared")
    os.mkdir(shared)
    os.chmod(shared, 0o1777)
    victim = os.path.join(tmp, "victim")
    with open(victim, "w") as f:
        f.write("root's file\n")
    link = os.path.join(shared, "cmds")
    subprocess.run(["ln", "-s", victim, link], preexec_fn=as_nobody, check=True)
    out = os.path.join(tmp, "emit-out")
    p = yl(["compare"] + SWEEP + ["--emit", "parallel", link, "--out", out])
    check(open(victim).read() == "root's file\n",
          "--emit LINK: the link's target is not written", p and p.stderr)
    bad = yl(["compare"] + SWEEP + ["--emit", "parallel", os.path.join(tmp, "no", "such"),
                                     "--out", os.path.join(tmp, "emit-bad")])
    check(bad is not None and bad.returncode == 2 and
          not os.path.exists(os.path.join(tmp, "emit-bad", "plan")),
          "a bad --emit FILE: exit 2 with nothing left in --out",
          bad and "exit %d" % bad.returncode)


def foreign_dirs(tmp):
    """Item 4: directories another user owns or can write."""
    base = os.path.join(tmp, "dirs")
    os.mkdir(base)
    good = os.path.join(base, "good")
    p = yl(["compare"] + SWEEP + ["--out", good])
    check(p is not None and p.returncode == 0, "a sweep of our own runs", p and p.stderr[-300:])
    theirs = os.path.join(base, "theirs")
    shutil.copytree(good, theirs)
    os.chown(theirs, NOBODY.pw_uid, NOBODY.pw_gid)
    one_line_refusal(yl(["compare", "--resume", theirs]), 2,
                     "--resume DIR owned by nobody: refused", "owned by uid")
    one_line_refusal(yl(["merge", theirs]), 2, "merge DIR owned by nobody: refused",
                     "owned by uid")
    open_dir = os.path.join(base, "open")
    shutil.copytree(good, open_dir)
    os.chmod(open_dir, 0o777)
    one_line_refusal(yl(["merge", open_dir]), 2, "merge DIR anyone can write: refused",
                     "no other user can write")
    runs_theirs = os.path.join(base, "runs-theirs")
    shutil.copytree(good, runs_theirs)
    os.chown(os.path.join(runs_theirs, "runs"), NOBODY.pw_uid, NOBODY.pw_gid)
    one_line_refusal(yl(["compare", "--resume", runs_theirs]), 2,
                     "--resume DIR whose runs/ nobody owns: refused", "runs")
    empty = os.path.join(base, "empty-theirs")
    os.mkdir(empty)
    os.chown(empty, NOBODY.pw_uid, NOBODY.pw_gid)
    one_line_refusal(yl(["compare"] + SWEEP + ["--out", empty]), 2,
                     "--out DIR owned by nobody: refused", "owned by uid")
    check(not os.listdir(empty), "... and nothing written there")
    parent = os.path.join(base, "loose")
    os.mkdir(parent)
    os.chmod(parent, 0o777)	# not sticky: nobody could swap what is in it
    inner = os.path.join(parent, "sweep")
    shutil.copytree(good, inner)
    one_line_refusal(yl(["merge", inner]), 2,
                     "merge DIR inside a directory anyone can write: refused",
                     "could replace it")


def fifo_reads(tmp):
    """Item 6: every read of a file another user could plant."""
    d = os.path.join(tmp, "fifos")
    os.mkdir(d)
    fifo = os.path.join(d, "plan.fifo")
    os.mkfifo(fifo)
    one_line_refusal(yl(["compare", "--plan", fifo, "--mode", "sim"]), 2,
                     "compare --plan FIFO: refused at once", "FIFO")
    one_line_refusal(yl(["compare", "--plan", d, "--mode", "sim"]), 2,
                     "compare --plan DIR: refused, no default sweep", "directory")
    one_line_refusal(yl(["sim", "--calibrate", fifo]), 2,
                     "sim --calibrate FIFO: refused at once", "FIFO")
    good = os.path.join(d, "sweep")
    p = yl(["compare"] + SWEEP + ["--out", good])
    resumed = os.path.join(d, "resumed")
    shutil.copytree(good, resumed)
    os.unlink(os.path.join(resumed, "plan"))
    os.mkfifo(os.path.join(resumed, "plan"))
    one_line_refusal(yl(["compare", "--resume", resumed]), 2,
                     "--resume with a FIFO as its plan: refused at once", "FIFO")
    merged = os.path.join(d, "merged")
    shutil.copytree(good, merged)
    meta = os.path.join(merged, "runs", "00000", "meta.json")
    os.unlink(meta)
    os.mkfifo(meta)
    p = yl(["merge", "--out", os.path.join(d, "m-out"), merged])
    check(p is not None and p.returncode == 1 and "1 of 4 runs failed or missing" in p.stderr,
          "merge with a FIFO meta.json: not hung, the run missing, exit 1",
          "hung" if p is None else "exit %d: %s" % (p.returncode, p.stderr[-200:]))


def resume_corrupt(tmp):
    """Item 16: a truncated record is not a finished run."""
    d = os.path.join(tmp, "corrupt")
    p = yl(["compare"] + SWEEP + ["--out", d])
    meta = os.path.join(d, "runs", "00001", "meta.json")
    run = os.path.join(d, "runs", "00002", "run.json")
    with open(meta, "r+") as f:
        f.truncate(10)
    with open(run, "r+") as f:
        f.truncate(100)
    p = yl(["compare", "--resume", d])
    rerun = p is not None and p.returncode == 0 and \
        json.load(open(meta))["index"] == 1 and json.load(open(run))["command"] == "sim"
    check(rerun, "--resume reruns a run whose meta.json or run.json is cut short",
          p and p.stderr[-300:])


def main():
    if os.geteuid() != 0:
        print("FAIL  hostile.py must run as root (it writes as nobody and merges as root)")
        return 1
    global CWD
    tmp = tempfile.mkdtemp(prefix="yl-hostile-")
    os.chmod(tmp, 0o755)
    CWD = tmp
    try:
        for part in (gnuplot_titles, outputs, stale_temps, emit_link, foreign_dirs,
                     fifo_reads, resume_corrupt):
            try:
                part(tmp)
            except (OSError, ValueError, KeyError, TypeError) as e:
                check(False, "%s: ended early" % part.__name__, repr(e))
    finally:
        shutil.rmtree(tmp)
    print("%d passed, %d failed" % (len(passed), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
