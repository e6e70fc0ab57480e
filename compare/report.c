// SPDX-License-Identifier: GPL-2.0
/*
 * compare's report: the runs of one plan (from one directory, or several
 * for merge) reduced to per-cell statistics and verdicts against the
 * baseline, written as a Markdown table (also on the terminal), runs.csv,
 * cells.csv, summary.json (docs/schema/compare-summary.json), plots and
 * report.html.  A pure function of the run files and the plan: merge of
 * the same runs gives the same summary, byte for byte.
 */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yieldlab/abi.h>
#include "compare.h"
#include "lib/safeio.h"

#define SEED_DESCRIBE	2
#define SEED_PAIRED	3

int yl_sweep_load(struct yl_sweep *s, const char *const *dirs, unsigned int nr,
		  struct yl_err *err)
{
	char path[PATH_MAX], *text;
	unsigned int d, k;

	memset(s, 0, sizeof(*s));
	snprintf(path, sizeof(path), "%s/plan", dirs[0]);
	s->plan_text = yl_read_file(path, 1u << 20);
	if (!s->plan_text || yl_plan_load(&s->plan, path, err))
		return s->plan_text ? -1 : yl_usagef(err, "%s: %s (not a compare directory)",
						   path, strerror(errno));
	for (d = 1; d < nr; d++) {
		snprintf(path, sizeof(path), "%s/plan", dirs[d]);
		text = yl_read_file(path, 1u << 20);
		if (!text || strcmp(text, s->plan_text)) {
			free(text);
			return yl_usagef(err, "merge: %s holds another plan than %s; allowed: directories of one plan",
				       dirs[d], dirs[0]);
		}
		free(text);
	}
	s->runs = calloc(s->plan.nr_runs, sizeof(*s->runs));
	s->cells = calloc(s->plan.nr_cells, sizeof(*s->cells));
	if (!s->runs || !s->cells)
		return yl_errf(err, "compare: out of memory");
	s->run_at = malloc(s->plan.nr_runs * sizeof(*s->run_at));
	if (!s->run_at)
		return yl_errf(err, "compare: out of memory");
	for (k = 0; k < s->plan.nr_runs; k++)
		yl_run_rec_init(&s->runs[k]);
	for (d = 0; d < nr && d < YL_MAX_PATHS; d++) {
		s->dirs[s->nr_dirs++] = dirs[d];
		for (k = 0; k < s->plan.nr_runs; k++) {
			struct yl_run_rec r;

			if (s->runs[k].status != YL_RUN_MISSING)
				continue;	/* the first directory's copy wins */
			snprintf(path, sizeof(path), "%s/runs/%05u", dirs[d], k);
			yl_run_rec_init(&r);
			if (!yl_read_meta(&r, path, k, s->plan.order[k]))
				s->runs[k] = r;
		}
	}
	return 0;
}

void yl_sweep_free(struct yl_sweep *s)
{
	yl_plan_free(&s->plan);
	free(s->plan_text);
	free(s->runs);
	free(s->cells);
	free(s->run_at);
}

unsigned int yl_sweep_failed(const struct yl_sweep *s)
{
	unsigned int k, n = 0;

	for (k = 0; k < s->plan.nr_runs; k++)
		n += s->runs[k].status == YL_RUN_FAILED;
	return n;
}

/* The run of @cell in round @r. */
static const struct yl_run_rec *run_of(const struct yl_sweep *s, unsigned int cell,
				       unsigned int r)
{
	return &s->runs[s->run_at[cell * s->plan.reps + r]];
}

static void add_warnings(struct yl_cell *c, const struct yl_run_rec *r)
{
	unsigned int i, k;

	for (i = 0; i < r->nr_warn; i++) {
		for (k = 0; k < c->nr_warn && strcmp(c->warn[k], r->warn[i]); k++)
			;
		if (k == c->nr_warn && k < YL_RUN_MAX_WARN)
			snprintf(c->warn[c->nr_warn++], sizeof(c->warn[0]), "%s", r->warn[i]);
		if (k < c->nr_warn)
			c->warn_runs[k]++;
	}
}

