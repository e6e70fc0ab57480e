// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm_para.h>
#include <yieldlab/abi.h>
#include "cli/cli.h"
#include "hcprobe.h"

const struct yl_hc yl_hcs[3] = {
	{ KVM_HC_SCHED_YIELD, "KVM_HC_SCHED_YIELD" },
	{ KVM_HC_KICK_CPU, "KVM_HC_KICK_CPU" },
	{ KVM_HC_SEND_IPI, "KVM_HC_SEND_IPI" },
};

static const char *const verdicts[][2] = {
	[YL_HC_RETURNS] = { "returns", "returns" },
	[YL_HC_FAILS] = { "fails", "returns an error" },
	[YL_HC_STALLS] = { "stalls", "stalls the calling vCPU" },
	[YL_HC_UNKNOWN] = { "unknown", "could not be probed" },
};

/* The JSON's word for @v. */
const char *yl_hc_verdict_name(enum yl_hc_verdict v)
{
	return v <= YL_HC_UNKNOWN ? verdicts[v][0] : "?";
}

/* ...and a sentence's. */
const char *yl_hc_verdict_text(enum yl_hc_verdict v)
{
	return v <= YL_HC_UNKNOWN ? verdicts[v][1] : "?";
}

static const char *hc_name(unsigned int nr)
{
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(yl_hcs); k++)
		if (yl_hcs[k].nr == nr)
			return yl_hcs[k].name;
	return "?";
}

/* The probe VM's configuration: run's defaults, 2 vCPUs on one pCPU. */
static int probe_config(struct yl_config *c, unsigned int nr, struct yl_err *err)
{
	char *argv[] = { "yieldlab", "run", "--vcpus", "2", NULL };
	cpu_set_t allowed;

	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return yl_errf(err, "sched_getaffinity: %s", strerror(errno));
	if (yl_cli_parse(c, 4, argv, err) || yl_cli_check_host(c, &allowed, err))
		return -1;
	c->workload = YL_WL_PROBE;
	c->probe_hc = nr;
	return 0;
}

/* Until both vCPUs finished, or @ms passed: true if they did. */
static bool wait_finished(struct yl_vm *vm, int ms)
{
	uint64_t end = yl_now_ns() + (uint64_t)ms * 1000000;
	struct pollfd p = { .fd = vm->done_efd, .events = POLLIN };
	uint64_t c;

	while (__atomic_load_n(&vm->finished, __ATOMIC_ACQUIRE) < vm->nr_vcpus) {
		int64_t left = (int64_t)(end - yl_now_ns()) / 1000000;

		if (left <= 0)
			return false;
		if (poll(&p, 1, (int)left) > 0 && read(vm->done_efd, &c, sizeof(c)) < 0)
			return false;
	}
	return true;
}

/* What vCPU 0 counted of its one call (the guest's pv_probe()). */
static enum yl_hc_verdict outcome(const struct yl_vm *vm, unsigned int nr)
{
	const struct yl_vcpu_result *r =
		(const void *)(vm->mem + YL_VCPU_RESULT_GPA(0));

	if (vm->vcpus[0].end != YL_END_DONE)
		return YL_HC_UNKNOWN;
	switch (nr) {
	case KVM_HC_SCHED_YIELD:
		return r->yields != 1 ? YL_HC_UNKNOWN :
		       r->yields_failed ? YL_HC_FAILS : YL_HC_RETURNS;
	case KVM_HC_KICK_CPU:
		return r->kicks == 1 ? YL_HC_RETURNS : YL_HC_UNKNOWN;
	default:
		return r->ipi_hypercalls != 1 ? YL_HC_UNKNOWN :
		       r->ipi_hc_failed ? YL_HC_FAILS : YL_HC_RETURNS;
	}
}

/*
 * The guest's vCPU 0 calls @nr at vCPU 1 and reports done.  A vCPU that
 * has not come back in YL_HC_PROBE_MS is stopped as the watchdog stops
 * a run (immediate_exit and a kick); one that cannot even be stopped in
 * a second is left behind, its VM with it, rather than hang the caller.
 */
enum yl_hc_verdict yl_hc_probe(struct yl_kvm *kvm, unsigned int nr, char *why,
			       size_t len)
{
	struct yl_config *c = calloc(1, sizeof(*c));
	enum yl_hc_verdict v = YL_HC_UNKNOWN;
	struct yl_vm vm;
	struct yl_err err;
	bool back;

	snprintf(why, len, "%s", "");
	if (!c || probe_config(c, nr, &err) ||
	    yl_vm_create(&vm, kvm, c, yl_guest_image,
			 (size_t)(yl_guest_image_end - yl_guest_image), &err)) {
		snprintf(why, len, "%s", c ? err.msg : "out of memory");
		free(c);
		return YL_HC_UNKNOWN;
	}
	yl_vcpu_signal_init();
	if (yl_vm_start(&vm, &err)) {
		snprintf(why, len, "%s", err.msg);
		goto out;
	}
	back = wait_finished(&vm, YL_HC_PROBE_MS);
	if (!back)
		yl_vm_stop_all(&vm);
	if (!back && !wait_finished(&vm, 1000)) {
		snprintf(why, len, "%s: the vCPU could not be stopped", hc_name(nr));
		return YL_HC_STALLS;	/* its threads still hold the VM and @c */
	}
	yl_vm_join(&vm);
	v = back ? outcome(&vm, nr) : YL_HC_STALLS;
	if (v == YL_HC_UNKNOWN)
		snprintf(why, len, "%s: the probe guest ended %s", hc_name(nr),
			 yl_vcpu_end_name(vm.vcpus[0].end));
out:
	yl_vm_destroy(&vm);
	free(c);
	return v;
}

/* The KVM hypercalls a host-mode run of @cfg makes. */
static unsigned int hypercalls_of(const struct yl_config *cfg, unsigned int *nrs)
{
	unsigned int n = 0;

	if (cfg->sched != YL_SCHED_HOST)
		return 0;	/* coop: yieldlab's own port calls */
	if (cfg->pv == YL_PV_YIELD)
		nrs[n++] = KVM_HC_SCHED_YIELD;
	if (cfg->pv == YL_PV_HALT && yl_wl_has_locks(cfg->workload))
		nrs[n++] = KVM_HC_KICK_CPU;
	if (yl_wl_has_ipis(cfg->workload) && cfg->ipi_via == YL_IPI_HYPERCALL)
		nrs[n++] = KVM_HC_SEND_IPI;
	return n;
}

/*
 * Before a run changes anything: each KVM hypercall it would make must
 * come back here, or the run is refused (exit 3) with the reason, instead
 * of ending at the watchdog having compared nothing.
 */
int yl_hc_check_run(const struct yl_config *cfg, struct yl_kvm *kvm,
		    struct yl_err *err)
{
	unsigned int nrs[3], n = hypercalls_of(cfg, nrs), k;
	char why[400];

	for (k = 0; k < n; k++) {
		enum yl_hc_verdict v = yl_hc_probe(kvm, nrs[k], why, sizeof(why));

		if (v == YL_HC_STALLS)
			return yl_errf(err, "%s %s on this host (KVM module %s), so a run that makes it would end at the watchdog; allowed here: --sched coop, or %s",
				       hc_name(nrs[k]), yl_hc_verdict_text(v),
				       yl_kvm_impl_name(kvm->impl),
				       nrs[k] == KVM_HC_SEND_IPI ? "--ipi-via icr" : "--pv none");
		if (v == YL_HC_UNKNOWN)
			return yl_errf(err, "checking %s: %s", hc_name(nrs[k]), why);
	}
	return 0;
}
