/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The EEVDF run queue of kernel/sched/fair.c, as a pure model: no clock of
 * its own (time is passed in), no threads, no KVM.  Names follow the kernel
 * (cfs_rq, sched_entity, vlag, eligible, next buddy) so the two can be read
 * side by side.  Weights are scale_load_down() values: NICE_0 = 1024.
 */
#ifndef YL_SCHED_EEVDF_H
#define YL_SCHED_EEVDF_H

#include <stdbool.h>
#include <stdint.h>

#define YL_NICE_0_LOAD		1024ull

/* How RUN_TO_PARITY protects the current entity. */
enum yl_parity {
	/* 6.6-6.16: protected until its deadline changes (the vlag HACK) */
	YL_PARITY_DEADLINE,
	/* 6.17+: protected while vruntime < vprot (set_protect_slice()) */
	YL_PARITY_VPROT,
};

/* The bound on a dequeued entity's lag. */
enum yl_lag_clamp {
	/* 6.12-6.18 update_entity_lag(): max(2*slice, TICK_NSEC) */
	YL_LAG_CLAMP_2SLICE,
	/* 7.0 entity_lag() (6e3c0a4e1ad1): max slice on the queue + TICK_NSEC */
	YL_LAG_CLAMP_MAXSLICE,
};

/* What yield_task_fair() does to the yielder. */
enum yl_yield_kind {
	/* before 79104becf42b (6.12.0-6.12.62 among the presets): deadline += slice */
	YL_YIELD_DEADLINE_PUSH,
	/* 79104becf42b "Forfeit vruntime on yield": if eligible, v = d, renew */
	YL_YIELD_FORFEIT,
};

struct yl_sched_params {
	char preset[16];		/* the kernel version followed */
	uint64_t base_slice_ns;		/* sysctl_sched_base_slice (scaled) */
	uint64_t normalized_base_slice_ns;
	uint64_t tick_ns;		/* TICK_NSEC */
	bool place_lag;			/* PLACE_LAG */
	bool place_deadline_initial;	/* PLACE_DEADLINE_INITIAL */
	bool place_rel_deadline;	/* PLACE_REL_DEADLINE */
	bool run_to_parity;		/* RUN_TO_PARITY */
	bool preempt_short;		/* PREEMPT_SHORT: did_preempt_short() */
	bool pick_buddy;		/* PICK_BUDDY */
	bool delay_dequeue;		/* DELAY_DEQUEUE */
	bool delay_zero;		/* DELAY_ZERO */
	enum yl_parity parity;
	enum yl_lag_clamp lag_clamp;
	enum yl_yield_kind yield;

	/* Seed patches 1-5 (YIELD_TO_LAG_CREDIT). */
	bool lag_credit;
	bool credit_curr;		/* credit a level that is its rq's curr */
	unsigned int credit_pct;	/* margin: % of one weighted slice ... */
	unsigned int credit_depth_max;	/* ... times min(nr_queued - 1, this) */
	uint64_t credit_resched_ns;	/* forced-resched rate limit (6 ms) */
	/*
	 * Not the seed's: credit granted on a CPU, in ns of weighted time,
	 * may not exceed this % of the time that passed (a token bucket of
	 * at most one base slice); 0 leaves it unbounded, as the seed does.
	 */
	unsigned int credit_budget_pct;

	/* KVM side: kvm_vcpu_on_spin() and the seed's patches 6-10. */
	unsigned int dy_tries;		/* failed yield_to()s before giving up */
	uint64_t ipi_window_ns;		/* ipi_window_ns (50 ms) */
	bool relaxed_boost;		/* enable_relaxed_boost */
	uint64_t group_shares;		/* weight of a group entity */
	/*
	 * Flattened pick (sched/flat, as Peter Zijlstra plans it): grouped
	 * tasks sit on the root queue with weight w * shares / \Sum w of the
	 * group's runnable tasks on that CPU, instead of under a group entity.
	 */
	bool flat;
};

const char *yl_sched_preset_at(unsigned int i);
const char *yl_sched_preset_for_release(const char *release);
int yl_sched_params_preset(struct yl_sched_params *p, const char *name,
			   unsigned int ncpus);

struct yl_rq;

struct yl_se {
	/*
	 * What the tree's walks read, in one cache line: the augmented
	 * tree, ordered by (key, seq).
	 */
	struct yl_se *left, *right, *up;
	uint64_t key;			/* the deadline it was queued with */
	uint64_t seq;
	uint64_t min_vruntime;		/* min over the subtree */
	uint64_t vruntime;
	int height;
	bool hole;			/* the current entity, left in place */

