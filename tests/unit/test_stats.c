// SPDX-License-Identifier: GPL-2.0
/*
 * compare/stats.c against values computed by hand (the working is in the
 * comments), and the verdict's false-positive rate on simulated A/A data.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include "compare/stats.h"
#include "suites.h"

#define EPS 1e-9

START_TEST(median_mean_sd)
{
	/* mean 40/8 = 5; squares of deviations 9+1+1+1+0+0+4+16 = 32;
	 * sd = sqrt(32 / 7) = 2.138089935; cv = sd / 5 */
	static const double x[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	static const double odd[] = { 3, 1, 2 };
	struct yl_describe d;

	yl_describe(x, 8, 0.95, 1, &d);
	ck_assert_uint_eq(d.n, 8);
	ck_assert_double_eq_tol(d.median, 4.5, EPS);
	ck_assert_double_eq_tol(d.mean, 5, EPS);
	ck_assert_double_eq_tol(d.sd, 2.138089935, 1e-8);
	ck_assert_double_eq_tol(d.cv, 2.138089935 / 5, 1e-8);
	ck_assert_double_eq_tol(yl_median(odd, 3), 2, EPS);
	ck_assert(d.ci_lo <= d.median && d.median <= d.ci_hi);
	ck_assert(d.ci_lo >= 2 && d.ci_hi <= 9);
	yl_describe(x, 1, 0.95, 1, &d);		/* one value: no spread */
	ck_assert(isnan(d.sd) && isnan(d.cv));
	ck_assert_double_eq_tol(d.ci_lo, 2, EPS);
	ck_assert_double_eq_tol(d.ci_hi, 2, EPS);
}
END_TEST

/*
 * {1..9}: a resample's median is <= x_(k) when 5 or more of 9 draws are
 * among the k smallest: P = P[Bin(9, k/9) >= 5], 0.0013 for k = 1 and
 * 0.0304 for k = 2, so the 2.5% point of the bootstrap medians is x_(2)
 * and, by symmetry, the 97.5% point x_(8).
 */
START_TEST(bootstrap_exact)
{
	static const double x[] = { 5, 1, 9, 3, 7, 2, 8, 4, 6 };
	double lo, hi, lo2, hi2;

	yl_boot_median_ci(x, 9, 0.95, 7, &lo, &hi);
	ck_assert_double_eq_tol(lo, 2, EPS);
	ck_assert_double_eq_tol(hi, 8, EPS);
	yl_boot_median_ci(x, 9, 0.95, 7, &lo2, &hi2);	/* seeded: the same */
	ck_assert(lo == lo2 && hi == hi2);
}
END_TEST

/* The largest k with P[Bin(n, 1/2) <= k - 1] <= 2.5%: n = 6: 1/64 = 1.6%;
 * n = 10: P[<= 1] = 11/1024 = 1.07%, P[<= 2] = 56/1024 = 5.5%; n = 20:
 * P[<= 5] = 21700/2^20 = 2.07%, P[<= 6] = 5.8%. */
START_TEST(sign_rank)
{
	ck_assert_uint_eq(yl_sign_rank(5, 0.95), 0);	/* 2/32 > 5% */
	ck_assert_uint_eq(yl_sign_rank(6, 0.95), 1);
	ck_assert_uint_eq(yl_sign_rank(10, 0.95), 2);
	ck_assert_uint_eq(yl_sign_rank(20, 0.95), 6);
	ck_assert_uint_eq(yl_sign_rank(7, 0.99), 0);	/* 2/128 > 1% */
	ck_assert_uint_eq(yl_sign_rank(8, 0.99), 1);
}
END_TEST

