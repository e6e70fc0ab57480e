// SPDX-License-Identifier: GPL-2.0
/*
 * Presets: each names the exact kernel version whose defaults it follows,
 * from that version until the next preset of the same line.  Stable
 * kernels take backports, so "6.12" is not one behaviour: the table says
 * which commit changed what, and docs/model.md repeats it for users.
 * Every field stays a parameter so an experiment can vary it.
 */
#include <stdio.h>
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
	p->place_rel_deadline = true;	/* PLACE_REL_DEADLINE, 6.12+ */
	p->run_to_parity = true;
	p->preempt_short = true;	/* PREEMPT_SHORT, 6.12+ */
	p->pick_buddy = true;
	p->delay_dequeue = true;	/* DELAY_DEQUEUE, 6.12+ */
	p->delay_zero = true;		/* DELAY_ZERO, 6.12+ */
	p->lag_credit = true;
	p->credit_curr = true;		/* the cover letter shifts curr in place */
	p->credit_pct = 25;
	p->credit_depth_max = 4;
	p->credit_resched_ns = 6000000;	/* "once per 6 ms per run queue" */
	p->credit_budget_pct = 0;	/* the seed: no bound over time */
	p->dy_tries = 3;		/* kvm_vcpu_on_spin(): try = 3 */
	p->ipi_window_ns = 50000000;
	p->relaxed_boost = true;
	p->group_shares = 1024;		/* cpu.weight 100 */
}

/*
 * One row per kernel version where a default the model follows changed.
 * Read from Debian's linux-source-6.12 (6.12.117) for the 6.12 rows; the
 * later rows from the commits named.
 */
struct preset {
	const char *name;
	uint64_t base_slice_ns;	/* normalized sysctl_sched_base_slice */
	enum yl_parity parity;
	enum yl_lag_clamp lag_clamp;
	enum yl_yield_kind yield;
};

static const struct preset presets[] = {
	/* v6.12: EEVDF with DELAY_DEQUEUE, PLACE_REL_DEADLINE, PREEMPT_SHORT, PICK_BUDDY */
	{ "6.12.0", 750000, YL_PARITY_DEADLINE, YL_LAG_CLAMP_2SLICE, YL_YIELD_DEADLINE_PUSH },
	/* 6.12.32: the 0.70 ms base slice, backported from 6.15 */
	{ "6.12.32", 700000, YL_PARITY_DEADLINE, YL_LAG_CLAMP_2SLICE, YL_YIELD_DEADLINE_PUSH },
	/* 6.12.63: 79104becf42b "Forfeit vruntime on yield", backported (Debian's 6.12.117) */
	{ "6.12.63", 700000, YL_PARITY_DEADLINE, YL_LAG_CLAMP_2SLICE, YL_YIELD_FORFEIT },
	/* 6.18.0: set_protect_slice()'s vprot window (6.17) */
	{ "6.18.0", 700000, YL_PARITY_VPROT, YL_LAG_CLAMP_2SLICE, YL_YIELD_FORFEIT },
	/* 7.0: 6e3c0a4e1ad1 "sched/fair: Fix lag clamp": max slice on the queue + TICK */
	{ "7.0", 700000, YL_PARITY_VPROT, YL_LAG_CLAMP_MAXSLICE, YL_YIELD_FORFEIT },
};

#define NR_PRESETS	(sizeof(presets) / sizeof(presets[0]))

/* The presets' names, for the command line; NULL past the end. */
const char *yl_sched_preset_at(unsigned int i)
{
	return i < NR_PRESETS ? presets[i].name : NULL;
}

int yl_sched_params_preset(struct yl_sched_params *p, const char *name,
			   unsigned int ncpus)
{
	const struct preset *r = NULL;
	unsigned int i;

	for (i = 0; i < NR_PRESETS; i++)
		if (!strcmp(presets[i].name, name))
			r = &presets[i];
	if (!r)
		return -1;
	memset(p, 0, sizeof(*p));
	common(p);
	p->normalized_base_slice_ns = r->base_slice_ns;
	p->parity = r->parity;
	p->lag_clamp = r->lag_clamp;
	p->yield = r->yield;
	strncpy(p->preset, r->name, sizeof(p->preset) - 1);
	p->base_slice_ns = p->normalized_base_slice_ns * sysctl_factor(ncpus);
	return 0;
}

/* "6.12.117-amd64" -> 6, 12, 117; -1 if it does not start like a release. */
static int parse_release(const char *s, unsigned int v[3])
{
	int n = 0;

	v[0] = v[1] = v[2] = 0;
	if (sscanf(s, "%u.%u%n", &v[0], &v[1], &n) != 2)
		return -1;
	if (s[n] == '.' && sscanf(s + n + 1, "%u", &v[2]) != 1)
		return -1;
	return 0;
}

/*
 * The preset for a running kernel (`uname -r`): the latest row of the same
 * major.minor line at or below its sublevel.  NULL for a line the table
 * does not cover, where guessing would name a kernel we have not read.
 */
const char *yl_sched_preset_for_release(const char *release)
{
	const char *best = NULL;
	unsigned int k[3], r[3], i;

	if (!release || parse_release(release, k))
		return NULL;
	for (i = 0; i < NR_PRESETS; i++) {
		parse_release(presets[i].name, r);
		if (r[0] == k[0] && r[1] == k[1] && r[2] <= k[2])
			best = presets[i].name;
	}
	return best;
}
