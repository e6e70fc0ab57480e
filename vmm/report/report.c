// SPDX-License-Identifier: GPL-2.0
/*
 * What a run measured: the guest's records (copied, untrusted), the
 * userspace exits, KVM's own statistics and the host's view of each vCPU
 * thread, with the cross-checks between them.
 */
#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "out/json.h"
#include "vmm/host/privs.h"
#include "report.h"

uint64_t yl_kstat_value(const struct yl_vcpu *v, const char *name, bool *ok)
{
	int i = v->ks_valid ? yl_kstats_find(&v->ks, name) : -1;
	uint32_t k;

	*ok = i >= 0;
	if (i < 0)
		return 0;
	k = v->ks.desc[i].value_idx;
	return v->ks_after[k] - v->ks_before[k];
}

double yl_cycles_to_ms(const struct yl_vm *vm, uint64_t c)
{
	return vm->tsc_khz ? (double)c / (double)vm->tsc_khz : 0;
}

double yl_cycles_to_ns(const struct yl_vm *vm, double c)
{
	return vm->tsc_khz ? c * 1e6 / (double)vm->tsc_khz : 0;
}

/* The shared counter against the ops counted, as check_mutex() explains. */
bool yl_mutex_holds(bool complete, uint64_t counter, uint64_t ops,
		    unsigned int unfinished)
{
	if (complete)
		return counter == ops;
	return counter >= ops && counter - ops <= unfinished;
}

static unsigned int unfinished(const struct yl_vm *vm)
{
	unsigned int i, n = 0;

	for (i = 0; i < vm->nr_vcpus; i++)
		n += vm->vcpus[i].end != YL_END_DONE;
	return n;
}

static void check_mutex(struct yl_report *r)
{
	struct yl_check *c = &r->mutex;
	uint64_t cnt = r->sum.shared_counter;

	if (!yl_wl_has_locks(r->vm->cfg->workload)) {
		c->state = -1;
		snprintf(c->text, sizeof(c->text), "no lock workload");
		return;
	}
	/*
	 * A guest counts its op after the release (one_op()), so each vCPU
	 * stopped between its write and its count leaves the counter one
	 * ahead, whoever holds the lock by then: one per unfinished vCPU.
	 * A lost update puts the counter behind, which no stop explains.
	 */
	c->state = yl_mutex_holds(r->complete, cnt, r->ops, unfinished(r->vm));
	snprintf(c->text, sizeof(c->text), "counter %" PRIu64 " %s sum of ops %" PRIu64 "%s",
		 cnt, cnt == r->ops ? "=" : "!=", r->ops, r->complete ? "" :
		 " (partial run: counter may lead by one per unfinished vCPU)");
}

/*
 * Every IPI request accounted for: run by its target and seen completed
 * by its sender.  Only on complete runs: a stopped run may leave one
 * request per (sender, target) in flight.
 */
static void check_ipi(struct yl_report *r)
{
	struct yl_check *c = &r->ipi;

	if (!yl_wl_has_ipis(r->vm->cfg->workload)) {
		c->state = -1;
		snprintf(c->text, sizeof(c->text), "no IPI workload");
		return;
	}
	c->state = r->complete ? r->ipi_sent == r->ipi_received &&
		   r->ipi_received == r->ipi_acked : -1;
	snprintf(c->text, sizeof(c->text), "sent %" PRIu64 ", received %" PRIu64
		 ", acked %" PRIu64 " (%" PRIu64 " interrupts)%s",
		 r->ipi_sent, r->ipi_received, r->ipi_acked, r->ipi_irqs,
		 r->complete ? "" : " (partial run: not compared)");
}

/*
 * kvm_pvm leaves io_exits at 0 and never fires kvm:kvm_exit: a KVM-side
 * count of nothing there is no count, and its check n/a.  Anything it
 * does count is compared as on VMX or SVM.
 */
static bool uncounted_by_kvm(const struct yl_report *r, uint64_t kvm_side)
{
	return r->vm->kvm->impl == YL_KVM_IMPL_PVM && !kvm_side;
}

