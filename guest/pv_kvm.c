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

uint32_t pv_features(void)
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

/* KVM's hypercall ABI: nr in RAX, arguments in RBX, RCX, RDX, RSI. */
static long kvm_hypercall4(unsigned long nr, unsigned long a0,
			   unsigned long a1, unsigned long a2,
			   unsigned long a3)
{
	long ret;

	if (use_vmmcall)
		__asm__ volatile("vmmcall" : "=a"(ret)
				 : "a"(nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3)
				 : "memory");
	else
		__asm__ volatile("vmcall" : "=a"(ret)
				 : "a"(nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3)
				 : "memory");
	return ret;
}

static long kvm_hypercall2(unsigned long nr, unsigned long a0,
			   unsigned long a1)
{
	return kvm_hypercall4(nr, a0, a1, 0, 0);
}

static long kvm_hypercall1(unsigned long nr, unsigned long a0)
{
	return kvm_hypercall2(nr, a0, 0);
}

/*
 * KVM_HC_SEND_IPI (Documentation/virt/kvm/x86/hypercalls.rst): a 128-bit
 * bitmap of APIC IDs starting at min; returns how many got the IPI.
 */
long pv_send_ipi(uint64_t lo, uint64_t hi, uint32_t min, uint32_t icr)
{
	return kvm_hypercall4(KVM_HC_SEND_IPI, lo, hi, min, icr);
}

uint32_t vcpu_apic_id(uint32_t idx)
{
	return READ_ONCE(apic_ids[idx]);
}

/*
 * pv halt: a waiter about to HLT raises its flag here, so an unlocker
 * knows whom to kick (Linux's pv qspinlock keeps vcpu_halted in the MCS
 * node for the same reason).  nr_halted lets an unlocker of a lock with
 * no queue skip the scan when nobody sleeps.
 */
static struct {
	uint32_t v;
} __attribute__((aligned(64))) halted[YL_MAX_VCPUS];
static uint32_t nr_halted __attribute__((aligned(64)));

static volatile uint8_t *steal_preempted(uint32_t idx)
{
	return (volatile uint8_t *)(uintptr_t)(YL_STEAL_GPA + idx * 64ull +
					       KVM_STEAL_PREEMPTED_OFF);
}

static int coop;		/* yieldlab schedules us: its ports, its page */

static volatile uint8_t *coop_preempted(uint32_t idx)
{
	return (volatile uint8_t *)(uintptr_t)(YL_COOP_PREEMPTED_GPA + idx);
}

void pv_init(struct guest_cpu *gc)
{
	uint32_t feat;
	int ipi_yield;

	WRITE_ONCE(apic_ids[gc->idx], gc->rec->apic_id);
	use_vmmcall = cpu_is_amd();
	coop = gc->bp->sched == YL_SCHED_COOP;
	ipi_yield = gc->bp->ipi_yield != YL_IPI_YIELD_NONE;
	if ((gc->bp->pv == YL_PV_NONE && !ipi_yield) || coop)
		return;
	feat = pv_features();
	if (!(feat & (1u << KVM_FEATURE_STEAL_TIME)))
		guest_panic(gc, "--pv and --ipi-yield need KVM_FEATURE_STEAL_TIME, CPUID lacks it");
	if ((gc->bp->pv == YL_PV_YIELD || ipi_yield) &&
	    !(feat & (1u << KVM_FEATURE_PV_SCHED_YIELD)))
		guest_panic(gc, "--pv yield and --ipi-yield need KVM_FEATURE_PV_SCHED_YIELD, CPUID lacks it");
	if (gc->bp->pv == YL_PV_HALT && !(feat & (1u << KVM_FEATURE_PV_UNHALT)))
		guest_panic(gc, "--pv halt needs KVM_FEATURE_PV_UNHALT, CPUID lacks it");
	wrmsr(MSR_KVM_STEAL_TIME, (YL_STEAL_GPA + gc->idx * 64ull) | 1);
}

/* KVM sets the byte when it schedules out a vCPU that was still runnable. */
int vcpu_is_preempted(uint32_t idx)
{
	if (idx >= nr_vcpus())
		return 0;
	if (coop)
		return *coop_preempted(idx);
	return *steal_preempted(idx) & KVM_VCPU_PREEMPTED;
}

/*
 * YL_WL_PROBE on vCPU 0: one hypercall at vCPU 1, counted as the lock and
 * IPI paths count theirs, so the VMM reads the outcome from the same
 * fields.  Whether it returns at all is what the VMM asks: on kvm_pvm
 * KVM's hypercalls stall the caller.
 */
