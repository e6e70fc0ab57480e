// SPDX-License-Identifier: GPL-2.0
/*
 * compare --emit: the sweep for an engine that already runs jobs across
 * machines, GNU parallel or Slurm, instead of cluster code of ours.  Each
 * run is one `yieldlab compare PLAN --out DIR --only K`, which writes
 * runs/K into DIR; `yieldlab merge` builds the report from the DIRs.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compare.h"
#include "lib/outfile.h"

/* "a,b,c" into the caller's @buf at *@used; NULL if it does not fit. */
static char *join(const struct yl_axis *ax, char *buf, size_t len, size_t *used)
{
	char *j = buf + *used;
	size_t need = 1;
	unsigned int v;

	for (v = 0; v < ax->nr; v++)
		need += strlen(ax->vals[v]) + 1;
	if (*used + need > len)
		return NULL;
	j[0] = 0;
	for (v = 0; v < ax->nr; v++) {
		if (v)
			strcat(j, ",");
		strcat(j, ax->vals[v]);
	}
	*used += need;
	return j;
}

/*
 * The plan as compare's own options, for a command line; the lists it
 * joins are written to @buf, which must outlive @argv.
 */
int yl_plan_args(const struct yl_plan *p, const char **argv, int max,
		 char *buf, size_t len)
{
	static char num[3][32];
	static char base[600];
	unsigned int a, v;
	size_t used = 0;
	int n = 0;

	snprintf(num[0], sizeof(num[0]), "%u", p->reps);
	snprintf(num[1], sizeof(num[1]), "%llu", (unsigned long long)p->seed);
	snprintf(num[2], sizeof(num[2]), "%u", p->confidence);
	argv[n++] = "--reps";
	argv[n++] = num[0];
	argv[n++] = "--seed";
	argv[n++] = num[1];
	argv[n++] = "--confidence";
	argv[n++] = num[2];
	if (p->sim) {
		argv[n++] = "--mode";
		argv[n++] = "sim";
	}
	if (p->cmp_axis >= 0) {
		snprintf(base, sizeof(base), "%s=%s", yl_axis_name(&p->axes[p->cmp_axis]),
			 p->axes[p->cmp_axis].vals[p->base_val]);
		argv[n++] = "--baseline";
		argv[n++] = base;
	}
	for (a = 0; a < p->nr_axes && n + 2 * YL_MAX_AXIS_VALUES < max; a++) {
		const struct yl_axis *ax = &p->axes[a];

		if (yl_opts[ax->opt].flags & YL_OF_LIST) {
			for (v = 0; v < ax->nr; v++) {
				argv[n++] = yl_opts[ax->opt].name;
				argv[n++] = ax->vals[v];
			}
			continue;
		}
		argv[n++] = yl_opts[ax->opt].name;
		argv[n] = join(ax, buf, len, &used);
		if (!argv[n++])
			return -1;
	}
	return yl_plan_setting_args(p, argv, n, max);
}

static void put_cmd(FILE *f, const struct yl_plan *p, const char *yieldlab,
		    const char *out, const char *only)
{
	const char *argv[2 * YL_MAX_AXES * YL_MAX_AXIS_VALUES + 16];
	static char lists[YL_PLAN_ARGS_BYTES];
	int n, i;

	n = yl_plan_args(p, argv, (int)ARRAY_SIZE(argv), lists, sizeof(lists));
	yl_shell_quote(f, yieldlab);
	fputs(" compare", f);
	for (i = 0; i < n; i++) {
		fputc(' ', f);
		yl_shell_quote(f, argv[i]);
	}
	fputs(" --out ", f);
	yl_shell_quote(f, out);
	fprintf(f, " --only %s\n", only);
}

static void slurm_script(FILE *f, const struct yl_plan *p, const char *yieldlab,
			 const char *out)
{
	fprintf(f, "#!/bin/bash\n"
		"# yieldlab compare: %u runs as one Slurm job array.  Submit with\n"
		"#   sbatch THIS_FILE\n"
		"# and, once every task is done, build the report with\n"
		"#   yieldlab merge ", p->nr_runs);
	yl_shell_quote(f, out);
	fprintf(f, "\n# --out must be a directory every node can write (a shared file system).\n"
		"# --exclusive: a run measures contention for pCPUs, so it gets its node alone.\n"
		"#SBATCH --job-name=yieldlab-compare\n"
		"#SBATCH --array=0-%u\n"
		"#SBATCH --exclusive\n"
		"#SBATCH --output=%s/slurm-%%A_%%a.out\n"
		"set -euo pipefail\n"
		": \"${SLURM_ARRAY_TASK_ID:?run with sbatch, or set SLURM_ARRAY_TASK_ID to 0..%u}\"\n"
		"exec ", p->nr_runs - 1, out, p->nr_runs - 1);
	put_cmd(f, p, yieldlab, out, "\"$SLURM_ARRAY_TASK_ID\"");
}

/* @o: --emit's file, opened before anything was written (outfile.c). */
int yl_emit(const struct yl_plan *p, const struct yl_config *cfg,
	    const char *yieldlab, const char *out, struct yl_outfile *o)
{
	char outabs[PATH_MAX], num[16];
	struct yl_err err;
	unsigned int k;
	FILE *f = o->f;

	if (!realpath(out, outabs)) {
		fprintf(stderr, "compare: --out %s: %s\n", out, strerror(errno));
		yl_outfile_abort(o);
		return YL_EXIT_HOST;
	}
	if (cfg->emit == YL_EMIT_SLURM) {
		slurm_script(f, p, yieldlab, outabs);
	} else {
		for (k = 0; k < p->nr_runs; k++) {
			snprintf(num, sizeof(num), "%u", k);
			put_cmd(f, p, yieldlab, outabs, num);
		}
	}
	if (yl_outfile_commit(o, &err))
		return yl_err_exit(&err);
	fprintf(stderr, "compare: %s: %u runs for %s into %s; then: yieldlab merge %s\n",
		cfg->emit_path, p->nr_runs, yl_emit_name(cfg->emit), outabs, outabs);
	return YL_EXIT_OK;
}
