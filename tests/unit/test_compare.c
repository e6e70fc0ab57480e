// SPDX-License-Identifier: GPL-2.0
/*
 * compare's plan (cells, order, labels, baseline, plan files, refusals)
 * and its reading of run JSON, on hand-made input.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include "cli/cli.h"
#include "compare/plan.h"
#include "compare/results.h"
#include "suites.h"

static struct yl_config cfg;

/* "compare ARGS..." through the command line, into @p; the error if any. */
static int plan_of(struct yl_plan *p, const char *args, struct yl_err *err)
{
	char buf[1024], *argv[64], *tok;
	int argc = 0, rc;

	snprintf(buf, sizeof(buf), "yieldlab compare %s", args);
	for (tok = strtok(buf, " "); tok && argc < 63; tok = strtok(NULL, " "))
		argv[argc++] = tok;
	rc = yl_cli_parse(&cfg, argc, argv, err);
	return rc ? rc : yl_plan_build(p, &cfg, err);	/* the plan copies what it keeps */
}

START_TEST(cells_and_order)
{
	struct yl_plan p;
	struct yl_err err;
	char label[256];
	unsigned int r, c, seen[8];

	ck_assert_int_eq(plan_of(&p, "--policy none,handoff --vcpus 4,8 --pcpus 0 --pcpus 0-1 --reps 3",
				 &err), 0);
	ck_assert_uint_eq(p.nr_axes, 3);
	ck_assert_uint_eq(p.nr_cells, 8);
	ck_assert_uint_eq(p.nr_runs, 24);
	ck_assert_int_eq(p.cmp_axis, 0);		/* the first with several values */
	ck_assert_str_eq(p.axes[2].vals[1], "0-1");	/* a list option: not split */
	yl_plan_label(&p, 1, label, sizeof(label));
	ck_assert_str_eq(label, "policy=handoff vcpus=4 pcpus=0");
	yl_plan_label(&p, 6, label, sizeof(label));
	ck_assert_str_eq(label, "policy=none vcpus=8 pcpus=0-1");
	ck_assert_uint_eq(yl_plan_baseline_of(&p, 7), 6);
	ck_assert_uint_eq(yl_plan_baseline_of(&p, 6), 6);
	for (r = 0; r < p.reps; r++) {			/* each round: every cell once */
		memset(seen, 0, sizeof(seen));
		for (c = 0; c < p.nr_cells; c++)
			seen[p.order[r * p.nr_cells + c]]++;
		for (c = 0; c < p.nr_cells; c++)
			ck_assert_uint_eq(seen[c], 1);
	}
	ck_assert_msg(memcmp(p.order, p.order + 8, 8 * sizeof(*p.order)) ||
		      memcmp(p.order + 8, p.order + 16, 8 * sizeof(*p.order)),
		      "three rounds in the same order");
	yl_plan_free(&p);
}
END_TEST

START_TEST(text_round_trip)
{
	char path[] = "/tmp/yl-plan-XXXXXX", *t1, *t2;
	struct yl_plan p, q;
	struct yl_err err;
	int fd;

	ck_assert_int_eq(plan_of(&p, "--cs 1000,20000 --policy none,handoff --baseline policy=handoff --pcpus 0,1 --seed 9 --reps 4",
				 &err), 0);
	t1 = yl_plan_text(&p);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, t1, strlen(t1)), (ssize_t)strlen(t1));
	close(fd);
	ck_assert_msg(yl_plan_load(&q, path, &err) == 0, "%s", err.msg);
	t2 = yl_plan_text(&q);
	ck_assert_str_eq(t1, t2);
	ck_assert_int_eq(q.cmp_axis, 1);
	ck_assert_uint_eq(q.base_val, 1);
	ck_assert_str_eq(q.axes[2].vals[0], "0,1");
	ck_assert_int_eq(memcmp(p.order, q.order, p.nr_runs * sizeof(*p.order)), 0);
	unlink(path);
	free(t1);
	free(t2);
	yl_plan_free(&p);
	yl_plan_free(&q);
}
END_TEST

