// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics for compare (see stats.h).  Why these: run-to-run spread on a
 * shared or emulated host is neither normal nor constant (slow stretches
 * of several seconds), so every claim rests on medians, and intervals
 * come from the bootstrap, which assumes nothing about the shape.  A cell
 * is judged against its baseline on paired repetitions, one pair per
 * round, so a slow stretch that hits both halves of a pair cancels out.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stats.h"
#include "lib/util.h"

/* splitmix64: tiny, fast, and its output is the same on every machine. */
uint64_t yl_rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A seed for one stream (a round's order, a cell's bootstrap). */
uint64_t yl_seed_mix(uint64_t seed, uint64_t a, uint64_t b)
{
	uint64_t s = seed ^ (a * 0x9e3779b97f4a7c15ull);

	yl_rng_next(&s);
	s ^= b * 0xc2b2ae3d27d4eb4full;
	return yl_rng_next(&s);
}

/* Uniform in [0, n): the top bits of a 128-bit product (Lemire). */
static unsigned int below(uint64_t *state, unsigned int n)
{
	return (unsigned int)(((unsigned __int128)yl_rng_next(state) * n) >> 64);
}

/* Fisher-Yates. */
void yl_shuffle(unsigned int *v, unsigned int n, uint64_t *state)
{
	unsigned int i, j, t;

	for (i = n; i > 1; i--) {
		j = below(state, i);
		t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

/* Insertion sort: n is a number of repetitions, tens at most. */
static void sort_small(double *x, unsigned int n)
{
	unsigned int i, j;

	for (i = 1; i < n; i++) {
		double v = x[i];

		for (j = i; j > 0 && x[j - 1] > v; j--)
			x[j] = x[j - 1];
		x[j] = v;
	}
}

static double median_sorted(const double *x, unsigned int n)
{
	if (!n)
		return NAN;
	return n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
}

double yl_median(const double *x, unsigned int n)
{
	double *s, m;

	if (!n)
		return NAN;
	s = malloc(n * sizeof(*s));
	if (!s)
		return NAN;
	memcpy(s, x, n * sizeof(*s));
	qsort(s, n, sizeof(*s), yl_cmp_dbl);
	m = median_sorted(s, n);
	free(s);
	return m;
}

/*
 * Percentile bootstrap of the median: YL_BOOT_RESAMPLES resamples with
 * replacement, their medians sorted, the (1 - conf) / 2 and (1 + conf) / 2
 * quantiles taken as the order statistics floor(q B) and ceil(q B) - 1.
 */
void yl_boot_median_ci(const double *x, unsigned int n, double conf,
		       uint64_t seed, double *lo, double *hi)
{
	const unsigned int b = YL_BOOT_RESAMPLES;
	double *med, *res;
	uint64_t st = seed;
	unsigned int r, i, klo, khi;

	*lo = *hi = NAN;
	if (!n)
		return;
	med = malloc(b * sizeof(*med));
	res = malloc(n * sizeof(*res));
	if (!med || !res)
		goto out;
	for (r = 0; r < b; r++) {
		for (i = 0; i < n; i++)
			res[i] = x[below(&st, n)];
		sort_small(res, n);
		med[r] = median_sorted(res, n);
	}
	qsort(med, b, sizeof(*med), yl_cmp_dbl);
	klo = (unsigned int)floor((1 - conf) / 2 * b);
	khi = (unsigned int)ceil((1 + conf) / 2 * b) - 1;
	*lo = med[klo];
	*hi = med[khi < b ? khi : b - 1];
out:
	free(med);
	free(res);
}

void yl_describe(const double *x, unsigned int n, double conf, uint64_t seed,
		 struct yl_describe *d)
{
	double s = 0, ss = 0;
	unsigned int i;

	memset(d, 0, sizeof(*d));
	d->n = n;
	d->median = yl_median(x, n);
	for (i = 0; i < n; i++)
		s += x[i];
	d->mean = n ? s / n : NAN;
	for (i = 0; i < n; i++)
		ss += (x[i] - d->mean) * (x[i] - d->mean);
	d->sd = n > 1 ? sqrt(ss / (n - 1)) : NAN;
	d->cv = n > 1 && d->mean != 0 ? d->sd / fabs(d->mean) : NAN;
	yl_boot_median_ci(x, n, conf, seed, &d->ci_lo, &d->ci_hi);
}

/*
 * The rank k of the distribution-free interval [x_(k), x_(n+1-k)] of the
 * median (the sign test inverted): the largest k with P[Bin(n, 1/2) < k]
 * <= (1 - conf) / 2, so the interval covers the median with probability
 * at least conf whatever the distribution.  0: n is too small for conf
 * (fewer than 6 at 95%).
 */
unsigned int yl_sign_rank(unsigned int n, double conf)
{
	double tail = 0, term = ldexp(1.0, -(int)n);	/* P[Bin = 0] */
	unsigned int k;

	for (k = 0; k < n; k++) {
		tail += term;			/* P[Bin <= k] */
		if (tail > (1 - conf) / 2)
			return k;
		term = term * (n - k) / (k + 1);
	}
	return 0;
}

/*
 * Pairs (base[i], cell[i]) of one round each; a pair whose baseline is
 * not positive has no ratio and is left out.  The verdict rests on the
 * sign-test interval of the median ratio, not on the bootstrap: in 20000
 * simulated A/A comparisons (log-normal values, 6 to 20 pairs) the
 * percentile bootstrap's 95% interval excluded 1 in 6.0-7.1% of them, the
 * sign-test interval in 0.7-4.2%, as its construction promises
 * (tests/unit/test_stats.c repeats this).
 */
void yl_paired(const double *base, const double *cell, unsigned int n,
	       double conf, uint64_t seed, struct yl_paired *p)
{
	double *r = malloc((n ? n : 1) * sizeof(*r));
	unsigned int i, k = 0;

	memset(p, 0, sizeof(*p));
	p->ratio = p->ci_lo = p->ci_hi = NAN;
	if (!r)
		return;
	for (i = 0; i < n; i++)
		if (base[i] > 0 && isfinite(cell[i]))
			r[k++] = cell[i] / base[i];
	p->n = k;
	p->boot_lo = p->boot_hi = NAN;
	if (k) {
		unsigned int rank = yl_sign_rank(k, conf);

		qsort(r, k, sizeof(*r), yl_cmp_dbl);
		p->ratio = median_sorted(r, k);
		yl_boot_median_ci(r, k, conf, seed, &p->boot_lo, &p->boot_hi);
		if (rank) {
			p->ci_lo = r[rank - 1];
			p->ci_hi = r[k - rank];
		}
	}
	if (!k || !yl_sign_rank(k, conf))
		p->verdict = YL_V_NONE;
	else if (p->ci_lo > 1)
		p->verdict = YL_V_HIGHER;
	else if (p->ci_hi < 1)
		p->verdict = YL_V_LOWER;
	else
		p->verdict = YL_V_SAME;
	free(r);
}
