// SPDX-License-Identifier: GPL-2.0
/*
 * The test guest as guest/ behaves, between exits: think, acquire, the
 * critical section, release; a waiter spins and after spin_threshold
 * PAUSEs hints (--pv yield) or halts (--pv halt); an unlocker kicks the
 * vCPU its release lets go; IPI ops send function calls and wait for
 * them (guest/ipi.c).  Each lock keeps guest/lock.c's hand-over order:
 *
 * - ticket, MCS, qspinlock: FIFO.  A release hands the lock to the next
 *   waiter whether it runs or not (a preempted next waiter holds up the
 *   rest: lock waiter preemption).  qspinlock's pending waiter is the
 *   queue's first; under --pv halt the pending path is skipped, as in
 *   guest/ (pv_enabled()), and the new owner passes the MCS baton on.
 * - TAS, TTAS: no order.  A release goes to one of the waiters running
 *   at that moment, drawn from the seed; with none running, to whoever
 *   looks first.  TTAS's losers back off 1, 2, ... 1024 PAUSEs.
 *
 * Whom a hint names is guest/'s pv_wait: the holder (ticket: the vCPU
 * whose ticket is served; MCS and qspinlock: queue_owner, the last to
 * take the lock) and the waiter just ahead.
 */
#include <math.h>
#include "internal.h"

#define BACKOFF_MAX	1024u	/* guest/lock.c */

static struct sim_vcpu *vc(struct yl_sim *s, unsigned int t)
{
	return &s->v[t];
}

static unsigned int base_of(const struct yl_sim *s, unsigned int vm)
{
	return vm * s->c.vcpus;
}

static struct sim_lock *lock_of(struct yl_sim *s, unsigned int t)
{
	return &s->lock[s->v[t].vm];
}

static bool fifo(const struct yl_sim *s)
{
	return s->c.lock == YL_LOCK_TICKET || s->c.lock == YL_LOCK_MCS ||
	       s->c.lock == YL_LOCK_QSPIN;
}

static uint64_t cost(const struct yl_sim *s, enum yl_sim_cost k)
{
	return s->c.cost[k];
}

/* A length drawn around its mean, as --dist says (seeded). */
static uint64_t drawn(struct yl_sim *s, uint64_t mean)
{
	double u;

	if (!mean || s->c.dist == YL_SIM_DIST_CONST)
		return mean;
	u = (double)(sim_rand(s) >> 11) * 0x1.0p-53;	/* [0, 1) */
	if (s->c.dist == YL_SIM_DIST_UNIFORM)
		return mean / 2 + (uint64_t)(u * (double)mean);
	return (uint64_t)(-log1p(-u) * (double)mean);	/* exponential */
}

static void hist_add(uint64_t *h, uint64_t v)
{
	unsigned int b = v ? 63 - (unsigned int)__builtin_clzll(v) : 0;

	h[b < YL_HIST_BUCKETS ? b : YL_HIST_BUCKETS - 1]++;
}

/* ---------------------------------------------------------------- exits */

/*
 * An exit: its cost passes as the vCPU's own running time, then
 * port_done() lets the guest go on and the host act (sim_port_done()).
 * Coop's ports are userspace exits; in host mode KVM handles them all,
 * as it handles a PAUSE exit in either mode.
 */
static void port(struct yl_sim *s, unsigned int t, enum port p, int arg,
		 enum gstate resume)
{
	struct sim_vcpu *v = vc(s, t);
	bool user = s->c.sched == YL_SCHED_COOP && p != P_PLE;

	v->gs = G_PORT;
	v->port = (uint8_t)p;
	v->port_arg = arg;
	v->resume = (uint8_t)resume;
	v->port_left = cost(s, user ? YL_COST_EXIT : YL_COST_HYPERCALL);
	v->ple_pauses = 0;	/* the next entry reloads the PAUSE filter */
}

/* ---------------------------------------------------------------- locks */

