#!/usr/bin/env python3
"""Run yieldlab on real KVM: natively where /dev/kvm works, else in the
emulated KVM host of shared/DESIGN.md (QEMU TCG with nested SVM, a Debian
6.12 kernel that loads kvm_amd, a busybox initramfs carrying the binary).
--kernel patched boots instead linux-source-6.12 with the series of
kernel/series (kernel/build.sh), --kernel plain the same build without it.

As a program:  scripts/emuhost.py [--build DIR] -- run --vcpus 8 --json out.json
runs one yieldlab command there, prints what it printed and leaves the file
--json named on the caller's machine, as a native run would; likewise the
directory of --out (compare), whose progress is shown as it runs.  Timings inside
the emulated host are 30-60x those of hardware: compare ratios and counts.
"""
import argparse
import base64
import io
import json
import os
import re
import shlex
import shutil
import signal as signals
import stat
import subprocess
import sys
import tarfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Failure(Exception):
    pass


class Run:
    """One yieldlab invocation.  @JSON@, @OUT@ (a directory that comes back
    as Outcome.outdir) and @DATA@ in args are placeholders.  With shell, a
    sh -c script runs instead, @YL@ in it naming yieldlab, @JSON@ and @OUT@
    as in args.  With progress, its stderr is shown while it runs."""

    def __init__(self, name, args, signal=None, delay=0.0, timeout=300, shell=None,
                 progress=False):
        self.name, self.args, self.signal = name, args, signal
        self.delay, self.timeout, self.shell = delay, timeout, shell
        self.progress = progress


class Outcome:
    def __init__(self, rc, out, err, js, raw=None, outdir=None):
        self.rc, self.out, self.err, self.json = rc, out, err, js
        self.json_raw = raw     # the file's bytes, as yieldlab wrote them
        self.outdir = outdir    # @OUT@ on this machine, if the run made it

    def __repr__(self):
        return "rc=%s\n--- stdout\n%s\n--- stderr\n%s" % (self.rc, self.out, self.err)


# --------------------------------------------------------------- hosts
def kvm_usable():
    """A KVM character device we may open read-write (never creates one)."""
    try:
        if not stat.S_ISCHR(os.stat("/dev/kvm").st_mode):
            return False
        fd = os.open("/dev/kvm", os.O_RDWR)
    except OSError:
        return False
    os.close(fd)
    return True


# What the suite asserts (pause-loop exiting, io_exits, HLT and kick, the
# timings it scales by) is hardware KVM's; kvm_pvm runs guests without VMX
# or SVM and differs in all of these (see README, "KVM without VMX or SVM").
HW_MODULES = ("kvm_intel", "kvm_amd")


def kvm_vendor():
    """The vendor module behind /dev/kvm, found as yl_kvm_impl_probe() does."""
    found = [m for m in HW_MODULES + ("kvm_pvm",) if os.path.isdir("/sys/module/" + m)]
    return found[0] if len(found) == 1 else "unknown"


class NativeHost:
    kind = "native /dev/kvm"

    def __init__(self, yieldlab, workdir):
        self.yieldlab, self.workdir = yieldlab, workdir

    def run_all(self, runs, files):
        data = os.path.join(self.workdir, "data")
        os.makedirs(data, exist_ok=True)
        for name, content in files.items():
            with open(os.path.join(data, name), "wb") as f:
                f.write(content)
        res = {}
        for r in runs:
            jpath = os.path.join(self.workdir, r.name + ".json")
            opath = os.path.join(self.workdir, r.name + ".d")
            if os.path.exists(jpath):
                os.unlink(jpath)
            shutil.rmtree(opath, ignore_errors=True)
            args = [a.replace("@JSON@", jpath).replace("@OUT@", opath).replace("@DATA@", data)
                    for a in r.args]
            cmd = [self.yieldlab] + args
            if r.shell:
                cmd = ["sh", "-c", r.shell.replace("@YL@", os.path.abspath(self.yieldlab))
                       .replace("@JSON@", jpath).replace("@OUT@", opath)]
            p = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                 stderr=None if r.progress else subprocess.PIPE, text=True)
            if r.signal:
                time.sleep(r.delay)
                p.send_signal(getattr(signals, "SIG" + r.signal))
            out, err = p.communicate(timeout=r.timeout)
            raw = read_bytes(jpath)
            res[r.name] = Outcome(p.returncode, out, err or "", json.loads(raw) if raw else None,
                                  raw, opath if os.path.isdir(opath) else None)
        return res


