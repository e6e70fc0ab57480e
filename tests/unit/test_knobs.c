// SPDX-License-Identifier: GPL-2.0
/*
 * Scheduler-feature knobs on files of our own: the parser of a
 * sched/features listing, the checks that run before anything changes,
 * and the replay of a killed run's crash-safety record.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "knobs.h"
#include "suites.h"

static char dir[64], feats[128], state[128];

static void setup(void)
{
	FILE *f;

	strcpy(dir, "/tmp/yl-knobs-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(feats, sizeof(feats), "%s/features", dir);
	snprintf(state, sizeof(state), "%s/state", dir);
	f = fopen(feats, "w");
	fputs("PLACE_LAG RUN_TO_PARITY NO_NEXT_BUDDY PICK_BUDDY\n", f);
	fclose(f);
}

static void teardown(void)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = 0;
	fclose(f);
}

START_TEST(feat_state_parses_listing)
{
	const char *l = "PLACE_LAG NO_NEXT_BUDDY RUN_TO_PARITY\n";
	bool on = false;

	ck_assert_int_eq(yl_feat_state(l, "NEXT_BUDDY", &on), 0);
	ck_assert(!on);
	ck_assert_int_eq(yl_feat_state(l, "RUN_TO_PARITY", &on), 0);
	ck_assert(on);
	/* a prefix of a name is not the name */
	ck_assert_int_eq(yl_feat_state(l, "PLACE", &on), -1);
	ck_assert_int_eq(yl_feat_state(l, "NO_NEXT_BUDDY", &on), -1);
	ck_assert_int_eq(yl_feat_state("", "X", &on), -1);
}
END_TEST

static struct yl_config cfg_with(const char *name, bool on)
{
	struct yl_config c;

	memset(&c, 0, sizeof(c));
	c.nr_feats = 1;
	strcpy(c.feats[0].name, name);
	c.feats[0].on = on;
	return c;
}

START_TEST(check_reads_originals_and_refuses_unknown)
{
	struct yl_knobs k;
	struct yl_config c = cfg_with("RUN_TO_PARITY", false);
	struct yl_err err;
	struct stat st;

	yl_knobs_init(&k);
	k.features_path = feats;
	k.state_dir = state;
	ck_assert_int_eq(yl_knobs_check(&k, &c, &err), 0);
	ck_assert(c.feats[0].orig);
	ck_assert_int_eq(stat(state, &st), 0);
	c = cfg_with("NO_SUCH_FEATURE", true);
	ck_assert_int_eq(yl_knobs_check(&k, &c, &err), -1);
	ck_assert_msg(strstr(err.msg, "no such feature") &&
		      strstr(err.msg, "allowed: PLACE_LAG RUN_TO_PARITY"), "%s", err.msg);
	k.features_path = "/nonexistent/features";
	c = cfg_with("RUN_TO_PARITY", true);
	ck_assert_int_eq(yl_knobs_check(&k, &c, &err), -1);
	ck_assert_msg(strstr(err.msg, "cannot read /nonexistent/features"), "%s", err.msg);
}
END_TEST

/* A pid that existed and is gone: a child we reaped. */
static int dead_pid(void)
{
	int pid = fork();

	if (!pid)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

static void write_record(int pid, const char *body)
{
	char path[256];
	FILE *f;

	mkdir(state, 0700);
	snprintf(path, sizeof(path), "%s/%d.restore", state, pid);
	f = fopen(path, "w");
	fputs(body, f);
	fclose(f);
}

START_TEST(recover_replays_dead_and_keeps_live)
{
	struct yl_knobs k;
	char buf[256], path[256];
	int dead = dead_pid();

	yl_knobs_init(&k);
	k.features_path = feats;
	k.state_dir = state;
	write_record(dead, "features /sys/kernel/debug/sched/features\n"
		     "sched_feature NEXT_BUDDY 1\n"
		     "sched_feature ../../etc 1\n");
	write_record(getppid(), "sched_feature PICK_BUDDY 0\n");
	ck_assert_int_eq(yl_knobs_recover(&k, NULL), 0);
	/* Only our own features file was written, with the valid line. */
	slurp(feats, buf, sizeof(buf));
	ck_assert_msg(!strncmp(buf, "NEXT_BUDDY", 10), "%s", buf);
	ck_assert_ptr_null(strstr(buf, "etc"));
	snprintf(path, sizeof(path), "%s/%d.restore", state, dead);
	ck_assert_int_ne(access(path, F_OK), 0);
	/* The live owner's record stays. */
	snprintf(path, sizeof(path), "%s/%d.restore", state, getppid());
	ck_assert_int_eq(access(path, F_OK), 0);
}
END_TEST

Suite *knobs_suite(void)
{
	Suite *s = suite_create("knobs");
	TCase *tc = tcase_create("sched_features");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, feat_state_parses_listing);
	tcase_add_test(tc, check_reads_originals_and_refuses_unknown);
	tcase_add_test(tc, recover_replays_dead_and_keeps_live);
	suite_add_tcase(s, tc);
	return s;
}
