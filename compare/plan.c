// SPDX-License-Identifier: GPL-2.0
/*
 * compare's plan (see plan.h).  The values are untrusted: each cell's
 * command line goes through run's own parser (yl_cli_parse) before the
 * first run starts, so a bad value or combination is exit 2 up front,
 * not a failure at run 37.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "plan.h"
#include "lib/safeio.h"
#include "stats.h"

const char *yl_axis_name(const struct yl_axis *a)
{
	return yl_opts[a->opt].name + 2;	/* without "--" */
}

int yl_plan_axis_of(const struct yl_plan *p, enum yl_opt_id opt)
{
	unsigned int a;

	for (a = 0; a < p->nr_axes; a++)
		if (p->axes[a].opt == opt)
			return (int)a;
	return -1;
}

/*
 * A value goes into the plan file, one line per option: a line break in
 * it would make lines of its own there, which --resume and merge would
 * read as options, and the file's reader trims the blanks around a value
 * (both found by fuzz_plan).  Such values are refused.
 */
static int plain_text(unsigned int opt, const char *v, size_t len, struct yl_err *err)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return yl_usagef(err, "%s '%.*s': a control character in a value; allowed: printable text",
				       yl_opts[opt].name, (int)len, v);
	if (len && (v[0] == ' ' || v[len - 1] == ' '))
		return yl_usagef(err, "%s '%.*s': a value that begins or ends with a space; allowed: none",
			       yl_opts[opt].name, (int)len, v);
	return 0;
}

static int add_value(struct yl_plan *p, unsigned int opt, const char *v,
		     size_t len, struct yl_err *err)
{
	int a = yl_plan_axis_of(p, opt);
	struct yl_axis *ax;

	if (!len)
		return yl_usagef(err, "%s: an empty value in its list", yl_opts[opt].name);
	if (plain_text(opt, v, len, err))
		return -1;
	if (a < 0) {
		if (p->nr_axes >= YL_MAX_AXES)
			return yl_usagef(err, "compare: more than %d run options", YL_MAX_AXES);
		a = (int)p->nr_axes++;
		p->axes[a].opt = opt;
	}
	ax = &p->axes[a];
	if (ax->nr >= YL_MAX_AXIS_VALUES)
		return yl_usagef(err, "%s: more than %d values", yl_opts[opt].name,
			       YL_MAX_AXIS_VALUES);
	ax->vals[ax->nr] = strndup(v, len);
	if (!ax->vals[ax->nr])
		return yl_errf(err, "compare: out of memory");
	ax->nr++;
	return 0;
}

/*
 * --cost exit=1,switch=2 is one cost table and --calibrate a --calibrate b
 * one calibration from two files: each run gets them as given.
 */
static int add_setting(struct yl_plan *p, const struct yl_raw_opt *r,
		       struct yl_err *err)
{
	struct yl_setting *s = &p->settings[p->nr_settings];

	if (p->nr_settings >= YL_MAX_SETTINGS)
		return yl_usagef(err, "compare: more than %d settings such as %s",
			       YL_MAX_SETTINGS, yl_opts[r->opt].name);
	if (plain_text(r->opt, r->val, strlen(r->val), err))
		return -1;
	s->opt = r->opt;
	s->val = strdup(r->val);
	if (!s->val)
		return yl_errf(err, "compare: out of memory");
	p->nr_settings++;
	return 0;
}

/* A list option's value is one value (repeat it to sweep); others split. */
static int add_raw(struct yl_plan *p, const struct yl_raw_opt *r,
		   struct yl_err *err)
{
	const char *v = r->val, *c;

	if (yl_opts[r->opt].flags & YL_OF_SETTING)
		return add_setting(p, r, err);
	if (yl_opts[r->opt].flags & YL_OF_LIST)
		return add_value(p, r->opt, v, strlen(v), err);
	for (;;) {
		c = strchr(v, ',');
		if (add_value(p, r->opt, v, c ? (size_t)(c - v) : strlen(v), err))
			return -1;
		if (!c)
			return 0;
		v = c + 1;
	}
}

