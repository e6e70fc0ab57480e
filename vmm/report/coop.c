// SPDX-License-Identifier: GPL-2.0
/*
 * --sched coop in the report: what the scheduler did (dispatches, slice
 * ends, hints and their outcomes, hand-off latency), each vCPU's CPU time
 * against its fair share, and the checks that only coop mode has.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include "vmm/coop/coop.h"
#include "out/json.h"
#include "out/schedjson.h"
#include "report.h"

/* This report's VM: its tasks are c->v[base .. base + per_vm). */
static unsigned int base_of(const struct yl_report *r)
{
	return r->vm->vcpus[0].task;
}

static uint64_t coop_sum(const struct yl_report *r, size_t off)
{
	const struct yl_coop *c = r->vm->coop;
	unsigned int i, b = base_of(r);
	uint64_t n = 0;

	for (i = 0; i < c->per_vm; i++)
		n += *(const uint64_t *)((const char *)&c->v[b + i] + off);
	return n;
}

#define COOP_SUM(r, field) coop_sum(r, offsetof(struct yl_coop_vcpu, field))

/*
 * The CPU time sched/ charged to a VM's vCPUs, and to every VM's: over
 * the run, or (contended) until the first vCPU finished.
 */
static void vm_service(const struct yl_coop *c, unsigned int vm, bool contended,
		       double *mine, double *all)
{
	unsigned int t;

	*mine = *all = 0;
	for (t = 0; t < c->nr; t++) {
		double x = contended ? (double)c->v[t].contended_ns :
			   (double)yl_sched_service(c->s, t);

		*all += x;
		if (c->v[t].vm == vm)
			*mine += x;
	}
}

/* The VM's cpu.weight (the kernel's default, 100, if none was given). */
static unsigned int vm_weight(const struct yl_coop *c, unsigned int vm)
{
	unsigned int w = yl_vm_cpu_weight(c->cfg, vm);

	return w ? w : 100;
}

static double weight_share(const struct yl_coop *c, unsigned int vm)
{
	unsigned int k, sum = 0;

	for (k = 0; k < c->nr_vms; k++)
		sum += vm_weight(c, k);
	return (double)vm_weight(c, vm) / sum;
}

static uint64_t thread_changes(const struct yl_coop *c)
{
	uint64_t n = 0;
	unsigned int t;

	for (t = 0; t < c->nr; t++)
		n += c->v[t].thread_changes;
	return n;
}

/*
 * In coop mode the guest's paravirt calls are yieldlab's ports, so its
 * counts are compared with the scheduler's, and KVM must have seen none
 * of its own (no hypercall, no HLT exit).  And the mechanism's promise:
 * never more vCPUs inside KVM_RUN than physical CPUs.
 */