static void check_io(struct yl_report *r)
{
	struct yl_check *c = &r->io;
	uint64_t yl = 0, kvm = 0;
	unsigned int i, bad = 0;

	c->state = 1;
	for (i = 0; i < r->vm->nr_vcpus; i++) {
		const struct yl_vcpu *v = &r->vm->vcpus[i];
		bool ok;
		uint64_t k = yl_kstat_value(v, "io_exits", &ok);

		if (!ok) {
			c->state = -1;
			snprintf(c->text, sizeof(c->text), "KVM io_exits statistic not available");
			return;
		}
		yl += v->ex.count[KVM_EXIT_IO];
		kvm += k;
		bad += k != v->ex.count[KVM_EXIT_IO];
	}
	if (uncounted_by_kvm(r, kvm)) {
		c->state = -1;
		snprintf(c->text, sizeof(c->text),
			 "kvm_pvm does not count io_exits (KVM 0 on every vCPU, yieldlab %" PRIu64 ")",
			 yl);
		return;
	}
	c->state = !bad;
	snprintf(c->text, sizeof(c->text),
		 "yieldlab port-I/O exits %" PRIu64 ", KVM io_exits %" PRIu64 ", %u vCPU(s) differ",
		 yl, kvm, bad);
}

/* This vCPU's port-I/O tracepoint count's index, or -1 if not counted. */
static int tp_io_index(const struct yl_vcpu *v)
{
	const struct yl_tp *tp = v->vm->tp;

	return tp && tp->ok && v->tp.valid ? tp->io : -1;
}

/*
 * kvm:kvm_exit events for port I/O against KVM's io_exits: the same
 * exits counted by the tracepoint and by the statistic, per vCPU.
 */
static void check_tp_io(struct yl_report *r)
{
	struct yl_check *c = &r->tp_io;
	const struct yl_tp *tp = r->vm->tp;
	uint64_t sum_tp = 0, sum_kvm = 0;
	unsigned int i, bad = 0;

	for (i = 0; i < r->vm->nr_vcpus; i++) {
		const struct yl_vcpu *v = &r->vm->vcpus[i];
		int k = tp_io_index(v);
		bool ok;
		uint64_t kio = yl_kstat_value(v, "io_exits", &ok);

		if (k < 0 || !ok) {
			c->state = -1;
			snprintf(c->text, sizeof(c->text), "not counted: %s",
				 !ok ? "KVM io_exits statistic not available" :
				 tp && tp->why[0] ? tp->why : "tracepoint counters not read");
			return;
		}
		sum_tp += v->tp.n[k];
		sum_kvm += kio;
		bad += v->tp.n[k] != kio;
	}
	if (uncounted_by_kvm(r, sum_tp + sum_kvm)) {
		c->state = -1;
		snprintf(c->text, sizeof(c->text),
			 "kvm_pvm counts neither (kvm:kvm_exit %s 0, KVM io_exits 0)",
			 tp->reasons[tp->io].name);
		return;
	}
	c->state = !bad;
	snprintf(c->text, sizeof(c->text),
		 "kvm:kvm_exit %s %" PRIu64 ", KVM io_exits %" PRIu64 ", %u vCPU(s) differ",
		 tp->reasons[tp->io].name, sum_tp, sum_kvm, bad);
}

/*
 * The host's schedstat of the vCPU threads, summed once for the checks
 * and warnings that read it: run and wait over the guest phase, run in
 * all, and the times of the first reading and the last.
 */
static void gather_host(struct yl_report *r)
{
	const struct yl_vm *vm = r->vm;
	uint64_t t0 = UINT64_MAX, t1 = 0;
	unsigned int i;

	r->host_unread = -1;
	for (i = 0; i < vm->nr_vcpus; i++) {
		const struct yl_vcpu *v = &vm->vcpus[i];

		if (!v->hs_before.valid || !v->hs_after.valid || v->hs_t1 < v->hs_t0) {
			r->host_unread = (int)i;
			return;
		}
		r->host_run_ns += v->hs_after.run_ns - v->hs_before.run_ns;
		r->host_wait_ns += v->hs_after.wait_ns - v->hs_before.wait_ns;
		r->host_run_all_ns += v->hs_after.run_ns;
		t0 = v->hs_t0 < t0 ? v->hs_t0 : t0;
		t1 = v->hs_t1 > t1 ? v->hs_t1 : t1;
	}
	r->host_t0 = t0;
	r->host_t1 = t1;
}

