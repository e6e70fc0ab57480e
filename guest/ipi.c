// SPDX-License-Identifier: GPL-2.0
/*
 * Function-call IPIs, modelled on smp_call_function_many() (kernel/smp.c):
 * a sender fills one call slot per target (its csd), sends the IPI, and
 * in sync mode spins until each target has run the call and released the
 * slot.  In async mode it goes on and waits only when it needs the slot
 * again, as csd_lock() does.  So at most one request per (sender, target)
 * pair is ever outstanding, which makes every request accountable: the
 * target's handler runs whatever requests it finds, whether their IPIs
 * arrived one by one or coalesced into one interrupt.
 *
 * With --pv yield, after sending, the sender yields once to the first
 * target that is preempted, as kvm_smp_send_call_func_ipi()
 * (arch/x86/kernel/kvm.c) does.
 */
#include "guest.h"

/*
 * One slot per (sender, target).  req is written by the sender only, done
 * by the target only, each in its own cache line per target row.
 */
struct csd {
	uint32_t req;			/* requests made */
	uint32_t done;			/* requests run by the target */
	uint32_t seen;			/* completions the sender has counted */
	uint32_t pad;
	uint64_t sent_tsc;		/* when the last request was made */
};

static struct csd csd[YL_MAX_VCPUS][YL_MAX_VCPUS];
static uint32_t ldr[YL_MAX_VCPUS];	/* x2APIC logical IDs */

/* Which vCPU we are: each runs on its own stack (yl_init_regs()). */
static uint32_t this_vcpu(void)
{
	uint64_t sp = (uint64_t)(uintptr_t)__builtin_frame_address(0);

	return (uint32_t)((sp - YL_STACK_GPA) / YL_STACK_SIZE);
}

void ipi_init(struct guest_cpu *gc)
{
	WRITE_ONCE(ldr[gc->idx], (uint32_t)rdmsr(MSR_X2APIC_LDR));
	if (!yl_wl_has_ipis(gc->bp->workload))
		return;
	if (gc->bp->nr_vcpus < 2)
		guest_panic(gc, "IPI workloads need at least 2 vCPUs");
	if (!coop_mode(gc) && gc->bp->ipi_via == YL_IPI_HYPERCALL &&
	    !(pv_features() & (1u << KVM_FEATURE_PV_SEND_IPI)))
		guest_panic(gc, "--ipi-via hypercall needs KVM_FEATURE_PV_SEND_IPI, CPUID lacks it");
}

/*
 * The IPI vector, entered from ipi_stub with interrupts off.  EOI first,
 * as Linux's sysvec handlers do: an IPI sent while we scan is latched in
 * the IRR and brings us back, so none is lost.
 */
void ipi_interrupt(void)
{
	uint32_t me = this_vcpu(), n = nr_vcpus(), s;
	struct yl_vcpu_result *rec;
	uint64_t now;

	if (me >= n)
		return;
	rec = vcpu_record(me);
	wrmsr(MSR_X2APIC_EOI, 0);
	rec->ipi_irqs++;
	now = rdtsc();
	for (s = 0; s < n; s++) {
		struct csd *c = &csd[s][me];
		uint32_t r = __atomic_load_n(&c->req, __ATOMIC_ACQUIRE);

		if (r == c->done)
			continue;
		/* At most one outstanding: r == done + 1. */
		rec->ipi_received += r - c->done;
		rec->ipi_lat_hist[hist_bucket(now - READ_ONCE(c->sent_tsc))]++;
		__atomic_store_n(&c->done, r, __ATOMIC_RELEASE);
	}
}

/*
 * csd_lock_wait(): spin until @t has run our last request to it, and
 * count the completion once, whether we had to wait for it or not.
 */
