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
#include "vmm/host/knobs.h"
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

	yl_knobs_init(&k);
	k.features_path = feats;
	k.state_dir = state;
	ck_assert_int_eq(yl_knobs_check(&k, &c, &err), 0);
	ck_assert(c.feats[0].orig);
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

static void write_record(const char *name, const char *body)
{
	char path[256];
	FILE *f;

	mkdir(state, 0700);
	snprintf(path, sizeof(path), "%s/%s", state, name);
	f = fopen(path, "w");
	fputs(body, f);
	fclose(f);
}

static bool record_exists(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", state, name);
	return !access(path, F_OK);
}

static void open_knobs(struct yl_knobs *k)
{
	struct yl_err err;

	yl_knobs_init(k);
	k->features_path = feats;
	k->state_dir = state;
	ck_assert_msg(!yl_knobs_open(k, true, &err), "%s", err.msg);
}

START_TEST(recover_replays_dead_and_keeps_live)
{
	struct yl_knobs k;
	char buf[256], dead[64], live[64];
	unsigned long long start;

	snprintf(dead, sizeof(dead), "%d.restore", dead_pid());
	ck_assert_int_eq(yl_proc_starttime(getppid(), &start), 0);
	snprintf(live, sizeof(live), "%d.%llu.restore", getppid(), start);
	write_record(dead, "features /sys/kernel/debug/sched/features\n"
		     "sched_feature NEXT_BUDDY 1\n");
	write_record(live, "sched_feature PICK_BUDDY 0\n");
	open_knobs(&k);
	ck_assert_int_eq(yl_knobs_recover(&k, NULL), 0);
	/* Only our own features file was written (over its start: no O_TRUNC). */
	slurp(feats, buf, sizeof(buf));
	ck_assert_msg(!strncmp(buf, "NEXT_BUDDYRUN", 13), "%s", buf);
	ck_assert(!record_exists(dead));
	/* The live owner's record stays, and what it holds is noted. */
	ck_assert(record_exists(live));
	ck_assert_uint_eq(k.nr_held, 1);
	ck_assert_str_eq(k.held[0].name, "PICK_BUDDY");
	ck_assert_int_eq(k.held[0].pid, getppid());
	yl_knobs_close(&k);
}
END_TEST

/* A live PID whose start time differs is a reused PID: its record is dead. */
START_TEST(recover_tells_reused_pid)
{
	struct yl_knobs k;
	char name[64], buf[64];

	snprintf(name, sizeof(name), "%d.1.restore", getppid());
	write_record(name, "sched_feature RUN_TO_PARITY 0\n");
	open_knobs(&k);
	ck_assert_int_eq(yl_knobs_recover(&k, NULL), 0);
	ck_assert(!record_exists(name));
	slurp(feats, buf, sizeof(buf));
	ck_assert_msg(!strncmp(buf, "NO_RUN_TO_PARITY_PARITY", 23), "%s", buf);
	yl_knobs_close(&k);
}
END_TEST

/*
 * An older record names only a PID.  PID 1 lives for ever and is no
 * yieldlab: its record must be replayed, not hold the feature for ever
 * (issue 25, item 17).
 */
START_TEST(recover_old_record_of_pid_1)
{
	struct yl_knobs k;
	char buf[64];

	write_record("1.restore", "sched_feature RUN_TO_PARITY 0\n");
	open_knobs(&k);
	ck_assert_int_eq(yl_knobs_recover(&k, NULL), 0);
	ck_assert(!record_exists("1.restore"));
	ck_assert_uint_eq(k.nr_held, 0);
	slurp(feats, buf, sizeof(buf));
	ck_assert_msg(!strncmp(buf, "NO_RUN_TO_PARITY", 16), "%s", buf);
	yl_knobs_close(&k);
}
END_TEST

