/* SPDX-License-Identifier: GPL-2.0 */
#ifndef YL_COMPARE_H
#define YL_COMPARE_H

/*
 * yieldlab compare and merge: a sweep runner above `run`.  It starts each
 * run as a child `yieldlab run --json` process and reads back only that
 * JSON; what it shares with run is the command line (cli.h), so a plan is
 * checked by run's own parser.
 *
 * A compare directory:
 *   plan               the sweep, as --plan reads it
 *   log.tsv            one line per attempt started and ended, in order
 *   runs/NNNNN/        per run: cmd, run.json, stdout, stderr, meta.json
 *                      (meta.json last: a run without it did not finish)
 *   summary.{md,json}, runs.csv, cells.csv, plots/, report.html
 */
#include <stdbool.h>
#include "cli/config.h"
#include "plan.h"
#include "results.h"
#include "stats.h"

struct yl_cell {
	unsigned int n_ok, n_failed, n_missing;
	struct yl_describe d[YL_M_NR];
	struct yl_paired vs[YL_M_NR];	/* against the cell's baseline */
	unsigned int nr_warn;
	char warn[YL_RUN_MAX_WARN][32];
	unsigned int warn_runs[YL_RUN_MAX_WARN];
	bool mixed_hosts;		/* runs from several hosts or kernels */
	double oversub;
};

struct yl_sweep {
	struct yl_plan plan;
	char *plan_text;
	struct yl_run_rec *runs;	/* by run index, in the planned order */
	struct yl_cell *cells;
	unsigned int *run_at;		/* [cell * reps + round]: its run's index */
	bool have[YL_M_NR];		/* measured in some cell */
	unsigned int primary;		/* the metric the main table leads with */
	unsigned int nr_dirs;
	const char *dirs[YL_MAX_PATHS];	/* merge: where runs came from */
};

int yl_cmd_compare(const struct yl_config *cfg);
int yl_cmd_merge(const struct yl_config *cfg);

/* runner.c */
int yl_write_file(const char *path, const char *text);
char *yl_read_file(const char *path, size_t max);
int yl_compare_confine(const char *yieldlab, struct yl_err *err);
int yl_compare_dir_trusted(const char *dir, const char *what, struct yl_err *err);
void yl_shell_quote(FILE *f, const char *s);

/* emit.c */
#define YL_PLAN_ARGS_BYTES	65536	/* the lists yl_plan_args() joins */
int yl_plan_args(const struct yl_plan *p, const char **argv, int max,
		 char *buf, size_t len);
struct yl_outfile;
int yl_emit(const struct yl_plan *p, const struct yl_config *cfg,
	    const char *yieldlab, const char *out, struct yl_outfile *o);

/* report.c */
int yl_sweep_load(struct yl_sweep *s, const char *const *dirs,
		  unsigned int nr, struct yl_err *err);
void yl_sweep_analyze(struct yl_sweep *s);
int yl_sweep_report(const struct yl_sweep *s, const char *out, FILE *term);
void yl_sweep_free(struct yl_sweep *s);
unsigned int yl_sweep_failed(const struct yl_sweep *s);

/* report.c: the words every output uses; csv.c */
const char *yl_verdict_word(const struct yl_sweep *s, unsigned int c, unsigned int m);
void yl_cell_notes(const struct yl_sweep *s, unsigned int c, char *buf, size_t len);
int yl_write_runs_csv(const struct yl_sweep *s, const char *path);
int yl_write_cells_csv(const struct yl_sweep *s, const char *path);

/* plots.c */
int yl_write_plots(const struct yl_sweep *s, const char *out);
int *yl_plots_gnuplot(void);
int yl_write_html(const struct yl_sweep *s, const char *out,
		  const char *table_html);

#endif
