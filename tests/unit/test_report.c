// SPDX-License-Identifier: GPL-2.0
#include "vmm/report/report.h"
#include "suites.h"

/* Complete: the counter is the ops, exactly. */
START_TEST(mutex_complete_run)
{
	ck_assert(yl_mutex_holds(true, 1000, 1000, 0));
	ck_assert(!yl_mutex_holds(true, 1001, 1000, 0));
	ck_assert(!yl_mutex_holds(true, 999, 1000, 0));
}
END_TEST

/*
 * Stopped: each unfinished vCPU may have written the counter and not yet
 * counted its op (seen with two under kvm_pvm: 94 against 92), but a
 * counter behind the ops is a lost update whatever stopped the run.
 */
START_TEST(mutex_partial_run)
{
	ck_assert(yl_mutex_holds(false, 92, 92, 4));
	ck_assert(yl_mutex_holds(false, 94, 92, 4));
	ck_assert(yl_mutex_holds(false, 94, 92, 2));
	ck_assert(!yl_mutex_holds(false, 94, 92, 1));
	ck_assert(!yl_mutex_holds(false, 91, 92, 4));
	ck_assert(!yl_mutex_holds(false, 0, 1, 8));
}
END_TEST

/* The spread issue 12 saw: [12, 0, 11, 213, 211, 12, 0, 12], by hand. */
START_TEST(jain_index)
{
	const double x[] = { 12, 0, 11, 213, 211, 12, 0, 12 };
	double sum = 0, sq = 0;
	unsigned int i;

	for (i = 0; i < 8; i++) {
		sum += x[i];
		sq += x[i] * x[i];
	}
	/* 471^2 / (8 * 90 443) = 221 841 / 723 544 */
	ck_assert_double_eq_tol(yl_jain(sum, sq, 8), 221841.0 / 723544.0, 1e-12);
	ck_assert_double_eq_tol(yl_jain(40, 400, 4), 1.0, 1e-12);	/* all 10 */
	ck_assert_double_eq_tol(yl_jain(10, 100, 4), 0.25, 1e-12);	/* one has all */
	ck_assert_double_eq_tol(yl_jain(0, 0, 4), 1.0, 1e-12);
}
END_TEST

Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("checks");

	tcase_add_test(tc, mutex_complete_run);
	tcase_add_test(tc, mutex_partial_run);
	tcase_add_test(tc, jain_index);
	suite_add_tcase(s, tc);
	return s;
}