static void q_push(struct yl_sim *s, struct sim_lock *l, unsigned int t)
{
	vc(s, t)->q_next = NO_VCPU;
	vc(s, t)->q_prev = l->tail;
	if (l->tail >= 0)
		vc(s, (unsigned int)l->tail)->q_next = (int32_t)t;
	else
		l->head = (int)t;
	l->tail = (int)t;
}

static int q_pop(struct yl_sim *s, struct sim_lock *l)
{
	int h = l->head;

	if (h < 0)
		return NO_VCPU;
	l->head = vc(s, (unsigned int)h)->q_next;
	if (l->head < 0)
		l->tail = NO_VCPU;
	else
		vc(s, (unsigned int)l->head)->q_prev = NO_VCPU;
	return h;
}

/* The waiter just ahead of @t in the queue (the owner for the first). */
static int ahead_of(struct yl_sim *s, unsigned int t)
{
	int p = vc(s, t)->q_prev;

	return p >= 0 ? p : lock_of(s, t)->owner;
}

static void enter_cs(struct yl_sim *s, unsigned int t)
{
	struct sim_vcpu *v = vc(s, t);
	struct sim_lock *l = lock_of(s, t);
	uint64_t lat = s->now - v->acq_t;

	if (++l->in_cs > 1)
		sim_fail(s, "mutual exclusion: vm%u vcpu%u entered a held lock",
			 v->vm, v->idx);
	if (l->in_cs > s->max_in_cs)
		s->max_in_cs = l->in_cs;
	l->owner = (int)t;
	l->last_owner = (int)t;		/* queue_owner */
	v->granted = false;
	v->ple_pauses = 0;		/* only a waiter's PAUSEs count */
	vst(s, v)->lat_sum += lat;
	if (lat > vst(s, v)->lat_max)
		vst(s, v)->lat_max = lat;
	hist_add(vst(s, v)->lat_hist, lat);
	v->gs = G_CS;
	v->left = drawn(s, s->c.cs_ns);
	/* qspinlock under pv halt: the new owner kicks the next in line */
	if (s->c.lock == YL_LOCK_QSPIN && s->c.pv == YL_PV_HALT &&
	    l->head >= 0 && vc(s, (unsigned int)l->head)->halted_flag) {
		vst(s, v)->kicks++;
		port(s, t, P_KICK, l->head, G_CS);
	}
}

/* Someone else's state is about to change: account its running so far. */
static void touch_other(struct yl_sim *s, unsigned int w)
{
	if (vc(s, w)->cpu >= 0)
		guest_settle(s, w, s->now);
}

static void grant(struct yl_sim *s, unsigned int w)
{
	touch_other(s, w);
	lock_of(s, w)->owner = (int)w;
	vc(s, w)->granted = true;
	sim_replan(s, w);
}

/* TAS/TTAS: the running waiters not backing off, drawn from the seed. */
static int race_winner(struct yl_sim *s, unsigned int me)
{
	unsigned int b = base_of(s, vc(s, me)->vm), i, n = 0;
	int pick = NO_VCPU;

	for (i = b; i < b + s->c.vcpus; i++) {
		struct sim_vcpu *w = vc(s, i);

		if (w->gs != G_SPIN || w->cpu < 0 || w->run_t > s->now)
			continue;
		guest_settle(s, i, s->now);
		if (w->backoff_left)
			continue;
		if (sim_rand(s) % ++n == 0)
			pick = (int)i;	/* reservoir: each equally likely */
	}
	if (pick < 0 || s->c.lock != YL_LOCK_TTAS)
		return pick;
	for (i = b; i < b + s->c.vcpus; i++) {	/* the others lost the CAS */
		struct sim_vcpu *w = vc(s, i);

		if ((int)i == pick || w->gs != G_SPIN || w->cpu < 0 ||
		    w->run_t > s->now || w->backoff_left)
			continue;
		w->backoff = w->backoff ? w->backoff : 1;
		w->backoff_left = w->backoff * cost(s, YL_COST_PAUSE);
		if (w->backoff < BACKOFF_MAX)
			w->backoff *= 2;
		sim_replan(s, i);
	}
	return pick;
}

