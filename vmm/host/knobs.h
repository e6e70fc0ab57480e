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
#include "cli/config.h"
#include "cgroup.h"

#define YL_SCHED_FEATURES_PATH	"/sys/kernel/debug/sched/features"
#define YL_STATE_DIR		"/run/yieldlab"

struct yl_knob_feat {
	char name[YL_SCHED_FEAT_LEN];
	bool orig, want, applied;
};

#define YL_RECORD_MAX	16384	/* features and (YL_MAX_VMS + 1) cgroups */
#define YL_RECORD_NAME	64

/* --host-param: a file of lib/hostparam.c's table */
struct yl_knob_param {
	unsigned int idx;
	uint64_t orig, want;
	bool applied;
};

/* A feature or parameter a live run's record holds: no other run may set it. */
struct yl_knob_held {
	char name[YL_SCHED_FEAT_LEN];
	char record[YL_RECORD_NAME];
	int pid;
};

struct yl_knobs {
	const char *features_path;
	const char *state_dir;
	int dfd;			/* state_dir, open and flock()ed */
	unsigned int nr;
	struct yl_knob_feat f[YL_MAX_SCHED_FEATS];
	unsigned int nr_p;
	struct yl_knob_param p[YL_MAX_HOST_PARAMS];
	const char *param_root;		/* prefix of the table's paths ("": none) */
	struct yl_cgroup cg;		/* --cgroup, resolved by yl_cg_resolve() */
	char record[YL_RECORD_NAME];	/* our record's name in state_dir */
	bool recorded;
	unsigned int nr_held;
	struct yl_knob_held held[64];
};

/* A crash-safety record, parsed and checked whole. */
struct yl_record {
	unsigned int nr_feats, nr_dirs, nr_params;
	struct {
		char name[YL_SCHED_FEAT_LEN];
		bool on;
	} feats[YL_MAX_SCHED_FEATS];
	struct {
		unsigned int idx;
		uint64_t val;
	} params[YL_MAX_HOST_PARAMS];
	const char *dirs[YL_MAX_VMS + 1];	/* into the parsed buffer */
};

void yl_knobs_init(struct yl_knobs *k);
int yl_knobs_open(struct yl_knobs *k, bool make, struct yl_err *err);
void yl_knobs_unlock(struct yl_knobs *k);
void yl_knobs_close(struct yl_knobs *k);
int yl_knobs_recover(struct yl_knobs *k, FILE *log);
int yl_knobs_check(struct yl_knobs *k, struct yl_config *cfg,
		   struct yl_err *err);
int yl_knobs_apply(struct yl_knobs *k, struct yl_err *err);
int yl_knobs_restore(struct yl_knobs *k, FILE *log);
void yl_knobs_param_path(const struct yl_knobs *k, unsigned int idx,
			 char *buf, size_t len);

/* Parsers of untrusted text, exposed for the unit tests and fuzzers. */
int yl_feat_state(const char *features, const char *name, bool *on);
int yl_record_parse(char *buf, struct yl_record *rec, struct yl_err *err);
int yl_record_name_parse(const char *name, int *pid, unsigned long long *start);

#endif