static void csd_wait(struct guest_cpu *gc, uint32_t t)
{
	struct csd *c = &csd[gc->idx][t];
	uint32_t r = c->req, budget = 0;

	if (c->seen == r)
		return;
	while (__atomic_load_n(&c->done, __ATOMIC_ACQUIRE) != r) {
		cpu_relax();
		gc->rec->spins++;
		/* coop: the trapped spin of an IPI wait names its target */
		if (coop_mode(gc) && gc->bp->pv == YL_PV_YIELD &&
		    pv_budget_spent(gc, &budget)) {
			budget = 0;
			gc->rec->ipi_yields++;
			outl(YL_PORT_COOP_SPIN, t | YL_COOP_SPIN_IPI);
		}
	}
	gc->rec->ipi_acked += r - c->seen;
	c->seen = r;
}

/* The k targets of op @nr: a window that moves each op, never ourselves. */
static uint32_t target(struct guest_cpu *gc, uint64_t nr, uint32_t j)
{
	uint32_t n = gc->bp->nr_vcpus;

	return (uint32_t)((gc->idx + 1 + (nr + j) % (n - 1)) % n);
}

static void icr_write(struct guest_cpu *gc, uint32_t dest, uint32_t mode)
{
	wrmsr(MSR_X2APIC_ICR, (uint64_t)dest << 32 | mode | APIC_DM_FIXED |
	      YL_IPI_VECTOR);
	gc->rec->ipi_icr_writes++;
}

/*
 * x2APIC ICR: one physical-mode write for one target; for several, one
 * logical-mode write per cluster of 16 APIC IDs, as x2apic_cluster's
 * __x2apic_send_IPI_mask() does.
 */
static void send_icr(struct guest_cpu *gc, const uint32_t *t, uint32_t k)
{
	uint32_t done_mask[(YL_MAX_VCPUS + 31) / 32] = { 0 };
	uint32_t i, j;

	if (k == 1) {
		icr_write(gc, vcpu_apic_id(t[0]), 0);
		return;
	}
	for (i = 0; i < k; i++) {
		uint32_t cl = ldr[t[i]] >> 16, dest = 0;

		if (done_mask[t[i] / 32] & (1u << (t[i] % 32)))
			continue;
		for (j = i; j < k; j++) {
			if (ldr[t[j]] >> 16 != cl)
				continue;
			dest |= ldr[t[j]];
			done_mask[t[j] / 32] |= 1u << (t[j] % 32);
		}
		icr_write(gc, dest, APIC_DEST_LOGICAL);
	}
}

#define KVM_IPI_CLUSTER_SIZE	128

/* KVM returns how many vCPUs got the IPI: fewer than asked is a failure. */
static void hc_send(struct guest_cpu *gc, unsigned __int128 map, uint32_t min,
		    long want)
{
	long ret = pv_send_ipi((uint64_t)map, (uint64_t)(map >> 64), min,
			       APIC_DM_FIXED | YL_IPI_VECTOR);

	gc->rec->ipi_hypercalls++;
	if (ret != want)
		gc->rec->ipi_hc_failed++;
}

/*
 * KVM_HC_SEND_IPI as __send_ipi_mask() (arch/x86/kernel/kvm.c) uses it:
 * walk the targets in CPU order as for_each_cpu() does, gather a 128-bit
 * bitmap of APIC IDs from the lowest, and flush it when one does not fit.
 */
static void send_hypercall(struct guest_cpu *gc, const uint32_t *t, uint32_t k)
{
	uint64_t mask[YL_MAX_VCPUS / 64] = { 0 };
	unsigned __int128 map = 0;
	uint32_t min = 0, max = 0, i, a;
	long want = 0;

	for (i = 0; i < k; i++)
		mask[t[i] / 64] |= 1ull << (t[i] % 64);
	for (i = 0; i < gc->bp->nr_vcpus; i++) {
		if (!(mask[i / 64] & (1ull << (i % 64))))
			continue;
		a = vcpu_apic_id(i);
		if (!map) {
			min = max = a;
		} else if (a < min && max - a < KVM_IPI_CLUSTER_SIZE) {
			map <<= min - a;
			min = a;
		} else if (a > min && a < min + KVM_IPI_CLUSTER_SIZE) {
			max = a < max ? max : a;
		} else {
			hc_send(gc, map, min, want);
			min = max = a;
			map = 0;
			want = 0;
		}
		map |= (unsigned __int128)1 << (a - min);
		want++;
	}
	if (map)
		hc_send(gc, map, min, want);
}