def read_bytes(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def ldd_deps(binary):
    """Shared objects a dynamic binary needs (empty for a static one)."""
    p = subprocess.run(["ldd", binary], capture_output=True, text=True)
    deps = []
    for line in p.stdout.splitlines():
        parts = line.split()
        for tok in parts:
            if tok.startswith("/") and os.path.exists(tok):
                deps.append(tok)
    return deps


class EmulatedHost:
    kind = "emulated KVM host (QEMU TCG, nested SVM)"
    MODULES = ["irqbypass", "kvm", "ccp", "kvm-amd"]
    # Coop's executor runs a vCPU migrated by sched/ on another thread,
    # and 6.12's KVM_RUN then waits for an RCU grace period
    # (kvm_vcpu_ioctl(): synchronize_rcu() when vcpu->pid changes).  A
    # host set up for coop runs expedites them, as docs/coop.md says;
    # handoff at 8:2 made 124-196 lock ops/s without, 2846-3172 with.
    RCU = "rcupdate.rcu_expedited=1"

    KERNELS = ("stock", "patched", "plain")

    # a kernel parameter as the command line takes it, nothing a shell reads
    KERNEL_ARG = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)?=[A-Za-z0-9_.,-]+\Z")

    def __init__(self, yieldlab, workdir, kernel="stock", kernel_args=()):
        self.yieldlab, self.workdir, self.kernel = yieldlab, workdir, kernel
        for arg in kernel_args:
            if not self.KERNEL_ARG.match(arg):
                raise Failure("--kernel-arg %r: allowed name=value of letters, digits, _.,-" % arg)
        if kernel_args and kernel == "stock":
            raise Failure("--kernel-arg: only with --kernel patched or plain")
        self.kernel_args = list(kernel_args)
        for tool in ("qemu-system-x86_64", "cpio"):
            if not shutil.which(tool):
                raise Failure("emulated KVM host needs %s (run scripts/install-deps.sh)" % tool)
        self.busybox = "/bin/busybox"
        if not os.path.exists(self.busybox):
            raise Failure("emulated KVM host needs busybox-static (/bin/busybox)")
        if kernel == "stock":
            cmd = [os.path.join(ROOT, "scripts", "fetch-kernel.sh")]
        elif kernel in self.KERNELS:
            # ours: KVM built in, nothing to load
            cmd = [os.path.join(ROOT, "kernel", "build.sh"), kernel]
            self.MODULES = []
        else:
            raise Failure("--kernel %s: allowed %s" % (kernel, "|".join(self.KERNELS)))
        p = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
        if p.returncode:
            raise Failure("cannot get the emulated host's %s kernel (%s)" % (kernel, cmd[0]))
        self.kdir = p.stdout.strip().splitlines()[-1]

    def _stage(self, root, runs, files):
        for d in ("bin", "dev", "proc", "sys", "tmp", "data", "lib/modules"):
            os.makedirs(os.path.join(root, d), exist_ok=True)
        for binary in (self.busybox, self.yieldlab):
            for dep in ldd_deps(binary):
                dst = os.path.join(root, dep.lstrip("/"))
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                shutil.copy2(dep, dst)
        shutil.copy2(self.busybox, os.path.join(root, "bin", "busybox"))
        shutil.copy2(self.yieldlab, os.path.join(root, "yieldlab"))
        for m in self.MODULES:
            shutil.copy2(os.path.join(self.kdir, m + ".ko"),
                         os.path.join(root, "lib/modules", m + ".ko"))
        for name, content in files.items():
            with open(os.path.join(root, "data", name), "wb") as f:
                f.write(content)
        init = os.path.join(root, "init")
        with open(init, "w") as f:
            f.write(self._init_script(runs))
        os.chmod(init, 0o755)

    def _init_script(self, runs):
        lines = [
            "#!/bin/busybox sh",
            "/bin/busybox --install -s /bin",
            "export PATH=/bin",
            "mount -t proc proc /proc; mount -t sysfs sys /sys",
            "mount -t devtmpfs dev /dev; mount -t tmpfs tmp /tmp",
            "mount -t debugfs debugfs /sys/kernel/debug",
            "mount -t cgroup2 cgroup2 /sys/fs/cgroup",
            "mkdir -p /tmp/r /run",
        ]
        lines += ["insmod /lib/modules/%s.ko || echo 'insmod %s failed'" % (m, m)
                  for m in self.MODULES]
        lines += [
            "emit() { [ -d /tmp/r/$1.d ] && tar -C /tmp/r/$1.d -cf /tmp/r/$1.tar .;"
            " for s in out err rc json tar; do f=/tmp/r/$1.$s; [ -e $f ] || continue;"
            " echo \"@@YL-BEGIN $1 $s\"; base64 $f; echo '@@YL-END'; done > /dev/ttyS1; }",
            "{ echo '@@YL-BEGIN _host env'; { uname -r; ls -l /dev/kvm;"
            " cat /sys/module/kvm_amd/parameters/npt; } 2>&1 | base64; echo '@@YL-END'; } > /dev/ttyS1",
            "[ -e /dev/kvm ] || { echo '@@YL-NOKVM' > /dev/ttyS1; dmesg | tail -30; %s; }" % self._off(),
        ]
        for r in runs:
            o = "/tmp/r/%s" % r.name
            args = " ".join(shlex.quote(a.replace("@JSON@", o + ".json").replace("@OUT@", o + ".d")
                                        .replace("@DATA@", "/data")) for a in r.args)
            if r.shell:
                lines.append("sh -c %s > %s.out 2> %s.err; echo $? > %s.rc"
                             % (shlex.quote(r.shell.replace("@YL@", "/yieldlab")
                                            .replace("@JSON@", o + ".json")
                                            .replace("@OUT@", o + ".d")), o, o, o))
            elif r.progress:
                # stderr to the third serial port, shown on the caller's as it
                # comes; through a pipe, so yieldlab sees no terminal
                lines.append("{ /yieldlab %s 2>&1 > %s.out; echo $? > %s.rc; } | cat > /dev/ttyS2"
                             % (args, o, o))
            elif r.signal:
                lines.append("/yieldlab %s > %s.out 2> %s.err & pid=$!" % (args, o, o))
                lines.append("sleep %.2f; kill -%s $pid; wait $pid; echo $? > %s.rc"
                             % (r.delay, r.signal, o))
            else:
                lines.append("/yieldlab %s > %s.out 2> %s.err; echo $? > %s.rc" % (args, o, o, o))
            lines.append("emit %s" % r.name)
        lines += ["echo '@@YL-ALLDONE' > /dev/ttyS1", "sync", self._off()]
        return "\n".join(lines) + "\n"

    def _off(self):
        """How init ends the boot.  Our kernels' ACPI is too small to power
        off with (no PCI): they reset, which QEMU's -no-reboot turns into
        its exit."""
        return "poweroff -f" if self.kernel == "stock" else "reboot -f"

    def _pack(self, root, cpio_path):
        names = subprocess.run(["find", "."], cwd=root, capture_output=True,
                               text=True, check=True).stdout
        with open(cpio_path, "wb") as out:
            subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"], cwd=root,
                           input=names.encode(), stdout=out, check=True)

    BOOT_TRIES = 3

    def run_all(self, runs, files):
        root = os.path.join(self.workdir, "initramfs")
        shutil.rmtree(root, ignore_errors=True)
        self._stage(root, runs, files)
        cpio = os.path.join(self.workdir, "initramfs.cpio")
        self._pack(root, cpio)
        limit = 90 + sum(r.timeout + r.delay for r in runs)
        # The emulated host's own kernel sometimes oopses while booting under
        # multi-threaded TCG (int3 left by text patching).  That happens before
        # our init announces itself; only then is a boot tried again.
        for attempt in range(1, self.BOOT_TRIES + 1):
            console, results = self._boot(cpio, limit)
            if self._booted(results):
                return self._parse(results, console, runs)
            print("  emulated host: boot %d failed before init ran; console:\n%s"
                  % (attempt, tail(console, 12)))
        raise Failure("emulated host failed to boot %d times" % self.BOOT_TRIES)

    @staticmethod
    def _booted(results):
        try:
            return "@@YL-BEGIN _host env" in open(results, errors="replace").read()
        except FileNotFoundError:
            return False

    def _boot(self, cpio, limit):
        console = os.path.join(self.workdir, "console.log")
        results = os.path.join(self.workdir, "results.txt")
        progress = os.path.join(self.workdir, "progress.log")
        for p in (console, results, progress):
            if os.path.exists(p):
                os.unlink(p)
        # One TCG thread for both CPUs.  Every VM yieldlab creates or
        # destroys flips KVM's preempt-notifier static key, which live-
        # patches __schedule (text_poke_bp); under multi-threaded TCG the
        # other CPU could still run the patched site's int3 after the patch
        # completed, and the emulated host's kernel died with "Oops: int3"
        # in __schedule (seen in CI in guest_fault and locks_pv_4v1p).
        cmd = ["qemu-system-x86_64", "-accel", "tcg,thread=single", "-cpu", "max,+svm,+npt",
               "-smp", "2", "-m", "1024", "-display", "none", "-no-reboot",
               "-monitor", "none", "-nic", "none",
               "-serial", "file:" + console, "-serial", "file:" + results,
               "-serial", "file:" + progress,
               "-kernel", os.path.join(self.kdir, "vmlinuz"), "-initrd", cpio,
               "-append", " ".join(["console=ttyS0 quiet panic=-1", self.RCU]
                                   + self.kernel_args)]
        t0 = time.time()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
        shown = 0
        while p.poll() is None:
            shown = show_progress(progress, shown)
            if time.time() - t0 > limit:
                p.kill()
                p.wait()
                raise Failure("emulated host did not finish within %d s; console:\n%s"
                              % (limit, tail(console)))
            time.sleep(0.5)
        show_progress(progress, shown)
        print("  emulated host: %.1f s from boot to power-off" % (time.time() - t0))
        return console, results

    def _parse(self, results, console, runs):
        try:
            text = open(results, errors="replace").read().replace("\r", "")
        except FileNotFoundError:
            raise Failure("emulated host wrote no results; console:\n" + tail(console))
        if "@@YL-NOKVM" in text:
            raise Failure("emulated host has no /dev/kvm; console:\n" + tail(console))
        blobs, cur, buf = {}, None, []
        for line in text.split("\n"):
            if line.startswith("@@YL-BEGIN "):
                cur, buf = tuple(line.split()[1:3]), []
            elif line == "@@YL-END" and cur:
                blobs[cur] = base64.b64decode("".join(buf))
                cur = None
            elif cur:
                buf.append(line.strip())
        env = blobs.get(("_host", "env"), b"").decode(errors="replace")
        print("  emulated host: " + " | ".join(env.split("\n")).strip())
        res = {}
        for r in runs:
            if (r.name, "rc") not in blobs:
                raise Failure("run %s produced no exit code; console:\n%s"
                              % (r.name, tail(console)))
            js = blobs.get((r.name, "json"))
            outdir = None
            if (r.name, "tar") in blobs:
                outdir = os.path.join(self.workdir, r.name + ".d")
                shutil.rmtree(outdir, ignore_errors=True)
                untar(blobs[(r.name, "tar")], outdir)
            res[r.name] = Outcome(int(blobs[(r.name, "rc")].decode().strip()),
                                  blobs.get((r.name, "out"), b"").decode(errors="replace"),
                                  blobs.get((r.name, "err"), b"").decode(errors="replace"),
                                  json.loads(js) if js else None, js, outdir)
        return res


