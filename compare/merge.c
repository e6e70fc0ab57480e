// SPDX-License-Identifier: GPL-2.0
/*
 * yieldlab merge DIR...: one report from the runs of one plan spread over
 * several directories (--emit's runs on several machines, or a sweep
 * resumed elsewhere).  Every DIR must hold the same plan; a run found in
 * several is taken from the first; cells whose runs came from different
 * hosts or kernels are marked.  --baseline judges the same runs along
 * another axis or against another value.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "compare.h"

int yl_cmd_merge(const struct yl_config *cfg)
{
	const char *out = cfg->out_dir ? cfg->out_dir : cfg->paths[0];
	unsigned int k, ok = 0, failed = 0;
	struct yl_sweep s;
	struct yl_err err;
	int rc;

	if (yl_sweep_load(&s, cfg->paths, cfg->nr_paths, &err)) {
		fprintf(stderr, "yieldlab: %s\n", err.msg);
		yl_sweep_free(&s);
		return YL_EXIT_USAGE;
	}
	if (cfg->baseline && yl_plan_rebase(&s.plan, cfg->baseline, &err)) {
		fprintf(stderr, "yieldlab: %s\n", err.msg);
		yl_sweep_free(&s);
		return YL_EXIT_USAGE;
	}
	if (mkdir(out, 0755) && errno != EEXIST) {
		fprintf(stderr, "yieldlab: merge --out %s: %s\n", out, strerror(errno));
		yl_sweep_free(&s);
		return YL_EXIT_HOST;
	}
	for (k = 0; k < s.plan.nr_runs; k++) {
		ok += s.runs[k].status == YL_RUN_OK;
		failed += s.runs[k].status == YL_RUN_FAILED;
	}
	fprintf(stderr, "merge: %u of %u planned runs from %u director%s (%u failed, %u not run)\n",
		ok + failed, s.plan.nr_runs, cfg->nr_paths, cfg->nr_paths > 1 ? "ies" : "y",
		failed, s.plan.nr_runs - ok - failed);
	yl_sweep_analyze(&s);
	rc = yl_sweep_report(&s, out, stdout);
	yl_sweep_free(&s);
	return rc;
}