static bool raw_has(const struct yl_config *cfg, unsigned int opt)
{
	unsigned int k;

	for (k = 0; k < cfg->nr_raw; k++)
		if (cfg->raw[k].opt == opt)
			return true;
	return false;
}

/* What a plan file may hold: the sweep, not where or how it runs. */
static bool plan_key(const struct yl_opt *o)
{
	static const enum yl_opt_id keys[] = {
		YL_O_REPS, YL_O_SEED, YL_O_BASELINE, YL_O_CONFIDENCE, YL_O_MODE,
	};
	unsigned int k;

	if (yl_opt_is_axis(o))
		return true;
	for (k = 0; k < ARRAY_SIZE(keys); k++)
		if (o == &yl_opts[keys[k]])
			return true;
	return false;
}

static const struct yl_opt *find_key(const char *key)
{
	unsigned int k;

	for (k = 0; k < YL_O_NR; k++)
		if (!strcmp(yl_opts[k].name + 2, key))
			return &yl_opts[k];
	return NULL;
}

/* Trims @s in place; returns its first non-blank character. */
static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = 0;
	return s;
}

#define YL_MAX_PLAN_BYTES	(1u << 20)

/*
 * Reads "option value" lines (# comments, blank lines) into @argv as
 * "--option" "value" pairs after "yieldlab compare"; the strings live in
 * @buf, which the caller frees.
 */
static int plan_argv(const char *path, char **buf, char **argv, int max,
		     int *argc, struct yl_err *err)
{
	unsigned int line = 0;
	char *s, *next, *key, *val;
	size_t n;

	*buf = yl_read_regular(path, YL_MAX_PLAN_BYTES, &n, "--plan", err);
	if (!*buf)
		return -1;
	if (memchr(*buf, 0, n))
		return yl_usagef(err, "--plan %s: not a text file", path);
	argv[0] = "yieldlab";
	argv[1] = "compare";
	*argc = 2;
	for (s = *buf; s; s = next) {
		const struct yl_opt *o;

		next = strchr(s, '\n');
		if (next)
			*next++ = 0;
		line++;
		s = trim(s);
		if (!*s || *s == '#')
			continue;
		key = s;
		val = key + strcspn(key, " \t=");
		if (*val)
			*val++ = 0;
		val = trim(val);
		if (!strncmp(key, "--", 2))
			key += 2;
		o = find_key(key);
		if (!o || !plan_key(o))
			return yl_usagef(err, "--plan %s:%u: '%s': allowed run options, reps, seed, baseline, confidence, mode",
				       path, line, key);
		if (*argc + 2 > max)
			return yl_usagef(err, "--plan %s:%u: too many lines", path, line);
		argv[(*argc)++] = (char *)o->name;
		if (o->kind != YL_OPT_FLAG)
			argv[(*argc)++] = val;
	}
	return 0;
}

static int read_plan_file(struct yl_config *fc, const char *path, char **buf,
			  char ***argv, struct yl_err *err)
{
	int argc = 0, max = 2 * YL_MAX_RAW_OPTS + 16;
	struct yl_err e2;

	*argv = calloc((size_t)max, sizeof(**argv));
	if (!*argv)
		return yl_errf(err, "compare: out of memory");
	if (plan_argv(path, buf, *argv, max, &argc, err))
		return -1;
	if (yl_cli_parse(fc, argc, *argv, &e2))
		return yl_usagef(err, "--plan %s: %s", path, e2.msg);
	return 0;
}

/* The compare options: the command line's where given, else the file's. */
#define PICK(f, o)	(yl_given(cfg, o) || !fc ? cfg->f : fc->f)

static int set_baseline(struct yl_plan *p, const char *b, struct yl_err *err);

