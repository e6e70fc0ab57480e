// SPDX-License-Identifier: GPL-2.0
/*
 * yl_sim_bench: how fast the simulator runs as the host grows.  The same
 * workload at 64, 256, 1024 and 4096 vCPUs (4 vCPUs per CPU, VMs of at
 * most 256), each size run in interleaved rounds; per size the median
 * wall time and its spread, events/s, ns per event, and that cost
 * against the smallest size's next to log n's growth.  Then the issue's
 * goal: 1024 vCPUs on 256 CPUs for 10 simulated seconds.  Wall times
 * here are this machine's, shared and noisy: read the ratios.
 *
 * usage: yl_sim_bench [ROUNDS [SIM_MS]]   (3 rounds of 1000 ms by default)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "sim.h"

#define NR_SIZES	4
#define MAX_ROUNDS	15

static const unsigned int sizes[NR_SIZES] = { 64, 256, 1024, 4096 };

/* The workload: the seed's mix, lock ops and IPIs, hinting, coop forfeit. */
static struct yl_sim_config config(unsigned int n, uint64_t ms, uint64_t seed)
{
	struct yl_sim_config c;

	yl_sim_config_default(&c);
	c.nr_vms = n > 256 ? n / 256 : 1;
	c.vcpus = n / c.nr_vms;
	c.nr_cpus = n / 4;
	yl_sched_params_preset(&c.p, "6.18.0", c.nr_cpus);
	c.sched = YL_SCHED_COOP;
	c.workload = YL_WL_MIXED;
	c.pv = YL_PV_YIELD;
	c.yield_to = YL_YIELD_TO_TURN;
	c.policy = yl_policy_find("forfeit");
	c.duration_ns = ms * 1000000ull;
	c.seed = seed;
	return c;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One run: wall seconds, events in *ev; exits on a failed invariant. */
static double one(unsigned int n, uint64_t ms, uint64_t seed, uint64_t *ev)
{
	struct yl_sim_config c = config(n, ms, seed);
	char why[256];
	struct yl_sim *s = yl_sim_create(&c, why, sizeof(why));
	double t0;

	if (!s) {
		fprintf(stderr, "yl_sim_bench: %s\n", why);
		exit(2);
	}
	t0 = now_s();
	if (yl_sim_run(s)) {
		fprintf(stderr, "yl_sim_bench: invariant failed: %s\n", yl_sim_failure(s));
		exit(1);
	}
	t0 = now_s() - t0;
	*ev = yl_sim_events(s);
	yl_sim_destroy(s);
	return t0;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	unsigned int rounds = argc > 1 ? (unsigned int)atoi(argv[1]) : 3, r, k;
	uint64_t ms = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000, ev[NR_SIZES];
	double w[NR_SIZES][MAX_ROUNDS], ns0 = 0, goal[MAX_ROUNDS];

	if (!rounds || rounds > MAX_ROUNDS || !ms) {
		fprintf(stderr, "usage: yl_sim_bench [ROUNDS 1-%d [SIM_MS]]\n", MAX_ROUNDS);
		return 2;
	}
	/* interleaved: round r runs every size once, so a slow stretch hits all */
	for (r = 0; r < rounds; r++)
		for (k = 0; k < NR_SIZES; k++)
			w[k][r] = one(sizes[k], ms, 1, &ev[k]);
	printf("yl_sim_bench: coop forfeit, mixed lock+IPI workload, pv yield, 4 vCPUs per CPU,\n"
	       "%llu simulated ms, %u interleaved rounds; medians (min..max)\n\n",
	       (unsigned long long)ms, rounds);
	printf("| vCPUs | CPUs | events | wall s | events/s | ns/event | vs 64 | log n vs 64 |\n"
	       "|---:|---:|---:|---|---:|---:|---:|---:|\n");
	for (k = 0; k < NR_SIZES; k++) {
		double med, ns;

		qsort(w[k], rounds, sizeof(double), cmp_dbl);
		med = w[k][rounds / 2];
		ns = med / (double)ev[k] * 1e9;
		if (!k)
			ns0 = ns;
		printf("| %u | %u | %llu | %.3f (%.3f..%.3f) | %.1f M | %.0f | %.2f | %.2f |\n",
		       sizes[k], sizes[k] / 4, (unsigned long long)ev[k], med, w[k][0],
		       w[k][rounds - 1], (double)ev[k] / med / 1e6, ns, ns / ns0,
		       log2(sizes[k]) / log2(sizes[0]));
	}
	for (r = 0; r < rounds; r++)
		goal[r] = one(1024, 10000, 1, &ev[0]);
	qsort(goal, rounds, sizeof(double), cmp_dbl);
	printf("\n1024 vCPUs on 256 CPUs, 10 simulated s: %.2f s wall (%.2f..%.2f), %llu events,"
	       " %.1f M events/s; goal < 5 s\n", goal[rounds / 2], goal[0], goal[rounds - 1],
	       (unsigned long long)ev[0], (double)ev[0] / goal[rounds / 2] / 1e6);
	return 0;
}