/* pv_kick_any(): the first halted vCPU after us. */
static int halted_after(struct yl_sim *s, unsigned int me)
{
	unsigned int n = s->c.vcpus, b = base_of(s, vc(s, me)->vm), i;

	for (i = 1; i < n; i++) {
		unsigned int t = b + (vc(s, me)->idx + i) % n;

		if (vc(s, t)->halted_flag)
			return (int)t;
	}
	return NO_VCPU;
}

/* lock_release(): the next owner, and whom to kick; then think. */
static void release(struct yl_sim *s, unsigned int t)
{
	struct sim_lock *l = lock_of(s, t);
	int next, kick = NO_VCPU;

	l->in_cs--;
	l->counter++;
	vst(s, vc(s, t))->ops++;
	l->owner = NO_VCPU;
	if (fifo(s)) {
		next = q_pop(s, l);
		if (next >= 0) {
			grant(s, (unsigned int)next);
			kick = next;
		}
	} else {
		next = race_winner(s, t);
		if (next >= 0)
			grant(s, (unsigned int)next);
		if (s->c.pv == YL_PV_HALT)	/* tas_release(): always */
			kick = halted_after(s, t);
	}
	vc(s, t)->gs = G_THINK;
	vc(s, t)->left = drawn(s, s->c.think_ns) + cost(s, YL_COST_OP);
	if (s->c.pv == YL_PV_HALT && kick >= 0 && vc(s, (unsigned int)kick)->halted_flag) {
		vst(s, vc(s, t))->kicks++;
		port(s, t, P_KICK, kick, G_THINK);
	}
}

static void acquire(struct yl_sim *s, unsigned int t)
{
	struct sim_lock *l = lock_of(s, t);
	struct sim_vcpu *v = vc(s, t);

	v->acq_t = s->now;
	v->spun = 0;
	v->backoff = 0;
	v->backoff_left = 0;
	if (l->owner < 0 && l->head < 0) {
		enter_cs(s, t);
		return;
	}
	if (fifo(s))
		q_push(s, l, t);
	v->gs = G_SPIN;
}

/* ----------------------------------------------------------------- IPIs */

static unsigned int ipi_target(struct yl_sim *s, unsigned int t, unsigned int j)
{
	struct sim_vcpu *v = vc(s, t);
	unsigned int n = s->c.vcpus;

	return base_of(s, v->vm) +
	       (unsigned int)((v->idx + 1 + (v->ipi_nr + j) % (n - 1)) % n);
}

static bool req_outstanding(struct yl_sim *s, unsigned int from, unsigned int to)
{
	unsigned int i = vc(s, from)->idx;

	return vc(s, to)->req_from[i / 64] & (1ull << (i % 64));
}

/* The first of this op's targets still running our last call, or -1. */
static int busy_target(struct yl_sim *s, unsigned int t)
{
	unsigned int j;

	for (j = 0; j < s->c.ipi_targets; j++) {
		unsigned int to = ipi_target(s, t, j);

		if (req_outstanding(s, t, to))
			return (int)to;
	}
	return NO_VCPU;
}

static void next_op(struct yl_sim *s, unsigned int t);
static bool lock_ready(struct yl_sim *s, unsigned int t);

/* Spin until @busy has run our call: to ack it, or to reuse its slot. */
static void ipi_wait_for(struct sim_vcpu *v, int busy, bool acking)
{
	v->gs = G_IPI_SPIN;
	v->ipi_acking = acking;
	v->ipi_wait_on = (uint32_t)busy;
}

/* The op is over: the IPI workload thinks, mixed goes on to lock ops. */
static void ipi_op_done(struct yl_sim *s, unsigned int t)
{
	struct sim_vcpu *v = vc(s, t);

	v->ipi_nr++;
	v->gs = G_THINK;	/* mixed: straight to its lock ops */
	v->left = (s->c.workload == YL_WL_IPI ? drawn(s, s->c.think_ns) : 0) +
		  cost(s, YL_COST_OP);
}