static void analyze_cell(struct yl_sweep *s, unsigned int c, double *x, double *y)
{
	const struct yl_plan *p = &s->plan;
	const struct yl_run_rec *first = NULL;
	struct yl_cell *cell = &s->cells[c];
	unsigned int b = yl_plan_baseline_of(p, c), m, r, n, np;
	double conf = p->confidence / 100.0;

	for (r = 0; r < p->reps; r++) {
		const struct yl_run_rec *run = run_of(s, c, r);

		cell->n_ok += run->status == YL_RUN_OK;
		cell->n_failed += run->status == YL_RUN_FAILED;
		cell->n_missing += run->status == YL_RUN_MISSING;
		if (run->status != YL_RUN_OK)
			continue;
		add_warnings(cell, run);
		if (!first)
			first = run;
		else if (strcmp(first->hostname, run->hostname) ||
			 strcmp(first->kernel, run->kernel))
			cell->mixed_hosts = true;
	}
	cell->oversub = first ? first->oversub : NAN;
	for (m = 0; m < YL_M_NR; m++) {
		for (r = n = np = 0; r < p->reps; r++) {
			const struct yl_run_rec *run = run_of(s, c, r), *base = run_of(s, b, r);

			if (run->status == YL_RUN_OK && !isnan(run->v[m]))
				x[n++] = run->v[m];
			if (run->status == YL_RUN_OK && base->status == YL_RUN_OK &&
			    !isnan(run->v[m]) && !isnan(base->v[m])) {
				y[np] = base->v[m];
				y[p->reps + np++] = run->v[m];
			}
		}
		yl_describe(x, n, conf, yl_seed_mix(p->seed, SEED_DESCRIBE, c * YL_M_NR + m),
			    &cell->d[m]);
		s->have[m] |= n > 0;
		if (b != c)
			yl_paired(y, y + p->reps, np, conf,
				  yl_seed_mix(p->seed, SEED_PAIRED, c * YL_M_NR + m), &cell->vs[m]);
	}
}

void yl_sweep_analyze(struct yl_sweep *s)
{
	double *x = malloc(s->plan.reps * sizeof(*x));
	double *y = malloc(2 * s->plan.reps * sizeof(*y));
	unsigned int c, k;

	if (!x || !y)
		goto out;
	/* after merge --baseline, which renumbers the cells */
	for (k = 0; k < s->plan.nr_runs; k++)
		s->run_at[s->plan.order[k] * s->plan.reps + yl_plan_round(&s->plan, k)] = k;
	for (c = 0; c < s->plan.nr_cells; c++)
		analyze_cell(s, c, x, y);
	s->primary = s->have[YL_M_LOCK_OPS] || !s->have[YL_M_IPI_OPS] ?
		YL_M_LOCK_OPS : YL_M_IPI_OPS;
out:
	free(x);
	free(y);
}

/* ------------------------------------------------------------ words */
const char *yl_verdict_word(const struct yl_sweep *s, unsigned int c,
				unsigned int m)
{
	const struct yl_paired *v = &s->cells[c].vs[m];
	int better = yl_metric_better(m);

	if (s->plan.cmp_axis < 0)
		return "";
	if (yl_plan_baseline_of(&s->plan, c) == c)
		return "baseline";
	switch (v->verdict) {
	case YL_V_NONE:
		return "too few pairs";
	case YL_V_SAME:
		return "no difference";
	case YL_V_HIGHER:
		return better > 0 ? "better" : better < 0 ? "worse" : "higher";
	case YL_V_LOWER:
		return better > 0 ? "worse" : better < 0 ? "better" : "lower";
	}
	return "";
}

