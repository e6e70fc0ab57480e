// SPDX-License-Identifier: GPL-2.0
/*
 * sched/: randomized invariants and worked examples derived by hand from
 * the kernel's formulas.  Links against sched/ only.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sched/policy.h"

#define US 1000ull
#define MS 1000000ull

static struct yl_sched_params P;

static struct yl_sched *mk(const char *preset, unsigned int ncpus,
			   unsigned int ntasks, unsigned int ngroups,
			   const unsigned int *cpu, const int *grp,
			   const uint64_t *w)
{
	struct yl_sched *s;

	ck_assert_int_eq(yl_sched_params_preset(&P, preset, ncpus), 0);
	s = yl_sched_create(&P, ncpus, ntasks, ngroups, cpu, grp, w);
	ck_assert_ptr_nonnull(s);
	return s;
}

static struct yl_se *se_of(struct yl_sched *s, unsigned int t)
{
	return &s->tasks[t].se;
}

/* -------------------------------------------------- randomized invariants */

static uint64_t rng;

static uint64_t rnd(uint64_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng % n;
}

static void all_rqs(struct yl_sched *s, struct yl_rq **out, unsigned int *n)
{
	unsigned int c, g;

	*n = 0;
	for (c = 0; c < s->nr_cpus; c++)
		out[(*n)++] = &s->cpus[c].rq;
	for (g = 0; g < s->nr_groups; g++)
		for (c = 0; c < s->nr_cpus; c++)
			out[(*n)++] = &s->groups[g * s->nr_cpus + c].q;
}

/* Entities on the queue: the tree plus the current one if queued. */
static unsigned int queued(struct yl_rq *rq, struct yl_se **e)
{
	unsigned int n = yl_rq_collect(rq, e, 256);

	if (rq->curr && rq->curr->on_rq)
		e[n++] = rq->curr;
	return n;
}

static void check_rq(struct yl_rq *rq, int step)
{
	struct yl_se *e[257], *pick, *best = NULL;
	char why[160];
	unsigned int n, i;
	uint64_t v = yl_avg_vruntime(rq);
	__int128 lagsum = 0;
	bool any_eligible = false;

	ck_assert_msg(!yl_rq_check(rq, why, sizeof(why)), "step %d: %s", step, why);
	n = queued(rq, e);
	if (!n)
		return;
	/* \Sum w_i (V - v_i) = 0 up to V's rounding towards -inf: (-W, 0] */
	for (i = 0; i < n; i++) {
		lagsum += (__int128)e[i]->weight * (int64_t)(v - e[i]->vruntime);
		if (yl_entity_eligible(rq, e[i])) {
			any_eligible = true;
			if (!best || (int64_t)(e[i]->deadline - best->deadline) < 0)
				best = e[i];
		}
	}
	ck_assert_msg(lagsum <= 0 && lagsum > -(__int128)rq->load,
		      "step %d: weighted lag sum %lld outside (-W, 0]", step,
		      (long long)lagsum);
	/* Plain EEVDF (no buddy, no protection): earliest eligible deadline. */
	pick = yl_pick_eevdf(rq, false);
	ck_assert_ptr_nonnull(pick);
	ck_assert_msg(!any_eligible || yl_entity_eligible(rq, pick),
		      "step %d: picked an ineligible entity with eligible ones queued", step);
	ck_assert_msg(!best || pick->deadline == best->deadline,
		      "step %d: pick deadline %llu, earliest eligible %llu", step,
		      (unsigned long long)pick->deadline,
		      (unsigned long long)best->deadline);
}

/* A dequeued entity's kept lag obeys the clamp of its kernel version. */
static void check_lag_clamp(struct yl_sched *s, int step)
{
	unsigned int t;

	for (t = 0; t < s->nr_tasks; t++) {
		struct yl_se *se = se_of(s, t);
		uint64_t span;
		int64_t lim;

		if (se->on_rq || s->tasks[t].state != YL_TASK_BLOCKED)
			continue;
		if (P.lag_clamp == YL_LAG_CLAMP_2SLICE)
			span = 2 * se->slice > P.tick_ns ? 2 * se->slice : P.tick_ns;
		else
			span = P.base_slice_ns + P.tick_ns;
		lim = (int64_t)yl_calc_delta_fair(span, se);
		ck_assert_msg(se->vlag >= -lim && se->vlag <= lim,
			      "step %d: task %u vlag %lld outside +-%lld", step, t,
			      (long long)se->vlag, (long long)lim);
	}
}

/*
 * What the test saw of directed yields, to hold the scheduler's counters
 * (sched/sched.h, the kernel's names) against: counted here from the
 * outcomes, not by the code that keeps the counters.
 */
struct yield_tally {
	uint64_t credit_done;		/* lag-credit yields that were done */
	uint64_t credit_limited;	/* ... rate limited */
	uint64_t same_rq_done;		/* forfeit or lag-credit, same CPU */
};

static void tally_yield(struct yl_sched *s, const struct yl_policy *pol,
			unsigned int me, int chosen, enum yl_outcome o,
			struct yield_tally *y)
{
	if (!yl_outcome_done(o) || chosen < 0 || !pol->kernel_path)
		return;
	if (!strcmp(pol->name, "lag-credit")) {
		y->credit_done++;
		y->credit_limited += o == YL_OUT_RATE_LIMITED;
	}
	y->same_rq_done += s->tasks[chosen].cpu == s->tasks[me].cpu;
}

/* The counters against each other, by the kernel's own sums, and the tally. */
static void check_credit_stats(const struct yl_sched *s,
			       const struct yield_tally *y, int step)
{
	const uint64_t *c = s->credit_stat;

	ck_assert_msg(c[YL_CS_LEVELS] == c[YL_CS_CURR_TASK] + c[YL_CS_CURR_GROUP] +
		      c[YL_CS_QUEUED_TASK] + c[YL_CS_QUEUED_GROUP],
		      "step %d: levels is not the sum of its kinds", step);
	ck_assert_msg(c[YL_CS_RESCHED] + c[YL_CS_RESCHED_LIMITED] == c[YL_CS_CREDITS],
		      "step %d: resched + limited != credits", step);
	ck_assert_msg(c[YL_CS_CREDITS] + c[YL_CS_CROSS_RQ] <= c[YL_CS_YIELDS] &&
		      c[YL_CS_CREDITS] <= c[YL_CS_LEVELS],
		      "step %d: more credits than yields or levels", step);
	ck_assert_msg(c[YL_CS_CURR_TASK] == 0,
		      "step %d: yield_to() credited a running task", step);
	ck_assert_msg(c[YL_CS_YIELDS] == y->credit_done &&
		      c[YL_CS_RESCHED_LIMITED] == y->credit_limited,
		      "step %d: yields %llu, limited %llu; the outcomes say %llu, %llu",
		      step, (unsigned long long)c[YL_CS_YIELDS],
		      (unsigned long long)c[YL_CS_RESCHED_LIMITED],
		      (unsigned long long)y->credit_done,
		      (unsigned long long)y->credit_limited);
	/* random_step picks on every CPU that must after each step */
	ck_assert_msg(c[YL_CS_NEXT_TARGET] + c[YL_CS_NEXT_OTHER] == y->same_rq_done,
		      "step %d: %llu picks noted after %llu same-CPU yields", step,
		      (unsigned long long)(c[YL_CS_NEXT_TARGET] + c[YL_CS_NEXT_OTHER]),
		      (unsigned long long)y->same_rq_done);
}