/* Sync: wait for the next target still running our call; async: done. */
static void ipi_continue(struct yl_sim *s, unsigned int t)
{
	struct sim_vcpu *v = vc(s, t);
	int busy = s->c.ipi_wait == YL_IPI_SYNC ? busy_target(s, t) : NO_VCPU;

	if (busy >= 0) {
		ipi_wait_for(v, busy, true);
		return;
	}
	if (s->c.ipi_wait == YL_IPI_SYNC) {
		vst(s, v)->ipi_acked += s->c.ipi_targets;
		hist_add(vst(s, v)->ipi_rtt_hist, s->now - v->ipi_t0);	/* ipi_rtt() */
	}
	ipi_op_done(s, t);
}

/* ipi_op(): csd_lock() each target's slot, fill them, send. */
static void ipi_op(struct yl_sim *s, unsigned int t)
{
	struct sim_vcpu *v = vc(s, t);
	int busy = busy_target(s, t);
	unsigned int j;

	v->spun = 0;
	if (busy >= 0) {
		ipi_wait_for(v, busy, false);
		return;
	}
	v->ipi_t0 = s->now;		/* the guest's t0: csd_lock()s done */
	for (j = 0; j < s->c.ipi_targets; j++) {
		struct sim_vcpu *to = vc(s, ipi_target(s, t, j));

		to->req_from[v->idx / 64] |= 1ull << (v->idx % 64);
		to->nr_req++;
	}
	vst(s, v)->ipi_ops++;
	vst(s, v)->ipi_sent += s->c.ipi_targets;
	port(s, t, P_IPI, NO_VCPU, G_IPI_SPIN);
}

/*
 * After the IPI's exit, from target @j on: yield to a target shown
 * preempted as --ipi-yield says (kvm_smp_send_call_func_ipi(); the rule is
 * abi.h's, the guest's too), then wait or go on.
 */
static void ipi_yield_from(struct yl_sim *s, unsigned int t, unsigned int j)
{
	struct sim_vcpu *v = vc(s, t);
	unsigned int k = s->c.ipi_targets;

	for (; yl_ipi_yield_applies(s->c.ipi_yield, k) && j < k; j++) {
		unsigned int to = ipi_target(s, t, j);

		if (!vc(s, to)->preempted)
			continue;
		vst(s, v)->ipi_yields++;
		port(s, t, P_HINT, (int)to, G_IPI_SPIN);
		v->ipi_after_yield = true;
		v->ipi_yield_next = yl_ipi_yield_more(s->c.ipi_yield) ? j + 1 : k;
		return;
	}
	ipi_continue(s, t);
}

/* The interrupt handler on @t: run every call waiting for it. */
void guest_irq(struct yl_sim *s, unsigned int t)
{
	struct sim_vcpu *v = vc(s, t);
	unsigned int b = base_of(s, v->vm), w;

	for (w = 0; v->nr_req && w <= (s->c.vcpus - 1) / 64; w++) {
		while (v->req_from[w]) {
			unsigned int bit = (unsigned int)__builtin_ctzll(v->req_from[w]);
			unsigned int from = b + w * 64 + bit;

			v->req_from[w] &= v->req_from[w] - 1;
			vst(s, v)->ipi_received++;
			if (s->c.ipi_wait == YL_IPI_ASYNC)
				vst(s, vc(s, from))->ipi_acked++;
			touch_other(s, from);
			sim_replan(s, from);
		}
	}
	v->nr_req = 0;
}

/* ------------------------------------------------------------ the guest */

/* One op: a lock op, or (ipi, mixed) an IPI op when its turn comes. */
static void next_op(struct yl_sim *s, unsigned int t)
{
	struct sim_vcpu *v = vc(s, t);

	if (s->c.workload == YL_WL_LOCK ||
	    (s->c.workload == YL_WL_MIXED && v->lock_ops_left)) {
		if (v->lock_ops_left)
			v->lock_ops_left--;
		acquire(s, t);
		return;
	}
	v->lock_ops_left = s->c.ipi_every;
	ipi_op(s, t);
}