/* Malformed: nothing of it applied, kept, said on every start. */
START_TEST(recover_never_applies_halfway)
{
	struct yl_knobs k;
	char name[64], buf[256], log[512];
	FILE *f;

	snprintf(name, sizeof(name), "%d.restore", dead_pid());
	write_record(name, "sched_feature NEXT_BUDDY 1\nsched_feature ../../etc 1\n");
	for (int round = 0; round < 2; round++) {
		open_knobs(&k);
		f = fmemopen(log, sizeof(log), "w");
		ck_assert_int_eq(yl_knobs_recover(&k, f), -1);
		fclose(f);
		ck_assert_msg(strstr(log, "line 2: not a record line") &&
			      strstr(log, "kept for a person"), "%s", log);
		yl_knobs_close(&k);
		ck_assert(record_exists(name));
	}
	slurp(feats, buf, sizeof(buf));
	ck_assert_str_eq(buf, "PLACE_LAG RUN_TO_PARITY NO_NEXT_BUDDY PICK_BUDDY\n");
}
END_TEST

/* A FIFO, a symlink or a hard link planted as a record: never opened as one. */
START_TEST(recover_refuses_planted_files)
{
	struct yl_knobs k;
	char path[256], buf[256];
	int pid = dead_pid();

	mkdir(state, 0700);
	snprintf(path, sizeof(path), "%s/%d.restore", state, pid);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	snprintf(path, sizeof(path), "%s/%d.restore", state, pid + 100000);
	ck_assert_int_eq(symlink(feats, path), 0);
	open_knobs(&k);
	ck_assert_int_eq(yl_knobs_recover(&k, NULL), -1);	/* did not hang */
	yl_knobs_close(&k);
	slurp(feats, buf, sizeof(buf));
	ck_assert_str_eq(buf, "PLACE_LAG RUN_TO_PARITY NO_NEXT_BUDDY PICK_BUDDY\n");
}
END_TEST

/* Group- or world-writable, or a symlink: not our state directory. */
START_TEST(state_dir_must_be_ours)
{
	struct yl_knobs k;
	struct yl_err err;
	char target[160];

	mkdir(state, 0777);
	chmod(state, 0777);
	yl_knobs_init(&k);
	k.state_dir = state;
	ck_assert_int_eq(yl_knobs_open(&k, true, &err), -1);
	ck_assert_msg(strstr(err.msg, "mode 0777") && strstr(err.msg, "not group- or world-writable"),
		      "%s", err.msg);
	rmdir(state);
	snprintf(target, sizeof(target), "%s/elsewhere", dir);
	mkdir(target, 0700);
	ck_assert_int_eq(symlink(target, state), 0);
	ck_assert_int_eq(yl_knobs_open(&k, true, &err), -1);
	ck_assert_msg(strstr(err.msg, "not a symlink"), "%s", err.msg);
	unlink(state);
	/* missing and not needed: nothing to recover, no error */
	ck_assert_int_eq(yl_knobs_open(&k, false, &err), 0);
	ck_assert_int_eq(k.dfd, -1);
}
END_TEST

