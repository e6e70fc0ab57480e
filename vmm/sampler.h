/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --sample-ms: a monitor thread that records, every interval, each vCPU's
 * KVM statistics and its host thread's schedstat, reading all of them in
 * one io_uring batch per tick (one submit, one wait), so a tick costs one
 * system call however many vCPUs there are and every vCPU is read at
 * about the same moment.
 */
#ifndef YL_SAMPLER_H
#define YL_SAMPLER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <liburing.h>
#include "vmm/vm.h"

/* Sampled series: the scalar cumulative KVM stats, then the host's. */
#define YL_SAMPLE_HOST_RUN	0	/* index after the KVM stats */
#define YL_SAMPLE_HOST_WAIT	1
#define YL_SAMPLE_HOST_NR	2
#define YL_SAMPLE_MAX_BYTES	(256ull << 20)	/* all samples together */

struct yl_sample_src {
	const struct yl_vcpu *v;
	unsigned int vm;
	int sched_fd;			/* /proc/self/task/TID/schedstat */
	uint8_t *kbuf;			/* the stats data block */
	char sbuf[128];
};

struct yl_sampler {
	unsigned int interval_ms;
	const struct yl_kstats *ks;	/* the layout, same for every vCPU */
	unsigned int nr_kstats;		/* scalar cumulative stats sampled */
	uint32_t *kidx;			/* their descriptor indices */
	unsigned int nr_series;		/* nr_kstats + YL_SAMPLE_HOST_NR */
	unsigned int nr_src;
	struct yl_sample_src *src;
	struct io_uring ring;
	bool ring_ok;
	pthread_t thread;
	bool started;
	int stop_efd;

	unsigned int max_ticks, nr_ticks;
	uint64_t t0_ns;
	uint64_t *t_ns;			/* [tick], since t0 */
	uint64_t *vals;			/* [tick][src][series] */
	bool truncated;			/* ran out of room before the end */
	bool lock_failed;		/* the thread could not lock itself down */
	struct yl_err lock_err;
	uint64_t failed_reads;		/* a source that did not answer */
};

int yl_sampler_probe(const struct yl_config *cfg, struct yl_err *err);
int yl_ring_restrict_reads(struct io_uring *ring, const int *fds, unsigned int n);
int yl_sampler_init(struct yl_sampler *s, const struct yl_config *cfg,
		    struct yl_vm *vms, unsigned int nr_vms, struct yl_err *err);
int yl_sampler_start(struct yl_sampler *s, struct yl_err *err);
void yl_sampler_stop(struct yl_sampler *s);
void yl_sampler_free(struct yl_sampler *s);
const char *yl_sample_series_name(const struct yl_sampler *s, unsigned int k);
uint64_t yl_sample(const struct yl_sampler *s, unsigned int tick,
		   unsigned int src, unsigned int k);
int yl_sample_src_of(const struct yl_sampler *s, const struct yl_vcpu *v);

#endif
