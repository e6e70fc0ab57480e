// SPDX-License-Identifier: GPL-2.0
/*
 * The policies of the seed thread.  Each mirrors a kernel path:
 *   forfeit    - yield_to() (kernel/sched/syscalls.c) with
 *                yield_to_task_fair() (kernel/sched/fair.c)
 *   yield      - yield_task_fair() alone
 *   lag-credit - the seed's patches 1-5 on top of forfeit
 *   handoff    - what only a cooperative scheduler can do
 */
#include <string.h>
#include "policy.h"

static const char *const outcome_names[YL_OUT_NR] = {
	"ignored", "yielded", "honoured", "rate_limited", "target_running",
	"target_blocked", "target_not_runnable", "no_target",
};

const char *yl_outcome_name(enum yl_outcome o)
{
	return o < YL_OUT_NR ? outcome_names[o] : "?";
}

/* yield_to() returned > 0: the kernel counts these as successful. */
bool yl_outcome_done(enum yl_outcome o)
{
	return o == YL_OUT_HONOURED || o == YL_OUT_RATE_LIMITED;
}

/* yield_to()'s checks: -ESRCH when the target runs or cannot run. */
static enum yl_outcome yield_to_checks(struct yl_sched *s, unsigned int y,
				       int target)
{
	const struct yl_task *t;

	if (target < 0 || (unsigned int)target >= s->nr_tasks ||
	    (unsigned int)target == y)
		return YL_OUT_TARGET_NOT_RUNNABLE;
	t = &s->tasks[target];
	if (t->state == YL_TASK_OFF)
		return YL_OUT_TARGET_NOT_RUNNABLE;
	if (t->state == YL_TASK_BLOCKED)
		return YL_OUT_TARGET_BLOCKED;
	if (yl_sched_task_running(s, (unsigned int)target))
		return YL_OUT_TARGET_RUNNING;
	return YL_OUT_HONOURED;
}

/* After a directed yield the yielder schedules; a remote target's CPU too. */
static void resched_both(struct yl_sched *s, unsigned int y, int target)
{
	s->cpus[s->tasks[y].cpu].need_resched = true;
	s->cpus[s->tasks[target].cpu].need_resched = true;
}

static enum yl_outcome pol_none(struct yl_sched *s, unsigned int y, int target,
				uint64_t now)
{
	(void)s, (void)y, (void)target, (void)now;
	return YL_OUT_IGNORED;
}

static enum yl_outcome pol_yield(struct yl_sched *s, unsigned int y, int target,
				 uint64_t now)
{
	(void)target;
	yl_sched_yield_task(s, y, now);
	return YL_OUT_YIELDED;
}

/*
 * The credit margin (seed patch 2; its formula is not public): credit_pct
 * of one weighted slice, times the queue depth beyond the target capped at
 * credit_depth_max, clamped to the legal lag bound.
 */
static int64_t credit_margin(const struct yl_sched *s, const struct yl_rq *rq,
			     const struct yl_se *se)
{
	unsigned int depth = rq->nr_queued > 1 ? rq->nr_queued - 1 : 1;
	int64_t m, limit = yl_entity_lag_limit(rq, se);

	if (depth > s->p.credit_depth_max)
		depth = s->p.credit_depth_max;
	m = (int64_t)(yl_calc_delta_fair(se->slice, se) * s->p.credit_pct / 100) *
	    (int64_t)depth;
	return m < limit ? m : limit;
}

/* Seed patch 1: credit every not-yet-eligible level set_next_buddy() named. */
static void credit_chain(struct yl_sched *s, unsigned int target)
{
	struct yl_se *se;
	bool any = false;

	for (se = &s->tasks[target].se; se && se->on_rq; se = se->parent) {
		struct yl_rq *rq = se->cfs_rq;

		if (yl_entity_eligible(rq, se))
			continue;
		yl_replace_entity(rq, se, credit_margin(s, rq, se));
		s->credit_levels++;
		any = true;
	}
	s->credits += any;
}