/* A feature a live run holds is refused, naming the run. */
/* A file of the host-parameter table under dir, holding @text. */
static void plant_param(const char *name, const char *text, char *path, size_t len)
{
	char cmd[512];
	FILE *f;
	int idx = yl_host_param_find(name, strlen(name));

	ck_assert_int_ge(idx, 0);
	snprintf(path, len, "%s%s", dir, yl_host_params[idx].path);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	ck_assert_int_eq(system(cmd), 0);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static void add_param(struct yl_config *c, const char *name, uint64_t v)
{
	c->params[c->nr_params].idx = (unsigned int)yl_host_param_find(name, strlen(name));
	c->params[c->nr_params++].val = v;
}

START_TEST(host_params_set_and_restored)
{
	char filt[256], pct[256], buf[64], rec[1024], path[300];
	struct yl_config c;
	struct yl_knobs k;
	struct yl_err err;

	memset(&c, 0, sizeof(c));
	plant_param("kvm.yield_ipi_filter", "Y\n", filt, sizeof(filt));
	plant_param("sched.yield_credit_pct", "25\n", pct, sizeof(pct));
	add_param(&c, "kvm.yield_ipi_filter", 0);
	add_param(&c, "sched.yield_credit_pct", 10);
	open_knobs(&k);
	k.param_root = dir;
	ck_assert_msg(!yl_knobs_check(&k, &c, &err), "%s", err.msg);
	ck_assert_uint_eq(c.params[0].orig, 1);
	ck_assert_uint_eq(c.params[1].orig, 25);
	ck_assert_msg(!yl_knobs_apply(&k, &err), "%s", err.msg);
	slurp(filt, buf, sizeof(buf));
	ck_assert_msg(buf[0] == 'N', "%s", buf);
	slurp(pct, buf, sizeof(buf));
	ck_assert_msg(!strncmp(buf, "10", 2), "%s", buf);
	/* the record holds the originals, by name */
	snprintf(path, sizeof(path), "%s/%s", state, k.record);
	slurp(path, rec, sizeof(rec));
	ck_assert_msg(strstr(rec, "host_param kvm.yield_ipi_filter Y\n") &&
		      strstr(rec, "host_param sched.yield_credit_pct 25\n"), "%s", rec);
	ck_assert_int_eq(yl_knobs_restore(&k, NULL), 0);
	slurp(filt, buf, sizeof(buf));
	ck_assert_msg(buf[0] == 'Y', "%s", buf);
	slurp(pct, buf, sizeof(buf));
	ck_assert_msg(!strncmp(buf, "25", 2), "%s", buf);
	ck_assert(access(path, F_OK));
	yl_knobs_close(&k);
}
END_TEST

START_TEST(host_params_missing_or_held)
{
	char filt[256];
	struct yl_config c;
	struct yl_knobs k;
	struct yl_err err;

	memset(&c, 0, sizeof(c));
	add_param(&c, "kvm.yield_ipi_filter", 0);
	open_knobs(&k);
	k.param_root = dir;
	/* a kernel without the series: no such file */
	ck_assert_int_eq(yl_knobs_check(&k, &c, &err), -1);
	ck_assert_msg(strstr(err.msg, "--host-param kvm.yield_ipi_filter: cannot read"), "%s",
		      err.msg);
	/* a file that holds no value of ours */
	plant_param("kvm.yield_ipi_filter", "maybe\n", filt, sizeof(filt));
	ck_assert_int_eq(yl_knobs_check(&k, &c, &err), -1);
	plant_param("kvm.yield_ipi_filter", "Y\n", filt, sizeof(filt));
	k.nr_held = 1;
	strcpy(k.held[0].name, "kvm.yield_ipi_filter");
	strcpy(k.held[0].record, "42.7.restore");
	k.held[0].pid = 42;
	ck_assert_int_eq(yl_knobs_check(&k, &c, &err), -1);
	ck_assert_msg(strstr(err.msg, "--host-param kvm.yield_ipi_filter: run 42 holds it"),
		      "%s", err.msg);
	yl_knobs_close(&k);
}
END_TEST

START_TEST(recover_replays_host_params)
{
	char pct[256], buf[64], dead[64], live[64];
	unsigned long long start;
	struct yl_knobs k;

	plant_param("sched.yield_credit_pct", "0\n", pct, sizeof(pct));
	snprintf(dead, sizeof(dead), "%d.restore", dead_pid());
	ck_assert_int_eq(yl_proc_starttime(getppid(), &start), 0);
	snprintf(live, sizeof(live), "%d.%llu.restore", getppid(), start);
	write_record(dead, "host_param sched.yield_credit_pct 25\n");
	write_record(live, "host_param kvm.enable_relaxed_boost N\n");
	open_knobs(&k);
	k.param_root = dir;
	ck_assert_int_eq(yl_knobs_recover(&k, NULL), 0);
	slurp(pct, buf, sizeof(buf));
	ck_assert_msg(!strncmp(buf, "25", 2), "%s", buf);
	ck_assert(!record_exists(dead));
	ck_assert_uint_eq(k.nr_held, 1);
	ck_assert_str_eq(k.held[0].name, "kvm.enable_relaxed_boost");
	yl_knobs_close(&k);
}
END_TEST

START_TEST(check_refuses_held_feature)
{
	struct yl_knobs k;
	struct yl_config c = cfg_with("RUN_TO_PARITY", false);
	struct yl_err err;

	open_knobs(&k);
	k.nr_held = 1;
	strcpy(k.held[0].name, "RUN_TO_PARITY");
	strcpy(k.held[0].record, "42.7.restore");
	k.held[0].pid = 42;
	ck_assert_int_eq(yl_knobs_check(&k, &c, &err), -1);
	ck_assert_msg(strstr(err.msg, "run 42 holds it"), "%s", err.msg);
	c = cfg_with("NEXT_BUDDY", true);
	ck_assert_int_eq(yl_knobs_check(&k, &c, &err), 0);
	yl_knobs_close(&k);
}
END_TEST

START_TEST(record_parser)
{
	char ok[] = "features /x\nsched_feature A_1 1\nsched_feature B 0\ncgroup_dir /c/yieldlab.1\n"
		    "host_param sched.yield_credit_pct 25\n";
	const char *bad[] = {
		"sched_feature a 1\n", "sched_feature A 2\n", "sched_feature A 1 x\n",
		"sched_feature A 10\n", "cgroup_dir rel\n", "junk\n", "features rel\n",
		"host_param /etc/passwd 1\n", "host_param kvm.yield_ipi_filter X\n",
		"host_param sched.yield_credit_pct 101\n", "host_param sched.yield_credit_pct 5 6\n",
		"host_param kvm.yield_ipi_filter\n", "host_param  Y\n",
	};
	struct yl_record rec;
	struct yl_err err;
	char buf[64];
	unsigned int i;

	ck_assert_int_eq(yl_record_parse(ok, &rec, &err), 0);
	ck_assert_uint_eq(rec.nr_feats, 2);
	ck_assert_str_eq(rec.feats[0].name, "A_1");
	ck_assert(rec.feats[0].on && !rec.feats[1].on);
	ck_assert_uint_eq(rec.nr_dirs, 1);
	ck_assert_str_eq(rec.dirs[0], "/c/yieldlab.1");
	ck_assert_uint_eq(rec.nr_params, 1);
	ck_assert_uint_eq(rec.params[0].val, 25);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		strcpy(buf, bad[i]);
		ck_assert_msg(yl_record_parse(buf, &rec, &err) == -1, "%s", bad[i]);
	}
}
END_TEST