void yl_coop_checks(struct yl_report *r)
{
	const struct yl_coop *c = r->vm->coop;
	uint64_t hints = COOP_SUM(r, hints), halts = COOP_SUM(r, halts);
	uint64_t kicks = COOP_SUM(r, kicks_sent), kvm_hc = 0, kvm_hlt = 0;
	uint64_t ipis = COOP_SUM(r, ipi_calls);
	bool ok_hc = true, ok_hlt = true;
	unsigned int i;

	for (i = 0; i < r->vm->nr_vcpus; i++) {
		kvm_hc += yl_kstat_value(&r->vm->vcpus[i], "hypercalls", &ok_hc);
		kvm_hlt += yl_kstat_value(&r->vm->vcpus[i], "halt_exits", &ok_hlt);
	}
	r->dy.state = r->complete ? r->yields + r->ipi_yields == hints : -1;
	snprintf(r->dy.text, sizeof(r->dy.text),
		 "guest spin hints %" PRIu64 " (lock) + %" PRIu64 " (IPI), yieldlab received %" PRIu64 "%s",
		 r->yields, r->ipi_yields, hints, r->complete ? "" : " (partial run: not compared)");
	r->hc.state = !ok_hc ? -1 : kvm_hc == 0 && (!r->complete || r->ipi_hypercalls == ipis);
	snprintf(r->hc.text, sizeof(r->hc.text),
		 "KVM hypercalls %" PRIu64 " (coop: the guest uses yieldlab's ports); guest IPI calls %" PRIu64
		 ", yieldlab received %" PRIu64, kvm_hc, r->ipi_hypercalls, ipis);
	r->halt.state = !r->complete ? -1 :
			r->halts == halts && r->kicks == kicks && (!ok_hlt || !kvm_hlt);
	snprintf(r->halt.text, sizeof(r->halt.text),
		 "guest halts %" PRIu64 " kicks %" PRIu64 ", yieldlab %" PRIu64 " and %" PRIu64
		 ", KVM halt_exits %" PRIu64 "%s", r->halts, r->kicks, halts, kicks, kvm_hlt,
		 r->complete ? "" : " (partial run: not compared)");
	r->coop.state = c->max_in_run <= (int)c->nr_cpus && !c->double_entries &&
			!c->misplaced;
	snprintf(r->coop.text, sizeof(r->coop.text),
		 "at most %d vCPU(s) in KVM_RUN at once on %u pCPU(s); a vCPU entered by two threads at once %" PRIu64
		 " times; KVM_RUNs on another host CPU than their pCPU's %" PRIu64,
		 c->max_in_run, c->nr_cpus, c->double_entries, c->misplaced);
}

