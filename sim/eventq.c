// SPDX-License-Identifier: GPL-2.0
/*
 * A 4-ary heap: half the depth of a binary one, and a node's children
 * share a cache line or two, which is what a sift-down reads.  Keyed
 * events: a winner tree, see eventq.h.
 */
#include <stdlib.h>
#include <string.h>
#include "eventq.h"

#define ARITY	4

/* (t, seq) as one 128-bit number: one compare, no branch on the tie. */
static bool before(const struct yl_ev *a, const struct yl_ev *b)
{
	unsigned __int128 x = (unsigned __int128)a->t << 64 | a->seq;
	unsigned __int128 y = (unsigned __int128)b->t << 64 | b->seq;

	return x < y;
}

static const struct yl_ev none = { UINT64_MAX, UINT64_MAX, 0, 0, YL_EV_NO_KEY };


int yl_eventq_init(struct yl_eventq *q, size_t cap, uint32_t nkeys)
{
	uint32_t k;

	memset(q, 0, sizeof(*q));
	q->cap = cap ? cap : 64;
	q->h = malloc(q->cap * sizeof(*q->h));
	q->nkeys = nkeys;
	q->dirty = YL_EV_NO_KEY;
	for (q->size = 1; q->size < nkeys; q->size *= 2)
		;
	q->leaf = malloc(q->size * sizeof(*q->leaf));
	q->key = malloc(2 * (size_t)q->size * sizeof(*q->key));
	q->win = malloc(2 * (size_t)q->size * sizeof(*q->win));
	if (!q->h || !q->leaf || !q->key || !q->win)
		return -1;
	for (k = 0; k < q->size; k++) {
		q->leaf[k] = none;
		q->key[q->size + k] = UINT64_MAX;
		q->win[q->size + k] = k;
	}
	for (k = q->size - 1; k >= 1; k--) {	/* all empty: the leftmost wins */
		q->key[k] = q->key[2 * k];
		q->win[k] = q->win[2 * k];
	}
	return 0;
}

void yl_eventq_free(struct yl_eventq *q)
{
	free(q->h);
	free(q->leaf);
	free(q->key);
	free(q->win);
	memset(q, 0, sizeof(*q));
}

static void sift_up(struct yl_eventq *q, size_t i, const struct yl_ev *e)
{
	while (i) {
		size_t up = (i - 1) / ARITY;

		if (!before(e, &q->h[up]))
			break;
		q->h[i] = q->h[up];
		i = up;
	}
	q->h[i] = *e;
}

/* The earliest of the children of @i, or 0 if it has none. */
static size_t first_child(const struct yl_eventq *q, size_t i)
{
	size_t c = i * ARITY + 1, end = c + ARITY, best = c;

	if (c >= q->n)
		return 0;
	if (end > q->n)
		end = q->n;
	for (c++; c < end; c++)
		best = before(&q->h[c], &q->h[best]) ? c : best;
	return best;
}

static void sift_down(struct yl_eventq *q, size_t i, const struct yl_ev *e)
{
	size_t c;

	while ((c = first_child(q, i)) && before(&q->h[c], e)) {
		q->h[i] = q->h[c];
		i = c;
	}
	q->h[i] = *e;
}

static int grow(struct yl_eventq *q)
{
	struct yl_ev *h;

	if (q->n < q->cap)
		return 0;
	h = realloc(q->h, 2 * q->cap * sizeof(*h));
	if (!h)
		return -1;
	q->h = h;
	q->cap *= 2;
	return 0;
}

int yl_eventq_push(struct yl_eventq *q, uint64_t t, uint32_t kind, uint32_t who)
{
	struct yl_ev e = { t, q->seq++, kind, who, YL_EV_NO_KEY };

	if (grow(q))
		return -1;
	sift_up(q, q->n++, &e);
	return 0;
}

/* Takes entry @i out: the last one fills its place, up or down. */
static void remove_at(struct yl_eventq *q, size_t i)
{
	struct yl_ev last = q->h[--q->n];

	if (i == q->n)
		return;
	if (i && before(&last, &q->h[(i - 1) / ARITY]))
		sift_up(q, i, &last);
	else
		sift_down(q, i, &last);
}

/*
 * Leaf @k changed: replay its matches up to the root, or to the first
 * match whose result stands (then every match above it stands too).
 * Siblings are neighbours in key[]; a tie goes to the left, the lower key.
 */
static void replay(struct yl_eventq *q, uint32_t k)
{
	uint32_t j = q->size + k;

	q->key[j] = q->leaf[k].t;
	for (; j > 1; j /= 2) {
		uint32_t l = j & ~1u, p = j / 2;
		bool right = q->key[l + 1] < q->key[l];
		uint64_t key = q->key[l + right];
		uint32_t win = q->win[l + right];

		if (q->key[p] == key && q->win[p] == win)
			return;
		q->key[p] = key;
		q->win[p] = win;
	}
}

/* A popped key's walk waits until the tree is read or the key set again. */
static void settle(struct yl_eventq *q)
{
	if (q->dirty != YL_EV_NO_KEY) {
		replay(q, q->dirty);
		q->dirty = YL_EV_NO_KEY;
	}
}

void yl_eventq_cancel(struct yl_eventq *q, uint32_t key)
{
	if (key >= q->nkeys || q->leaf[key].t == UINT64_MAX)
		return;
	q->leaf[key] = none;
	if (key == q->dirty)
		q->dirty = YL_EV_NO_KEY;
	replay(q, key);
}

int yl_eventq_set(struct yl_eventq *q, uint32_t key, uint64_t t, uint32_t kind,
		  uint32_t who)
{
	struct yl_ev e = { t, q->seq++, kind, who, key };

	if (key >= q->nkeys || t == UINT64_MAX)
		return -1;
	q->leaf[key] = e;
	if (key == q->dirty)
		q->dirty = YL_EV_NO_KEY;
	replay(q, key);
	return 0;
}

/* The earliest keyed event, or NULL. */
static const struct yl_ev *keyed_first(struct yl_eventq *q)
{
	const struct yl_ev *e;

	if (!q->nkeys)
		return NULL;
	settle(q);
	e = &q->leaf[q->win[1]];
	return e->t == UINT64_MAX ? NULL : e;
}

const struct yl_ev *yl_eventq_peek(struct yl_eventq *q)
{
	const struct yl_ev *k = keyed_first(q), *h = q->n ? &q->h[0] : NULL;

	if (!k || !h)
		return k ? k : h;
	return before(k, h) ? k : h;
}

bool yl_eventq_pop(struct yl_eventq *q, struct yl_ev *out)
{
	const struct yl_ev *e = yl_eventq_peek(q);

	if (!e)
		return false;
	*out = *e;
	if (e->key != YL_EV_NO_KEY) {
		q->leaf[e->key] = none;		/* its walk when next needed */
		q->dirty = out->key;
	} else {
		remove_at(q, 0);
	}
	return true;
}
