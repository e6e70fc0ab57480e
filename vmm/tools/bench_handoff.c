// SPDX-License-Identifier: GPL-2.0
/*
 * `yieldlab bench handoff`: what a coop hand-off costs, from the spin
 * hint's exit to the target vCPU's next KVM_RUN, against the floor any
 * user-space scheduler pays: a futex ping-pong between two plain threads
 * on the same CPU, measured in the same process before and after the
 * coop run.  Prints the ratio of medians, with the spread; goal <= 2.
 */
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yieldlab/abi.h>
#include "out/json.h"
#include "lib/outfile.h"
#include "sched/policy.h"
#include "vmm/run/run.h"
#include "out/warn.h"

#define PINGPONG_ROUNDS	3
#define PINGPONG_ITERS	20000

struct pingpong {
	uint32_t word;		/* 1: the ponger's turn, 0: the pinger's */
	cpu_set_t cpu;
};

static void *ponger(void *arg)
{
	struct pingpong *p = arg;
	int i;

	pthread_setaffinity_np(pthread_self(), sizeof(p->cpu), &p->cpu);
	for (i = 0; i < PINGPONG_ITERS; i++) {
		yl_turn_wait(&p->word, 0);
		yl_turn_set(&p->word, 0);
	}
	return NULL;
}

/* ns per hand-off: each round trip is two, one each way. */
static double pingpong(const cpu_set_t *cpu)
{
	struct pingpong p = { .word = 0, .cpu = *cpu };
	pthread_t t;
	uint64_t t0;
	int i;

	pthread_setaffinity_np(pthread_self(), sizeof(*cpu), cpu);
	if (pthread_create(&t, NULL, ponger, &p))
		return -1;
	t0 = yl_now_ns();
	for (i = 0; i < PINGPONG_ITERS; i++) {
		yl_turn_set(&p.word, 1);
		yl_turn_wait(&p.word, 1);
	}
	t0 = yl_now_ns() - t0;
	pthread_join(t, NULL);
	return (double)t0 / (2.0 * PINGPONG_ITERS);
}

/*
 * The pinger is this (main) thread: its affinity is put back afterwards,
 * or it would share the measured pCPU with the vCPU threads in the run.
 */
static double pingpong_median(const cpu_set_t *cpu)
{
	double r[PINGPONG_ROUNDS];
	cpu_set_t mine;
	bool restore;
	int k;

	restore = !pthread_getaffinity_np(pthread_self(), sizeof(mine), &mine);
	for (k = 0; k < PINGPONG_ROUNDS; k++)
		r[k] = pingpong(cpu);
	if (restore)
		pthread_setaffinity_np(pthread_self(), sizeof(mine), &mine);
	qsort(r, PINGPONG_ROUNDS, sizeof(*r), yl_cmp_dbl);
	return r[PINGPONG_ROUNDS / 2];
}

/*
 * The same ping-pong, but each thread computes for gap_ns after it gets
 * its turn, as a vCPU runs its guest between two hand-offs, and the
 * latency is taken as coop's wake phase is: from just before the wake
 * call to the woken thread running.  On a VM host the idle ping-pong's
 * latency doubles after a millisecond of other work (the L0 host's and
 * the CPU's state go cold); this is the floor at coop's own pace.
 */
#define BUSY_BUDGET_NS	600000000ull
#define BUSY_MIN_ITERS	20
#define BUSY_MAX_ITERS	2000

struct busy {
	uint32_t word;		/* 1: the ponger's turn, 0: the pinger's */
	int iters;
	uint64_t gap_ns, woken_ns, lat_sum, lat_n;
	cpu_set_t cpu;
};

static void busy_work(const struct busy *b)
{
	uint64_t end = yl_now_ns() + b->gap_ns;

	while (yl_now_ns() < end)
		;
}

/* Hand the turn over (val): the wake call is timed as coop's is. */
static void busy_pass(struct busy *b, uint32_t val)
{
	__atomic_store_n(&b->woken_ns, yl_now_ns(), __ATOMIC_RELAXED);
	yl_turn_set(&b->word, val);
}

static void busy_arrive(struct busy *b, uint32_t val)
{
	yl_turn_wait(&b->word, val);
	b->lat_sum += yl_now_ns() - __atomic_load_n(&b->woken_ns, __ATOMIC_RELAXED);
	b->lat_n++;
}

static void *busy_ponger(void *arg)
{
	struct busy *b = arg;
	int i;

	pthread_setaffinity_np(pthread_self(), sizeof(b->cpu), &b->cpu);
	for (i = 0; i < b->iters; i++) {
		busy_arrive(b, 0);
		busy_work(b);
		busy_pass(b, 0);
	}
	return NULL;
}