void pv_probe(struct guest_cpu *gc)
{
	const volatile uint32_t *booted = &vcpu_record(1)->state;
	uint32_t apic;
	long r = -1;

	if (gc->bp->nr_vcpus < 2)
		guest_panic(gc, "the hypercall probe needs 2 vCPUs");
	while (READ_ONCE(*booted) < YL_STATE_BOOTED)
		cpu_relax();	/* vCPU 1's APIC id is known from here on */
	apic = READ_ONCE(apic_ids[1]);
	switch (gc->bp->probe_hc) {
	case KVM_HC_SCHED_YIELD:
		r = kvm_hypercall1(KVM_HC_SCHED_YIELD, apic);
		gc->rec->yields++;
		gc->rec->yields_failed += r < 0;
		break;
	case KVM_HC_KICK_CPU:
		r = kvm_hypercall2(KVM_HC_KICK_CPU, 0, apic);
		gc->rec->kicks++;
		break;
	case KVM_HC_SEND_IPI:
		/* bitmap relative to vCPU 1's APIC id: bit 0 is it */
		r = pv_send_ipi(1, 0, apic, YL_IPI_VECTOR);
		gc->rec->ipi_hypercalls++;
		gc->rec->ipi_hc_failed += r != 1;
		break;
	}
	(void)r;
}

long pv_sched_yield(uint32_t target)
{
	return kvm_hypercall1(KVM_HC_SCHED_YIELD, READ_ONCE(apic_ids[target]));
}

static int valid_other(struct guest_cpu *gc, uint32_t v)
{
	return v < gc->bp->nr_vcpus && v != gc->idx;
}

/*
 * Coop: the trapped spin.  yieldlab's scheduler hears whose turn it is
 * (the holder; for the ticket lock the vCPU holding the ticket being
 * served, as the old pv ticketlock's `want`), else, with no holder known,
 * whoever is just ahead, and its policy and target choice decide.  Never
 * the waiter ahead while a holder is known: a yield to it would run a
 * vCPU that can only spin and yield on in its turn, a chain of hand-offs
 * for one lock op.  A hint is sent even when nobody is preempted, as a
 * PAUSE-loop exit is.
 */
static void coop_spin_hint(struct guest_cpu *gc, uint32_t t)
{
	gc->rec->yields++;
	outl(YL_PORT_COOP_SPIN, (t & 0xffffu) | YL_COOP_SPIN_LOCK);
}

/*
 * Whom to yield to.  --yield-to preempted: the holder if it is preempted,
 * else whoever is just ahead if it is, else nobody.  turn: the holder,
 * else whoever is just ahead, preempted or not; KVM's own checks
 * (kvm_sched_yield()'s target->ready) or coop's policy decide from there.
 */
static uint32_t yield_target(struct guest_cpu *gc, const struct pv_wait *w)
{
	uint32_t t = w->holder;

	if (gc->bp->yield_to == YL_YIELD_TO_TURN) {
		if (!valid_other(gc, t))
			t = w->ahead;
		return valid_other(gc, t) ? t : NO_VCPU;
	}
	if (!valid_other(gc, t) || !vcpu_is_preempted(t))
		t = w->ahead;
	if (!valid_other(gc, t) || !vcpu_is_preempted(t))
		return NO_VCPU;
	gc->rec->preempted_seen++;
	return t;
}

static void pv_yield_to_waited(struct guest_cpu *gc, const struct pv_wait *w)
{
	uint32_t t = yield_target(gc, w);

	if (coop) {
		coop_spin_hint(gc, t == NO_VCPU ? YL_COOP_SPIN_NONE : t);
		return;
	}
	if (t == NO_VCPU)
		return;
	gc->rec->yields++;
	if (pv_sched_yield(t) < 0)
		gc->rec->yields_failed++;
}

/*
 * kvm_wait() of arch/x86/kernel/kvm.c: halt only if *ptr still holds val.
 * The flag is raised and fenced before the check, and every unlocker
 * changes the word, fences, then reads the flag: one of the two sees the
 * other, so a kick is never lost.  KVM ends the HLT on the kick
 * (pv_unhalted), which sticks if it came first.  As kvm_wait() does, the
 * check runs with interrupts off, and if they were on (IPI workloads)
 * STI;HLT turns them back on inside HLT's interrupt shadow (safe_halt()):
 * an interrupt then ends the HLT instead of running between check and HLT.
 */
