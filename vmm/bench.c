// SPDX-License-Identifier: GPL-2.0
/*
 * `yieldlab bench exits`: the cost of one port-I/O exit through yieldlab's
 * run loop (dispatch and accounting included) against a bare KVM_RUN loop,
 * measured in the same process on the same vCPU, rounds interleaved so
 * that a noisy machine hurts both alike.  Prints the ratio; goal <= 1.05.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <yieldlab/abi.h>
#include "privs.h"
#include "run.h"
#include "sandbox.h"

#define BENCH_ROUNDS 7

/* The watchdog's SIGALRM stops both loops (KVM_RUN returns EINTR). */
static struct yl_vm *watched;

static void watchdog(int sig)
{
	(void)sig;
	__atomic_store_n(&watched->stop, true, __ATOMIC_RELEASE);
}

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

static int measure(struct yl_vcpu *v, uint64_t n, uint64_t *bare, uint64_t *ours)
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
	}
	qsort(bare, BENCH_ROUNDS, sizeof(*bare), cmp_u64);
	qsort(ours, BENCH_ROUNDS, sizeof(*ours), cmp_u64);
	return 0;
}

/*
 * The measuring thread runs the vCPU: it locks itself down as a vCPU
 * thread does (no capability, no_new_privs, the vCPU filter) under a
 * watchdog.
 */
static int lock_down(const struct yl_config *cfg, struct yl_vm *vm)
{
	struct yl_err err;

	watched = vm;
	if (yl_kick_signal(SIGALRM, watchdog)) {
		fprintf(stderr, "yieldlab: bench exits: watchdog: %s\n", strerror(errno));
		return YL_EXIT_HOST;
	}
	/* armed first: the vCPU filter has no alarm() */
	alarm((unsigned int)yl_effective_timeout_s(cfg));
	if (yl_sandbox_init(cfg->seccomp, (int)cfg->seccomp_probe, &err) ||
	    yl_privs_lock_thread(NULL, YL_THREAD_VCPU, &err)) {
		fprintf(stderr, "yieldlab: bench exits: %s\n", err.msg);
		return YL_EXIT_HOST;
	}
	return YL_EXIT_OK;
}

int yl_cmd_bench_exits(struct yl_config *cfg)
{
	uint64_t bare[BENCH_ROUNDS], ours[BENCH_ROUNDS];
	struct yl_image img;
	struct yl_kvm kvm;
	struct yl_vm vm;
	struct yl_err err;
	double b, o;
	int code;

	cfg->nr_vcpus = 1;
	cfg->workload = YL_WL_EXITS;
	code = yl_prepare(cfg, &kvm, &img);
	if (code)
		return code;
	code = YL_EXIT_HOST;
	if (yl_vm_create(&vm, &kvm, cfg, img.data, img.len, &err)) {
		fprintf(stderr, "yieldlab: %s\n", err.msg);
		goto out;
	}
	if (sched_setaffinity(0, sizeof(cfg->pcpus), &cfg->pcpus)) {
		fprintf(stderr, "yieldlab: bench exits: sched_setaffinity: %s\n",
			strerror(errno));
		goto out;
	}
	code = lock_down(cfg, &vm);
	if (code)
		goto out;
	if (measure(&vm.vcpus[0], cfg->bench_exits, bare, ours)) {
		code = vm.stop ? YL_EXIT_TIMEOUT : YL_EXIT_HOST;
		fprintf(stderr, "yieldlab: bench exits: %s (%s)\n", vm.stop ?
			"stopped by the watchdog (--timeout)" : "the vCPU did not exit as expected",
			vm.vcpus[0].detail[0] ? vm.vcpus[0].detail : strerror(errno));
		goto out;
	}
	b = (double)bare[BENCH_ROUNDS / 2] / (double)cfg->bench_exits;
	o = (double)ours[BENCH_ROUNDS / 2] / (double)cfg->bench_exits;
	printf("bench exits: %d rounds x %llu port-I/O exits, medians\n",
	       BENCH_ROUNDS, (unsigned long long)cfg->bench_exits);
	printf("  bare KVM_RUN loop      %10.1f ns/exit (min %.1f)\n", b,
	       (double)bare[0] / (double)cfg->bench_exits);
	printf("  yieldlab run loop      %10.1f ns/exit (min %.1f)\n", o,
	       (double)ours[0] / (double)cfg->bench_exits);
	printf("  ratio yieldlab/bare    %10.3f (goal <= 1.05)\n", o / b);
	code = YL_EXIT_OK;
out:
	code = yl_sandbox_exit_code(code);
	yl_vm_destroy(&vm);
	yl_kvm_close(&kvm);
	free(img.owned);
	return code;
}
