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
#include "json.h"
#include "privs.h"
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

static double cycles_to_ms(const struct yl_vm *vm, uint64_t c)
{
	return vm->tsc_khz ? (double)c / (double)vm->tsc_khz : 0;
}

static double cycles_to_ns(const struct yl_vm *vm, double c)
{
	return vm->tsc_khz ? c * 1e6 / (double)vm->tsc_khz : 0;
}

/* Upper bound, in the histogram's unit, of the bucket holding the p-quantile. */
uint64_t yl_hist_quantile(const uint64_t *h, double p)
{
	uint64_t total = 0, seen = 0;
	int b;

	for (b = 0; b < YL_HIST_BUCKETS; b++)
		total += h[b];
	if (!total)
		return 0;
	for (b = 0; b < YL_HIST_BUCKETS; b++) {
		seen += h[b];
		if ((double)seen >= p * (double)total)
			break;
	}
	return b >= 63 ? UINT64_MAX : 2ull << b;
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
	uint64_t lo = 0, hi = 0, used;
	unsigned int i;

	c->state = -1;
	if (!vm->cgroup[0]) {
		snprintf(c->text, sizeof(c->text), "no --cgroup");
		return;
	}
	for (i = 0; i < vm->nr_vcpus; i++) {
		const struct yl_vcpu *v = &vm->vcpus[i];

		if (!v->hs_before.valid || !v->hs_after.valid) {
			snprintf(c->text, sizeof(c->text), "vCPU %u's schedstat not read", i);
			return;
		}
		lo += v->hs_after.run_ns - v->hs_before.run_ns;
		hi += v->hs_after.run_ns + CG_EXIT_SLACK_NS;
	}
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
		yl_coop_checks(r);
		return;
	}
	r->coop.state = -1;
	snprintf(r->coop.text, sizeof(r->coop.text), "host mode");
	check_count(r, &r->dy, "yield+kick hypercalls", yk, "directed_yield_attempted");
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
		r->phase_ms = cycles_to_ms(vm, r->sum.end_tsc - r->sum.start_tsc);
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
static const struct {
	const char *label, *json, *failure;
	size_t off;
} checks[] = {
	{ "mutual exclusion", "mutual_exclusion", "mutual exclusion check",
	  offsetof(struct yl_report, mutex) },
	{ "IPIs", "ipi", "IPI accounting check", offsetof(struct yl_report, ipi) },
	{ "port-I/O exits", "io_exits", "port-I/O exit cross-check",
	  offsetof(struct yl_report, io) },
	{ "tracepoint I/O", "tracepoint_io_exits", "tracepoint I/O exit cross-check",
	  offsetof(struct yl_report, tp_io) },
	{ "directed yields", "directed_yield", "directed-yield cross-check",
	  offsetof(struct yl_report, dy) },
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

static const struct yl_check *check_at(const struct yl_report *r, unsigned int k)
{
	return (const struct yl_check *)((const char *)r + checks[k].off);
}

static bool all_checks_hold(const struct yl_report *r)
{
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(checks); k++)
		if (!check_at(r, k)->state)
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
	check_cgroup(r);
	yl_samples_check(r);
	decide_status(r);
	return 0;
}

void yl_report_free(struct yl_report *r)
{
	free(r->g);
	r->g = NULL;
}

static const char *check_word(int s)
{
	return s > 0 ? "ok" : s == 0 ? "FAILED" : "n/a";
}

static double rate(const struct yl_report *r, uint64_t n)
{
	return r->phase_ms > 0 ? (double)n * 1000.0 / r->phase_ms : 0.0;
}

