// SPDX-License-Identifier: GPL-2.0
/*
 * A 4-ary heap: half the depth of a binary one, and a node's children
 * share a cache line or two, which is what a sift-down reads.
 */
#include <stdlib.h>
#include "eventq.h"

#define ARITY	4

static bool before(const struct yl_ev *a, const struct yl_ev *b)
{
	return a->t != b->t ? a->t < b->t : a->seq < b->seq;
}

int yl_eventq_init(struct yl_eventq *q, size_t cap)
{
	q->n = 0;
	q->seq = 0;
	q->cap = cap ? cap : 64;
	q->h = malloc(q->cap * sizeof(*q->h));
	return q->h ? 0 : -1;
}

void yl_eventq_free(struct yl_eventq *q)
{
	free(q->h);
	q->h = NULL;
	q->n = q->cap = 0;
}

int yl_eventq_push(struct yl_eventq *q, uint64_t t, uint32_t kind, uint32_t who,
		   uint64_t gen)
{
	struct yl_ev e = { t, q->seq++, kind, who, gen };
	size_t i;

	if (q->n == q->cap) {
		struct yl_ev *h = realloc(q->h, 2 * q->cap * sizeof(*h));

		if (!h)
			return -1;
		q->h = h;
		q->cap *= 2;
	}
	for (i = q->n++; i; ) {
		size_t up = (i - 1) / ARITY;

		if (!before(&e, &q->h[up]))
			break;
		q->h[i] = q->h[up];
		i = up;
	}
	q->h[i] = e;
	return 0;
}

const struct yl_ev *yl_eventq_peek(const struct yl_eventq *q)
{
	return q->n ? &q->h[0] : NULL;
}

/* The earliest of the children of @i, or 0 if it has none. */
static size_t first_child(const struct yl_eventq *q, size_t i)
{
	size_t c = i * ARITY + 1, end = c + ARITY, best = 0;

	if (end > q->n)
		end = q->n;
	for (; c < end; c++)
		if (!best || before(&q->h[c], &q->h[best]))
			best = c;
	return best;
}

bool yl_eventq_pop(struct yl_eventq *q, struct yl_ev *out)
{
	struct yl_ev last;
	size_t i = 0, c;

	if (!q->n)
		return false;
	*out = q->h[0];
	last = q->h[--q->n];
	while ((c = first_child(q, i)) && before(&q->h[c], &last)) {
		q->h[i] = q->h[c];
		i = c;
	}
	if (q->n)
		q->h[i] = last;
	return true;
}
