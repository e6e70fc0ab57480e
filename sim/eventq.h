/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The simulator's one event queue: a 4-ary min-heap ordered by time, then
 * by the order events were pushed, so that events due at the same time
 * come out first-in first-out and a run is the same for the same seed.
 * Push and pop are O(log n); nothing is allocated once the queue has
 * grown to its working size.
 */
#ifndef YL_SIM_EVENTQ_H
#define YL_SIM_EVENTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct yl_ev {
	uint64_t t;		/* simulated ns */
	uint64_t seq;		/* push order: ties go first-in first-out */
	uint32_t kind;		/* the simulator's own event kinds */
	uint32_t who;		/* a CPU, a vCPU, a lock: the kind says */
	uint64_t gen;		/* lets the owner drop an event it superseded */
};

struct yl_eventq {
	struct yl_ev *h;
	size_t n, cap;
	uint64_t seq;
};

int yl_eventq_init(struct yl_eventq *q, size_t cap);
void yl_eventq_free(struct yl_eventq *q);
int yl_eventq_push(struct yl_eventq *q, uint64_t t, uint32_t kind, uint32_t who,
		   uint64_t gen);
bool yl_eventq_pop(struct yl_eventq *q, struct yl_ev *out);
const struct yl_ev *yl_eventq_peek(const struct yl_eventq *q);

#endif
