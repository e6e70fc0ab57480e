// SPDX-License-Identifier: GPL-2.0
/*
 * Tasks, CPUs and one optional level of groups over the per-queue EEVDF of
 * eevdf.c.  The hierarchy walks follow enqueue_task_fair(),
 * dequeue_entities(), pick_next_task_fair() and check_preempt_wakeup_fair().
 */
#include <stdlib.h>
#include <string.h>
#include "sched.h"

#define YL_CS_NAME(id, name) [YL_CS_##id] = name,
const char *const yl_credit_stat_names[YL_CS_NR] = {
	YL_CREDIT_COUNTERS(YL_CS_NAME)
};
#undef YL_CS_NAME

static struct yl_group_cpu *group_cpu(struct yl_sched *s, int g,
				      unsigned int cpu)
{
	return &s->groups[cpu * s->nr_groups + (unsigned int)g];
}

/* Link a task's entity under its CPU: directly, or below its group. */
static void attach_task(struct yl_sched *s, struct yl_task *t)
{
	struct yl_cpu *c = &s->cpus[t->cpu];

	if (t->group < 0 || s->p.flat) {
		t->se.parent = NULL;
		t->se.cfs_rq = &c->rq;
		t->se.depth = 0;
		return;
	}
	t->se.parent = &group_cpu(s, t->group, t->cpu)->se;
	t->se.cfs_rq = &group_cpu(s, t->group, t->cpu)->q;
	t->se.depth = 1;
}

static int init_groups(struct yl_sched *s)
{
	unsigned int g, c;

	if (!s->nr_groups)
		return 0;
	s->groups = calloc((size_t)s->nr_groups * s->nr_cpus, sizeof(*s->groups));
	s->group_shares = calloc(s->nr_groups, sizeof(*s->group_shares));
	if (!s->groups || !s->group_shares)
		return -1;
	for (g = 0; g < s->nr_groups; g++)
		s->group_shares[g] = s->p.group_shares;
	for (g = 0; g < s->nr_groups; g++)
		for (c = 0; c < s->nr_cpus; c++) {
			struct yl_group_cpu *gc = group_cpu(s, (int)g, c);

			yl_se_init(&gc->se, s->p.group_shares, -1 - (int)g);
			yl_rq_init(&gc->q, &s->p, &s->cpus[c].need_resched);
			gc->se.my_q = &gc->q;
			gc->se.cfs_rq = &s->cpus[c].rq;
		}
	return 0;
}

struct yl_sched *yl_sched_create(const struct yl_sched_params *p,
				 unsigned int nr_cpus, unsigned int nr_tasks,
				 unsigned int nr_groups,
				 const unsigned int *task_cpu,
				 const int *task_group,
				 const uint64_t *task_weight)
{
	struct yl_sched *s;
	unsigned int i;

	if (!nr_cpus || !nr_tasks)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->p = *p;
	s->nr_cpus = nr_cpus;
	s->nr_tasks = nr_tasks;
	s->nr_groups = nr_groups;
	s->cpus = calloc(nr_cpus, sizeof(*s->cpus));
	s->tasks = calloc(nr_tasks, sizeof(*s->tasks));
	if (!s->cpus || !s->tasks || init_groups(s))
		goto fail;
	for (i = 0; i < nr_cpus; i++) {
		yl_rq_init(&s->cpus[i].rq, &s->p, &s->cpus[i].need_resched);
		s->cpus[i].curr = -1;
		s->cpus[i].handoff = -1;
		s->cpus[i].yield_next = -1;
	}
	for (i = 0; i < nr_tasks; i++) {
		struct yl_task *t = &s->tasks[i];
		int g = task_group ? task_group[i] : -1;

		if (task_cpu[i] >= nr_cpus || g >= (int)nr_groups || g < -1)
			goto fail;
		t->weight = task_weight ? task_weight[i] : YL_NICE_0_LOAD;
		yl_se_init(&t->se, t->weight, (int)i);
		t->cpu = t->home = task_cpu[i];
		t->group = g;
		attach_task(s, t);
	}
	return s;
fail:
	yl_sched_destroy(s);
	return NULL;
}

