// SPDX-License-Identifier: GPL-2.0
/*
 * The spinlocks under test.  Each waiter reports, on every PAUSE, which
 * vCPU it waits for, so the paravirt backend can act on it.
 */
#include "guest.h"

/* TAS: 0 when free, else holder index + 1. */
static uint32_t tas_word __attribute__((aligned(64)));

/* Ticket: owner is the ticket being served; holder_of maps ticket -> vCPU. */
static struct {
	uint32_t next __attribute__((aligned(64)));
	uint32_t owner __attribute__((aligned(64)));
	uint16_t holder_of[YL_MAX_VCPUS];
} ticket;

static void tas_acquire(struct guest_cpu *gc)
{
	uint32_t budget = 0;

	for (;;) {
		uint32_t w = READ_ONCE(tas_word);

		if (!w && __atomic_compare_exchange_n(&tas_word, &w,
				gc->idx + 1, 0, __ATOMIC_ACQUIRE,
				__ATOMIC_RELAXED))
			return;
		pv_spin(gc, &budget, w ? w - 1 : gc->idx);
	}
}

static void tas_release(void)
{
	__atomic_store_n(&tas_word, 0, __ATOMIC_RELEASE);
}

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
	while ((owner = __atomic_load_n(&ticket.owner, __ATOMIC_ACQUIRE)) != t)
		pv_spin(gc, &budget,
			READ_ONCE(ticket.holder_of[owner % YL_MAX_VCPUS]));
}

static void ticket_release(void)
{
	uint32_t o = READ_ONCE(ticket.owner);

	__atomic_store_n(&ticket.owner, o + 1, __ATOMIC_RELEASE);
}

void lock_acquire(struct guest_cpu *gc)
{
	if (gc->bp->lock == YL_LOCK_TICKET)
		ticket_acquire(gc);
	else
		tas_acquire(gc);
}

void lock_release(struct guest_cpu *gc)
{
	if (gc->bp->lock == YL_LOCK_TICKET)
		ticket_release();
	else
		tas_release();
}
