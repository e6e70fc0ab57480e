// SPDX-License-Identifier: GPL-2.0
/*
 * Each warning's decision at its threshold, on the numbers of runs that
 * compared nothing and of runs that did.  The KVM suite shows that real
 * runs reach these decisions (tests/kvm: warnings).
 */
#include <stdlib.h>
#include <string.h>
#include <yieldlab/abi.h>
#include "out/json.h"
#include "vmm/report/report.h"
#include "suites.h"
#include "vmm/vm.h"
#include "out/warn.h"

static bool has(const struct yl_warnings *w, enum yl_warn_id id)
{
	unsigned int k;

	for (k = 0; k < w->n; k++)
		if (w->w[k].id == id)
			return true;
	return false;
}

/*
 * slow_vcpu_moves only where KVM_RUN from a new thread waits for an RCU
 * grace period: before 6.14 (issue 25, item 9: every coop run on 6.18
 * warned while bench exits measured 170-541 ns a thread change).
 */
START_TEST(moves_slow_by_kernel)
{
	ck_assert(yl_kvm_run_moves_slow("6.12.117+deb12-amd64"));
	ck_assert(yl_kvm_run_moves_slow("6.13.9"));
	ck_assert(yl_kvm_run_moves_slow("5.15.0-91-generic"));
	ck_assert(!yl_kvm_run_moves_slow("6.14.0"));
	ck_assert(!yl_kvm_run_moves_slow("6.18.44-fc-v1300"));
	ck_assert(!yl_kvm_run_moves_slow("7.0.1"));
	ck_assert(yl_kvm_run_moves_slow("unknown"));
}
END_TEST

START_TEST(no_hints)
{
	struct yl_warnings w = { 0 };

	yl_warn_hints(&w, "none", false, 0, 0);		/* none: nothing to act */
	yl_warn_hints(&w, "handoff", true, 50, 1);	/* acted once: compared */
	ck_assert_uint_eq(w.n, 0);
	yl_warn_hints(&w, "handoff", false, 0, 0);
	ck_assert(has(&w, YL_WARN_NO_HINTS));
	ck_assert_ptr_nonnull(strstr(w.w[0].text, "only with --pv yield"));
	yl_warn_hints(&w, "handoff", true, 0, 0);
	ck_assert_ptr_nonnull(strstr(w.w[1].text, "--spin-us"));
	yl_warn_hints(&w, "lag-credit", true, 40, 0);
	ck_assert_ptr_nonnull(strstr(w.w[2].text, "none of its 40 hints"));
}
END_TEST

/* lag-credit that honoured yields yet credited nothing ran as forfeit. */
START_TEST(no_credit)
{
	struct yl_warnings w = { 0 };

	yl_warn_credit(&w, "forfeit", 100, 0);		/* not lag-credit */
	yl_warn_credit(&w, "lag-credit", 0, 0);		/* nothing honoured */
	yl_warn_credit(&w, "lag-credit", 100, 1);	/* one credit: compared */
	ck_assert_uint_eq(w.n, 0);
	yl_warn_credit(&w, "lag-credit", 100, 0);
	ck_assert_uint_eq(w.n, 1);
	ck_assert(has(&w, YL_WARN_NO_CREDIT));
	ck_assert_ptr_nonnull(strstr(w.w[0].text, "ran as forfeit"));
}
END_TEST

START_TEST(pv_unused)
{
	struct yl_warnings w = { 0 };

	yl_warn_pv(&w, YL_PV_NONE, 0, 0);
	yl_warn_pv(&w, YL_PV_YIELD, 1, 0);
	yl_warn_pv(&w, YL_PV_HALT, 0, 1);
	ck_assert_uint_eq(w.n, 0);
	yl_warn_pv(&w, YL_PV_YIELD, 0, 5);
	yl_warn_pv(&w, YL_PV_HALT, 5, 0);
	ck_assert_uint_eq(w.n, 2);
	ck_assert(has(&w, YL_WARN_PV_UNUSED));
	ck_assert_ptr_nonnull(strstr(w.w[0].text, "--pv yield"));
	ck_assert_ptr_nonnull(strstr(w.w[1].text, "--pv halt"));
}
END_TEST

START_TEST(overrun)
{
	struct yl_warnings w = { 0 };

	yl_warn_overrun(&w, 450.0, 300);	/* exactly +50 %: not yet */
	ck_assert_uint_eq(w.n, 0);
	yl_warn_overrun(&w, 4595.0, 300);	/* the run */
	ck_assert(has(&w, YL_WARN_OVERRUN));
	ck_assert_ptr_nonnull(strstr(w.w[0].text, "4595.0 ms for --duration 300"));
}
END_TEST

START_TEST(starved)
{
	struct yl_warnings w = { 0 };

	/* 4 vCPUs on a pCPU of their own: ran all of it, waited 3x it */
	yl_warn_starved(&w, 1000, 3000, 1000);
	/* --pv halt idling: ran little, but was not runnable either */
	yl_warn_starved(&w, 100, 50, 1000);
	/* exactly half */
	yl_warn_starved(&w, 500, 3000, 1000);
	ck_assert_uint_eq(w.n, 0);
	/* cpu.weight 1 beside weight 10000: runnable, not running */
	yl_warn_starved(&w, 10, 2000, 1000);
	ck_assert(has(&w, YL_WARN_STARVED));
	ck_assert_ptr_nonnull(strstr(w.w[0].text, "ran 1 %"));
}
END_TEST

