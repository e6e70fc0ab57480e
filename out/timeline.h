/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --timeline FILE: what coop's executor (or the simulator) did, as Chrome
 * trace-event JSON (Perfetto and chrome://tracing open it).  Events go into a ring of the
 * last N (--timeline-events); every event is also counted, so the file
 * says how many there were and how many the ring let go.  Recording is
 * lock-free: a slot is claimed with one atomic add and written by the
 * thread that claimed it; the file is written once the run is over.
 */
#ifndef YL_TIMELINE_H
#define YL_TIMELINE_H

#include <stdint.h>
#include <stdio.h>

enum yl_tl_kind {
	YL_TL_RUN,		/* a vCPU's slice on a pCPU: ts, dur */
	YL_TL_HINT,		/* a spin hint: arg = target, val = outcome */
	YL_TL_HANDOFF,		/* a hinted target entered KVM_RUN: val = ns */
	YL_TL_KICK,		/* arg = kicked vCPU */
	YL_TL_IPI,		/* arg = receiver (the last one, val = count) */
	YL_TL_HALT,		/* the vCPU blocked */
	YL_TL_SLICE_END,	/* the tick took the pCPU from the vCPU */
	YL_TL_LAG,		/* at a dispatch: val = lag ns, arg = eligible */
	YL_TL_NR
};

struct yl_tl_event {
	uint64_t ts_ns, dur_ns;
	int64_t val;
	uint16_t kind, cpu, vm, vcpu;
	int32_t arg;
};

struct yl_timeline {
	struct yl_tl_event *ring;
	uint64_t cap;			/* slots */
	uint64_t next;			/* events claimed, all time */
	uint64_t count[YL_TL_NR];	/* of each kind, all time */
};

int yl_tl_init(struct yl_timeline *tl, uint64_t cap);
void yl_tl_free(struct yl_timeline *tl);
void yl_tl_add(struct yl_timeline *tl, const struct yl_tl_event *e);
const char *yl_tl_kind_name(enum yl_tl_kind k);

struct yl_tl_names {
	unsigned int nr_cpus;
	const int *host_cpu;		/* [cpu]; NULL: simulated CPUs */
	const char *(*outcome)(int);	/* a hint's outcome by number */
	const char *policy, *preset;
	const char *generator;		/* NULL: "yieldlab run --timeline" */
};

int yl_tl_write(const struct yl_timeline *tl, const struct yl_tl_names *n,
		FILE *f);

#endif
