/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-side exit reasons: the kvm:kvm_exit tracepoint counted per vCPU
 * thread and per exit reason with perf_event_open(), where permitted.
 */
#ifndef YL_TPEXIT_H
#define YL_TPEXIT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define YL_TP_MAX_REASONS	16

struct yl_tp_reason {
	unsigned int code;		/* exit_reason as the tracepoint has it */
	const char *name;		/* as `perf kvm stat` prints it */
};

struct yl_tp {
	bool ok;			/* counting works on this host */
	char why[200];			/* if not, why not */
	uint64_t id;			/* tracepoint id from tracefs */
	const struct yl_tp_reason *reasons;
	unsigned int nr;
	int io;				/* index of the port-I/O reason */
};

/* Per vCPU: one counter per reason, then one for every exit. */
struct yl_tp_counts {
	int fd[YL_TP_MAX_REASONS + 1];
	uint64_t n[YL_TP_MAX_REASONS + 1];
	bool valid;
};

void yl_tp_init(struct yl_tp *tp, bool off);
void yl_tp_reset(struct yl_tp_counts *c);
int yl_tp_open(struct yl_tp *tp, pid_t tid, struct yl_tp_counts *c);
void yl_tp_read(const struct yl_tp *tp, struct yl_tp_counts *c);
void yl_tp_close(struct yl_tp_counts *c);
int yl_tp_find(const struct yl_tp *tp, const char *name);

#endif