/*
 * Coop: the set goes to the sender's slot of yieldlab's IPI page, then one
 * call sends it; yieldlab injects the vector into each target (and wakes
 * a halted one) and learns the sender -> receiver pairs.
 */
static void send_coop(struct guest_cpu *gc, const uint32_t *t, uint32_t k)
{
	volatile uint64_t *set = (volatile uint64_t *)(uintptr_t)
				 YL_COOP_IPI_SET_GPA(gc->idx);
	uint64_t w[YL_COOP_IPI_WORDS] = { 0 };
	uint32_t j;

	for (j = 0; j < k; j++)
		w[t[j] / 64] |= 1ull << (t[j] % 64);
	for (j = 0; j < YL_COOP_IPI_WORDS; j++)
		set[j] = w[j];
	gc->rec->ipi_hypercalls++;
	outl(YL_PORT_COOP_IPI, YL_IPI_VECTOR);
}

/*
 * kvm_smp_send_call_func_ipi(): yield to a target shown preempted, as
 * boot_params.ipi_yield says: the first one, every one, or the first of a
 * multi-destination IPI only (Linux: the single-target path never yields).
 */
static void yield_to_preempted(struct guest_cpu *gc, const uint32_t *t,
			       uint32_t k)
{
	uint32_t i, kind = gc->bp->ipi_yield;

	if (!yl_ipi_yield_applies(kind, k))
		return;
	for (i = 0; i < k; i++) {
		if (!vcpu_is_preempted(t[i]))
			continue;
		gc->rec->ipi_yields++;
		gc->rec->preempted_seen++;
		if (coop_mode(gc))
			outl(YL_PORT_COOP_SPIN, t[i] | YL_COOP_SPIN_IPI);
		else if (pv_sched_yield(t[i]) < 0)
			gc->rec->yields_failed++;
		if (!yl_ipi_yield_more(kind))
			return;
	}
}

static void ipi_rtt(struct guest_cpu *gc, uint64_t c)
{
	struct yl_vcpu_result *rec = gc->rec;

	rec->ipi_rtt_hist[hist_bucket(c)]++;
	rec->ipi_rtt_sum += c;
	if (c > rec->ipi_rtt_max)
		rec->ipi_rtt_max = c;
}

/* One function-call IPI to k targets; op @nr picks them. */
void ipi_op(struct guest_cpu *gc, uint64_t nr)
{
	uint32_t k = gc->bp->ipi_targets, t[YL_MAX_VCPUS], j;
	uint64_t t0;

	for (j = 0; j < k; j++) {
		t[j] = target(gc, nr, j);
		csd_wait(gc, t[j]);		/* csd_lock() */
	}
	t0 = rdtsc();
	for (j = 0; j < k; j++) {
		struct csd *c = &csd[gc->idx][t[j]];

		WRITE_ONCE(c->sent_tsc, t0);
		__atomic_store_n(&c->req, c->req + 1, __ATOMIC_RELEASE);
	}
	/* The requests must be visible before any IPI can arrive. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (coop_mode(gc))
		send_coop(gc, t, k);
	else if (gc->bp->ipi_via == YL_IPI_HYPERCALL)
		send_hypercall(gc, t, k);
	else
		send_icr(gc, t, k);
	gc->rec->ipi_ops++;
	gc->rec->ipi_sent += k;
	yield_to_preempted(gc, t, k);
	if (gc->bp->ipi_wait == YL_IPI_ASYNC)
		return;
	for (j = 0; j < k; j++)
		csd_wait(gc, t[j]);
	ipi_rtt(gc, rdtsc() - t0);
}

/* Before finishing: wait until every target has run our last request. */
void ipi_drain(struct guest_cpu *gc)
{
	uint32_t t;

	for (t = 0; t < gc->bp->nr_vcpus; t++)
		if (t != gc->idx)
			csd_wait(gc, t);
}
