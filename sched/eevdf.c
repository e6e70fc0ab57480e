// SPDX-License-Identifier: GPL-2.0
/*
 * EEVDF per run queue, following kernel/sched/fair.c.  Every function names
 * the kernel function it follows; where kernel versions differ, the
 * difference is a parameter (struct yl_sched_params) and both are here.
 *
 * The tree is an AVL tree instead of the kernel's red-black tree: same
 * order (virtual deadline, then insertion order, as rb_add() puts equal
 * keys to the right), same augmentation (min_vruntime), so the same
 * O(log n) heap search in pick_eevdf().
 */
#include <stddef.h>
#include <string.h>
#include <stdio.h>
#include "eevdf.h"

#define WMULT_CONST	(~0u)
#define WMULT_SHIFT	32

/* __update_inv_weight(): 2^32 / weight, kept so that no hot path divides. */
static void set_weight(struct yl_se *se, uint64_t weight)
{
	se->weight = weight ? weight : 1;
	if (se->weight >= WMULT_CONST)
		se->inv_weight = 1;
	else
		se->inv_weight = (uint32_t)(WMULT_CONST / se->weight);
}

/* __calc_delta(): delta * weight / lw, lw given as its inverse. */
static uint64_t calc_delta(uint64_t delta, uint64_t weight, uint32_t inv)
{
	uint64_t fact = weight;
	int shift = WMULT_SHIFT;

	while (fact >> 32) {
		fact >>= 1;
		shift--;
	}
	fact = (uint64_t)(uint32_t)fact * inv;
	while (fact >> 32) {
		fact >>= 1;
		shift--;
	}
	return (uint64_t)(((unsigned __int128)delta * fact) >> shift);
}

/* calc_delta_fair(): wall time to this entity's virtual time. */
uint64_t yl_calc_delta_fair(uint64_t delta, const struct yl_se *se)
{
	if (se->weight != YL_NICE_0_LOAD)
		delta = calc_delta(delta, YL_NICE_0_LOAD, se->inv_weight);
	return delta;
}

static bool vruntime_gt(uint64_t a, uint64_t b)
{
	return (int64_t)(a - b) > 0;
}

/* entity_before(): ordered by virtual deadline (6.8+). */
static bool entity_before(const struct yl_se *a, const struct yl_se *b)
{
	return (int64_t)(a->deadline - b->deadline) < 0;
}

static int64_t entity_key(const struct yl_rq *rq, const struct yl_se *se)
{
	return (int64_t)(se->vruntime - rq->zero_vruntime);
}

/* ------------------------------------------------------------ the tree */

static bool se_less(const struct yl_se *a, const struct yl_se *b)
{
	int64_t d = (int64_t)(a->key - b->key);

	return d ? d < 0 : a->seq < b->seq;
}

static int height(const struct yl_se *se)
{
	return se ? se->height : 0;
}

/* The earlier of two vruntimes, written as a select so it compiles to cmov. */
static inline uint64_t vruntime_min(uint64_t a, uint64_t b)
{
	return vruntime_gt(a, b) ? b : a;
}

/*
 * A hole's own vruntime is left out of the minimum by counting it this far
 * ahead: later than any queued vruntime (they lie within a few slices of
 * V), so never the minimum of a subtree that holds anything else, and
 * never eligible; and still comparable with vruntime_gt() while V drifts.
 */
#define HOLE_BIAS	(1ull << 62)

/*
 * min_vruntime_update(): the augmentation, plus the height.  Returns
 * whether anything an ancestor reads changed, which is what lets the walk
 * up stop early, as the kernel's RB_DECLARE_CALLBACKS propagate callback
 * stops once min_vruntime_update() reports no change.  No min_slice /
 * max_slice: see rq_min_slice().  Branch-free where it can be: which
 * child holds the minimum is data, not a pattern a predictor can learn.
 */
static inline __attribute__((always_inline)) bool pull(struct yl_se *se)
{
	const struct yl_se *l = se->left, *r = se->right;
	uint64_t mv = se->vruntime + (se->hole ? HOLE_BIAS : 0);
	int h = 0;
	bool changed;

	if (l) {
		mv = vruntime_min(mv, l->min_vruntime);
		h = l->height;
	}
	if (r) {
		mv = vruntime_min(mv, r->min_vruntime);
		h = r->height > h ? r->height : h;
	}
	h++;
	changed = (se->height != h) | (se->min_vruntime != mv);
	se->height = h;
	se->min_vruntime = mv;
	return changed;
}

