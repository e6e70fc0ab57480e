// SPDX-License-Identifier: GPL-2.0
/*
 * The spinlocks under test.  Every waiter tells the paravirt backend, on
 * every PAUSE, whom it waits for (holder, and whoever is just ahead in a
 * queue) and which word it waits on, so the backend can yield to a
 * preempted vCPU or halt until the unlocker kicks it.  Every unlocker
 * kicks the vCPU its release lets go, after changing the word that vCPU
 * halts on and calling pv_unlock_fence(), before reading whom to kick.
 */
#include "guest.h"

#define BACKOFF_MAX	1024u	/* TTAS: PAUSEs after a lost race, at most */

/* TAS and TTAS: 0 when free, else holder index + 1. */
static uint32_t tas_word __attribute__((aligned(64)));

/* Ticket: owner is the ticket being served; holder_of maps ticket -> vCPU. */
static struct {
	uint32_t next __attribute__((aligned(64)));
	uint32_t owner __attribute__((aligned(64)));
	uint16_t holder_of[YL_MAX_VCPUS];
} ticket;

/* MCS queue nodes, one per vCPU (no nesting: one lock, no interrupts). */
struct mcs_node {
	struct mcs_node *next;
	uint32_t locked;
} __attribute__((aligned(64)));

static struct mcs_node nodes[YL_MAX_VCPUS];
static struct mcs_node *mcs_tail __attribute__((aligned(64)));

/* The holder of the MCS lock and of the qspinlock, for the yield target. */
static uint32_t queue_owner __attribute__((aligned(64)));

static uint32_t node_idx(const struct mcs_node *n)
{
	return n ? (uint32_t)(n - nodes) : NO_VCPU;
}

/* ------------------------------------------------------------- TAS/TTAS */

static void tas_wait(struct guest_cpu *gc, uint32_t *budget, uint32_t w)
{
	struct pv_wait pw = { w ? w - 1 : NO_VCPU, NO_VCPU, &tas_word, w };

	pv_spin(gc, budget, &pw);
}