/* Mean ns from the wake call to the woken thread running, or -1. */
static double busy_pingpong(const cpu_set_t *cpu, uint64_t gap_ns)
{
	struct busy b = { .gap_ns = gap_ns, .cpu = *cpu };
	uint64_t iters = BUSY_BUDGET_NS / (gap_ns ? gap_ns : 1);
	cpu_set_t mine;
	bool restore;
	pthread_t t;
	int i;

	b.iters = (int)(iters < BUSY_MIN_ITERS ? BUSY_MIN_ITERS :
			iters > BUSY_MAX_ITERS ? BUSY_MAX_ITERS : iters);
	restore = !pthread_getaffinity_np(pthread_self(), sizeof(mine), &mine);
	pthread_setaffinity_np(pthread_self(), sizeof(*cpu), cpu);
	if (!pthread_create(&t, NULL, busy_ponger, &b)) {
		for (i = 0; i < b.iters; i++) {
			busy_work(&b);
			busy_pass(&b, 1);
			busy_arrive(&b, 1);
		}
		pthread_join(t, NULL);
	}
	if (restore)
		pthread_setaffinity_np(pthread_self(), sizeof(mine), &mine);
	return b.lat_n ? (double)b.lat_sum / (double)b.lat_n : -1;
}

/* Two vCPUs on one pCPU, a ticket lock, hints that hand off at once. */
static void coop_config(struct yl_config *cfg)
{
	cpu_set_t from;
	int cpu = 0;

	/* the first CPU of --pcpus, else of our affinity, as `run` does */
	if (yl_given(cfg, YL_O_PCPUS))
		from = cfg->pcpus;
	else if (sched_getaffinity(0, sizeof(from), &from))
		CPU_SET(0, &from);
	while (cpu < CPU_SETSIZE - 1 && !CPU_ISSET(cpu, &from))
		cpu++;
	CPU_ZERO(&cfg->pcpus);
	CPU_SET(cpu, &cfg->pcpus);
	yl_set_given(cfg, YL_O_PCPUS);
	cfg->sched = YL_SCHED_COOP;
	cfg->policy = yl_policy_find("handoff");
	cfg->target = YL_TARGET_HINT;
	cfg->nr_vcpus = 2;
	cfg->workload = YL_WL_LOCK;
	cfg->lock = YL_LOCK_TICKET;
	cfg->pv = YL_PV_YIELD;
	cfg->spin_threshold = 64;
	cfg->quiet = true;
	/* perf's per-thread counters would be switched on every hand-off */
	cfg->exit_tp = false;
}

/* Where coop's time goes, against the futex floor the wake phase pays. */
static void print_phases(const struct yl_handoff_out *h)
{
	static const char *const what[] = {
		"decide: hint exit to the pick",
		"switch: pick to its thread taking it",
		"enter: taken to KVM_RUN",
	};
	unsigned int k;

	if (!h->phase_n)
		return;
	for (k = 0; k < ARRAY_SIZE(what); k++)
		printf("    %-38s %10.1f ns (mean of %llu)\n", what[k],
		       (double)h->phase_sum_ns[k] / (double)h->phase_n,
		       (unsigned long long)h->phase_n);
}

/*
 * The busy ping-pong at coop's pace: each thread works for the mean time
 * between two of the run's hand-offs.  Compared with coop's whole
 * hand-off and with its wake phase, which is the part the host does.
 */
static void print_busy(const struct yl_config *cfg, const struct yl_handoff_out *h,
		       double ours)
{
	uint64_t gap = cfg->duration_ms * 1000000ull / h->n;
	double busy;

	if (!h->phase_n)
		return;
	busy = busy_pingpong(&cfg->pcpus, gap);
	if (busy <= 0)
		return;
	printf("  futex ping-pong, %6.1f us of work between hand-offs: wake %.1f ns\n",
	       (double)gap / 1000.0, busy);
	printf("  ratio coop/busy ping-pong    %10.2f (wake phase alone %.2f)\n",
	       ours / busy, (double)h->phase_sum_ns[1] / (double)h->phase_n / busy);
}

/*
 * The goal for coop's median hand-off over the futex floor: a hand-off
 * that never leaves the thread should beat a thread switch, 0.5x; under
 * QEMU's TCG (the emulated host: CPUID's hypervisor leaf says
 * "TCGTCGTCGTCG"), where each exit is a nested #VMEXIT emulated in
 * software, 2x.
 */
#define HANDOFF_GOAL		0.5
#define HANDOFF_GOAL_TCG	2.0

static void cpuid(unsigned int leaf, unsigned int *a, unsigned int *b,
		  unsigned int *c, unsigned int *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			 : "a"(leaf), "c"(0));
}

