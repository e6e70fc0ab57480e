// SPDX-License-Identifier: GPL-2.0
/*
 * Coop mode's executor, the guest's side: its paravirt calls (abi.h's
 * coop ports) turned into sched/'s decisions, which executor.c carries
 * out, and the hand-off statistics.  Under the executor's one mutex, as
 * every call into sched/ is (coop.c).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include "coop.h"
#include "internal.h"
#include "vmm/vm.h"

/* ------------------------------------------------------ the guest's calls */

/*
 * Lock held: a halted vCPU is woken (true); one not halted keeps the
 * wake-up for its next halt, as KVM's pv_unhalted does.
 */
static bool wake_halted(struct yl_coop *c, unsigned int t)
{
	if (c->s->tasks[t].state != YL_TASK_BLOCKED) {
		c->v[t].kicked = true;
		return false;
	}
	yl_sched_wake(c->s, t, now_ns(c));	/* it blocked: not preempted */
	return true;
}

/* A receiver's ipi_received, as the guest keeps it (untrusted: a count). */
static uint64_t ipi_received(const struct yl_coop *c, unsigned int t)
{
	const struct yl_vcpu_result *rec = (const void *)(vm_of(c, t)->mem +
						       YL_VCPU_RESULT_GPA(c->v[t].vcpu->idx));

	return __atomic_load_n(&rec->ipi_received, __ATOMIC_RELAXED);
}

/*
 * An IPI injected into @t: it has an interrupt pending (what the seed's
 * second candidate step reads, kvm_arch_dy_has_pending_interrupt()'s
 * question) until its handler ran.
 */
static void mark_pending(struct yl_coop *c, unsigned int t)
{
	if (c->v[t].eoi_wait)
		return;
	c->v[t].eoi_mark = ipi_received(c, t);
	c->v[t].eoi_wait = true;
	c->tgt[c->v[t].vm].v[c->v[t].vcpu->idx].pending_irq = true;
}

/*
 * ipi-pairs needs to know when a receiver EOIed (kvm_lapic's EOI, which
 * stays in the kernel here): a receiver whose handled count moved past
 * its mark has run the handler, which EOIs first.  Looked at when a hint
 * comes, the one moment target choice reads it.
 */
static void settle_eois(struct yl_coop *c, unsigned int vm)
{
	unsigned int i, t;

	for (i = 0; i < c->per_vm; i++) {
		t = vm * c->per_vm + i;
		if (c->v[t].eoi_wait && ipi_received(c, t) > c->v[t].eoi_mark) {
			yl_target_eoi(&c->tgt[vm], i, YL_IPI_VECTOR);
			c->tgt[vm].v[i].pending_irq = false;
			c->v[t].eoi_wait = false;
		}
	}
}

/* Was the hinted target eligible on its queue before the policy acted? */
bool coop_target_eligible(struct yl_coop *c, unsigned int t, uint64_t now)
{
	const struct yl_se *se = &c->s->tasks[t].se;

	yl_sched_update_curr(c->s, cpu_of(c, t), now);
	return se->on_rq && yl_entity_eligible(se->cfs_rq, se);
}

/*
 * An honoured hint whose target is on the yielder's CPU: watch whether
 * the pick the yielder makes next, in the same critical section, is it.
 */
static void watch_decision(struct yl_coop *c, unsigned int t, bool eligible)
{
	unsigned int cpu = cpu_of(c, t);

	c->watch[cpu] = (int)t;
	c->watch_eligible[cpu] = eligible;
	if (eligible)
		c->honoured_eligible++;
	else
		c->honoured_ineligible++;
}

/* The executor thread a task's exit is handled on: its CPU's. */
static struct yl_coop_cpu *cpu_running(struct yl_coop *c, unsigned int t)
{
	return &c->cpu[cpu_of(c, t)];
}

/* A vCPU index the guest named, within its own VM, as a task; -1 if none. */
static int named(const struct yl_coop *c, unsigned int me, uint32_t idx)
{
	if (idx >= c->per_vm || idx == c->v[me].vcpu->idx)
		return -1;
	return (int)(c->v[me].vm * c->per_vm + idx);
}

/*
 * The trapped spin: kvm_vcpu_on_spin() with sched/'s target choice and
 * policy.  Whatever they changed is carried out: our CPU reschedules if
 * asked to, other CPUs' threads are kicked.  A hint names a vCPU of the
 * yielder's own VM; the scheduler may still run another VM's next.
 */
void yl_coop_spin(struct yl_coop *c, struct yl_vcpu *v, uint32_t arg)
{
	unsigned int me = v->task, vm = c->v[me].vm;
	int hint = named(c, me, arg & 0xffffu), chosen = -1;
	struct yl_coop_cpu *pc;
	bool eligible = false;
	enum yl_outcome o;
	uint64_t now, exited = now_ns(c);	/* the hand-off latency's start */

	pthread_mutex_lock(&c->lock);
	pc = cpu_running(c, me);
	now = now_ns(c);
	c->v[me].hints++;
	settle_eois(c, vm);
	yl_sched_update_curr(c->s, pc->idx, now);
	if (hint >= 0)
		eligible = coop_target_eligible(c, (unsigned int)hint, now);
	o = yl_directed_yield(c->s, c->pol, &c->tgt[vm], me, hint, now, &chosen);
	c->v[me].outcomes[o]++;
	c->outcomes[o]++;
	coop_tl_add(c, YL_TL_HINT, pc->idx, me, chosen >= 0 ? (int32_t)c->v[chosen].vcpu->idx : -1,
	       o, now, 0);
	/* watched only where the next pick is ours, made right below */
	if (o == YL_OUT_HONOURED && hint >= 0 && chosen == hint &&
	    cpu_of(c, (unsigned int)hint) == pc->idx)
		watch_decision(c, (unsigned int)hint, eligible);
	if (chosen >= 0 && yl_outcome_done(o)) {
		c->v[chosen].decided_ns = 0;
		c->v[chosen].hint_cpu = (int)pc->idx;
		c->v[chosen].hinted_ns = exited ? exited : 1;
	}
	coop_carry_out(c, pc);
	c->watch[pc->idx] = -1;	/* no pick came: nothing to settle */
	pthread_mutex_unlock(&c->lock);
}

