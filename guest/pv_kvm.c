// SPDX-License-Identifier: GPL-2.0
/*
 * KVM's paravirt interface as a Linux guest uses it: steal-time areas with
 * the preempted byte (arch/x86/kernel/kvm.c: kvm_register_steal_time(),
 * __kvm_vcpu_is_preempted()) and KVM_HC_SCHED_YIELD (kvm_smp_send_call_func_ipi()
 * yields to a preempted IPI target the same way).
 */
#include "guest.h"

static int use_vmmcall;		/* AMD/Hygon: VMMCALL, else VMCALL */
static uint32_t apic_ids[YL_MAX_VCPUS];

static int cpu_is_amd(void)
{
	uint32_t a, b, c, d;

	cpuid(0, &a, &b, &c, &d);
	/* "AuthenticAMD" or "HygonGenuine" in EBX */
	return b == 0x68747541u || b == 0x6f677948u;
}

static uint32_t kvm_features(void)
{
	uint32_t a, b, c, d;

	cpuid(KVM_CPUID_SIGNATURE, &a, &b, &c, &d);
	/* "KVMKVMKVM\0\0\0" */
	if (b != 0x4b4d564bu || c != 0x564b4d56u || d != 0x4du)
		return 0;
	if (a < KVM_CPUID_FEATURES)
		return 0;
	cpuid(KVM_CPUID_FEATURES, &a, &b, &c, &d);
	return a;
}

static long kvm_hypercall1(unsigned long nr, unsigned long a0)
{
	long ret;

	if (use_vmmcall)
		__asm__ volatile("vmmcall" : "=a"(ret) : "a"(nr), "b"(a0)
				 : "memory");
	else
		__asm__ volatile("vmcall" : "=a"(ret) : "a"(nr), "b"(a0)
				 : "memory");
	return ret;
}

static volatile uint8_t *steal_preempted(uint32_t idx)
{
	return (volatile uint8_t *)(uintptr_t)(YL_STEAL_GPA + idx * 64ull +
					       KVM_STEAL_PREEMPTED_OFF);
}

void pv_init(struct guest_cpu *gc)
{
	uint32_t feat;

	WRITE_ONCE(apic_ids[gc->idx], gc->rec->apic_id);
	use_vmmcall = cpu_is_amd();
	if (gc->bp->pv == YL_PV_NONE)
		return;
	feat = kvm_features();
	if (!(feat & (1u << KVM_FEATURE_STEAL_TIME)))
		guest_panic(gc, "--pv needs KVM_FEATURE_STEAL_TIME, CPUID lacks it");
	if (!(feat & (1u << KVM_FEATURE_PV_SCHED_YIELD)))
		guest_panic(gc, "--pv yield needs KVM_FEATURE_PV_SCHED_YIELD, CPUID lacks it");
	wrmsr(MSR_KVM_STEAL_TIME, (YL_STEAL_GPA + gc->idx * 64ull) | 1);
}

/* KVM sets the byte when it schedules out a vCPU that was still runnable. */
int vcpu_is_preempted(uint32_t idx)
{
	if (idx >= nr_vcpus())
		return 0;
	return *steal_preempted(idx) & KVM_VCPU_PREEMPTED;
}

long pv_sched_yield(uint32_t target)
{
	return kvm_hypercall1(KVM_HC_SCHED_YIELD, READ_ONCE(apic_ids[target]));
}

/*
 * One PAUSE of a waiter.  After spin_threshold PAUSEs, if the vCPU we wait
 * for (holder, or next in line) is preempted, yield to it; either way the
 * budget starts over, so a running holder is re-checked only every
 * threshold PAUSEs.
 */
void pv_spin(struct guest_cpu *gc, uint32_t *budget, uint32_t holder)
{
	cpu_relax();
	gc->rec->spins++;
	if (gc->bp->pv == YL_PV_NONE || ++*budget < gc->bp->spin_threshold)
		return;
	*budget = 0;
	if (holder >= gc->bp->nr_vcpus || holder == gc->idx ||
	    !vcpu_is_preempted(holder))
		return;
	gc->rec->preempted_seen++;
	gc->rec->yields++;
	if (pv_sched_yield(holder) < 0)
		gc->rec->yields_failed++;
}