static void fmt(char *buf, size_t len, double x)
{
	if (isnan(x))
		snprintf(buf, len, "-");
	else if (fabs(x) >= 1000)
		snprintf(buf, len, "%.0f", x);
	else
		snprintf(buf, len, "%.3g", x);
}

/* A metric's value for a table: times in ns scaled to a readable unit. */
static void fmt_metric(char *buf, size_t len, unsigned int m, double x)
{
	static const struct { double div; const char *unit; } u[] = {
		{ 1e9, "s" }, { 1e6, "ms" }, { 1e3, "us" },
	};
	char key[64];
	size_t n;
	unsigned int k;

	yl_metric_key(m, key, sizeof(key));
	n = strlen(key);
	if (isnan(x) || n < 3 || strcmp(key + n - 3, "_ns")) {
		fmt(buf, len, x);
		return;
	}
	for (k = 0; k < ARRAY_SIZE(u); k++)
		if (fabs(x) >= u[k].div) {
			snprintf(buf, len, "%.3g %s", x / u[k].div, u[k].unit);
			return;
		}
	snprintf(buf, len, "%.3g ns", x);
}

void yl_cell_notes(const struct yl_sweep *s, unsigned int c, char *buf, size_t len)
{
	const struct yl_cell *cell = &s->cells[c];
	size_t n = 0;
	unsigned int k;

	buf[0] = 0;
	for (k = 0; k < cell->nr_warn && n < len; k++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s %u/%u", n ? ", " : "",
				      cell->warn[k], cell->warn_runs[k], cell->n_ok);
	if (cell->n_failed && n < len)
		n += (size_t)snprintf(buf + n, len - n, "%s%u failed", n ? ", " : "",
				      cell->n_failed);
	if (cell->n_missing && n < len)
		n += (size_t)snprintf(buf + n, len - n, "%s%u not run", n ? ", " : "",
				      cell->n_missing);
	if (cell->mixed_hosts && n < len)
		snprintf(buf + n, len - n, "%smixed hosts or kernels", n ? ", " : "");
}

static void baseline_label(const struct yl_sweep *s, char *buf, size_t len)
{
	const struct yl_plan *p = &s->plan;

	if (p->cmp_axis < 0) {
		snprintf(buf, len, "-");
		return;
	}
	snprintf(buf, len, "%s=", yl_axis_name(&p->axes[p->cmp_axis]));
	yl_plan_value_label(p, (unsigned int)p->cmp_axis, p->base_val,
			    buf + strlen(buf), len - strlen(buf));
}

/* ------------------------------------------------------------ Markdown */
static void md_main(const struct yl_sweep *s, FILE *f)
{
	unsigned int m = s->primary, c, pct = s->plan.confidence;
	char title[64], base[300], label[512], a[32], b[32], d[32], e[32], g[32],
	     h[32], note[512];

	yl_metric_title(m, title, sizeof(title));
	baseline_label(s, base, sizeof(base));
	fprintf(f, "| cell | runs | %s median | %u%% CI | CV | vs %s | %u%% CI | verdict | notes |\n",
		title, pct, base, pct);
	fputs("|---|---:|---:|---|---:|---:|---|---|---|\n", f);
	for (c = 0; c < s->plan.nr_cells; c++) {
		const struct yl_cell *cell = &s->cells[c];
		const struct yl_describe *x = &cell->d[m];
		const struct yl_paired *v = &cell->vs[m];
		bool is_base = yl_plan_baseline_of(&s->plan, c) == c;

		yl_plan_label(&s->plan, c, label, sizeof(label));
		fmt(a, sizeof(a), x->median);
		fmt(b, sizeof(b), x->ci_lo);
		fmt(d, sizeof(d), x->ci_hi);
		fmt(e, sizeof(e), x->cv);
		fmt(g, sizeof(g), v->ci_lo);
		fmt(h, sizeof(h), v->ci_hi);
		yl_cell_notes(s, c, note, sizeof(note));
		fprintf(f, "| %s | %u/%u | %s | %s..%s | %s | ", label, cell->n_ok,
			s->plan.reps, a, b, d, e);
		if (is_base || s->plan.cmp_axis < 0 || !v->n)
			fprintf(f, "- | - | %s | %s |\n", yl_verdict_word(s, c, m), note);
		else
			fprintf(f, "%.3fx | %s..%s | %s | %s |\n", v->ratio, g, h,
				yl_verdict_word(s, c, m), note);
	}
}