void yl_sched_set_group_shares(struct yl_sched *s, unsigned int g,
			       uint64_t shares)
{
	unsigned int c;

	if (g >= s->nr_groups || !shares)
		return;
	s->group_shares[g] = shares;
	for (c = 0; c < s->nr_cpus; c++) {
		struct yl_group_cpu *gc = group_cpu(s, (int)g, c);

		yl_se_init(&gc->se, shares, -1 - (int)g);
		gc->se.my_q = &gc->q;
		gc->se.cfs_rq = &s->cpus[c].rq;
	}
}

void yl_sched_destroy(struct yl_sched *s)
{
	if (!s)
		return;
	free(s->cpus);
	free(s->tasks);
	free(s->groups);
	free(s->group_shares);
	free(s);
}

/* ------------------------------------------------------------ fairness */

static double *task_ipw(struct yl_sched *s, struct yl_task *t)
{
	if (t->group < 0 || s->p.flat)
		return &s->cpus[t->cpu].ipw;
	return &group_cpu(s, t->group, t->cpu)->ipw;
}

/*
 * Ideal service: over every interval each queued entity deserves
 * dt * w_i / W of its queue, and a group's share is split among its own
 * queue the same way.  Kept as cumulative service per unit weight.
 */
static void fair_advance(struct yl_sched *s, unsigned int cpu, uint64_t now)
{
	struct yl_cpu *c = &s->cpus[cpu];
	double d;
	unsigned int g;

	if ((int64_t)(now - c->fair_t) <= 0 || !c->rq.load) {
		c->fair_t = now > c->fair_t ? now : c->fair_t;
		return;
	}
	d = (double)(now - c->fair_t) / (double)c->rq.load;
	c->fair_t = now;
	c->ipw += d;
	for (g = 0; g < s->nr_groups; g++) {
		struct yl_group_cpu *gc = group_cpu(s, (int)g, cpu);

		if (gc->se.on_rq && gc->q.load)
			gc->ipw += d * (double)gc->se.weight / (double)gc->q.load;
	}
}

static void fair_join(struct yl_sched *s, struct yl_task *t)
{
	t->ipw_snap = *task_ipw(s, t);
}

static void fair_leave(struct yl_sched *s, struct yl_task *t)
{
	t->ideal_ns += (double)t->se.weight * (*task_ipw(s, t) - t->ipw_snap);
}

double yl_sched_ideal(struct yl_sched *s, unsigned int t, uint64_t now)
{
	struct yl_task *tk = &s->tasks[t];

	fair_advance(s, tk->cpu, now);
	if (!tk->se.on_rq)
		return tk->ideal_ns;
	return tk->ideal_ns + (double)tk->se.weight *
	       (*task_ipw(s, tk) - tk->ipw_snap);
}

uint64_t yl_sched_service(const struct yl_sched *s, unsigned int t)
{
	return s->tasks[t].se.sum_exec_runtime;
}

/* ------------------------------------------------------ enqueue/dequeue */

/* set_next_buddy(): the entity and every queued ancestor become ->next. */
static void set_buddy(struct yl_se *se)
{
	for (; se; se = se->parent) {
		if (!se->on_rq)
			return;
		se->cfs_rq->next = se;
	}
}

void yl_sched_set_next_buddy(struct yl_sched *s, unsigned int t)
{
	set_buddy(&s->tasks[t].se);
}

/*
 * Flattened groups: a grouped task's weight is its share of the group's
 * shares among the group's runnable tasks on its CPU, reweighted (with
 * lag kept, as reweight_entity() does) whenever that set changes.
 */
static void flat_reweight(struct yl_sched *s, int g, unsigned int cpu,
			  uint64_t now)
{
	uint64_t total = 0;
	unsigned int i;

	if (!s->p.flat || g < 0)
		return;
	for (i = 0; i < s->nr_tasks; i++) {
		struct yl_task *t = &s->tasks[i];

		if (t->group == g && t->cpu == cpu && t->se.on_rq)
			total += t->weight;
	}
	for (i = 0; i < s->nr_tasks; i++) {
		struct yl_task *t = &s->tasks[i];
		uint64_t w;

		if (t->group != g || t->cpu != cpu || !t->se.on_rq)
			continue;
		w = t->weight * s->group_shares[g] / total;
		if (w == t->se.weight)
			continue;
		fair_leave(s, t);
		yl_reweight_entity(t->se.cfs_rq, &t->se, w < 2 ? 2 : w, now);
		fair_join(s, t);
	}
}

