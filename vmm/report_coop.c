// SPDX-License-Identifier: GPL-2.0
/*
 * --sched coop in the report: what the scheduler did (dispatches, slice
 * ends, hints and their outcomes, hand-off latency), each vCPU's CPU time
 * against its fair share, and the checks that only coop mode has.
 */
#include <inttypes.h>
#include <string.h>
#include "coop.h"
#include "json.h"
#include "report.h"

static uint64_t coop_sum(const struct yl_coop *c, size_t off)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < c->nr; i++)
		n += *(const uint64_t *)((const char *)&c->v[i] + off);
	return n;
}

#define COOP_SUM(c, field) coop_sum(c, offsetof(struct yl_coop_vcpu, field))

/*
 * In coop mode the guest's paravirt calls are yieldlab's ports, so its
 * counts are compared with the scheduler's, and KVM must have seen none
 * of its own (no hypercall, no HLT exit).  And the mechanism's promise:
 * never more vCPUs inside KVM_RUN than physical CPUs.
 */
void yl_coop_checks(struct yl_report *r)
{
	const struct yl_coop *c = r->vm->coop;
	uint64_t hints = COOP_SUM(c, hints), halts = COOP_SUM(c, halts);
	uint64_t kicks = COOP_SUM(c, kicks_sent), kvm_hc = 0, kvm_hlt = 0;
	uint64_t ipis = COOP_SUM(c, ipi_calls);
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
	r->coop.state = c->max_in_run <= (int)c->nr_cpus;
	snprintf(r->coop.text, sizeof(r->coop.text),
		 "at most %d vCPU(s) in KVM_RUN at once, %u pCPU(s)", c->max_in_run,
		 c->nr_cpus);
}