static void print_header(const struct yl_report *r, FILE *f)
{
	const struct yl_config *c = r->vm->cfg;
	char cpus[256];

	yl_format_cpulist(&c->pcpus, cpus, sizeof(cpus));
	fprintf(f, "yieldlab: %u vCPUs on pCPUs %s (%.1f vCPUs per pCPU), sched %s, "
		"workload %s, lock %s, pv %s, cs %" PRIu64 " ns, think %" PRIu64 " ns, %" PRIu64 " ms\n",
		r->vm->nr_vcpus, cpus,
		(double)r->vm->nr_vcpus / CPU_COUNT(&c->pcpus), yl_sched_mode_name(c->sched),
		yl_workload_name(c->workload), yl_lock_name(c->lock),
		yl_pv_name(c->pv), c->cs_ns, c->think_ns, c->duration_ms);
	fprintf(f, "status %s: %s, phase %.1f ms, %" PRIu64 " lock ops, %.0f ops/s\n",
		r->status, r->complete ? "every vCPU finished" : "partial results",
		r->phase_ms, r->ops, rate(r, r->ops));
	fprintf(f, "per-vCPU ops: min %" PRIu64 ", max %" PRIu64 ", Jain's index %.3f\n",
		r->ops_min, r->ops_max, r->ops_jain);
	if (r->vm->cgroup[0])
		fprintf(f, "cgroup %s, cpu.weight %u, CPU time %.1f ms\n", r->vm->cgroup,
			r->vm->cg_weight ? r->vm->cg_weight : 100,
			r->vm->cg_valid ? (double)r->vm->cg_usage_us / 1e3 : 0.0);
	fputc('\n', f);
	fprintf(f, "%4s %10s %12s %8s %13s %9s %9s %13s %11s %9s %9s %11s %s\n",
		"vcpu", "ops", "spins", "yields", "halt/kick", "lat_avg", "lat_p99",
		"io_exits", "dyield", "run_ms", "steal_ms", "ctxsw", "end");
	fprintf(f, "%4s %10s %12s %8s %13s %9s %9s %13s %11s %9s %9s %11s\n",
		"", "", "(PAUSEs)", "(guest)", "(guest)", "(ns)", "(<=ns)", "(yl/kvm)",
		"(att/succ)", "", "(wait)", "(vol/inv)");
}

static void print_vcpu(const struct yl_report *r, unsigned int i, FILE *f)
{
	const struct yl_vcpu *v = &r->vm->vcpus[i];
	const struct yl_vcpu_result *g = &r->g[i];
	const struct yl_hoststat *a = &v->hs_before, *b = &v->hs_after;
	char io[32], dy[32], cs[32], hk[32];
	bool ok1, ok2, ok3;
	uint64_t kio = yl_kstat_value(v, "io_exits", &ok1);
	uint64_t att = yl_kstat_value(v, "directed_yield_attempted", &ok2);
	uint64_t suc = yl_kstat_value(v, "directed_yield_successful", &ok3);
	uint64_t p99 = yl_hist_quantile(g->lat_hist, 0.99);

	snprintf(io, sizeof(io), "%" PRIu64 "/%s", v->ex.count[KVM_EXIT_IO],
		 ok1 ? "" : "?");
	if (ok1)
		snprintf(io, sizeof(io), "%" PRIu64 "/%" PRIu64,
			 v->ex.count[KVM_EXIT_IO], kio);
	snprintf(dy, sizeof(dy), ok2 && ok3 ? "%" PRIu64 "/%" PRIu64 : "?", att, suc);
	snprintf(cs, sizeof(cs), "%" PRIu64 "/%" PRIu64,
		 b->vol_cs - a->vol_cs, b->invol_cs - a->invol_cs);
	snprintf(hk, sizeof(hk), "%" PRIu64 "/%" PRIu64, g->halts, g->kicks);
	fprintf(f, "%4u %10" PRIu64 " %12" PRIu64 " %8" PRIu64 " %13s %9.0f %9.0f %13s %11s %9.1f %9.1f %11s %s\n",
		i, g->ops, g->spins, g->yields, hk,
		g->ops ? cycles_to_ns(r->vm, (double)g->lat_sum / (double)g->ops) : 0.0,
		cycles_to_ns(r->vm, (double)p99), io, dy,
		(double)(b->run_ns - a->run_ns) / 1e6,
		(double)(b->wait_ns - a->wait_ns) / 1e6, cs,
		yl_vcpu_end_name(v->end));
}

