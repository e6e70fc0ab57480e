// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include "schedjson.h"
#include "sched/policy.h"

/*
 * What the scheduler was and what lag credit granted: the head of coop's
 * executor object, which sim writes from its own scheduler too.
 */
void yl_json_sched(struct yj *j, const struct yl_sched *s, const char *policy,
		   const char *target, unsigned int nr_vms)
{
	yj_str(j, "policy", policy);
	yj_str(j, "target", target);
	yj_str(j, "preset", s->p.preset);
	yj_u64(j, "nr_pcpus", s->nr_cpus);
	yj_u64(j, "nr_vms", nr_vms);
	yj_bool(j, "flat", s->p.flat);
	yj_u64(j, "credit_budget_pct", s->p.credit_budget_pct);
	yj_bool(j, "credit_curr", s->p.credit_curr);
	yj_u64(j, "credit_pct", s->p.credit_pct);
	yj_u64(j, "credit_depth", s->p.credit_depth_max);
	yj_u64(j, "credit_resched_ns", s->p.credit_resched_ns);
	yl_json_credit(j, s);
}

/* The kernel's counters under its names (sched/sched.h), then the model's. */
void yl_json_credit(struct yj *j, const struct yl_sched *s)
{
	unsigned int k;

	yj_obj(j, "credit");
	for (k = 0; k < YL_CS_NR; k++)
		yj_u64(j, yl_credit_stat_names[k], s->credit_stat[k]);
	yj_u64(j, "margin_ns", s->credit_margin_ns);
	yj_u64(j, "denied", s->credit_denied);
	yj_obj_end(j);
}

/*
 * The same as text, in the order a reviewer asks: did yield_to() reach the
 * credit, what did it credit (the current entities apart), and what did the
 * forced reschedule and the pick after it do.  Nothing when nothing tried.
 */
void yl_print_credit(FILE *f, const struct yl_sched *s)
{
	const uint64_t *c = s->credit_stat;

	if (c[YL_CS_YIELDS])
		fprintf(f, "lag credit: %" PRIu64 " yields reached it, %" PRIu64
			" cross-rq (not credited); %" PRIu64 " credited %" PRIu64
			" levels: current task %" PRIu64 ", current group %" PRIu64
			", queued task %" PRIu64 ", queued group %" PRIu64
			"; left alone: eligible %" PRIu64 ", current %" PRIu64 "\n",
			c[YL_CS_YIELDS], c[YL_CS_CROSS_RQ], c[YL_CS_CREDITS],
			c[YL_CS_LEVELS], c[YL_CS_CURR_TASK], c[YL_CS_CURR_GROUP],
			c[YL_CS_QUEUED_TASK], c[YL_CS_QUEUED_GROUP],
			c[YL_CS_ELIGIBLE], c[YL_CS_CURR_SKIPPED]);
	if (c[YL_CS_CREDITS] || s->credit_denied)
		fprintf(f, "lag credit granted: %.3f ms virtual (%.3f ms of it margin),"
			" forced reschedules %" PRIu64 " (%" PRIu64 " rate limited),"
			" %" PRIu64 " refused by --credit-budget %u\n",
			(double)c[YL_CS_CREDIT_NS] / 1e6,
			(double)s->credit_margin_ns / 1e6, c[YL_CS_RESCHED],
			c[YL_CS_RESCHED_LIMITED], s->credit_denied,
			s->p.credit_budget_pct);
	if (c[YL_CS_NEXT_TARGET] + c[YL_CS_NEXT_OTHER])
		fprintf(f, "pick after a same-CPU yield_to(): the target %" PRIu64
			" of %" PRIu64 "\n", c[YL_CS_NEXT_TARGET],
			c[YL_CS_NEXT_TARGET] + c[YL_CS_NEXT_OTHER]);
}

/* kvm_vcpu_on_spin()'s counters (YL_SPIN_COUNTERS), KVM's names. */
void yl_json_spin(struct yj *j, const uint64_t *stat)
{
	unsigned int k;

	yj_obj(j, "spin");
	for (k = 0; k < YL_SPIN_NR; k++)
		yj_u64(j, yl_spin_stat_names[k], stat[k]);
	yj_obj_end(j);
}

void yl_print_spin(FILE *f, const uint64_t *stat)
{
	const uint64_t *c = stat;

	if (c[YL_SPIN_BOOST_RECEIVER] + c[YL_SPIN_BOOST_STRICT] +
	    c[YL_SPIN_BOOST_RELAXED] + c[YL_SPIN_STRICT_SKIPPED])
		fprintf(f, "kvm_vcpu_on_spin(): boosted the IPI receiver %" PRIu64
			", in the strict round %" PRIu64 ", in the relaxed round %" PRIu64
			"; the strict round skipped %" PRIu64 " preempted in user mode\n",
			c[YL_SPIN_BOOST_RECEIVER], c[YL_SPIN_BOOST_STRICT],
			c[YL_SPIN_BOOST_RELAXED], c[YL_SPIN_STRICT_SKIPPED]);
}