/* Seed patch 4: cancel RUN_TO_PARITY up the yielder's hierarchy, rate limited. */
static bool forced_resched(struct yl_sched *s, unsigned int y, uint64_t now)
{
	struct yl_cpu *c = &s->cpus[s->tasks[y].cpu];
	struct yl_se *se;

	if (c->credit_resched_seen &&
	    now - c->last_credit_resched < s->p.credit_resched_ns)
		return false;
	c->credit_resched_seen = true;
	c->last_credit_resched = now;
	for (se = &s->tasks[y].se; se; se = se->parent)
		yl_cancel_protect_slice(se);
	c->need_resched = true;
	return true;
}

/*
 * yield_to_task_fair(): next buddy on the target, then the yielder yields.
 * With credit, the seed's patches 1-5 act in between, and only where
 * yielder and target share a run queue (patch 5: cross-rq is future work).
 */
static enum yl_outcome yield_to_task_fair(struct yl_sched *s, unsigned int y,
					  int target, uint64_t now, bool credit)
{
	enum yl_outcome o = yield_to_checks(s, y, target);

	if (o != YL_OUT_HONOURED)
		return o;
	credit = credit && s->tasks[y].cpu == s->tasks[target].cpu;
	yl_sched_update_curr(s, s->tasks[y].cpu, now);
	yl_sched_set_next_buddy(s, (unsigned int)target);
	if (credit)
		credit_chain(s, (unsigned int)target);
	yl_sched_yield_task(s, y, now);
	resched_both(s, y, target);
	if (credit && !forced_resched(s, y, now))
		return YL_OUT_RATE_LIMITED;
	return YL_OUT_HONOURED;
}

static enum yl_outcome pol_forfeit(struct yl_sched *s, unsigned int y, int target,
				   uint64_t now)
{
	return yield_to_task_fair(s, y, target, now, false);
}

/* Feature off (YIELD_TO_LAG_CREDIT): exactly forfeit. */
static enum yl_outcome pol_lag_credit(struct yl_sched *s, unsigned int y,
				      int target, uint64_t now)
{
	return yield_to_task_fair(s, y, target, now, s->p.lag_credit);
}

/*
 * Hand-off: the target runs next on the yielder's CPU (migrated there if
 * queued elsewhere) for what is left of the yielder's slice.  It is charged
 * for that time like any running entity, so its lag pays it back.
 */
static enum yl_outcome pol_handoff(struct yl_sched *s, unsigned int y, int target,
				   uint64_t now)
{
	enum yl_outcome o = yield_to_checks(s, y, target);
	struct yl_task *yt = &s->tasks[y];
	struct yl_cpu *c = &s->cpus[yt->cpu];
	uint64_t left = 0;

	if (o != YL_OUT_HONOURED)
		return o;
	yl_sched_update_curr(s, yt->cpu, now);
	yl_sched_migrate(s, (unsigned int)target, yt->cpu, now);
	if ((int64_t)(yt->se.deadline - yt->se.vruntime) > 0)
		left = (yt->se.deadline - yt->se.vruntime) * yt->se.weight /
		       YL_NICE_0_LOAD;
	c->handoff = target;
	c->donating = true;
	c->donation_end = now + left;
	c->need_resched = true;
	return YL_OUT_HONOURED;
}

static const struct yl_policy policies[] = {
	{ "none", pol_none },
	{ "yield", pol_yield },
	{ "forfeit", pol_forfeit },
	{ "lag-credit", pol_lag_credit },
	{ "handoff", pol_handoff },
};

const struct yl_policy *yl_policy_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < sizeof(policies) / sizeof(policies[0]); i++)
		if (!strcmp(policies[i].name, name))
			return &policies[i];
	return NULL;
}

const struct yl_policy *yl_policy_at(unsigned int i)
{
	return i < sizeof(policies) / sizeof(policies[0]) ? &policies[i] : NULL;
}