/* Every other metric: median, and ratio and verdict against the baseline. */
static void md_metrics(const struct yl_sweep *s, FILE *f)
{
	char title[64], label[512], a[32];
	unsigned int m, c;

	fputs("| cell |", f);
	for (m = 0; m < YL_M_NR; m++)
		if (s->have[m] && m != s->primary) {
			yl_metric_title(m, title, sizeof(title));
			if (!strcmp(title + strlen(title) - 3, " ns"))
				title[strlen(title) - 3] = 0;	/* the values carry units */
			fprintf(f, " %s |", title);
		}
	fputs("\n|---|", f);
	for (m = 0; m < YL_M_NR; m++)
		if (s->have[m] && m != s->primary)
			fputs("---:|", f);
	fputc('\n', f);
	for (c = 0; c < s->plan.nr_cells; c++) {
		yl_plan_label(&s->plan, c, label, sizeof(label));
		fprintf(f, "| %s |", label);
		for (m = 0; m < YL_M_NR; m++) {
			const struct yl_paired *v = &s->cells[c].vs[m];

			if (!s->have[m] || m == s->primary)
				continue;
			fmt_metric(a, sizeof(a), m, s->cells[c].d[m].median);
			if (v->n && yl_plan_baseline_of(&s->plan, c) != c)
				fprintf(f, " %s (%.2fx %s) |", a, v->ratio, yl_verdict_word(s, c, m));
			else
				fprintf(f, " %s |", a);
		}
		fputc('\n', f);
	}
}

/* The fewest pairs a verdict at @pct can rest on. */
static unsigned int min_pairs(unsigned int pct)
{
	unsigned int n = 1;

	while (!yl_sign_rank(n, pct / 100.0) && n < 64)
		n++;
	return n;
}

/* One sentence per cell: the answer the sweep was for. */
static void md_answer(const struct yl_sweep *s, FILE *f)
{
	unsigned int m = s->primary, c;
	char title[64], label[512], base[300];

	if (s->plan.cmp_axis < 0) {
		fputs("\nNothing compared: no option has two or more values.\n", f);
		return;
	}
	yl_metric_title(m, title, sizeof(title));
	baseline_label(s, base, sizeof(base));
	fputc('\n', f);
	for (c = 0; c < s->plan.nr_cells; c++) {
		const struct yl_paired *v = &s->cells[c].vs[m];

		if (yl_plan_baseline_of(&s->plan, c) == c)
			continue;
		yl_plan_label(&s->plan, c, label, sizeof(label));
		if (v->verdict == YL_V_NONE)
			fprintf(f, "- %s: %u paired runs with %s, %u needed for a %u%% verdict: nothing compared.\n",
				label, v->n, base, min_pairs(s->plan.confidence), s->plan.confidence);
		else
			fprintf(f, "- %s: %.3fx the %s of %s (%u%% CI %.3f..%.3f, %u pairs): %s.\n",
				label, v->ratio, title, base, s->plan.confidence, v->ci_lo,
				v->ci_hi, v->n, yl_verdict_word(s, c, m));
	}
}

/*
 * Where the numbers came from, for a person to quote with them: each
 * host the runs ran on as their own JSON names it, the period they ran
 * in, and the sweep as one compare command.  Only what the run files and
 * the plan say, so merge writes the same summary.
 */
