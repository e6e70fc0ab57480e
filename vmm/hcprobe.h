/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whether this host's KVM hypercalls return.  On kvm_pvm (KVM without
 * VMX/SVM, 6.18) KVM_HC_SCHED_YIELD, KVM_HC_KICK_CPU and KVM_HC_SEND_IPI
 * stall the calling vCPU until the watchdog stops it: a run that uses
 * one compares nothing and takes a minute to say so.  A throw-away VM of
 * two vCPUs makes the one call and says whether it came back.
 */
#ifndef YL_HCPROBE_H
#define YL_HCPROBE_H

#include <stdio.h>
#include "cli/config.h"
#include "vm.h"

enum yl_hc_verdict {
	YL_HC_RETURNS,		/* came back, as KVM documents */
	YL_HC_FAILS,		/* came back with an error */
	YL_HC_STALLS,		/* did not come back within the probe's time */
	YL_HC_UNKNOWN,		/* the probe VM could not run */
};

#define YL_HC_PROBE_MS	500	/* a working hypercall takes microseconds */

struct yl_hc {
	unsigned int nr;	/* KVM_HC_* */
	const char *name;
};

extern const struct yl_hc yl_hcs[3];

enum yl_hc_verdict yl_hc_probe(struct yl_kvm *kvm, unsigned int nr, char *why,
			       size_t len);
const char *yl_hc_verdict_name(enum yl_hc_verdict v);
const char *yl_hc_verdict_text(enum yl_hc_verdict v);
int yl_hc_check_run(const struct yl_config *cfg, struct yl_kvm *kvm,
		    struct yl_err *err);

#endif
