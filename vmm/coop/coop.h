/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Coop mode (--sched coop): yieldlab schedules the vCPUs itself with
 * sched/'s EEVDF queues and a directed-yield policy.  Mechanism only:
 * every decision is sched/'s (yl_sched_*, yl_directed_yield()).
 *
 * One sched/ CPU per physical CPU of --pcpus, and one host thread per
 * sched/ CPU, pinned to its host CPU: the executor.  It loops: the vCPU
 * sched/ picked for its CPU, KVM_RUN on that vCPU's fd, the exit handled
 * and accounted, again.  A hand-off is a decision and a KVM_RUN on
 * another fd, never a thread wake-up.  Every VM of the run is a task
 * group of the one scheduler (as one cpu cgroup per VM), its vCPUs the
 * tasks; task t is vCPU t % nr_vcpus of VM t / nr_vcpus.
 *
 * Slices end by the thread's own periodic timer signal; a decision on
 * another CPU reaches that CPU's thread by the same signal, which KVM
 * lets in only inside KVM_RUN (KVM_SET_SIGNAL_MASK, set on every vCPU
 * fd, so it moves with the vCPU): one that lands outside makes the next
 * KVM_RUN return at once.  A halted vCPU holds no thread; a thread with
 * nothing to run waits on a futex word.  The guest talks to the
 * scheduler through yieldlab's paravirt ports (abi.h).
 */
#ifndef YL_COOP_H
#define YL_COOP_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <yieldlab/abi.h>
#include "vmm/stats/hoststat.h"
#include "sched/policy.h"
#include "out/timeline.h"
#include "lib/util.h"

#define YL_HANDOFF_PHASES	3	/* decide, switch, enter */
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
struct yl_gate;

/* One task: a vCPU of one of the VMs. */
struct yl_coop_vcpu {
	struct yl_vcpu *vcpu;
	unsigned int vm;		/* its VM */
	bool kicked;			/* a kick came before the halt */
	bool done;			/* left the scheduler for good */
	int in_run;			/* 1 while a thread is in its KVM_RUN */
	int last_thread;		/* pCPU whose thread ran it last, -1 */
	uint64_t hinted_ns;		/* a yield chose it: its hint's exit (lock) */
	uint64_t decided_ns;		/* then: a pick made it a CPU's task */
	int hint_cpu;			/* the CPU whose thread decided */

	uint64_t dispatches;		/* times it got a CPU */
	uint64_t preemptions;		/* lost its CPU at a slice end */
	uint64_t preempted_user;	/* ... while in user mode (--think-mode) */
	uint64_t hints;			/* spin hints it sent */
	uint64_t handoffs;		/* it entered KVM_RUN as a hint's target */
	uint64_t halts, kicks_sent, kicks_received;
	uint64_t outcomes[YL_OUT_NR];	/* of its hints */
	uint64_t ipi_calls;		/* IPI port calls it made */
	uint64_t ipis_injected;		/* MSIs yieldlab injected into it */
	uint64_t eoi_mark;		/* its ipi_received at the first unhandled IPI */
	bool eoi_wait;			/* an IPI to it not yet handled */
	uint64_t thread_changes;	/* KVM_RUNs by another thread than the last */
	uint64_t run_start_ns;		/* its current slice began */
	uint64_t contended_ns;		/* service until the first task finished */
};

/* One executor thread, for one sched/ CPU. */
struct yl_coop_cpu {
	struct yl_coop *c;
	unsigned int idx;
	int host_cpu;
	pthread_t thread;
	bool started;
	pid_t tid;
	bool has_timer;
	timer_t timer;
	int curr;			/* task it runs, -1 idle (lock) */
	uint32_t word;			/* futex: bumped to wake it when idle */
	bool idle;			/* waiting on word (lock) */
	int last_task;			/* whose fd its last KVM_RUN was on */
	uint64_t fd_switches;		/* KVM_RUN on another fd than the last */
	uint64_t idle_waits;
	struct yl_hoststat hs_before, hs_after;
};