static void md_provenance(const struct yl_sweep *s, FILE *f)
{
	const char *argv[2 * YL_MAX_AXES * YL_MAX_AXIS_VALUES + 16];
	static char lists[YL_PLAN_ARGS_BYTES];
	const char *first = NULL, *last = NULL;
	unsigned int k, j;
	int n, i;

	for (k = 0; k < s->plan.nr_runs; k++) {
		const struct yl_run_rec *r = &s->runs[k];

		if (r->status == YL_RUN_MISSING || !*r->start)
			continue;
		if (!first || strcmp(r->start, first) < 0)
			first = r->start;
		if (!last || strcmp(r->start, last) > 0)
			last = r->start;
		for (j = 0; j < k; j++)
			if (s->runs[j].status != YL_RUN_MISSING &&
			    !strcmp(s->runs[j].hostname, r->hostname) &&
			    !strcmp(s->runs[j].kernel, r->kernel) &&
			    !strcmp(s->runs[j].kvm_module, r->kvm_module))
				break;
		if (j < k)
			continue;
		fprintf(f, "Runs on %s (%s, %u cores), Linux %s, KVM %s, yieldlab %s.%s%s\n",
			r->hostname, *r->cpu_model ? r->cpu_model : "CPU not recorded",
			r->cores, r->kernel, r->kvm_module, r->version,
			*r->caveats ? " Caveats: " : "", r->caveats);
	}
	if (first)
		fprintf(f, "Started from %s to %s.\n", first, last);
	n = yl_plan_args(&s->plan, argv, (int)ARRAY_SIZE(argv), lists, sizeof(lists));
	fputs("Sweep: `yieldlab compare", f);
	for (i = 0; i < n; i++) {
		fputc(' ', f);
		yl_shell_quote(f, argv[i]);
	}
	fputs("`\n\n", f);
}

/*
 * The report: the main table and the answers; @full adds the table of
 * every metric, which is too wide for a terminal (summary.md has it).
 */
static void md_report(const struct yl_sweep *s, FILE *f, bool full)
{
	fprintf(f, "## yieldlab compare: %u cells x %u reps, seed %llu\n\n"
		"%u%% intervals: of a cell's median, bootstrap; against the baseline, the sign-test interval of the median ratio of paired runs (one pair per round), which decides the verdict.\n\n",
		s->plan.nr_cells, s->plan.reps, (unsigned long long)s->plan.seed,
		s->plan.confidence);
	md_provenance(s, f);
	md_main(s, f);
	md_answer(s, f);
	if (!full) {
		fputs("\nEvery metric, per cell: summary.md, cells.csv and report.html.\n", f);
		return;
	}
	fputs("\nEvery metric: median (ratio of paired runs to the baseline's, verdict)\n\n", f);
	md_metrics(s, f);
}

