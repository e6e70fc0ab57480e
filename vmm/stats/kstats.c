// SPDX-License-Identifier: GPL-2.0
/*
 * KVM binary statistics.  The layout comes from the host kernel and is
 * validated like any other untrusted input: sizes are bounded, every
 * descriptor must lie inside what was read, names must be terminated.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/kvm.h>
#include "kstats.h"

ssize_t yl_pread_fd(void *ctx, void *buf, size_t len, off_t off)
{
	return pread(*(int *)ctx, buf, len, off);
}

static int read_exact(const struct yl_kstats *ks, void *buf, size_t len,
		      off_t off, struct yl_err *err)
{
	ssize_t r = ks->rd(ks->ctx, buf, len, off);

	if (r != (ssize_t)len)
		return yl_errf(err, "KVM stats: short read of %zu bytes at %lld",
			       len, (long long)off);
	return 0;
}

static int check_header(const struct kvm_stats_header *h, struct yl_err *err)
{
	if (h->name_size == 0 || h->name_size > YL_KSTAT_NAME_MAX)
		return yl_errf(err, "KVM stats: name_size %u outside 1..%d",
			       h->name_size, YL_KSTAT_NAME_MAX);
	if (h->num_desc > YL_KSTAT_MAX_DESC)
		return yl_errf(err, "KVM stats: %u descriptors, at most %d",
			       h->num_desc, YL_KSTAT_MAX_DESC);
	return 0;
}

static int parse_desc(struct yl_kstats *ks, const uint8_t *raw,
		      uint32_t name_size, uint32_t i, struct yl_err *err)
{
	/*
	 * Descriptors follow each other every sizeof(desc) + name_size
	 * bytes: with a name_size that is not a multiple of 4 (found by
	 * fuzz_kstats) they are not aligned, so each is copied out.
	 */
	const char *name = (const char *)raw + sizeof(struct kvm_stats_desc);
	struct yl_kstat_desc *d = &ks->desc[i];
	struct kvm_stats_desc kd;
	uint64_t end;

	memcpy(&kd, raw, sizeof(kd));
	if (!memchr(name, 0, name_size))
		return yl_errf(err, "KVM stats: descriptor %u name not terminated", i);
	memcpy(d->name, name, name_size);
	d->flags = kd.flags;
	d->exponent = kd.exponent;
	d->size = kd.size;
	d->offset = kd.offset;
	d->bucket_size = kd.bucket_size;
	if (d->size == 0 || d->size > YL_KSTAT_MAX_SIZE)
		return yl_errf(err, "KVM stats: %s has %u values, allowed 1..%d",
			       d->name, d->size, YL_KSTAT_MAX_SIZE);
	if (d->offset % 8)
		return yl_errf(err, "KVM stats: %s offset %u not 8-byte aligned",
			       d->name, d->offset);
	end = (uint64_t)d->offset + 8ull * d->size;
	if (end > (uint64_t)YL_KSTAT_MAX_DESC * YL_KSTAT_MAX_SIZE * 8)
		return yl_errf(err, "KVM stats: %s lies beyond any sane data block",
			       d->name);
	if (end > ks->data_len)
		ks->data_len = (uint32_t)end;
	d->value_idx = ks->nr_values;
	ks->nr_values += d->size;
	return 0;
}

int yl_kstats_open(struct yl_kstats *ks, yl_pread_fn rd, void *ctx,
		   struct yl_err *err)
{
	struct kvm_stats_header h;
	size_t dsz;
	uint8_t *raw = NULL;
	uint32_t i;

