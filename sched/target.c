// SPDX-License-Identifier: GPL-2.0
/*
 * Whom a spinning vCPU yields to.  rr is kvm_vcpu_on_spin()
 * (virt/kvm/kvm_main.c): from last_boosted_vcpu + 1 round the vCPUs,
 * skipping itself, vCPUs that are not "ready" (preempted while runnable)
 * and spinners whose dy_eligible toggle says no; three yield_to()s that
 * fail with -ESRCH end the search.  Its strict test leaves out a vCPU
 * preempted in guest user mode unless an interrupt is pending for it (the
 * spinner spins in kernel mode: a lock or an IPI wait).  ipi-pairs is the
 * seed's patches 6-10 as kernel/patches/0006 has them: the spinner's
 * confirmed IPI receiver first, then the strict round, then, if nobody was
 * boosted, a relaxed round that admits a vCPU in user mode too.
 */
#include <stdlib.h>
#include <string.h>
#include "policy.h"

#define YL_SPIN_NAME(id, name) [YL_SPIN_##id] = name,
const char *const yl_spin_stat_names[YL_SPIN_NR] = {
	YL_SPIN_COUNTERS(YL_SPIN_NAME)
};
#undef YL_SPIN_NAME

static const char *const target_names[YL_TARGET_NR] = {
	"hint", "rr", "ipi-pairs",
};

const char *yl_target_name(enum yl_target_kind k)
{
	return k < YL_TARGET_NR ? target_names[k] : "?";
}

int yl_target_find(const char *name)
{
	int i;

	for (i = 0; i < YL_TARGET_NR; i++)
		if (!strcmp(target_names[i], name))
			return i;
	return -1;
}

int yl_target_init_vm(struct yl_target *t, enum yl_target_kind kind,
		      unsigned int base, unsigned int nr)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->base = base;
	t->nr = nr;
	t->last_boosted = -1;
	t->v = calloc(nr, sizeof(*t->v));
	if (!t->v)
		return -1;
	for (i = 0; i < nr; i++)
		t->v[i].ipi_receiver = -1;
	return 0;
}

int yl_target_init(struct yl_target *t, enum yl_target_kind kind,
		   unsigned int nr)
{
	return yl_target_init_vm(t, kind, 0, nr);
}

void yl_target_free(struct yl_target *t)
{
	free(t->v);
	t->v = NULL;
}

void yl_target_add_spin_stat(const struct yl_target *t, uint64_t *sum)
{
	unsigned int k;

	for (k = 0; k < YL_SPIN_NR; k++)
		sum[k] += t->spin_stat[k];
}

/* Seed patch 6: only fixed, unicast, non-self IPIs are recorded. */
void yl_target_ipi(struct yl_target *t, unsigned int sender,
		   unsigned int receiver, uint32_t vector, uint64_t now)
{
	if (sender >= t->nr || receiver >= t->nr || sender == receiver)
		return;
	t->v[sender].ipi_receiver = (int)receiver;
	t->v[sender].ipi_pending = true;
	t->v[sender].ipi_vector = vector;
	t->v[sender].ipi_sent_ns = now;
}

/* Seed patch 7: a matching-vector EOI by the receiver clears the pair. */
void yl_target_eoi(struct yl_target *t, unsigned int receiver, uint32_t vector)
{
	unsigned int i;

	for (i = 0; i < t->nr; i++)
		if (t->v[i].ipi_receiver == (int)receiver &&
		    t->v[i].ipi_vector == vector)
			t->v[i].ipi_pending = false;
}

bool yl_target_confirmed(const struct yl_target *t, const struct yl_sched *s,
			 unsigned int sender, uint64_t now)
{
	const struct yl_target_vcpu *v = &t->v[sender];

	return v->ipi_receiver >= 0 && v->ipi_pending &&
	       now - v->ipi_sent_ns <= s->p.ipi_window_ns;
}

/* vcpu->ready: preempted while runnable, i.e. queued but not running. */
static bool ready(const struct yl_sched *s, unsigned int i)
{
	return s->tasks[i].state == YL_TASK_RUNNABLE && !yl_sched_task_running(s, i);
}

/* kvm_vcpu_eligible_for_directed_yield(): spinners are tried every other time. */
static bool eligible_for_dy(struct yl_target *t, unsigned int i)
{
	struct yl_target_vcpu *v = &t->v[i];
	bool ok = !v->in_spin_loop || v->dy_eligible;

	if (v->in_spin_loop)
		v->dy_eligible = !v->dy_eligible;
	return ok;
}

struct attempt {
	struct yl_sched *s;
	const struct yl_policy *pol;
	struct yl_target *t;
	unsigned int me;
	uint64_t now;
	int tries;
	int chosen;
	enum yl_outcome last;
};

