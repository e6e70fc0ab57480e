/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The yield_to() lag credit of a host kernel built from kernel/
 * (docs/kernel.md): its switch, knobs and counters in debugfs, read
 * around a run.  Any other kernel has no such files: nothing is reported.
 */
#ifndef YL_KCREDIT_H
#define YL_KCREDIT_H

#include <stdbool.h>
#include <stdint.h>
#include "sched/sched.h"

#define YL_KCREDIT_DIR	"/sys/kernel/debug/sched"

/*
 * sched/yield_credit's lines (kernel/patches/0004, 0008) are
 * yl_credit_stat_names[]: sched/'s model counts the same things under the
 * same names, and the list is declared once, there.
 */

/* sched/yield_credit_<name>: lib/hostparam.h's YL_HP_CREDIT_* in order */
enum yl_kcredit_knob {
	YL_KK_CURR, YL_KK_PCT, YL_KK_DEPTH, YL_KK_RESCHED_NS, YL_KK_NR
};

extern const char *const yl_kcredit_knobs[YL_KK_NR];

/*
 * The KVM half's switches (kernel/patches/0005-0007) as the run began;
 * its counters are binary vCPU statistics, read with the others.
 */
struct yl_kipi {
	bool valid;			/* kvm.yield_ipi_filter exists */
	bool filter;			/* kvm.yield_ipi_filter */
	bool relaxed_boost;		/* kvm.enable_relaxed_boost */
	uint64_t window_ns;		/* kvm.ipi_window_ns */
	int pause_unfiltered;		/* kvm_amd.pause_exit_unfiltered, -1 absent */
};

struct yl_kcredit {
	struct yl_kipi ipi;
	bool valid;			/* counters read before and after */
	bool feature;			/* YIELD_TO_LAG_CREDIT on during the run */
	uint64_t before[YL_CS_NR];
	uint64_t delta[YL_CS_NR];	/* after - before */
	uint64_t knob[YL_KK_NR];
};

int yl_kcredit_parse(const char *text, uint64_t *v);
void yl_kcredit_begin(struct yl_kcredit *kc);
void yl_kcredit_end(struct yl_kcredit *kc);

#endif