static void random_step(struct yl_sched *s, struct yl_target *tg,
			uint64_t *now, struct yield_tally *y)
{
	unsigned int c = (unsigned int)rnd(s->nr_cpus);
	unsigned int t = (unsigned int)rnd(s->nr_tasks);
	const struct yl_policy *pol;
	enum yl_outcome o;
	int chosen;

	*now += 1 + rnd(900 * US);
	switch (rnd(8)) {
	case 0:
		yl_sched_block(s, t, *now);
		break;
	case 1:
		yl_sched_wake(s, t, *now);
		break;
	case 2:
		if (s->cpus[c].curr < 0)
			break;
		pol = yl_policy_at((unsigned int)rnd(5));
		t = (unsigned int)s->cpus[c].curr;
		o = yl_directed_yield(s, pol, tg, t, (int)rnd(s->nr_tasks), *now,
				      &chosen);
		tally_yield(s, pol, t, chosen, o, y);
		break;
	case 3:
		yl_sched_migrate(s, t, c, *now);
		break;
	default:
		yl_sched_tick(s, c, *now);
		break;
	}
	for (c = 0; c < s->nr_cpus; c++)
		if (s->cpus[c].need_resched || s->cpus[c].curr < 0)
			yl_sched_pick(s, c, *now);
}

static void random_run(const char *preset, uint64_t seed, unsigned int ngroups,
		       bool flat)
{
	static const uint64_t weights[] = { 1024, 1024, 335, 3121, 820, 15 };
	unsigned int cpu[24];
	int grp[24];
	uint64_t w[24], now = 0;
	struct yl_rq *rqs[64];
	struct yield_tally y = { 0 };
	struct yl_target tg;
	struct yl_sched *s;
	unsigned int i, n;
	int step;

	rng = seed;
	for (i = 0; i < 24; i++) {
		cpu[i] = i % 3;
		grp[i] = ngroups ? (int)(i % (ngroups + 1)) - 1 : -1;
		w[i] = weights[rnd(6)];
	}
	ck_assert_int_eq(yl_sched_params_preset(&P, preset, 3), 0);
	P.flat = flat;
	P.credit_curr = seed & 4;	/* the shared ancestor credited or not */
	s = yl_sched_create(&P, 3, 24, ngroups, cpu, grp, w);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(yl_target_init(&tg, (enum yl_target_kind)(seed % 3), 24), 0);
	yl_sched_start(s, now);
	for (step = 0; step < 4000; step++) {
		random_step(s, &tg, &now, &y);
		all_rqs(s, rqs, &n);
		for (i = 0; i < n; i++)
			check_rq(rqs[i], step);
		check_lag_clamp(s, step);
		check_credit_stats(s, &y, step);
	}
	yl_target_free(&tg);
	yl_sched_destroy(s);
}

START_TEST(invariants_flat)
{
	random_run(_i % 2 ? "7.0" : "6.12.0", 0x9e3779b97f4a7c15ull + (uint64_t)_i, 0, false);
}
END_TEST

START_TEST(invariants_groups)
{
	random_run(_i % 2 ? "7.0" : "6.12.0", 0xc2b2ae3d27d4eb4full + (uint64_t)_i, 2, false);
}
END_TEST

START_TEST(invariants_flat_groups)
{
	random_run(_i % 2 ? "7.0" : "6.12.0", 0x165667b19e3779f9ull + (uint64_t)_i, 2, true);
}
END_TEST

/* ------------------------------------------------------ worked examples */

/*
 * Three NICE_0 tasks A=0, B=1, C=2 on one CPU, preset 6.12 with one CPU:
 * base slice 0.75 ms (factor 1 + ilog2(1) = 1), calc_delta_fair() = identity.
 *
 * t=0    start: all v=0, d=375000 (PLACE_DEADLINE_INITIAL: half a slice).
 *        A and C sleep at once (vlag 0); B is picked alone.
 *        A and C wake: placed at V=0 with vlag 0, d = 0 + 750000; B's slice
 *        is protected (RUN_TO_PARITY), so neither preempts.
 * 375us  B used its request: d = 375000 + 750000 = 1125000, resched.
 *        V = (375000 + 0 + 0)/3 = 125000: B is not eligible (lag -250000).
 *        A (d=750000, queued before C) runs.  B "holds the lock".
 * 475us  A spins and yields to B.  A.v = 100000,
 *        V = (100000 + 375000 + 0)/3 = 158333 (floor): B lag -216667.
 */
static struct yl_sched *lock_holder_preempted(const char *policy, uint64_t *now,
					      enum yl_outcome *o)
{
	static const unsigned int cpu[3] = { 0, 0, 0 };
	struct yl_sched *s = mk("6.12.0", 1, 3, 0, cpu, NULL, NULL);

	ck_assert_uint_eq(P.base_slice_ns, 750 * US);
	yl_sched_start(s, 0);
	yl_sched_block(s, 0, 0);
	yl_sched_block(s, 2, 0);
	ck_assert_int_eq(yl_sched_pick(s, 0, 0), 1);
	ck_assert(!yl_sched_wake(s, 0, 0));
	ck_assert(!yl_sched_wake(s, 2, 0));
	ck_assert_uint_eq(se_of(s, 0)->deadline, 750 * US);
	ck_assert(yl_sched_tick(s, 0, 375 * US));
	ck_assert_uint_eq(se_of(s, 1)->deadline, 1125 * US);
	ck_assert_int_eq(yl_sched_pick(s, 0, 375 * US), 0);
	*now = 475 * US;
	yl_sched_tick(s, 0, *now);
	ck_assert_uint_eq(yl_avg_vruntime(&s->cpus[0].rq), 158333);
	ck_assert(!yl_entity_eligible(&s->cpus[0].rq, se_of(s, 1)));
	*o = yl_policy_find(policy)->yield_to(s, 0, 1, *now);
	return s;
}

/*
 * forfeit: B becomes the next buddy but is not eligible, so PICK_BUDDY
 * drops it; A's deadline moves to 750000 + 750000 = 1500000, so EEVDF
 * picks C (eligible, d=750000), not the lock holder.
 */