START_TEST(record_names)
{
	unsigned long long start;
	int pid;

	ck_assert_int_eq(yl_record_name_parse("12.345.restore", &pid, &start), 0);
	ck_assert(pid == 12 && start == 345);
	ck_assert_int_eq(yl_record_name_parse("12.restore", &pid, &start), 0);
	ck_assert(pid == 12 && start == 0);
	ck_assert_int_eq(yl_record_name_parse("12.0.restore", &pid, &start), -1);
	ck_assert_int_eq(yl_record_name_parse("12.restore.x", &pid, &start), -1);
	ck_assert_int_eq(yl_record_name_parse("-1.restore", &pid, &start), -1);
	ck_assert_int_eq(yl_record_name_parse("x.restore", &pid, &start), -1);
	ck_assert_int_eq(yl_record_name_parse("lock", &pid, &start), -1);
}
END_TEST

/* Field 22, after a command with spaces and parentheses. */
START_TEST(stat_start_time)
{
	unsigned long long s;
	const char *line = "7 (a) b (c) S 1 7 7 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 0 98765 1 2\n";

	ck_assert_int_eq(yl_stat_starttime(line, &s), 0);
	ck_assert_uint_eq(s, 98765);
	ck_assert_int_eq(yl_stat_starttime("7 (a) S 1", &s), -1);
	ck_assert_int_eq(yl_proc_starttime(getpid(), &s), 0);
	ck_assert_uint_gt(s, 0);
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
	tcase_add_test(tc, recover_tells_reused_pid);
	tcase_add_test(tc, recover_old_record_of_pid_1);
	tcase_add_test(tc, recover_never_applies_halfway);
	tcase_add_test(tc, recover_refuses_planted_files);
	tcase_add_test(tc, state_dir_must_be_ours);
	tcase_add_test(tc, check_refuses_held_feature);
	tcase_add_test(tc, record_parser);
	tcase_add_test(tc, host_params_set_and_restored);
	tcase_add_test(tc, host_params_missing_or_held);
	tcase_add_test(tc, recover_replays_host_params);
	tcase_add_test(tc, record_names);
	tcase_add_test(tc, stat_start_time);
	suite_add_tcase(s, tc);
	return s;
}