/* Put @new where @old hangs from @up (or at the root). */
static void replace_child(struct yl_rq *rq, struct yl_se *up,
			  struct yl_se *old, struct yl_se *new)
{
	if (new)
		new->up = up;
	if (!up)
		rq->root = new;
	else if (up->left == old)
		up->left = new;
	else
		up->right = new;
}

static struct yl_se *rotate_right(struct yl_rq *rq, struct yl_se *y)
{
	struct yl_se *x = y->left;

	y->left = x->right;
	if (y->left)
		y->left->up = y;
	replace_child(rq, y->up, y, x);
	x->right = y;
	y->up = x;
	pull(y);
	pull(x);
	return x;
}

static struct yl_se *rotate_left(struct yl_rq *rq, struct yl_se *x)
{
	struct yl_se *y = x->right;

	x->right = y->left;
	if (x->right)
		x->right->up = x;
	replace_child(rq, x->up, x, y);
	y->left = x;
	x->up = y;
	pull(x);
	pull(y);
	return y;
}

/* Rebalance @n, two levels taller on one side; returns the subtree's root. */
static struct yl_se *balance(struct yl_rq *rq, struct yl_se *n, bool left_heavy)
{
	if (left_heavy) {
		if (height(n->left->left) < height(n->left->right))
			rotate_left(rq, n->left);
		return rotate_right(rq, n);
	}
	if (height(n->right->right) < height(n->right->left))
		rotate_right(rq, n->right);
	return rotate_left(rq, n);
}

/*
 * Walk up from @n, restoring heights, balance and the augmentation.  Once
 * a node comes out unchanged nothing above it can change, so the walk
 * stops there; but not at or below @guard, a node moved into another's
 * place, whose old values say nothing about its new position.
 */
static void fix_up(struct yl_rq *rq, struct yl_se *n, struct yl_se *guard)
{
	bool may_stop = !guard;

	while (n) {
		int b = height(n->left) - height(n->right);
		struct yl_se *top = NULL;
		bool changed = true;

		if (b > 1 || b < -1)
			top = balance(rq, n, b > 1);
		else
			changed = pull(n);
		if (!changed && may_stop)
			return;
		if (n == guard)
			may_stop = true;
		n = (top ? top : n)->up;
	}
}

static void tree_insert(struct yl_rq *rq, struct yl_se *se)
{
	struct yl_se **link = &rq->root, *up = NULL;
	bool leftmost = true;

	se->key = se->deadline;
	se->hole = false;

	while (*link) {
		up = *link;
		if (se_less(se, up)) {
			link = &up->left;
		} else {
			link = &up->right;
			leftmost = false;
		}
	}
	se->left = se->right = NULL;
	se->up = up;
	se->height = 1;
	se->min_vruntime = se->vruntime;
	*link = se;
	if (leftmost)
		rq->leftmost = se;
	fix_up(rq, up, NULL);
}

/* rb_next(): the in-order successor. */
static struct yl_se *next_of(const struct yl_se *se)
{
	struct yl_se *n = se->right;

	if (n) {
		while (n->left)
			n = n->left;
		return n;
	}
	while (se->up && se->up->right == se)
		se = se->up;
	return se->up;
}

/* rb_erase_augmented_cached(), for the AVL tree. */
static void tree_remove(struct yl_rq *rq, struct yl_se *se)
{
	struct yl_se *s, *start, *guard = NULL;

	if (rq->leftmost == se)
		rq->leftmost = next_of(se);
	if (!se->left || !se->right) {
		start = se->up;
		replace_child(rq, se->up, se, se->left ? se->left : se->right);
	} else {
		for (s = se->right; s->left; s = s->left)
			;
		guard = s;
		if (s == se->right) {
			start = s;
		} else {
			start = s->up;
			start->left = s->right;
			if (s->right)
				s->right->up = start;
			s->right = se->right;
			s->right->up = s;
		}
		s->left = se->left;
		s->left->up = s;
		replace_child(rq, se->up, se, s);
	}
	se->left = se->right = se->up = NULL;
	se->hole = false;
	fix_up(rq, start, guard);
}

/* __pick_first_entity(): the leftmost queued entity, a hole skipped. */
struct yl_se *yl_rq_first(const struct yl_rq *rq)
{
	struct yl_se *se = rq->leftmost;

	return se && se->hole ? next_of(se) : se;
}

/* ------------------------------------------------- weighted average V */

/* sum_w_vruntime_add() */
static void sum_add(struct yl_rq *rq, const struct yl_se *se)
{
	rq->sum_w_vruntime += entity_key(rq, se) * (int64_t)se->weight;
	rq->sum_weight += se->weight;
}