START_TEST(forfeit_ineligible_buddy_not_picked)
{
	enum yl_outcome o;
	uint64_t now;
	struct yl_sched *s = lock_holder_preempted("forfeit", &now, &o);

	ck_assert_int_eq(o, YL_OUT_HONOURED);
	ck_assert_ptr_eq(s->cpus[0].rq.next, se_of(s, 1));
	ck_assert_uint_eq(se_of(s, 0)->deadline, 1500 * US);
	ck_assert(s->cpus[0].need_resched);
	ck_assert_int_eq(yl_sched_pick(s, 0, now), 2);
	/* no feature, no credit counters; the pick is noted, as 0008 does */
	ck_assert_uint_eq(s->credit_stat[YL_CS_YIELDS], 0);
	ck_assert_uint_eq(s->credit_stat[YL_CS_NEXT_OTHER], 1);
	ck_assert_uint_eq(s->credit_stat[YL_CS_NEXT_TARGET], 0);
	yl_sched_destroy(s);
}
END_TEST

/*
 * lag-credit: B is credited margin = 25% of a slice x min(nr_queued - 1, 4)
 * = 187500 x 2 = 375000 (below the clamp max(2 x 750000, TICK) = 4 ms).
 * Re-placement: without B, V = (100000 + 0)/2 = 50000 and W = 2048;
 * place_entity scales the lag: 375000 x (2048 + 1024) / 2048 = 562500, so
 * B.v = 50000 - 562500 = -512500.  Back in: V = (100000 + 0 - 512500)/3
 * = -137500 and B's lag is V - v = 375000 exactly: eligible, and picked.
 */
START_TEST(lag_credit_ineligible_buddy_picked)
{
	enum yl_outcome o;
	uint64_t now;
	struct yl_sched *s = lock_holder_preempted("lag-credit", &now, &o);
	struct yl_rq *rq = &s->cpus[0].rq;

	ck_assert_int_eq(o, YL_OUT_HONOURED);
	ck_assert_uint_eq(se_of(s, 1)->vruntime, (uint64_t)-512500);
	ck_assert_uint_eq(yl_avg_vruntime(rq), (uint64_t)-137500);
	ck_assert_int_eq((int64_t)(yl_avg_vruntime(rq) - se_of(s, 1)->vruntime), 375000);
	ck_assert(yl_entity_eligible(rq, se_of(s, 1)));
	/* one queued task level: B ran 375 us alone, v 375000 -> -512500 */
	ck_assert_uint_eq(s->credit_stat[YL_CS_YIELDS], 1);
	ck_assert_uint_eq(s->credit_stat[YL_CS_CREDITS], 1);
	ck_assert_uint_eq(s->credit_stat[YL_CS_LEVELS], 1);
	ck_assert_uint_eq(s->credit_stat[YL_CS_QUEUED_TASK], 1);
	ck_assert_uint_eq(s->credit_stat[YL_CS_CREDIT_NS], 887500);
	ck_assert_uint_eq(s->credit_margin_ns, 375000);
	ck_assert_uint_eq(s->credit_stat[YL_CS_RESCHED], 1);
	ck_assert_int_eq(yl_sched_pick(s, 0, now), 1);
	ck_assert_uint_eq(s->credit_stat[YL_CS_NEXT_TARGET], 1);
	yl_sched_destroy(s);
}
END_TEST

/* Feature off: exactly forfeit's decision. */
START_TEST(lag_credit_off_is_forfeit)
{
	static const unsigned int cpu[3] = { 0, 0, 0 };
	struct yl_sched *s = mk("6.12.0", 1, 3, 0, cpu, NULL, NULL);

	s->p.lag_credit = false;
	yl_sched_start(s, 0);
	yl_sched_block(s, 0, 0);
	yl_sched_block(s, 2, 0);
	yl_sched_pick(s, 0, 0);
	yl_sched_wake(s, 0, 0);
	yl_sched_wake(s, 2, 0);
	yl_sched_tick(s, 0, 375 * US);
	yl_sched_pick(s, 0, 375 * US);
	yl_sched_tick(s, 0, 475 * US);
	ck_assert_int_eq(yl_policy_find("lag-credit")->yield_to(s, 0, 1, 475 * US),
			 YL_OUT_HONOURED);
	ck_assert_uint_eq(s->credit_stat[YL_CS_CREDITS], 0);
	ck_assert_int_eq(yl_sched_pick(s, 0, 475 * US), 2);
	yl_sched_destroy(s);
}
END_TEST

/*
 * yield (6.12): yield_task_fair() pushes the deadline by one weighted
 * slice, 750000 for NICE_0.  6.18 forfeit: the eligible yielder gets
 * v = d, then d += slice.
 */
START_TEST(yield_moves_deadline_one_slice)
{
	static const unsigned int cpu[2] = { 0, 0 };
	static const uint64_t w[2] = { 2048, 1024 };
	struct yl_sched *s = mk("6.12.0", 1, 2, 0, cpu, NULL, w);
	uint64_t d, v;

	yl_sched_start(s, 0);
	ck_assert_int_eq(yl_sched_pick(s, 0, 0), 0);
	yl_sched_tick(s, 0, 100 * US);
	d = se_of(s, 0)->deadline;
	ck_assert_int_eq(yl_policy_find("yield")->yield_to(s, 0, 1, 100 * US),
			 YL_OUT_YIELDED);
	/* weight 2048: calc_delta_fair(750000) = 374999 in __calc_delta()'s
	 * fixed point (inv_weight = 2^32 / 2048 rounded down) */
	ck_assert_uint_eq(se_of(s, 0)->deadline, d + 374999);
	yl_sched_destroy(s);

	/* 6.18, eligible yielder (v = V = 0 at start): v = d, d += slice */
	s = mk("7.0", 1, 2, 0, cpu, NULL, NULL);
	yl_sched_start(s, 0);
	ck_assert_int_eq(yl_sched_pick(s, 0, 0), 0);
	d = se_of(s, 0)->deadline;
	ck_assert_uint_eq(d, P.base_slice_ns / 2);
	ck_assert(yl_entity_eligible(&s->cpus[0].rq, se_of(s, 0)));
	yl_policy_find("yield")->yield_to(s, 0, 1, 0);
	ck_assert_uint_eq(se_of(s, 0)->vruntime, d);
	ck_assert_uint_eq(se_of(s, 0)->deadline, d + P.base_slice_ns);
	yl_sched_destroy(s);

	/* 6.18, ineligible yielder (ran 50 us ahead of V = 25 us): unchanged */
	s = mk("7.0", 1, 2, 0, cpu, NULL, NULL);
	yl_sched_start(s, 0);
	ck_assert_int_eq(yl_sched_pick(s, 0, 0), 0);
	yl_sched_tick(s, 0, 50 * US);
	ck_assert(!yl_entity_eligible(&s->cpus[0].rq, se_of(s, 0)));
	d = se_of(s, 0)->deadline;
	v = se_of(s, 0)->vruntime;
	yl_policy_find("yield")->yield_to(s, 0, 1, 50 * US);
	ck_assert_uint_eq(se_of(s, 0)->vruntime, v);
	ck_assert_uint_eq(se_of(s, 0)->deadline, d);
	yl_sched_destroy(s);
}
END_TEST