/*
 * Two VMs of one run on one pCPU, one after the other (--cpu-weight
 * 1,10000): VM 0 waited through VM 1's phase, but ours ran all the time,
 * so nothing is starved; with a tenant outside taking 80%, both VMs are.
 */
START_TEST(starved_across_vms)
{
	struct yl_config cfg = { .workload = YL_WL_LOCK };
	struct yl_vm vm = { .cfg = &cfg };
	struct yl_report r[2];
	unsigned int k;

	CPU_ZERO(&cfg.pcpus);
	CPU_SET(0, &cfg.pcpus);
	memset(r, 0, sizeof(r));
	for (k = 0; k < 2; k++) {
		r[k].vm = &vm;
		r[k].complete = true;
		r[k].host_unread = -1;
	}
	/* VM 1: 0-500 ms alone; VM 0: its phase 100-1000 ms, ran 500 ms */
	r[1].host_t0 = 0, r[1].host_t1 = 500, r[1].host_run_ns = 500, r[1].host_wait_ns = 500;
	r[0].host_t0 = 100, r[0].host_t1 = 1000, r[0].host_run_ns = 450, r[0].host_wait_ns = 1300;
	yl_reports_warn_starved(r, 2);
	ck_assert_uint_eq(r[0].warn.n + r[1].warn.n, 0);
	/* the same spans, but ours ran 200 ms of the 1000: someone else ran */
	r[1].host_run_ns = 100, r[0].host_run_ns = 100;
	yl_reports_warn_starved(r, 2);
	ck_assert(has(&r[0].warn, YL_WARN_STARVED) && has(&r[1].warn, YL_WARN_STARVED));
	ck_assert_ptr_nonnull(strstr(r[0].warn.w[0].text, "ran 20 %"));
	/* a VM without schedstat readings: nothing to say */
	r[0].warn.n = r[1].warn.n = 0;
	r[1].host_unread = 0;
	yl_reports_warn_starved(r, 2);
	ck_assert_uint_eq(r[0].warn.n + r[1].warn.n, 0);
}
END_TEST

START_TEST(spread)
{
	struct yl_warnings w = { 0 };

	yl_warn_spread(&w, "ratio", 0.98, 1.0, 1.05, 0.10);
	ck_assert_uint_eq(w.n, 0);
	/* the loaded host: ratios 169.33 .. 531.84 */
	yl_warn_spread(&w, "ratio", 169.33, 192.38, 531.84, 0.10);
	ck_assert(has(&w, YL_WARN_SPREAD));
}
END_TEST

/* warnings[] in the JSON: one object per warning, id from the one list. */
START_TEST(json_form)
{
	struct yl_warnings w = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct yj j;

	yl_warn(&w, YL_WARN_STARVED, "x \"quoted\"");
	yj_init(&j, f);
	yj_obj(&j, NULL);
	yl_warnings_json(&w, &j);
	yj_obj_end(&j);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "\"id\": \"starved\""));
	ck_assert_ptr_nonnull(strstr(buf, "x \\\"quoted\\\""));
	free(buf);
	for (unsigned int k = 0; k < YL_WARN_NR; k++)
		ck_assert_str_ne(yl_warn_name((enum yl_warn_id)k), "?");
	for (unsigned int k = 0; k < 2 * YL_WARN_MAX; k++)
		yl_warn(&w, YL_WARN_SPREAD, "many");
	ck_assert_uint_eq(w.n, YL_WARN_MAX);
}
END_TEST

/* The schema's list of warning ids is warn.c's: every id, and no other. */
START_TEST(schema_ids)
{
	FILE *f = fopen(YL_SOURCE_DIR "/docs/schema/common.json", "r");
	char text[16384], want[64], *list;
	size_t n;
	unsigned int k, quoted = 0;

	ck_assert_ptr_nonnull(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = 0;
	list = strstr(text, "\"id\": {\"enum\": [");
	ck_assert_ptr_nonnull(list);
	*strchr(list, ']') = 0;
	for (k = 0; k < YL_WARN_NR; k++) {
		snprintf(want, sizeof(want), "\"%s\"", yl_warn_name((enum yl_warn_id)k));
		ck_assert_msg(strstr(list, want), "docs/schema lacks warning %s", want);
	}
	for (n = 0; list[n]; n++)
		quoted += list[n] == '"';
	/* "id", "enum" and two quotes per id */
	ck_assert_uint_eq(quoted, 4 + 2 * YL_WARN_NR);
}
END_TEST

Suite *warn_suite(void)
{
	Suite *s = suite_create("warn");
	TCase *tc = tcase_create("decisions");

	tcase_add_test(tc, no_hints);
	tcase_add_test(tc, pv_unused);
	tcase_add_test(tc, no_credit);
	tcase_add_test(tc, overrun);
	tcase_add_test(tc, starved);
	tcase_add_test(tc, starved_across_vms);
	tcase_add_test(tc, spread);
	tcase_add_test(tc, json_form);
	tcase_add_test(tc, schema_ids);
	tcase_add_test(tc, moves_slow_by_kernel);
	suite_add_tcase(s, tc);
	return s;
}