START_TEST(paired)
{
	static const double base[] = { 1, 1, 1, 1, 1, 1 };
	static const double up[] = { 2, 3, 4, 5, 6, 7 };
	static const double mixed[] = { 0.5, 2, 3, 4, 5, 6 };
	struct yl_paired p;

	yl_paired(base, up, 6, 0.95, 1, &p);
	ck_assert_uint_eq(p.n, 6);
	ck_assert_double_eq_tol(p.ratio, 4.5, EPS);
	ck_assert_double_eq_tol(p.ci_lo, 2, EPS);	/* rank 1: min and max */
	ck_assert_double_eq_tol(p.ci_hi, 7, EPS);
	ck_assert_int_eq(p.verdict, YL_V_HIGHER);
	yl_paired(up, base, 6, 0.95, 1, &p);
	ck_assert_int_eq(p.verdict, YL_V_LOWER);
	yl_paired(base, mixed, 6, 0.95, 1, &p);
	ck_assert_double_eq_tol(p.ci_lo, 0.5, EPS);
	ck_assert_int_eq(p.verdict, YL_V_SAME);
	yl_paired(base, up, 5, 0.95, 1, &p);		/* too few for 95% */
	ck_assert_int_eq(p.verdict, YL_V_NONE);
	ck_assert(isnan(p.ci_lo));
}
END_TEST

static double gauss(uint64_t *st)
{
	double u1 = ((yl_rng_next(st) >> 11) + 1) * 0x1p-53;
	double u2 = (yl_rng_next(st) >> 11) * 0x1p-53;

	return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

/*
 * A/A: both cells log-normal with 30% spread.  The sign-test verdict must
 * say "different" in at most 5% of comparisons at 95% (measured: 2.2% at
 * 10 pairs, 4.2% at 20); the percentile bootstrap, which the verdict does
 * not use, says so more often (6.0-7.1%).  Seeded: the same every run.
 */
START_TEST(aa_false_positives)
{
	const unsigned int trials = 4000, n = _i;
	unsigned int t, i, fp = 0, fp_boot = 0;
	double a[20], b[20];
	uint64_t st = 42;

	for (t = 0; t < trials; t++) {
		struct yl_paired p;

		for (i = 0; i < n; i++) {
			a[i] = 100 * exp(0.3 * gauss(&st));
			b[i] = 100 * exp(0.3 * gauss(&st));
		}
		yl_paired(a, b, n, 0.95, t, &p);
		fp += p.verdict == YL_V_HIGHER || p.verdict == YL_V_LOWER;
		fp_boot += p.boot_lo > 1 || p.boot_hi < 1;
	}
	ck_assert_msg(fp <= trials / 20, "%u pairs: %u of %u A/A said different", n, fp, trials);
	ck_assert_msg(fp_boot > fp, "bootstrap %u, sign test %u", fp_boot, fp);
}
END_TEST

START_TEST(shuffle_is_permutation)
{
	unsigned int v[50], seen[50] = { 0 }, w[50], i, same = 0;
	uint64_t s1 = 5, s2 = 5, s3 = 6;

	for (i = 0; i < 50; i++)
		v[i] = w[i] = i;
	yl_shuffle(v, 50, &s1);
	for (i = 0; i < 50; i++)
		seen[v[i]]++;
	for (i = 0; i < 50; i++)
		ck_assert_uint_eq(seen[i], 1);
	yl_shuffle(w, 50, &s2);
	for (i = 0; i < 50; i++)
		ck_assert_uint_eq(v[i], w[i]);		/* same seed, same order */
	for (i = 0; i < 50; i++)
		w[i] = i;
	yl_shuffle(w, 50, &s3);
	for (i = 0; i < 50; i++)
		same += v[i] == w[i];
	ck_assert_uint_lt(same, 50);			/* another seed, another */
}
END_TEST

Suite *stats_suite(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("stats");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, median_mean_sd);
	tcase_add_test(tc, bootstrap_exact);
	tcase_add_test(tc, sign_rank);
	tcase_add_test(tc, paired);
	tcase_add_loop_test(tc, aa_false_positives, 10, 11);
	tcase_add_loop_test(tc, aa_false_positives, 20, 21);
	tcase_add_test(tc, shuffle_is_permutation);
	suite_add_tcase(s, tc);
	return s;
}
