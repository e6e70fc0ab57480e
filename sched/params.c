// SPDX-License-Identifier: GPL-2.0
/*
 * Presets: each names the kernel version whose defaults it follows.  Every
 * field stays a parameter so an experiment can vary it.
 */
#include <string.h>
#include "eevdf.h"

/* get_update_sysctl_factor(): 1 + ilog2(min(ncpus, 8)) */
static unsigned int sysctl_factor(unsigned int ncpus)
{
	unsigned int c = ncpus < 8 ? ncpus : 8, f = 0;

	if (!c)
		c = 1;
	while (c >>= 1)
		f++;
	return 1 + f;
}

static void common(struct yl_sched_params *p)
{
	p->tick_ns = 4000000;		/* HZ=250, Debian's default */
	p->place_lag = true;
	p->place_deadline_initial = true;
	p->run_to_parity = true;
	p->pick_buddy = true;
	p->lag_credit = true;
	p->credit_pct = 25;
	p->credit_depth_max = 4;
	p->credit_resched_ns = 6000000;	/* "once per 6 ms per run queue" */
	p->dy_tries = 3;		/* kvm_vcpu_on_spin(): try = 3 */
	p->ipi_window_ns = 50000000;
	p->relaxed_boost = true;
	p->group_shares = 1024;		/* cpu.weight 100 */
}

/*
 * "6.12": Debian's 6.12 with PICK_BUDDY backported (2a77e4be12cb), base
 * slice 0.75 ms, lag clamp max(2*slice, TICK), RUN_TO_PARITY by deadline,
 * yield pushes the deadline.  "6.18": base slice 0.70 ms, entity_lag()
 * bound by the largest slice, set_protect_slice(), forfeit on yield.
 */
static const char *const presets[] = { "6.12", "6.18" };

/* The presets' names, for the command line; NULL past the end. */
const char *yl_sched_preset_at(unsigned int i)
{
	return i < sizeof(presets) / sizeof(presets[0]) ? presets[i] : NULL;
}

int yl_sched_params_preset(struct yl_sched_params *p, const char *name,
			   unsigned int ncpus)
{
	memset(p, 0, sizeof(*p));
	common(p);
	if (!strcmp(name, "6.12")) {
		p->normalized_base_slice_ns = 750000;
		p->parity = YL_PARITY_DEADLINE;
		p->lag_clamp = YL_LAG_CLAMP_2SLICE;
		p->yield = YL_YIELD_DEADLINE_PUSH;
	} else if (!strcmp(name, "6.18")) {
		p->normalized_base_slice_ns = 700000;
		p->parity = YL_PARITY_VPROT;
		p->lag_clamp = YL_LAG_CLAMP_MAXSLICE;
		p->yield = YL_YIELD_FORFEIT;
	} else {
		return -1;
	}
	strncpy(p->preset, name, sizeof(p->preset) - 1);
	p->base_slice_ns = p->normalized_base_slice_ns * sysctl_factor(ncpus);
	return 0;
}