/*
 * The VM's cgroup was charged (cpu.stat usage_usec, which sums the same
 * sum_exec_runtime /proc/TID/schedstat shows) at least what its vCPU
 * threads ran in the guest phase, and at most their whole lives: they
 * start in the run's cgroup and move before the gate opens, and the
 * cgroup is read while they wait, blocked, at the leave gate.  The slack
 * covers, per vCPU, the few calls between its last reading and blocking
 * and a share of KVM's own worker, which lives in the same cgroup
 * (kvm-nx-lpage-recovery, created by the first KVM_RUN: 0.17 ms in a 3 s
 * run in the emulated host).  Thread exits, which took more than 20 ms a
 * thread under ASan in the emulated host, are no longer inside the bound.
 */
#define CG_EXIT_SLACK_NS	20000000ull

static void check_cgroup(struct yl_report *r)
{
	const struct yl_vm *vm = r->vm;
	struct yl_check *c = &r->cg;
	uint64_t lo = r->host_run_ns, hi, used;

	c->state = -1;
	if (!vm->cgroup[0]) {
		snprintf(c->text, sizeof(c->text), "no --cgroup");
		return;
	}
	if (r->host_unread >= 0) {
		snprintf(c->text, sizeof(c->text), "vCPU %d's schedstat not read",
			 r->host_unread);
		return;
	}
	hi = r->host_run_all_ns + CG_EXIT_SLACK_NS * vm->nr_vcpus;
	if (!vm->cg_valid) {
		snprintf(c->text, sizeof(c->text), "%.200s/cpu.stat not read", vm->cgroup);
		return;
	}
	used = vm->cg_usage_us * 1000;
	c->state = used + 1000ull * vm->nr_vcpus >= lo && used <= hi;
	snprintf(c->text, sizeof(c->text),
		 "cgroup usage %.1f ms, vCPU threads ran %.1f ms in the guest phase, %.1f ms in all",
		 (double)used / 1e6, (double)lo / 1e6,
		 (double)(hi - CG_EXIT_SLACK_NS * vm->nr_vcpus) / 1e6);
}

/* Sum one KVM statistic over the vCPUs; false if KVM does not have it. */
static bool kstat_sum(const struct yl_report *r, const char *name,
		      uint64_t *sum)
{
	unsigned int i;
	bool ok = true;

	*sum = 0;
	for (i = 0; i < r->vm->nr_vcpus && ok; i++)
		*sum += yl_kstat_value(&r->vm->vcpus[i], name, &ok);
	return ok;
}

/* Guest count against KVM's own statistic, compared on complete runs. */
static void check_count(const struct yl_report *r, struct yl_check *c,
			const char *what, uint64_t guest, const char *stat)
{
	uint64_t kvm;

	if (!kstat_sum(r, stat, &kvm)) {
		c->state = -1;
		snprintf(c->text, sizeof(c->text), "KVM %s statistic not available", stat);
		return;
	}
	c->state = r->complete ? kvm == guest : -1;
	snprintf(c->text, sizeof(c->text), "guest %s %" PRIu64 ", KVM %s %" PRIu64 "%s",
		 what, guest, stat, kvm,
		 r->complete ? "" : " (partial run: not compared)");
}

/* kernel/patches/0006's boosts of kvm_vcpu_on_spin(), by candidate kind */
static const char *const spin_boosts[] = {
	"spin_boost_receiver", "spin_boost_strict", "spin_boost_relaxed",
};

/*
 * Successful yield_to()s of this VM: kvm_sched_yield()'s, which KVM counts
 * as directed_yield_successful, and, on a kernel of kernel/, those of
 * kvm_vcpu_on_spin() (the PLE path), counted by kind.
 */
static bool kvm_yields(const struct yl_report *r, uint64_t *sum)
{
	uint64_t n;
	size_t i;

	if (!kstat_sum(r, "directed_yield_successful", sum))
		return false;
	for (i = 0; i < ARRAY_SIZE(spin_boosts); i++)
		if (kstat_sum(r, spin_boosts[i], &n))
			*sum += n;
	return true;
}

