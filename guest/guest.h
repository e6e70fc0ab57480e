/* SPDX-License-Identifier: GPL-2.0 */
/* Freestanding helpers for the yieldlab guest: no libc, no interrupts. */
#ifndef YL_GUEST_H
#define YL_GUEST_H

#include <stdint.h>
#include <stddef.h>
#include <yieldlab/abi.h>

#define MSR_GS_BASE		0xc0000101u
#define MSR_APIC_BASE		0x1bu
#define MSR_X2APIC_ID		0x802u
#define MSR_KVM_STEAL_TIME	0x4b564d03u
#define MSR_X2APIC_EOI		0x80bu
#define MSR_X2APIC_LDR		0x80du
#define MSR_X2APIC_SVR		0x80fu
#define MSR_X2APIC_ICR		0x830u

#define APIC_SVR_ENABLE		(1u << 8)
#define APIC_SPURIOUS_VECTOR	0xffu
#define APIC_DM_FIXED		0x000u
#define APIC_DEST_LOGICAL	0x800u

#define APIC_BASE_EN		(1ull << 11)
#define APIC_BASE_EXTD		(1ull << 10)

/* KVM paravirt CPUID (Documentation/virt/kvm/x86/cpuid.rst) */
#define KVM_CPUID_SIGNATURE	0x40000000u
#define KVM_CPUID_FEATURES	0x40000001u
#define KVM_FEATURE_STEAL_TIME	5
#define KVM_FEATURE_PV_UNHALT	7
#define KVM_FEATURE_PV_SEND_IPI	11
#define KVM_FEATURE_PV_SCHED_YIELD 13

#define KVM_HC_KICK_CPU		5
#define KVM_HC_SEND_IPI		10
#define KVM_HC_SCHED_YIELD	11

/* struct kvm_steal_time: preempted byte at offset 16, 64 bytes each */
#define KVM_STEAL_PREEMPTED_OFF	16
#define KVM_VCPU_PREEMPTED	1

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
			 "d"((uint32_t)(v >> 32)) : "memory");
}

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b,
			 uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			 : "a"(leaf), "c"(0));
}

#define READ_ONCE(x)	(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#define barrier()	__asm__ volatile("" ::: "memory")

/* Per-vCPU state the guest keeps for itself. */
struct guest_cpu {
	uint32_t idx;
	const struct yl_boot_params *bp;
	struct yl_vcpu_result *rec;
	uint64_t spin_pauses;		/* a waiter's budget (pv_budget_init()) */
};

/* Paravirt backend (pv_kvm.c). */
#define NO_VCPU		0xffffffffu

/* What a waiter waits for, as the paravirt backend needs it. */
struct pv_wait {
	uint32_t holder;		/* vCPU holding the lock, or NO_VCPU */
	uint32_t ahead;			/* vCPU just ahead in line, or NO_VCPU */
	const volatile uint32_t *ptr;	/* halt only while *ptr == val; */
	uint32_t val;			/* NULL ptr: never halt here */
};

void pv_init(struct guest_cpu *gc);
void pv_budget_init(struct guest_cpu *gc);
int pv_budget_spent(struct guest_cpu *gc, uint32_t *budget);
void pv_probe(struct guest_cpu *gc);

/* yieldlab schedules us (--sched coop): its ports, its pages. */
static inline int coop_mode(const struct guest_cpu *gc)
{
	return gc->bp->sched == YL_SCHED_COOP;
}
int vcpu_is_preempted(uint32_t idx);
long pv_sched_yield(uint32_t target);
void pv_spin(struct guest_cpu *gc, uint32_t *budget, const struct pv_wait *w);
void pv_unlock_fence(struct guest_cpu *gc);
void pv_kick(struct guest_cpu *gc, uint32_t target);
void pv_kick_any(struct guest_cpu *gc);

static inline void irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}

static inline void irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}

static inline int irqs_enabled(void)
{
	uint64_t f;

	__asm__ volatile("pushfq; popq %0" : "=r"(f) :: "memory");
	return (f >> 9) & 1;
}

/* Log2 bucket of a cycle count (workload.c). */
unsigned int hist_bucket(uint64_t v);

/* IPIs (ipi.c). */
void ipi_init(struct guest_cpu *gc);
void ipi_op(struct guest_cpu *gc, uint64_t nr);
void ipi_drain(struct guest_cpu *gc);
void ipi_interrupt(void);
long pv_send_ipi(uint64_t lo, uint64_t hi, uint32_t min, uint32_t icr);
uint32_t pv_features(void);
uint32_t vcpu_apic_id(uint32_t idx);

/* Locks (lock.c). */
void lock_acquire(struct guest_cpu *gc);
void lock_release(struct guest_cpu *gc);

/* Workloads (workload.c). */
void run_workload(struct guest_cpu *gc);

/* Reporting (main.c). */
struct yl_vcpu_result *vcpu_record(uint32_t idx);
struct yl_summary *summary(void);
uint32_t nr_vcpus(void);
__attribute__((noreturn)) void guest_panic(struct guest_cpu *gc, const char *msg);
__attribute__((noreturn)) void guest_done(uint32_t status);
void console_puts(const char *s);
char *fmt_u64(char *p, char *end, uint64_t v);
char *fmt_str(char *p, char *end, const char *s);

/* Freestanding gcc may emit these. */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

#endif
