// SPDX-License-Identifier: GPL-2.0
/*
 * The simulator's engine (sim/sim.h), links sim/ and sched/ only.  Every
 * configuration it takes runs to the end with its invariants held (the
 * engine checks them as it runs: time order, one vCPU per CPU, mutual
 * exclusion, CPU time adding up); the same seed gives the same run and
 * another seed another; and the guest's lock, halt, IPI and PAUSE-exit
 * models do what guest/ and KVM do, in properties that hold by
 * construction (no statistics: every run here is deterministic).
 */
#include <check.h>
#include <string.h>
#include "sim/sim.h"

static struct yl_sim_config base(unsigned int vcpus, unsigned int cpus)
{
	struct yl_sim_config c;

	ck_assert_int_eq(yl_sim_config_default(&c), 0);
	c.vcpus = vcpus;
	c.nr_cpus = cpus;
	ck_assert_int_eq(yl_sched_params_preset(&c.p, "6.18.0", cpus), 0);
	c.duration_ns = 50000000ull;		/* 50 ms */
	c.spin_threshold = 64;
	return c;
}

static struct yl_sim *run(const struct yl_sim_config *c)
{
	char why[256];
	struct yl_sim *s = yl_sim_create(c, why, sizeof(why));

	ck_assert_msg(s, "create: %s", why);
	ck_assert_msg(!yl_sim_run(s), "invariant: %s", yl_sim_failure(s));
	return s;
}

/* Sum of one field over every vCPU. */
#define SUM(s, field) ({						\
	const struct yl_sim_config *c_ = yl_sim_config_of(s);		\
	uint64_t n_ = 0;						\
	for (unsigned int t_ = 0; t_ < c_->nr_vms * c_->vcpus; t_++)	\
		n_ += yl_sim_vstat(s, t_)->field;			\
	n_; })

static const char *const coop_policies[] = {
	"none", "yield", "forfeit", "lag-credit", "handoff",
};

/*
 * Every lock x pv x workload, in host mode and in coop mode with every
 * policy and target: the run ends with every invariant held, the
 * counter equals the ops, and it did work.
 */
START_TEST(every_config_keeps_its_invariants)
{
	unsigned int lock = (unsigned int)_i % YL_LOCK_NR;
	unsigned int pv = (unsigned int)_i / YL_LOCK_NR % YL_PV_NR;
	static const unsigned int wls[] = { YL_WL_LOCK, YL_WL_IPI, YL_WL_MIXED };
	unsigned int w, k, tg;

	for (w = 0; w < 3; w++)
		for (k = 0; k <= sizeof(coop_policies) / sizeof(coop_policies[0]); k++)
			for (tg = 0; tg < (k ? YL_TARGET_NR : 1); tg++) {
				struct yl_sim_config c = base(6, 2);
				struct yl_sim *s;

				c.lock = lock;
				c.pv = pv;
				c.workload = wls[w];
				c.ipi_targets = 2;
				c.nr_vms = 2;
				c.sched = k ? YL_SCHED_COOP : YL_SCHED_HOST;
				c.yield_to = k ? YL_YIELD_TO_TURN : YL_YIELD_TO_PREEMPTED;
				c.pause_exits = !k;
				c.policy = yl_policy_find(coop_policies[k ? k - 1 : 0]);
				c.target = tg;
				c.seed = 7 + _i;
				s = run(&c);
				ck_assert_uint_le(yl_sim_max_in_cs(s), 1);
				ck_assert_uint_eq(yl_sim_mutex_counter(s), SUM(s, ops));
				if (w != 1)
					ck_assert_uint_gt(SUM(s, ops), 0);
				if (w != 0)
					ck_assert_uint_gt(SUM(s, ipi_ops), 0);
				yl_sim_destroy(s);
			}
}
END_TEST

static void stats_of(const struct yl_sim *s, struct yl_sim_vstat *out, unsigned int n)
{
	unsigned int t;

	for (t = 0; t < n; t++)
		out[t] = *yl_sim_vstat(s, t);
}