static void print_ipi_vcpu(const struct yl_report *r, unsigned int i, FILE *f)
{
	const struct yl_vcpu_result *g = &r->g[i];
	char snd[32];

	snprintf(snd, sizeof(snd), "%" PRIu64 "/%" PRIu64, g->ipi_icr_writes,
		 g->ipi_hypercalls);
	fprintf(f, "%4u %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64
		" %10" PRIu64 " %13s %7" PRIu64 " %9.0f %9.0f %9.0f\n",
		i, g->ipi_ops, g->ipi_sent, g->ipi_received, g->ipi_acked,
		g->ipi_irqs, snd, g->ipi_yields,
		g->ipi_ops && r->vm->cfg->ipi_wait == YL_IPI_SYNC ?
		cycles_to_ns(r->vm, (double)g->ipi_rtt_sum / (double)g->ipi_ops) : 0.0,
		cycles_to_ns(r->vm, (double)yl_hist_quantile(g->ipi_rtt_hist, 0.99)),
		cycles_to_ns(r->vm, (double)yl_hist_quantile(g->ipi_lat_hist, 0.99)));
}

static void print_ipis(const struct yl_report *r, FILE *f)
{
	const struct yl_config *c = r->vm->cfg;
	unsigned int i;

	fprintf(f, "\nIPIs via %s, %s, %u target(s) per op: %" PRIu64 " ops, %.0f ops/s, %" PRIu64 " requests\n",
		yl_ipi_path_name(c), yl_ipi_wait_name(c->ipi_wait),
		c->ipi_targets, r->ipi_ops, rate(r, r->ipi_ops), r->ipi_sent);
	fprintf(f, "%4s %10s %10s %10s %10s %10s %13s %7s %9s %9s %9s\n",
		"vcpu", "ops", "sent", "received", "acked", "interrupts",
		"icr/hc", "yields", "rtt_avg", "rtt_p99", "dlv_p99");
	fprintf(f, "%4s %10s %10s %10s %10s %10s %13s %7s %9s %9s %9s\n",
		"", "", "", "", "", "", "(writes)", "", "(ns)", "(<=ns)", "(<=ns)");
	for (i = 0; i < r->vm->nr_vcpus; i++)
		print_ipi_vcpu(r, i, f);
}

/* Kernel-side exits of all vCPUs by reason, as perf kvm stat names them. */
static void print_tp(const struct yl_report *r, FILE *f)
{
	const struct yl_tp *tp = r->vm->tp;
	uint64_t n[YL_TP_MAX_REASONS + 1] = { 0 }, named = 0;
	unsigned int i, k;

	if (!tp)
		return;
	if (!tp->ok) {
		fprintf(f, "\nkernel-side exits (kvm:kvm_exit): not counted: %s\n", tp->why);
		return;
	}
	for (i = 0; i < r->vm->nr_vcpus; i++)
		for (k = 0; r->vm->vcpus[i].tp.valid && k <= tp->nr; k++)
			n[k] += r->vm->vcpus[i].tp.n[k];
	fprintf(f, "\nkernel-side exits (kvm:kvm_exit): %" PRIu64, n[tp->nr]);
	for (k = 0; k < tp->nr; k++) {
		named += n[k];
		if (n[k])
			fprintf(f, ", %s %" PRIu64, tp->reasons[k].name, n[k]);
	}
	fprintf(f, ", other %" PRIu64 "\n", n[tp->nr] - named);
}

void yl_report_print(const struct yl_report *r, FILE *f)
{
	unsigned int i, k;

	print_header(r, f);
	for (i = 0; i < r->vm->nr_vcpus; i++)
		print_vcpu(r, i, f);
	if (yl_wl_has_ipis(r->vm->cfg->workload))
		print_ipis(r, f);
	print_tp(r, f);
	yl_samples_print(r, f);
	yl_coop_print(r, f);
	fprintf(f, "\nchecks:\n");
	for (k = 0; k < ARRAY_SIZE(checks); k++)
		fprintf(f, "  %-18s %-6s %s\n", checks[k].label,
			check_word(check_at(r, k)->state), check_at(r, k)->text);
}

