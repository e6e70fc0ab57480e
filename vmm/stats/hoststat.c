// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/<pid>/task/<tid>/schedstat is "run_ns wait_ns timeslices"
 * (Documentation/scheduler/sched-stats.rst); /status carries the
 * voluntary and involuntary context-switch counts.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "hoststat.h"
#include "lib/util.h"

int yl_parse_schedstat(const char *text, struct yl_hoststat *hs)
{
	unsigned long long a, b, c;
	char tail;

	if (sscanf(text, "%llu %llu %llu%c", &a, &b, &c, &tail) < 3)
		return -1;
	hs->run_ns = a;
	hs->wait_ns = b;
	hs->slices = c;
	return 0;
}

static int status_field(const char *text, const char *key, uint64_t *out)
{
	const char *p = text;
	size_t n = strlen(key);
	unsigned long long v;

	while ((p = strstr(p, key))) {
		if ((p == text || p[-1] == '\n') && p[n] == ':' &&
		    sscanf(p + n + 1, "%llu", &v) == 1) {
			*out = v;
			return 0;
		}
		p += n;
	}
	return -1;
}

int yl_parse_status_ctxt(const char *text, struct yl_hoststat *hs)
{
	if (status_field(text, "voluntary_ctxt_switches", &hs->vol_cs) ||
	    status_field(text, "nonvoluntary_ctxt_switches", &hs->invol_cs))
		return -1;
	return 0;
}

void yl_hoststat_read(pid_t tid, struct yl_hoststat *hs)
{
	char path[96], buf[4096];

	memset(hs, 0, sizeof(*hs));
	snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", getpid(), tid);
	if (yl_read_text(path, buf, sizeof(buf)) <= 0 || yl_parse_schedstat(buf, hs))
		return;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", getpid(), tid);
	if (yl_read_text(path, buf, sizeof(buf)) <= 0 || yl_parse_status_ctxt(buf, hs))
		return;
	hs->valid = true;
}

void yl_hoststat_delta(const struct yl_hoststat *a, const struct yl_hoststat *b,
		       struct yl_hoststat *d)
{
	d->valid = a->valid && b->valid;
	d->run_ns = b->run_ns - a->run_ns;
	d->wait_ns = b->wait_ns - a->wait_ns;
	d->slices = b->slices - a->slices;
	d->vol_cs = b->vol_cs - a->vol_cs;
	d->invol_cs = b->invol_cs - a->invol_cs;
}