/*
 * kvm_vcpu_yield_to() on one candidate; true when the search is over.
 * In a round only yielded < 0 (-ESRCH) is a try, a 0 just moves on; the
 * receiver's attempt comes before the rounds and spends no try.
 */
static bool try_one(struct attempt *a, unsigned int i, bool in_round)
{
	a->chosen = (int)(a->t->base + i);
	a->last = a->pol->yield_to(a->s, a->me, a->chosen, a->now);
	if (yl_outcome_done(a->last)) {
		a->t->last_boosted = (int)i;
		return true;
	}
	if (a->last == YL_OUT_IGNORED || a->last == YL_OUT_YIELDED)
		return true;	/* the policy does not direct: one call */
	return in_round && a->last == YL_OUT_ESRCH && --a->tries <= 0;
}

/*
 * kvm_vcpu_dy_candidate() (kernel/patches/0006): ready, not the spinner,
 * and in the strict round not preempted in user mode without an interrupt
 * pending; then the dy_eligible toggle, in every round.  Our spinners spin
 * in kernel mode, so yield_to_kernel_mode holds.  The relaxed round's
 * vcpu->preempted is "ready" here: the model does not tell a vCPU woken
 * but not yet run from one preempted.
 */
static bool dy_candidate(struct attempt *a, unsigned int i, bool relaxed)
{
	struct yl_target_vcpu *v = &a->t->v[i];

	if (a->t->base + i == a->me || !ready(a->s, a->t->base + i))
		return false;
	if (!relaxed && v->user_mode && !v->pending_irq) {
		a->t->spin_stat[YL_SPIN_STRICT_SKIPPED]++;
		return false;
	}
	return eligible_for_dy(a->t, i);
}

/*
 * kvm_vcpu_spin_round(): one round of the vCPUs from last_boosted + 1,
 * as kvm_vcpu_on_spin()'s two loops (after last_boosted, then up to it)
 * together.  True when the search is over.
 */
static bool spin_round(struct attempt *a, bool relaxed)
{
	unsigned int n = a->t->nr, k, start = (unsigned int)(a->t->last_boosted + 1);

	for (k = 0; k < n; k++) {
		unsigned int i = (start + k) % n;

		if (dy_candidate(a, i, relaxed) && try_one(a, i, true))
			return true;
	}
	return false;
}

/* kvm_vcpu_yield_to_receiver(): every test but the mode's. */
static bool yield_to_receiver(struct attempt *a)
{
	struct yl_target_vcpu *me = &a->t->v[a->me - a->t->base];

	if (!yl_target_confirmed(a->t, a->s, a->me - a->t->base, a->now))
		return false;
	if (!dy_candidate(a, (unsigned int)me->ipi_receiver, true))
		return false;
	return try_one(a, (unsigned int)me->ipi_receiver, false);
}

/* A boost by @round, counted as 0006's statistics count it. */
static bool boosted(struct attempt *a, bool over, enum yl_spin_stat round)
{
	if (over && yl_outcome_done(a->last))
		a->t->spin_stat[round]++;
	return over;
}

static void on_spin(struct attempt *a)
{
	struct yl_target_vcpu *me = &a->t->v[a->me - a->t->base];
	bool ipi = a->t->kind == YL_TARGET_IPI_PAIRS;

	me->in_spin_loop = true;
	if (ipi && boosted(a, yield_to_receiver(a), YL_SPIN_BOOST_RECEIVER))
		goto out;
	if (boosted(a, spin_round(a, false), YL_SPIN_BOOST_STRICT))
		goto out;
	if (ipi && a->s->p.relaxed_boost && a->tries > 0)
		boosted(a, spin_round(a, true), YL_SPIN_BOOST_RELAXED);
out:
	me->in_spin_loop = false;
	me->dy_eligible = false;
}

enum yl_outcome yl_directed_yield(struct yl_sched *s, const struct yl_policy *pol,
				  struct yl_target *t, unsigned int me, int hint,
				  uint64_t now, int *chosen)
{
	struct attempt a = {
		.s = s, .pol = pol, .t = t, .me = me, .now = now,
		.tries = (int)s->p.dy_tries, .chosen = -1,
		.last = YL_OUT_NO_TARGET,
	};

	if (me < t->base || me - t->base >= t->nr || t->nr < 2) {
		*chosen = -1;
		return YL_OUT_NO_TARGET;
	}
	if (t->kind == YL_TARGET_HINT) {
		/* kvm_sched_yield(): no yield when this CPU runs nothing else */
		a.chosen = hint;
		if (pol->kernel_path && s->cpus[s->tasks[me].cpu].nr_running == 1)
			a.last = YL_OUT_SINGLE_TASK;
		else
			a.last = pol->yield_to(s, me, hint, now);
	} else {
		on_spin(&a);
	}
	*chosen = a.chosen;
	return a.last;
}