/*
 * enqueue_task_fair(): up the hierarchy until a level is already queued;
 * a level still queued as delayed is requeued (requeue_delayed_entity()),
 * as is the task itself when it wakes before its delayed dequeue ended.
 */
static void enqueue_task(struct yl_sched *s, struct yl_task *t, int flags,
			 uint64_t now)
{
	bool fresh = !t->se.on_rq;
	struct yl_se *se;

	fair_advance(s, t->cpu, now);
	for (se = &t->se; se; se = se->parent) {
		if (se->on_rq) {
			if (se->sched_delayed)
				yl_requeue_delayed_entity(se->cfs_rq, se);
			break;
		}
		yl_enqueue_entity(se->cfs_rq, se, flags, now);
		flags = YL_ENQ_WAKEUP;
	}
	t->state = YL_TASK_RUNNABLE;
	if (!fresh)
		return;
	s->cpus[t->cpu].nr_running++;
	fair_join(s, t);
	flat_reweight(s, t->group, t->cpu, now);
}

/*
 * dequeue_entities() from @se up: levels leave while their queue empties,
 * a level above one that left goes as a sleep (so it may be delayed in
 * turn); a sleeping task's group becomes the next buddy, to pick from it
 * again.  False when @se itself was only delayed.  The task, if @se is
 * one, stops counting once it is really off.
 */
static bool dequeue_entities(struct yl_sched *s, unsigned int cpu,
			     struct yl_se *se, int flags, uint64_t now)
{
	struct yl_task *t = se->id >= 0 ? &s->tasks[se->id] : NULL;
	bool sleep = flags & YL_DEQ_SLEEP;

	fair_advance(s, cpu, now);
	for (; se; se = se->parent) {
		struct yl_rq *rq = se->cfs_rq;

		if (!yl_dequeue_entity(rq, se, flags, now)) {
			if (t && se == &t->se)
				return false;
			break;
		}
		if (t && se == &t->se) {
			fair_leave(s, t);
			s->cpus[cpu].nr_running--;
		}
		if (rq->load) {
			if (sleep && se->parent)
				set_buddy(se->parent);
			break;
		}
		flags = (flags | YL_DEQ_SLEEP) & ~(YL_DEQ_DELAYED | YL_DEQ_SPECIAL);
	}
	if (t)
		flat_reweight(s, t->group, cpu, now);
	return true;
}

static bool dequeue_task(struct yl_sched *s, struct yl_task *t, int flags,
			 uint64_t now)
{
	return dequeue_entities(s, t->cpu, &t->se, flags, now);
}

void yl_sched_start(struct yl_sched *s, uint64_t now)
{
	unsigned int i;

	for (i = 0; i < s->nr_cpus; i++)
		s->cpus[i].fair_t = now;
	for (i = 0; i < s->nr_tasks; i++)
		if (s->tasks[i].state == YL_TASK_OFF)
			enqueue_task(s, &s->tasks[i], YL_ENQ_INITIAL, now);
}

bool yl_sched_task_running(const struct yl_sched *s, unsigned int t)
{
	return s->cpus[s->tasks[t].cpu].curr == (int)t &&
	       s->tasks[t].state == YL_TASK_RUNNABLE;
}

/* @fn on every level the running task occupies, as for_each_sched_entity(). */
static void each_level(struct yl_sched *s, unsigned int cpu, uint64_t now,
		       void (*fn)(struct yl_rq *rq, uint64_t now))
{
	struct yl_cpu *c = &s->cpus[cpu];
	struct yl_se *se;

	fair_advance(s, cpu, now);
	if (c->curr < 0)
		return;
	for (se = &s->tasks[c->curr].se; se; se = se->parent)
		if (se->cfs_rq->curr == se)
			fn(se->cfs_rq, now);
}

void yl_sched_update_curr(struct yl_sched *s, unsigned int cpu, uint64_t now)
{
	each_level(s, cpu, now, yl_update_curr);
}

/* find_matching_se(): walk both up to siblings on one queue. */
static void find_matching_se(struct yl_se **se, struct yl_se **pse)
{
	while ((*se)->depth > (*pse)->depth)
		*se = (*se)->parent;
	while ((*pse)->depth > (*se)->depth)
		*pse = (*pse)->parent;
	while ((*se)->cfs_rq != (*pse)->cfs_rq) {
		*se = (*se)->parent;
		*pse = (*pse)->parent;
	}
}