START_TEST(aa_cells)
{
	struct yl_plan p;
	struct yl_err err;
	char label[256];

	ck_assert_int_eq(plan_of(&p, "--policy none,none --reps 10", &err), 0);
	ck_assert_uint_eq(p.nr_cells, 2);
	yl_plan_label(&p, 1, label, sizeof(label));
	ck_assert_str_eq(label, "policy=none#2");
	ck_assert_uint_eq(yl_plan_baseline_of(&p, 1), 0);
	yl_plan_free(&p);
}
END_TEST

/* merge --baseline: each run keeps its values under the new numbering. */
START_TEST(rebase)
{
	struct yl_plan p, q;
	struct yl_err err;
	unsigned int k, a;

	ck_assert_int_eq(plan_of(&p, "--vcpus 4,8 --policy none,forfeit,handoff --reps 3", &err), 0);
	ck_assert_int_eq(plan_of(&q, "--vcpus 4,8 --policy none,forfeit,handoff --reps 3", &err), 0);
	ck_assert_int_eq(p.cmp_axis, 1);		/* --policy, though given second */
	ck_assert_int_eq(yl_plan_rebase(&p, "vcpus=4", &err), 0);
	ck_assert_int_eq(p.cmp_axis, 0);
	ck_assert_int_eq(yl_plan_rebase(&q, "policy=forfeit", &err), 0);
	ck_assert_int_eq(q.cmp_axis, 1);
	ck_assert_uint_eq(q.base_val, 1);
	for (k = 0; k < p.nr_runs; k++)
		for (a = 0; a < p.nr_axes; a++)
			ck_assert_uint_eq(yl_plan_value(&p, p.order[k], a),
					  yl_plan_value(&q, q.order[k], a));
	ck_assert_int_ne(yl_plan_rebase(&q, "cs=1", &err), 0);
	yl_plan_free(&p);
	yl_plan_free(&q);
}
END_TEST

/* Refused before anything runs, each with what was wrong. */
static const struct {
	const char *args, *want;
} bad[] = {
	{ "--sched coop --policy none,bogus", "--policy 'bogus': unknown" },
	{ "--sched host --policy none,handoff", "only with --sched coop" },
	{ "--vcpus 4,0", "--vcpus" },
	{ "--policy none,,handoff", "empty value" },
	{ "--policy none,handoff --baseline forfeit", "not a value of --policy" },
	{ "--policy none --baseline none", "two or more values" },
	{ "--vcpus 4,8 --baseline cs=1000", "not swept" },
	{ "--json x.json", "not an option of 'compare'" },
	{ "--resume d --policy none", "not with --resume" },
	{ "--emit parallel f", "--emit: needs --out" },
	{ "--emit gnu f --out d", "--emit 'gnu': unknown" },
	{ "--emit parallel", "needs KIND FILE" },
	{ "--mode simulated", "--mode 'simulated': unknown" },
	{ "--cost exit=1000,exit=2000", "not an option of 'run'" },	/* sim's, not run's */
	{ "--mode sim --pcpus 0-1", "--pcpus" },		/* sim's --pcpus is a count */
	/* a line break would be lines of their own in the plan file (fuzz_plan) */
	{ "--guest /x\nsched-feature\tNO_NEXT_BUDDY", "a control character" },
};

/*
 * --mode sim: the runs are yieldlab sim, checked by sim's parser, with
 * sim's own options as axes; the plan's text keeps the mode.
 */
