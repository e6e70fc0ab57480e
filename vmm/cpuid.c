// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's CPUID: what KVM_GET_SUPPORTED_CPUID offers, with the edits a
 * VMM owes every vCPU (APIC ids, the hypervisor bit) and the KVM paravirt
 * leaves trimmed to the features yieldlab's guest uses.
 */
#include <string.h>
#include "cpuid.h"

#define CPUID_1_ECX_X2APIC	(1u << 21)
#define CPUID_1_ECX_HYPERVISOR	(1u << 31)
#define KVM_CPUID_SIGNATURE	0x40000000u
#define KVM_CPUID_FEATURES	0x40000001u

struct kvm_cpuid_entry2 *yl_cpuid_find(struct yl_cpuid *c, uint32_t fn,
				       uint32_t index)
{
	uint32_t i;

	for (i = 0; i < c->hdr.nent && i < YL_CPUID_MAX_ENTRIES; i++) {
		struct kvm_cpuid_entry2 *e = &c->e[i];

		if (e->function != fn)
			continue;
		if ((e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) &&
		    e->index != index)
			continue;
		return e;
	}
	return NULL;
}

uint32_t yl_cpuid_pv_features(const struct yl_cpuid *supported)
{
	struct kvm_cpuid_entry2 *e;

	e = yl_cpuid_find((struct yl_cpuid *)supported, KVM_CPUID_FEATURES, 0);
	return e ? e->eax : 0;
}

const char *yl_pv_feature_name(unsigned int bit)
{
	switch (bit) {
	case YL_KVM_FEATURE_STEAL_TIME:
		return "STEAL_TIME";
	case YL_KVM_FEATURE_PV_UNHALT:
		return "PV_UNHALT";
	case YL_KVM_FEATURE_PV_SEND_IPI:
		return "PV_SEND_IPI";
	case YL_KVM_FEATURE_PV_SCHED_YIELD:
		return "PV_SCHED_YIELD";
	}
	return "?";
}

static struct kvm_cpuid_entry2 *add_leaf(struct yl_cpuid *c, uint32_t fn)
{
	struct kvm_cpuid_entry2 *e;

	if (c->hdr.nent >= YL_CPUID_MAX_ENTRIES)
		return NULL;
	e = &c->e[c->hdr.nent++];
	memset(e, 0, sizeof(*e));
	e->function = fn;
	return e;
}

/* x2APIC topology leaves report the APIC id in EDX for every sub-leaf. */
static void set_topology_ids(struct yl_cpuid *c, unsigned int apic_id)
{
	uint32_t i;

	for (i = 0; i < c->hdr.nent; i++)
		if (c->e[i].function == 0xb || c->e[i].function == 0x1f)
			c->e[i].edx = apic_id;
}

int yl_cpuid_for_vcpu(const struct yl_cpuid *supported, struct yl_cpuid *out,
		      unsigned int apic_id, struct yl_err *err)
{
	struct kvm_cpuid_entry2 *e;

	if (supported->hdr.nent > YL_CPUID_MAX_ENTRIES)
		return yl_errf(err, "KVM_GET_SUPPORTED_CPUID: %u entries, at most %d expected",
			       supported->hdr.nent, YL_CPUID_MAX_ENTRIES);
	memcpy(out, supported, sizeof(*out));

	e = yl_cpuid_find(out, 1, 0);
	if (!e || !(e->ecx & CPUID_1_ECX_X2APIC))
		return yl_errf(err, "KVM does not offer x2APIC in CPUID leaf 1; the guest needs it");
	e->ecx |= CPUID_1_ECX_HYPERVISOR;
	e->ebx = (e->ebx & 0x00ffffffu) | (apic_id << 24);
	set_topology_ids(out, apic_id);

	e = yl_cpuid_find(out, KVM_CPUID_SIGNATURE, 0);
	if (!e && !(e = add_leaf(out, KVM_CPUID_SIGNATURE)))
		return yl_errf(err, "CPUID table full");
	e->eax = KVM_CPUID_FEATURES;
	memcpy(&e->ebx, "KVMK", 4);
	memcpy(&e->ecx, "VMKV", 4);
	memcpy(&e->edx, "M\0\0\0", 4);

	e = yl_cpuid_find(out, KVM_CPUID_FEATURES, 0);
	if (!e && !(e = add_leaf(out, KVM_CPUID_FEATURES)))
		return yl_errf(err, "CPUID table full");
	/* Offer only what KVM supports and the guest knows how to use. */
	e->eax = yl_cpuid_pv_features(supported) & YL_PV_WANTED;
	e->ebx = e->ecx = e->edx = 0;
	return 0;
}
