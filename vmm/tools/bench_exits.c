// SPDX-License-Identifier: GPL-2.0
/*
 * `yieldlab bench exits`: the cost of one port-I/O exit through yieldlab's
 * run loop (dispatch and accounting included) against a bare KVM_RUN loop,
 * measured in the same process on the same vCPU, rounds interleaved so
 * that a noisy machine hurts both alike.  Prints the median ratio and
 * its spread over the rounds; goal <= 1.05.
 *
 * Then what a KVM_RUN from another thread than the vCPU's last costs
 * (coop's executor does that at every migration): two threads pass the
 * turn back and forth, and either only the first runs the vCPU on its
 * turn (the control) or both do, so that every KVM_RUN comes from a new
 * thread and KVM takes its pid (kvm_vcpu_ioctl(), case KVM_RUN).
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <yieldlab/abi.h>
#include "out/json.h"
#include "lib/outfile.h"
#include "vmm/host/privs.h"
#include "vmm/report/report.h"
#include "vmm/run/run.h"
#include "vmm/host/sandbox.h"
#include "out/warn.h"

#define BENCH_ROUNDS 7
#define EXITS_GOAL	1.05	/* yieldlab's loop over bare KVM_RUN */

#define MOVE_ROUNDS	5
#define MOVE_TRIPS	50	/* round trips per round: each may wait for RCU */

/* The second thread of the thread-change measurement. */
struct mover {
	struct yl_vcpu *v;
	cpu_set_t cpus;
	uint32_t turn;			/* 0: the measuring thread's, 1: ours, 2: end */
	bool run;			/* run the vCPU on our turn too */
	bool bad;
	pthread_t thread;
	bool started;
};

/* What the measuring thread did. */
struct bench_job {
	const struct yl_config *cfg;
	struct yl_vm *vm;
	uint64_t bare[BENCH_ROUNDS], ours[BENCH_ROUNDS];
	double ratio[BENCH_ROUNDS];	/* per round: ours / bare, sorted */
	struct mover mv;
	uint64_t ctl[MOVE_ROUNDS], moved[MOVE_ROUNDS];	/* ns per round trip */
	int code;
	struct yl_err err;
};

static int bare_loop(struct yl_vcpu *v, uint64_t n)
{
	struct kvm_run *run = v->run;
	uint64_t i;

	for (i = 0; i < n; i++) {
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR &&
			    !__atomic_load_n(&v->vm->stop, __ATOMIC_ACQUIRE))
				continue;
			return -1;
		}
		if (run->exit_reason != KVM_EXIT_IO || run->io.port != YL_PORT_BENCH)
			return -1;
	}
	return 0;
}

