/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `yieldlab sim`: the command above the engine (sim.h).  It takes run's
 * command line (cli/cli.c's one option table), the costs from --cost and
 * --calibrate, runs the engine and writes run's JSON, the timeline and a
 * text report.  The engine itself sees none of this.
 */
#ifndef YL_SIM_SIMCMD_H
#define YL_SIM_SIMCMD_H

#include <stdio.h>
#include "cli/config.h"
#include "sim/sim.h"

struct yl_simcmd {
	const char *const *calib;		/* files the costs came from */
	unsigned int nr_calib;
	double wall_s;				/* the run's own wall time */
	unsigned int cpu_weight[YL_MAX_VMS];	/* what config.cpu_weight points to */
};

int yl_cmd_sim(const struct yl_config *cfg);
/* cfg -> the engine's config (which points into @sc), costs calibrated; -1 with err set */
int yl_simcmd_config(const struct yl_config *cfg, struct yl_sim_config *c,
		     struct yl_simcmd *sc, struct yl_err *err);
int yl_sim_json(const struct yl_sim *s, const struct yl_simcmd *sc, FILE *f);
void yl_sim_print(const struct yl_sim *s, const struct yl_simcmd *sc, FILE *f);
struct yl_warnings;
void yl_sim_warnings(const struct yl_sim *s, struct yl_warnings *w);

#endif
