// SPDX-License-Identifier: GPL-2.0
/* The binary-stats parser against a synthetic buffer laid out as api.rst says. */
#include <string.h>
#include <linux/kvm.h>
#include "vmm/stats/kstats.h"
#include "suites.h"

#define NAME_SIZE 48
#define DESC_SIZE (sizeof(struct kvm_stats_desc) + NAME_SIZE)

struct membuf {
	uint8_t b[8192];
	size_t len;
};

static struct membuf mb;

static ssize_t mem_pread(void *ctx, void *buf, size_t len, off_t off)
{
	struct membuf *m = ctx;

	if ((size_t)off >= m->len)
		return 0;
	if (len > m->len - (size_t)off)
		len = m->len - (size_t)off;
	memcpy(buf, m->b + off, len);
	return (ssize_t)len;
}

struct fake_stat {
	const char *name;
	uint32_t flags;
	uint16_t size;
};

static const struct fake_stat stats[] = {
	{ "io_exits", KVM_STATS_TYPE_CUMULATIVE | KVM_STATS_UNIT_NONE, 1 },
	{ "halt_poll_success_ns", KVM_STATS_TYPE_CUMULATIVE | KVM_STATS_UNIT_SECONDS, 1 },
	{ "guest_mode", KVM_STATS_TYPE_INSTANT | KVM_STATS_UNIT_BOOLEAN, 1 },
	{ "max_mmu_page_hash_collisions", KVM_STATS_TYPE_PEAK, 1 },
	{ "halt_wait_hist", KVM_STATS_TYPE_LOG_HIST | KVM_STATS_UNIT_SECONDS, 4 },
};
#define NSTATS (sizeof(stats) / sizeof(stats[0]))

/* header | id | descriptors | data; data values = base + 10*stat + k */
static void build(uint64_t base)
{
	struct kvm_stats_header h = {
		.name_size = NAME_SIZE,
		.num_desc = NSTATS,
		.id_offset = sizeof(h),
		.desc_offset = sizeof(h) + 64,
	};
	uint32_t off = 0, i, k;

	memset(&mb, 0, sizeof(mb));
	h.data_offset = h.desc_offset + NSTATS * DESC_SIZE;
	memcpy(mb.b, &h, sizeof(h));
	strcpy((char *)mb.b + h.id_offset, "kvm-1234/vcpu-0");
	for (i = 0; i < NSTATS; i++) {
		struct kvm_stats_desc *d = (void *)(mb.b + h.desc_offset + i * DESC_SIZE);

		d->flags = stats[i].flags;
		d->exponent = (stats[i].flags & KVM_STATS_UNIT_MASK) ==
			      KVM_STATS_UNIT_SECONDS ? -9 : 0;
		d->size = stats[i].size;
		d->offset = off;
		strcpy(d->name, stats[i].name);
		for (k = 0; k < stats[i].size; k++) {
			uint64_t v = base + 10 * i + k;

			memcpy(mb.b + h.data_offset + off + 8 * k, &v, 8);
		}
		off += 8 * stats[i].size;
	}
	mb.len = h.data_offset + off;
}

static struct kvm_stats_header *hdr(void)
{
	return (void *)mb.b;
}

static struct kvm_stats_desc *desc(unsigned int i)
{
	return (void *)(mb.b + hdr()->desc_offset + i * DESC_SIZE);
}

