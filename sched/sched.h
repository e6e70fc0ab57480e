/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A set of CPUs, each with an EEVDF root run queue, the tasks (vCPUs) on
 * them and optionally one level of groups (a VM's vCPUs as a group entity
 * under the root, as with one cpu cgroup per VM).  This is what the
 * cooperative scheduler and the simulator drive; time is always passed in.
 */
#ifndef YL_SCHED_SCHED_H
#define YL_SCHED_SCHED_H

#include "eevdf.h"

enum yl_task_state {
	YL_TASK_OFF,		/* not started, or gone */
	YL_TASK_RUNNABLE,	/* queued or running */
	YL_TASK_BLOCKED,	/* sleeping (a halted vCPU) */
};

struct yl_task {
	struct yl_se se;
	unsigned int cpu;
	unsigned int home;		/* where it was placed; handoff lends it */
	int group;			/* -1: directly under the root */
	enum yl_task_state state;
	uint64_t weight;		/* its own weight; se.weight may be flattened */
	double ideal_ns;		/* fair share received while queued */
	double ipw_snap;
};

struct yl_group_cpu {
	struct yl_se se;		/* the group's entity on this CPU's root */
	struct yl_rq q;			/* the group's queue on this CPU */
	double ipw;			/* ideal service per unit weight */
};

struct yl_cpu {
	struct yl_rq rq;		/* root queue */
	bool need_resched;
	int curr;			/* running task, -1 idle */
	unsigned int nr_running;	/* runnable tasks, hierarchy flattened */
	bool credit_resched_seen;
	uint64_t last_credit_resched;	/* lag credit rate limit */
	bool credit_t_seen;
	uint64_t credit_t;		/* credit_budget_pct's bucket */
	uint64_t credit_tokens;
	int handoff;			/* task to run next regardless, -1 */
	int yield_next;			/* a same-rq yield_to() target, -1 */
	bool donating;
	uint64_t donation_end;
	double ipw;
	uint64_t fair_t;
};

/*
 * What lag credit did, as the patched kernel counts it (kernel/patches/0001,
 * 0003 and 0008; debugfs sched/yield_credit) and under the same names, so
 * that the model's counts and the kernel's stand side by side.  The one
 * list: the kernel's reader (vmm/stats/kcredit.c) takes its names from it.
 */
#define YL_CREDIT_COUNTERS(X)						\
	X(YIELDS, "yields")		/* yield_to_task_fair(), feature on */ \
	X(CROSS_RQ, "cross_rq")		/* target on another rq: no credit */ \
	X(CREDITS, "credits")		/* yields that credited a level */ \
	X(LEVELS, "levels")		/* entities credited, all levels */ \
	X(CURR_TASK, "curr_task")	/* ... a cfs_rq->curr task */	\
	X(CURR_GROUP, "curr_group")	/* ... a cfs_rq->curr group entity */ \
	X(QUEUED_TASK, "queued_task")	/* ... a queued task, re-placed */ \
	X(QUEUED_GROUP, "queued_group")	/* ... a queued group entity */	\
	X(CURR_SKIPPED, "curr_skipped")	/* curr levels left (credit_curr off) */ \
	X(ELIGIBLE, "eligible")		/* levels eligible already */	\
	X(CREDIT_NS, "credit_ns")	/* virtual lag granted, all levels */ \
	X(RESCHED, "resched")		/* forced reschedules after a credit */ \
	X(RESCHED_LIMITED, "resched_limited") /* ... the rate limit refused */ \
	X(NEXT_TARGET, "next_target")	/* pick after a same-rq yield: target */ \
	X(NEXT_OTHER, "next_other")	/* ... another task, or idle */

#define YL_CS_ENUM(id, name) YL_CS_##id,
enum yl_credit_stat { YL_CREDIT_COUNTERS(YL_CS_ENUM) YL_CS_NR };
#undef YL_CS_ENUM

extern const char *const yl_credit_stat_names[YL_CS_NR];

struct yl_sched {
	struct yl_sched_params p;
	unsigned int nr_cpus, nr_tasks, nr_groups;
	struct yl_cpu *cpus;
	struct yl_task *tasks;
	struct yl_group_cpu *groups;	/* [cpu * nr_groups + group]: a CPU's together */
	uint64_t *group_shares;		/* [group]: tg->shares */
	uint64_t credit_stat[YL_CS_NR];	/* the kernel's counters, above */
	/* the model's own: */
	uint64_t credit_denied;		/* credits credit_budget_pct refused */
	uint64_t credit_margin_ns;	/* of credit_ns, granted past zero lag */
};

/*
 * task_cpu[i] places task i, task_group[i] is its group or -1 (NULL: no
 * groups), task_weight[i] its weight (NULL: all NICE_0).
 */
struct yl_sched *yl_sched_create(const struct yl_sched_params *p,
				 unsigned int nr_cpus, unsigned int nr_tasks,
				 unsigned int nr_groups,
				 const unsigned int *task_cpu,
				 const int *task_group,
				 const uint64_t *task_weight);
void yl_sched_destroy(struct yl_sched *s);
/*
 * A group's shares (a cpu cgroup's cpu.weight, as tg->shares), before
 * yl_sched_start(); every group starts with p->group_shares.  As in the
 * model's one level of groups elsewhere, each CPU's group entity carries
 * the whole shares (calc_group_shares() would split them by load).
 */
void yl_sched_set_group_shares(struct yl_sched *s, unsigned int g,
			       uint64_t shares);

/* Every task joins its CPU's queue, as a new task does (ENQUEUE_INITIAL). */
void yl_sched_start(struct yl_sched *s, uint64_t now);
/* The task wakes up; true if it should preempt its CPU's current task. */
bool yl_sched_wake(struct yl_sched *s, unsigned int t, uint64_t now);
/* The task sleeps; if it was running, its CPU must schedule. */
void yl_sched_block(struct yl_sched *s, unsigned int t, uint64_t now);
/* The task leaves for good. */
void yl_sched_exit(struct yl_sched *s, unsigned int t, uint64_t now);
/* Account time to the running task; true if the CPU must schedule. */
bool yl_sched_tick(struct yl_sched *s, unsigned int cpu, uint64_t now);
/* schedule(): pick the next task for the CPU and switch to it; -1 idle. */
int yl_sched_pick(struct yl_sched *s, unsigned int cpu, uint64_t now);
/* Move a queued task to another CPU with its lag. */
void yl_sched_migrate(struct yl_sched *s, unsigned int t, unsigned int cpu,
		      uint64_t now);

/* Pieces the policies use (kernel names). */
void yl_sched_update_curr(struct yl_sched *s, unsigned int cpu, uint64_t now);
void yl_sched_set_next_buddy(struct yl_sched *s, unsigned int t);
void yl_sched_yield_task(struct yl_sched *s, unsigned int t, uint64_t now);
bool yl_sched_task_running(const struct yl_sched *s, unsigned int t);

/* Fairness: service received and the ideal weighted share, in ns. */
uint64_t yl_sched_service(const struct yl_sched *s, unsigned int t);
double yl_sched_ideal(struct yl_sched *s, unsigned int t, uint64_t now);

struct yl_rq *yl_sched_task_rq(struct yl_sched *s, unsigned int t);

#endif