/* ------------------------------------------------------------ JSON */
static json_t *jnum(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static json_t *j_plan(const struct yl_sweep *s)
{
	const struct yl_plan *p = &s->plan;
	json_t *axes = json_array(), *o;
	unsigned int a, v;

	for (a = 0; a < p->nr_axes; a++) {
		json_t *vals = json_array();

		for (v = 0; v < p->axes[a].nr; v++)
			json_array_append_new(vals, json_string(p->axes[a].vals[v]));
		json_array_append_new(axes, json_pack("{s:s, s:o}", "option",
						      yl_opts[p->axes[a].opt].name, "values", vals));
	}
	o = json_pack("{s:o, s:i, s:I, s:i, s:i, s:i, s:s}", "axes", axes,
		      "reps", p->reps, "seed", (json_int_t)p->seed,
		      "confidence_pct", p->confidence, "cells", p->nr_cells,
		      "runs", p->nr_runs, "text", s->plan_text);
	if (p->cmp_axis >= 0)
		json_object_set_new(o, "compared", json_pack("{s:s, s:s}", "option",
			yl_opts[p->axes[p->cmp_axis].opt].name, "baseline",
			p->axes[p->cmp_axis].vals[p->base_val]));
	else
		json_object_set_new(o, "compared", json_null());
	return o;
}

static json_t *j_metric(const struct yl_sweep *s, unsigned int c, unsigned int m)
{
	const struct yl_describe *d = &s->cells[c].d[m];
	const struct yl_paired *v = &s->cells[c].vs[m];
	json_t *o = json_pack("{s:i, s:o, s:o, s:o, s:o, s:[o,o]}", "n", d->n,
			      "median", jnum(d->median), "mean", jnum(d->mean),
			      "sd", jnum(d->sd), "cv", jnum(d->cv), "ci",
			      jnum(d->ci_lo), jnum(d->ci_hi));

	if (s->plan.cmp_axis >= 0 && yl_plan_baseline_of(&s->plan, c) != c)
		json_object_set_new(o, "vs_baseline", json_pack("{s:i, s:o, s:[o,o], s:[o,o], s:s}",
			"pairs", v->n, "ratio", jnum(v->ratio), "ci", jnum(v->ci_lo),
			jnum(v->ci_hi), "bootstrap_ci", jnum(v->boot_lo), jnum(v->boot_hi),
			"verdict", yl_verdict_word(s, c, m)));
	return o;
}

static json_t *j_cell(const struct yl_sweep *s, unsigned int c)
{
	const struct yl_cell *cell = &s->cells[c];
	json_t *values = json_object(), *metrics = json_object(), *warn = json_object();
	char label[512], key[64];
	unsigned int a, m;

	yl_plan_label(&s->plan, c, label, sizeof(label));
	for (a = 0; a < s->plan.nr_axes; a++)
		json_object_set_new(values, yl_opts[s->plan.axes[a].opt].name,
			json_string(s->plan.axes[a].vals[yl_plan_value(&s->plan, c, a)]));
	for (m = 0; m < YL_M_NR; m++)
		if (s->have[m]) {
			yl_metric_key(m, key, sizeof(key));
			json_object_set_new(metrics, key, j_metric(s, c, m));
		}
	for (a = 0; a < cell->nr_warn; a++)
		json_object_set_new(warn, cell->warn[a], json_integer(cell->warn_runs[a]));
	return json_pack("{s:i, s:s, s:o, s:i, s:i, s:i, s:i, s:b, s:o, s:o, s:o}",
			 "cell", c, "label", label, "values", values,
			 "baseline_cell", yl_plan_baseline_of(&s->plan, c),
			 "runs_ok", cell->n_ok, "runs_failed", cell->n_failed,
			 "runs_missing", cell->n_missing, "mixed_hosts", cell->mixed_hosts,
			 "oversub", jnum(cell->oversub), "warnings", warn,
			 "metrics", metrics);
}

static json_t *j_hosts(const struct yl_sweep *s)
{
	json_t *hosts = json_array(), *h;
	unsigned int k;
	size_t i;

	for (k = 0; k < s->plan.nr_runs; k++) {
		const struct yl_run_rec *r = &s->runs[k];
		bool seen = false;

		if (r->status == YL_RUN_MISSING)
			continue;
		json_array_foreach(hosts, i, h)
			seen |= !strcmp(json_string_value(json_object_get(h, "hostname")), r->hostname) &&
				!strcmp(json_string_value(json_object_get(h, "kernel")), r->kernel) &&
				!strcmp(json_string_value(json_object_get(h, "kvm_module")), r->kvm_module);
		if (!seen)
			json_array_append_new(hosts, json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:s}",
				"hostname", r->hostname, "kernel", r->kernel,
				"kvm_module", r->kvm_module, "cpu_model", r->cpu_model,
				"cores", (int)r->cores, "caveats", r->caveats,
				"yieldlab_version", r->version));
	}
	return hosts;
}