START_TEST(sim_mode)
{
	const char *argv[YL_MAX_RUN_ARGS + 2];
	struct yl_plan p, q;
	struct yl_err err;
	char *text;

	int n;

	/* --cost is a setting: one cost table for every run, not two cells */
	ck_assert_int_eq(plan_of(&p, "--mode sim --pcpus 16 --vcpus 64 --cost exit=1000,switch=9000 "
				 "--policy forfeit,lag-credit --sched coop --placement random", &err), 0);
	ck_assert(p.sim);
	ck_assert_uint_eq(p.nr_cells, 2);
	ck_assert_int_eq(yl_plan_check(&p, false, &err), 0);
	n = yl_plan_run_args(&p, 0, argv, YL_MAX_RUN_ARGS);
	ck_assert_int_gt(n, 2);
	ck_assert_str_eq(argv[0], "sim");
	ck_assert_str_eq(argv[n - 2], "--cost");
	ck_assert_str_eq(argv[n - 1], "exit=1000,switch=9000");
	text = yl_plan_text(&p);
	ck_assert_ptr_nonnull(strstr(text, "mode sim\ncost exit=1000,switch=9000\n"));
	free(text);
	ck_assert_int_eq(plan_of(&q, "--policy none,handoff --sched coop", &err), 0);
	ck_assert(!q.sim);
	ck_assert_int_eq(yl_plan_run_args(&q, 0, argv, YL_MAX_RUN_ARGS) > 0, 1);
	ck_assert_str_eq(argv[0], "run");
	yl_plan_free(&p);
	yl_plan_free(&q);
}
END_TEST

START_TEST(refused)
{
	struct yl_plan p = { 0 };
	struct yl_err err = { 0 };
	int rc = plan_of(&p, bad[_i].args, &err);

	if (!rc)
		rc = yl_plan_check(&p, false, &err);
	ck_assert_msg(rc, "accepted: %s", bad[_i].args);
	ck_assert_msg(strstr(err.msg, bad[_i].want), "%s: %s", bad[_i].args, err.msg);
	yl_plan_free(&p);
}
END_TEST