/* sum_w_vruntime_sub() */
static void sum_sub(struct yl_rq *rq, const struct yl_se *se)
{
	rq->sum_w_vruntime -= entity_key(rq, se) * (int64_t)se->weight;
	rq->sum_weight -= se->weight;
}

/* __enqueue_entity() */
static void enqueue_tree(struct yl_rq *rq, struct yl_se *se)
{
	sum_add(rq, se);
	se->seq = rq->seq++;
	tree_insert(rq, se);
}

/* __dequeue_entity() */
static void dequeue_tree(struct yl_rq *rq, struct yl_se *se)
{
	tree_remove(rq, se);
	sum_sub(rq, se);
}

/*
 * The minimum from @n up, as far as it changes: for a hole made or
 * filled, where the shape and so the heights stay as they are.
 */
static void pull_up(struct yl_se *n)
{
	for (; n; n = n->up) {
		const struct yl_se *l = n->left, *r = n->right;
		uint64_t mv = n->vruntime + (n->hole ? HOLE_BIAS : 0);

		if (l)
			mv = vruntime_min(mv, l->min_vruntime);
		if (r)
			mv = vruntime_min(mv, r->min_vruntime);
		if (mv == n->min_vruntime)
			return;
		n->min_vruntime = mv;
	}
}

/*
 * set_next_entity()'s __dequeue_entity(), done lazily: the entity stops
 * counting (sums, minimum, pick) but its node stays, keyed by the
 * deadline it was queued with, so that putting it back is usually only a
 * walk up the minimum instead of a removal and an insertion with their
 * rebalancing.  The decisions are the kernel's; only the tree work
 * differs.
 */
static void make_hole(struct yl_rq *rq, struct yl_se *se)
{
	sum_sub(rq, se);
	se->hole = true;
	pull_up(se);
}

/*
 * put_prev_entity()'s __enqueue_entity() into the entity's own hole.  That
 * is the node rb_add() would make only if the key is unchanged and no
 * equal key follows (rb_add() puts the newcomer after equal keys);
 * otherwise the hole goes and the entity is inserted afresh.
 */
static void fill_hole(struct yl_rq *rq, struct yl_se *se)
{
	const struct yl_se *next = next_of(se);

	if (se->deadline != se->key || (next && next->key == se->key)) {
		tree_remove(rq, se);
		enqueue_tree(rq, se);
		return;
	}
	sum_add(rq, se);
	se->hole = false;
	pull_up(se);
}

/* The weighted key sum and load of the queue, the current entity included. */
struct avg_load {
	__int128 avg;
	int64_t load;
};

static struct avg_load avg_load(const struct yl_rq *rq)
{
	const struct yl_se *curr = rq->curr;
	struct avg_load a = { rq->sum_w_vruntime, (int64_t)rq->sum_weight };

	if (curr && curr->on_rq) {
		a.avg += (__int128)entity_key(rq, curr) * (int64_t)curr->weight;
		a.load += (int64_t)curr->weight;
	}
	return a;
}

/* avg / load rounded towards -inf, so that V itself is always eligible. */
static int64_t avg_floor(__int128 avg, int64_t load)
{
	if (!load)
		return (int64_t)avg;
	if (avg < 0)
		avg -= load - 1;
	/* the common case fits 64 bits: skip the slow 128-bit division */
	if (avg == (int64_t)avg)
		return (int64_t)avg / load;
	return (int64_t)(avg / load);
}

/* avg_vruntime(): V = \Sum v_i*w_i / \Sum w_i over the tree and curr. */
uint64_t yl_avg_vruntime(const struct yl_rq *rq)
{
	struct avg_load a = avg_load(rq);

	return rq->zero_vruntime + (uint64_t)avg_floor(a.avg, a.load);
}

static bool eligible_at(const struct yl_rq *rq, const struct avg_load *a,
			uint64_t vruntime)
{
	return a->avg >= (__int128)(int64_t)(vruntime - rq->zero_vruntime) * a->load;
}

/*
 * vruntime_eligible(): lag_i >= 0 <=> V >= v_i, compared without the
 * division's rounding and with a 128-bit product, as mainline does.
 */
bool yl_vruntime_eligible(const struct yl_rq *rq, uint64_t vruntime)
{
	struct avg_load a = avg_load(rq);

	return eligible_at(rq, &a, vruntime);
}

bool yl_entity_eligible(const struct yl_rq *rq, const struct yl_se *se)
{
	return yl_vruntime_eligible(rq, se->vruntime);
}

