// SPDX-License-Identifier: GPL-2.0
#include "schedjson.h"

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
	yl_json_credit(j, s);
}

void yl_json_credit(struct yj *j, const struct yl_sched *s)
{
	yj_obj(j, "credit");
	yj_u64(j, "credits", s->credits);
	yj_u64(j, "levels", s->credit_levels);
	yj_u64(j, "granted_ns", s->credit_ns);
	yj_u64(j, "denied", s->credit_denied);
	yj_obj_end(j);
}

