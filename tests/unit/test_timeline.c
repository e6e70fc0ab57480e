// SPDX-License-Identifier: GPL-2.0
/*
 * --timeline's ring and writer: the last N events are kept, oldest first;
 * every event is counted by kind whether kept or not; the file says so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "suites.h"
#include "out/timeline.h"

static const char *outcome(int o)
{
	return o ? "honoured" : "ignored";
}

static char *write_all(const struct yl_timeline *tl)
{
	static const int host[2] = { 4, 7 };
	struct yl_tl_names n = { 2, host, outcome, "handoff", "6.18.0", NULL };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(yl_tl_write(tl, &n, f), 0);
	fclose(f);
	return buf;
}

static unsigned int count(const char *s, const char *what)
{
	unsigned int n = 0;

	while ((s = strstr(s, what))) {
		n++;
		s += strlen(what);
	}
	return n;
}

START_TEST(ring_keeps_the_last)
{
	struct yl_timeline tl;
	struct yl_tl_event e = { 0 };
	char *out;
	unsigned int i;

	ck_assert_int_eq(yl_tl_init(&tl, 4), 0);
	for (i = 0; i < 6; i++) {
		e.ts_ns = 1000 * (i + 1);
		e.kind = i % 2 ? YL_TL_HINT : YL_TL_RUN;
		e.dur_ns = 500;
		e.cpu = (uint16_t)(i % 2);
		e.vcpu = (uint16_t)i;
		e.val = 1;
		yl_tl_add(&tl, &e);
	}
	ck_assert_uint_eq(tl.count[YL_TL_RUN], 3);
	ck_assert_uint_eq(tl.count[YL_TL_HINT], 3);
	out = write_all(&tl);
	ck_assert_msg(strstr(out, "\"events_total\": 6") && strstr(out, "\"events_kept\": 4") &&
		      strstr(out, "\"events_dropped\": 2") && strstr(out, "\"ring_events\": 4"),
		      "%s", out);
	/* events 2..5 kept: vcpu0 and vcpu1 gone, ts 3 us first */
	ck_assert(!strstr(out, "vm0 vcpu0\"") && !strstr(out, "vm0 vcpu1\""));
	ck_assert(strstr(out, "\"ts\": 3,") < strstr(out, "\"ts\": 6,"));
	ck_assert_uint_eq(count(out, "\"ph\": \"X\""), 2);
	ck_assert_uint_eq(count(out, "\"ph\": \"i\""), 2);
	ck_assert_uint_eq(count(out, "\"outcome\": \"honoured\""), 2);
	/* a track per pCPU, named with its host CPU */
	ck_assert(strstr(out, "pCPU 1 (host CPU 7)"));
	ck_assert_uint_eq(count(out, "\"ph\": \"M\""), 4);
	free(out);
	yl_tl_free(&tl);
}
END_TEST

START_TEST(nothing_dropped_below_the_ring)
{
	struct yl_timeline tl;
	struct yl_tl_event e = { .kind = YL_TL_HANDOFF, .val = 1234 };
	char *out;

	ck_assert_int_eq(yl_tl_init(&tl, 16), 0);
	yl_tl_add(&tl, &e);
	e.kind = YL_TL_NR;		/* not a kind: not recorded */
	yl_tl_add(&tl, &e);
	yl_tl_add(NULL, &e);
	out = write_all(&tl);
	ck_assert(strstr(out, "\"events_dropped\": 0") && strstr(out, "\"latency_ns\": 1234"));
	ck_assert_uint_eq(tl.next, 1);
	free(out);
	yl_tl_free(&tl);
}
END_TEST

Suite *timeline_suite(void)
{
	Suite *s = suite_create("timeline");
	TCase *tc = tcase_create("ring");

	tcase_add_test(tc, ring_keeps_the_last);
	tcase_add_test(tc, nothing_dropped_below_the_ring);
	suite_add_tcase(s, tc);
	return s;
}