/*
 * A host kernel of kernel/ counts every yield_to_task_fair() that passed
 * its checks; KVM every yield_to() that succeeded, from the PV sched-yield
 * hypercall and from the PLE path.  The kernel's count covers every VM, so
 * it is at least this VM's; equal when this VM alone yields.
 */
static void check_kernel_yields(struct yl_report *r)
{
	const struct yl_kcredit *kc = &r->vm->kvm->lag_credit;
	uint64_t kvm;

	r->kdy.state = -1;
	if (!kc->valid || !kc->feature) {
		snprintf(r->kdy.text, sizeof(r->kdy.text), "%s",
			 kc->valid ? "YIELD_TO_LAG_CREDIT off: the kernel counts nothing" :
			 "not a host kernel of kernel/ (no sched/yield_credit)");
		return;
	}
	if (!kvm_yields(r, &kvm)) {
		snprintf(r->kdy.text, sizeof(r->kdy.text),
			 "KVM directed_yield_successful statistic not available");
		return;
	}
	r->kdy.state = r->complete ? kc->delta[YL_CS_YIELDS] >= kvm : -1;
	snprintf(r->kdy.text, sizeof(r->kdy.text),
		 "kernel yields %" PRIu64 " >= KVM's successful yields %" PRIu64 "%s",
		 kc->delta[YL_CS_YIELDS], kvm,
		 r->complete ? "" : " (partial run: not compared)");
}

/*
 * __kvm_emulate_hypercall() (arch/x86/kvm/x86.c) counts every hypercall
 * in "hypercalls" and calls kvm_sched_yield(), which counts
 * directed_yield_attempted first thing, for KVM_HC_SCHED_YIELD and for
 * KVM_HC_KICK_CPU alike: a kick also yields to the kicked vCPU, while
 * KVM_HC_SEND_IPI (kvm_pv_send_ipi()) counts only as a hypercall.  Every
 * HLT the guest executes is one halt_exits (kvm_emulate_halt_noskip()).
 */
static void check_kvm_counts(struct yl_report *r)
{
	uint64_t yk = r->yields + r->ipi_yields + r->kicks;

	if (r->vm->coop) {
		r->kdy.state = -1;
		snprintf(r->kdy.text, sizeof(r->kdy.text),
			 "coop: yieldlab schedules the vCPUs, not the kernel's yield_to()");
		yl_coop_checks(r);
		return;
	}
	r->coop.state = -1;
	snprintf(r->coop.text, sizeof(r->coop.text), "host mode");
	check_count(r, &r->dy, "yield+kick hypercalls", yk, "directed_yield_attempted");
	check_kernel_yields(r);
	check_count(r, &r->hc, "hypercalls", yk + r->ipi_hypercalls, "hypercalls");
	check_count(r, &r->halt, "HLTs", r->halts, "halt_exits");
}

static void gather_guest(struct yl_report *r)
{
	const struct yl_vm *vm = r->vm;
	unsigned int i;

	double sq = 0;

	memcpy(&r->sum, vm->mem + YL_SUMMARY_GPA, sizeof(r->sum));
	r->complete = true;
	r->ops_min = UINT64_MAX;
	for (i = 0; i < vm->nr_vcpus; i++) {
		memcpy(&r->g[i], vm->mem + YL_VCPU_RESULT_GPA(i), sizeof(r->g[i]));
		r->g[i].msg[YL_MSG_LEN - 1] = 0;
		r->ops += r->g[i].ops;
		sq += (double)r->g[i].ops * (double)r->g[i].ops;
		if (r->g[i].ops < r->ops_min)
			r->ops_min = r->g[i].ops;
		if (r->g[i].ops > r->ops_max)
			r->ops_max = r->g[i].ops;
		r->yields += r->g[i].yields;
		r->halts += r->g[i].halts;
		r->kicks += r->g[i].kicks;
		r->spins += r->g[i].spins;
		r->ipi_ops += r->g[i].ipi_ops;
		r->ipi_sent += r->g[i].ipi_sent;
		r->ipi_received += r->g[i].ipi_received;
		r->ipi_acked += r->g[i].ipi_acked;
		r->ipi_irqs += r->g[i].ipi_irqs;
		r->ipi_yields += r->g[i].ipi_yields;
		r->ipi_hypercalls += r->g[i].ipi_hypercalls;
		if (vm->vcpus[i].end != YL_END_DONE)
			r->complete = false;
	}
	r->ops_jain = yl_jain((double)r->ops, sq, vm->nr_vcpus);
	if (r->complete && r->sum.end_tsc > r->sum.start_tsc)
		r->phase_ms = yl_cycles_to_ms(vm, r->sum.end_tsc - r->sum.start_tsc);
	else
		r->phase_ms = (double)r->wall_ns / 1e6;
}