void guest_init(struct yl_sim *s, unsigned int t)
{
	struct sim_vcpu *v = vc(s, t);

	v->gs = G_THINK;
	/* a drawn start, so that a seed gives its own interleaving */
	v->left = s->c.think_ns + s->c.cs_ns ?
		  sim_rand(s) % (s->c.think_ns + s->c.cs_ns + 1) : 0;
	v->lock_ops_left = s->c.ipi_every;
	v->q_next = v->q_prev = NO_VCPU;
	v->ple_window = YL_SIM_PLE_WINDOW;
}

/* ns of spinning before the pv action (a halt only waits for a lock). */
static uint64_t pv_left(const struct yl_sim *s, const struct sim_vcpu *v)
{
	uint64_t thr = s->c.spin_threshold ? s->c.spin_threshold * s->c.cost[YL_COST_PAUSE] :
		       s->c.spin_ns;

	if (s->c.pv == YL_PV_NONE || (s->c.pv == YL_PV_HALT && v->gs != G_SPIN))
		return UINT64_MAX;
	if (v->gs == G_IPI_SPIN && s->c.sched == YL_SCHED_HOST)
		return UINT64_MAX;	/* csd_lock_wait() only spins */
	return v->spun < thr ? thr - v->spun : 0;
}

/* ...and before KVM's PAUSE filter fires (host mode). */
static uint64_t ple_left(const struct yl_sim *s, const struct sim_vcpu *v)
{
	if (s->c.sched != YL_SCHED_HOST || !s->c.pause_exits)
		return UINT64_MAX;
	if (v->ple_pauses >= v->ple_window)
		return 0;
	return (v->ple_window - v->ple_pauses) * s->c.cost[YL_COST_PAUSE] -
	       v->pause_frac;
}

static uint64_t spin_left(const struct yl_sim *s, const struct sim_vcpu *v)
{
	uint64_t d = pv_left(s, v), p = ple_left(s, v);

	d = p < d ? p : d;
	if (v->backoff_left && v->backoff_left < d)
		d = v->backoff_left;
	return d;
}

uint64_t guest_next(struct yl_sim *s, unsigned int t, uint64_t from)
{
	struct sim_vcpu *v = vc(s, t);
	uint64_t d;

	switch (v->gs) {
	case G_THINK:
	case G_CS:
		return from + v->left;
	case G_PORT:
		return from + v->port_left;
	case G_SPIN:
		if (lock_ready(s, t))
			return from + (v->granted ? cost(s, YL_COST_HANDOVER) : 0);
		break;
	case G_IPI_SPIN:
		if (!req_outstanding(s, t, v->ipi_wait_on))
			return from;
		break;
	default:
		return UINT64_MAX;
	}
	d = spin_left(s, v);
	return d == UINT64_MAX ? UINT64_MAX : from + d;
}

void guest_settle(struct yl_sim *s, unsigned int t, uint64_t now)
{
	struct sim_vcpu *v = vc(s, t);
	uint64_t d, pauses, pause = cost(s, YL_COST_PAUSE);

	if (now <= v->run_t)
		return;
	d = now - v->run_t;
	v->run_t = now;
	switch (v->gs) {
	case G_THINK:
	case G_CS:
		v->left -= d < v->left ? d : v->left;
		return;
	case G_PORT:
		v->port_left -= d < v->port_left ? d : v->port_left;
		return;
	case G_SPIN:
	case G_IPI_SPIN:
		v->spun += d;
		pauses = (v->pause_frac + d) / pause;
		v->pause_frac = (v->pause_frac + d) % pause;
		v->spins += pauses;
		v->ple_pauses += pauses;
		v->backoff_left -= d < v->backoff_left ? d : v->backoff_left;
		return;
	default:
		return;
	}
}

