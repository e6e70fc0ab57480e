/* SPDX-License-Identifier: GPL-2.0 */
#ifndef YL_STATS_H
#define YL_STATS_H

/*
 * The statistics compare reports: pure functions of their arguments, no
 * I/O and no global state, so tests can check them against values
 * computed by hand.  Intervals are percentile bootstraps of the median
 * with a seeded generator: the same values and seed give the same
 * interval on every machine.
 */
#include <stddef.h>
#include <stdint.h>

#define YL_BOOT_RESAMPLES	4000u

/* One cell's values of one metric. */
struct yl_describe {
	unsigned int n;
	double median, mean, sd, cv;	/* sd: the sample's (n - 1); cv = sd / mean */
	double ci_lo, ci_hi;		/* bootstrap interval of the median */
};

enum yl_verdict {
	YL_V_NONE,		/* fewer than two pairs: nothing compared */
	YL_V_SAME,		/* the interval holds 1: no difference */
	YL_V_HIGHER,		/* the interval is above 1 */
	YL_V_LOWER,		/* ... below 1 */
};

/* A cell against its baseline, repetition by repetition. */
struct yl_paired {
	unsigned int n;			/* pairs */
	double ratio;			/* median of cell / baseline */
	double ci_lo, ci_hi;		/* distribution-free interval: the verdict's */
	double boot_lo, boot_hi;	/* percentile bootstrap, for reference */
	enum yl_verdict verdict;
};

uint64_t yl_rng_next(uint64_t *state);
uint64_t yl_seed_mix(uint64_t seed, uint64_t a, uint64_t b);
void yl_shuffle(unsigned int *v, unsigned int n, uint64_t *state);
double yl_median(const double *x, unsigned int n);
void yl_boot_median_ci(const double *x, unsigned int n, double conf,
		       uint64_t seed, double *lo, double *hi);
void yl_describe(const double *x, unsigned int n, double conf, uint64_t seed,
		 struct yl_describe *d);
unsigned int yl_sign_rank(unsigned int n, double conf);
void yl_paired(const double *base, const double *cell, unsigned int n,
	       double conf, uint64_t seed, struct yl_paired *p);

#endif