static bool under_tcg(void)
{
	unsigned int a, b, c, d;
	char v[13];

	cpuid(1, &a, &b, &c, &d);
	if (!(c & (1u << 31)))		/* no hypervisor */
		return false;
	cpuid(0x40000000, &a, &b, &c, &d);
	memcpy(v, &b, 4);
	memcpy(v + 4, &c, 4);
	memcpy(v + 8, &d, 4);
	v[12] = 0;
	return !strcmp(v, "TCGTCGTCGTCG");
}

static double handoff_goal(void)
{
	return under_tcg() ? HANDOFF_GOAL_TCG : HANDOFF_GOAL;
}

/* The futex floor: the ping-pong's medians before and after the run. */
static double floor_ns(double before, double after)
{
	return (before + after) / 2;
}

/* Median hand-off, its spread, and the floor it is compared with. */
static void report(const struct yl_config *cfg, const struct yl_handoff_out *h,
		   double before, double after, const struct yl_warnings *w)
{
	double floor = floor_ns(before, after), p50 = (double)h->p50_ns;

	printf("bench handoff: 2 vCPUs on one pCPU, ticket lock, --policy handoff, %llu ms\n",
	       (unsigned long long)cfg->duration_ms);
	printf("  futex ping-pong, 2 threads   %10.1f ns/hand-off (before %.1f, after %.1f)\n",
	       floor, before, after);
	printf("  coop hint exit -> KVM_RUN    %10.1f ns/hand-off (median of the last %llu of %llu; p10 %llu, p90 %llu)\n",
	       p50, (unsigned long long)(h->n < YL_HANDOFF_SAMPLES ? h->n : YL_HANDOFF_SAMPLES),
	       (unsigned long long)h->n, (unsigned long long)h->p10_ns,
	       (unsigned long long)h->p90_ns);
	print_phases(h);
	printf("  ratio coop/futex             %10.2f (medians; goal <= %g%s)\n", p50 / floor,
	       handoff_goal(), under_tcg() ? ", under QEMU TCG" : "");
	print_busy(cfg, h, p50);
	yl_warnings_print(w, "", stdout);
}

static void json_report(FILE *f, const struct yl_config *cfg,
			const struct yl_handoff_out *h, double before,
			double after, const struct yl_warnings *w)
{
	double floor = floor_ns(before, after);
	struct yj j;

	yj_init(&j, f);
	yj_obj(&j, NULL);
	yj_header(&j, "bench handoff");
	yj_u64(&j, "duration_ms", cfg->duration_ms);
	yj_obj(&j, "futex_pingpong");
	yj_dbl(&j, "before_ns", before);
	yj_dbl(&j, "after_ns", after);
	yj_dbl(&j, "floor_ns", floor);
	yj_obj_end(&j);
	yj_obj(&j, "coop");
	yj_u64(&j, "handoffs", h->n);
	yj_u64(&j, "p10_ns", h->p10_ns);
	yj_u64(&j, "p50_ns", h->p50_ns);
	yj_u64(&j, "p90_ns", h->p90_ns);
	yj_dbl(&j, "mean_ns", (double)h->sum_ns / (double)h->n);
	yj_obj_end(&j);
	yj_dbl(&j, "ratio", (double)h->p50_ns / floor);
	yj_dbl(&j, "goal", handoff_goal());
	yl_warnings_json(w, &j);
	yj_obj_end(&j);
}

/*
 * The user's config stays as parsed (config.h: read, never written); the
 * coop run it measures gets a copy set up by coop_config().
 */
int yl_cmd_bench_handoff(const struct yl_config *user)
{
	struct yl_config *cfg = malloc(sizeof(*cfg));
	struct yl_run_result res = { 0 };
	struct yl_outfile json = { 0 };
	struct yl_warnings w = { 0 };
	double before, after;
	int code;

	if (!cfg) {
		fprintf(stderr, "yieldlab: out of memory\n");
		return YL_EXIT_HOST;
	}
	*cfg = *user;
	code = yl_json_open(&json, cfg->json_path);
	if (code) {
		free(cfg);
		return code;
	}
	cfg->json_path = NULL;		/* ours, not the coop run's */
	coop_config(cfg);
	before = pingpong_median(&cfg->pcpus);
	code = yl_run(cfg, &res);
	after = pingpong_median(&cfg->pcpus);
	if (!code && !res.handoff.n) {
		fprintf(stderr, "yieldlab: bench handoff: the run made no hand-off\n");
		code = YL_EXIT_CHECK;
	}
	if (code)
		goto out;
	/* a floor that moved by half during the run is no floor */
	yl_warn_spread(&w, "bench handoff: the futex floor before and after the run",
		       before < after ? before : after, floor_ns(before, after),
		       before < after ? after : before, 0.5);
	report(cfg, &res.handoff, before, after, &w);
	if (json.f)
		json_report(json.f, cfg, &res.handoff, before, after, &w);
	code = yl_json_commit(&json, code);
out:
	yl_outfile_abort(&json);
	free(cfg);
	return code;
}
