/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Coop mode (--sched coop): yieldlab schedules the vCPU threads itself
 * with sched/'s EEVDF queues and a directed-yield policy.  Mechanism
 * only: every decision is sched/'s (yl_sched_*, yl_directed_yield()).
 *
 * One sched/ CPU per physical CPU of --pcpus.  A vCPU thread enters
 * KVM_RUN only while it owns its CPU (its go word is 1); the others wait
 * on that word with futex().  A per-thread timer signal ends slices; it
 * is blocked except inside KVM_RUN (KVM_SET_SIGNAL_MASK), so a tick that
 * lands just before KVM_RUN still makes it return at once, and one that
 * lands while the thread waits does not wake it.  The guest talks to the
 * scheduler through yieldlab's paravirt ports (abi.h).
 */
#ifndef YL_COOP_H
#define YL_COOP_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <yieldlab/abi.h>
#include "policy.h"
#include "util.h"

#define YL_HANDOFF_PHASES	3	/* decide, wake, enter */
#define YL_HANDOFF_SAMPLES	8192

/* What `bench handoff` takes from a coop run before it is torn down. */
struct yl_handoff_out {
	uint64_t n, sum_ns;
	uint64_t p10_ns, p50_ns, p90_ns;	/* of the last samples */
	uint64_t phase_n, phase_sum_ns[YL_HANDOFF_PHASES];
};

struct yl_vm;
struct yl_vcpu;
struct yl_config;

struct yl_coop_vcpu {
	uint32_t go;			/* futex word: 1 = owns its CPU */
	bool kicked;			/* a kick came before the halt */
	bool has_timer;
	timer_t timer;
	pthread_t thread;
	bool thread_known;
	int pinned;			/* host CPU the thread is bound to */
	uint64_t hinted_ns;		/* a yield chose it: dispatch latency from */
	uint64_t woken_ns;		/* then: its futex wake was issued */
	uint64_t awake_ns;		/* then: its thread ran again */

	uint64_t dispatches;		/* times it got its CPU */
	uint64_t preemptions;		/* lost its CPU at a slice end */
	uint64_t hints;			/* spin hints it sent */
	uint64_t halts, kicks_sent, kicks_received;
	uint64_t outcomes[YL_OUT_NR];	/* of its hints */
	uint64_t ipi_calls;		/* IPI port calls it made */
	uint64_t ipis_injected;		/* MSIs yieldlab injected into it */
	uint64_t eoi_mark;		/* its ipi_received at the last unicast */
	bool eoi_wait;			/* a unicast IPI to it not yet handled */
};

struct yl_coop {
	pthread_mutex_t lock;
	struct yl_sched *s;
	const struct yl_policy *pol;
	struct yl_target tgt;
	unsigned int nr_cpus, nr;
	int host_cpu[YL_MAX_VCPUS];	/* sched/ CPU -> host CPU */
	int running[YL_MAX_VCPUS];	/* sched/ CPU -> task owning it, -1 */
	unsigned int wakes[YL_MAX_VCPUS];	/* granted, to wake after unlock */
	unsigned int nr_wakes;
	struct yl_coop_vcpu *v;
	volatile uint8_t *preempted;	/* the guest's page (abi.h) */
	struct yl_vm *vm;
	uint64_t t0;
	bool stopping;

	/*
	 * Decisions, for comparison with what sched/'s tests predict: an
	 * honoured hint's target, (in)eligible when hinted and when its CPU
	 * picked next, and whether that pick was the target.
	 */
	int watch[YL_MAX_VCPUS];	/* sched/ CPU -> target to see picked */
	bool watch_eligible[YL_MAX_VCPUS];
	uint64_t honoured_eligible, eligible_ran_next;
	uint64_t honoured_ineligible, ineligible_ran_next;
	uint64_t ineligible_at_pick, ineligible_at_pick_ran_next;

	int in_run;			/* threads inside KVM_RUN now */
	int max_in_run;			/* the most ever at once */
	uint64_t entries, misplaced;	/* KVM_RUNs; on another host CPU */
	uint64_t handoff_hist[YL_HIST_BUCKETS];	/* hint -> target's entry, ns */
	uint64_t handoff_n, handoff_sum_ns;
	/* the last YL_HANDOFF_SAMPLES hand-offs, ns: their median and spread */
	uint32_t handoff_ring[YL_HANDOFF_SAMPLES];
	/*
	 * The same hand-offs split where the time goes: the decision and
	 * grant (the hint's exit, the lock's wait included, to the wake
	 * call), the host's wake-up (to the target's thread running), and
	 * its way back to KVM_RUN.  A hand-off whose target saw its go word
	 * before the wake call was made is not split.
	 */
	uint64_t phase_sum_ns[YL_HANDOFF_PHASES], phase_n;
	uint64_t outcomes[YL_OUT_NR];
};

int yl_coop_create(struct yl_coop *c, struct yl_vm *vm, struct yl_err *err);
void yl_coop_destroy(struct yl_coop *c);
void yl_coop_begin(struct yl_coop *c);
void yl_coop_stop(struct yl_coop *c);

/* Called by the vCPU thread: */
int yl_coop_thread_start(struct yl_coop *c, struct yl_vcpu *v);
bool yl_coop_enter(struct yl_coop *c, struct yl_vcpu *v);
void yl_coop_leave(struct yl_coop *c, struct yl_vcpu *v);
void yl_coop_tick(struct yl_coop *c, struct yl_vcpu *v);
void yl_coop_spin(struct yl_coop *c, struct yl_vcpu *v, uint32_t arg);
void yl_coop_halt(struct yl_coop *c, struct yl_vcpu *v);
void yl_coop_kick(struct yl_coop *c, struct yl_vcpu *v, uint32_t target);
void yl_coop_exit(struct yl_coop *c, struct yl_vcpu *v);
int yl_coop_ipi(struct yl_coop *c, struct yl_vcpu *v, uint32_t vector);

void yl_coop_signal_init(void);

void yl_coop_handoffs(const struct yl_coop *c, struct yl_handoff_out *h);

#endif