static int build(struct yl_plan *p, const struct yl_config *cfg,
		 const struct yl_config *fc, struct yl_err *err)
{
	const char *baseline = PICK(baseline, YL_O_BASELINE);
	unsigned int k;

	p->reps = PICK(reps, YL_O_REPS);
	p->seed = PICK(seed, YL_O_SEED);
	p->confidence = PICK(confidence, YL_O_CONFIDENCE);
	p->sim = PICK(mode, YL_O_MODE) == YL_MODE_SIM;
	for (k = 0; fc && k < fc->nr_raw; k++)
		if (!raw_has(cfg, fc->raw[k].opt) && add_raw(p, &fc->raw[k], err))
			return -1;
	for (k = 0; k < cfg->nr_raw; k++)
		if (add_raw(p, &cfg->raw[k], err))
			return -1;
	return set_baseline(p, baseline, err);
}

static int make_order(struct yl_plan *p, struct yl_err *err)
{
	unsigned long long cells = 1;
	unsigned int a, r, c;

	for (a = 0; a < p->nr_axes; a++) {
		cells *= p->axes[a].nr;
		if (cells > YL_MAX_CELLS)
			return yl_usagef(err, "compare: more than %d cells", YL_MAX_CELLS);
	}
	if (cells * p->reps > YL_MAX_RUNS)
		return yl_usagef(err, "compare: %llu cells x %u reps: more than %d runs",
			       cells, p->reps, YL_MAX_RUNS);
	p->nr_cells = (unsigned int)cells;
	p->nr_runs = p->nr_cells * p->reps;
	p->order = malloc(p->nr_runs * sizeof(*p->order));
	if (!p->order)
		return yl_errf(err, "compare: out of memory");
	for (r = 0; r < p->reps; r++) {
		uint64_t st = yl_seed_mix(p->seed, 1, r);
		unsigned int *o = p->order + r * p->nr_cells;

		for (c = 0; c < p->nr_cells; c++)
			o[c] = c;
		yl_shuffle(o, p->nr_cells, &st);
	}
	return 0;
}

int yl_plan_build(struct yl_plan *p, const struct yl_config *cfg,
		  struct yl_err *err)
{
	struct yl_config *fc = NULL;
	char *buf = NULL, **argv = NULL;
	int rc = -1;

	memset(p, 0, sizeof(*p));
	if (cfg->plan_path) {
		fc = malloc(sizeof(*fc));
		if (!fc) {
			yl_errf(err, "compare: out of memory");
			goto out;
		}
		if (read_plan_file(fc, cfg->plan_path, &buf, &argv, err))
			goto out;
	}
	rc = build(p, cfg, fc, err) || make_order(p, err) ? -1 : 0;
out:
	free(fc);
	free(buf);
	free(argv);
	return rc;
}

/*
 * --resume DIR --reps N: more rounds of the same plan.  Each round's order
 * comes from the seed and its number alone (make_order()), so the rounds
 * already run keep their run numbers and the new ones follow them.
 */
int yl_plan_extend(struct yl_plan *p, unsigned int reps, struct yl_err *err)
{
	if (reps < p->reps)
		return yl_usagef(err, "--reps %u: the sweep has %u rounds already; allowed: %u or more, to extend it",
			       reps, p->reps, p->reps);
	free(p->order);
	p->order = NULL;
	p->reps = reps;
	return make_order(p, err);
}

/* --resume DIR and merge: the plan compare wrote there. */
int yl_plan_load(struct yl_plan *p, const char *path, struct yl_err *err)
{
	struct yl_config *cfg = malloc(sizeof(*cfg));
	char *argv[] = { "yieldlab", "compare", "--plan", (char *)path };
	int rc = -1;

	memset(p, 0, sizeof(*p));
	if (!cfg)
		return yl_errf(err, "compare: out of memory");
	if (!yl_cli_parse(cfg, 4, argv, err))
		rc = yl_plan_build(p, cfg, err);
	free(cfg);
	return rc;
}

void yl_plan_free(struct yl_plan *p)
{
	unsigned int a, v;

	for (a = 0; a < p->nr_axes; a++)
		for (v = 0; v < p->axes[a].nr; v++)
			free(p->axes[a].vals[v]);
	for (a = 0; a < p->nr_settings; a++)
		free(p->settings[a].val);
	free(p->order);
	memset(p, 0, sizeof(*p));
}