/* The same seed: the same run, count for count; another seed: another. */
START_TEST(seed_decides_the_run)
{
	struct yl_sim_vstat a[16], b[16], d[16];
	struct yl_sim_config c = base(8, 2);
	struct yl_sim *s;
	uint64_t ea, eb;

	c.sched = YL_SCHED_COOP;
	c.pv = YL_PV_YIELD;
	c.policy = yl_policy_find("forfeit");
	c.lock = YL_LOCK_TTAS;		/* draws its race winners too */
	c.dist = YL_SIM_DIST_EXP;
	s = run(&c);
	stats_of(s, a, 8);
	ea = yl_sim_events(s);
	yl_sim_destroy(s);
	s = run(&c);
	stats_of(s, b, 8);
	eb = yl_sim_events(s);
	yl_sim_destroy(s);
	ck_assert_uint_eq(ea, eb);
	ck_assert_int_eq(memcmp(a, b, sizeof(a[0]) * 8), 0);
	c.seed = 2;
	s = run(&c);
	stats_of(s, d, 8);
	yl_sim_destroy(s);
	ck_assert_int_ne(memcmp(a, d, sizeof(a[0]) * 8), 0);
}
END_TEST

/*
 * FIFO locks with a CPU per vCPU: nobody is preempted, so the lock goes
 * round in arrival order and every vCPU's ops are within one of each
 * other's; the latency never exceeds the others' critical sections.
 */
START_TEST(fifo_locks_go_round)
{
	static const unsigned int locks[] = { YL_LOCK_TICKET, YL_LOCK_MCS, YL_LOCK_QSPIN };
	struct yl_sim_config c = base(4, 4);
	const struct yl_sim_vstat *v;
	uint64_t lo = UINT64_MAX, hi = 0, bound;
	struct yl_sim *s;
	unsigned int t;

	c.lock = locks[_i];
	c.think_ns = 500;	/* a queue always forms */
	s = run(&c);
	bound = 3 * (c.cs_ns + c.cost[YL_COST_HANDOVER]) + c.cs_ns;
	for (t = 0; t < 4; t++) {
		v = yl_sim_vstat(s, t);
		lo = v->ops < lo ? v->ops : lo;
		hi = v->ops > hi ? v->ops : hi;
		ck_assert_uint_eq(v->preemptions, 0);
		ck_assert_uint_le(v->lat_max, bound);
	}
	ck_assert_uint_gt(lo, 1000);
	ck_assert_uint_le(hi - lo, 1);
	yl_sim_destroy(s);
}
END_TEST

/*
 * Lock waiter preemption: a ticket lock at 8:2 without paravirt waits
 * behind preempted waiters and gets at most half what 8 vCPUs on 8 CPUs
 * get; hinting with forfeit gets back most of it.
 */
START_TEST(ticket_suffers_waiter_preemption)
{
	struct yl_sim_config c = base(8, 8);
	struct yl_sim *s;
	uint64_t alone, none, forfeit;

	c.sched = YL_SCHED_COOP;
	c.pv = YL_PV_YIELD;
	c.cs_ns = 20000;
	s = run(&c);
	alone = SUM(s, ops);
	yl_sim_destroy(s);
	c = base(8, 2);
	c.sched = YL_SCHED_COOP;
	c.pv = YL_PV_YIELD;
	c.yield_to = YL_YIELD_TO_TURN;
	c.cs_ns = 20000;
	s = run(&c);
	none = SUM(s, ops);
	ck_assert_uint_eq(SUM(s, handoffs), 0);	/* policy none moves nobody */
	yl_sim_destroy(s);
	c.policy = yl_policy_find("forfeit");
	s = run(&c);
	forfeit = SUM(s, ops);
	ck_assert_uint_gt(SUM(s, handoffs), 0);
	yl_sim_destroy(s);
	ck_assert_uint_le(2 * none, alone);
	ck_assert_uint_gt(forfeit, 2 * none);
}
END_TEST

/*
 * A halt ends only by a kick (no IPIs here): never more halts than kicks,
 * but for the vCPUs still halted at the end, at most one each.
 */
START_TEST(halts_end_by_kicks)
{
	struct yl_sim_config c = base(8, 2);
	struct yl_sim *s;

	c.sched = _i ? YL_SCHED_COOP : YL_SCHED_HOST;
	c.pv = YL_PV_HALT;
	c.lock = YL_LOCK_MCS;
	c.cs_ns = 5000;
	s = run(&c);
	ck_assert_uint_gt(SUM(s, halts), 0);
	ck_assert_uint_le(SUM(s, halts), SUM(s, kicks) + c.vcpus);
	yl_sim_destroy(s);
}
END_TEST

