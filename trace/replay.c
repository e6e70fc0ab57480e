// SPDX-License-Identifier: GPL-2.0
/*
 * replay: schedload's threads (spec.h) on one CPU of sched/, with a
 * preset's tick, so that what the model decides can be set beside what
 * the real kernel decided for the same threads (trace/distance.py).  It
 * depends on sched/ alone.
 *
 *   yl_replay [-p PRESET | -r RELEASE] [-n NCPUS] [-d MS] [-w MS] THREAD...
 *
 * -r takes a kernel release (uname -r) and picks its preset, as --preset
 * host does.
 *
 * Each thread uses its CPU time as schedload's does: busy never stops,
 * sleep blocks for SLEEP_US after every RUN_US of CPU time, yield calls
 * yield_task_fair() after every RUN_US.  A wake-up that EEVDF would pick
 * preempts at once (check_preempt_wakeup_fair()); otherwise decisions
 * wait for the 250 Hz tick (task_tick_fair()), as without HRTICK.  Prints
 * JSON: per thread its CPU time inside [warm, warm + dur] and the lengths
 * of its runs (time on the CPU between switches) that lie inside it.
 *
 * schedload's threads read their own CPU clock all the time, a system
 * call that runs update_curr() (task_sched_runtime()), so a thread whose
 * request runs out is rescheduled then (within a read, 1.4 µs in the
 * emulated host), not at the next tick; the replay does it at the
 * request's end.  Modelling that read's lateness made it worse (a busy
 * thread overrunning each request drifts against a yielder; the kernel's
 * traces show no such drift).  -n gives the traced machine's CPU count,
 * which scales the base slice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sched/sched.h"
#include "spec.h"

/* sched_prio_to_weight[] (kernel/sched/core.c), nice -20..19 */
static const uint64_t prio_to_weight[40] = {
	88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916,
	9548, 7620, 6100, 4904, 3906, 3121, 2501, 1991, 1586, 1277,
	1024, 820, 655, 526, 423, 335, 272, 215, 172, 137,
	110, 87, 70, 56, 45, 36, 29, 23, 18, 15,
};

struct thr {
	struct yl_spec spec;
	int64_t left;		/* CPU time to use before the next action */
	uint64_t wake_at;
	bool asleep;
	uint64_t cpu_ns, run_start;
	uint64_t *runs;
	unsigned int nr_runs, cap;
};

struct replay {
	struct yl_sched *s;
	struct thr *t;
	unsigned int n;
	uint64_t w0, w1;	/* the measured window */
	int cur;
};

static uint64_t overlap(uint64_t a, uint64_t b, uint64_t w0, uint64_t w1)
{
	a = a > w0 ? a : w0;
	b = b < w1 ? b : w1;
	return b > a ? b - a : 0;
}

static void end_run(struct replay *r, int i, uint64_t now)
{
	struct thr *t;

	if (i < 0)
		return;
	t = &r->t[i];
	if (t->run_start < r->w0 || now > r->w1)
		return;
	if (t->nr_runs == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 256;
		t->runs = realloc(t->runs, t->cap * sizeof(*t->runs));
		if (!t->runs)
			exit(1);
	}
	t->runs[t->nr_runs++] = now - t->run_start;
}

static void schedule(struct replay *r, uint64_t now)
{
	int next = yl_sched_pick(r->s, 0, now);

	if (next == r->cur)
		return;
	end_run(r, r->cur, now);
	if (next >= 0)
		r->t[next].run_start = now;
	r->cur = next;
}

/*
 * Wall time until the current thread's request is used up: the virtual
 * time left, rounded up.  A fixed-point calc_delta_fair() can leave it a
 * few ns short; the next event then comes that much later.  (Not a ns
 * more: a busy thread 1 ns past its deadline loses every tie with a
 * yielder that forfeited to the same vruntime.)
 */
static uint64_t request_left(const struct replay *r)
{
	const struct yl_se *se = &r->s->tasks[r->cur].se;
	int64_t v = (int64_t)(se->deadline - se->vruntime);

	if (v <= 0)
		return 1;
	return ((uint64_t)v * se->weight + YL_NICE_0_LOAD - 1) / YL_NICE_0_LOAD;
}

/* The earliest thing that happens after @now: the tick, a wake-up, the
 * current thread using up its RUN_US or its request. */
static uint64_t next_event(const struct replay *r, uint64_t now, uint64_t tick)
{
	const struct thr *c = r->cur >= 0 ? &r->t[r->cur] : NULL;
	uint64_t next = tick;
	unsigned int i;

	if (c && c->spec.kind != YL_SPEC_BUSY && now + (uint64_t)c->left < next)
		next = now + (uint64_t)c->left;
	if (c && r->s->nr_tasks > 1 && now + request_left(r) < next)
		next = now + request_left(r);
	for (i = 0; i < r->n; i++)
		if (r->t[i].asleep && r->t[i].wake_at < next)
			next = r->t[i].wake_at;
	return next;
}