static int yl_loop(struct yl_vcpu *v, uint64_t n)
{
	v->bench_left = n;
	if (yl_vcpu_loop(v) || v->end != YL_END_NONE)
		return -1;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int measure(struct yl_vcpu *v, uint64_t n, uint64_t *bare, uint64_t *ours,
		   double *ratio)
{
	int k;

	/* Warm up both paths once. */
	if (bare_loop(v, n / 10 + 1) || yl_loop(v, n / 10 + 1))
		return -1;
	for (k = 0; k < BENCH_ROUNDS; k++) {
		uint64_t t0 = yl_now_ns();

		if (bare_loop(v, n))
			return -1;
		bare[k] = yl_now_ns() - t0;
		t0 = yl_now_ns();
		if (yl_loop(v, n))
			return -1;
		ours[k] = yl_now_ns() - t0;
		ratio[k] = (double)ours[k] / (double)(bare[k] ? bare[k] : 1);
	}
	qsort(ratio, BENCH_ROUNDS, sizeof(*ratio), yl_cmp_dbl);
	qsort(bare, BENCH_ROUNDS, sizeof(*bare), cmp_u64);
	qsort(ours, BENCH_ROUNDS, sizeof(*ours), cmp_u64);
	return 0;
}

/* The second thread: on its turn, one KVM_RUN (or none), then back. */
static void *mover_thread(void *arg)
{
	struct mover *m = arg;
	struct yl_err err;

	if (sched_setaffinity(0, sizeof(m->cpus), &m->cpus) ||
	    yl_privs_lock_thread(NULL, YL_THREAD_VCPU, &err))
		m->bad = true;
	for (;;) {
		yl_turn_wait(&m->turn, 0);
		if (__atomic_load_n(&m->turn, __ATOMIC_ACQUIRE) == 2)
			return NULL;
		if (m->run && !m->bad && bare_loop(m->v, 1))
			m->bad = true;
		yl_turn_set(&m->turn, 0);
	}
}

/* ns per round trip of @trips: our KVM_RUN, the turn there and back. */
static int round_trips(struct bench_job *job, bool run, uint64_t *ns)
{
	struct mover *m = &job->mv;
	uint64_t t0;
	int i;

	m->run = run;
	t0 = yl_now_ns();
	for (i = 0; i < MOVE_TRIPS; i++) {
		if (bare_loop(m->v, 1))
			return -1;
		yl_turn_set(&m->turn, 1);
		yl_turn_wait(&m->turn, 1);
		if (m->bad)
			return -1;
	}
	*ns = (yl_now_ns() - t0) / MOVE_TRIPS;
	return 0;
}

/* Control and moved rounds, interleaved; medians after. */
static int measure_moves(struct bench_job *job)
{
	int k;

	for (k = 0; k < MOVE_ROUNDS; k++)
		if (round_trips(job, false, &job->ctl[k]) ||
		    round_trips(job, true, &job->moved[k]))
			return -1;
	qsort(job->ctl, MOVE_ROUNDS, sizeof(*job->ctl), cmp_u64);
	qsort(job->moved, MOVE_ROUNDS, sizeof(*job->moved), cmp_u64);
	return 0;
}

/*
 * The measuring thread runs the vCPU: it locks itself down as a vCPU
 * thread does (no capability, no_new_privs, the vCPU filter).  The main
 * thread keeps the watchdog and writes the results.
 */
static void *bench_thread(void *arg)
{
	struct bench_job *job = arg;
	const struct yl_config *cfg = job->cfg;

	job->code = YL_EXIT_HOST;
	if (sched_setaffinity(0, sizeof(cfg->pcpus), &cfg->pcpus)) {
		yl_errf(&job->err, "bench exits: sched_setaffinity: %s", strerror(errno));
		return NULL;
	}
	if (yl_privs_lock_thread(NULL, YL_THREAD_VCPU, &job->err))
		return NULL;
	if (measure(&job->vm->vcpus[0], cfg->bench_exits, job->bare, job->ours,
		    job->ratio) || measure_moves(job)) {
		job->code = job->vm->stop ? YL_EXIT_TIMEOUT : YL_EXIT_HOST;
		yl_errf(&job->err, "bench exits: %s (%s)", job->vm->stop ?
			"stopped by the watchdog (--timeout)" : "the vCPU did not exit as expected",
			job->vm->vcpus[0].detail[0] ? job->vm->vcpus[0].detail : strerror(errno));
		return NULL;
	}
	job->code = YL_EXIT_OK;
	return NULL;
}

static void end_mover(struct mover *m)
{
	if (!m->started)
		return;
	yl_turn_set(&m->turn, 2);
	pthread_join(m->thread, NULL);
	m->started = false;
}

/*
 * Starts the measuring thread as vCPU 0's, so that the VM's own stop
 * (yl_vm_stop_all: immediate_exit and a kick) is the watchdog; locks the
 * main thread down (its filter has no clone) and waits.
 */
static int run_job(struct bench_job *job)
{
	uint64_t deadline = yl_now_ns() + yl_effective_timeout_s(job->cfg) * 1000000000ull;
	struct yl_vcpu *v = &job->vm->vcpus[0];
	struct timespec ts;
	int bad;

	job->mv.v = v;
	job->mv.cpus = job->cfg->pcpus;
	if (pthread_create(&job->mv.thread, NULL, mover_thread, &job->mv))
		return yl_errf(&job->err, "bench exits: %s", strerror(errno));
	job->mv.started = true;
	if (pthread_create(&v->thread, NULL, bench_thread, job)) {
		end_mover(&job->mv);
		return yl_errf(&job->err, "bench exits: %s", strerror(errno));
	}
	__atomic_store_n(&v->started, true, __ATOMIC_RELEASE);
	bad = yl_privs_lock_thread(NULL, YL_THREAD_MAIN, &job->err);
	if (bad)
		yl_vm_stop_all(job->vm);
	for (;;) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		if (pthread_timedjoin_np(v->thread, NULL, &ts) == 0)
			break;
		if (yl_now_ns() > deadline)
			yl_vm_stop_all(job->vm);
	}
	v->started = false;
	end_mover(&job->mv);
	return bad;
}