/*
 * check_preempt_wakeup_fair(): the woken task preempts if, at the level
 * where it and the current task are siblings, EEVDF would pick it now.
 */
static bool wakeup_preempt(struct yl_sched *s, struct yl_task *t, uint64_t now)
{
	struct yl_cpu *c = &s->cpus[t->cpu];
	struct yl_se *se, *pse = &t->se;

	if (c->curr < 0)
		return c->need_resched = true;
	if (c->curr == (int)(t - s->tasks))
		return false;
	se = &s->tasks[c->curr].se;
	find_matching_se(&se, &pse);
	yl_update_curr(se->cfs_rq, now);
	if (yl_pick_eevdf(se->cfs_rq, true) == pse)
		return c->need_resched = true;
	return false;
}

bool yl_sched_wake(struct yl_sched *s, unsigned int t, uint64_t now)
{
	struct yl_task *tk = &s->tasks[t];

	if (tk->state == YL_TASK_RUNNABLE)
		return false;
	yl_sched_update_curr(s, tk->cpu, now);
	enqueue_task(s, tk, YL_ENQ_WAKEUP, now);
	return wakeup_preempt(s, tk, now);
}

void yl_sched_block(struct yl_sched *s, unsigned int t, uint64_t now)
{
	struct yl_task *tk = &s->tasks[t];

	if (tk->state != YL_TASK_RUNNABLE)
		return;
	yl_sched_update_curr(s, tk->cpu, now);
	dequeue_task(s, tk, YL_DEQ_SLEEP, now);
	tk->state = YL_TASK_BLOCKED;
	if (s->cpus[tk->cpu].curr == (int)t)
		s->cpus[tk->cpu].need_resched = true;
}

/* A task that leaves is never delayed; one already delayed goes for good. */
void yl_sched_exit(struct yl_sched *s, unsigned int t, uint64_t now)
{
	struct yl_task *tk = &s->tasks[t];

	yl_sched_update_curr(s, tk->cpu, now);
	if (tk->se.on_rq)
		dequeue_task(s, tk, YL_DEQ_SLEEP | (tk->se.sched_delayed ?
			     YL_DEQ_DELAYED : YL_DEQ_SPECIAL), now);
	if (s->cpus[tk->cpu].curr == (int)t)
		s->cpus[tk->cpu].need_resched = true;
	tk->state = YL_TASK_OFF;
}

/* task_tick_fair(): entity_tick() on every level the running task occupies. */
bool yl_sched_tick(struct yl_sched *s, unsigned int cpu, uint64_t now)
{
	struct yl_cpu *c = &s->cpus[cpu];

	each_level(s, cpu, now, yl_entity_tick);
	if (c->donating && (int64_t)(now - c->donation_end) >= 0) {
		c->donating = false;
		c->need_resched = true;
	}
	return c->need_resched;
}

/* The put_prev/set_next walk of pick_next_task_fair(): only what changes. */
static void switch_entities(struct yl_se *pse, struct yl_se *se, uint64_t now)
{
	if (!pse) {
		for (; se; se = se->parent)
			yl_set_next_entity(se->cfs_rq, se, now);
		return;
	}
	while (pse->cfs_rq != se->cfs_rq) {
		unsigned int sd = se->depth, pd = pse->depth;

		if (sd <= pd) {
			yl_put_prev_entity(pse->cfs_rq, pse, now);
			pse = pse->parent;
		}
		if (sd >= pd) {
			yl_set_next_entity(se->cfs_rq, se, now);
			se = se->parent;
		}
	}
	if (pse != se) {
		yl_put_prev_entity(pse->cfs_rq, pse, now);
		yl_set_next_entity(se->cfs_rq, se, now);
	}
}

static void put_all(struct yl_se *pse, uint64_t now)
{
	for (; pse; pse = pse->parent)
		if (pse->cfs_rq->curr == pse)
			yl_put_prev_entity(pse->cfs_rq, pse, now);
}

/*
 * Descend from the root, picking at every level (pick_task_fair()).  A
 * delayed entity that gets picked has burnt off its negative lag: it is
 * dequeued for real and the pick starts again (pick_next_entity()).
 */
