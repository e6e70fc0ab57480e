/* SPDX-License-Identifier: GPL-2.0 */
/* A host thread's scheduling statistics, from /proc. */
#ifndef YL_HOSTSTAT_H
#define YL_HOSTSTAT_H

#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>

struct yl_hoststat {
	bool valid;
	uint64_t run_ns;	/* time on a CPU */
	uint64_t wait_ns;	/* runnable but waiting: the vCPU's steal time */
	uint64_t slices;	/* times scheduled in */
	uint64_t vol_cs;	/* voluntary context switches */
	uint64_t invol_cs;	/* involuntary context switches (preemptions) */
};

int yl_parse_schedstat(const char *text, struct yl_hoststat *hs);
int yl_parse_status_ctxt(const char *text, struct yl_hoststat *hs);
void yl_hoststat_read(pid_t tid, struct yl_hoststat *hs);
void yl_hoststat_delta(const struct yl_hoststat *a, const struct yl_hoststat *b,
		       struct yl_hoststat *d);

#endif
