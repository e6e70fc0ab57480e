// SPDX-License-Identifier: GPL-2.0
/*
 * --sample-ms in the report: the cross-check of the last sample, the
 * per-interval rates in the JSON, and a compact time-series summary.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "out/json.h"
#include "report.h"
#include "vmm/sampler.h"

#define SPARK_COLS	40

/* The series the table summarises, where KVM has them. */
static const char *const summary_series[] = {
	"exits", "io_exits", "halt_exits", "hypercalls", "irq_injections",
	"directed_yield_attempted", "directed_yield_successful",
	"host_run_ns", "host_wait_ns",
};

/*
 * The last sample is taken after every vCPU thread ended, and each
 * thread read its own statistics last thing: the io_uring reads and the
 * threads' pread()s must agree on every sampled counter.
 */
void yl_samples_check(struct yl_report *r)
{
	const struct yl_sampler *s = r->vm->sampler;
	struct yl_check *c = &r->samp;
	unsigned int i, k, last, n = 0, bad = 0;

	c->state = -1;
	if (!s) {
		snprintf(c->text, sizeof(c->text), "no --sample-ms");
		return;
	}
	last = s->nr_ticks - 1;
	for (i = 0; i < r->vm->nr_vcpus; i++) {
		const struct yl_vcpu *v = &r->vm->vcpus[i];
		int j = yl_sample_src_of(s, v);

		if (!v->ks_valid || j < 0)
			continue;
		for (k = 0; k < s->nr_kstats; k++, n++)
			bad += yl_sample(s, last, (unsigned int)j, k) !=
			       v->ks_after[s->ks->desc[s->kidx[k]].value_idx];
	}
	if (!n) {
		snprintf(c->text, sizeof(c->text), "no vCPU read its final KVM statistics");
		return;
	}
	c->state = !bad;
	snprintf(c->text, sizeof(c->text),
		 "%u samples; the last = the vCPUs' final KVM statistics: %u values, %u differ; %" PRIu64 " failed reads",
		 s->nr_ticks, n, bad, s->failed_reads);
}

static double interval_s(const struct yl_sampler *s, unsigned int t)
{
	uint64_t dt = s->t_ns[t] - s->t_ns[t - 1];

	return dt ? (double)dt / 1e9 : 1e-9;
}

static double rate(const struct yl_sampler *s, unsigned int t, unsigned int src,
		   unsigned int k)
{
	uint64_t a = yl_sample(s, t - 1, src, k), b = yl_sample(s, t, src, k);

	return b >= a ? (double)(b - a) / interval_s(s, t) : 0.0;
}

static int find_series(const struct yl_sampler *s, const char *name)
{
	unsigned int k;

	for (k = 0; k < s->nr_series; k++)
		if (!strcmp(yl_sample_series_name(s, k), name))
			return (int)k;
	return -1;
}

/* Rates of series k summed over this VM's vCPUs, one per interval. */
static void vm_rates(const struct yl_report *r, unsigned int k, double *out)
{
	const struct yl_sampler *s = r->vm->sampler;
	unsigned int t, i;

	for (t = 1; t < s->nr_ticks; t++) {
		out[t - 1] = 0;
		for (i = 0; i < r->vm->nr_vcpus; i++) {
			int j = yl_sample_src_of(s, &r->vm->vcpus[i]);

			if (j >= 0)
				out[t - 1] += rate(s, t, (unsigned int)j, k);
		}
	}
}

/* Up to SPARK_COLS columns, each the mean of its intervals, scaled to max. */
static void sparkline(const double *v, unsigned int n, double max, char *out)
{
	static const char ramp[] = " .:-=+*#%@";
	unsigned int cols = n < SPARK_COLS ? n : SPARK_COLS, c;

	for (c = 0; c < cols; c++) {
		unsigned int a = c * n / cols, b = (c + 1) * n / cols, i;
		double sum = 0;

		for (i = a; i < b; i++)
			sum += v[i];
		sum /= (double)(b - a);
		out[c] = ramp[max > 0 ? (int)(sum / max * 9.0 + 0.5) : 0];
	}
	out[cols] = 0;
}