/*
 * Task @a runs on past its request until it is behind V, then the CPU's
 * next pick yields to it: a credit every time.
 */
static enum yl_outcome credit_to_runner(struct yl_sched *s, int a, uint64_t t1)
{
	int cur;

	ck_assert_int_eq(s->cpus[0].curr, a);
	yl_sched_tick(s, 0, t1);		/* no pick: a runs on */
	ck_assert(!yl_entity_eligible(&s->cpus[0].rq, se_of(s, a)));
	cur = yl_sched_pick(s, 0, t1);
	ck_assert_int_ne(cur, a);
	return yl_policy_find("lag-credit")->yield_to(s, (unsigned int)cur, a,
						      t1 + US);
}

/*
 * The forced reschedule (protection cancelled up the yielder's hierarchy)
 * follows a credit, at most once per 6 ms per run queue; the credit comes
 * every time (kernel/patches/0003: resched + resched_limited = credits).
 */
START_TEST(forced_resched_rate_limited)
{
	static const unsigned int cpu[4] = { 0, 0, 0, 0 };
	struct yl_sched *s = mk("6.12.0", 1, 4, 0, cpu, NULL, NULL);
	const uint64_t *c = s->credit_stat;
	int a;

	yl_sched_start(s, 0);
	a = yl_sched_pick(s, 0, 0);
	ck_assert_int_eq(credit_to_runner(s, a, 1 * MS), YL_OUT_HONOURED);
	ck_assert_int_eq(yl_sched_pick(s, 0, 1 * MS + US), a);
	ck_assert_int_eq(credit_to_runner(s, a, 3 * MS), YL_OUT_RATE_LIMITED);
	ck_assert_int_eq(yl_sched_pick(s, 0, 3 * MS + US), a);
	ck_assert_int_eq(credit_to_runner(s, a, 7 * MS + 2 * US),
			 YL_OUT_HONOURED);	/* 6 ms after the first */
	ck_assert_uint_eq(c[YL_CS_CREDITS], 3);
	ck_assert_uint_eq(c[YL_CS_RESCHED], 2);
	ck_assert_uint_eq(c[YL_CS_RESCHED_LIMITED], 1);
	yl_sched_destroy(s);
}
END_TEST

/* Credit only where yielder and target share a run queue (patch 5). */
START_TEST(lag_credit_inert_across_run_queues)
{
	static const unsigned int cpu[4] = { 0, 0, 1, 1 };
	struct yl_sched *s = mk("6.12.0", 2, 4, 0, cpu, NULL, NULL);

	yl_sched_start(s, 0);
	yl_sched_pick(s, 0, 0);
	yl_sched_pick(s, 1, 0);
	yl_sched_tick(s, 1, 375 * US);
	yl_sched_pick(s, 1, 375 * US);
	ck_assert_int_eq(yl_policy_find("lag-credit")->yield_to(s, 0, 2, 400 * US),
			 YL_OUT_HONOURED);
	ck_assert_uint_eq(s->credit_stat[YL_CS_CREDITS], 0);
	yl_sched_destroy(s);
}
END_TEST

/* A recording policy: every yield_to() fails, as for a running target. */
static int visited[16];
static unsigned int nvisited;

static enum yl_outcome record_fail(struct yl_sched *s, unsigned int y, int target,
				   uint64_t now)
{
	(void)s, (void)y, (void)now;
	visited[nvisited++] = target;
	return YL_OUT_TARGET_RUNNING;
}

static const struct yl_policy recorder = { "recorder", true, record_fail };

static enum yl_outcome record_esrch(struct yl_sched *s, unsigned int y,
				    int target, uint64_t now)
{
	record_fail(s, y, target, now);
	return YL_OUT_ESRCH;
}

static const struct yl_policy esrch_recorder = { "esrch", true, record_esrch };

static struct yl_sched *six_on_one(void)
{
	static const unsigned int cpu[6] = { 0, 0, 0, 0, 0, 0 };
	struct yl_sched *s = mk("6.12.0", 1, 6, 0, cpu, NULL, NULL);

	yl_sched_start(s, 0);
	ck_assert_int_eq(yl_sched_pick(s, 0, 0), 0);
	return s;
}

/*
 * kvm_vcpu_on_spin(): start at last_boosted_vcpu + 1 and wrap, skip
 * itself; three failed yield_to()s stop.  last_boosted = 3, me = 0:
 * 4, 5, (0 skipped), 1 -> three failures.
 */
/*
 * Two groups (VMs) of two busy tasks on one CPU, shares 1024 and 3072
 * (cpu.weight 100 and 300): over 2 s of 4 ms ticks each group's service
 * is its shares' share, 25% and 75%, within a slice either way.  And a
 * group's shares change nothing when it is alone.
 */
START_TEST(group_shares_split_the_cpu)
{
	static const unsigned int cpu[4] = { 0, 0, 0, 0 };
	static const int grp[4] = { 0, 0, 1, 1 };
	struct yl_sched_params p;
	struct yl_sched *s;
	uint64_t t, g0, g1;

	yl_sched_params_preset(&p, "7.0", 1);
	s = yl_sched_create(&p, 1, 4, 2, cpu, grp, NULL);
	ck_assert_ptr_nonnull(s);
	yl_sched_set_group_shares(s, 1, 3072);
	ck_assert_uint_eq(s->group_shares[0], 1024);
	ck_assert_uint_eq(s->group_shares[1], 3072);
	yl_sched_start(s, 0);
	yl_sched_pick(s, 0, 0);
	for (t = 4 * MS; t <= 2000 * MS; t += 4 * MS)	/* HZ=250 */
		if (yl_sched_tick(s, 0, t))
			yl_sched_pick(s, 0, t);
	yl_sched_update_curr(s, 0, 2000 * MS);
	g0 = yl_sched_service(s, 0) + yl_sched_service(s, 1);
	g1 = yl_sched_service(s, 2) + yl_sched_service(s, 3);
	ck_assert_msg(g0 + g1 == 2000 * MS, "service %llu", (unsigned long long)(g0 + g1));
	ck_assert_msg(g0 >= 500 * MS - 4 * MS && g0 <= 500 * MS + 4 * MS,
		      "group 0 got %llu ns of 2 s, want 25%%", (unsigned long long)g0);
	yl_sched_destroy(s);
}
END_TEST

