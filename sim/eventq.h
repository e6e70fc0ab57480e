/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The simulator's one event queue: a 4-ary min-heap ordered by time, then
 * by the order events were queued, so that events due at the same time
 * come out first-in first-out and a run is the same for the same seed.
 *
 * An event may carry a key (below nkeys) instead: there is at most one
 * event per key, and setting it again replaces it, so a CPU's next step
 * is one entry that is updated, never a pile of superseded ones.  Keyed
 * events sit in a winner tree over the keys (a set is one walk from leaf
 * to root, log2(nkeys) compares and no moves), the others in the heap;
 * a pop takes the earlier of the two.  Keyed events due at the same time
 * come out lowest key first, and before an unkeyed one queued later.  Everything is O(log n); nothing
 * is allocated once the heap has grown to its working size.
 */
#ifndef YL_SIM_EVENTQ_H
#define YL_SIM_EVENTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define YL_EV_NO_KEY	UINT32_MAX

struct yl_ev {
	uint64_t t;		/* simulated ns */
	uint64_t seq;		/* queue order: ties go first-in first-out */
	uint32_t kind;		/* the simulator's own event kinds */
	uint32_t who;		/* a CPU, a vCPU, a lock: the kind says */
	uint32_t key;		/* YL_EV_NO_KEY, or its key */
};

struct yl_eventq {
	struct yl_ev *h;	/* the heap of unkeyed events */
	size_t n, cap;
	uint64_t seq;
	uint32_t nkeys, size;	/* keys; leaves, a power of two >= nkeys */
	struct yl_ev *leaf;	/* [size]: each key's event, t = UINT64_MAX none */
	/*
	 * The tree: [j] for node j (root 1), [size + k] for leaf k; a
	 * node's t is its earliest leaf's, whose index is win[j].
	 */
	uint64_t *key;
	uint32_t *win;
	uint32_t dirty;		/* a key popped, its walk not yet made */
};

int yl_eventq_init(struct yl_eventq *q, size_t cap, uint32_t nkeys);
void yl_eventq_free(struct yl_eventq *q);
int yl_eventq_push(struct yl_eventq *q, uint64_t t, uint32_t kind, uint32_t who);
/* The event of @key is due at @t (queued anew, as a push is). */
int yl_eventq_set(struct yl_eventq *q, uint32_t key, uint64_t t, uint32_t kind,
		  uint32_t who);
void yl_eventq_cancel(struct yl_eventq *q, uint32_t key);
bool yl_eventq_pop(struct yl_eventq *q, struct yl_ev *out);
const struct yl_ev *yl_eventq_peek(struct yl_eventq *q);

#endif
