/* SPDX-License-Identifier: GPL-2.0 */
#ifndef YL_RUN_H
#define YL_RUN_H

#include <stddef.h>
#include "cli/config.h"
#include "vmm/coop/coop.h"
#include "vmm/vm.h"

struct yl_image {
	const void *data;
	size_t len;
	void *owned;
};

int yl_load_image(const struct yl_config *cfg, struct yl_image *img,
		  struct yl_err *err);
int yl_signals_take(void);
int yl_prepare(struct yl_config *cfg, struct yl_kvm *kvm, struct yl_image *img,
	       struct yl_err *err);
/* What a run leaves its caller besides the exit code. */
struct yl_run_result {
	struct yl_handoff_out handoff;	/* --sched coop: its hand-offs */
};

int yl_run(struct yl_config *cfg, struct yl_run_result *res);
int yl_cmd_run(struct yl_config *cfg);
int yl_cmd_caps(const struct yl_config *cfg);
int yl_cmd_bench_exits(const struct yl_config *user);
int yl_cmd_bench_handoff(const struct yl_config *user);

#endif