/*
 * update_zero_vruntime(): keep keys small by rebasing on V.  V itself does
 * not depend on where zero_vruntime is (the rebase moves every key and the
 * sum alike), so this is bookkeeping against overflow, not a decision.
 * Since b3d99f43c72b ("sched/fair: Fix zero_vruntime tracking") mainline
 * does it inside avg_vruntime(), which place_entity(), update_entity_lag()
 * and entity_tick() call, and no longer in update_curr(): a rebase costs
 * a 64-bit division.  Here it follows every enqueue and dequeue and each
 * tick (yl_entity_tick()).
 */
static void update_zero_vruntime(struct yl_rq *rq)
{
	uint64_t v = yl_avg_vruntime(rq);
	int64_t delta = (int64_t)(v - rq->zero_vruntime);

	rq->sum_w_vruntime -= (int64_t)rq->sum_weight * delta;
	rq->zero_vruntime = v;
}

/*
 * The slice of the queue's requests, or @none if it is empty.  The model
 * has no custom slices (sched_attr::sched_runtime, a group entity's slice
 * taken from its queue): every request is base_slice_ns long, which
 * yl_rq_check() asserts.  So cfs_rq_min_slice() and cfs_rq_max_slice()
 * are the same value and the kernel's min_slice/max_slice tree
 * augmentation would only repeat it on every node.
 */
static uint64_t rq_slice(const struct yl_rq *rq, uint64_t none)
{
	if (rq->curr && rq->curr->on_rq)
		return rq->curr->slice;
	return rq->root ? rq->root->slice : none;
}

/* cfs_rq_max_slice() */
static uint64_t rq_max_slice(const struct yl_rq *rq)
{
	return rq_slice(rq, 0);
}

/* cfs_rq_min_slice() */
static uint64_t rq_min_slice(const struct yl_rq *rq)
{
	return rq_slice(rq, UINT64_MAX);
}

/* The clamp of update_entity_lag() (6.12) or entity_lag() (newer). */
int64_t yl_entity_lag_limit(const struct yl_rq *rq, const struct yl_se *se)
{
	uint64_t span;

	if (rq->p->lag_clamp == YL_LAG_CLAMP_2SLICE)
		span = 2 * se->slice > rq->p->tick_ns ? 2 * se->slice : rq->p->tick_ns;
	else
		span = rq_max_slice(rq) + rq->p->tick_ns;
	return (int64_t)yl_calc_delta_fair(span, se);
}

int64_t yl_entity_lag(const struct yl_rq *rq, const struct yl_se *se)
{
	int64_t lag = (int64_t)(yl_avg_vruntime(rq) - se->vruntime);
	int64_t limit = yl_entity_lag_limit(rq, se);

	return lag < -limit ? -limit : lag > limit ? limit : lag;
}

/* ------------------------------------------------------- slice protection */

/* RUN_TO_PARITY: is the current entity still inside its protected run? */
bool yl_protect_slice(const struct yl_rq *rq, const struct yl_se *se)
{
	if (rq->p->parity == YL_PARITY_DEADLINE)
		return rq->p->run_to_parity && se->pick_deadline == se->deadline;
	return (int64_t)(se->vprot - se->vruntime) > 0;
}

/* cancel_protect_slice() */
void yl_cancel_protect_slice(struct yl_se *se)
{
	se->vprot = se->vruntime;
	se->pick_deadline = ~se->deadline;
}

/* set_protect_slice() (6.17+), or the 6.12 HACK stashing the deadline. */
static void set_protect_slice(struct yl_rq *rq, struct yl_se *se)
{
	uint64_t slice = rq->p->normalized_base_slice_ns, vprot = se->deadline;

	se->pick_deadline = se->deadline;
	if (rq->p->run_to_parity)
		slice = rq_min_slice(rq);
	if (se->slice < slice)
		slice = se->slice;
	if (slice != se->slice) {
		uint64_t v = se->vruntime + yl_calc_delta_fair(slice, se);

		if ((int64_t)(v - vprot) < 0)
			vprot = v;
	}
	se->vprot = vprot;
}

/* ------------------------------------------------------- the operations */

void yl_rq_init(struct yl_rq *rq, const struct yl_sched_params *p,
		bool *need_resched)
{
	memset(rq, 0, sizeof(*rq));
	rq->p = p;
	rq->need_resched = need_resched;
}

void yl_se_init(struct yl_se *se, uint64_t weight, int id)
{
	memset(se, 0, sizeof(*se));
	set_weight(se, weight);
	se->id = id;
	se->height = 1;
}