/*
 * Host mode's PAUSE exits: with the filter on, spinning vCPUs exit and
 * kvm_vcpu_on_spin() picks candidates (outcomes counted); off, never.
 */
START_TEST(pause_exits_only_with_the_filter)
{
	struct yl_sim_config c = base(8, 2);
	struct yl_sim *s;

	c.cs_ns = 20000;
	c.sched = YL_SCHED_HOST;
	c.pause_exits = true;
	s = run(&c);
	ck_assert_uint_gt(SUM(s, ple_exits), 0);
	ck_assert_uint_eq(SUM(s, ple_exits), SUM(s, hints));
	yl_sim_destroy(s);
	c.pause_exits = false;
	s = run(&c);
	ck_assert_uint_eq(SUM(s, ple_exits), 0);
	ck_assert_uint_eq(SUM(s, hints), 0);
	yl_sim_destroy(s);
}
END_TEST

/*
 * IPIs: every call received was sent and every ack was received; at the
 * end at most one call per (sender, target) slot is still in flight.
 */
START_TEST(ipi_calls_accounted)
{
	struct yl_sim_config c = base(6, 2);
	uint64_t sent, recv, acked;
	struct yl_sim *s;

	c.workload = YL_WL_IPI;
	c.ipi_targets = 3;
	c.ipi_wait = _i ? YL_IPI_ASYNC : YL_IPI_SYNC;
	c.sched = YL_SCHED_COOP;
	c.pv = YL_PV_YIELD;
	c.policy = yl_policy_find("forfeit");
	s = run(&c);
	sent = SUM(s, ipi_sent);
	recv = SUM(s, ipi_received);
	acked = SUM(s, ipi_acked);
	ck_assert_uint_gt(recv, 100);
	ck_assert_uint_ge(sent, recv);
	ck_assert_uint_ge(recv, acked);
	ck_assert_uint_le(sent - recv, 6 * 5);
	ck_assert_uint_eq(sent, SUM(s, ipi_ops) * c.ipi_targets);
	yl_sim_destroy(s);
}
END_TEST

/* CPU time: every vCPU's service plus idle is CPUs x duration, exactly. */
START_TEST(cpu_time_adds_up)
{
	struct yl_sim_config c = base(3, 4);	/* fewer vCPUs: some idle */
	struct yl_sim *s;

	c.pv = YL_PV_HALT;
	c.cs_ns = 30000;
	s = run(&c);
	ck_assert_uint_gt(yl_sim_idle_ns(s), 0);
	ck_assert_uint_eq(SUM(s, service_ns) + yl_sim_idle_ns(s),
			  4 * c.duration_ns);
	yl_sim_destroy(s);
}
END_TEST

/* A bad configuration is refused with a reason, not run. */
START_TEST(bad_config_refused)
{
	struct yl_sim_config c = base(1, 1);
	char why[128] = "";

	c.workload = YL_WL_IPI;		/* IPIs need two vCPUs */
	ck_assert_ptr_null(yl_sim_create(&c, why, sizeof(why)));
	ck_assert_str_ne(why, "");
	c = base(4, 0);
	ck_assert_ptr_null(yl_sim_create(&c, why, sizeof(why)));
	c = base(4, 1);
	c.cost[YL_COST_PAUSE] = 0;
	ck_assert_ptr_null(yl_sim_create(&c, why, sizeof(why)));
}
END_TEST

TCase *sim_tcase(void);

TCase *sim_tcase(void)
{
	TCase *tc = tcase_create("engine");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, every_config_keeps_its_invariants, 0,
			    YL_LOCK_NR * YL_PV_NR);
	tcase_add_test(tc, seed_decides_the_run);
	tcase_add_loop_test(tc, fifo_locks_go_round, 0, 3);
	tcase_add_test(tc, ticket_suffers_waiter_preemption);
	tcase_add_loop_test(tc, halts_end_by_kicks, 0, 2);
	tcase_add_test(tc, pause_exits_only_with_the_filter);
	tcase_add_loop_test(tc, ipi_calls_accounted, 0, 2);
	tcase_add_test(tc, cpu_time_adds_up);
	tcase_add_test(tc, bad_config_refused);
	return tc;
}
