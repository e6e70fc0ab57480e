/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The thread grammar schedload (real kernel) and replay (sched/) share:
 * busy:NICE, sleep:NICE:RUN_US:SLEEP_US (use RUN_US of CPU, then sleep),
 * yield:NICE:RUN_US (use RUN_US, then sched_yield()).  No dependencies,
 * so schedload stays a plain Linux program.
 */
#ifndef YL_TRACE_SPEC_H
#define YL_TRACE_SPEC_H

#include <stdio.h>
#include <string.h>

#define YL_SPEC_MAX_THREADS	16
#define YL_SPEC_USAGE "busy:NICE, sleep:NICE:RUN_US:SLEEP_US or yield:NICE:RUN_US, nice -20..19, RUN_US and SLEEP_US 1..10000000"

enum yl_spec_kind { YL_SPEC_BUSY, YL_SPEC_SLEEP, YL_SPEC_YIELD };

struct yl_spec {
	enum yl_spec_kind kind;
	int nice;
	long run_us, sleep_us;
};

static inline int yl_spec_us_ok(long us)
{
	return us >= 1 && us <= 10000000;
}

/* 0, or -1 for anything but exactly one of the three forms. */
static inline int yl_spec_parse(const char *s, struct yl_spec *t)
{
	char tail;

	memset(t, 0, sizeof(*t));
	if (sscanf(s, "busy:%d%c", &t->nice, &tail) == 1)
		t->kind = YL_SPEC_BUSY;
	else if (sscanf(s, "sleep:%d:%ld:%ld%c", &t->nice, &t->run_us, &t->sleep_us,
			&tail) == 3 && yl_spec_us_ok(t->run_us) && yl_spec_us_ok(t->sleep_us))
		t->kind = YL_SPEC_SLEEP;
	else if (sscanf(s, "yield:%d:%ld%c", &t->nice, &t->run_us, &tail) == 2 &&
		 yl_spec_us_ok(t->run_us))
		t->kind = YL_SPEC_YIELD;
	else
		return -1;
	return t->nice >= -20 && t->nice <= 19 ? 0 : -1;
}

#endif