static struct yl_se *pick_hierarchy(struct yl_sched *s, unsigned int cpu,
				    uint64_t now)
{
	struct yl_rq *rq;
	struct yl_se *se;

again:
	rq = &s->cpus[cpu].rq;
	do {
		if (rq->curr && rq->curr->on_rq)
			yl_update_curr(rq, now);
		se = yl_pick_next_entity(rq);
		if (!se)
			return NULL;
		if (se->sched_delayed) {
			dequeue_entities(s, cpu, se, YL_DEQ_SLEEP | YL_DEQ_DELAYED, now);
			goto again;
		}
		rq = se->my_q;
	} while (rq);
	return se;
}

/*
 * A task handoff ran away from its home CPU goes back once it stops
 * running there: the hand-off lent it the yielder's CPU for the rest of
 * a slice, it did not move it (the model has no load balancer to undo a
 * move).  An idle home CPU is told to pick.
 */
static void end_loan(struct yl_sched *s, int t, uint64_t now)
{
	struct yl_task *tk;

	if (t < 0)
		return;
	tk = &s->tasks[t];
	if (tk->cpu == tk->home || tk->state != YL_TASK_RUNNABLE)
		return;
	yl_sched_migrate(s, (unsigned int)t, tk->home, now);
	if (s->cpus[tk->home].curr < 0)
		s->cpus[tk->home].need_resched = true;
}

/*
 * yield_credit_note_pick() (kernel/patches/0008): did the pick that follows
 * a same-rq yield_to() choose its target?  An idle pick is another task.
 */
static void note_yield_pick(struct yl_sched *s, struct yl_cpu *c,
			    const struct yl_se *next)
{
	if (c->yield_next < 0)
		return;
	s->credit_stat[next && next->id == c->yield_next ? YL_CS_NEXT_TARGET :
						      YL_CS_NEXT_OTHER]++;
	c->yield_next = -1;
}

int yl_sched_pick(struct yl_sched *s, unsigned int cpu, uint64_t now)
{
	struct yl_cpu *c = &s->cpus[cpu];
	struct yl_se *prev = c->curr >= 0 ? &s->tasks[c->curr].se : NULL;
	struct yl_se *se = NULL;

	fair_advance(s, cpu, now);
	c->need_resched = false;
	if (c->handoff >= 0) {
		struct yl_task *t = &s->tasks[c->handoff];

		if (t->cpu == cpu && t->state == YL_TASK_RUNNABLE)
			se = &t->se;
		c->handoff = -1;
	}
	if (!se)
		se = pick_hierarchy(s, cpu, now);
	note_yield_pick(s, c, se);
	if (!se) {
		put_all(prev, now);
		c->curr = -1;
		if (prev)
			end_loan(s, prev->id, now);
		return -1;
	}
	if (prev != se)
		switch_entities(prev, se, now);
	c->curr = se->id;
	if (prev && prev != se)
		end_loan(s, prev->id, now);
	return se->id;
}

void yl_sched_migrate(struct yl_sched *s, unsigned int t, unsigned int cpu,
		      uint64_t now)
{
	struct yl_task *tk = &s->tasks[t];

	if (tk->cpu == cpu || tk->state != YL_TASK_RUNNABLE ||
	    yl_sched_task_running(s, t))
		return;
	yl_sched_update_curr(s, tk->cpu, now);
	dequeue_task(s, tk, 0, now);
	tk->cpu = cpu;
	attach_task(s, tk);
	yl_sched_update_curr(s, cpu, now);
	enqueue_task(s, tk, 0, now);
}

/* yield_task_fair(): only the leaf entity yields. */
void yl_sched_yield_task(struct yl_sched *s, unsigned int t, uint64_t now)
{
	struct yl_task *tk = &s->tasks[t];
	struct yl_cpu *c = &s->cpus[tk->cpu];

	c->need_resched = true;
	if (c->nr_running == 1)
		return;
	yl_update_curr(tk->se.cfs_rq, now);
	yl_yield_entity(tk->se.cfs_rq, &tk->se);
}

struct yl_rq *yl_sched_task_rq(struct yl_sched *s, unsigned int t)
{
	return s->tasks[t].se.cfs_rq;
}
