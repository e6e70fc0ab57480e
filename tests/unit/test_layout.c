// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include <yieldlab/abi.h>
#include "vmm/layout.h"
#include "suites.h"

static uint8_t *mem;

static void setup(void)
{
	mem = calloc(1, YL_MEM_SIZE);
	ck_assert_ptr_nonnull(mem);
	yl_build_page_tables(mem);
	yl_build_gdt(mem);
}

static void teardown(void)
{
	free(mem);
}

START_TEST(identity_map)
{
	static const uint64_t va[] = {
		0x1000, 0x1ff8, YL_BOOT_GPA, YL_RESULTS_GPA + 123, 0x1fffff,
		0x200000, YL_IMAGE_GPA, YL_STACK_GPA + 8, YL_MEM_SIZE - 1,
	};
	size_t i;

	for (i = 0; i < sizeof(va) / sizeof(va[0]); i++) {
		uint64_t pa = ~0ull;

		ck_assert_msg(yl_translate(mem, YL_MEM_SIZE, va[i], &pa) == 0,
			      "0x%llx not mapped", (unsigned long long)va[i]);
		ck_assert_uint_eq(pa, va[i]);
	}
}
END_TEST

START_TEST(unmapped)
{
	static const uint64_t va[] = {
		0, 0xfff, YL_MEM_SIZE, YL_MEM_SIZE + 0x1000, 0x40000000,
		YL_FAULT_ADDR, 0xffff800000000000ull, 0x0000800000000000ull,
	};
	size_t i;

	for (i = 0; i < sizeof(va) / sizeof(va[0]); i++) {
		uint64_t pa;

		ck_assert_msg(yl_translate(mem, YL_MEM_SIZE, va[i], &pa) < 0,
			      "0x%llx is mapped", (unsigned long long)va[i]);
	}
}
END_TEST

/* The tables themselves sit inside guest RAM and do not overlap the image. */
START_TEST(tables_in_place)
{
	uint64_t e;

	memcpy(&e, mem + YL_PML4_GPA, 8);
	ck_assert_uint_eq(e & PTE_ADDR_MASK, YL_PDPT_GPA);
	ck_assert(e & PTE_P);
	memcpy(&e, mem + YL_PD_GPA + 8, 8);
	ck_assert(e & PTE_PS);
	ck_assert_uint_eq(e & PTE_ADDR_MASK, 0x200000);
	ck_assert_uint_lt(YL_PT_GPA + 4096, YL_BOOT_GPA + 1);
}
END_TEST

START_TEST(gdt)
{
	uint64_t d[3];

	memcpy(d, mem + YL_GDT_GPA, sizeof(d));
	ck_assert_uint_eq(d[0], 0);
	/* code: present, DPL0, type 0xA, L=1, D=0 */
	ck_assert_uint_eq((d[1] >> 47) & 1, 1);
	ck_assert_uint_eq((d[1] >> 40) & 0xf, 0xa);
	ck_assert_uint_eq((d[1] >> 53) & 1, 1);
	ck_assert_uint_eq((d[1] >> 54) & 1, 0);
	/* data: present, writable */
	ck_assert_uint_eq((d[2] >> 47) & 1, 1);
	ck_assert_uint_eq((d[2] >> 40) & 0xf, 0x2);
}
END_TEST

START_TEST(sregs_long_mode)
{
	struct kvm_sregs s;
	struct kvm_regs r;

	memset(&s, 0xa5, sizeof(s));
	yl_init_sregs(&s, 7);
	ck_assert(s.cr0 & 0x80000001ull);		/* PG | PE */
	ck_assert(s.cr4 & (1ull << 5));			/* PAE */
	ck_assert_uint_eq(s.efer & 0x500, 0x500);	/* LME | LMA */
	ck_assert_uint_eq(s.cr3, YL_PML4_GPA);
	ck_assert_uint_eq(s.cs.l, 1);
	ck_assert_uint_eq(s.cs.db, 0);
	ck_assert_uint_eq(s.cs.selector, YL_SEL_CODE64);
	ck_assert_uint_eq(s.ss.selector, YL_SEL_DATA);
	ck_assert_uint_eq(s.gs.base, 7);
	yl_init_regs(&r, 7);
	ck_assert_uint_eq(r.rip, YL_IMAGE_GPA);
	ck_assert_uint_eq(r.rdi, 7);
	ck_assert_uint_eq(r.rsi, YL_BOOT_GPA);
	ck_assert_uint_eq(r.rsp, YL_STACK_GPA + 8 * YL_STACK_SIZE);
	ck_assert_uint_eq(r.rsp % 16, 0);
	ck_assert_uint_eq(r.rflags, 2);
}
END_TEST

Suite *layout_suite(void)
{
	Suite *s = suite_create("layout");
	TCase *tc = tcase_create("tables");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, identity_map);
	tcase_add_test(tc, unmapped);
	tcase_add_test(tc, tables_in_place);
	tcase_add_test(tc, gdt);
	tcase_add_test(tc, sregs_long_mode);
	suite_add_tcase(s, tc);
	return s;
}
