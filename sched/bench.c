// SPDX-License-Identifier: GPL-2.0
/*
 * yl_sched_bench: the scheduler's hot path, pick + set_next_entity (tree
 * dequeue) + update_curr + put_prev_entity (tree enqueue), on one queue of
 * 8, 64 and 1024 entities, with the tick (entity_tick()) a 250 Hz kernel
 * would take in that simulated time.  Prints operations per second and
 * how the cost grows against log2(n).  A benchmark, not a test: goal
 * >= 10 M/s at 64.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "eevdf.h"

#define TICK_NS		4000000ull	/* HZ=250 */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static double run(unsigned int n, uint64_t iters)
{
	static const uint64_t weights[] = { 1024, 1024, 820, 1277, 335, 3121 };
	struct yl_sched_params p;
	struct yl_se *se = calloc(n, sizeof(*se));
	struct yl_rq rq;
	bool resched = false;
	uint64_t clock = 0, tick = TICK_NS, i, t0;
	unsigned int k;

	yl_sched_params_preset(&p, "6.18", 8);
	yl_rq_init(&rq, &p, &resched);
	for (k = 0; k < n; k++) {
		yl_se_init(&se[k], weights[k % 6], (int)k);
		yl_enqueue_entity(&rq, &se[k], YL_ENQ_INITIAL, clock);
	}
	t0 = now_ns();
	for (i = 0; i < iters; i++) {
		struct yl_se *s = yl_pick_eevdf(&rq, true);

		yl_set_next_entity(&rq, s, clock);
		clock += 100000 + (i % 7) * 50000;	/* 100-400 us runs */
		if (clock >= tick) {
			yl_entity_tick(&rq, tick);
			tick += TICK_NS;
		}
		yl_update_curr(&rq, clock);
		yl_put_prev_entity(&rq, s, clock);
	}
	t0 = now_ns() - t0;
	free(se);
	return (double)t0 / (double)iters;
}

int main(int argc, char **argv)
{
	static const unsigned int sizes[] = { 8, 64, 1024 };
	uint64_t iters = argc > 1 ? strtoull(argv[1], NULL, 10) : 2000000;
	double ns[3];
	int k;

	printf("sched bench: pick + set_next + update_curr + put_prev on one EEVDF queue, 250 Hz tick\n");
	for (k = 0; k < 3; k++) {
		ns[k] = run(sizes[k], iters);
		printf("  %5u entities  %7.1f ns/op  %6.2f M ops/s%s\n", sizes[k],
		       ns[k], 1e3 / ns[k],
		       sizes[k] == 64 ? (1e3 / ns[k] >= 10 ? "  (goal >= 10: met)" :
					 "  (goal >= 10: NOT met)") : "");
	}
	printf("  cost 1024/8 = %.2f, log2 ratio 10/3 = %.2f, linear ratio = 128\n",
	       ns[2] / ns[0], 10.0 / 3.0);
	return 0;
}