START_TEST(parse_and_read)
{
	struct yl_kstats ks;
	struct yl_err err;
	uint64_t v[16];
	int i;

	build(100);
	ck_assert_int_eq(yl_kstats_open(&ks, mem_pread, &mb, &err), 0);
	ck_assert_uint_eq(ks.nr_desc, NSTATS);
	ck_assert_uint_eq(ks.nr_values, 8);
	ck_assert_int_eq(yl_kstats_read(&ks, v, &err), 0);
	i = yl_kstats_find(&ks, "io_exits");
	ck_assert_int_eq(i, 0);
	ck_assert_uint_eq(v[ks.desc[i].value_idx], 100);
	i = yl_kstats_find(&ks, "halt_wait_hist");
	ck_assert_int_eq(i, 4);
	ck_assert_uint_eq(ks.desc[i].size, 4);
	ck_assert_uint_eq(v[ks.desc[i].value_idx + 3], 143);
	ck_assert_int_eq(ks.desc[1].exponent, -9);
	ck_assert_str_eq(yl_kstat_unit_name(&ks.desc[1]), "seconds");
	ck_assert_str_eq(yl_kstat_type_name(&ks.desc[3]), "peak");
	ck_assert_int_eq(yl_kstats_find(&ks, "nope"), -1);
	yl_kstats_close(&ks);
}
END_TEST

/* Counters and histograms are deltas; instant and peak values are not. */
START_TEST(delta_semantics)
{
	struct yl_kstats ks;
	struct yl_err err;
	uint64_t a[16], b[16], d[16];

	build(100);
	ck_assert_int_eq(yl_kstats_open(&ks, mem_pread, &mb, &err), 0);
	ck_assert_int_eq(yl_kstats_read(&ks, a, &err), 0);
	build(250);
	ck_assert_int_eq(yl_kstats_read(&ks, b, &err), 0);
	yl_kstats_delta(&ks, a, b, d);
	ck_assert_uint_eq(d[0], 150);		/* cumulative */
	ck_assert_uint_eq(d[1], 150);
	ck_assert_uint_eq(d[2], 250 + 20);	/* instant: the after value */
	ck_assert_uint_eq(d[3], 250 + 30);	/* peak: the after value */
	ck_assert_uint_eq(d[4], 150);		/* histogram buckets: deltas */
	ck_assert_uint_eq(d[7], 150);
	yl_kstats_close(&ks);
}
END_TEST

START_TEST(rejects_bad_layouts)
{
	struct yl_kstats ks;
	struct yl_err err;

	build(0);
	memset(desc(2)->name, 'x', NAME_SIZE);
	ck_assert_int_eq(yl_kstats_open(&ks, mem_pread, &mb, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "not terminated"));

	build(0);
	desc(1)->size = 0;
	ck_assert_int_eq(yl_kstats_open(&ks, mem_pread, &mb, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "halt_poll_success_ns has 0 values"));

	build(0);
	desc(0)->offset = 4;
	ck_assert_int_eq(yl_kstats_open(&ks, mem_pread, &mb, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "aligned"));

	build(0);
	hdr()->num_desc = 100000;
	ck_assert_int_eq(yl_kstats_open(&ks, mem_pread, &mb, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "descriptors"));

	build(0);
	hdr()->name_size = 0;
	ck_assert_int_eq(yl_kstats_open(&ks, mem_pread, &mb, &err), -1);

	build(0);
	mb.len = sizeof(struct kvm_stats_header) + 10;	/* truncated */
	ck_assert_int_eq(yl_kstats_open(&ks, mem_pread, &mb, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "short read"));
}
END_TEST

START_TEST(data_beyond_file_fails_read)
{
	struct yl_kstats ks;
	struct yl_err err;
	uint64_t v[16];

	build(0);
	desc(4)->offset = 4096;		/* points past the data block */
	ck_assert_int_eq(yl_kstats_open(&ks, mem_pread, &mb, &err), 0);
	ck_assert_int_eq(yl_kstats_read(&ks, v, &err), -1);
	yl_kstats_close(&ks);
}
END_TEST

Suite *kstats_suite(void)
{
	Suite *s = suite_create("kstats");
	TCase *tc = tcase_create("parser");

	tcase_add_test(tc, parse_and_read);
	tcase_add_test(tc, delta_semantics);
	tcase_add_test(tc, rejects_bad_layouts);
	tcase_add_test(tc, data_beyond_file_fails_read);
	suite_add_tcase(s, tc);
	return s;
}