/* kvm_wait()'s HLT: sleep until kicked, unless the kick came first. */
void yl_coop_halt(struct yl_coop *c, struct yl_vcpu *v)
{
	unsigned int me = v->task;
	struct yl_coop_cpu *pc;

	pthread_mutex_lock(&c->lock);
	pc = cpu_running(c, me);
	c->v[me].halts++;
	if (!c->v[me].kicked) {
		coop_tl_add(c, YL_TL_HALT, pc->idx, me, -1, 0, now_ns(c), 0);
		yl_sched_block(c->s, me, now_ns(c));
		coop_reschedule(c, pc, false);
		coop_resched_others(c, (int)pc->idx);
	}
	c->v[me].kicked = false;
	pthread_mutex_unlock(&c->lock);
}

/* kvm_kick_cpu(): wake a halted vCPU, or let its next halt return. */
void yl_coop_kick(struct yl_coop *c, struct yl_vcpu *v, uint32_t target)
{
	unsigned int me = v->task;
	int t = named(c, me, target);
	struct yl_coop_cpu *pc;

	if (t < 0)
		return;
	pthread_mutex_lock(&c->lock);
	pc = cpu_running(c, me);
	c->v[me].kicks_sent++;
	c->v[t].kicks_received++;
	coop_tl_add(c, YL_TL_KICK, pc->idx, me, (int32_t)target, 0, now_ns(c), 0);
	if (wake_halted(c, (unsigned int)t))
		coop_carry_out(c, pc);
	pthread_mutex_unlock(&c->lock);
}

/* KVM_SIGNAL_MSI: a fixed, edge interrupt to one vCPU, physical destination. */
static int inject(struct yl_vm *vm, unsigned int idx, uint32_t vector)
{
	struct kvm_msi msi = {
		.address_lo = 0xfee00000u | (idx << 12),
		.data = vector,
	};

	return ioctl(vm->fd, KVM_SIGNAL_MSI, &msi) < 0 ? -1 : 0;
}

/*
 * The guest's IPI call: the set comes from the sender's slot of its VM's
 * IPI page; every target must be another vCPU of that VM.  A unicast IPI
 * is what ipi-pairs learns from (kvm_pv_send_ipi() in the seed's patches).
 */
int yl_coop_ipi(struct yl_coop *c, struct yl_vcpu *v, uint32_t vector)
{
	const uint64_t *set = (const void *)(v->vm->mem + YL_COOP_IPI_SET_GPA(v->idx));
	unsigned int me = v->task, vm = c->v[me].vm, i, n = 0, last = 0;
	uint64_t w[YL_COOP_IPI_WORDS];
	struct yl_coop_cpu *pc;
	int bad = 0;

	if (vector < 32 || vector > 255)
		return -1;
	memcpy(w, set, sizeof(w));
	pthread_mutex_lock(&c->lock);
	pc = cpu_running(c, me);
	c->v[me].ipi_calls++;
	for (i = 0; i < YL_MAX_VCPUS; i++) {
		int t;

		if (!(w[i / 64] & (1ull << (i % 64))))
			continue;
		t = named(c, me, i);
		if (t < 0 || inject(v->vm, i, vector)) {
			bad = -1;
			continue;
		}
		c->v[t].ipis_injected++;
		mark_pending(c, (unsigned int)t);
		wake_halted(c, (unsigned int)t);	/* an interrupt ends a halt too */
		last = i;
		n++;
	}
	if (n)
		coop_tl_add(c, YL_TL_IPI, pc->idx, me, (int32_t)last, n, now_ns(c), 0);
	if (n == 1)
		yl_target_ipi(&c->tgt[vm], v->idx, last, vector, now_ns(c));
	coop_carry_out(c, pc);
	pthread_mutex_unlock(&c->lock);
	return bad;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* What `bench handoff` reads once the run is over: quantiles, not a mean. */
void yl_coop_handoffs(const struct yl_coop *c, struct yl_handoff_out *h)
{
	static uint32_t s[YL_HANDOFF_SAMPLES];
	uint64_t n = c->handoff_n < YL_HANDOFF_SAMPLES ? c->handoff_n :
		     YL_HANDOFF_SAMPLES;

	memset(h, 0, sizeof(*h));
	h->n = c->handoff_n;
	h->sum_ns = c->handoff_sum_ns;
	h->phase_n = c->phase_n;
	memcpy(h->phase_sum_ns, c->phase_sum_ns, sizeof(h->phase_sum_ns));
	if (!n)
		return;
	memcpy(s, c->handoff_ring, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_u32);
	h->p10_ns = s[n / 10];
	h->p50_ns = s[n / 2];
	h->p90_ns = s[n * 9 / 10];
}

/* What a vCPU's exits call here (vm.h): handed over with the VMs. */
const struct yl_coop_calls yl_coop_calls = {
	.spin = yl_coop_spin,
	.halt = yl_coop_halt,
	.kick = yl_coop_kick,
	.ipi = yl_coop_ipi,
	.stop = yl_coop_stop,
};
