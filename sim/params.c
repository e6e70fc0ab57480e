// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "params.h"

const struct yl_sim_cost_desc yl_sim_costs[YL_COST_NR] = {
	[YL_COST_EXIT] = { "exit", 15000, "bench exits: yieldlab.median_ns_per_exit",
		"a userspace exit and re-entry: each coop port call (hint, halt, kick, IPI)" },
	[YL_COST_SWITCH] = { "switch", 5000,
		"bench handoff: coop.p50_ns (coop); futex_pingpong.floor_ns / 2 (host)",
		"a CPU starting another vCPU than the one it ran last" },
	[YL_COST_HYPERCALL] = { "hypercall", 2000,
		"bench exits: bare.median_ns_per_exit (an upper bound: a userspace exit doing nothing there)",
		"an exit KVM handles itself: KVM_HC_SCHED_YIELD, KICK_CPU, HLT, ICR write, PAUSE exit" },
	[YL_COST_IPI] = { "ipi", 5000, NULL,
		"an IPI from send to the target's interrupt, and a resched IPI (coop: the kick signal)" },
	[YL_COST_PAUSE] = { "pause", 40, "bench exits: guest_pause_ns",
		"one PAUSE iteration of a spinning guest" },
	[YL_COST_HANDOVER] = { "handover", 100, NULL,
		"a released lock reaching the next owner that spins for it" },
	[YL_COST_OP] = { "op", 100, "bench exits: guest_op_ns",
		"the guest's own work in a lock or IPI op beside its critical section and think time" },
};

static const char *const dist_names[YL_SIM_DIST_NR] = {
	[YL_SIM_DIST_CONST] = "const",
	[YL_SIM_DIST_UNIFORM] = "uniform",
	[YL_SIM_DIST_EXP] = "exp",
};

const char *yl_sim_dist_name(unsigned int d)
{
	return d < YL_SIM_DIST_NR ? dist_names[d] : NULL;
}

static const char *const placement_names[YL_SIM_PLACE_NR] = {
	[YL_SIM_PLACE_SPREAD] = "spread",
	[YL_SIM_PLACE_RANDOM] = "random",
};

const char *yl_sim_placement_name(unsigned int p)
{
	return p < YL_SIM_PLACE_NR ? placement_names[p] : NULL;
}

int yl_sim_cost_find(const char *name)
{
	int k;

	for (k = 0; k < YL_COST_NR; k++)
		if (!strcmp(name, yl_sim_costs[k].name))
			return k;
	return -1;
}