static bool any_end(const struct yl_vm *vm, enum yl_vcpu_end e)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i].end == e)
			return true;
	return false;
}

/*
 * Every check, once: its line in the table, its key in the JSON, and its
 * failure message on stderr.  A new check is one row here.
 */
const struct yl_check_desc yl_checks[YL_NR_CHECKS] = {
	{ "mutual exclusion", "mutual_exclusion", "mutual exclusion check",
	  offsetof(struct yl_report, mutex) },
	{ "IPIs", "ipi", "IPI accounting check", offsetof(struct yl_report, ipi) },
	{ "port-I/O exits", "io_exits", "port-I/O exit cross-check",
	  offsetof(struct yl_report, io) },
	{ "tracepoint I/O", "tracepoint_io_exits", "tracepoint I/O exit cross-check",
	  offsetof(struct yl_report, tp_io) },
	{ "directed yields", "directed_yield", "directed-yield cross-check",
	  offsetof(struct yl_report, dy) },
	{ "kernel yields", "kernel_yields", "host kernel's yield_to() cross-check",
	  offsetof(struct yl_report, kdy) },
	{ "hypercalls", "hypercalls", "hypercall cross-check",
	  offsetof(struct yl_report, hc) },
	{ "halts", "halt_exits", "halt cross-check", offsetof(struct yl_report, halt) },
	{ "cgroup CPU time", "cgroup_usage", "cgroup CPU time cross-check",
	  offsetof(struct yl_report, cg) },
	{ "samples", "samples", "sampled statistics cross-check",
	  offsetof(struct yl_report, samp) },
	{ "coop: one per pCPU", "coop_one_per_pcpu", "coop check",
	  offsetof(struct yl_report, coop) },
};

const struct yl_check *yl_check_at(const struct yl_report *r, unsigned int k)
{
	return (const struct yl_check *)((const char *)r + yl_checks[k].off);
}

static bool all_checks_hold(const struct yl_report *r)
{
	unsigned int k;

	for (k = 0; k < YL_NR_CHECKS; k++)
		if (!yl_check_at(r, k)->state)
			return false;
	return true;
}

static void decide_status(struct yl_report *r)
{
	const struct yl_vm *vm = r->vm;
	bool checks_ok = all_checks_hold(r);

	if (r->stop == YL_STOP_SIGNAL) {
		r->status = "interrupted";
		r->exit_code = YL_EXIT_SIGNAL;
	} else if (r->stop == YL_STOP_SECCOMP) {
		r->status = "seccomp_violation";
		r->exit_code = YL_EXIT_SECCOMP;
	} else if (any_end(vm, YL_END_FAULT) || any_end(vm, YL_END_UNHANDLED)) {
		r->status = any_end(vm, YL_END_FAULT) ? "guest_fault" : "unhandled_exit";
		r->exit_code = YL_EXIT_GUEST;
	} else if (any_end(vm, YL_END_HOST_ERROR)) {
		r->status = "host_error";
		r->exit_code = YL_EXIT_HOST;
	} else if (r->stop == YL_STOP_TIMEOUT) {
		r->status = "timeout";
		r->exit_code = YL_EXIT_TIMEOUT;
	} else if (any_end(vm, YL_END_PANIC)) {
		r->status = "guest_panic";
		r->exit_code = YL_EXIT_CHECK;
	} else if (!checks_ok) {
		r->status = "check_failed";
		r->exit_code = YL_EXIT_CHECK;
	} else {
		r->status = "ok";
		r->exit_code = YL_EXIT_OK;
	}
}