static void print_series(const struct yl_report *r, const char *name,
			 unsigned int k, double *v, double *sorted, FILE *f)
{
	unsigned int n = r->vm->sampler->nr_ticks - 1;
	bool ns = !strncmp(name, "host_", 5);
	double scale = ns ? 1e-6 : 1.0;	/* host ns per s: shown as ms/s */
	char spark[SPARK_COLS + 1];

	vm_rates(r, k, v);
	memcpy(sorted, v, n * sizeof(*v));
	qsort(sorted, n, sizeof(*sorted), yl_cmp_dbl);
	if (sorted[n - 1] <= 0)
		return;
	sparkline(v, n, sorted[n - 1], spark);
	fprintf(f, "  %-26s %11.1f %11.1f %11.1f %s |%s|\n", name,
		sorted[0] * scale, sorted[n / 2] * scale, sorted[n - 1] * scale,
		ns ? "ms/s" : "  /s", spark);
}

void yl_samples_print(const struct yl_report *r, FILE *f)
{
	const struct yl_sampler *s = r->vm->sampler;
	unsigned int i, n;
	double *v, *sorted;

	if (!s || s->nr_ticks < 2)
		return;
	n = s->nr_ticks - 1;
	v = calloc(n, sizeof(*v));
	sorted = calloc(n, sizeof(*sorted));
	fprintf(f, "\ntime series: %u intervals of %u ms%s (summed over vCPUs; rows with any activity)\n",
		n, s->interval_ms, s->truncated ? ", truncated: out of room" : "");
	fprintf(f, "  %-26s %11s %11s %11s %4s  trend (max = @)\n", "series", "min", "p50", "max", "");
	for (i = 0; v && sorted && i < ARRAY_SIZE(summary_series); i++) {
		int k = find_series(s, summary_series[i]);

		if (k >= 0)
			print_series(r, summary_series[i], (unsigned int)k, v, sorted, f);
	}
	free(v);
	free(sorted);
}

static void json_vcpu_rates(struct yj *j, const struct yl_sampler *s,
			    unsigned int src)
{
	unsigned int k, t;

	yj_obj(j, "first");		/* rates sum to last - first */
	for (k = 0; k < s->nr_series; k++)
		yj_u64(j, yl_sample_series_name(s, k), yl_sample(s, 0, src, k));
	yj_obj_end(j);
	yj_obj(j, "rates_per_s");
	for (k = 0; k < s->nr_series; k++) {
		yj_arr(j, yl_sample_series_name(s, k));
		for (t = 1; t < s->nr_ticks; t++)
			yj_dbl(j, NULL, rate(s, t, src, k));
		yj_arr_end(j);
	}
	yj_obj_end(j);
}

void yl_samples_json(struct yj *j, const struct yl_report *r)
{
	const struct yl_sampler *s = r->vm->sampler;
	unsigned int i, k, t;

	if (!s) {
		yj_null(j, "samples");
		return;
	}
	yj_obj(j, "samples");
	yj_u64(j, "interval_ms", s->interval_ms);
	yj_u64(j, "samples", s->nr_ticks);
	yj_bool(j, "truncated", s->truncated);
	yj_u64(j, "failed_reads", s->failed_reads);
	yj_arr(j, "t_ms");
	for (t = 0; t < s->nr_ticks; t++)
		yj_dbl(j, NULL, (double)s->t_ns[t] / 1e6);
	yj_arr_end(j);
	yj_arr(j, "series");
	for (k = 0; k < s->nr_series; k++)
		yj_str(j, NULL, yl_sample_series_name(s, k));
	yj_arr_end(j);
	yj_arr(j, "vcpus");
	for (i = 0; i < r->vm->nr_vcpus; i++) {
		int src = yl_sample_src_of(s, &r->vm->vcpus[i]);

		yj_obj(j, NULL);
		yj_u64(j, "vcpu", i);
		if (src >= 0)
			json_vcpu_rates(j, s, (unsigned int)src);
		yj_obj_end(j);
	}
	yj_arr_end(j);
	yj_obj_end(j);
}