/*
 * A VM's target choice covers its own vCPUs only, as kvm_vcpu_on_spin()
 * walks kvm->vcpu_array: VM 1 holds tasks 3-5 of six; rr from task 3
 * with last_boosted 0 (local) tries 4 and 5 (tasks), never 0-2.
 */
START_TEST(rr_stays_in_its_vm)
{
	struct yl_sched *s = six_on_one();
	struct yl_target t;
	int chosen;

	yl_target_init_vm(&t, YL_TARGET_RR, 3, 3);
	t.last_boosted = 0;
	nvisited = 0;
	yl_directed_yield(s, &recorder, &t, 3, -1, 0, &chosen);
	ck_assert_uint_eq(nvisited, 2);
	ck_assert_int_eq(visited[0], 4);
	ck_assert_int_eq(visited[1], 5);
	ck_assert_int_eq(yl_directed_yield(s, &recorder, &t, 0, -1, 0, &chosen),
			 YL_OUT_NO_TARGET);	/* task 0 is not of this VM */
	yl_target_free(&t);
	yl_sched_destroy(s);
}
END_TEST

START_TEST(rr_kernel_order)
{
	struct yl_sched *s = six_on_one();
	struct yl_target t;
	int chosen;

	yl_target_init(&t, YL_TARGET_RR, 6);
	t.last_boosted = 3;
	nvisited = 0;
	/* yield_to() returning 0 costs no try: every candidate is tried */
	ck_assert_int_eq(yl_directed_yield(s, &recorder, &t, 0, -1, 0, &chosen),
			 YL_OUT_TARGET_RUNNING);
	ck_assert_uint_eq(nvisited, 5);
	ck_assert_int_eq(visited[0], 4);
	ck_assert_int_eq(visited[1], 5);
	ck_assert_int_eq(visited[2], 1);
	ck_assert_int_eq(visited[4], 3);	/* last_boosted itself, last */
	/* three -ESRCH end the search */
	nvisited = 0;
	ck_assert_int_eq(yl_directed_yield(s, &esrch_recorder, &t, 0, -1, 0, &chosen),
			 YL_OUT_ESRCH);
	ck_assert_uint_eq(nvisited, 3);
	ck_assert_int_eq(visited[0], 4);
	ck_assert_int_eq(visited[2], 1);

	/* A sleeping vCPU is not "ready"; a spinner is tried every other time. */
	yl_sched_block(s, 4, 0);
	t.v[5].in_spin_loop = true;
	t.v[5].dy_eligible = false;
	nvisited = 0;
	yl_directed_yield(s, &recorder, &t, 0, -1, 0, &chosen);
	ck_assert_int_eq(visited[0], 1);
	ck_assert_int_eq(visited[1], 2);
	ck_assert_int_eq(visited[2], 3);
	ck_assert(t.v[5].dy_eligible);	/* toggled by the check */
	nvisited = 0;
	yl_directed_yield(s, &recorder, &t, 0, -1, 0, &chosen);
	ck_assert_int_eq(visited[0], 5);

	/* Success records the boosted vCPU: the next search starts after it. */
	ck_assert(yl_outcome_done(yl_directed_yield(s, yl_policy_find("forfeit"),
						    &t, 0, -1, 0, &chosen)));
	ck_assert_int_eq(t.last_boosted, chosen);
	yl_target_free(&t);
	yl_sched_destroy(s);
}
END_TEST

/*
 * ipi-pairs: the spinner's confirmed IPI receiver first (rr would start at
 * 1); an EOI of the vector, or 50 ms, ends the confirmation.
 */
START_TEST(ipi_pairs_prefers_receiver)
{
	struct yl_sched *s = six_on_one();
	struct yl_target t;
	int chosen;

	yl_target_init(&t, YL_TARGET_IPI_PAIRS, 6);
	yl_target_ipi(&t, 0, 3, 0xf0, 1 * MS);
	nvisited = 0;
	yl_directed_yield(s, &recorder, &t, 0, -1, 2 * MS, &chosen);
	ck_assert_int_eq(visited[0], 3);
	ck_assert_int_eq(visited[1], 1);

	/* self IPIs and broadcasts are not recorded */
	yl_target_ipi(&t, 2, 2, 0xf0, 1 * MS);
	ck_assert_int_eq(t.v[2].ipi_receiver, -1);

	nvisited = 0;
	yl_directed_yield(s, &recorder, &t, 0, -1, 52 * MS, &chosen);
	ck_assert_int_eq(visited[0], 1);	/* window over */

	yl_target_ipi(&t, 0, 3, 0xf0, 60 * MS);
	yl_target_eoi(&t, 3, 0xf1);		/* other vector: still pending */
	ck_assert(yl_target_confirmed(&t, s, 0, 61 * MS));
	yl_target_eoi(&t, 3, 0xf0);
	ck_assert(!yl_target_confirmed(&t, s, 0, 61 * MS));
	yl_target_free(&t);
	yl_sched_destroy(s);
}
END_TEST

/* Relaxed second pass: spinners skipped by dy_eligible are tried anyway. */
START_TEST(ipi_pairs_relaxed_pass)
{
	struct yl_sched *s = six_on_one();
	struct yl_target rr, ip;
	unsigned int i;
	int chosen;

	yl_target_init(&rr, YL_TARGET_RR, 6);
	yl_target_init(&ip, YL_TARGET_IPI_PAIRS, 6);
	for (i = 1; i < 6; i++) {
		rr.v[i].in_spin_loop = ip.v[i].in_spin_loop = true;
		rr.v[i].dy_eligible = ip.v[i].dy_eligible = false;
	}
	ck_assert_int_eq(yl_directed_yield(s, yl_policy_find("forfeit"), &rr, 0, -1,
					   0, &chosen), YL_OUT_NO_TARGET);
	for (i = 1; i < 6; i++)
		ip.v[i].dy_eligible = false;
	ck_assert_int_eq(yl_directed_yield(s, yl_policy_find("forfeit"), &ip, 0, -1,
					   0, &chosen), YL_OUT_HONOURED);
	ck_assert_int_eq(chosen, 1);
	yl_target_free(&rr);
	yl_target_free(&ip);
	yl_sched_destroy(s);
}
END_TEST

