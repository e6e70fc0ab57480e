/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Privileges: which capability an option needs, checked before any host
 * state changes; and the drop, after setup, of every capability the rest
 * of the run does not need.
 */
#ifndef YL_PRIVS_H
#define YL_PRIVS_H

#include <stdbool.h>
#include <sys/capability.h>
#include "lib/confine.h"
#include "cli/config.h"
#include "cgroup.h"
#include "sandbox.h"
#include "lib/util.h"

#define YL_CAPS_TEXT	256

struct yl_privs {
	char at_start[YL_CAPS_TEXT];	/* cap_to_text() of our set at start */
	char after_setup[YL_CAPS_TEXT];	/* ...and after yl_privs_drop() */
	bool keep_dac;			/* restoring host state needs it */
	bool main_unfiltered;		/* bench handoff: its main thread starts
					   threads after the run, so it gets
					   no seccomp filter (the rest still) */
	bool dropped;
};

/* Paths an option writes, in the order they are checked. */
struct yl_priv_paths {
	const char *features;		/* debugfs sched/features */
	const char *state_dir;		/* crash-safety records */
	const struct yl_cgroup *cg;	/* --cgroup, resolved */
	const char *out_dir;		/* where --json is renamed at the end */
	const char *tl_dir;		/* where --timeline is */
};

/*
 * What putting the host back (and committing the results) writes: the
 * paths yl_privs_plan() tries.
 */
#define YL_RESTORE_PATHS	(7 + YL_MAX_HOST_PARAMS)
struct yl_restore_paths {
	const char *p[YL_RESTORE_PATHS];
	char buf[2][YL_CG_PATH + 16];
	unsigned int n;
};

void yl_restore_paths(struct yl_restore_paths *r, const struct yl_priv_paths *p,
		      bool feats);

int yl_privs_check(const struct yl_config *cfg, const struct yl_priv_paths *p,
		   struct yl_err *err);
int yl_privs_plan(struct yl_privs *pr, const char *const *restore_paths,
		  unsigned int n, struct yl_err *err);
int yl_privs_lock_thread(const struct yl_privs *pr, enum yl_thread_kind kind,
			 struct yl_err *err);
int yl_privs_drop(struct yl_privs *pr, struct yl_err *err);
void yl_privs_init(struct yl_privs *pr);

#endif