/* __clear_buddies_next(): the buddy is cleared up the hierarchy. */
void yl_clear_buddies(struct yl_rq *rq, struct yl_se *se)
{
	if (rq->next != se)
		return;
	for (; se; se = se->parent) {
		if (se->cfs_rq->next != se)
			break;
		se->cfs_rq->next = NULL;
	}
}

/* update_deadline(): a used-up request gets a new one. */
static bool update_deadline(struct yl_rq *rq, struct yl_se *se)
{
	if ((int64_t)(se->vruntime - se->deadline) < 0)
		return false;
	se->slice = rq->p->base_slice_ns;
	se->deadline = se->vruntime + yl_calc_delta_fair(se->slice, se);
	return true;
}

/*
 * Whether update_curr() reschedules a current entity that has not used up
 * its request: 6.17+ when it has run past vprot; 6.12's
 * did_preempt_short() when its protection is gone (the deadline stash no
 * longer matches, whatever RUN_TO_PARITY says) and it is not eligible.
 */
static bool lost_protection(const struct yl_rq *rq, const struct yl_se *curr)
{
	if (rq->p->parity == YL_PARITY_VPROT)
		return !yl_protect_slice(rq, curr);
	return rq->p->preempt_short && curr->pick_deadline != curr->deadline &&
	       !yl_entity_eligible(rq, curr);
}

/* update_curr(): charge the running entity its virtual time. */
void yl_update_curr(struct yl_rq *rq, uint64_t now)
{
	struct yl_se *curr = rq->curr;
	int64_t delta;
	bool resched;

	if (!curr)
		return;
	delta = (int64_t)(now - curr->exec_start);
	if (delta <= 0)
		return;
	curr->exec_start = now;
	curr->sum_exec_runtime += (uint64_t)delta;
	curr->vruntime += yl_calc_delta_fair((uint64_t)delta, curr);
	resched = update_deadline(rq, curr);
	if (rq->nr_queued == 1)
		return;
	if (resched || lost_protection(rq, curr)) {
		*rq->need_resched = true;
		yl_clear_buddies(rq, curr);
	}
}

/*
 * entity_tick(): update_curr(), and avg_vruntime() for its side effect of
 * pulling zero_vruntime along, which a lone entity that is never dequeued
 * would otherwise leave behind until keys overflow.
 */
void yl_entity_tick(struct yl_rq *rq, uint64_t now)
{
	yl_update_curr(rq, now);
	update_zero_vruntime(rq);
}

/*
 * place_entity()'s scaling: an entity entering a queue of weight W moves
 * V by w_i*vl_i/(W + w_i), so it is placed with vl_i*(W + w_i)/W to keep
 * vl_i once it is counted.
 */
static int64_t scale_lag(int64_t vlag, int64_t load, uint64_t weight)
{
	__int128 l = (__int128)vlag * (load + (int64_t)weight);

	return (int64_t)(l / (load ? load : 1));
}

/* place_entity(): put the entity at V - lag, the lag scaled to survive. */
void yl_place_entity(struct yl_rq *rq, struct yl_se *se, int flags)
{
	uint64_t v = yl_avg_vruntime(rq), vslice;
	int64_t lag = 0;

	se->slice = rq->p->base_slice_ns;
	vslice = yl_calc_delta_fair(se->slice, se);
	if (rq->p->place_lag && rq->nr_queued && se->vlag)
		lag = scale_lag(se->vlag, avg_load(rq).load, se->weight);
	se->vruntime = v - (uint64_t)lag;
	if (rq->p->place_rel_deadline && se->rel_deadline) {
		se->deadline += se->vruntime;
		se->rel_deadline = false;
		return;
	}
	if (rq->p->place_deadline_initial && (flags & YL_ENQ_INITIAL))
		vslice /= 2;
	se->deadline = se->vruntime + vslice;
}

/* account_entity_enqueue() / account_entity_dequeue() */
static void account_enqueue(struct yl_rq *rq, const struct yl_se *se)
{
	rq->load += se->weight;
	rq->nr_queued++;
}

static void account_dequeue(struct yl_rq *rq, const struct yl_se *se)
{
	rq->load -= se->weight;
	rq->nr_queued--;
}

/* enqueue_entity() */
void yl_enqueue_entity(struct yl_rq *rq, struct yl_se *se, int flags,
		       uint64_t now)
{
	bool curr = rq->curr == se;

	se->cfs_rq = rq;
	if (curr)
		yl_place_entity(rq, se, flags);
	yl_update_curr(rq, now);
	if (!curr)
		yl_place_entity(rq, se, flags);
	account_enqueue(rq, se);
	if (!curr)
		enqueue_tree(rq, se);
	se->on_rq = true;
	update_zero_vruntime(rq);
}