/* A complete run of a workload whose vCPUs should always be runnable. */
static bool busy_workload(const struct yl_report *r)
{
	const struct yl_config *c = r->vm->cfg;

	return r->complete && (yl_wl_has_locks(c->workload) || yl_wl_has_ipis(c->workload));
}

/*
 * The host's view: were the vCPU threads runnable but not running while
 * something else ran?  Over the whole run, every VM's threads together:
 * VMs of one run share the pCPUs (--cpu-weight 1,10000 runs them one after
 * the other), and time one VM waited while another of ours ran was not
 * taken by another tenant.  Each VM's phase counts, from the first
 * phase's start to the last's end.
 */
void yl_reports_warn_starved(struct yl_report *r, unsigned int n)
{
	uint64_t run = 0, wait = 0, t0 = UINT64_MAX, t1 = 0, cap;
	unsigned int k;

	for (k = 0; k < n; k++) {
		if (r[k].host_unread >= 0 || !busy_workload(&r[k]))
			return;
		run += r[k].host_run_ns;
		wait += r[k].host_wait_ns;
		t0 = r[k].host_t0 < t0 ? r[k].host_t0 : t0;
		t1 = r[k].host_t1 > t1 ? r[k].host_t1 : t1;
	}
	if (!n || t1 <= t0)
		return;
	cap = (uint64_t)CPU_COUNT(&r[0].vm->cfg->pcpus) * (t1 - t0);
	for (k = 0; k < n; k++)
		yl_warn_starved(&r[k].warn, run, wait, cap);
}

/* A run that completed can still have compared nothing: say so. */
static void report_warnings(struct yl_report *r)
{
	const struct yl_config *c = r->vm->cfg;
	bool hinted = c->sched == YL_SCHED_COOP && c->pv == YL_PV_YIELD &&
		      strcmp(yl_policy_name(c), "none");

	if (!busy_workload(r))
		return;
	if (c->sched == YL_SCHED_COOP)
		yl_coop_warnings(r);
	if (!hinted)	/* else the policy's warning says it */
		yl_warn_pv(&r->warn, yl_wl_has_locks(c->workload) ? c->pv : YL_PV_NONE,
			   r->yields + r->ipi_yields, r->halts);
	yl_warn_overrun(&r->warn, r->phase_ms, c->duration_ms);
}

int yl_report_build(struct yl_report *r, const struct yl_vm *vm,
		    enum yl_run_stop stop, int signo, uint64_t wall_ns)
{
	memset(r, 0, sizeof(*r));
	r->vm = vm;
	r->stop = stop;
	r->signo = signo;
	r->wall_ns = wall_ns;
	r->g = calloc(vm->nr_vcpus, sizeof(*r->g));
	if (!r->g)
		return -1;
	gather_guest(r);
	check_mutex(r);
	check_ipi(r);
	check_io(r);
	check_tp_io(r);
	check_kvm_counts(r);
	gather_host(r);
	check_cgroup(r);
	yl_samples_check(r);
	decide_status(r);
	report_warnings(r);
	return 0;
}

void yl_report_free(struct yl_report *r)
{
	free(r->g);
	r->g = NULL;
}

/*
 * Exit code of a multi-VM run: a signal stopped them all; otherwise the
 * first VM, in index order, that did not end ok decides.
 */
int yl_reports_exit_code(const struct yl_report *r, unsigned int n)
{
	unsigned int k;

	for (k = 0; k < n; k++)
		if (r[k].exit_code != YL_EXIT_OK)
			return r[k].exit_code;
	return YL_EXIT_OK;
}

const char *yl_reports_status(const struct yl_report *r, unsigned int n)
{
	unsigned int k;

	for (k = 0; k < n; k++)
		if (r[k].exit_code != YL_EXIT_OK)
			return r[k].status;
	return "ok";
}

/* Ops per second of the lock phase, by the guest's clock. */
double yl_rate(const struct yl_report *r, uint64_t n)
{
	return r->phase_ms > 0 ? (double)n * 1000.0 / r->phase_ms : 0.0;
}
