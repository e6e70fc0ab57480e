/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The simulator's parameters that the command line names: its costs, how
 * lengths are drawn, where vCPUs are placed.  Names and defaults only, no
 * code of the engine: cli/ parses them without linking the simulator.
 */
#ifndef YL_SIM_PARAMS_H
#define YL_SIM_PARAMS_H

#include <stdint.h>

/*
 * What things cost, in ns.  One table (params.c) names them, gives the
 * defaults and says where --calibrate finds each.
 */
enum yl_sim_cost {
	YL_COST_EXIT,		/* a userspace exit and re-entry (coop's ports) */
	YL_COST_SWITCH,		/* running another vCPU on a CPU */
	YL_COST_HYPERCALL,	/* an exit KVM handles in the kernel */
	YL_COST_IPI,		/* send to the target's interrupt */
	YL_COST_PAUSE,		/* one PAUSE iteration of a spinning guest */
	YL_COST_HANDOVER,	/* a lock word moving to the next vCPU's cache */
	YL_COST_OP,		/* a guest op's own work beside its cs and think */
	YL_COST_NR
};

struct yl_sim_cost_desc {
	const char *name;
	uint64_t def_ns;
	const char *calibrated_from;	/* NULL: not measured by a bench */
	const char *help;
};
extern const struct yl_sim_cost_desc yl_sim_costs[YL_COST_NR];
int yl_sim_cost_find(const char *name);

/* How --cs and --think lengths are drawn around their value. */
enum yl_sim_dist {
	YL_SIM_DIST_CONST,	/* always the value, as the guest does */
	YL_SIM_DIST_UNIFORM,	/* uniform in [value/2, 3 value/2) */
	YL_SIM_DIST_EXP,	/* exponential with the value as mean */
	YL_SIM_DIST_NR
};
const char *yl_sim_dist_name(unsigned int d);

/* Where each vCPU is queued (sched/ has no load balancer to move it). */
enum yl_sim_placement {
	YL_SIM_PLACE_SPREAD,	/* vCPU t on CPU t mod N, as coop places them */
	YL_SIM_PLACE_RANDOM,	/* as many per CPU, which ones drawn from the seed */
	YL_SIM_PLACE_NR
};
const char *yl_sim_placement_name(unsigned int p);

/* The largest simulated host. */
#define YL_SIM_MAX_VMS		64
#define YL_SIM_MAX_CPUS		4096

#endif