START_TEST(outcomes_for_bad_targets)
{
	struct yl_sched *s = six_on_one();
	const struct yl_policy *f = yl_policy_find("forfeit");

	ck_assert_int_eq(f->yield_to(s, 0, 0, 0), YL_OUT_TARGET_NOT_RUNNABLE);
	ck_assert_int_eq(f->yield_to(s, 0, 99, 0), YL_OUT_TARGET_NOT_RUNNABLE);
	ck_assert_int_eq(f->yield_to(s, 0, -1, 0), YL_OUT_TARGET_NOT_RUNNABLE);
	yl_sched_block(s, 2, 0);
	ck_assert_int_eq(f->yield_to(s, 0, 2, 0), YL_OUT_TARGET_BLOCKED);
	yl_sched_exit(s, 3, 0);
	ck_assert_int_eq(f->yield_to(s, 0, 3, 0), YL_OUT_TARGET_NOT_RUNNABLE);
	ck_assert_int_eq(yl_policy_find("none")->yield_to(s, 0, 1, 0), YL_OUT_IGNORED);
	ck_assert_ptr_null(yl_policy_find("bogus"));
	yl_sched_destroy(s);
}
END_TEST

/* Hand-off runs the target next even though it is not eligible. */
START_TEST(handoff_runs_target_now)
{
	enum yl_outcome o;
	uint64_t now;
	struct yl_sched *s = lock_holder_preempted("handoff", &now, &o);

	ck_assert_int_eq(o, YL_OUT_HONOURED);
	ck_assert(!yl_entity_eligible(&s->cpus[0].rq, se_of(s, 1)));
	ck_assert_int_eq(yl_sched_pick(s, 0, now), 1);
	/* A had 650 us of its request left: B runs at most that long. */
	ck_assert(!yl_sched_tick(s, 0, now + 600 * US));
	ck_assert(yl_sched_tick(s, 0, now + 650 * US));
	yl_sched_destroy(s);
}
END_TEST

/*
 * Hand-off across CPUs lends the yielder's CPU: task 0 (CPU 0) hands off
 * to task 2, queued on CPU 1 behind task 1.  Task 2 moves to CPU 0 and
 * runs there next, for what is left of task 0's request; when it stops
 * running there it goes home to CPU 1, and both queues stay consistent.
 */
START_TEST(handoff_lends_the_cpu)
{
	static const unsigned int cpu[3] = { 0, 1, 1 };
	struct yl_sched *s = mk("7.0", 2, 3, 0, cpu, NULL, NULL);
	uint64_t now = 100 * US;
	char why[128];
	int run1;

	yl_sched_start(s, 0);
	ck_assert_int_eq(yl_sched_pick(s, 0, 0), 0);
	run1 = yl_sched_pick(s, 1, 0);
	ck_assert(run1 == 1 || run1 == 2);
	yl_sched_tick(s, 0, now);
	ck_assert_int_eq(yl_policy_find("handoff")->yield_to(s, 0, 3 - run1, now),
			 YL_OUT_HONOURED);
	ck_assert_uint_eq(s->tasks[3 - run1].cpu, 0);
	ck_assert_uint_eq(s->tasks[3 - run1].home, 1);
	ck_assert_int_eq(yl_sched_pick(s, 0, now), 3 - run1);
	/* the lent slice ends; CPU 0 picks task 0 again, task 2 goes home */
	ck_assert(yl_sched_tick(s, 0, now + 10000 * US));
	ck_assert_int_eq(yl_sched_pick(s, 0, now + 10000 * US), 0);
	ck_assert_uint_eq(s->tasks[3 - run1].cpu, 1);
	ck_assert_msg(!yl_rq_check(&s->cpus[0].rq, why, sizeof(why)), "cpu 0: %s", why);
	ck_assert_msg(!yl_rq_check(&s->cpus[1].rq, why, sizeof(why)), "cpu 1: %s", why);
	ck_assert_uint_eq(s->cpus[1].rq.nr_queued, 2);
	yl_sched_destroy(s);
}
END_TEST

/*
 * Groups: VM0 = {0, 1}, VM1 = {2, 3}, one CPU.  VM0 runs its whole slice
 * at the root level, so its group entity is behind V.  Task 0 yields to
 * task 1: at the root the buddy is VM0's entity, ineligible, so forfeit
 * drops the hint there and VM1 runs; lag credit credits the group entity
 * (the off-tree current one: shifted in place) and task 1 runs.
 */
static struct yl_sched *vm_groups(const char *policy, bool credit_curr,
				   int *next)
{
	static const unsigned int cpu[4] = { 0, 0, 0, 0 };
	static const int grp[4] = { 0, 0, 1, 1 };
	struct yl_sched *s = mk("6.12.0", 1, 4, 2, cpu, grp, NULL);
	struct yl_se *vm0 = &s->groups[0].se;
	uint64_t t = 0;

	yl_sched_start(s, 0);
	ck_assert_int_eq(yl_sched_pick(s, 0, 0), 0);
	/* Keep VM0 on the CPU past its group entity's request. */
	for (t = 100 * US; t <= 700 * US; t += 100 * US)
		yl_sched_tick(s, 0, t);
	ck_assert_ptr_eq(s->cpus[0].rq.curr, vm0);
	ck_assert(!yl_entity_eligible(&s->cpus[0].rq, vm0));
	s->p.credit_curr = credit_curr;
	yl_policy_find(policy)->yield_to(s, 0, 1, t);
	*next = yl_sched_pick(s, 0, t);
	return s;
}

START_TEST(groups_hint_dropped_at_ineligible_level)
{
	int next;
	struct yl_sched *s = vm_groups("forfeit", true, &next);

	ck_assert_ptr_eq(s->groups[0].q.next, se_of(s, 1));
	ck_assert_int_ge(next, 2);	/* VM1 runs, not the buddy */
	yl_sched_destroy(s);
	s = vm_groups("lag-credit", true, &next);
	ck_assert_int_eq(next, 1);
	/* the shared ancestor: VM0's entity, the root's current one */
	ck_assert_uint_eq(s->credit_stat[YL_CS_CURR_GROUP], 1);
	ck_assert_uint_eq(s->credit_stat[YL_CS_CURR_TASK], 0);
	ck_assert_uint_eq(s->credit_stat[YL_CS_CURR_SKIPPED], 0);
	yl_sched_destroy(s);
}
END_TEST

/*
 * credit_curr off (the kernel's sched/yield_credit_curr = 0): the walk
 * leaves VM0's current entity alone, so the root drops the hint as
 * forfeit does, and VM1 runs.
 */
START_TEST(groups_credit_curr_off_skips_shared_ancestor)
{
	int next;
	struct yl_sched *s = vm_groups("lag-credit", false, &next);

	ck_assert_int_ge(next, 2);
	ck_assert_uint_eq(s->credit_stat[YL_CS_CURR_SKIPPED], 1);
	ck_assert_uint_eq(s->credit_stat[YL_CS_CURR_GROUP], 0);
	ck_assert_uint_eq(s->credit_stat[YL_CS_NEXT_OTHER], 1);
	yl_sched_destroy(s);
}
END_TEST