/*
 * PLACE_REL_DEADLINE: an entity leaving without sleeping keeps what is
 * left of its request, as deadline - vruntime, for place_entity().
 */
static void keep_request(struct yl_rq *rq, struct yl_se *se)
{
	if (!rq->p->place_rel_deadline)
		return;
	se->deadline -= se->vruntime;
	se->rel_deadline = true;
}

/*
 * An entity on the queue placed again with @vlag (the current one too,
 * whose node, off the tree or a hole, stays where it is): the dequeue /
 * place_entity / enqueue sequence that keeps V consistent.
 */
static void place_again(struct yl_rq *rq, struct yl_se *se, int64_t vlag,
			bool keep)
{
	bool curr = se == rq->curr;

	if (!curr)
		dequeue_tree(rq, se);
	account_dequeue(rq, se);
	se->vlag = vlag;
	if (keep)
		keep_request(rq, se);
	yl_place_entity(rq, se, 0);
	account_enqueue(rq, se);
	if (!curr)
		enqueue_tree(rq, se);
	update_zero_vruntime(rq);
}

/*
 * dequeue_entity(): the lag is kept, clamped, for the next placement.
 * With DELAY_DEQUEUE an entity going to sleep while not eligible stays
 * queued (sched_delayed) to burn off its negative lag, and false says so;
 * it is dequeued for real once picked (YL_DEQ_DELAYED), when DELAY_ZERO
 * clips a positive lag to 0 (finish_delayed_dequeue_entity()).  An entity
 * leaving without sleeping (a migration, a requeue) keeps its remaining
 * request as deadline - vruntime (PLACE_REL_DEADLINE).
 */
bool yl_dequeue_entity(struct yl_rq *rq, struct yl_se *se, int flags,
		       uint64_t now)
{
	bool sleep = flags & YL_DEQ_SLEEP;

	yl_update_curr(rq, now);
	yl_clear_buddies(rq, se);
	if (!(flags & (YL_DEQ_DELAYED | YL_DEQ_SPECIAL)) && sleep &&
	    rq->p->delay_dequeue && !yl_entity_eligible(rq, se)) {
		se->sched_delayed = true;
		return false;
	}
	se->vlag = yl_entity_lag(rq, se);
	if (!sleep)
		keep_request(rq, se);
	if (se != rq->curr)
		dequeue_tree(rq, se);
	else if (se->hole)
		tree_remove(rq, se);
	se->on_rq = false;
	account_dequeue(rq, se);
	update_zero_vruntime(rq);
	if (flags & YL_DEQ_DELAYED) {
		se->sched_delayed = false;
		if (rq->p->delay_zero && se->vlag > 0)
			se->vlag = 0;
	}
	return true;
}

/*
 * requeue_delayed_entity(): a delayed entity woken before it was picked
 * just stays; with DELAY_ZERO a lag it gained while asleep is given up,
 * placed again at lag 0.
 */
void yl_requeue_delayed_entity(struct yl_rq *rq, struct yl_se *se)
{
	if (rq->p->delay_zero) {
		se->vlag = yl_entity_lag(rq, se);
		if (se->vlag > 0)
			place_again(rq, se, 0, false);
	}
	se->sched_delayed = false;
}

/*
 * The current entity, off the tree, moved so that its lag becomes vlag:
 * like place_entity() against the average of the others, scaled by
 * (W + w) / W so the lag survives the entity's own weight in V.  Its
 * request (deadline, protection) moves with it.
 */
static void shift_curr(struct yl_rq *rq, struct yl_se *se, int64_t vlag)
{
	int64_t load = (int64_t)rq->sum_weight, delta;
	uint64_t v;

	if (!load)
		return;		/* alone: its lag is 0 whatever we do */
	v = rq->zero_vruntime + (uint64_t)avg_floor(rq->sum_w_vruntime, load) -
	    (uint64_t)scale_lag(vlag, load, se->weight);
	delta = (int64_t)(v - se->vruntime);
	se->vruntime = v;
	se->deadline += (uint64_t)delta;
	se->vprot += (uint64_t)delta;
	se->pick_deadline += (uint64_t)delta;
}

/*
 * Lag credit's re-placement (seed patch 3): a queued entity goes through
 * the dequeue / place_entity / enqueue sequence with the given vlag, so V
 * stays consistent, keeping what is left of its request as that sequence
 * does under PLACE_REL_DEADLINE; the off-tree current entity is shifted
 * in place.
 * The next buddy is kept: it is what the credit is for.
 */
