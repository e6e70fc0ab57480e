/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host state a run changes (scheduler features, cgroups) and puts back: on every
 * exit path of this process, and through a crash-safety record that the
 * next start replays when this process was killed before it could.
 */
#ifndef YL_KNOBS_H
#define YL_KNOBS_H

#include <stdbool.h>
#include <stdio.h>
#include "cli.h"
#include "cgroup.h"

#define YL_SCHED_FEATURES_PATH	"/sys/kernel/debug/sched/features"
#define YL_STATE_DIR		"/run/yieldlab"

struct yl_knob_feat {
	char name[YL_SCHED_FEAT_LEN];
	bool orig, want, applied;
};

struct yl_knobs {
	const char *features_path;
	const char *state_dir;
	unsigned int nr;
	struct yl_knob_feat f[YL_MAX_SCHED_FEATS];
	struct yl_cgroup cg;		/* --cgroup, resolved by yl_cg_resolve() */
	char record[512];
	bool recorded;
};

void yl_knobs_init(struct yl_knobs *k);
int yl_knobs_recover(const struct yl_knobs *k, FILE *log);
int yl_knobs_check(struct yl_knobs *k, struct yl_config *cfg,
		   struct yl_err *err);
int yl_knobs_apply(struct yl_knobs *k, struct yl_err *err);
int yl_knobs_restore(struct yl_knobs *k, FILE *log);

/* Parsing helpers, exposed for the unit tests. */
int yl_feat_state(const char *features, const char *name, bool *on);

#endif