static void pv_halt(struct guest_cpu *gc, const struct pv_wait *w)
{
	int irqs = irqs_enabled();

	WRITE_ONCE(halted[gc->idx].v, 1);
	__atomic_fetch_add(&nr_halted, 1, __ATOMIC_SEQ_CST);
	irq_disable();
	if (READ_ONCE(*w->ptr) == w->val) {
		gc->rec->halts++;
		if (coop)	/* yieldlab keeps a kick that came first */
			outl(YL_PORT_COOP_HALT, 0);
		else if (irqs)
			__asm__ volatile("sti; hlt" ::: "memory");
		else
			__asm__ volatile("hlt" ::: "memory");
	}
	if (irqs)
		irq_enable();
	WRITE_ONCE(halted[gc->idx].v, 0);
	__atomic_fetch_sub(&nr_halted, 1, __ATOMIC_SEQ_CST);
}

#define CALIB_PAUSES	64	/* a sample: one RDTSC pair over this many */
#define CALIB_SAMPLES	4

/*
 * A waiter's budget is a time, spin_cycles of the TSC, so that the
 * default means the same where a PAUSE costs 10 ns and where it costs
 * 1.5-5 us, as under kvm_pvm.  Reading the clock in the spin loop would
 * cost as much again there (RDTSC traps under kvm_pvm: bench exits timed
 * the loop 27% slower with one every 8 PAUSEs), so each vCPU times its
 * own spin loop once at boot and turns the budget into PAUSEs.  The
 * fastest of a few samples: one the host preempted would shorten it.
 */
void pv_budget_init(struct guest_cpu *gc)
{
	uint64_t best = ~0ull, t0, t;
	static volatile uint32_t word;
	unsigned int s, i;

	gc->spin_pauses = gc->bp->spin_threshold;
	WRITE_ONCE(gc->rec->spin_pauses, gc->spin_pauses);
	if (!gc->bp->spin_cycles)
		return;
	for (s = 0; s < CALIB_SAMPLES; s++) {
		t0 = rdtsc();
		for (i = 0; i < CALIB_PAUSES; i++) {
			cpu_relax();
			(void)word;
		}
		t = rdtsc() - t0;
		best = t < best ? t : best;
	}
	best = best / CALIB_PAUSES ? best / CALIB_PAUSES : 1;
	gc->spin_pauses = gc->bp->spin_cycles / best ? gc->bp->spin_cycles / best : 1;
	WRITE_ONCE(gc->rec->spin_pauses, gc->spin_pauses);
}

/* Counts one PAUSE of a waiter's budget; true when it is spent. */
int pv_budget_spent(struct guest_cpu *gc, uint32_t *budget)
{
	return ++*budget >= gc->spin_pauses;
}

/*
 * One PAUSE of a waiter.  When its budget is spent the backend acts:
 * yield to the vCPU waited for if it is preempted, or halt until kicked.
 * Either way the budget starts over.
 */
void pv_spin(struct guest_cpu *gc, uint32_t *budget, const struct pv_wait *w)
{
	cpu_relax();
	gc->rec->spins++;
	if (gc->bp->pv == YL_PV_NONE || !pv_budget_spent(gc, budget))
		return;
	*budget = 0;
	if (gc->bp->pv == YL_PV_YIELD)
		pv_yield_to_waited(gc, w);
	else if (w->ptr)
		pv_halt(gc, w);
}

/*
 * The unlocker's half of the handshake pv_halt() describes: the store that
 * lets a waiter go must be visible before the unlocker reads anything that
 * decides whom to kick (the next ticket's vCPU, the queue head, the halted
 * flags).  Without it x86 may satisfy those reads before the store leaves
 * the store buffer, and a waiter that halts in between is never kicked.
 */
void pv_unlock_fence(struct guest_cpu *gc)
{
	if (gc->bp->pv == YL_PV_HALT)
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* kvm_kick_cpu(): wake @target if it halted.  After pv_unlock_fence(). */
void pv_kick(struct guest_cpu *gc, uint32_t target)
{
	if (gc->bp->pv != YL_PV_HALT || !valid_other(gc, target) ||
	    !READ_ONCE(halted[target].v))
		return;
	gc->rec->kicks++;
	if (coop)
		outl(YL_PORT_COOP_KICK, target);
	else
		kvm_hypercall2(KVM_HC_KICK_CPU, 0, READ_ONCE(apic_ids[target]));
}

/*
 * For locks with no queue: kick one halted vCPU, searching from after us.
 * After pv_unlock_fence().
 */
void pv_kick_any(struct guest_cpu *gc)
{
	uint32_t n = gc->bp->nr_vcpus, i;

	if (gc->bp->pv != YL_PV_HALT || !READ_ONCE(nr_halted))
		return;
	for (i = 1; i < n; i++) {
		uint32_t t = (gc->idx + i) % n;

		if (READ_ONCE(halted[t].v)) {
			pv_kick(gc, t);
			return;
		}
	}
}