void yl_replace_entity(struct yl_rq *rq, struct yl_se *se, int64_t vlag)
{
	if (se == rq->curr) {
		shift_curr(rq, se, vlag);
		return;
	}
	place_again(rq, se, vlag, true);	/* a dequeue that is no sleep */
}

/*
 * reweight_entity(): the lag and the relative deadline are kept in real
 * terms, so both scale by old/new weight, and the entity is placed again.
 */
void yl_reweight_entity(struct yl_rq *rq, struct yl_se *se, uint64_t weight,
			uint64_t now)
{
	bool curr = rq->curr == se;
	int64_t rel_deadline = 0;

	if (!weight)
		weight = 1;
	if (se->on_rq) {
		yl_update_curr(rq, now);
		se->vlag = yl_entity_lag(rq, se);
		rel_deadline = (int64_t)(se->deadline - se->vruntime);
		if (!curr)
			dequeue_tree(rq, se);
		account_dequeue(rq, se);
	}
	se->vlag = (int64_t)((__int128)se->vlag * (int64_t)se->weight / (int64_t)weight);
	rel_deadline = (int64_t)((__int128)rel_deadline * (int64_t)se->weight /
				 (int64_t)weight);
	set_weight(se, weight);
	if (!se->on_rq)
		return;
	yl_place_entity(rq, se, 0);
	se->deadline = se->vruntime + (uint64_t)rel_deadline;
	account_enqueue(rq, se);
	if (!curr)
		enqueue_tree(rq, se);
	update_zero_vruntime(rq);
}

/*
 * __pick_eevdf(): among eligible entities the earliest virtual deadline,
 * found by the heap search on min_vruntime; the current entity wins while
 * its slice is protected, and over any later deadline.
 */
struct yl_se *yl_pick_eevdf(struct yl_rq *rq, bool protect)
{
	struct yl_se *node = rq->root, *se = yl_rq_first(rq);
	struct yl_se *curr = rq->curr, *best = NULL;
	uint64_t zero = rq->zero_vruntime;
	struct avg_load a;
	int64_t v_key;

	if (rq->nr_queued == 1)
		return curr && curr->on_rq ? curr : se;
	a = avg_load(rq);
	/*
	 * vruntime_eligible() is key * load <= avg; with load > 0 and an
	 * integer key that is key <= floor(avg / load), the V - zero_vruntime
	 * of avg_vruntime().  One division here buys a plain compare for
	 * every node the search visits.
	 */
	v_key = avg_floor(a.avg, a.load);
	if (curr && (!curr->on_rq || (int64_t)(curr->vruntime - zero) > v_key))
		curr = NULL;
	if (curr && protect && yl_protect_slice(rq, curr))
		return curr;
	if (se && (int64_t)(se->vruntime - zero) <= v_key) {
		best = se;
		goto found;
	}
	while (node) {
		struct yl_se *left = node->left;

		if (left && (int64_t)(left->min_vruntime - zero) <= v_key) {
			node = left;
			continue;
		}
		if (!node->hole && (int64_t)(node->vruntime - zero) <= v_key) {
			best = node;
			break;
		}
		node = node->right;
	}
found:
	if (!best || (curr && entity_before(curr, best)))
		best = curr;
	return best;
}

/* pick_next_entity(): the next buddy first, if it is eligible (PICK_BUDDY). */
struct yl_se *yl_pick_next_entity(struct yl_rq *rq)
{
	if (rq->p->pick_buddy && rq->next && yl_entity_eligible(rq, rq->next))
		return rq->next;
	return yl_pick_eevdf(rq, true);
}

/* set_next_entity(): the current entity is kept out of the tree. */
void yl_set_next_entity(struct yl_rq *rq, struct yl_se *se, uint64_t now)
{
	yl_clear_buddies(rq, se);
	if (se->on_rq) {
		make_hole(rq, se);
		set_protect_slice(rq, se);
	}
	rq->curr = se;
	se->exec_start = now;
}

/* put_prev_entity() */
void yl_put_prev_entity(struct yl_rq *rq, struct yl_se *prev, uint64_t now)
{
	if (prev->on_rq) {
		yl_update_curr(rq, now);
		if (prev->hole)
			fill_hole(rq, prev);
		else
			enqueue_tree(rq, prev);
	}
	rq->curr = NULL;
}