static int tas_try(struct guest_cpu *gc)
{
	uint32_t free = 0;

	return __atomic_compare_exchange_n(&tas_word, &free, gc->idx + 1, 0,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static void tas_acquire(struct guest_cpu *gc)
{
	uint32_t budget = 0;

	while (!tas_try(gc))
		tas_wait(gc, &budget, READ_ONCE(tas_word));
}

/* Read until free, then one atomic; a lost race backs off, doubling. */
static void ttas_acquire(struct guest_cpu *gc)
{
	uint32_t budget = 0, backoff = 1, w, i;

	for (;;) {
		while ((w = READ_ONCE(tas_word)))
			tas_wait(gc, &budget, w);
		if (tas_try(gc))
			return;
		for (i = 0; i < backoff; i++)
			tas_wait(gc, &budget, READ_ONCE(tas_word));
		if (backoff < BACKOFF_MAX)
			backoff *= 2;
	}
}

/* No queue: whoever halted may take it, so kick one of them. */
static void tas_release(struct guest_cpu *gc)
{
	__atomic_store_n(&tas_word, 0, __ATOMIC_RELEASE);
	pv_unlock_fence(gc);
	pv_kick_any(gc);
}

/* --------------------------------------------------------------- ticket */

static void ticket_acquire(struct guest_cpu *gc)
{
	uint32_t t = __atomic_fetch_add(&ticket.next, 1, __ATOMIC_ACQUIRE);
	uint32_t budget = 0;
	uint32_t owner;

	/*
	 * At most nr_vcpus tickets are outstanding and the ring has
	 * YL_MAX_VCPUS slots, so a slot is not reused while its ticket waits.
	 */
	WRITE_ONCE(ticket.holder_of[t % YL_MAX_VCPUS], (uint16_t)gc->idx);
	while ((owner = __atomic_load_n(&ticket.owner, __ATOMIC_ACQUIRE)) != t) {
		struct pv_wait pw = {
			READ_ONCE(ticket.holder_of[owner % YL_MAX_VCPUS]),
			READ_ONCE(ticket.holder_of[(t - 1) % YL_MAX_VCPUS]),
			&ticket.owner, owner,
		};

		pv_spin(gc, &budget, &pw);
	}
}

/* The old pv ticketlock's __ticket_unlock_kick(): wake the next ticket. */
static void ticket_release(struct guest_cpu *gc)
{
	uint32_t o = READ_ONCE(ticket.owner) + 1;

	__atomic_store_n(&ticket.owner, o, __ATOMIC_RELEASE);
	pv_unlock_fence(gc);
	if (READ_ONCE(ticket.next) != o)
		pv_kick(gc, READ_ONCE(ticket.holder_of[o % YL_MAX_VCPUS]));
}

/* ------------------------------------------------------------------ MCS */

static void mcs_acquire(struct guest_cpu *gc)
{
	struct mcs_node *me = &nodes[gc->idx], *prev;
	uint32_t budget = 0;

	WRITE_ONCE(me->next, NULL);
	WRITE_ONCE(me->locked, 0);
	prev = __atomic_exchange_n(&mcs_tail, me, __ATOMIC_ACQ_REL);
	if (prev) {
		WRITE_ONCE(prev->next, me);
		while (!__atomic_load_n(&me->locked, __ATOMIC_ACQUIRE)) {
			struct pv_wait pw = { READ_ONCE(queue_owner),
					      node_idx(prev), &me->locked, 0 };

			pv_spin(gc, &budget, &pw);
		}
	}
	WRITE_ONCE(queue_owner, gc->idx);
}

static void mcs_release(struct guest_cpu *gc)
{
	struct mcs_node *me = &nodes[gc->idx], *next, *expect = me;
	uint32_t budget = 0;

	next = READ_ONCE(me->next);
	if (!next) {
		if (__atomic_compare_exchange_n(&mcs_tail, &expect, NULL, 0,
						__ATOMIC_RELEASE,
						__ATOMIC_RELAXED))
			return;
		/* A successor swapped the tail but has not linked yet. */
		while (!(next = READ_ONCE(me->next))) {
			struct pv_wait pw = { node_idx(READ_ONCE(mcs_tail)),
					      NO_VCPU, NULL, 0 };

			pv_spin(gc, &budget, &pw);
		}
	}
	__atomic_store_n(&next->locked, 1, __ATOMIC_RELEASE);
	pv_unlock_fence(gc);
	pv_kick(gc, node_idx(next));
}

/* ------------------------------------------------------------ qspinlock */

/*
 * kernel/locking/qspinlock.c, one lock level (no nesting, so the tail is
 * just the vCPU + 1): bits 0-7 locked byte, bit 8 pending, 16-31 tail.
 */
#define Q_LOCKED	1u
#define Q_PENDING	(1u << 8)
#define Q_LOCKED_PENDING (Q_LOCKED | Q_PENDING)
#define Q_TAIL_SHIFT	16
#define Q_TAIL_MASK	(0xffffu << Q_TAIL_SHIFT)

static union {
	uint32_t val;
	struct {
		uint8_t locked;
		uint8_t pending;
		uint16_t tail;
	};
	struct {
		uint16_t locked_pending;
		uint16_t tail_half;
	};
} qlock __attribute__((aligned(64)));

/* The queue head that waits on the lock word; 0 or vCPU + 1. */
static uint32_t qhead __attribute__((aligned(64)));

static void q_spin(struct guest_cpu *gc, uint32_t *budget, uint32_t ahead,
		   const volatile uint32_t *ptr, uint32_t val)
{
	struct pv_wait pw = { READ_ONCE(queue_owner), ahead, ptr, val };

	pv_spin(gc, budget, &pw);
}

/*
 * The pending path: the first waiter spins on the locked byte without
 * queueing.  Returns 0 if it has to queue instead.  Under pv halt it is
 * skipped, as pv_enabled() skips it in queued_spin_lock_slowpath().
 */
static int q_pending(struct guest_cpu *gc, uint32_t val)
{
	uint32_t budget = 0;

	if (val == Q_PENDING) {
		int n = 512;	/* a pending -> locked hand-over in progress */

		while ((val = READ_ONCE(qlock.val)) == Q_PENDING && --n)
			cpu_relax();
	}
	if (val & ~(uint32_t)Q_LOCKED)
		return 0;
	val = __atomic_fetch_or(&qlock.val, Q_PENDING, __ATOMIC_ACQUIRE);
	if (val & ~(uint32_t)Q_LOCKED) {
		if (!(val & Q_PENDING))
			__atomic_fetch_and(&qlock.val, ~Q_PENDING, __ATOMIC_RELAXED);
		return 0;
	}
	while (__atomic_load_n(&qlock.locked, __ATOMIC_ACQUIRE))
		q_spin(gc, &budget, NO_VCPU, NULL, 0);
	/* clear_pending_set_locked() */
	__atomic_store_n(&qlock.locked_pending, Q_LOCKED, __ATOMIC_RELAXED);
	return 1;
}

/* Head of the queue: wait for locked and pending to clear. */
static uint32_t q_wait_head(struct guest_cpu *gc)
{
	uint32_t budget = 0, val;

	WRITE_ONCE(qhead, gc->idx + 1);
	while ((val = __atomic_load_n(&qlock.val, __ATOMIC_ACQUIRE)) &
	       Q_LOCKED_PENDING)
		q_spin(gc, &budget, NO_VCPU, &qlock.val, val);
	WRITE_ONCE(qhead, 0);
	return val;
}

static void q_queue(struct guest_cpu *gc)
{
	struct mcs_node *me = &nodes[gc->idx], *next;
	uint32_t tail = (gc->idx + 1) << Q_TAIL_SHIFT, old, val, budget = 0;

	WRITE_ONCE(me->next, NULL);
	WRITE_ONCE(me->locked, 0);
	/* xchg_tail() */
	old = (uint32_t)__atomic_exchange_n(&qlock.tail_half,
					    (uint16_t)(tail >> Q_TAIL_SHIFT),
					    __ATOMIC_ACQ_REL) << Q_TAIL_SHIFT;
	if (old) {
		struct mcs_node *prev = &nodes[(old >> Q_TAIL_SHIFT) - 1];

		WRITE_ONCE(prev->next, me);
		while (!__atomic_load_n(&me->locked, __ATOMIC_ACQUIRE))
			q_spin(gc, &budget, node_idx(prev), &me->locked, 0);
	}
	val = q_wait_head(gc);
	/* Last in the queue: take the lock and empty the tail at once. */
	if ((val & Q_TAIL_MASK) == tail &&
	    __atomic_compare_exchange_n(&qlock.val, &val, Q_LOCKED, 0,
					__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return;
	/* set_locked(): only the tail changes under us now. */
	__atomic_store_n(&qlock.locked, Q_LOCKED, __ATOMIC_RELAXED);
	while (!(next = READ_ONCE(me->next)))
		q_spin(gc, &budget, NO_VCPU, NULL, 0);
	__atomic_store_n(&next->locked, 1, __ATOMIC_RELEASE);
	pv_unlock_fence(gc);
	pv_kick(gc, node_idx(next));
}

static void qspin_acquire(struct guest_cpu *gc)
{
	uint32_t val = 0;

	if (!__atomic_compare_exchange_n(&qlock.val, &val, Q_LOCKED, 0,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED) &&
	    (gc->bp->pv == YL_PV_HALT || !q_pending(gc, val)))
		q_queue(gc);
	WRITE_ONCE(queue_owner, gc->idx);
}

/* The queue head may have halted on the lock word: kick it. */
static void qspin_release(struct guest_cpu *gc)
{
	uint32_t h;

	__atomic_store_n(&qlock.locked, 0, __ATOMIC_RELEASE);
	pv_unlock_fence(gc);
	h = READ_ONCE(qhead);
	if (h)
		pv_kick(gc, h - 1);
}

/* ------------------------------------------------------------ dispatch */

void lock_acquire(struct guest_cpu *gc)
{
	switch (gc->bp->lock) {
	case YL_LOCK_TICKET:
		ticket_acquire(gc);
		break;
	case YL_LOCK_TTAS:
		ttas_acquire(gc);
		break;
	case YL_LOCK_MCS:
		mcs_acquire(gc);
		break;
	case YL_LOCK_QSPIN:
		qspin_acquire(gc);
		break;
	default:
		tas_acquire(gc);
	}
}

void lock_release(struct guest_cpu *gc)
{
	switch (gc->bp->lock) {
	case YL_LOCK_TICKET:
		ticket_release(gc);
		break;
	case YL_LOCK_MCS:
		mcs_release(gc);
		break;
	case YL_LOCK_QSPIN:
		qspin_release(gc);
		break;
	default:
		tas_release(gc);
	}
}