static void print_regs(const struct yl_vcpu *v, FILE *f)
{
	const struct kvm_regs *g = &v->regs;
	const struct kvm_sregs *s = &v->sregs;

	fprintf(f, "  vcpu%u rip %016llx rsp %016llx rflags %016llx\n", v->idx,
		g->rip, g->rsp, g->rflags);
	fprintf(f, "  rax %016llx rbx %016llx rcx %016llx rdx %016llx\n",
		g->rax, g->rbx, g->rcx, g->rdx);
	fprintf(f, "  rsi %016llx rdi %016llx rbp %016llx r8  %016llx\n",
		g->rsi, g->rdi, g->rbp, g->r8);
	fprintf(f, "  r9  %016llx r10 %016llx r11 %016llx r12 %016llx\n",
		g->r9, g->r10, g->r11, g->r12);
	fprintf(f, "  r13 %016llx r14 %016llx r15 %016llx\n", g->r13, g->r14, g->r15);
	fprintf(f, "  cr0 %016llx cr2 %016llx cr3 %016llx cr4 %016llx efer %llx\n",
		s->cr0, s->cr2, s->cr3, s->cr4, s->efer);
}

/* One line per failure on stderr, register dumps under the ones that have them. */
void yl_report_errors(const struct yl_report *r, FILE *f)
{
	unsigned int i, k;

	for (i = 0; i < r->vm->nr_vcpus; i++) {
		const struct yl_vcpu *v = &r->vm->vcpus[i];

		if (v->end == YL_END_DONE || v->end == YL_END_STOPPED ||
		    v->end == YL_END_NONE)
			continue;
		fprintf(f, "yieldlab: vcpu %u: %s\n", i, v->detail);
		if (v->regs_valid)
			print_regs(v, f);
	}
	if (r->stop == YL_STOP_TIMEOUT)
		fprintf(f, "yieldlab: watchdog: guest not finished after %" PRIu64
			" s (--timeout), stopped with partial statistics\n",
			yl_effective_timeout_s(r->vm->cfg));
	if (r->stop == YL_STOP_SIGNAL)
		fprintf(f, "yieldlab: stopped by signal %d, partial statistics\n", r->signo);
	for (k = 0; k < ARRAY_SIZE(checks); k++)
		if (!check_at(r, k)->state)
			fprintf(f, "yieldlab: %s failed: %s\n", checks[k].failure,
				check_at(r, k)->text);
}

/* What each --sched-feature set, and what it was before (restored after). */
static void json_feats(struct yj *j, const struct yl_config *c)
{
	unsigned int i;

	yj_arr(j, "sched_features");
	for (i = 0; i < c->nr_feats; i++) {
		yj_obj(j, NULL);
		yj_str(j, "name", c->feats[i].name);
		yj_bool(j, "set", c->feats[i].on);
		yj_bool(j, "original", c->feats[i].orig);
		yj_obj_end(j);
	}
	yj_arr_end(j);
}

static void json_config(struct yj *j, const struct yl_report *r,
			const struct yl_privs *privs)
{
	const struct yl_config *c = r->vm->cfg;
	char cpus[256];

	yl_format_cpulist(&c->pcpus, cpus, sizeof(cpus));
	yj_obj(j, "config");
	yj_str(j, "sched", yl_sched_mode_name(c->sched));
	yj_u64(j, "vcpus", r->vm->nr_vcpus);
	yj_str(j, "pcpus", cpus);
	yj_u64(j, "nr_pcpus", (uint64_t)CPU_COUNT(&c->pcpus));
	yj_str(j, "workload", yl_workload_name(c->workload));
	yj_str(j, "lock", yl_lock_name(c->lock));
	yj_str(j, "pv", yl_pv_name(c->pv));
	yj_u64(j, "cs_ns", c->cs_ns);
	yj_u64(j, "think_ns", c->think_ns);
	yj_u64(j, "duration_ms", c->duration_ms);
	yj_u64(j, "spin_threshold", c->spin_threshold);
	yj_u64(j, "timeout_s", yl_effective_timeout_s(c));
	yj_str(j, "guest", c->guest_path ? c->guest_path : "(embedded)");
	yj_str(j, "pause_exits", yl_pause_exits_name(c->pause_exits));
	if (yl_given(c, YL_O_HALT_POLL_NS))
		yj_u64(j, "halt_poll_ns", c->halt_poll_ns);
	else
		yj_null(j, "halt_poll_ns");
	yj_str(j, "ipi_via", yl_ipi_path_name(c));
	yj_str(j, "ipi_wait", yl_ipi_wait_name(c->ipi_wait));
	yj_u64(j, "ipi_targets", c->ipi_targets);
	yj_u64(j, "ipi_every", c->ipi_every);
	json_feats(j, c);
	yj_bool(j, "seccomp", c->seccomp);
	yj_u64(j, "sample_ms", c->sample_ms);
	if (c->cgroup_parent)
		yj_str(j, "cgroup_parent", c->cgroup_parent);
	else
		yj_null(j, "cgroup_parent");
	if (privs) {
		yj_obj(j, "capabilities");
		yj_str(j, "at_start", privs->at_start);
		yj_str(j, "after_setup", privs->after_setup);
		yj_obj_end(j);
	}
	yj_obj_end(j);
}