/* OPTION=VALUE, or VALUE of the compared axis: --policy if swept, else the
 * first option with several values. */
static int set_baseline(struct yl_plan *p, const char *b, struct yl_err *err)
{
	const char *eq = b ? strchr(b, '=') : NULL, *v = b;
	unsigned int a;

	/* by default --policy, what this tool compares, else the first swept */
	p->cmp_axis = yl_plan_axis_of(p, YL_O_POLICY);
	if (p->cmp_axis >= 0 && p->axes[p->cmp_axis].nr < 2)
		p->cmp_axis = -1;
	for (a = 0; a < p->nr_axes && p->cmp_axis < 0; a++)
		if (p->axes[a].nr > 1)
			p->cmp_axis = (int)a;
	p->base_val = 0;
	if (eq) {
		const char *name = strncmp(b, "--", 2) ? b : b + 2;

		p->cmp_axis = -1;
		for (a = 0; a < p->nr_axes; a++)
			if (strlen(yl_axis_name(&p->axes[a])) == (size_t)(eq - name) &&
			    !strncmp(yl_axis_name(&p->axes[a]), name, (size_t)(eq - name)))
				p->cmp_axis = (int)a;
		if (p->cmp_axis < 0)
			return yl_usagef(err, "--baseline %s: that option is not swept (give it as a list)", b);
		v = eq + 1;
	}
	if (!b)
		return 0;
	if (p->cmp_axis < 0 || p->axes[p->cmp_axis].nr < 2)
		return yl_usagef(err, "--baseline %s: needs an option with two or more values", b);
	for (a = 0; a < p->axes[p->cmp_axis].nr; a++)
		if (!strcmp(p->axes[p->cmp_axis].vals[a], v)) {
			p->base_val = a;
			return 0;
		}
	return yl_usagef(err, "--baseline %s: not a value of --%s", b,
		       yl_axis_name(&p->axes[p->cmp_axis]));
}

/*
 * Cells are numbered with the compared axis varying fastest, then the
 * others in the order given, last fastest: a table reads group by group.
 */
unsigned int yl_plan_value(const struct yl_plan *p, unsigned int cell,
			   unsigned int axis)
{
	int a;

	if (p->cmp_axis >= 0) {
		unsigned int n = p->axes[p->cmp_axis].nr;

		if ((int)axis == p->cmp_axis)
			return cell % n;
		cell /= n;
	}
	for (a = (int)p->nr_axes - 1; a >= 0; a--) {
		if (a == p->cmp_axis)
			continue;
		if ((unsigned int)a == axis)
			return cell % p->axes[a].nr;
		cell /= p->axes[a].nr;
	}
	return 0;
}

/* The inverse of yl_plan_value(): the cell with these values. */
static unsigned int cell_of(const struct yl_plan *p, const unsigned int *val)
{
	unsigned int a, cell = 0;

	for (a = 0; a < p->nr_axes; a++)
		if ((int)a != p->cmp_axis)
			cell = cell * p->axes[a].nr + val[a];
	if (p->cmp_axis >= 0)
		cell = cell * p->axes[p->cmp_axis].nr + val[p->cmp_axis];
	return cell;
}

/*
 * Another baseline, or another compared axis, for runs already made
 * (merge --baseline): cells are renumbered, so each run's cell is mapped
 * through its values.
 */
int yl_plan_rebase(struct yl_plan *p, const char *baseline, struct yl_err *err)
{
	struct yl_plan old = *p;
	unsigned int k, a, val[YL_MAX_AXES];

	if (set_baseline(p, baseline, err))
		return -1;
	for (k = 0; k < p->nr_runs; k++) {
		for (a = 0; a < p->nr_axes; a++)
			val[a] = yl_plan_value(&old, old.order[k], a);
		p->order[k] = cell_of(p, val);
	}
	return 0;
}