/*
 * The same moment under both picks.  VM0 = {0, 1}, VM1 = {2, 3}, one CPU,
 * 6.12.  Task 0 runs 300 us and yields to task 1 (forfeit).
 * Hierarchical: VM0's entity (weight 1024) has v = 300000, VM1's v = 0,
 * V = 150000: VM0 is behind V, the root drops the buddy, VM1 runs.
 * Flat: every task weighs 1024 * 1024 / 2048 = 512 on the root queue;
 * task 1 has v = 0 <= V, it is eligible, the buddy is honoured.
 */
static int flat_or_not(bool flat)
{
	static const unsigned int cpu[4] = { 0, 0, 0, 0 };
	static const int grp[4] = { 0, 0, 1, 1 };
	struct yl_sched *s;
	int next;

	ck_assert_int_eq(yl_sched_params_preset(&P, "6.12.0", 1), 0);
	P.flat = flat;
	s = yl_sched_create(&P, 1, 4, 2, cpu, grp, NULL);
	yl_sched_start(s, 0);
	ck_assert_int_eq(yl_sched_pick(s, 0, 0), 0);
	ck_assert_uint_eq(se_of(s, 0)->weight, flat ? 512 : 1024);
	yl_sched_tick(s, 0, 300 * US);
	ck_assert_int_eq(yl_policy_find("forfeit")->yield_to(s, 0, 1, 300 * US),
			 YL_OUT_HONOURED);
	next = yl_sched_pick(s, 0, 300 * US);
	yl_sched_destroy(s);
	return next;
}

START_TEST(flat_pick_keeps_hint_hierarchy_drops_it)
{
	ck_assert_int_ge(flat_or_not(false), 2);
	ck_assert_int_eq(flat_or_not(true), 1);
}
END_TEST

/*
 * Fairness: weights 1024:2048:1024 on one CPU for 200 ms of ticks get
 * 50/100/50 ms ideally; EEVDF keeps each within a couple of slices, and
 * the ideal shares add up to the elapsed time.
 */
START_TEST(fairness_tracks_ideal_share)
{
	static const unsigned int cpu[3] = { 0, 0, 0 };
	static const uint64_t w[3] = { 1024, 2048, 1024 };
	struct yl_sched *s = mk("7.0", 1, 3, 0, cpu, NULL, w);
	uint64_t t;
	double sum = 0;
	unsigned int i;

	yl_sched_start(s, 0);
	yl_sched_pick(s, 0, 0);
	for (t = 100 * US; t <= 200 * MS; t += 100 * US)
		if (yl_sched_tick(s, 0, t))
			yl_sched_pick(s, 0, t);
	for (i = 0; i < 3; i++) {
		double ideal = yl_sched_ideal(s, i, 200 * MS);
		double got = (double)yl_sched_service(s, i);

		sum += ideal;
		ck_assert_msg(got > ideal - 2.0 * P.base_slice_ns &&
			      got < ideal + 2.0 * P.base_slice_ns,
			      "task %u: service %.0f vs ideal %.0f", i, got, ideal);
	}
	ck_assert_msg(sum > 200.0 * MS - 1 && sum < 200.0 * MS + 1, "ideal sum %.0f", sum);
	ck_assert_msg(yl_sched_ideal(s, 1, 200 * MS) > 99.0 * MS &&
		      yl_sched_ideal(s, 1, 200 * MS) < 101.0 * MS, "weight 2048 ideal");
	yl_sched_destroy(s);
}
END_TEST

START_TEST(presets_follow_kernel_defaults)
{
	ck_assert_int_eq(yl_sched_params_preset(&P, "6.12.0", 2), 0);
	ck_assert_uint_eq(P.base_slice_ns, 1500 * US);	/* 0.75 x (1 + ilog2 2) */
	ck_assert_int_eq(yl_sched_params_preset(&P, "7.0", 64), 0);
	ck_assert_uint_eq(P.base_slice_ns, 2800 * US);	/* 0.70 x (1 + ilog2 8) */
	ck_assert_int_eq(yl_sched_params_preset(&P, "5.4", 1), -1);
	ck_assert_int_eq(yl_sched_params_preset(&P, "6.12", 1), -1);

	/* Debian's 6.12 line, as its changelog and 6.12.117's fair.c have it */
	ck_assert_int_eq(yl_sched_params_preset(&P, "6.12.32", 1), 0);
	ck_assert_uint_eq(P.base_slice_ns, 700 * US);
	ck_assert_int_eq(P.yield, YL_YIELD_DEADLINE_PUSH);
	ck_assert_int_eq(yl_sched_params_preset(&P, "6.12.63", 1), 0);
	ck_assert_int_eq(P.yield, YL_YIELD_FORFEIT);
	ck_assert_int_eq(P.parity, YL_PARITY_DEADLINE);
	ck_assert_int_eq(P.lag_clamp, YL_LAG_CLAMP_2SLICE);
	ck_assert(P.delay_dequeue && P.delay_zero && P.place_rel_deadline &&
		  P.preempt_short && P.pick_buddy);
	ck_assert_int_eq(yl_sched_params_preset(&P, "6.18.0", 1), 0);
	ck_assert_int_eq(P.lag_clamp, YL_LAG_CLAMP_2SLICE);
	ck_assert_int_eq(P.parity, YL_PARITY_VPROT);
	ck_assert_uint_eq(P.credit_budget_pct, 0);	/* the seed's */
}
END_TEST

/* --preset host: the latest preset of the running kernel's line at or below it. */
START_TEST(preset_for_release)
{
	static const char *const map[][2] = {
		{ "6.12.117-amd64", "6.12.63" }, { "6.12.63", "6.12.63" },
		{ "6.12.62", "6.12.32" }, { "6.12.5-cloud", "6.12.0" },
		{ "6.12", "6.12.0" }, { "6.18.44-fc-v782", "6.18.0" },
		{ "7.0.3", "7.0" }, { "6.6.90", NULL }, { "6.13.1", NULL },
		{ "5.4.0", NULL }, { "linux", NULL }, { "", NULL },
	};
	unsigned int i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		const char *got = yl_sched_preset_for_release(map[i][0]);

		ck_assert_msg(map[i][1] ? got && !strcmp(got, map[i][1]) : !got,
			      "%s -> %s", map[i][0], got ? got : "none");
	}
	ck_assert_ptr_null(yl_sched_preset_for_release(NULL));
}
END_TEST

START_TEST(calc_delta_fair_matches_kernel)
{
	struct yl_se se;

	yl_se_init(&se, 1024, 0);
	ck_assert_uint_eq(yl_calc_delta_fair(750000, &se), 750000);
	yl_se_init(&se, 2048, 0);
	ck_assert_uint_eq(yl_calc_delta_fair(750000, &se), 374999);	/* fixed point */
	yl_se_init(&se, 335, 0);	/* nice 5 */
	ck_assert_uint_eq(yl_calc_delta_fair(1000000, &se), 3056716);
}
END_TEST

/* ------------------------------------------------------------ the tree */