static void json_host(struct yj *j, const struct yl_report *r)
{
	struct utsname u;

	yj_obj(j, "host");
	if (!uname(&u)) {
		yj_str(j, "kernel", u.release);
		yj_str(j, "machine", u.machine);
	}
	yj_u64(j, "tsc_khz", r->vm->tsc_khz);
	yj_u64(j, "kvm_max_vcpus", r->vm->kvm->max_vcpus);
	yj_str(j, "kvm_module", yl_kvm_impl_name(r->vm->kvm->impl));
	yj_obj_end(j);
}

static void json_check(struct yj *j, const char *key, const struct yl_check *c)
{
	yj_obj(j, key);
	if (c->state < 0)
		yj_null(j, "ok");
	else
		yj_bool(j, "ok", c->state);
	yj_str(j, "detail", c->text);
	yj_obj_end(j);
}

void yl_json_hist(struct yj *j, const char *key, const uint64_t *h)
{
	int b;

	yj_arr(j, key);
	for (b = 0; b < YL_HIST_BUCKETS; b++)
		yj_u64(j, NULL, h[b]);
	yj_arr_end(j);
}

static void json_guest_ipi(struct yj *j, const struct yl_report *r,
			   const struct yl_vcpu_result *g)
{
	yj_obj(j, "ipi");
	yj_u64(j, "ops", g->ipi_ops);
	yj_u64(j, "sent", g->ipi_sent);
	yj_u64(j, "received", g->ipi_received);
	yj_u64(j, "acked", g->ipi_acked);
	yj_u64(j, "interrupts", g->ipi_irqs);
	yj_u64(j, "icr_writes", g->ipi_icr_writes);
	yj_u64(j, "hypercalls", g->ipi_hypercalls);
	yj_u64(j, "hypercalls_short", g->ipi_hc_failed);
	yj_u64(j, "yields", g->ipi_yields);
	yj_u64(j, "rtt_sum_cycles", g->ipi_rtt_sum);
	yj_u64(j, "rtt_max_cycles", g->ipi_rtt_max);
	yj_dbl(j, "rtt_p50_ns_le", cycles_to_ns(r->vm, (double)yl_hist_quantile(g->ipi_rtt_hist, 0.5)));
	yj_dbl(j, "rtt_p99_ns_le", cycles_to_ns(r->vm, (double)yl_hist_quantile(g->ipi_rtt_hist, 0.99)));
	yj_dbl(j, "delivery_p50_ns_le", cycles_to_ns(r->vm, (double)yl_hist_quantile(g->ipi_lat_hist, 0.5)));
	yj_dbl(j, "delivery_p99_ns_le", cycles_to_ns(r->vm, (double)yl_hist_quantile(g->ipi_lat_hist, 0.99)));
	yl_json_hist(j, "rtt_hist_log2_cycles", g->ipi_rtt_hist);
	yl_json_hist(j, "delivery_hist_log2_cycles", g->ipi_lat_hist);
	yj_obj_end(j);
}

