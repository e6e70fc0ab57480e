// SPDX-License-Identifier: GPL-2.0
/* The contract's layout: regions disjoint, records aligned, sizes fixed. */
#include <stddef.h>
#include <yieldlab/abi.h>
#include "suites.h"

START_TEST(record_layout)
{
	ck_assert_uint_eq(sizeof(struct yl_vcpu_result) % 64, 0);
	ck_assert_uint_eq(_Alignof(struct yl_vcpu_result), 64);
	ck_assert_uint_eq(YL_VCPU_RESULT_GPA(1) - YL_VCPU_RESULT_GPA(0),
			  sizeof(struct yl_vcpu_result));
	ck_assert_uint_eq(YL_VCPU_RESULT_GPA(0) % 64, 0);
	/* the plain counter has a cache line to itself */
	ck_assert_uint_eq(offsetof(struct yl_summary, shared_counter), 0);
	ck_assert_uint_eq(offsetof(struct yl_summary, vcpus_done), 64);
	ck_assert_uint_le(sizeof(struct yl_summary), 4096);
	/* fields the VMM reads at fixed offsets */
	ck_assert_uint_eq(offsetof(struct yl_vcpu_result, ops), 8);
	ck_assert_uint_eq(sizeof(struct yl_fault), 7 * 8);
	/* every counter before the histograms; the histograms a whole line each */
	ck_assert_uint_eq(offsetof(struct yl_vcpu_result, lat_hist) % 64, 0);
	ck_assert_uint_eq(sizeof(struct yl_vcpu_result), 1536);
}
END_TEST

START_TEST(regions_disjoint)
{
	/* [start, end) of every region, in address order */
	const uint64_t r[][2] = {
		{ YL_GDT_GPA, YL_GDT_GPA + 4096 },
		{ YL_PML4_GPA, YL_PT_GPA + 4096 },
		{ YL_BOOT_GPA, YL_BOOT_GPA + 4096 },
		{ YL_STEAL_GPA, YL_STEAL_GPA + 64ull * YL_MAX_VCPUS },
		{ YL_RESULTS_GPA, YL_VCPU_RESULT_GPA(YL_MAX_VCPUS) },
		{ YL_IMAGE_GPA, YL_IMAGE_END },
		{ YL_STACK_GPA, YL_STACK_GPA + YL_STACK_SIZE * YL_MAX_VCPUS },
	};
	size_t i, n = sizeof(r) / sizeof(r[0]);

	for (i = 0; i < n; i++) {
		ck_assert_uint_lt(r[i][0], r[i][1]);
		ck_assert_uint_le(r[i][1], YL_MEM_SIZE);
		if (i + 1 < n)
			ck_assert_uint_le(r[i][1], r[i + 1][0]);
	}
	ck_assert_uint_ge(YL_IMAGE_END - YL_IMAGE_GPA, YL_IMAGE_MAX_FILE);
	ck_assert_uint_ge(YL_MEM_SIZE, YL_FAULT_ADDR >> 20 ? 0 : YL_FAULT_ADDR);
	ck_assert_uint_gt(YL_FAULT_ADDR, YL_MEM_SIZE);
}
END_TEST

START_TEST(enums_fit_boot_params)
{
	ck_assert_uint_le(sizeof(struct yl_boot_params), 4096);
	ck_assert_uint_eq(offsetof(struct yl_boot_params, magic), 0);
	ck_assert_uint_eq(offsetof(struct yl_boot_params, tsc_khz) % 8, 0);
	ck_assert_int_eq(YL_WL_NR, 7);		/* 6: the hypercall probe */
	ck_assert_uint_eq(offsetof(struct yl_boot_params, spin_cycles) % 8, 0);
	ck_assert_int_eq(YL_IPI_VIA_NR, 2);
	ck_assert_int_eq(YL_IPI_WAIT_NR, 2);
	/* not an exception vector, not the guest's spurious vector 0xff */
	ck_assert_int_ge(YL_IPI_VECTOR, 32);
	ck_assert_int_lt(YL_IPI_VECTOR, 0xff);
	ck_assert_int_eq(YL_LOCK_NR, 5);
	ck_assert_int_eq(YL_PV_NR, 3);
}
END_TEST

Suite *abi_suite(void)
{
	Suite *s = suite_create("abi");
	TCase *tc = tcase_create("layout");

	tcase_add_test(tc, record_layout);
	tcase_add_test(tc, regions_disjoint);
	tcase_add_test(tc, enums_fit_boot_params);
	suite_add_tcase(s, tc);
	return s;
}
