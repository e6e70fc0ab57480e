// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "vmm/stats/hoststat.h"
#include "vmm/stats/kcredit.h"
#include "vmm/vm.h"
#include "suites.h"

START_TEST(parse_schedstat)
{
	struct yl_hoststat h;

	ck_assert_int_eq(yl_parse_schedstat("123456 7890 42\n", &h), 0);
	ck_assert_uint_eq(h.run_ns, 123456);
	ck_assert_uint_eq(h.wait_ns, 7890);
	ck_assert_uint_eq(h.slices, 42);
	ck_assert_int_eq(yl_parse_schedstat("12 x", &h), -1);
}
END_TEST

START_TEST(parse_status)
{
	static const char text[] =
		"Name:\tyl-vcpu0\nState:\tR (running)\n"
		"nonvoluntary_ctxt_switches_bogus:\t1\n"
		"voluntary_ctxt_switches:\t17\n"
		"nonvoluntary_ctxt_switches:\t5\n";
	struct yl_hoststat h;

	ck_assert_int_eq(yl_parse_status_ctxt(text, &h), 0);
	ck_assert_uint_eq(h.vol_cs, 17);
	ck_assert_uint_eq(h.invol_cs, 5);
	ck_assert_int_eq(yl_parse_status_ctxt("Name:\tx\n", &h), -1);
}
END_TEST

/* This very thread: run time must grow while we burn CPU. */
START_TEST(reads_own_thread)
{
	struct yl_hoststat a, b, d;
	volatile uint64_t x = 0;
	uint64_t i;

	yl_hoststat_read(gettid(), &a);
	ck_assert(a.valid);
	for (i = 0; i < 20000000; i++)
		x += i;
	yl_hoststat_read(gettid(), &b);
	yl_hoststat_delta(&a, &b, &d);
	ck_assert(d.valid);
	ck_assert_uint_gt(d.run_ns, 0);
}
END_TEST

static void add_dir(const char *root, const char *name)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", root, name);
	ck_assert_int_eq(mkdir(p, 0755), 0);
}

static void rm_dir(const char *root, const char *name)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", root, name);
	ck_assert_int_eq(rmdir(p), 0);
}

/* The vendor module is the one loaded; a file of its name is not one. */
START_TEST(kvm_impl_from_sys_module)
{
	char root[] = "/tmp/yl-sysmod-XXXXXX", p[256];
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(root));
	ck_assert_int_eq(yl_kvm_impl_probe(root), YL_KVM_IMPL_UNKNOWN);
	snprintf(p, sizeof(p), "%s/kvm_amd", root);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_int_eq(yl_kvm_impl_probe(root), YL_KVM_IMPL_UNKNOWN);
	unlink(p);
	add_dir(root, "kvm");
	add_dir(root, "kvm_pvm");
	ck_assert_int_eq(yl_kvm_impl_probe(root), YL_KVM_IMPL_PVM);
	ck_assert_str_eq(yl_kvm_impl_name(YL_KVM_IMPL_PVM), "kvm_pvm");
	add_dir(root, "kvm_intel");
	ck_assert_int_eq(yl_kvm_impl_probe(root), YL_KVM_IMPL_UNKNOWN);
	rm_dir(root, "kvm_pvm");
	ck_assert_int_eq(yl_kvm_impl_probe(root), YL_KVM_IMPL_VMX);
	ck_assert_str_eq(yl_kvm_impl_name((enum yl_kvm_impl)99), "unknown");
	rm_dir(root, "kvm_intel");
	rm_dir(root, "kvm");
	ck_assert_int_eq(rmdir(root), 0);
}
END_TEST

/* kernel/patches/0004's sched/yield_credit, read as the untrusted text it is */
static char *kcredit_text(const char *skip, const char *extra)
{
	static char buf[2048];
	size_t n = 0;
	int k;

	for (k = 0; k < YL_CS_NR; k++)
		if (!skip || strcmp(skip, yl_credit_stat_names[k]))
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s %d\n",
					      yl_credit_stat_names[k], 10 + k);
	snprintf(buf + n, sizeof(buf) - n, "%s", extra);
	return buf;
}

START_TEST(parse_kcredit)
{
	uint64_t v[YL_CS_NR];
	int k;

	ck_assert_int_eq(yl_kcredit_parse(kcredit_text(NULL, "later_counter 5\n"), v), 0);
	for (k = 0; k < YL_CS_NR; k++)
		ck_assert_uint_eq(v[k], 10 + k);
	/* a counter missing, or only with a value that is no number: refused */
	ck_assert_int_eq(yl_kcredit_parse(kcredit_text("curr_group", ""), v), -1);
	ck_assert_int_eq(yl_kcredit_parse(kcredit_text("resched", "resched 12x\n"), v), -1);
	ck_assert_int_eq(yl_kcredit_parse(kcredit_text("yields", "yields -3\n"), v), -1);
	/* the first of a repeated line counts */
	ck_assert_int_eq(yl_kcredit_parse(kcredit_text(NULL, "yields 99\n"), v), 0);
	ck_assert_uint_eq(v[YL_CS_YIELDS], 10);
	ck_assert_int_eq(yl_kcredit_parse("", v), -1);
}
END_TEST

Suite *hoststat_suite(void)
{
	Suite *s = suite_create("hoststat");
	TCase *tc = tcase_create("proc");

	tcase_add_test(tc, parse_schedstat);
	tcase_add_test(tc, parse_status);
	tcase_add_test(tc, parse_kcredit);
	tcase_add_test(tc, reads_own_thread);
	tcase_add_test(tc, kvm_impl_from_sys_module);
	suite_add_tcase(s, tc);
	return s;
}