START_TEST(plan_file)
{
	char path[] = "/tmp/yl-planf-XXXXXX", args[64];
	static const char good[] = "# a sweep\npolicy none,handoff\n\n--vcpus 8\nreps 3\n";
	static const char bad_key[] = "policy none\nout /tmp/x\n";
	struct yl_plan p;
	struct yl_err err;
	int fd = mkstemp(path);

	ck_assert_int_eq(write(fd, good, sizeof(good) - 1), (ssize_t)sizeof(good) - 1);
	close(fd);
	snprintf(args, sizeof(args), "--plan %s --reps 5", path);
	ck_assert_msg(plan_of(&p, args, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(p.reps, 5);		/* the command line wins */
	ck_assert_uint_eq(p.nr_cells, 2);
	yl_plan_free(&p);
	fd = open(path, O_WRONLY | O_TRUNC);
	ck_assert_int_eq(write(fd, bad_key, sizeof(bad_key) - 1), (ssize_t)sizeof(bad_key) - 1);
	close(fd);
	ck_assert_int_ne(plan_of(&p, args, &err), 0);
	ck_assert_msg(strstr(err.msg, ":2: 'out'"), "%s", err.msg);
	yl_plan_free(&p);
	unlink(path);
}
END_TEST

START_TEST(merge_args)
{
	char *argv[] = { "yieldlab", "merge", "a", "b", "--out", "c" };
	char *none[] = { "yieldlab", "merge" };
	struct yl_err err;

	ck_assert_int_eq(yl_cli_parse(&cfg, 6, argv, &err), 0);
	ck_assert_uint_eq(cfg.nr_paths, 2);
	ck_assert_str_eq(cfg.out_dir, "c");
	ck_assert_int_ne(yl_cli_parse(&cfg, 2, none, &err), 0);
	ck_assert(strstr(err.msg, "needs one or more"));
}
END_TEST

/*
 * Two vCPUs: ops 30 and 10, CPU time 300 and 100 ms, a 1 GHz TSC, and
 * acquire latencies 10 in bucket 3 (<= 16 cycles) and 30 in bucket 5
 * (<= 64).  Jain ops = 40^2 / (2 (900 + 100)) = 0.8; CPU likewise 0.8;
 * smallest share 100 / 200 = 0.5; p50: 10 < 20, so bucket 5, 64 ns.
 */
static const char run_json[] =
	"{\"yieldlab_version\":\"t\",\"config\":{\"workload\":\"lock\",\"vcpus\":2,\"nr_pcpus\":1},"
	"\"host\":{\"tsc_khz\":1000000},"
	"\"result\":{\"ops\":40,\"ops_per_s\":400.5,\"yields\":8,\"ipi_ops_per_s\":0},"
	"\"warnings\":[{\"id\":\"no_hints\",\"text\":\"x\"}],"
	"\"vcpus\":[{\"guest\":{\"ops\":30,\"lat_hist_log2_cycles\":[0,0,0,10]},"
	"\"host_thread\":{\"run_ns\":300000000},\"kvm\":{\"exits\":20}},"
	"{\"guest\":{\"ops\":10,\"lat_hist_log2_cycles\":[0,0,0,0,0,30]},"
	"\"host_thread\":{\"run_ns\":100000000},\"kvm\":{\"exits\":0}}]}";

START_TEST(run_metrics)
{
	char path[] = "/tmp/yl-run-XXXXXX", why[256];
	struct yl_run_rec r;
	int fd = mkstemp(path);

	ck_assert_int_eq(write(fd, run_json, sizeof(run_json) - 1), (ssize_t)sizeof(run_json) - 1);
	close(fd);
	yl_run_rec_init(&r);
	ck_assert_int_eq(yl_read_run_json(&r, path, why, sizeof(why)), 0);
	ck_assert_double_eq_tol(r.v[YL_M_LOCK_OPS], 400.5, 1e-9);
	ck_assert(isnan(r.v[YL_M_IPI_OPS]));		/* a lock workload */
	ck_assert_double_eq_tol(r.v[YL_M_JAIN_OPS], 0.8, 1e-9);
	ck_assert_double_eq_tol(r.v[YL_M_JAIN_CPU], 0.8, 1e-9);
	ck_assert_double_eq_tol(r.v[YL_M_MIN_SHARE], 0.5, 1e-9);
	ck_assert_double_eq_tol(r.v[YL_M_LAT_P50], 64, 1e-9);
	ck_assert_double_eq_tol(r.v[YL_M_LAT_P99], 64, 1e-9);
	ck_assert_double_eq_tol(r.v[YL_M_YIELDS_PER_OP], 0.2, 1e-9);
	ck_assert_double_eq_tol(r.v[YL_M_EXITS_PER_OP], 0.5, 1e-9);
	ck_assert(isnan(r.v[YL_M_HANDOFF_P50]));	/* not coop */
	ck_assert(isnan(r.v[YL_M_VM_SHARE]));		/* one VM */
	ck_assert_double_eq_tol(r.oversub, 2, 1e-9);
	ck_assert_uint_eq(r.nr_warn, 1);
	ck_assert_str_eq(r.warn[0], "no_hints");
	fd = open(path, O_WRONLY | O_TRUNC);
	ck_assert_int_eq(write(fd, "{\"a\":", 5), 5);
	close(fd);
	ck_assert_int_ne(yl_read_run_json(&r, path, why, sizeof(why)), 0);
	unlink(path);
}
END_TEST

Suite *compare_suite(void)
{
	Suite *s = suite_create("compare");
	TCase *tc = tcase_create("compare");

	tcase_add_test(tc, cells_and_order);
	tcase_add_test(tc, text_round_trip);
	tcase_add_test(tc, aa_cells);
	tcase_add_test(tc, rebase);
	tcase_add_loop_test(tc, refused, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, plan_file);
	tcase_add_test(tc, sim_mode);
	tcase_add_test(tc, merge_args);
	tcase_add_test(tc, run_metrics);
	suite_add_tcase(s, tc);
	return s;
}