	memset(ks, 0, sizeof(*ks));
	ks->rd = rd;
	ks->ctx = ctx;
	if (read_exact(ks, &h, sizeof(h), 0, err) || check_header(&h, err))
		return -1;
	dsz = sizeof(struct kvm_stats_desc) + h.name_size;
	raw = malloc(dsz * (h.num_desc ? h.num_desc : 1));
	ks->desc = calloc(h.num_desc ? h.num_desc : 1, sizeof(*ks->desc));
	if (!raw || !ks->desc) {
		yl_errf(err, "KVM stats: out of memory");
		goto fail;
	}
	if (h.num_desc && read_exact(ks, raw, dsz * h.num_desc,
				     h.desc_offset, err))
		goto fail;
	for (i = 0; i < h.num_desc; i++)
		if (parse_desc(ks, raw + i * dsz, h.name_size, i, err))
			goto fail;
	ks->nr_desc = h.num_desc;
	ks->data_offset = h.data_offset;
	free(raw);
	return 0;
fail:
	free(raw);
	yl_kstats_close(ks);
	return -1;
}

void yl_kstats_close(struct yl_kstats *ks)
{
	free(ks->desc);
	ks->desc = NULL;
	ks->nr_desc = ks->nr_values = 0;
}

int yl_kstats_read(const struct yl_kstats *ks, uint64_t *vals,
		   struct yl_err *err)
{
	uint8_t *data;
	uint32_t i;
	int ret = 0;

	if (!ks->data_len)
		return 0;
	data = malloc(ks->data_len);
	if (!data)
		return yl_errf(err, "KVM stats: out of memory");
	if (read_exact(ks, data, ks->data_len, ks->data_offset, err))
		ret = -1;
	for (i = 0; !ret && i < ks->nr_desc; i++) {
		const struct yl_kstat_desc *d = &ks->desc[i];

		memcpy(&vals[d->value_idx], data + d->offset, 8ull * d->size);
	}
	free(data);
	return ret;
}

int yl_kstats_find(const struct yl_kstats *ks, const char *name)
{
	uint32_t i;

	for (i = 0; i < ks->nr_desc; i++)
		if (!strcmp(ks->desc[i].name, name))
			return (int)i;
	return -1;
}

static uint32_t stat_type(const struct yl_kstat_desc *d)
{
	return d->flags & KVM_STATS_TYPE_MASK;
}

bool yl_kstat_is_cumulative(const struct yl_kstat_desc *d)
{
	uint32_t t = stat_type(d);

	return t == KVM_STATS_TYPE_CUMULATIVE ||
	       t == KVM_STATS_TYPE_LINEAR_HIST || t == KVM_STATS_TYPE_LOG_HIST;
}

const char *yl_kstat_type_name(const struct yl_kstat_desc *d)
{
	switch (stat_type(d)) {
	case KVM_STATS_TYPE_CUMULATIVE:
		return "cumulative";
	case KVM_STATS_TYPE_INSTANT:
		return "instant";
	case KVM_STATS_TYPE_PEAK:
		return "peak";
	case KVM_STATS_TYPE_LINEAR_HIST:
		return "linear_hist";
	case KVM_STATS_TYPE_LOG_HIST:
		return "log_hist";
	}
	return "unknown";
}

const char *yl_kstat_unit_name(const struct yl_kstat_desc *d)
{
	switch (d->flags & KVM_STATS_UNIT_MASK) {
	case KVM_STATS_UNIT_NONE:
		return "none";
	case KVM_STATS_UNIT_BYTES:
		return "bytes";
	case KVM_STATS_UNIT_SECONDS:
		return "seconds";
	case KVM_STATS_UNIT_CYCLES:
		return "cycles";
	case KVM_STATS_UNIT_BOOLEAN:
		return "boolean";
	}
	return "unknown";
}

void yl_kstats_delta(const struct yl_kstats *ks, const uint64_t *before,
		     const uint64_t *after, uint64_t *delta)
{
	uint32_t i, k;

	for (i = 0; i < ks->nr_desc; i++) {
		const struct yl_kstat_desc *d = &ks->desc[i];
		bool cum = yl_kstat_is_cumulative(d);

		for (k = d->value_idx; k < d->value_idx + d->size; k++)
			delta[k] = cum ? after[k] - before[k] : after[k];
	}
}
