/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Directed-yield policies behind one interface, and target choice behind
 * another.  A spinning vCPU's hint goes: target choice names candidates in
 * the order kvm_vcpu_on_spin() (or the seed's IPI-aware version) would,
 * the policy carries out a yield_to() on each until one is honoured.
 */
#ifndef YL_SCHED_POLICY_H
#define YL_SCHED_POLICY_H

#include "sched.h"

enum yl_outcome {
	YL_OUT_IGNORED,			/* policy none: nothing happens */
	YL_OUT_YIELDED,			/* undirected yield done */
	YL_OUT_HONOURED,		/* directed yield done */
	YL_OUT_RATE_LIMITED,		/* done; forced preemption suppressed */
	YL_OUT_TARGET_RUNNING,
	YL_OUT_TARGET_BLOCKED,
	YL_OUT_TARGET_NOT_RUNNABLE,	/* off, unknown, or the yielder itself */
	YL_OUT_NO_TARGET,		/* target choice found no candidate */
	YL_OUT_ESRCH,			/* yield_to(): both CPUs run one task */
	YL_OUT_SINGLE_TASK,		/* kvm_sched_yield(): single_task_running() */
	YL_OUT_NR
};

struct yl_policy {
	const char *name;
	/* goes through KVM and yield_to(), with their checks (not handoff) */
	bool kernel_path;
	enum yl_outcome (*yield_to)(struct yl_sched *s, unsigned int yielder,
				    int target, uint64_t now);
};

const struct yl_policy *yl_policy_find(const char *name);
const struct yl_policy *yl_policy_at(unsigned int i);	/* NULL past the end */
const char *yl_outcome_name(enum yl_outcome o);
bool yl_outcome_done(enum yl_outcome o);

enum yl_target_kind {
	YL_TARGET_HINT,		/* the guest names the vCPU it waits for */
	YL_TARGET_RR,		/* kvm_vcpu_on_spin(): round robin */
	YL_TARGET_IPI_PAIRS,	/* seed patches 6-10, as kernel/patches/0006 */
	YL_TARGET_NR
};

struct yl_target_vcpu {
	bool in_spin_loop;	/* spin_loop.in_spin_loop */
	bool dy_eligible;	/* spin_loop.dy_eligible */
	bool pending_irq;	/* kvm_arch_dy_has_pending_interrupt() */
	bool user_mode;		/* preempted in guest user mode:
				   !kvm_arch_vcpu_preempted_in_kernel() */
	int ipi_receiver;	/* last unicast IPI receiver, -1 */
	bool ipi_pending;	/* not yet EOIed by the receiver */
	uint32_t ipi_vector;
	uint64_t ipi_sent_ns;
};

/*
 * What kvm_vcpu_on_spin() did, as KVM counts it (kernel/patches/0006's
 * vCPU statistics, under their names), summed over one VM's spinners.
 */
#define YL_SPIN_COUNTERS(X)						\
	X(BOOST_RECEIVER, "spin_boost_receiver")	/* yields to the IPI receiver */ \
	X(BOOST_STRICT, "spin_boost_strict")	/* ... in the strict round */	\
	X(BOOST_RELAXED, "spin_boost_relaxed")	/* ... in the relaxed round */	\
	X(STRICT_SKIPPED, "spin_strict_skipped") /* preempted in user mode, no irq */

#define YL_SPIN_ENUM(id, name) YL_SPIN_##id,
enum yl_spin_stat { YL_SPIN_COUNTERS(YL_SPIN_ENUM) YL_SPIN_NR };
#undef YL_SPIN_ENUM

extern const char *const yl_spin_stat_names[YL_SPIN_NR];

/*
 * One VM's target choice: its vCPUs are the tasks base..base+nr-1, and
 * kvm_vcpu_on_spin() only ever walks its own VM's vCPUs (kvm->vcpu_array).
 * v[] and last_boosted are indexed from base, as within the VM.
 */
struct yl_target {
	enum yl_target_kind kind;
	unsigned int base, nr;
	int last_boosted;	/* kvm->last_boosted_vcpu */
	struct yl_target_vcpu *v;
	uint64_t spin_stat[YL_SPIN_NR];
};

int yl_target_init(struct yl_target *t, enum yl_target_kind kind,
		   unsigned int nr);
int yl_target_init_vm(struct yl_target *t, enum yl_target_kind kind,
		      unsigned int base, unsigned int nr);
void yl_target_free(struct yl_target *t);
/* Adds @t's spin_stat[] into @sum (YL_SPIN_NR counters), to total VMs. */
void yl_target_add_spin_stat(const struct yl_target *t, uint64_t *sum);
int yl_target_find(const char *name);
const char *yl_target_name(enum yl_target_kind k);
void yl_target_ipi(struct yl_target *t, unsigned int sender,
		   unsigned int receiver, uint32_t vector, uint64_t now);
void yl_target_eoi(struct yl_target *t, unsigned int receiver, uint32_t vector);
bool yl_target_confirmed(const struct yl_target *t, const struct yl_sched *s,
			 unsigned int sender, uint64_t now);

/*
 * kvm_vcpu_on_spin() with the policy in place of kvm_vcpu_yield_to(); me,
 * hint and *chosen are task indices, me one of t's VM:
 * returns the outcome of the last yield tried, the chosen vCPU in *chosen
 * (-1 when none was tried).
 */
enum yl_outcome yl_directed_yield(struct yl_sched *s, const struct yl_policy *pol,
				  struct yl_target *t, unsigned int me, int hint,
				  uint64_t now, int *chosen);

#endif