def untar(blob, dest):
    """A tar the emulated host made, into dest: regular files and
    directories only, none outside dest."""
    with tarfile.open(fileobj=io.BytesIO(blob)) as t:
        members = [m for m in t.getmembers() if (m.isfile() or m.isdir())
                   and not os.path.isabs(m.name) and ".." not in m.name.split("/")]
        t.extractall(dest, members=members)


def show_progress(path, shown):
    """What a progress run wrote to the third serial port since @shown."""
    try:
        with open(path, "rb") as f:
            f.seek(shown)
            data = f.read()
    except FileNotFoundError:
        return shown
    end = data.rfind(b"\n") + 1     # whole lines only
    lines = [ln for ln in data[:end].decode(errors="replace").replace("\r", "").split("\n") if ln]
    if lines:
        sys.stderr.write("".join("  | %s\n" % ln for ln in lines))
        sys.stderr.flush()
    return shown + end


def tail(path, n=60):
    try:
        return "\n".join(open(path, errors="replace").read().splitlines()[-n:])
    except FileNotFoundError:
        return "(no console log)"


def pick_host(yieldlab, workdir, which="auto", kernel="stock", kernel_args=()):
    """native where /dev/kvm works on VMX or SVM (or when asked), else the
    emulated host booting @kernel; the host's why says why it was chosen."""
    if kernel != "stock" and which != "emulated":
        raise Failure("--kernel %s: only with the emulated host" % kernel)
    if which == "native":
        if not kvm_usable():
            raise Failure("native KVM requested but /dev/kvm is not usable")
        host = NativeHost(yieldlab, workdir)
        host.why = "asked for, vendor module %s" % kvm_vendor()
        return host
    if which == "auto" and kvm_usable():
        vendor = kvm_vendor()
        if vendor in HW_MODULES:
            host = NativeHost(yieldlab, workdir)
            host.why = "/dev/kvm is %s" % vendor
            return host
        why = "/dev/kvm is %s, not kvm_intel or kvm_amd" % vendor
    elif which == "auto":
        why = "/dev/kvm not usable"
    else:
        why = "asked for"
    host = EmulatedHost(yieldlab, workdir, kernel, kernel_args)
    host.why = why if kernel == "stock" else "booting kernel/'s %s kernel" % kernel
    return host


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--host", choices=("auto", "native", "emulated"), default="auto")
    ap.add_argument("--kernel", choices=EmulatedHost.KERNELS, default="stock",
                    help="the emulated host's kernel: Debian's, or linux-source-6.12 "
                    "with (patched) or without (plain) the series of kernel/")
    ap.add_argument("--kernel-arg", action="append", default=[], metavar="NAME=VALUE",
                    help="a parameter for --kernel patched|plain's command line, e.g. "
                    "kvm_amd.pause_exit_unfiltered=1 (docs/kernel.md); repeatable")
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--workdir", help="scratch directory (default BUILD/emuhost); one per concurrent call")
    ap.add_argument("args", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    args = a.args[1:] if a.args[:1] == ["--"] else a.args
    args, json_out = take_path(args, "--json", "@JSON@")
    args, out_dir = take_path(args, "--out", "@OUT@")
    workdir = a.workdir or os.path.join(a.build, "emuhost")
    os.makedirs(workdir, exist_ok=True)
    try:
        host = pick_host(os.path.join(a.build, "yieldlab"), workdir, a.host, a.kernel,
                         a.kernel_arg)
        print("yieldlab %s  [on %s: %s]" % (" ".join(args), host.kind, host.why),
              file=sys.stderr)
        o = host.run_all([Run("cmd", args, timeout=a.timeout,
                              progress=args[:1] == ["compare"])], {})["cmd"]
    except Failure as e:
        print("emuhost: %s" % e, file=sys.stderr)
        return 3
    sys.stdout.write(o.out)
    sys.stderr.write(o.err)
    if json_out and o.json_raw is not None:
        tmp = json_out + ".emuhost-tmp"
        with open(tmp, "wb") as f:
            f.write(o.json_raw)
        os.replace(tmp, json_out)
    elif json_out and o.rc == 0:
        print("emuhost: the run wrote no --json file", file=sys.stderr)
        return 3
    if out_dir and o.outdir:
        shutil.copytree(o.outdir, out_dir, dirs_exist_ok=True)
    return o.rc


def take_path(args, opt, placeholder):
    """OPT PATH names a path on this machine (--json's file, compare's --out
    directory): the run writes where the host can return it (@JSON@, @OUT@),
    and main() puts what comes back at PATH."""
    out, args = None, list(args)
    for i, a in enumerate(args):
        if a == opt and i + 1 < len(args):
            out, args[i + 1] = args[i + 1], placeholder
        elif a.startswith(opt + "="):
            out, args[i] = a[len(opt) + 1:], opt + "=" + placeholder
    return args, out


if __name__ == "__main__":
    sys.exit(main())
