// SPDX-License-Identifier: GPL-2.0
/*
 * compare's CSV files: runs.csv, one row per run, and cells.csv, one row
 * per cell, every metric a group of columns (docs/compare.md).
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "compare.h"
#include "lib/safeio.h"

/*
 * A string field: quoted where it holds a comma, quote or line break; one
 * that a spreadsheet would take for a formula (=, +, -, @ first) is
 * quoted with a leading ' so that it stays text (OWASP's CSV injection).
 */
static void csv_str(FILE *f, const char *v)
{
	bool formula = *v && strchr("=+-@\t\r", *v) && strspn(v, "+-0123456789.eE") != strlen(v);

	if (!formula && !strpbrk(v, ",\"\n\r")) {
		fputs(v, f);
		return;
	}
	fputs(formula ? "\"'" : "\"", f);
	for (; *v; v++) {
		if (*v == '"')
			fputc('"', f);
		fputc(*v, f);
	}
	fputc('"', f);
}

static void csv_num(FILE *f, double x)
{
	if (isfinite(x))
		fprintf(f, ",%.10g", x);
	else
		fputc(',', f);
}

static void csv_axes_head(const struct yl_sweep *s, FILE *f)
{
	unsigned int a;

	for (a = 0; a < s->plan.nr_axes; a++)
		fprintf(f, ",%s", yl_axis_name(&s->plan.axes[a]));
}

static void csv_axes(const struct yl_sweep *s, FILE *f, unsigned int c)
{
	unsigned int a;

	for (a = 0; a < s->plan.nr_axes; a++) {
		fputc(',', f);
		csv_str(f, s->plan.axes[a].vals[yl_plan_value(&s->plan, c, a)]);
	}
}

int yl_write_runs_csv(const struct yl_sweep *s, const char *path)
{
	static const char *const st[] = { "missing", "ok", "failed" };
	char key[64], label[512];
	unsigned int k, m, w;
	FILE *f = yl_fopen_write(path);

	if (!f)
		return -1;
	fputs("run,round,cell,label", f);
	csv_axes_head(s, f);
	fputs(",status,attempts,exit_code,start,wall_s,hostname,kernel,kvm_module,yieldlab_version,loadavg_1m,dir", f);
	for (m = 0; m < YL_M_NR; m++)
		if (s->have[m]) {
			yl_metric_key(m, key, sizeof(key));
			fprintf(f, ",%s", key);
		}
	fputs(",warnings\n", f);
	for (k = 0; k < s->plan.nr_runs; k++) {
		const struct yl_run_rec *r = &s->runs[k];
		unsigned int c = s->plan.order[k];

		yl_plan_label(&s->plan, c, label, sizeof(label));
		fprintf(f, "%u,%u,%u,", k, yl_plan_round(&s->plan, k), c);
		csv_str(f, label);
		csv_axes(s, f, c);
		fprintf(f, ",%s,%u,%d,%s", st[r->status], r->attempts, r->exit_code, r->start);
		csv_num(f, r->wall_s);
		fputc(',', f);
		csv_str(f, r->hostname);
		fputc(',', f);
		csv_str(f, r->kernel);
		fprintf(f, ",%s,", r->kvm_module);
		csv_str(f, r->version);
		csv_num(f, r->loadavg);
		fputc(',', f);
		csv_str(f, r->dir);
		for (m = 0; m < YL_M_NR; m++)
			if (s->have[m])
				csv_num(f, r->v[m]);
		fputc(',', f);
		for (w = 0; w < r->nr_warn; w++)
			fprintf(f, "%s%s", w ? " " : "", r->warn[w]);
		fputc('\n', f);
	}
	return fclose(f);
}

int yl_write_cells_csv(const struct yl_sweep *s, const char *path)
{
	char key[64], label[512], note[512];
	unsigned int c, m;
	FILE *f = yl_fopen_write(path);

	if (!f)
		return -1;
	fputs("cell,label", f);
	csv_axes_head(s, f);
	fputs(",runs_ok,runs_failed,runs_missing,oversub", f);
	for (m = 0; m < YL_M_NR; m++) {
		if (!s->have[m])
			continue;
		yl_metric_key(m, key, sizeof(key));
		fprintf(f, ",%s_n,%s_median,%s_mean,%s_sd,%s_cv,%s_ci_lo,%s_ci_hi,%s_ratio,%s_ratio_ci_lo,%s_ratio_ci_hi,%s_pairs,%s_verdict",
			key, key, key, key, key, key, key, key, key, key, key, key);
	}
	fputs(",notes\n", f);
	for (c = 0; c < s->plan.nr_cells; c++) {
		const struct yl_cell *cell = &s->cells[c];

		yl_plan_label(&s->plan, c, label, sizeof(label));
		fprintf(f, "%u,", c);
		csv_str(f, label);
		csv_axes(s, f, c);
		fprintf(f, ",%u,%u,%u", cell->n_ok, cell->n_failed, cell->n_missing);
		csv_num(f, cell->oversub);
		for (m = 0; m < YL_M_NR; m++) {
			const struct yl_describe *d = &cell->d[m];
			const struct yl_paired *v = &cell->vs[m];
			/* the baseline has no ratio to itself: empty, not 0 */
			bool none = !v->n || yl_plan_baseline_of(&s->plan, c) == c;

			if (!s->have[m])
				continue;
			fprintf(f, ",%u", d->n);
			csv_num(f, d->median);
			csv_num(f, d->mean);
			csv_num(f, d->sd);
			csv_num(f, d->cv);
			csv_num(f, d->ci_lo);
			csv_num(f, d->ci_hi);
			csv_num(f, none ? NAN : v->ratio);
			csv_num(f, none ? NAN : v->ci_lo);
			csv_num(f, none ? NAN : v->ci_hi);
			fprintf(f, ",%u,%s", v->n, yl_verdict_word(s, c, m));
		}
		yl_cell_notes(s, c, note, sizeof(note));
		fputc(',', f);
		csv_str(f, note);
		fputc('\n', f);
	}
	return fclose(f);
}
