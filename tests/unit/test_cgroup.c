// SPDX-License-Identifier: GPL-2.0
/* cgroup v2 helpers: what /proc and cgroupfs say, and what we may remove. */
#include <string.h>
#include "vmm/host/cgroup.h"
#include "suites.h"

START_TEST(self_path)
{
	char b[64];

	ck_assert_int_eq(yl_cg_self_path("0::/user.slice/s.scope\n", b, sizeof(b)), 0);
	ck_assert_str_eq(b, "/user.slice/s.scope");
	/* a hybrid host lists v1 hierarchies first */
	ck_assert_int_eq(yl_cg_self_path("12:cpu,cpuacct:/x\n0::/\n", b, sizeof(b)), 0);
	ck_assert_str_eq(b, "/");
	ck_assert_int_eq(yl_cg_self_path("1:name=systemd:/x\n", b, sizeof(b)), -1);
	ck_assert_int_eq(yl_cg_self_path("0::\n", b, sizeof(b)), -1);
	ck_assert_int_eq(yl_cg_self_path("0::/a/very/long/path\n", b, 8), -1);
}
END_TEST

/*
 * A hybrid host's cgroup v2 has no cpu controller: --cgroup says why and
 * what would do, instead of blaming the parent's subtree_control (issue
 * 25, item 11).
 */
START_TEST(cpu_offered)
{
	struct yl_err err;

	ck_assert_int_eq(yl_cg_cpu_offered("/sys/fs/cgroup", "cpuset cpu io memory pids\n", &err), 0);
	ck_assert_int_eq(yl_cg_cpu_offered("/sys/fs/cgroup/unified", "hugetlb\n", &err), -1);
	ck_assert_msg(strstr(err.msg, "hybrid host") && strstr(err.msg, "'hugetlb'") &&
		      strstr(err.msg, "systemd.unified_cgroup_hierarchy=1"), "%s", err.msg);
	ck_assert_int_eq(yl_cg_cpu_offered("/sys/fs/cgroup", "cpuset io\n", &err), -1);
	ck_assert_msg(strstr(err.msg, "cgroup v1 hierarchy holds it"), "%s", err.msg);
	/* "cpuset" is not "cpu" */
	ck_assert_int_eq(yl_cg_cpu_offered("/sys/fs/cgroup", "cpuset\n", &err), -1);
}
END_TEST

START_TEST(has_word)
{
	ck_assert_int_eq(yl_cg_has_word("cpuset cpu io memory\n", "cpu"), 1);
	ck_assert_int_eq(yl_cg_has_word("cpuset io memory\n", "cpu"), 0);
	ck_assert_int_eq(yl_cg_has_word("", "cpu"), 0);
	ck_assert_int_eq(yl_cg_has_word("cpu", "cpu"), 1);
}
END_TEST

START_TEST(common_ancestor)
{
	char b[64];

	ck_assert_int_eq(yl_cg_common("/sys/fs/cgroup/user.slice/x",
				      "/sys/fs/cgroup/yl/yieldlab.1", b, sizeof(b)), 0);
	ck_assert_str_eq(b, "/sys/fs/cgroup");
	ck_assert_int_eq(yl_cg_common("/sys/fs/cgroup", "/sys/fs/cgroup/yl/yieldlab.1",
				      b, sizeof(b)), 0);
	ck_assert_str_eq(b, "/sys/fs/cgroup");
	/* a shared name prefix is not a shared directory */
	ck_assert_int_eq(yl_cg_common("/c/ab", "/c/abc/yieldlab.1", b, sizeof(b)), 0);
	ck_assert_str_eq(b, "/c");
	ck_assert_int_eq(yl_cg_common("/c/ab", "/c/ab/yieldlab.1", b, sizeof(b)), 0);
	ck_assert_str_eq(b, "/c/ab");
	ck_assert_int_eq(yl_cg_common("/a", "/b", b, sizeof(b)), 0);
	ck_assert_str_eq(b, "/");
}
END_TEST

/* A record names only directories a run makes; nothing else is removed. */
START_TEST(ours)
{
	ck_assert(yl_cg_ours("/sys/fs/cgroup/yl/yieldlab.123"));
	ck_assert(yl_cg_ours("/sys/fs/cgroup/yl/yieldlab.123/vm0"));
	ck_assert(yl_cg_ours("/sys/fs/cgroup/yieldlab.9/vm15"));
	ck_assert(!yl_cg_ours("/sys/fs/cgroup/yl"));
	ck_assert(!yl_cg_ours("/sys/fs/cgroup/yl/vm0"));
	ck_assert(!yl_cg_ours("/sys/fs/cgroup/yl/yieldlab."));
	ck_assert(!yl_cg_ours("/sys/fs/cgroup/yl/yieldlab.12x"));
	ck_assert(!yl_cg_ours("/sys/fs/cgroup/yieldlab.1/../system.slice"));
	ck_assert(!yl_cg_ours("/sys/fs/cgroup/yieldlab.1/vmx"));
	ck_assert(!yl_cg_ours("/sys/fs/cgroup/yieldlab.1/vm"));
	ck_assert(!yl_cg_ours("yieldlab.1"));
	ck_assert(!yl_cg_ours("/sys/fs/cgroup/yieldlab.1x/vm0"));
}
END_TEST

Suite *cgroup_suite(void)
{
	Suite *s = suite_create("cgroup");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, self_path);
	tcase_add_test(tc, has_word);
	tcase_add_test(tc, cpu_offered);
	tcase_add_test(tc, common_ancestor);
	tcase_add_test(tc, ours);
	suite_add_tcase(s, tc);
	return s;
}
