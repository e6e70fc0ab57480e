// SPDX-License-Identifier: GPL-2.0
/*
 * Privileges.  Each test runs in Check's forked child, so lowering the
 * capabilities there leaves the rest of the suite as it was.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include "vmm/host/privs.h"
#include "suites.h"

static char dir[] = "/tmp/yl-privs-XXXXXX";
static char feats[64], state[64];

static bool has_dac(void)
{
	cap_flag_value_t v = CAP_CLEAR;
	cap_t c = cap_get_proc();

	cap_get_flag(c, CAP_DAC_OVERRIDE, CAP_EFFECTIVE, &v);
	cap_free(c);
	return v == CAP_SET;
}

static void lower_dac(void)
{
	cap_value_t dac = CAP_DAC_OVERRIDE;
	cap_t c = cap_get_proc();

	cap_set_flag(c, CAP_EFFECTIVE, 1, &dac, CAP_CLEAR);
	ck_assert_int_eq(cap_set_proc(c), 0);
	cap_free(c);
}

/* A features file the test owns, read-only: only CAP_DAC_OVERRIDE writes it. */
static void setup(void)
{
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(feats, sizeof(feats), "%s/features", dir);
	snprintf(state, sizeof(state), "%s/state", dir);
	fd = open(feats, O_CREAT | O_WRONLY, 0444);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

static void teardown(void)
{
	unlink(feats);
	rmdir(state);
	rmdir(dir);
}

static struct yl_config cfg_with_feature(void)
{
	struct yl_config c;

	memset(&c, 0, sizeof(c));
	c.nr_feats = 1;
	strcpy(c.feats[0].name, "RUN_TO_PARITY");
	return c;
}

START_TEST(missing_cap_is_named)
{
	struct yl_config c = cfg_with_feature();
	struct yl_priv_paths p = { feats, state, NULL, NULL, NULL };
	struct yl_err e;

	lower_dac();
	ck_assert_int_eq(yl_privs_check(&c, &p, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "--sched-feature"));
	ck_assert_ptr_nonnull(strstr(e.msg, "CAP_DAC_OVERRIDE"));
	ck_assert_ptr_nonnull(strstr(e.msg, feats));
	ck_assert_ptr_null(strchr(e.msg, '\n'));
	/* no --sched-feature: nothing to write, nothing needed */
	c.nr_feats = 0;
	ck_assert_int_eq(yl_privs_check(&c, &p, &e), 0);
	/* a file we may write needs no capability */
	c.nr_feats = 1;
	ck_assert_int_eq(chmod(feats, 0644), 0);
	ck_assert_int_eq(yl_privs_check(&c, &p, &e), 0);
}
END_TEST

/*
 * --cgroup makes a directory in PARENT and moves us through the common
 * ancestor's cgroup.procs: each refusal is named, with the option.
 */
START_TEST(cgroup_writes_are_checked)
{
	struct yl_config c;
	struct yl_cgroup cg;
	struct yl_priv_paths p = { feats, state, &cg, NULL, NULL };
	char procs[96];
	struct yl_err e;
	int fd;

	memset(&c, 0, sizeof(c));
	memset(&cg, 0, sizeof(cg));
	cg.on = true;
	snprintf(cg.parent, sizeof(cg.parent), "%s/parent", dir);
	snprintf(cg.common, sizeof(cg.common), "%s", dir);
	snprintf(cg.orig, sizeof(cg.orig), "%s", dir);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	ck_assert_int_eq(mkdir(cg.parent, 0555), 0);
	fd = open(procs, O_CREAT | O_WRONLY, 0444);
	ck_assert_int_ge(fd, 0);
	close(fd);
	lower_dac();
	ck_assert_int_eq(yl_privs_check(&c, &p, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "--cgroup: writing"));
	ck_assert_ptr_nonnull(strstr(e.msg, cg.parent));
	ck_assert_ptr_nonnull(strstr(e.msg, "CAP_DAC_OVERRIDE"));
	ck_assert_int_eq(chmod(cg.parent, 0755), 0);
	ck_assert_int_eq(yl_privs_check(&c, &p, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, procs));
	ck_assert_int_eq(chmod(procs, 0644), 0);
	ck_assert_int_eq(yl_privs_check(&c, &p, &e), 0);
	unlink(procs);
	rmdir(cg.parent);
}
END_TEST

START_TEST(drop_keeps_only_what_restore_needs)
{
	const char *restore[] = { feats };
	struct yl_privs pr;
	struct yl_err e;

	yl_privs_init(&pr);
	if (has_dac()) {
		/* read-only to its owner: restoring it needs the capability */
		ck_assert_int_eq(yl_privs_plan(&pr, restore, 1, &e), 0);
		ck_assert(pr.keep_dac);
		ck_assert(has_dac());
		ck_assert_int_eq(yl_privs_drop(&pr, &e), 0);
		ck_assert(has_dac());
		ck_assert_str_eq(pr.after_setup, "cap_dac_override=ep");
	}
	/* writable by its owner: nothing is kept */
	ck_assert_int_eq(chmod(feats, 0644), 0);
	ck_assert_int_eq(yl_privs_plan(&pr, restore, 1, &e), 0);
	ck_assert(!pr.keep_dac);
	ck_assert_int_eq(yl_privs_drop(&pr, &e), 0);
	ck_assert(!has_dac());
	ck_assert_str_eq(pr.after_setup, "=");
	ck_assert(pr.dropped);
}
END_TEST

Suite *privs_suite(void)
{
	Suite *s = suite_create("privs");
	TCase *tc = tcase_create("caps");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, missing_cap_is_named);
	tcase_add_test(tc, cgroup_writes_are_checked);
	tcase_add_test(tc, drop_keeps_only_what_restore_needs);
	suite_add_tcase(s, tc);
	return s;
}