/* yield_task_fair() on one entity; the caller ran update_curr(). */
void yl_yield_entity(struct yl_rq *rq, struct yl_se *se)
{
	yl_clear_buddies(rq, se);
	if (rq->p->yield == YL_YIELD_DEADLINE_PUSH) {
		se->deadline += yl_calc_delta_fair(se->slice, se);
		return;
	}
	if (yl_entity_eligible(rq, se)) {
		se->vruntime = se->deadline;
		se->deadline += yl_calc_delta_fair(se->slice, se);
	}
}

/* ------------------------------------------------------------ checking */

static void collect(const struct yl_se *n, struct yl_se **out,
		    unsigned int max, unsigned int *k)
{
	if (!n)
		return;
	collect(n->left, out, max, k);
	if (!n->hole) {
		if (*k < max)
			out[*k] = (struct yl_se *)n;
		(*k)++;
	}
	collect(n->right, out, max, k);
}

unsigned int yl_rq_collect(const struct yl_rq *rq, struct yl_se **out,
			   unsigned int max)
{
	unsigned int k = 0;

	collect(rq->root, out, max, &k);
	return k;
}

/* Equal minima, or both only a hole's, which lags behind curr's vruntime. */
static bool same_min(const struct yl_rq *rq, uint64_t a, uint64_t b)
{
	int64_t far = (int64_t)(HOLE_BIAS / 2);

	return a == b || ((int64_t)(a - rq->zero_vruntime) > far &&
			  (int64_t)(b - rq->zero_vruntime) > far);
}

static int check_node(const struct yl_rq *rq, const struct yl_se *n,
		      char *why, unsigned int len)
{
	struct yl_se copy;

	if (!n)
		return 0;
	if (check_node(rq, n->left, why, len) ||
	    check_node(rq, n->right, why, len))
		return -1;
	if (n->left && !se_less(n->left, n))
		return snprintf(why, len, "tree order broken at %d", n->id), -1;
	if (n->right && se_less(n->right, n))
		return snprintf(why, len, "tree order broken at %d", n->id), -1;
	if ((n->left && n->left->up != n) || (n->right && n->right->up != n))
		return snprintf(why, len, "parent pointer broken at %d", n->id), -1;
	copy = *n;
	pull(&copy);
	if (copy.height != n->height ||
	    !same_min(rq, copy.min_vruntime, n->min_vruntime))
		return snprintf(why, len, "augmentation stale at %d", n->id), -1;
	if (n->hole && (n != rq->curr || !n->on_rq))
		return snprintf(why, len, "hole %d is not the queued current entity", n->id), -1;
	if (!n->hole && n->key != n->deadline)
		return snprintf(why, len, "entity %d queued with a stale key", n->id), -1;
	if (n->slice != rq->p->base_slice_ns)
		return snprintf(why, len, "entity %d has a custom slice", n->id), -1;
	if (height(n->left) - height(n->right) > 1 ||
	    height(n->right) - height(n->left) > 1)
		return snprintf(why, len, "unbalanced at %d", n->id), -1;
	return 0;
}

/* Every invariant the bookkeeping promises; for the tests. */
int yl_rq_check(const struct yl_rq *rq, char *why, unsigned int len)
{
	struct yl_se *all[4096], *first = rq->root;
	unsigned int n = yl_rq_collect(rq, all, 4096), i;
	int64_t sum = 0;
	uint64_t w = 0;

	if (check_node(rq, rq->root, why, len))
		return -1;
	if (rq->root && rq->root->up)
		return snprintf(why, len, "root has a parent"), -1;
	while (first && first->left)
		first = first->left;
	if (rq->leftmost != first || yl_rq_first(rq) != (n ? all[0] : NULL))
		return snprintf(why, len, "cached leftmost stale"), -1;
	for (i = 0; i < n && i < 4096; i++) {
		sum += entity_key(rq, all[i]) * (int64_t)all[i]->weight;
		w += all[i]->weight;
		if (!all[i]->on_rq || all[i] == rq->curr)
			return snprintf(why, len, "entity %d in tree but not queued", all[i]->id), -1;
	}
	if (sum != rq->sum_w_vruntime || w != rq->sum_weight)
		return snprintf(why, len, "sum_w_vruntime %lld/%lld or sum_weight %llu/%llu stale",
				(long long)rq->sum_w_vruntime, (long long)sum,
				(unsigned long long)rq->sum_weight,
				(unsigned long long)w), -1;
	if (rq->curr && rq->curr->on_rq) {
		w += rq->curr->weight;
		n++;
	}
	if (w != rq->load || n != rq->nr_queued)
		return snprintf(why, len, "load %llu/%llu or nr_queued %u/%u stale",
				(unsigned long long)rq->load, (unsigned long long)w,
				rq->nr_queued, n), -1;
	return 0;
}