/* The cell with the same values but the baseline's on the compared axis. */
unsigned int yl_plan_baseline_of(const struct yl_plan *p, unsigned int cell)
{
	if (p->cmp_axis < 0)
		return cell;
	return cell - yl_plan_value(p, cell, (unsigned int)p->cmp_axis) + p->base_val;
}

/* A value as the tables show it: "none", or "none#2" for a repeat. */
void yl_plan_value_label(const struct yl_plan *p, unsigned int axis,
			 unsigned int val, char *buf, size_t len)
{
	const struct yl_axis *a = &p->axes[axis];
	unsigned int k, same = 0;

	for (k = 0; k < val; k++)
		same += !strcmp(a->vals[k], a->vals[val]);
	if (same)
		snprintf(buf, len, "%s#%u", a->vals[val], same + 1);
	else
		snprintf(buf, len, "%s", a->vals[val]);
}

/*
 * "policy=handoff vcpus=8": the axes with several values, as given, but
 * those of options in @skip (1 << enum yl_opt_id); "all" if none is left.
 */
void yl_plan_label_skip(const struct yl_plan *p, unsigned int cell, uint64_t skip,
			char *buf, size_t len)
{
	size_t n = 0;
	unsigned int a;
	char v[256];

	if (len)
		buf[0] = 0;
	for (a = 0; a < p->nr_axes && n < len; a++) {
		if (p->axes[a].nr < 2 || (skip & (1ull << p->axes[a].opt)))
			continue;
		yl_plan_value_label(p, a, yl_plan_value(p, cell, a), v, sizeof(v));
		n += (size_t)snprintf(buf + n, len - n, "%s%s=%s", n ? " " : "",
				      yl_axis_name(&p->axes[a]), v);
	}
	if (!n && len)
		snprintf(buf, len, "all");
}

void yl_plan_label(const struct yl_plan *p, unsigned int cell, char *buf,
		   size_t len)
{
	yl_plan_label_skip(p, cell, 0, buf, len);
}

/* "run --policy handoff --vcpus 8 ..." (or sim): the caller adds --json. */
int yl_plan_run_args(const struct yl_plan *p, unsigned int cell,
		     const char **argv, int max)
{
	unsigned int a;
	int n = 0;

	argv[n++] = p->sim ? "sim" : "run";
	for (a = 0; a < p->nr_axes && n + 2 < max; a++) {
		argv[n++] = yl_opts[p->axes[a].opt].name;
		argv[n++] = p->axes[a].vals[yl_plan_value(p, cell, a)];
	}
	return yl_plan_setting_args(p, argv, n, max);
}

/* The settings after @n arguments: each as it was given. */
int yl_plan_setting_args(const struct yl_plan *p, const char **argv, int n, int max)
{
	unsigned int k;

	for (k = 0; k < p->nr_settings && n + 2 < max; k++) {
		argv[n++] = yl_opts[p->settings[k].opt].name;
		argv[n++] = p->settings[k].val;
	}
	argv[n] = NULL;
	return n;
}

/* Every cell through run's parser, and the host's checks if it runs here. */
int yl_plan_check(const struct yl_plan *p, bool on_this_host, struct yl_err *err)
{
	const char *argv[YL_MAX_RUN_ARGS + 2];
	struct yl_config *cfg = malloc(sizeof(*cfg));
	cpu_set_t allowed;
	struct yl_err e;
	unsigned int c;
	char label[512];
	int n, rc = 0;

	if (!cfg)
		return yl_errf(err, "compare: out of memory");
	if (on_this_host && sched_getaffinity(0, sizeof(allowed), &allowed))
		CPU_ZERO(&allowed);
	for (c = 0; c < p->nr_cells && !rc; c++) {
		argv[0] = "yieldlab";
		n = yl_plan_run_args(p, c, argv + 1, YL_MAX_RUN_ARGS) + 1;
		if (yl_cli_parse(cfg, n, (char **)argv, &e) ||
		    (on_this_host && yl_cli_check_host(cfg, &allowed, &e))) {
			yl_plan_label(p, c, label, sizeof(label));
			rc = yl_usagef(err, "compare: cell %u (%s): %s", c, label, e.msg);
		}
	}
	free(cfg);
	return rc;
}