	uint64_t deadline;
	uint32_t inv_weight;		/* load.inv_weight: 2^32 / weight */
	uint64_t weight;		/* scale_load_down(load.weight) */
	uint64_t slice;
	int64_t vlag;			/* V - v, kept across dequeue */
	uint64_t vprot;			/* YL_PARITY_VPROT */
	uint64_t pick_deadline;		/* YL_PARITY_DEADLINE */
	bool on_rq;
	bool sched_delayed;		/* DELAY_DEQUEUE: asleep, still queued */
	bool rel_deadline;		/* PLACE_REL_DEADLINE: deadline - vruntime */

	struct yl_rq *cfs_rq;		/* the queue it is (to be) on */
	struct yl_rq *my_q;		/* group entity: the queue it owns */
	struct yl_se *parent;
	unsigned int depth;

	uint64_t exec_start;
	uint64_t sum_exec_runtime;
	int id;				/* task index, or -1 - group index */
};

struct yl_rq {
	const struct yl_sched_params *p;
	/*
	 * Queued entities but curr, which the kernel keeps off the tree.
	 * Here curr may stay in it as a hole that counts for nothing, to
	 * be filled again when it is put back with the same deadline.
	 */
	struct yl_se *root;
	struct yl_se *leftmost;		/* earliest key (rb_root_cached) */
	int64_t sum_w_vruntime;		/* \Sum (v_i - zero_vruntime) * w_i */
	uint64_t sum_weight;		/* \Sum w_i over the tree */
	uint64_t zero_vruntime;
	uint64_t load;			/* weight of every on_rq entity */
	unsigned int nr_queued;		/* on_rq entities, curr included */
	struct yl_se *curr;
	struct yl_se *next;		/* next buddy */
	uint64_t seq;
	bool *need_resched;		/* the CPU's flag */
};

/* enqueue/dequeue flags, as ENQUEUE_* / DEQUEUE_* */
#define YL_ENQ_WAKEUP		0x1
#define YL_ENQ_INITIAL		0x2
#define YL_DEQ_SLEEP		0x1
#define YL_DEQ_DELAYED		0x2	/* finish a delayed dequeue */
#define YL_DEQ_SPECIAL		0x4	/* never delayed (a task that exits) */

void yl_rq_init(struct yl_rq *rq, const struct yl_sched_params *p,
		bool *need_resched);
void yl_se_init(struct yl_se *se, uint64_t weight, int id);

uint64_t yl_calc_delta_fair(uint64_t delta, const struct yl_se *se);
uint64_t yl_avg_vruntime(const struct yl_rq *rq);
bool yl_vruntime_eligible(const struct yl_rq *rq, uint64_t vruntime);
bool yl_entity_eligible(const struct yl_rq *rq, const struct yl_se *se);
int64_t yl_entity_lag_limit(const struct yl_rq *rq, const struct yl_se *se);
int64_t yl_entity_lag(const struct yl_rq *rq, const struct yl_se *se);
bool yl_protect_slice(const struct yl_rq *rq, const struct yl_se *se);
void yl_cancel_protect_slice(struct yl_se *se);

void yl_update_curr(struct yl_rq *rq, uint64_t now);
void yl_entity_tick(struct yl_rq *rq, uint64_t now);
void yl_enqueue_entity(struct yl_rq *rq, struct yl_se *se, int flags,
		       uint64_t now);
bool yl_dequeue_entity(struct yl_rq *rq, struct yl_se *se, int flags,
		       uint64_t now);
void yl_requeue_delayed_entity(struct yl_rq *rq, struct yl_se *se);
void yl_place_entity(struct yl_rq *rq, struct yl_se *se, int flags);
struct yl_se *yl_pick_eevdf(struct yl_rq *rq, bool protect);
struct yl_se *yl_pick_next_entity(struct yl_rq *rq);
void yl_set_next_entity(struct yl_rq *rq, struct yl_se *se, uint64_t now);
void yl_put_prev_entity(struct yl_rq *rq, struct yl_se *se, uint64_t now);
void yl_yield_entity(struct yl_rq *rq, struct yl_se *se);
void yl_clear_buddies(struct yl_rq *rq, struct yl_se *se);
void yl_replace_entity(struct yl_rq *rq, struct yl_se *se, int64_t vlag);
void yl_reweight_entity(struct yl_rq *rq, struct yl_se *se, uint64_t weight,
			uint64_t now);

/* Test and debug helpers. */
struct yl_se *yl_rq_first(const struct yl_rq *rq);
unsigned int yl_rq_collect(const struct yl_rq *rq, struct yl_se **out,
			   unsigned int max);
int yl_rq_check(const struct yl_rq *rq, char *why, unsigned int len);

#endif
