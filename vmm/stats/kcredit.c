// SPDX-License-Identifier: GPL-2.0
/* kcredit.h: the patched host kernel's lag credit, around a run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kcredit.h"
#include "lib/hostparam.h"
#include "lib/util.h"

/* the knobs are the table's sched.yield_credit_* entries, in its order */
_Static_assert(YL_HP_CREDIT_RESCHED_NS - YL_HP_CREDIT_CURR + 1 == YL_KK_NR,
	       "yl_kcredit_knob follows lib/hostparam.h's sched.yield_credit_* entries");

const char *const yl_kcredit_knobs[YL_KK_NR] = {
	[YL_KK_CURR] = "curr",
	[YL_KK_PCT] = "pct",
	[YL_KK_DEPTH] = "depth",
	[YL_KK_RESCHED_NS] = "resched_ns",
};

static int counter_of(const char *name, size_t len)
{
	int k;

	for (k = 0; k < YL_CS_NR; k++)
		if (strlen(yl_credit_stat_names[k]) == len &&
		    !memcmp(yl_credit_stat_names[k], name, len))
			return k;
	return -1;
}

/*
 * "name value" lines, from the kernel but parsed as untrusted: each of our
 * counters exactly once, a decimal value; lines we do not know are skipped
 * (a later kernel may count more).  0 when all were found.
 */
int yl_kcredit_parse(const char *text, uint64_t *v)
{
	bool seen[YL_CS_NR] = { false };
	const char *p = text;
	int k, found = 0;

	while (*p) {
		size_t len = strcspn(p, " \n");
		char *end;

		k = counter_of(p, len);
		p += len;
		if (k >= 0 && *p == ' ' && p[1] >= '0' && p[1] <= '9') {
			unsigned long long x = strtoull(p + 1, &end, 10);

			if ((*end == '\n' || !*end) && !seen[k]) {
				seen[k] = true;
				v[k] = x;
				found++;
			}
		}
		p += strcspn(p, "\n");
		p += *p == '\n';
	}
	return found == YL_CS_NR ? 0 : -1;
}

static int read_counters(uint64_t *v)
{
	char buf[2048];

	if (yl_read_text(YL_KCREDIT_DIR "/yield_credit", buf, sizeof(buf)) <= 0)
		return -1;
	return yl_kcredit_parse(buf, v);
}

/* The switch as sched/features shows it: its name as a word (NO_name: off). */
static bool feature_on(void)
{
	static const char name[] = "YIELD_TO_LAG_CREDIT";
	const size_t len = sizeof(name) - 1;
	char buf[4096], *p;

	if (yl_read_text(YL_KCREDIT_DIR "/features", buf, sizeof(buf)) <= 0)
		return false;
	for (p = buf; (p = strstr(p, name)); p++)
		if ((p == buf || p[-1] == ' ') &&
		    (p[len] == ' ' || p[len] == '\n' || !p[len]))
			return true;
	return false;
}

/*
 * A file of lib/hostparam.c's table, or another module parameter of the
 * same kind, read as it is: the table's bounds are for what a run writes.
 */
static int read_param(const char *path, enum yl_hp_kind kind, uint64_t *v)
{
	char buf[YL_HOST_PARAM_VLEN];

	if (yl_read_text(path, buf, sizeof(buf)) <= 0)
		return -1;
	return yl_host_param_parse(kind, 0, UINT64_MAX, buf, v);
}

static int read_table(enum yl_hp_id id, uint64_t *v)
{
	return read_param(yl_host_params[id].path, yl_host_params[id].kind, v);
}

static void read_kipi(struct yl_kipi *ki)
{
	uint64_t filter, relaxed, unfiltered;

	if (read_table(YL_HP_IPI_FILTER, &filter) ||
	    read_table(YL_HP_RELAXED_BOOST, &relaxed) ||
	    read_table(YL_HP_IPI_WINDOW_NS, &ki->window_ns))
		return;
	ki->filter = filter;
	ki->relaxed_boost = relaxed;
	ki->pause_unfiltered =
		read_param("/sys/module/kvm_amd/parameters/pause_exit_unfiltered",
			   YL_HP_BOOL, &unfiltered) ? -1 : (int)unfiltered;
	ki->valid = true;
}

/* After the host's knobs are set, before the guest runs. */
void yl_kcredit_begin(struct yl_kcredit *kc)
{
	int k;

	memset(kc, 0, sizeof(*kc));
	read_kipi(&kc->ipi);
	if (read_counters(kc->before))
		return;
	for (k = 0; k < YL_KK_NR; k++)
		read_table(YL_HP_CREDIT_CURR + k, &kc->knob[k]);
	kc->feature = feature_on();
	kc->valid = true;
}

/* Once the guest stopped, before the host's knobs go back. */
void yl_kcredit_end(struct yl_kcredit *kc)
{
	uint64_t after[YL_CS_NR];
	int k;

	if (!kc->valid || read_counters(after)) {
		kc->valid = false;
		return;
	}
	for (k = 0; k < YL_CS_NR; k++)
		kc->delta[k] = after[k] - kc->before[k];
}