static void rq_ok(const struct yl_rq *rq)
{
	char why[160];

	ck_assert_msg(!yl_rq_check(rq, why, sizeof(why)), "%s", why);
}

/*
 * Two NICE_0 entities enqueued at V = 0 get the same request,
 * d = 0 + slice/2 (PLACE_DEADLINE_INITIAL), A first.  A runs 100 us,
 * less than its request, so it comes back with the same deadline.
 * rb_add() in put_prev_entity()'s __enqueue_entity() puts it after B, the
 * equal key already queued, so B is now the leftmost.  The model keeps a
 * running entity's node as a hole; refilling it in place would leave A
 * first, which is why an equal key behind the hole forces a reinsertion.
 * A third entity, nice 5, has a later request and stays last.
 */
START_TEST(put_back_goes_after_equal_deadlines)
{
	struct yl_se se[3], *order[3];
	struct yl_rq rq;
	bool resched = false;
	int i;

	ck_assert_int_eq(yl_sched_params_preset(&P, "7.0", 1), 0);
	yl_rq_init(&rq, &P, &resched);
	for (i = 0; i < 3; i++)
		yl_se_init(&se[i], i == 2 ? 335 : 1024, i);
	yl_enqueue_entity(&rq, &se[0], YL_ENQ_INITIAL, 0);
	yl_enqueue_entity(&rq, &se[1], YL_ENQ_INITIAL, 0);
	yl_enqueue_entity(&rq, &se[2], YL_ENQ_INITIAL, 0);
	ck_assert_uint_eq(se[0].deadline, P.base_slice_ns / 2);
	ck_assert_uint_eq(se[1].deadline, se[0].deadline);
	ck_assert_ptr_eq(yl_rq_first(&rq), &se[0]);

	yl_set_next_entity(&rq, &se[0], 0);
	rq_ok(&rq);
	/* A's node is a hole now: not first, not counted, not collected. */
	ck_assert_ptr_eq(yl_rq_first(&rq), &se[1]);
	ck_assert_uint_eq(yl_rq_collect(&rq, order, 3), 2);
	ck_assert_uint_eq(rq.sum_weight, 1024 + 335);

	yl_update_curr(&rq, 100 * US);
	ck_assert_uint_eq(se[0].deadline, P.base_slice_ns / 2);
	yl_put_prev_entity(&rq, &se[0], 100 * US);
	rq_ok(&rq);
	ck_assert_uint_eq(yl_rq_collect(&rq, order, 3), 3);
	ck_assert_ptr_eq(order[0], &se[1]);
	ck_assert_ptr_eq(order[1], &se[0]);
	ck_assert_ptr_eq(order[2], &se[2]);

	/*
	 * A again: now last of its key, so its hole is refilled, and the
	 * order is the one rb_add() gives, A after B.
	 */
	yl_set_next_entity(&rq, &se[0], 100 * US);
	yl_update_curr(&rq, 150 * US);
	ck_assert_uint_eq(se[0].deadline, P.base_slice_ns / 2);
	yl_put_prev_entity(&rq, &se[0], 150 * US);
	rq_ok(&rq);
	ck_assert_uint_eq(yl_rq_collect(&rq, order, 3), 3);
	ck_assert_ptr_eq(order[0], &se[1]);
	ck_assert_ptr_eq(order[1], &se[0]);
}
END_TEST

/*
 * b3d99f43c72b's test case: one entity that is never dequeued.  The
 * picks and update_curr() do not move zero_vruntime, so its key grows
 * with its vruntime; the tick's avg_vruntime() pulls zero_vruntime to
 * it ("when there is but one element, it is the average").
 */
START_TEST(lone_entity_zero_vruntime_follows_tick)
{
	struct yl_se se;
	struct yl_rq rq;
	bool resched = false;
	uint64_t z;

	ck_assert_int_eq(yl_sched_params_preset(&P, "7.0", 1), 0);
	yl_rq_init(&rq, &P, &resched);
	yl_se_init(&se, 1024, 0);
	yl_enqueue_entity(&rq, &se, YL_ENQ_INITIAL, 0);
	yl_set_next_entity(&rq, &se, 0);
	z = rq.zero_vruntime;
	yl_update_curr(&rq, 1000 * MS);
	ck_assert_uint_eq(se.vruntime - z, 1000 * MS);
	ck_assert_uint_eq(rq.zero_vruntime, z);
	yl_entity_tick(&rq, 1004 * MS);
	ck_assert_uint_eq(rq.zero_vruntime, se.vruntime);
	ck_assert_uint_eq(yl_avg_vruntime(&rq), se.vruntime);
	rq_ok(&rq);
}
END_TEST

static Suite *sched_suite(void)
{
	Suite *s = suite_create("sched");
	TCase *inv = tcase_create("invariants");
	TCase *ex = tcase_create("worked_examples");

	tcase_set_timeout(inv, 120);
	tcase_add_loop_test(inv, invariants_flat, 0, 4);
	tcase_add_loop_test(inv, invariants_groups, 0, 4);
	tcase_add_loop_test(inv, invariants_flat_groups, 0, 4);
	tcase_add_test(ex, forfeit_ineligible_buddy_not_picked);
	tcase_add_test(ex, lag_credit_ineligible_buddy_picked);
	tcase_add_test(ex, lag_credit_off_is_forfeit);
	tcase_add_test(ex, yield_moves_deadline_one_slice);
	tcase_add_test(ex, forced_resched_rate_limited);
	tcase_add_test(ex, lag_credit_inert_across_run_queues);
	tcase_add_test(ex, rr_kernel_order);
	tcase_add_test(ex, rr_stays_in_its_vm);
	tcase_add_test(ex, group_shares_split_the_cpu);
	tcase_add_test(ex, ipi_pairs_prefers_receiver);
	tcase_add_test(ex, ipi_pairs_relaxed_pass);
	tcase_add_test(ex, outcomes_for_bad_targets);
	tcase_add_test(ex, handoff_runs_target_now);
	tcase_add_test(ex, handoff_lends_the_cpu);
	tcase_add_test(ex, groups_hint_dropped_at_ineligible_level);
	tcase_add_test(ex, groups_credit_curr_off_skips_shared_ancestor);
	tcase_add_test(ex, flat_pick_keeps_hint_hierarchy_drops_it);
	tcase_add_test(ex, fairness_tracks_ideal_share);
	tcase_add_test(ex, presets_follow_kernel_defaults);
	tcase_add_test(ex, preset_for_release);
	tcase_add_test(ex, calc_delta_fair_matches_kernel);
	tcase_add_test(ex, put_back_goes_after_equal_deadlines);
	tcase_add_test(ex, lone_entity_zero_vruntime_follows_tick);
	suite_add_tcase(s, inv);
	suite_add_tcase(s, ex);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sched_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
