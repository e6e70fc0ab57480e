// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "vmm/cpuid.h"
#include "suites.h"

static struct yl_cpuid sup;

static void add(uint32_t fn, uint32_t idx, uint32_t flags, uint32_t a,
		uint32_t b, uint32_t c, uint32_t d)
{
	struct kvm_cpuid_entry2 *e = &sup.e[sup.hdr.nent++];

	memset(e, 0, sizeof(*e));
	e->function = fn;
	e->index = idx;
	e->flags = flags;
	e->eax = a;
	e->ebx = b;
	e->ecx = c;
	e->edx = d;
}

/* A table shaped like KVM_GET_SUPPORTED_CPUID's answer. */
static void setup(void)
{
	memset(&sup, 0, sizeof(sup));
	add(0, 0, 0, 0xd, 0x68747541, 0x444d4163, 0x69746e65);
	add(1, 0, 0, 0xa00f11, 0x00000800, (1u << 21) | 1, 0x178bfbff);
	add(0xb, 0, KVM_CPUID_FLAG_SIGNIFCANT_INDEX, 1, 1, 0x100, 99);
	add(0xb, 1, KVM_CPUID_FLAG_SIGNIFCANT_INDEX, 4, 2, 0x201, 99);
	add(0x40000000, 0, 0, 0x40000001, 0, 0, 0);
	/* every KVM feature but PV_SEND_IPI, plus bits we do not pass on */
	add(0x40000001, 0, 0, 0xffffffffu & ~(1u << YL_KVM_FEATURE_PV_SEND_IPI),
	    0, 0, 0x1);
}

START_TEST(apic_ids_and_hypervisor_bit)
{
	struct yl_cpuid out;
	struct yl_err err;
	struct kvm_cpuid_entry2 *e;

	ck_assert_int_eq(yl_cpuid_for_vcpu(&sup, &out, 5, &err), 0);
	e = yl_cpuid_find(&out, 1, 0);
	ck_assert_uint_eq(e->ebx >> 24, 5);
	ck_assert_uint_eq(e->ebx & 0xffffff, 0x800);
	ck_assert(e->ecx & (1u << 31));
	ck_assert(e->ecx & (1u << 21));
	ck_assert_uint_eq(yl_cpuid_find(&out, 0xb, 0)->edx, 5);
	ck_assert_uint_eq(yl_cpuid_find(&out, 0xb, 1)->edx, 5);
	ck_assert_uint_eq(yl_cpuid_find(&out, 0xb, 1)->eax, 4);
	/* the supported table is left untouched */
	ck_assert_uint_eq(yl_cpuid_find(&sup, 1, 0)->ebx, 0x800);
}
END_TEST

START_TEST(pv_leaves)
{
	struct yl_cpuid out;
	struct yl_err err;
	struct kvm_cpuid_entry2 *e;

	ck_assert_int_eq(yl_cpuid_for_vcpu(&sup, &out, 0, &err), 0);
	e = yl_cpuid_find(&out, 0x40000000, 0);
	ck_assert_uint_eq(e->eax, 0x40000001);
	ck_assert_int_eq(memcmp(&e->ebx, "KVMK", 4), 0);
	ck_assert_int_eq(memcmp(&e->ecx, "VMKV", 4), 0);
	ck_assert_int_eq(memcmp(&e->edx, "M\0\0\0", 4), 0);
	e = yl_cpuid_find(&out, 0x40000001, 0);
	ck_assert_uint_eq(e->eax, YL_PV_WANTED & ~(1u << YL_KVM_FEATURE_PV_SEND_IPI));
	ck_assert_uint_eq(e->edx, 0);
}
END_TEST

START_TEST(pv_leaves_added_when_absent)
{
	struct yl_cpuid out;
	struct yl_err err;

	sup.hdr.nent -= 2;
	ck_assert_int_eq(yl_cpuid_for_vcpu(&sup, &out, 0, &err), 0);
	ck_assert_uint_eq(out.hdr.nent, sup.hdr.nent + 2);
	ck_assert_uint_eq(yl_cpuid_find(&out, 0x40000001, 0)->eax, 0);
}
END_TEST

START_TEST(no_x2apic_is_an_error)
{
	struct yl_cpuid out;
	struct yl_err err;

	yl_cpuid_find(&sup, 1, 0)->ecx &= ~(1u << 21);
	ck_assert_int_eq(yl_cpuid_for_vcpu(&sup, &out, 0, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "x2APIC"));
}
END_TEST

Suite *cpuid_suite(void)
{
	Suite *s = suite_create("cpuid");
	TCase *tc = tcase_create("edits");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, apic_ids_and_hypervisor_bit);
	tcase_add_test(tc, pv_leaves);
	tcase_add_test(tc, pv_leaves_added_when_absent);
	tcase_add_test(tc, no_x2apic_is_an_error);
	suite_add_tcase(s, tc);
	return s;
}
