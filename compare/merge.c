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
#include "lib/confine.h"
#include "lib/safeio.h"

int yl_cmd_merge(const struct yl_config *cfg)
{
	const char *out = cfg->out_dir ? cfg->out_dir : cfg->paths[0];
	unsigned int k, ok = 0, failed = 0;
	struct yl_sweep s;
	struct yl_err err;
	int rc;

	/* merge writes only files of its own: it needs no capability */
	if (yl_compare_confine(NULL, &err) || yl_drop_all_caps(&err))
		return yl_err_exit(&err);
	for (k = 0; k < cfg->nr_paths; k++)
		if (yl_compare_dir_trusted(cfg->paths[k], "merge", &err))
			return yl_err_exit(&err);
	if (yl_sweep_load(&s, cfg->paths, cfg->nr_paths, &err)) {
		yl_sweep_free(&s);
		return yl_err_exit(&err);
	}
	if (cfg->baseline && yl_plan_rebase(&s.plan, cfg->baseline, &err)) {
		yl_sweep_free(&s);
		return yl_err_exit(&err);
	}
	if (yl_mkdir_trusted(out, "merge --out", &err)) {
		yl_sweep_free(&s);
		return yl_err_exit(&err);
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
	if (!rc && ok < s.plan.nr_runs) {
		/* a report of part of the plan is a report, not a success */
		fprintf(stderr, "merge: %u of %u runs failed or missing: exit %d\n",
			s.plan.nr_runs - ok, s.plan.nr_runs, YL_EXIT_CHECK);
		rc = YL_EXIT_CHECK;
	}
	yl_sweep_free(&s);
	return rc;
}
