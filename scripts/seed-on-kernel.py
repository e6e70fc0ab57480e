#!/usr/bin/env python3
"""The seed's setting on kernel/'s patched kernel, scaled to the emulated
host (issue 27): 2, 3 and 4 VMs of 4 vCPUs, each VM in its own cgroup under
one parent, on 2 pCPUs, the lock + IPI mix with PV yield, YIELD_TO_LAG_CREDIT
on against off in interleaved rounds (`yieldlab compare`).  The seed
measured dbench +14.4/+9.8/+6.7% and dedup +47.1/+28.1/+1.7% at 2/3/4 VMs of
16 vCPUs on 16 pCPUs.

  scripts/seed-on-kernel.py --out DIR [--reps 10] [--seed 1]

DIR gets compare's directory (DIR/compare) and its summary on stdout."""
import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from emuhost import EmulatedHost, Failure, Run  # noqa: E402

CG = "/sys/fs/cgroup"
SETUP = ("echo +cpu > {0}/cgroup.subtree_control && mkdir -p {0}/seed &&"
         " echo +cpu > {0}/seed/cgroup.subtree_control").format(CG)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    args = ["compare", "--vms", "2,3,4", "--vcpus", "4", "--pcpus", "0-1",
            "--cgroup", "seed", "--workload", "mixed", "--lock", "qspinlock",
            "--pv", "yield", "--pause-exits", "off", "--duration", "1000",
            "--sched-feature", "NO_YIELD_TO_LAG_CREDIT,YIELD_TO_LAG_CREDIT",
            "--baseline", "sched-feature=NO_YIELD_TO_LAG_CREDIT",
            "--reps", str(a.reps), "--seed", str(a.seed), "--out", "@OUT@"]
    try:
        host = EmulatedHost(os.path.join(a.build, "yieldlab"),
                            os.path.join(a.out, "emuhost"), "patched")
        res = host.run_all([Run("setup", [], shell=SETUP),
                            Run("compare", args, timeout=5400, progress=True)], {})
    except Failure as e:
        sys.exit("seed-on-kernel: %s" % e)
    if res["setup"].rc:
        sys.exit("seed-on-kernel: cgroup setup failed: %s" % res["setup"].err)
    o = res["compare"]
    sys.stdout.write(o.out)
    sys.stderr.write(o.err)
    if o.outdir:
        dest = os.path.join(a.out, "compare")
        if os.path.exists(dest):
            sys.exit("seed-on-kernel: %s exists; compare's directory is in %s" % (dest, o.outdir))
        os.rename(o.outdir, dest)
    return o.rc


if __name__ == "__main__":
    sys.exit(main())