/* Whom a waiter names: guest/'s yield_target() on its pv_wait. */
static int yield_target(struct yl_sim *s, unsigned int t)
{
	struct sim_lock *l = lock_of(s, t);
	int holder, ahead, c[2];
	unsigned int k;

	if (vc(s, t)->gs == G_IPI_SPIN)
		return (int)vc(s, t)->ipi_wait_on;
	switch (s->c.lock) {
	case YL_LOCK_TICKET:
		holder = l->owner;
		ahead = ahead_of(s, t);
		break;
	case YL_LOCK_MCS:
	case YL_LOCK_QSPIN:
		holder = l->last_owner;
		ahead = l->head == (int)t ? NO_VCPU : ahead_of(s, t);
		break;
	default:
		holder = l->owner;
		ahead = NO_VCPU;
	}
	c[0] = holder == (int)t ? NO_VCPU : holder;
	c[1] = ahead == (int)t ? NO_VCPU : ahead;
	for (k = 0; k < 2; k++) {
		if (c[k] < 0)
			continue;
		if (s->c.yield_to == YL_YIELD_TO_TURN || vc(s, (unsigned int)c[k])->preempted)
			return c[k];
	}
	return NO_VCPU;
}

/* A waiter's budget ran out (or KVM's PAUSE filter did). */
static void spin_action(struct yl_sim *s, unsigned int t)
{
	struct sim_vcpu *v = vc(s, t);
	int target;

	if (!ple_left(s, v)) {
		v->ple_pauses = 0;
		port(s, t, P_PLE, NO_VCPU, (enum gstate)v->gs);	/* counted in hint() */
		return;
	}
	if (pv_left(s, v))
		return;		/* a backoff ended with the lock still held */
	v->spun = 0;
	if (s->c.pv == YL_PV_HALT) {
		v->halted_flag = true;
		port(s, t, P_HALT, NO_VCPU, G_SPIN);
		return;
	}
	target = yield_target(s, t);
	if (s->c.sched == YL_SCHED_HOST && target < 0)
		return;		/* nobody preempted: no hypercall */
	if (v->gs == G_IPI_SPIN)
		vst(s, v)->ipi_yields++;
	else
		vst(s, v)->yields++;
	port(s, t, P_HINT, target, (enum gstate)v->gs);
}

/* An exit's cost is paid: the guest goes on, the host acts. */
static void port_done(struct yl_sim *s, unsigned int t)
{
	struct sim_vcpu *v = vc(s, t);
	enum port p = (enum port)v->port;
	int arg = v->port_arg;
	bool ipi_yield = v->ipi_after_yield;

	v->gs = v->resume;
	v->ipi_after_yield = false;
	if (p == P_IPI) {
		unsigned int j, k = s->c.ipi_targets;

		for (j = 0; j < k; j++)
			sim_irq_send(s, t, ipi_target(s, t, j), k == 1);
		ipi_yield_from(s, t, 0);
	}
	else if (ipi_yield)
		ipi_yield_from(s, t, v->ipi_yield_next);
	sim_port_done(s, t, p, arg);
}

/* The lock is ours (its turn, or free for TAS/TTAS): take it. */
static bool lock_ready(struct yl_sim *s, unsigned int t)
{
	struct sim_vcpu *v = vc(s, t);

	return v->granted ||
	       (!fifo(s) && lock_of(s, t)->owner < 0 && !v->backoff_left);
}

void guest_step(struct yl_sim *s, unsigned int t)
{
	struct sim_vcpu *v = vc(s, t);

	switch (v->gs) {
	case G_THINK:
		if (!v->left)
			next_op(s, t);
		return;
	case G_CS:
		if (!v->left)
			release(s, t);
		return;
	case G_PORT:
		if (!v->port_left)
			port_done(s, t);
		return;
	case G_SPIN:
		if (lock_ready(s, t))
			enter_cs(s, t);
		else
			spin_action(s, t);
		return;
	case G_IPI_SPIN:
		if (req_outstanding(s, t, v->ipi_wait_on))
			spin_action(s, t);
		else if (v->ipi_acking)
			ipi_continue(s, t);
		else
			ipi_op(s, t);
		return;
	default:
		return;
	}
}

/* A kick or an interrupt ended its halt: it spins again. */
void guest_woken(struct yl_sim *s, unsigned int t)
{
	struct sim_vcpu *v = vc(s, t);

	v->halted_flag = false;
	v->gs = G_SPIN;
	v->spun = 0;
	v->run_t = s->now;
}