static double per_exit(const struct yl_config *cfg, uint64_t ns)
{
	return (double)ns / (double)cfg->bench_exits;
}

static void json_side(struct yj *j, const char *key, const struct yl_config *cfg,
		      const uint64_t *r)
{
	yj_obj(j, key);
	yj_dbl(j, "median_ns_per_exit", per_exit(cfg, r[BENCH_ROUNDS / 2]));
	yj_dbl(j, "min_ns_per_exit", per_exit(cfg, r[0]));
	yj_dbl(j, "max_ns_per_exit", per_exit(cfg, r[BENCH_ROUNDS - 1]));
	yj_obj_end(j);
}

/*
 * A round trip with both running has one more KVM_RUN than the control's,
 * and both of its KVM_RUNs change thread.
 */
static double thread_change_ns(const struct bench_job *job)
{
	double bare = per_exit(job->cfg, job->bare[BENCH_ROUNDS / 2]);

	return ((double)job->moved[MOVE_ROUNDS / 2] - (double)job->ctl[MOVE_ROUNDS / 2] -
		bare) / 2;
}

/*
 * What the guest timed before its first exit (abi.h), per iteration;
 * untrusted: no time, or one past 2^50 cycles, is no number.
 */
static double guest_ns(const struct bench_job *job, size_t off, unsigned int n)
{
	const struct yl_vcpu_result *rec = (const void *)(job->vm->mem +
							YL_VCPU_RESULT_GPA(0));
	uint64_t c = __atomic_load_n((const uint64_t *)((const char *)rec + off),
				     __ATOMIC_RELAXED);

	if (!c || c > (1ull << 50))
		return NAN;
	return yl_cycles_to_ns(job->vm, (double)c) / n;
}

static double pause_ns(const struct bench_job *job)
{
	return guest_ns(job, offsetof(struct yl_vcpu_result, bench_pause_cycles),
			YL_BENCH_PAUSES);
}

static double op_ns(const struct bench_job *job)
{
	return guest_ns(job, offsetof(struct yl_vcpu_result, bench_op_cycles),
			YL_BENCH_OPS);
}

static void json_guest_ns(struct yj *j, const char *key, double v)
{
	if (isnan(v))
		yj_null(j, key);
	else
		yj_dbl(j, key, v);
}

static void report(const struct bench_job *job, const struct yl_warnings *w,
		   FILE *json)
{
	const struct yl_config *cfg = job->cfg;
	const double *q = job->ratio;
	struct yj j;

	printf("bench exits: %d rounds x %llu port-I/O exits, medians\n",
	       BENCH_ROUNDS, (unsigned long long)cfg->bench_exits);
	printf("  bare KVM_RUN loop      %10.1f ns/exit (min %.1f)\n",
	       per_exit(cfg, job->bare[BENCH_ROUNDS / 2]), per_exit(cfg, job->bare[0]));
	printf("  yieldlab run loop      %10.1f ns/exit (min %.1f)\n",
	       per_exit(cfg, job->ours[BENCH_ROUNDS / 2]), per_exit(cfg, job->ours[0]));
	printf("  ratio yieldlab/bare    %10.3f (rounds %.3f..%.3f; goal <= %g)\n",
	       q[BENCH_ROUNDS / 2], q[0], q[BENCH_ROUNDS - 1], EXITS_GOAL);
	printf("KVM_RUN from another thread than the vCPU's last, %d rounds x %d round trips, medians:\n",
	       MOVE_ROUNDS, MOVE_TRIPS);
	printf("  one thread runs, the turn goes there and back  %10.1f ns (%.1f..%.1f)\n",
	       (double)job->ctl[MOVE_ROUNDS / 2], (double)job->ctl[0],
	       (double)job->ctl[MOVE_ROUNDS - 1]);
	printf("  both run: two KVM_RUNs, each from a new thread %10.1f ns (%.1f..%.1f)\n",
	       (double)job->moved[MOVE_ROUNDS / 2], (double)job->moved[0],
	       (double)job->moved[MOVE_ROUNDS - 1]);
	printf("  one thread change costs                        %10.1f ns (medians: (both - one - bare exit) / 2)\n",
	       thread_change_ns(job));
	printf("the guest's spin loop (PAUSE, load): %.1f ns an iteration (%d timed once)\n",
	       pause_ns(job), YL_BENCH_PAUSES);
	printf("the guest's lock op, uncontended, beside its delays: %.1f ns (%d timed once)\n",
	       op_ns(job), YL_BENCH_OPS);
	yl_warnings_print(w, "", stdout);
	if (!json)
		return;
	yj_init(&j, json);
	yj_obj(&j, NULL);
	yj_header(&j, "bench exits");
	yj_u64(&j, "rounds", BENCH_ROUNDS);
	yj_u64(&j, "exits_per_round", cfg->bench_exits);
	json_side(&j, "bare", cfg, job->bare);
	json_side(&j, "yieldlab", cfg, job->ours);
	yj_obj(&j, "ratio");
	yj_dbl(&j, "median", q[BENCH_ROUNDS / 2]);
	yj_dbl(&j, "min", q[0]);
	yj_dbl(&j, "max", q[BENCH_ROUNDS - 1]);
	yj_dbl(&j, "goal", EXITS_GOAL);
	yj_obj_end(&j);
	yj_obj(&j, "thread_change");
	yj_dbl(&j, "control_round_trip_ns", (double)job->ctl[MOVE_ROUNDS / 2]);
	yj_dbl(&j, "moved_round_trip_ns", (double)job->moved[MOVE_ROUNDS / 2]);
	yj_dbl(&j, "cost_ns", thread_change_ns(job));
	yj_obj_end(&j);
	json_guest_ns(&j, "guest_pause_ns", pause_ns(job));
	json_guest_ns(&j, "guest_op_ns", op_ns(job));
	yl_warnings_json(w, &j);
	yj_obj_end(&j);
}