static void json_guest(struct yj *j, const struct yl_report *r, unsigned int i)
{
	const struct yl_vcpu_result *g = &r->g[i];

	yj_obj(j, "guest");
	yj_u64(j, "state", g->state);
	yj_u64(j, "apic_id", g->apic_id);
	yj_u64(j, "ops", g->ops);
	yj_u64(j, "spins", g->spins);
	yj_u64(j, "yields", g->yields);
	yj_u64(j, "yields_failed", g->yields_failed);
	yj_u64(j, "halts", g->halts);
	yj_u64(j, "kicks", g->kicks);
	yj_u64(j, "preempted_seen", g->preempted_seen);
	yj_u64(j, "lat_sum_cycles", g->lat_sum);
	yj_u64(j, "lat_max_cycles", g->lat_max);
	yj_dbl(j, "lat_avg_ns", g->ops ? cycles_to_ns(r->vm, (double)g->lat_sum / (double)g->ops) : 0);
	yj_dbl(j, "lat_p50_ns_le", cycles_to_ns(r->vm, (double)yl_hist_quantile(g->lat_hist, 0.5)));
	yj_dbl(j, "lat_p99_ns_le", cycles_to_ns(r->vm, (double)yl_hist_quantile(g->lat_hist, 0.99)));
	yj_u64(j, "bench_exits", g->bench_exits);
	yl_json_hist(j, "lat_hist_log2_cycles", g->lat_hist);
	json_guest_ipi(j, r, g);
	yj_obj_end(j);
}

static void json_exits(struct yj *j, const struct yl_vcpu *v)
{
	unsigned int k;

	yj_obj(j, "exits");
	for (k = 0; k < YL_NR_EXIT_REASONS; k++) {
		if (!v->ex.count[k])
			continue;
		yj_obj(j, yl_exit_reason_name(k));
		yj_u64(j, "count", v->ex.count[k]);
		yj_dbl(j, "handling_ns", cycles_to_ns(v->vm, (double)v->ex.cycles[k]));
		yj_obj_end(j);
	}
	yj_obj(j, "io_by_port");
	for (k = 0; k < YL_IOP_NR; k++)
		yj_u64(j, yl_io_port_name(k), v->ex.io_port[k]);
	yj_obj_end(j);
	yj_obj_end(j);
}

static void json_kstats(struct yj *j, const char *key, const struct yl_kstats *ks,
			const uint64_t *before, const uint64_t *after, bool valid)
{
	uint32_t i, k;

	if (!valid) {
		yj_null(j, key);
		return;
	}
	yj_obj(j, key);
	for (i = 0; i < ks->nr_desc; i++) {
		const struct yl_kstat_desc *d = &ks->desc[i];
		bool cum = yl_kstat_is_cumulative(d);

		if (d->size == 1) {
			yj_u64(j, d->name, cum ? after[d->value_idx] - before[d->value_idx]
					       : after[d->value_idx]);
			continue;
		}
		yj_arr(j, d->name);
		for (k = d->value_idx; k < d->value_idx + d->size; k++)
			yj_u64(j, NULL, cum ? after[k] - before[k] : after[k]);
		yj_arr_end(j);
	}
	yj_obj_end(j);
}

/* kvm:kvm_exit counts by reason, with the rest as "other"; null if none. */
static void json_tp(struct yj *j, const struct yl_vcpu *v)
{
	const struct yl_tp *tp = v->vm->tp;
	uint64_t named = 0;
	unsigned int k;

	if (!tp || !tp->ok || !v->tp.valid) {
		yj_null(j, "kvm_exit_reasons");
		return;
	}
	yj_obj(j, "kvm_exit_reasons");
	for (k = 0; k < tp->nr; k++) {
		yj_u64(j, tp->reasons[k].name, v->tp.n[k]);
		named += v->tp.n[k];
	}
	yj_u64(j, "other", v->tp.n[tp->nr] - named);
	yj_u64(j, "total", v->tp.n[tp->nr]);
	yj_obj_end(j);
}

