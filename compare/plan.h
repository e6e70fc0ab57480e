/* SPDX-License-Identifier: GPL-2.0 */
#ifndef YL_PLAN_H
#define YL_PLAN_H

/*
 * A sweep: run options with lists of values (the axes), their cartesian
 * product (the cells), repetitions, the compared axis and its baseline,
 * and the seeded order of the runs.  Built from the command line and a
 * plan file; written back as a plan file that --resume and merge read.
 * Every cell is checked with run's own parser before anything runs.
 */
#include <stdbool.h>
#include <stdint.h>
#include "cli/cli.h"

#define YL_MAX_AXES		24
#define YL_MAX_AXIS_VALUES	64
#define YL_MAX_CELLS		4096
#define YL_MAX_SETTINGS		8
#define YL_MAX_RUN_ARGS		(2 * YL_MAX_AXES + 2 * YL_MAX_SETTINGS + 8)

struct yl_axis {
	unsigned int opt;		/* enum yl_opt_id */
	unsigned int nr;
	char *vals[YL_MAX_AXIS_VALUES];
};

/* A setting (YL_OF_SETTING): passed whole to every run, never swept. */
struct yl_setting {
	unsigned int opt;		/* enum yl_opt_id */
	char *val;
};

struct yl_plan {
	unsigned int nr_axes;
	struct yl_axis axes[YL_MAX_AXES];	/* in the order first given */
	unsigned int nr_settings;
	struct yl_setting settings[YL_MAX_SETTINGS];
	unsigned int reps;
	uint64_t seed;
	unsigned int confidence;		/* percent */
	int cmp_axis;			/* the compared axis, -1: nothing compared */
	unsigned int base_val;		/* the baseline's value on it */
	bool sim;				/* --mode sim: runs are yieldlab sim */
	unsigned int nr_cells, nr_runs;
	unsigned int *order;		/* run -> cell, round by round */
};

int yl_plan_build(struct yl_plan *p, const struct yl_config *cfg,
		  struct yl_err *err);
int yl_plan_load(struct yl_plan *p, const char *path, struct yl_err *err);
void yl_plan_free(struct yl_plan *p);
int yl_plan_extend(struct yl_plan *p, unsigned int reps, struct yl_err *err);
int yl_plan_size_ok(const struct yl_config *cfg, const struct yl_plan *p);
int yl_plan_setting_args(const struct yl_plan *p, const char **argv, int n, int max);
int yl_plan_rebase(struct yl_plan *p, const char *baseline, struct yl_err *err);
char *yl_plan_text(const struct yl_plan *p);
int yl_plan_check(const struct yl_plan *p, bool on_this_host,
		  struct yl_err *err);

unsigned int yl_plan_value(const struct yl_plan *p, unsigned int cell,
			   unsigned int axis);
unsigned int yl_plan_baseline_of(const struct yl_plan *p, unsigned int cell);
void yl_plan_label(const struct yl_plan *p, unsigned int cell, char *buf,
		   size_t len);
void yl_plan_label_skip(const struct yl_plan *p, unsigned int cell, uint64_t skip,
			char *buf, size_t len);
const char *yl_axis_name(const struct yl_axis *a);
void yl_plan_value_label(const struct yl_plan *p, unsigned int axis,
			 unsigned int val, char *buf, size_t len);
int yl_plan_run_args(const struct yl_plan *p, unsigned int cell,
		     const char **argv, int max);
int yl_plan_axis_of(const struct yl_plan *p, enum yl_opt_id opt);

static inline unsigned int yl_plan_round(const struct yl_plan *p, unsigned int run)
{
	return run / p->nr_cells;
}

#endif
