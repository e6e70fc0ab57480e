/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KVM binary statistics (KVM_GET_STATS_FD, Documentation/virt/kvm/api.rst
 * "KVM_GET_STATS_FD").  The parser reads through a pread-like callback so
 * unit tests can feed it a synthetic buffer.
 */
#ifndef YL_KSTATS_H
#define YL_KSTATS_H

#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>
#include "lib/util.h"

#define YL_KSTAT_NAME_MAX	128
#define YL_KSTAT_MAX_DESC	1024
#define YL_KSTAT_MAX_SIZE	1024	/* values per stat (histograms) */

typedef ssize_t (*yl_pread_fn)(void *ctx, void *buf, size_t len, off_t off);

struct yl_kstat_desc {
	char name[YL_KSTAT_NAME_MAX];
	uint32_t flags;
	int16_t exponent;
	uint16_t size;
	uint32_t offset;	/* within the data block, bytes */
	uint32_t bucket_size;
	uint32_t value_idx;	/* first value in a flattened snapshot */
};

struct yl_kstats {
	yl_pread_fn rd;
	void *ctx;
	uint32_t nr_desc;
	uint32_t nr_values;
	uint32_t data_offset;
	uint32_t data_len;
	struct yl_kstat_desc *desc;
};

int yl_kstats_open(struct yl_kstats *ks, yl_pread_fn rd, void *ctx,
		   struct yl_err *err);
void yl_kstats_close(struct yl_kstats *ks);
/* Reads every value into vals[nr_values]. */
int yl_kstats_read(const struct yl_kstats *ks, uint64_t *vals,
		   struct yl_err *err);
int yl_kstats_find(const struct yl_kstats *ks, const char *name);
bool yl_kstat_is_cumulative(const struct yl_kstat_desc *d);
const char *yl_kstat_type_name(const struct yl_kstat_desc *d);
const char *yl_kstat_unit_name(const struct yl_kstat_desc *d);
/* after - before for cumulative counters and histograms, else after. */
void yl_kstats_delta(const struct yl_kstats *ks, const uint64_t *before,
		     const uint64_t *after, uint64_t *delta);

ssize_t yl_pread_fd(void *ctx, void *buf, size_t len, off_t off);

#endif