static int write_summary_json(const struct yl_sweep *s, const char *path)
{
	json_t *cells = json_array(), *root;
	unsigned int c, k, ok = 0, failed = 0;
	char key[64];
	char *text;
	int rc;

	for (c = 0; c < s->plan.nr_cells; c++)
		json_array_append_new(cells, j_cell(s, c));
	for (k = 0; k < s->plan.nr_runs; k++) {
		ok += s->runs[k].status == YL_RUN_OK;
		failed += s->runs[k].status == YL_RUN_FAILED;
	}
	yl_metric_key(s->primary, key, sizeof(key));
	root = json_pack("{s:i, s:i, s:s, s:s, s:o, s:s, s:{s:i, s:i, s:i}, s:o, s:o}",
			 "schema_version", 1, "abi_version", YL_ABI_VERSION,
			 "yieldlab_version", yl_version(), "command", "compare",
			 "plan", j_plan(s), "primary_metric", key, "runs",
			 "ok", ok, "failed", failed, "missing", s->plan.nr_runs - ok - failed,
			 "hosts", j_hosts(s), "cells", cells);
	text = root ? json_dumps(root, JSON_INDENT(1)) : NULL;
	json_decref(root);
	rc = text ? yl_write_file(path, text) : -1;
	free(text);
	return rc;
}

/* ------------------------------------------------------------ HTML table */
static void html_esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '|')
			fputs("</td><td>", f);
		else
			fputc(*s, f);
	}
}

/* The Markdown tables as HTML: each "| a | b |" row a <tr>. */
static char *md_to_html(const char *md)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const char *line, *end;
	bool in_table = false;

	if (!f)
		return NULL;
	for (line = md; *line; line = *end ? end + 1 : end) {
		char row[4096];

		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		snprintf(row, sizeof(row), "%.*s", (int)(end - line), line);
		if (row[0] == '|' && strncmp(row, "|---", 4)) {
			size_t n = strlen(row);

			if (!in_table)
				fputs("<table>\n", f);
			in_table = true;
			if (n > 2)
				row[n - 1] = 0;
			fputs("<tr><td>", f);
			html_esc(f, row + 2);
			fputs("</td></tr>\n", f);
			continue;
		}
		if (!strncmp(row, "|---", 4))
			continue;
		if (in_table)
			fputs("</table>\n", f);
		in_table = false;
		if (!strncmp(row, "## ", 3)) {
			fputs("<h2>", f);
			html_esc(f, row + 3);
			fputs("</h2>\n", f);
		} else if (row[0]) {
			fputs("<p>", f);
			html_esc(f, row[0] == '-' ? row + 2 : row);
			fputs("</p>\n", f);
		}
	}
	if (in_table)
		fputs("</table>\n", f);
	fclose(f);
	return buf;
}

int yl_sweep_report(const struct yl_sweep *s, const char *out, FILE *term)
{
	char path[PATH_MAX], *md = NULL, *html;
	size_t len = 0;
	FILE *f = open_memstream(&md, &len);
	int rc = 0;

	if (!f)
		return YL_EXIT_HOST;
	md_report(s, f, true);
	fclose(f);
	if (term) {
		md_report(s, term, false);
		fflush(term);
	}
	snprintf(path, sizeof(path), "%s/summary.md", out);
	rc |= yl_write_file(path, md);
	snprintf(path, sizeof(path), "%s/runs.csv", out);
	rc |= yl_write_runs_csv(s, path);
	snprintf(path, sizeof(path), "%s/cells.csv", out);
	rc |= yl_write_cells_csv(s, path);
	snprintf(path, sizeof(path), "%s/summary.json", out);
	rc |= write_summary_json(s, path);
	if (rc) {
		fprintf(stderr, "compare: %s: cannot write the report: %s\n", out,
			strerror(errno));
		free(md);
		return YL_EXIT_HOST;
	}
	yl_write_plots(s, out);
	html = md_to_html(md);
	rc = html ? yl_write_html(s, out, html) : -1;
	free(html);
	free(md);
	return rc ? YL_EXIT_HOST : YL_EXIT_OK;
}
