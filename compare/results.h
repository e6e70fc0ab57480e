/* SPDX-License-Identifier: GPL-2.0 */
#ifndef YL_RESULTS_H
#define YL_RESULTS_H

/*
 * What compare reads back from each run: its own record (meta.json:
 * status, attempts, host) and the metrics taken from run's --json, the
 * only interface between compare and run.  The metrics are declared once,
 * in yl_metrics[]; tables, CSV columns, JSON keys and plots loop over it.
 */
#include <stdbool.h>
#include <stdint.h>
#include "cli/config.h"

enum yl_metric {
	YL_M_LOCK_OPS,		/* lock ops/s, all VMs */
	YL_M_IPI_OPS,		/* IPI ops/s */
	YL_M_LAT_P50,		/* lock acquire latency, all vCPUs' histograms */
	YL_M_LAT_P99,
	YL_M_IPI_P50,		/* IPI round trip (sync), all vCPUs' histograms */
	YL_M_IPI_P99,
	YL_M_JAIN_OPS,		/* Jain's index of per-vCPU ops (lock and IPI) */
	YL_M_JAIN_CPU,		/* ... of per-vCPU CPU time */
	YL_M_MIN_SHARE,		/* smallest vCPU CPU time / the mean */
	YL_M_YIELDS_PER_OP,	/* guest yields (hints) per op, lock and IPI */
	YL_M_EXITS_PER_OP,	/* KVM's exits per op, lock and IPI */
	YL_M_HANDOFF_P50,	/* coop: hint-to-KVM_RUN hand-off */
	YL_M_HANDOFFS_PER_OP,	/* coop: hand-offs per op, lock and IPI */
	YL_M_VM_SHARE,		/* --vms: VM k's share of the CPU time, k < YL_MAX_VMS */
	YL_M_NR = YL_M_VM_SHARE + YL_MAX_VMS
};

struct yl_metric_desc {
	const char *key;	/* JSON and CSV */
	const char *title;	/* tables and plots */
	int better;		/* +1 higher is better, -1 lower, 0 neither */
};

extern const struct yl_metric_desc yl_metric_descs[YL_M_VM_SHARE + 1];
void yl_metric_key(unsigned int m, char *buf, size_t len);
void yl_metric_title(unsigned int m, char *buf, size_t len);
int yl_metric_better(unsigned int m);

enum yl_run_status { YL_RUN_MISSING, YL_RUN_OK, YL_RUN_FAILED };

#define YL_RUN_MAX_WARN		8
#define YL_LAT_BUCKETS		64	/* the guest's log2-cycle histogram */

struct yl_run_rec {
	enum yl_run_status status;
	unsigned int attempts;
	int exit_code;			/* the last attempt's */
	double wall_s, loadavg;
	char start[32];			/* UTC, ISO 8601 */
	char hostname[64], kernel[96], kvm_module[32], version[64];
	char cpu_model[128], caveats[320];	/* run.json's provenance */
	unsigned int cores;
	char dir[512];			/* where its files are */
	double v[YL_M_NR];		/* NaN: not measured */
	double oversub;			/* vCPUs (all VMs) per pCPU */
	double tsc_khz;
	uint64_t lat_hist[YL_LAT_BUCKETS];
	uint64_t ipi_hist[YL_LAT_BUCKETS];	/* IPI round trips */
	unsigned int nr_warn;
	char warn[YL_RUN_MAX_WARN][32];	/* run's warning ids */
};

void yl_run_rec_init(struct yl_run_rec *r);
#define YL_RUN_JSON_MAX	(64u << 20)	/* 4096 vCPUs with samples fit */
int yl_read_run_json(struct yl_run_rec *r, const char *path, char *why,
		     size_t len);
int yl_parse_run_json(struct yl_run_rec *r, const char *buf, size_t n);
int yl_read_meta(struct yl_run_rec *r, const char *run_dir, unsigned int index,
		 unsigned int cell);

#endif
