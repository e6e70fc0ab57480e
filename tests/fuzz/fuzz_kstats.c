// SPDX-License-Identifier: GPL-2.0
/*
 * KVM's binary statistics as the stats fd serves them: header,
 * descriptors and data are the kernel's, parsed without trusting them.
 */
#include <stdlib.h>
#include <string.h>
#include "vmm/stats/kstats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

struct buf {
	const uint8_t *p;
	size_t len;
};

static ssize_t rd(void *ctx, void *out, size_t len, off_t off)
{
	const struct buf *b = ctx;

	if (off < 0 || (size_t)off >= b->len)
		return 0;
	if (len > b->len - (size_t)off)
		len = b->len - (size_t)off;
	memcpy(out, b->p + off, len);
	return (ssize_t)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct buf b = { data, len };
	struct yl_kstats ks;
	struct yl_err err;
	uint64_t *v, *d;
	uint32_t i;

	if (yl_kstats_open(&ks, rd, &b, &err))
		return 0;
	v = calloc(ks.nr_values + 1, sizeof(*v));
	d = calloc(ks.nr_values + 1, sizeof(*d));
	if (v && d && !yl_kstats_read(&ks, v, &err)) {
		yl_kstats_delta(&ks, v, v, d);
		for (i = 0; i < ks.nr_desc; i++) {
			yl_kstat_type_name(&ks.desc[i]);
			yl_kstat_unit_name(&ks.desc[i]);
			yl_kstats_find(&ks, ks.desc[i].name);
		}
	}
	free(v);
	free(d);
	yl_kstats_close(&ks);
	return 0;
}