struct yl_coop {
	pthread_mutex_t lock;
	struct yl_sched *s;
	const struct yl_policy *pol;
	const struct yl_config *cfg;
	struct yl_target *tgt;		/* [vm]: each VM's target choice */
	unsigned int nr_cpus, nr, nr_vms, per_vm;
	struct yl_coop_cpu *cpu;	/* [nr_cpus] */
	struct yl_coop_vcpu *v;		/* [nr] */
	struct yl_vm *vms;
	struct yl_gate *gate, *leave_gate;
	unsigned int left;		/* tasks not done */
	unsigned int threads_out;	/* executor threads past their loop */
	unsigned int stops;		/* yl_coop_stop() calls: reap from then */
	uint32_t begun;			/* futex: yl_coop_begin() was called */
	bool contended_taken;		/* contended_ns taken, at contended_end */
	uint64_t contended_end;
	uint64_t t0;

	/*
	 * Decisions, for comparison with what sched/'s tests predict: an
	 * honoured hint's target, (in)eligible when hinted and when its CPU
	 * picked next, and whether that pick was it.
	 */
	int watch[YL_MAX_VCPUS];	/* sched/ CPU -> target to see picked */
	bool watch_eligible[YL_MAX_VCPUS];
	uint64_t honoured_eligible, eligible_ran_next;
	uint64_t honoured_ineligible, ineligible_ran_next;
	uint64_t ineligible_at_pick, ineligible_at_pick_ran_next;

	int in_run;			/* vCPUs inside KVM_RUN now */
	int max_in_run;			/* the most ever at once */
	uint64_t double_entries;	/* a vCPU entered by two threads at once */
	uint64_t entries, misplaced;	/* KVM_RUNs; on another host CPU */
	uint64_t handoff_hist[YL_HIST_BUCKETS];	/* hint -> target's entry, ns */
	uint64_t handoff_n, handoff_sum_ns;
	uint64_t handoff_same_thread;	/* the yielder's thread ran the target */
	/* the last YL_HANDOFF_SAMPLES hand-offs, ns: their median and spread */
	uint32_t handoff_ring[YL_HANDOFF_SAMPLES];
	/*
	 * The same hand-offs split where the time goes: the decision (the
	 * hint's exit, the lock's wait included, to the pick that names the
	 * target), the switch (to the thread that runs it taking it: the
	 * same thread at once, another CPU's after its kick), and the entry
	 * (to KVM_RUN on the target's fd).
	 */
	uint64_t phase_sum_ns[YL_HANDOFF_PHASES], phase_n;
	uint64_t outcomes[YL_OUT_NR];
	struct yl_timeline *tl;		/* --timeline, else NULL */
};

extern const struct yl_coop_calls yl_coop_calls;
int yl_coop_create(struct yl_coop *c, struct yl_vm *vms, unsigned int nr_vms,
		   struct yl_err *err);
void yl_coop_destroy(struct yl_coop *c);
int yl_coop_start(struct yl_coop *c, struct yl_err *err);
void yl_coop_begin(struct yl_coop *c);
void yl_coop_stop(struct yl_coop *c);
bool yl_coop_finished(struct yl_coop *c);
void yl_coop_join(struct yl_coop *c);
void yl_coop_signal_init(void);

/* The exit handlers (vcpu.c) call these, on the executor thread: */
void yl_coop_spin(struct yl_coop *c, struct yl_vcpu *v, uint32_t arg);
void yl_coop_halt(struct yl_coop *c, struct yl_vcpu *v);
void yl_coop_kick(struct yl_coop *c, struct yl_vcpu *v, uint32_t target);
int yl_coop_ipi(struct yl_coop *c, struct yl_vcpu *v, uint32_t vector);
void yl_coop_intr(struct yl_coop *c, struct yl_vcpu *v);

void yl_coop_handoffs(const struct yl_coop *c, struct yl_handoff_out *h);

#endif