static void json_hoststat(struct yj *j, const struct yl_vcpu *v)
{
	struct yl_hoststat d;

	yl_hoststat_delta(&v->hs_before, &v->hs_after, &d);
	yj_obj(j, "host_thread");
	yj_bool(j, "valid", d.valid);
	yj_u64(j, "tid", (uint64_t)v->tid);
	yj_u64(j, "run_ns", d.run_ns);
	yj_u64(j, "wait_ns", d.wait_ns);
	yj_u64(j, "slices", d.slices);
	yj_u64(j, "voluntary_ctxt_switches", d.vol_cs);
	yj_u64(j, "nonvoluntary_ctxt_switches", d.invol_cs);
	yj_obj_end(j);
}

static void json_vcpus(struct yj *j, const struct yl_report *r)
{
	unsigned int i;

	yj_arr(j, "vcpus");
	for (i = 0; i < r->vm->nr_vcpus; i++) {
		const struct yl_vcpu *v = &r->vm->vcpus[i];

		yj_obj(j, NULL);
		yj_u64(j, "index", i);
		yj_str(j, "end", yl_vcpu_end_name(v->end));
		yj_str(j, "detail", v->detail);
		yj_u64(j, "console_lines_dropped", v->con_dropped);
		json_guest(j, r, i);
		json_exits(j, v);
		json_kstats(j, "kvm", &v->ks, v->ks_before, v->ks_after, v->ks_valid);
		json_tp(j, v);
		json_hoststat(j, v);
		yj_obj_end(j);
	}
	yj_arr_end(j);
}

static void json_result(struct yj *j, const struct yl_report *r)
{
	yj_obj(j, "result");
	yj_str(j, "status", r->status);
	yj_i64(j, "exit_code", r->exit_code);
	yj_bool(j, "complete", r->complete);
	yj_str(j, "stopped_by", r->stop == YL_STOP_TIMEOUT ? "watchdog" :
		   r->stop == YL_STOP_SIGNAL ? "signal" :
		   r->stop == YL_STOP_SECCOMP ? "seccomp" : "guest");
	yj_dbl(j, "wall_ms", (double)r->wall_ns / 1e6);
	yj_dbl(j, "lock_phase_ms", r->phase_ms);
	yj_u64(j, "ops", r->ops);
	yj_dbl(j, "ops_per_s", rate(r, r->ops));
	yj_obj(j, "ops_fairness");
	yj_dbl(j, "jain", r->ops_jain);
	yj_u64(j, "min", r->ops_min);
	yj_u64(j, "max", r->ops_max);
	yj_obj_end(j);
	yj_u64(j, "spins", r->spins);
	yj_u64(j, "yields", r->yields);
	yj_u64(j, "halts", r->halts);
	yj_u64(j, "kicks", r->kicks);
	yj_u64(j, "ipi_ops", r->ipi_ops);
	yj_dbl(j, "ipi_ops_per_s", rate(r, r->ipi_ops));
	yj_u64(j, "ipi_sent", r->ipi_sent);
	yj_u64(j, "ipi_received", r->ipi_received);
	yj_u64(j, "ipi_acked", r->ipi_acked);
	yj_u64(j, "ipi_interrupts", r->ipi_irqs);
	yj_u64(j, "ipi_yields", r->ipi_yields);
	yj_u64(j, "ipi_hypercalls", r->ipi_hypercalls);
	yj_u64(j, "shared_counter", r->sum.shared_counter);
	yj_bool(j, "guest_check_ok", r->sum.check_ok == 1);
	yj_obj_end(j);
}

static void json_cgroup(struct yj *j, const struct yl_vm *vm)
{
	if (!vm->cgroup[0]) {
		yj_null(j, "cgroup");
		return;
	}
	yj_obj(j, "cgroup");
	yj_str(j, "path", vm->cgroup);
	yj_u64(j, "cpu_weight", vm->cg_weight ? vm->cg_weight : 100);
	if (vm->cg_valid)
		yj_u64(j, "usage_usec", vm->cg_usage_us);
	else
		yj_null(j, "usage_usec");
	yj_obj_end(j);
}