static int finish(struct bench_job *job, struct yl_outfile *json)
{
	struct yl_warnings w = { 0 };
	const double *q = job->ratio;

	/* rounds spread wider than the goal's margin cannot judge it */
	yl_warn_spread(&w, "bench exits: the per-round ratio", q[0],
		       q[BENCH_ROUNDS / 2], q[BENCH_ROUNDS - 1], 0.10);
	report(job, &w, json->f);
	return yl_json_commit(json, YL_EXIT_OK);
}

static int bench_exits(struct yl_config *cfg)
{
	struct bench_job job = { .cfg = cfg };
	struct yl_outfile json = { 0 };
	struct yl_image img;
	struct yl_kvm kvm;
	struct yl_vm vm;
	struct yl_err err;
	int code;

	/* opened first: a bad path costs nothing */
	code = yl_json_open(&json, cfg->json_path);
	if (code)
		return code;
	if (yl_prepare(cfg, &kvm, &img, &err)) {
		yl_err_print(&err);
		code = err.code;
		goto out_json;
	}
	code = YL_EXIT_HOST;
	if (yl_vm_create(&vm, &kvm, cfg, img.data, img.len, &err)) {
		yl_err_print(&err);
		goto out;
	}
	job.vm = &vm;
	/* the kick's handler before the filters: neither allows rt_sigaction */
	yl_vcpu_signal_init();
	if (yl_sandbox_init(cfg->seccomp, (int)cfg->seccomp_probe, &err)) {
		fprintf(stderr, "yieldlab: bench exits: %s\n", err.msg);
		goto out_vm;
	}
	if (run_job(&job) || job.code) {
		code = job.code ? job.code : YL_EXIT_HOST;
		fprintf(stderr, "yieldlab: %s\n", job.err.msg);
		goto out_vm;
	}
	code = finish(&job, &json);
out_vm:
	yl_vm_destroy(&vm);
out:
	code = yl_sandbox_exit_code(code);
	yl_kvm_close(&kvm);
	free(img.owned);
out_json:
	yl_outfile_abort(&json);
	return code;
}

/* The user's config stays as parsed; the benchmark's VM gets a copy. */
int yl_cmd_bench_exits(const struct yl_config *user)
{
	struct yl_config *cfg = malloc(sizeof(*cfg));
	int code;

	if (!cfg) {
		fprintf(stderr, "yieldlab: out of memory\n");
		return YL_EXIT_HOST;
	}
	*cfg = *user;
	cfg->nr_vcpus = 1;
	cfg->workload = YL_WL_EXITS;
	code = bench_exits(cfg);
	free(cfg);
	return code;
}