/* The current thread has used its RUN_US: it sleeps or yields. */
static void act(struct replay *r, uint64_t now)
{
	struct thr *t = &r->t[r->cur];

	t->left = t->spec.run_us * 1000;
	if (t->spec.kind == YL_SPEC_SLEEP) {
		yl_sched_block(r->s, (unsigned int)r->cur, now);
		t->asleep = true;
		t->wake_at = now + (uint64_t)t->spec.sleep_us * 1000;
	} else {
		yl_sched_yield_task(r->s, (unsigned int)r->cur, now);
	}
}

static void run(struct replay *r, uint64_t end, uint64_t tick_ns)
{
	uint64_t now = 0, tick = tick_ns;
	unsigned int i;

	/*
	 * As schedload starts them: created, then asleep on a barrier that
	 * main() opens for all at once, which wakes them in the order they
	 * queued (futex FIFO): each joins at lag 0 with a whole request.
	 */
	yl_sched_start(r->s, 0);
	for (i = 0; i < r->n; i++)
		yl_sched_block(r->s, i, 0);
	for (i = 0; i < r->n; i++)
		yl_sched_wake(r->s, i, 0);
	schedule(r, 0);
	while (now < end) {
		uint64_t next = next_event(r, now, tick);

		if (next > end)
			next = end;
		if (r->cur >= 0) {
			r->t[r->cur].left -= (int64_t)(next - now);
			r->t[r->cur].cpu_ns += overlap(now, next, r->w0, r->w1);
		}
		now = next;
		for (i = 0; i < r->n; i++)
			if (r->t[i].asleep && r->t[i].wake_at <= now) {
				r->t[i].asleep = false;
				yl_sched_wake(r->s, i, now);
			}
		if (now == tick) {
			tick += tick_ns;
			yl_sched_tick(r->s, 0, now);
		}
		if (r->cur >= 0)
			yl_sched_update_curr(r->s, 0, now);	/* its clock read */
		if (r->cur >= 0 && r->t[r->cur].spec.kind != YL_SPEC_BUSY &&
		    r->t[r->cur].left <= 0)
			act(r, now);
		if (r->s->cpus[0].need_resched)
			schedule(r, now);
	}
	end_run(r, r->cur, now);
}

static void print_json(const struct replay *r, const char *preset)
{
	unsigned int i, k;

	printf("{\"preset\": \"%s\", \"threads\": [", preset);
	for (i = 0; i < r->n; i++) {
		const struct thr *t = &r->t[i];

		printf("%s\n  {\"name\": \"ylt%u\", \"cpu_ns\": %llu, \"runs_ns\": [", i ? "," : "",
		       i, (unsigned long long)t->cpu_ns);
		for (k = 0; k < t->nr_runs; k++)
			printf("%s%llu", k ? ", " : "", (unsigned long long)t->runs[k]);
		printf("]}");
	}
	printf("\n]}\n");
}

static int usage(const char *why)
{
	fprintf(stderr, "yl_replay: %s\nusage: yl_replay [-p PRESET | -r RELEASE] [-n NCPUS] [-d MS] [-w MS] THREAD... (THREAD: %s)\n",
		why, YL_SPEC_USAGE);
	return 2;
}

int main(int argc, char **argv)
{
	static unsigned int cpu[YL_SPEC_MAX_THREADS];
	uint64_t w[YL_SPEC_MAX_THREADS];
	const char *preset = "6.12.63";
	struct yl_sched_params p;
	struct replay r = { .cur = -1 };
	long dur = 2000, warm = 200, ncpus = 1;
	int opt, i;

	while ((opt = getopt(argc, argv, "p:r:n:d:w:")) != -1) {
		if (opt == 'p')
			preset = optarg;
		else if (opt == 'r')
			preset = yl_sched_preset_for_release(optarg);
		else if (opt == 'n')
			ncpus = atol(optarg);
		else if (opt == 'd')
			dur = atol(optarg);
		else if (opt == 'w')
			warm = atol(optarg);
		else
			return usage("unknown option");
	}
	if (dur < 1 || dur > 3600000 || warm < 0 || warm > 3600000 || ncpus < 1 ||
	    ncpus > 4096)
		return usage("-d MS 1..3600000, -w MS 0..3600000, -n NCPUS 1..4096");
	if (!preset || yl_sched_params_preset(&p, preset, (unsigned int)ncpus))
		return usage("unknown preset, or no preset follows that kernel release");
	r.n = (unsigned int)(argc - optind);
	if (!r.n || r.n > YL_SPEC_MAX_THREADS)
		return usage("1 to 16 threads");
	r.t = calloc(r.n, sizeof(*r.t));
	if (!r.t)
		return 1;
	for (i = 0; i < (int)r.n; i++) {
		if (yl_spec_parse(argv[optind + i], &r.t[i].spec))
			return usage("bad thread");
		r.t[i].left = r.t[i].spec.run_us * 1000;
		w[i] = prio_to_weight[r.t[i].spec.nice + 20];
	}
	r.s = yl_sched_create(&p, 1, r.n, 0, cpu, NULL, w);
	if (!r.s)
		return 1;
	r.w0 = (uint64_t)warm * 1000000;
	r.w1 = r.w0 + (uint64_t)dur * 1000000;
	run(&r, r.w1, p.tick_ns);
	print_json(&r, preset);
	yl_sched_destroy(r.s);
	return 0;
}