/* What one VM measured: the whole JSON of a single-VM run but config and host. */
static void json_vm_body(struct yj *j, const struct yl_report *r)
{
	unsigned int k;

	json_result(j, r);
	yj_obj(j, "checks");
	for (k = 0; k < ARRAY_SIZE(checks); k++)
		json_check(j, checks[k].json, check_at(r, k));
	yj_obj_end(j);
	json_cgroup(j, r->vm);
	yl_samples_json(j, r);
	yl_coop_json(j, r);
	json_vcpus(j, r);
	json_kstats(j, "vm_kvm", &r->vm->ks, r->vm->ks_before, r->vm->ks_after,
		    r->vm->ks_valid);
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

static const char *combined_status(const struct yl_report *r, unsigned int n)
{
	unsigned int k;

	for (k = 0; k < n; k++)
		if (r[k].exit_code != YL_EXIT_OK)
			return r[k].status;
	return "ok";
}

static void json_combined(struct yj *j, const struct yl_report *r, unsigned int n)
{
	uint64_t ops = 0, ipi = 0;
	double ops_s = 0, ipi_s = 0;
	unsigned int k;

	for (k = 0; k < n; k++) {
		ops += r[k].ops;
		ipi += r[k].ipi_ops;
		ops_s += rate(&r[k], r[k].ops);
		ipi_s += rate(&r[k], r[k].ipi_ops);
	}
	yj_obj(j, "combined");
	yj_u64(j, "vms", n);
	yj_str(j, "status", combined_status(r, n));
	yj_i64(j, "exit_code", yl_reports_exit_code(r, n));
	yj_u64(j, "ops", ops);
	yj_dbl(j, "ops_per_s", ops_s);
	yj_u64(j, "ipi_ops", ipi);
	yj_dbl(j, "ipi_ops_per_s", ipi_s);
	yj_obj_end(j);
}

/*
 * One VM: the result, checks and vCPUs at the top level.  Several: the
 * same per VM under "vms", and a "combined" summary.
 */
void yl_reports_json(const struct yl_report *r, unsigned int n,
		     const struct yl_privs *privs, FILE *f)
{
	struct yj j;
	unsigned int k;

	yj_init(&j, f);
	yj_obj(&j, NULL);
	yj_u64(&j, "abi_version", YL_ABI_VERSION);
	json_config(&j, r, privs);
	json_host(&j, r);
	if (n == 1) {
		json_vm_body(&j, r);
	} else {
		json_combined(&j, r, n);
		yj_arr(&j, "vms");
		for (k = 0; k < n; k++) {
			yj_obj(&j, NULL);
			yj_u64(&j, "index", k);
			json_vm_body(&j, &r[k]);
			yj_obj_end(&j);
		}
		yj_arr_end(&j);
	}
	yj_obj_end(&j);
}

/* Several VMs: each one's table, then what they did together. */
void yl_reports_print(const struct yl_report *r, unsigned int n, FILE *f)
{
	unsigned int k;

	if (n == 1) {
		yl_report_print(r, f);
		return;
	}
	for (k = 0; k < n; k++) {
		fprintf(f, "%s== VM %u of %u ==\n", k ? "\n" : "", k, n);
		yl_report_print(&r[k], f);
	}
	fprintf(f, "\n== combined: %u VMs on the same pCPUs, status %s ==\n",
		n, combined_status(r, n));
	fprintf(f, "%4s %-14s %12s %12s %12s %12s %10s %12s\n", "vm", "status",
		"lock_ops", "ops/s", "ipi_ops", "ipi_ops/s", "phase_ms", "cg_cpu_ms");
	for (k = 0; k < n; k++)
		fprintf(f, "%4u %-14s %12" PRIu64 " %12.0f %12" PRIu64 " %12.0f %10.1f %12.1f\n",
			k, r[k].status, r[k].ops, rate(&r[k], r[k].ops),
			r[k].ipi_ops, rate(&r[k], r[k].ipi_ops), r[k].phase_ms,
			r[k].vm->cg_valid ? (double)r[k].vm->cg_usage_us / 1e3 : 0.0);
}
