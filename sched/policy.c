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
	"target_blocked", "target_not_runnable", "no_target", "esrch",
	"single_task",
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

/*
 * The target checks of yield_to() (kernel/sched/syscalls.c), which
 * returns 0 for them: it runs (task_on_cpu()), or it cannot run
 * (!task_is_running(), which covers a sched_delayed task: it is asleep
 * and only still queued).  Also what hand-off needs of a target.
 */
static enum yl_outcome target_checks(struct yl_sched *s, unsigned int y,
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

/*
 * yield_to(): first -ESRCH, when the yielder's CPU and the target's each
 * have one task queued ("absolutely no point in yielding"), the one
 * failure kvm_vcpu_on_spin() counts as a try; then the target checks.
 */
static enum yl_outcome yield_to_checks(struct yl_sched *s, unsigned int y,
				       int target)
{
	if (target >= 0 && (unsigned int)target < s->nr_tasks &&
	    s->cpus[s->tasks[y].cpu].nr_running == 1 &&
	    s->cpus[s->tasks[target].cpu].nr_running == 1)
		return YL_OUT_ESRCH;
	return target_checks(s, y, target);
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

/*
 * What crediting @se up to @margin costs, in ns of the time it is given
 * at its level: the lag it gains, scaled back from virtual time.
 */
static uint64_t credit_cost(const struct yl_rq *rq, const struct yl_se *se,
			    int64_t margin)
{
	int64_t lag = (int64_t)(yl_avg_vruntime(rq) - se->vruntime);

	if (lag >= margin)
		return 0;
	return (uint64_t)((__int128)(margin - lag) * (int64_t)se->weight /
			  (int64_t)YL_NICE_0_LOAD);
}

/*
 * credit_budget_pct (not the seed's): a CPU's credit may not outrun that
 * share of the time that passed, kept as a token bucket of at most one
 * base slice.  True if @cost fits, and then it is spent.
 */
static bool credit_budget(struct yl_sched *s, unsigned int cpu, uint64_t cost,
			  uint64_t now)
{
	struct yl_cpu *c = &s->cpus[cpu];
	uint64_t cap = s->p.base_slice_ns;

	if (!s->p.credit_budget_pct)
		return true;
	if (!c->credit_t_seen) {
		c->credit_t_seen = true;
		c->credit_tokens = cap;
	} else if (now > c->credit_t) {
		c->credit_tokens += (now - c->credit_t) * s->p.credit_budget_pct / 100;
	}
	c->credit_t = now;
	if (c->credit_tokens > cap)
		c->credit_tokens = cap;
	if (cost > c->credit_tokens)
		return false;
	c->credit_tokens -= cost;
	return true;
}

/* Where set_next_buddy() stops, and so the credit walk (kernel: 0001). */
static bool credit_reaches(const struct yl_se *se)
{
	return se && se->on_rq && !se->sched_delayed;
}

/* Whether the walk credits @se: not eligible, and curr only if allowed. */
static bool credit_wanted(const struct yl_sched *s, const struct yl_se *se)
{
	return !yl_entity_eligible(se->cfs_rq, se) &&
	       (se != se->cfs_rq->curr || s->p.credit_curr);
}

/* yield_credit_count(): by kind of entity, as the kernel counts them. */
static void count_level(struct yl_sched *s, const struct yl_se *se)
{
	bool task = se->id >= 0;

	s->credit_stat[YL_CS_LEVELS]++;
	if (se == se->cfs_rq->curr)
		s->credit_stat[task ? YL_CS_CURR_TASK : YL_CS_CURR_GROUP]++;
	else
		s->credit_stat[task ? YL_CS_QUEUED_TASK : YL_CS_QUEUED_GROUP]++;
}

/* Why the walk left @se alone, counted as the kernel does. */
static void count_left_alone(struct yl_sched *s, const struct yl_se *se)
{
	if (yl_entity_eligible(se->cfs_rq, se))
		s->credit_stat[YL_CS_ELIGIBLE]++;
	else
		s->credit_stat[YL_CS_CURR_SKIPPED]++;
}

/*
 * Seed patch 1 (yield_credit_chain() in kernel/patches/0001): credit every
 * not-yet-eligible level of the chain set_next_buddy() named; with the
 * budget, all of them or none.  True if a level was credited.
 */
/* What crediting the whole chain would cost, for credit_budget_pct. */
static uint64_t chain_cost(const struct yl_sched *s, unsigned int target)
{
	const struct yl_se *se;
	uint64_t cost = 0;

	for (se = &s->tasks[target].se; credit_reaches(se); se = se->parent)
		if (credit_wanted(s, se))
			cost += credit_cost(se->cfs_rq, se,
					    credit_margin(s, se->cfs_rq, se));
	return cost;
}

static bool credit_chain(struct yl_sched *s, unsigned int target, uint64_t now)
{
	struct yl_se *se;
	bool any = false;

	/* the chain's cost matters only under a budget: not walked otherwise */
	if (s->p.credit_budget_pct &&
	    !credit_budget(s, s->tasks[target].cpu, chain_cost(s, target), now)) {
		s->credit_denied++;
		return false;
	}
	for (se = &s->tasks[target].se; credit_reaches(se); se = se->parent) {
		uint64_t old = se->vruntime;
		int64_t margin;

		if (!credit_wanted(s, se)) {
			count_left_alone(s, se);
			continue;
		}
		margin = credit_margin(s, se->cfs_rq, se);
		count_level(s, se);
		yl_replace_entity(se->cfs_rq, se, margin);
		s->credit_stat[YL_CS_CREDIT_NS] += old - se->vruntime;
		s->credit_margin_ns += (uint64_t)margin;
		any = true;
	}
	s->credit_stat[YL_CS_CREDITS] += any;
	return any;
}

/*
 * Seed patch 4 (yield_credit_resched() in kernel/patches/0003): cancel
 * RUN_TO_PARITY up the yielder's hierarchy, at most once per
 * credit_resched_ns per run queue.
 */
static bool forced_resched(struct yl_sched *s, unsigned int y, uint64_t now)
{
	struct yl_cpu *c = &s->cpus[s->tasks[y].cpu];
	struct yl_se *se;

	if (c->credit_resched_seen &&
	    now - c->last_credit_resched < s->p.credit_resched_ns) {
		s->credit_stat[YL_CS_RESCHED_LIMITED]++;
		return false;
	}
	c->credit_resched_seen = true;
	c->last_credit_resched = now;
	for (se = &s->tasks[y].se; se; se = se->parent)
		yl_cancel_protect_slice(se);
	c->need_resched = true;
	s->credit_stat[YL_CS_RESCHED]++;
	return true;
}

/*
 * The credit half of yield_to_task_fair() with YIELD_TO_LAG_CREDIT: only
 * where yielder and target share a run queue (patch 5: cross-rq is future
 * work).  True if a level was credited.
 */
static bool lag_credit(struct yl_sched *s, unsigned int y, unsigned int target,
		       uint64_t now)
{
	s->credit_stat[YL_CS_YIELDS]++;
	if (s->tasks[y].cpu != s->tasks[target].cpu) {
		s->credit_stat[YL_CS_CROSS_RQ]++;
		return false;
	}
	return credit_chain(s, target, now);
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
	struct yl_cpu *c = &s->cpus[s->tasks[y].cpu];
	bool credited = false;

	if (o != YL_OUT_HONOURED)
		return o;
	yl_sched_update_curr(s, s->tasks[y].cpu, now);
	yl_sched_set_next_buddy(s, (unsigned int)target);
	if (credit)
		credited = lag_credit(s, y, (unsigned int)target, now);
	if (s->tasks[target].cpu == s->tasks[y].cpu)
		c->yield_next = target;
	yl_sched_yield_task(s, y, now);
	resched_both(s, y, target);
	/* patch 4 follows a credit only, as "resched + resched_limited = credits" */
	if (credited && !forced_resched(s, y, now))
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
	enum yl_outcome o = target_checks(s, y, target);
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
	{ "none", false, pol_none },
	{ "yield", false, pol_yield },
	{ "forfeit", true, pol_forfeit },
	{ "lag-credit", true, pol_lag_credit },
	{ "handoff", false, pol_handoff },
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