static void put_axis(FILE *f, const struct yl_axis *a)
{
	unsigned int v;

	if (yl_opts[a->opt].flags & YL_OF_LIST) {
		for (v = 0; v < a->nr; v++)
			fprintf(f, "%s %s\n", yl_axis_name(a), a->vals[v]);
		return;
	}
	fprintf(f, "%s ", yl_axis_name(a));
	for (v = 0; v < a->nr; v++)
		fprintf(f, "%s%s", v ? "," : "", a->vals[v]);
	fputc('\n', f);
}

/* The plan as a file --plan reads back to the same plan. */
char *yl_plan_text(const struct yl_plan *p)
{
	char *buf = NULL;
	size_t len = 0;
	unsigned int a;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fprintf(f, "# yieldlab compare plan: %u cells x %u reps = %u runs\n",
		p->nr_cells, p->reps, p->nr_runs);
	fprintf(f, "reps %u\nseed %llu\nconfidence %u\n", p->reps,
		(unsigned long long)p->seed, p->confidence);
	if (p->sim)
		fprintf(f, "mode sim\n");
	for (a = 0; a < p->nr_settings; a++)
		fprintf(f, "%s %s\n", yl_opts[p->settings[a].opt].name + 2,
			p->settings[a].val);
	if (p->cmp_axis >= 0)
		fprintf(f, "baseline %s=%s\n", yl_axis_name(&p->axes[p->cmp_axis]),
			p->axes[p->cmp_axis].vals[p->base_val]);
	for (a = 0; a < p->nr_axes; a++)
		put_axis(f, &p->axes[a]);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

#define RUN_OVERHEAD_S	0.5	/* a native run beside its --duration: setup, report */

/*
 * How long the plan's runs take here: each cell's --duration plus a
 * run's own overhead, times its rounds; sim runs are too fast to count.
 * -1 if a cell does not parse (yl_plan_check() says why).
 */
static double estimate_s(const struct yl_plan *p)
{
	const char *argv[YL_MAX_RUN_ARGS + 2] = { "yieldlab" };
	struct yl_config *cfg = malloc(sizeof(*cfg));
	double s = 0;
	struct yl_err err;
	unsigned int c;

	for (c = 0; cfg && !p->sim && c < p->nr_cells; c++) {
		int n = yl_plan_run_args(p, c, argv + 1, YL_MAX_RUN_ARGS) + 1;

		if (yl_cli_parse(cfg, n, (char **)argv, &err)) {
			s = -1;
			break;
		}
		s += p->reps * (cfg->duration_ms / 1000.0 + RUN_OVERHEAD_S);
	}
	free(cfg);
	return s;
}

/*
 * A sweep says its size before it starts, and one past YL_SWEEP_ASK_RUNS
 * runs or YL_SWEEP_ASK_H hours starts only with --yes: a typo in a list
 * should not cost a day.
 */
int yl_plan_size_ok(const struct yl_config *cfg, const struct yl_plan *p)
{
	double s = estimate_s(p);
	bool big = p->nr_runs > YL_SWEEP_ASK_RUNS || s > YL_SWEEP_ASK_H * 3600.0;

	if (yl_given(cfg, YL_O_ONLY) || cfg->emit)
		return 0;
	if (s > 0)
		fprintf(stderr, "compare: %u cells x %u reps = %u runs, about %.0f min here\n",
			p->nr_cells, p->reps, p->nr_runs, s / 60);
	if (!big || cfg->yes)
		return 0;
	fprintf(stderr, "yieldlab: compare: %u runs%s: more than %d runs or %d hours; --yes starts it\n",
		p->nr_runs, s > 0 ? " (estimated above)" : "", YL_SWEEP_ASK_RUNS,
		YL_SWEEP_ASK_H);
	return -1;
}
