// SPDX-License-Identifier: GPL-2.0
/*
 * sim/'s event queue: events come out in time order, ties first-in
 * first-out, against a sorted copy of the same random pushes, across
 * growth and interleaved pops.  Links against sim/ only.
 */
#include <check.h>
#include <stdlib.h>
#include "sim/eventq.h"

static uint64_t rng = 88172645463325252ull;

static uint64_t rnd(uint64_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng % n;
}

static int by_time_then_seq(const void *a, const void *b)
{
	const struct yl_ev *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

START_TEST(ordered_like_a_sort)
{
	enum { N = 20000 };
	struct yl_ev *ref = malloc(N * sizeof(*ref)), e;
	struct yl_eventq q;
	size_t i, k = 0;

	ck_assert_ptr_nonnull(ref);
	ck_assert_int_eq(yl_eventq_init(&q, 4, 0), 0);	/* grows many times */
	for (i = 0; i < N; i++) {
		/* few distinct times: many ties */
		uint64_t t = rnd(_i ? 1000000 : 50);

		ref[i] = (struct yl_ev){ t, i, (uint32_t)i, 0, 0 };
		ck_assert_int_eq(yl_eventq_push(&q, t, (uint32_t)i, 0), 0);
	}
	qsort(ref, N, sizeof(*ref), by_time_then_seq);
	ck_assert_uint_eq(yl_eventq_peek(&q)->kind, ref[0].kind);
	while (yl_eventq_pop(&q, &e)) {
		ck_assert_uint_eq(e.t, ref[k].t);
		ck_assert_uint_eq(e.kind, ref[k].kind);	/* ties in push order */
		k++;
	}
	ck_assert_uint_eq(k, N);
	ck_assert_ptr_null(yl_eventq_peek(&q));
	ck_assert(!yl_eventq_pop(&q, &e));
	yl_eventq_free(&q);
	free(ref);
}
END_TEST

/*
 * A simulation's pattern: pop the earliest, push a few later ones; what
 * comes out never goes back in time, and every push comes out once.
 */
START_TEST(interleaved_never_goes_back)
{
	struct yl_eventq q;
	struct yl_ev e;
	uint64_t last = 0, pushed = 0, popped = 0, seen = 0;
	unsigned int i;

	ck_assert_int_eq(yl_eventq_init(&q, 0, 0), 0);
	for (i = 0; i < 64; i++, pushed++)
		yl_eventq_push(&q, rnd(1000), 1, (uint32_t)pushed);
	while (yl_eventq_pop(&q, &e) && popped < 200000) {
		popped++;
		ck_assert_uint_ge(e.t, last);
		last = e.t;
		seen += e.who;
		if (pushed < 150000) {
			unsigned int n = (unsigned int)rnd(3);

			while (n--) {
				yl_eventq_push(&q, e.t + rnd(5000), 2, (uint32_t)pushed);
				pushed++;
			}
		}
	}
	ck_assert_uint_eq(popped, pushed);
	ck_assert_uint_eq(seen, pushed * (pushed - 1) / 2);	/* each once */
	yl_eventq_free(&q);
}
END_TEST

/*
 * Keyed events against a reference: per key the one time it is due (or
 * none); the queue pops the earliest, the lowest key among equals, every
 * time, whatever sets and cancels came between.
 */
START_TEST(keyed_events_follow_their_last_set)
{
	enum { K = 37, STEPS = 50000 };
	uint64_t due[K], now = 0;
	bool on[K] = { false };
	struct yl_eventq q;
	struct yl_ev e;
	unsigned int i, k, best;

	ck_assert_int_eq(yl_eventq_init(&q, 2, K), 0);
	for (i = 0; i < STEPS; i++) {
		k = (unsigned int)rnd(K);
		if (rnd(4) == 0) {
			yl_eventq_cancel(&q, k);
			on[k] = false;
		} else {
			due[k] = now + rnd(100);
			on[k] = true;
			ck_assert_int_eq(yl_eventq_set(&q, k, due[k], 3, k), 0);
		}
		if (rnd(3))
			continue;
		for (best = K, k = 0; k < K; k++)
			if (on[k] && (best == K || due[k] < due[best]))
				best = k;	/* ties: the lowest key, found first */
		if (best == K) {
			ck_assert(!yl_eventq_pop(&q, &e));
			continue;
		}
		ck_assert(yl_eventq_pop(&q, &e));
		ck_assert_uint_eq(e.key, best);
		ck_assert_uint_eq(e.t, due[best]);
		on[best] = false;
		now = e.t;
	}
	yl_eventq_free(&q);
}
END_TEST

TCase *eventq_tcase(void);

TCase *eventq_tcase(void)
{
	TCase *tc = tcase_create("eventq");

	tcase_add_loop_test(tc, ordered_like_a_sort, 0, 2);
	tcase_add_test(tc, interleaved_never_goes_back);
	tcase_add_test(tc, keyed_events_follow_their_last_set);
	return tc;
}