/* A policy that got no hint, or acted on none, compared nothing. */
void yl_coop_warnings(struct yl_report *r)
{
	const struct yl_coop *c = r->vm->coop;
	const struct yl_config *cfg = r->vm->cfg;

	yl_warn_hints(&r->warn, yl_policy_name(cfg), cfg->pv == YL_PV_YIELD,
		      COOP_SUM(c, hints), c->outcomes[YL_OUT_YIELDED] +
		      c->outcomes[YL_OUT_HONOURED] + c->outcomes[YL_OUT_RATE_LIMITED]);
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

/* Were per-thread perf counters on the vCPU threads during the run? */
static bool tp_counted(const struct yl_report *r)
{
	return r->vm->tp && r->vm->tp->ok;
}

void yl_coop_print(const struct yl_report *r, FILE *f)
{
	const struct yl_coop *c = r->vm->coop;
	uint64_t now;
	unsigned int i;

	if (!c)
		return;
	now = yl_now_ns() - c->t0;
	fprintf(f, "\ncoop: policy %s, target %s, preset %s, %u pCPUs; at most %d vCPUs in KVM_RUN at once\n",
		c->pol->name, yl_target_name(c->tgt.kind), c->s->p.preset, c->nr_cpus,
		c->max_in_run);
	fprintf(f, "%4s %4s %11s %11s %8s %7s %13s %10s %10s %6s\n", "vcpu", "cpu",
		"dispatches", "slice_ends", "hints", "halts", "kicks(s/r)",
		"cpu_ms", "fair_ms", "share");
	for (i = 0; i < c->nr; i++) {
		const struct yl_coop_vcpu *v = &c->v[i];
		double svc = (double)yl_sched_service(c->s, i) / 1e6;
		double fair = yl_sched_ideal(c->s, i, now) / 1e6;
		char kk[32];

		snprintf(kk, sizeof(kk), "%" PRIu64 "/%" PRIu64, v->kicks_sent,
			 v->kicks_received);
		fprintf(f, "%4u %4u %11" PRIu64 " %11" PRIu64 " %8" PRIu64 " %7" PRIu64
			" %13s %10.1f %10.1f %6.2f\n", i, c->s->tasks[i].cpu,
			v->dispatches, v->preemptions, v->hints, v->halts, kk, svc,
			fair, fair > 0 ? svc / fair : 0.0);
	}
	fprintf(f, "hint outcomes:");
	print_outcomes(c->outcomes, f);
	fprintf(f, "honoured hints (target on the yielder's CPU) whose target was picked next:"
		" eligible when hinted %" PRIu64 "/%" PRIu64 ", ineligible when hinted %" PRIu64
		"/%" PRIu64 ", still ineligible at the pick %" PRIu64 "/%" PRIu64 "\n",
		c->eligible_ran_next, c->honoured_eligible, c->ineligible_ran_next,
		c->honoured_ineligible, c->ineligible_at_pick_ran_next, c->ineligible_at_pick);
	if (c->handoff_n)
		fprintf(f, "hand-off latency (hint exit to the target's KVM_RUN): %" PRIu64
			" hand-offs, p50 <= %.1f us, p99 <= %.1f us\n", c->handoff_n,
			(double)yl_hist_quantile(c->handoff_hist, 0.5) / 1e3,
			(double)yl_hist_quantile(c->handoff_hist, 0.99) / 1e3);
	if (c->phase_n)
		fprintf(f, "  split (means over %" PRIu64 " whose target slept): decide %.1f us,"
			" host wake-up %.1f us, back to KVM_RUN %.1f us\n", c->phase_n,
			(double)c->phase_sum_ns[0] / (double)c->phase_n / 1e3,
			(double)c->phase_sum_ns[1] / (double)c->phase_n / 1e3,
			(double)c->phase_sum_ns[2] / (double)c->phase_n / 1e3);
	if (c->handoff_n && tp_counted(r))
		fprintf(f, "  (with the kvm:kvm_exit counters on, which every context switch"
			" also switches; --exit-tracepoint off measures without them)\n");
}

static const char *const phase_names[YL_HANDOFF_PHASES] = {
	"decide_ns_mean", "wake_ns_mean", "enter_ns_mean",
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

static void json_coop_vcpu(struct yj *j, const struct yl_coop *c, unsigned int i,
			   uint64_t now)
{
	const struct yl_coop_vcpu *v = &c->v[i];

	yj_obj(j, NULL);
	yj_u64(j, "vcpu", i);
	yj_u64(j, "cpu", c->s->tasks[i].cpu);
	yj_u64(j, "dispatches", v->dispatches);
	yj_u64(j, "slice_end_preemptions", v->preemptions);
	yj_u64(j, "hints", v->hints);
	yj_u64(j, "halts", v->halts);
	yj_u64(j, "kicks_sent", v->kicks_sent);
	yj_u64(j, "kicks_received", v->kicks_received);
	yj_u64(j, "ipi_calls", v->ipi_calls);
	yj_u64(j, "ipis_injected", v->ipis_injected);
	yj_u64(j, "service_ns", yl_sched_service(c->s, i));
	yj_dbl(j, "fair_share_ns", yl_sched_ideal(c->s, i, now));
	json_outcomes(j, v->outcomes);
	yj_obj_end(j);
}

/* What ipi-pairs learnt: each sender's last unicast receiver. */
static void json_pairs(struct yj *j, const struct yl_coop *c)
{
	unsigned int i;

	yj_arr(j, "ipi_pairs");
	for (i = 0; i < c->nr; i++) {
		if (c->tgt.v[i].ipi_receiver < 0)
			continue;
		yj_obj(j, NULL);
		yj_u64(j, "sender", i);
		yj_u64(j, "receiver", (uint64_t)c->tgt.v[i].ipi_receiver);
		yj_obj_end(j);
	}
	yj_arr_end(j);
}

void yl_coop_json(struct yj *j, const struct yl_report *r)
{
	const struct yl_coop *c = r->vm->coop;
	uint64_t now;
	unsigned int i;

	if (!c) {
		yj_null(j, "coop");
		return;
	}
	now = yl_now_ns() - c->t0;
	yj_obj(j, "coop");
	yj_str(j, "policy", c->pol->name);
	yj_str(j, "target", yl_target_name(c->tgt.kind));
	yj_str(j, "preset", c->s->p.preset);
	yj_u64(j, "nr_pcpus", c->nr_cpus);
	yj_i64(j, "max_in_kvm_run", c->max_in_run);
	yj_u64(j, "entries", c->entries);
	yj_u64(j, "entries_on_another_host_cpu", c->misplaced);
	json_pairs(j, c);
	json_outcomes(j, c->outcomes);
	json_decisions(j, c);
	yl_json_hist(j, "handoff_latency_hist_ns", c->handoff_hist);
	yj_u64(j, "handoff_p50_ns_le", yl_hist_quantile(c->handoff_hist, 0.5));
	yj_u64(j, "handoff_p99_ns_le", yl_hist_quantile(c->handoff_hist, 0.99));
	json_phases(j, c);
	yj_bool(j, "exit_tracepoint_counters", tp_counted(r));
	yj_arr(j, "vcpus");
	for (i = 0; i < c->nr; i++)
		json_coop_vcpu(j, c, i, now);
	yj_arr_end(j);
	yj_obj_end(j);
}
