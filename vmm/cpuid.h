/* SPDX-License-Identifier: GPL-2.0 */
#ifndef YL_CPUID_H
#define YL_CPUID_H

#include <stdint.h>
#include <linux/kvm.h>
#include "lib/util.h"

#define YL_CPUID_MAX_ENTRIES	256

/* KVM paravirt feature bits in CPUID 0x40000001 EAX (uapi kvm_para.h). */
#define YL_KVM_FEATURE_STEAL_TIME	5
#define YL_KVM_FEATURE_PV_UNHALT	7
#define YL_KVM_FEATURE_PV_SEND_IPI	11
#define YL_KVM_FEATURE_PV_SCHED_YIELD	13

#define YL_PV_WANTED ((1u << YL_KVM_FEATURE_STEAL_TIME) | \
		      (1u << YL_KVM_FEATURE_PV_UNHALT) | \
		      (1u << YL_KVM_FEATURE_PV_SEND_IPI) | \
		      (1u << YL_KVM_FEATURE_PV_SCHED_YIELD))

struct yl_cpuid {
	struct kvm_cpuid2 hdr;
	struct kvm_cpuid_entry2 e[YL_CPUID_MAX_ENTRIES];
};

struct kvm_cpuid_entry2 *yl_cpuid_find(struct yl_cpuid *c, uint32_t fn,
				       uint32_t index);
uint32_t yl_cpuid_pv_features(const struct yl_cpuid *supported);
int yl_cpuid_for_vcpu(const struct yl_cpuid *supported, struct yl_cpuid *out,
		      unsigned int apic_id, struct yl_err *err);
const char *yl_pv_feature_name(unsigned int bit);

#endif