/* /sys/kernel/rcu_expedited: 0 or 1, -1 unreadable. */
static int rcu_expedited(void)
{
	FILE *f = fopen("/sys/kernel/rcu_expedited", "re");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/*
 * Whether this kernel's KVM_RUN waits for an RCU grace period when a vCPU
 * is run from another thread than its last: kvm_vcpu_ioctl() did,
 * synchronize_rcu() after changing vcpu->pid, until "KVM: Protect vCPU's
 * "last run PID" with rwlock, not RCU" (6.14).  Measured: 6.12 pays
 * milliseconds; 6.18 (kvm_pvm) 170-541 ns a change (bench exits).
 */
bool yl_kvm_run_moves_slow(const char *release)
{
	unsigned int major = 0, minor = 0;

	if (sscanf(release, "%u.%u", &major, &minor) != 2)
		return true;	/* unknown: say what may be */
	return major < 6 || (major == 6 && minor < 14);
}

static bool moves_slow(void)
{
	struct utsname u;

	return uname(&u) || yl_kvm_run_moves_slow(u.release);
}

/*
 * A vCPU that sched/ moved to another CPU is run by that CPU's thread,
 * and KVM_RUN from a new thread takes its pid: before 6.14 with
 * synchronize_rcu(), a grace period of milliseconds unless RCU is
 * expedited.  Said once, by the first VM's report.
 */
static void warn_moves(struct yl_report *r)
{
	const struct yl_coop *c = r->vm->coop;
	uint64_t n = thread_changes(c);

	if (r->vm != &c->vms[0] || !n || !moves_slow() || rcu_expedited() != 0)
		return;
	yl_warn(&r->warn, YL_WARN_SLOW_MOVES,
		"%" PRIu64 " KVM_RUNs of a vCPU on another thread than its last, each of which waits for an RCU grace period on this kernel, whose KVM_RUN calls synchronize_rcu() when vcpu->pid changes (before 6.14); /sys/kernel/rcu_expedited is 0, see docs/coop.md",
		n);
}

/* A policy that got no hint, or acted on none, compared nothing. */
void yl_coop_warnings(struct yl_report *r)
{
	const struct yl_coop *c = r->vm->coop;
	const struct yl_config *cfg = r->vm->cfg;

	uint64_t o[YL_OUT_NR] = { 0 };
	unsigned int i, k;

	(void)c;
	for (i = 0; i < c->per_vm; i++)
		for (k = 0; k < YL_OUT_NR; k++)
			o[k] += c->v[base_of(r) + i].outcomes[k];
	yl_warn_hints(&r->warn, yl_policy_name(cfg), cfg->pv == YL_PV_YIELD,
		      COOP_SUM(r, hints), o[YL_OUT_YIELDED] + o[YL_OUT_HONOURED] +
		      o[YL_OUT_RATE_LIMITED]);
	/* the scheduler's count: none at all is none for this VM */
	yl_warn_credit(&r->warn, yl_policy_name(cfg), o[YL_OUT_HONOURED] +
		       o[YL_OUT_RATE_LIMITED], c->s->credit_stat[YL_CS_CREDITS]);
	warn_moves(r);
}

/* kvm_vcpu_on_spin()'s counters, over every VM's target choice. */
static void spin_stat(const struct yl_coop *c, uint64_t *out)
{
	unsigned int vm;

	memset(out, 0, YL_SPIN_NR * sizeof(*out));
	for (vm = 0; vm < c->nr_vms; vm++)
		yl_target_add_spin_stat(&c->tgt[vm], out);
}

static void print_outcomes(const uint64_t *o, FILE *f)
{
	unsigned int k;
	bool any = false;

	for (k = 0; k < YL_OUT_NR; k++) {
		if (!o[k])
			continue;
		fprintf(f, "%s %s %" PRIu64, any ? "," : "", yl_outcome_name(k), o[k]);
		any = true;
	}
	fprintf(f, "%s\n", any ? "" : " none");
}

/* The VM's group line: its CPU time against its weight's share. */
static void print_group(const struct yl_report *r, FILE *f)
{
	const struct yl_coop *c = r->vm->coop;
	unsigned int vm = c->v[base_of(r)].vm;
	double mine, all;

	if (c->nr_vms < 2)
		return;
	double cm, ca;

	vm_service(c, vm, false, &mine, &all);
	vm_service(c, vm, true, &cm, &ca);
	fprintf(f, "VM %u as a group%s: cpu.weight %u (%.1f%% of the weights), CPU time %.1f ms = %.1f%% of all VMs'"
		" (%.1f%% until the first vCPU finished)\n",
		vm, c->cfg->flat ? " (flattened pick)" : "", vm_weight(c, vm),
		100 * weight_share(c, vm), mine / 1e6, all > 0 ? 100 * mine / all : 0,
		ca > 0 ? 100 * cm / ca : 0);
}

static void print_vcpus(const struct yl_report *r, FILE *f, uint64_t now)
{
	const struct yl_coop *c = r->vm->coop;
	unsigned int i;

	fprintf(f, "%4s %4s %11s %11s %8s %9s %7s %13s %10s %10s %6s\n", "vcpu", "cpu",
		"dispatches", "slice_ends", "hints", "handoffs", "halts", "kicks(s/r)",
		"cpu_ms", "fair_ms", "share");
	for (i = 0; i < c->per_vm; i++) {
		unsigned int t = base_of(r) + i;
		const struct yl_coop_vcpu *v = &c->v[t];
		double svc = (double)yl_sched_service(c->s, t) / 1e6;
		double fair = yl_sched_ideal(c->s, t, now) / 1e6;
		char kk[32];

		snprintf(kk, sizeof(kk), "%" PRIu64 "/%" PRIu64, v->kicks_sent,
			 v->kicks_received);
		fprintf(f, "%4u %4u %11" PRIu64 " %11" PRIu64 " %8" PRIu64 " %9" PRIu64
			" %7" PRIu64 " %13s %10.1f %10.1f %6.2f\n", i, c->s->tasks[t].cpu,
			v->dispatches, v->preemptions, v->hints, v->handoffs, v->halts,
			kk, svc, fair, fair > 0 ? svc / fair : 0.0);
	}
}

static const char *pause_exits(const struct yl_vm *vm)
{
	return vm->pause_exits_off ? "off (KVM_X86_DISABLE_EXITS_PAUSE)" :
	       "as KVM sets them (it cannot turn them off)";
}

/* What the executor did, for every VM at once. */
static void print_executor(const struct yl_report *r, FILE *f)
{
	uint64_t spin[YL_SPIN_NR];
	const struct yl_coop *c = r->vm->coop;
	unsigned int i;

	fprintf(f, "hint outcomes (all VMs):");
	print_outcomes(c->outcomes, f);
	fprintf(f, "honoured hints (target on the yielder's CPU) whose target was picked next:"
		" eligible when hinted %" PRIu64 "/%" PRIu64 ", ineligible when hinted %" PRIu64
		"/%" PRIu64 ", still ineligible at the pick %" PRIu64 "/%" PRIu64 "\n",
		c->eligible_ran_next, c->honoured_eligible, c->ineligible_ran_next,
		c->honoured_ineligible, c->ineligible_at_pick_ran_next, c->ineligible_at_pick);
	yl_print_credit(f, c->s);
	spin_stat(c, spin);
	yl_print_spin(f, spin);
	if (c->handoff_n)
		fprintf(f, "hand-off latency (hint exit to the target's KVM_RUN): %" PRIu64
			" hand-offs (%" PRIu64 " on the yielder's own thread), p50 <= %.1f us, p99 <= %.1f us\n",
			c->handoff_n, c->handoff_same_thread,
			(double)yl_hist_quantile(c->handoff_hist, 0.5) / 1e3,
			(double)yl_hist_quantile(c->handoff_hist, 0.99) / 1e3);
	if (c->phase_n)
		fprintf(f, "  split (means over %" PRIu64 "): decide %.1f us, switch %.1f us,"
			" enter %.1f us\n", c->phase_n,
			(double)c->phase_sum_ns[0] / (double)c->phase_n / 1e3,
			(double)c->phase_sum_ns[1] / (double)c->phase_n / 1e3,
			(double)c->phase_sum_ns[2] / (double)c->phase_n / 1e3);
	fprintf(f, "executor: %" PRIu64 " KVM_RUNs, %" PRIu64 " of a vCPU by another thread than its last (KVM takes the new pid),"
		" PAUSE exits %s\n", c->entries, thread_changes(c), pause_exits(r->vm));
	for (i = 0; i < c->nr_cpus; i++) {
		const struct yl_coop_cpu *pc = &c->cpu[i];
		struct yl_hoststat d;

		yl_hoststat_delta(&pc->hs_before, &pc->hs_after, &d);
		fprintf(f, "  pCPU %u (host CPU %d): %" PRIu64 " switches of vCPU fd, %" PRIu64
			" idle waits, thread ran %.1f ms, waited for the host %.1f ms\n", i,
			pc->host_cpu, pc->fd_switches, pc->idle_waits,
			d.valid ? (double)d.run_ns / 1e6 : 0.0,
			d.valid ? (double)d.wait_ns / 1e6 : 0.0);
	}
}

void yl_coop_print(const struct yl_report *r, FILE *f)
{
	const struct yl_coop *c = r->vm->coop;
	uint64_t ops;

	if (!c)
		return;
	fprintf(f, "\ncoop: policy %s, target %s, preset %s, %u pCPUs, %u VM(s); at most %d vCPUs in KVM_RUN at once\n",
		c->pol->name, yl_target_name(c->tgt[0].kind), c->s->p.preset, c->nr_cpus,
		c->nr_vms, c->max_in_run);
	print_group(r, f);
	print_vcpus(r, f, yl_now_ns() - c->t0);
	ops = r->ops + r->ipi_ops;
	if (ops)
		fprintf(f, "hand-offs per op (lock and IPI) of this VM: %.3f\n",
			(double)COOP_SUM(r, handoffs) / (double)ops);
	if (r->vm == &c->vms[0])
		print_executor(r, f);
}

static const char *const phase_names[YL_HANDOFF_PHASES] = {
	"decide_ns_mean", "switch_ns_mean", "enter_ns_mean",
};

/* What the hints' targets did at the next pick, against sched/'s tests. */
static void json_decisions(struct yj *j, const struct yl_coop *c)
{
	yj_obj(j, "decisions");
	yj_u64(j, "honoured_eligible", c->honoured_eligible);
	yj_u64(j, "eligible_ran_next", c->eligible_ran_next);
	yj_u64(j, "honoured_ineligible", c->honoured_ineligible);
	yj_u64(j, "ineligible_ran_next", c->ineligible_ran_next);
	yj_u64(j, "ineligible_at_pick", c->ineligible_at_pick);
	yj_u64(j, "ineligible_at_pick_ran_next", c->ineligible_at_pick_ran_next);
	yj_obj_end(j);
}

static void json_phases(struct yj *j, const struct yl_coop *c)
{
	unsigned int k;

	yj_obj(j, "handoff_phases");
	yj_u64(j, "n", c->phase_n);
	for (k = 0; k < YL_HANDOFF_PHASES; k++)
		yj_u64(j, phase_names[k], c->phase_n ? c->phase_sum_ns[k] / c->phase_n : 0);
	yj_obj_end(j);
}

static void json_outcomes(struct yj *j, const uint64_t *o)
{
	unsigned int k;

	yj_obj(j, "outcomes");
	for (k = 0; k < YL_OUT_NR; k++)
		yj_u64(j, yl_outcome_name(k), o[k]);
	yj_obj_end(j);
}

static void json_coop_vcpu(struct yj *j, const struct yl_coop *c, unsigned int t,
			   uint64_t now)
{
	const struct yl_coop_vcpu *v = &c->v[t];

	yj_obj(j, NULL);
	yj_u64(j, "vcpu", v->vcpu->idx);
	yj_u64(j, "cpu", c->s->tasks[t].cpu);
	yj_u64(j, "dispatches", v->dispatches);
	yj_u64(j, "slice_end_preemptions", v->preemptions);
	yj_u64(j, "preempted_user", v->preempted_user);
	yj_u64(j, "hints", v->hints);
	yj_u64(j, "handoffs", v->handoffs);
	yj_u64(j, "halts", v->halts);
	yj_u64(j, "kicks_sent", v->kicks_sent);
	yj_u64(j, "kicks_received", v->kicks_received);
	yj_u64(j, "ipi_calls", v->ipi_calls);
	yj_u64(j, "ipis_injected", v->ipis_injected);
	yj_u64(j, "thread_changes", v->thread_changes);
	yj_u64(j, "service_ns", yl_sched_service(c->s, t));
	yj_dbl(j, "fair_share_ns", yl_sched_ideal(c->s, t, now));
	json_outcomes(j, v->outcomes);
	yj_obj_end(j);
}

/* What ipi-pairs learnt in this VM: each sender's last unicast receiver. */
static void json_pairs(struct yj *j, const struct yl_coop *c, unsigned int vm)
{
	const struct yl_target *tg = &c->tgt[vm];
	unsigned int i;

	yj_arr(j, "ipi_pairs");
	for (i = 0; i < tg->nr; i++) {
		if (tg->v[i].ipi_receiver < 0)
			continue;
		yj_obj(j, NULL);
		yj_u64(j, "sender", i);
		yj_u64(j, "receiver", (uint64_t)tg->v[i].ipi_receiver);
		yj_obj_end(j);
	}
	yj_arr_end(j);
}

static void json_threads(struct yj *j, const struct yl_coop *c)
{
	unsigned int i;

	yj_arr(j, "pcpu_threads");
	for (i = 0; i < c->nr_cpus; i++) {
		const struct yl_coop_cpu *pc = &c->cpu[i];
		struct yl_hoststat d;

		yl_hoststat_delta(&pc->hs_before, &pc->hs_after, &d);
		yj_obj(j, NULL);
		yj_u64(j, "cpu", i);
		yj_i64(j, "host_cpu", pc->host_cpu);
		yj_u64(j, "fd_switches", pc->fd_switches);
		yj_u64(j, "idle_waits", pc->idle_waits);
		yj_bool(j, "host_valid", d.valid);
		yj_u64(j, "host_run_ns", d.run_ns);
		yj_u64(j, "host_wait_ns", d.wait_ns);
		yj_u64(j, "nonvoluntary_ctxt_switches", d.invol_cs);
		yj_obj_end(j);
	}
	yj_arr_end(j);
}

/* The executor, for all VMs: in "coop" of a one-VM run, else at the top. */
static void json_executor(struct yj *j, const struct yl_report *r)
{
	const struct yl_coop *c = r->vm->coop;

	uint64_t spin[YL_SPIN_NR];

	spin_stat(c, spin);
	yl_json_sched(j, c->s, c->pol->name, yl_target_name(c->tgt[0].kind), c->nr_vms);
	yl_json_spin(j, spin);
	yj_str(j, "pause_exits", r->vm->pause_exits_off ? "off" : "kvm");
	yj_i64(j, "max_in_kvm_run", c->max_in_run);
	yj_u64(j, "double_entries", c->double_entries);
	yj_u64(j, "entries", c->entries);
	yj_u64(j, "entries_on_another_host_cpu", c->misplaced);
	yj_u64(j, "thread_changes", thread_changes(c));
	yj_i64(j, "rcu_expedited", rcu_expedited());
	json_outcomes(j, c->outcomes);
	json_decisions(j, c);
	yl_json_hist(j, "handoff_latency_hist_ns", c->handoff_hist);
	yj_u64(j, "handoffs", c->handoff_n);
	yj_u64(j, "handoffs_same_thread", c->handoff_same_thread);
	yj_u64(j, "handoff_p50_ns_le", yl_hist_quantile(c->handoff_hist, 0.5));
	yj_u64(j, "handoff_p99_ns_le", yl_hist_quantile(c->handoff_hist, 0.99));
	json_phases(j, c);
	yj_bool(j, "exit_tracepoint_counters", false);
	json_threads(j, c);
}

/* This VM: its group, its vCPUs, what its target choice learnt. */
static void json_vm(struct yj *j, const struct yl_report *r)
{
	const struct yl_coop *c = r->vm->coop;
	unsigned int vm = c->v[base_of(r)].vm, i;
	uint64_t now = yl_now_ns() - c->t0, ops = r->ops + r->ipi_ops;
	double mine, all, cm, ca;

	vm_service(c, vm, false, &mine, &all);
	vm_service(c, vm, true, &cm, &ca);
	yj_obj(j, "group");
	yj_u64(j, "vm", vm);
	yj_bool(j, "is_group", c->nr_vms > 1);
	yj_u64(j, "cpu_weight", vm_weight(c, vm));
	yj_dbl(j, "weight_share", weight_share(c, vm));
	yj_dbl(j, "service_ns", mine);
	yj_dbl(j, "cpu_share", all > 0 ? mine / all : 0);
	yj_dbl(j, "contended_service_ns", cm);
	yj_dbl(j, "contended_cpu_share", ca > 0 ? cm / ca : 0);
	yj_u64(j, "contended_ns", c->contended_end);
	yj_obj_end(j);
	yj_u64(j, "vm_handoffs", COOP_SUM(r, handoffs));
	yj_dbl(j, "handoffs_per_op", ops ? (double)COOP_SUM(r, handoffs) / (double)ops : 0);
	json_pairs(j, c, vm);
	yj_arr(j, "vcpus");
	for (i = 0; i < c->per_vm; i++)
		json_coop_vcpu(j, c, base_of(r) + i, now);
	yj_arr_end(j);
}

void yl_coop_json(struct yj *j, const struct yl_report *r)
{
	const struct yl_coop *c = r->vm->coop;

	if (!c) {
		yj_null(j, "coop");
		return;
	}
	yj_obj(j, "coop");
	if (c->nr_vms == 1)
		json_executor(j, r);
	json_vm(j, r);
	yj_obj_end(j);
}

/* Several VMs: the executor once, at the top of the run's JSON. */
void yl_coop_json_top(struct yj *j, const struct yl_report *r)
{
	const struct yl_coop *c = r->vm->coop;

	if (!c || c->nr_vms == 1)
		return;
	yj_obj(j, "coop");
	json_executor(j, r);
	yj_obj_end(j);
}
