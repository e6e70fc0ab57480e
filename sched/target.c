// SPDX-License-Identifier: GPL-2.0
/*
 * Whom a spinning vCPU yields to.  rr is kvm_vcpu_on_spin()
 * (virt/kvm/kvm_main.c): from last_boosted_vcpu + 1 round the vCPUs,
 * skipping itself, vCPUs that are not "ready" (preempted while runnable)
 * and spinners whose dy_eligible toggle says no; three yield_to()s that
 * fail with -ESRCH end the search.  ipi-pairs adds the seed's patches 6-10: the spinner's
 * confirmed recent IPI receiver first, then a vCPU with an interrupt
 * pending, then the usual pass, a relaxed pass if nobody was boosted.
 */
#include <stdlib.h>
#include <string.h>
#include "policy.h"

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

/* kvm_vcpu_yield_to() on one candidate; true when the search is over. */
static bool try_one(struct attempt *a, unsigned int i)
{
	a->chosen = (int)(a->t->base + i);
	a->last = a->pol->yield_to(a->s, a->me, a->chosen, a->now);
	if (yl_outcome_done(a->last)) {
		a->t->last_boosted = (int)i;
		return true;
	}
	if (a->last == YL_OUT_IGNORED || a->last == YL_OUT_YIELDED)
		return true;	/* the policy does not direct: one call */
	/* only yielded < 0 (-ESRCH) is a try; a 0 just moves on */
	return a->last == YL_OUT_ESRCH && --a->tries <= 0;
}

enum pass_kind { PASS_STRICT, PASS_RELAXED, PASS_PENDING_IRQ };

/*
 * One pass round the vCPUs from last_boosted + 1, as kvm_vcpu_on_spin()'s
 * two loops (after last_boosted, then up to it) together: the strict
 * pass applies the dy_eligible toggle, the relaxed one only "ready", and
 * the seed's second step only vCPUs with an interrupt pending.
 */
static bool rr_pass(struct attempt *a, enum pass_kind kind)
{
	unsigned int n = a->t->nr, k, start = (unsigned int)(a->t->last_boosted + 1);

	for (k = 0; k < n; k++) {
		unsigned int i = (start + k) % n;

		if (a->t->base + i == a->me || !ready(a->s, a->t->base + i))
			continue;
		if (kind == PASS_PENDING_IRQ && !a->t->v[i].pending_irq)
			continue;
		if (kind == PASS_STRICT && !eligible_for_dy(a->t, i))
			continue;
		if (try_one(a, i))
			return true;
	}
	return false;
}

static void on_spin(struct attempt *a)
{
	struct yl_target_vcpu *me = &a->t->v[a->me - a->t->base];

	me->in_spin_loop = true;
	if (a->t->kind == YL_TARGET_IPI_PAIRS &&
	    yl_target_confirmed(a->t, a->s, a->me - a->t->base, a->now) &&
	    ready(a->s, a->t->base + (unsigned int)me->ipi_receiver) &&
	    try_one(a, (unsigned int)me->ipi_receiver))
		goto out;
	if (a->t->kind == YL_TARGET_IPI_PAIRS && rr_pass(a, PASS_PENDING_IRQ))
		goto out;
	if (rr_pass(a, PASS_STRICT))
		goto out;
	if (a->t->kind == YL_TARGET_IPI_PAIRS && a->s->p.relaxed_boost &&
	    a->tries > 0)
		rr_pass(a, PASS_RELAXED);
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
