// SPDX-License-Identifier: GPL-2.0
/* hostparam.h: the host parameters of kernel/'s kernel, and their values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hostparam.h"
#include "util.h"

#define KVM_PARAM(n)	"/sys/module/kvm/parameters/" n
#define SCHED_KNOB(n)	"/sys/kernel/debug/sched/" n

const struct yl_host_param yl_host_params[YL_HP_NR] = {
	[YL_HP_IPI_FILTER] = { "kvm.yield_ipi_filter", KVM_PARAM("yield_ipi_filter"),
		YL_HP_BOOL, 0, 1,
		"track IPIs and try the receiver first in kvm_vcpu_on_spin() (patches 0005-0006)" },
	[YL_HP_RELAXED_BOOST] = { "kvm.enable_relaxed_boost", KVM_PARAM("enable_relaxed_boost"),
		YL_HP_BOOL, 0, 1,
		"kvm_vcpu_on_spin()'s relaxed round after a strict one that boosted no one" },
	[YL_HP_IPI_WINDOW_NS] = { "kvm.ipi_window_ns", KVM_PARAM("ipi_window_ns"),
		YL_HP_U64, 0, 10000000000ull,
		"how long a tracked IPI keeps its receiver confirmed" },
	[YL_HP_CREDIT_CURR] = { "sched.yield_credit_curr", SCHED_KNOB("yield_credit_curr"),
		YL_HP_U64, 0, 1,
		"credit a level that is its run queue's current entity (the shared ancestor)" },
	[YL_HP_CREDIT_PCT] = { "sched.yield_credit_pct", SCHED_KNOB("yield_credit_pct"),
		YL_HP_U64, 0, 100,
		"the credit's margin, % of one weighted slice; 0: to zero lag" },
	[YL_HP_CREDIT_DEPTH] = { "sched.yield_credit_depth", SCHED_KNOB("yield_credit_depth"),
		YL_HP_U64, 1, 64,
		"the margin's queue-depth factor is at most this" },
	[YL_HP_CREDIT_RESCHED_NS] = { "sched.yield_credit_resched_ns",
		SCHED_KNOB("yield_credit_resched_ns"), YL_HP_U64, 0, 4000000000ull,
		"the forced reschedule's rate limit per run queue" },
};

_Static_assert(YL_HP_NR <= YL_MAX_HOST_PARAMS, "a run may set every parameter");

/* The index of the parameter named by @name's first @len bytes, or -1. */
int yl_host_param_find(const char *name, size_t len)
{
	unsigned int i;

	for (i = 0; i < YL_HP_NR; i++)
		if (strlen(yl_host_params[i].name) == len &&
		    !memcmp(yl_host_params[i].name, name, len))
			return (int)i;
	return -1;
}

/*
 * A value as the command line or a parameter's file gives it (one
 * trailing newline allowed): Y or N for a bool, else a decimal in
 * [min, max].  0, or -1 with *v untouched.
 */
int yl_host_param_parse(enum yl_hp_kind kind, uint64_t min, uint64_t max,
			const char *text, uint64_t *v)
{
	size_t n = strcspn(text, "\n");
	unsigned long long x;
	char *end;

	if (text[n] && text[n + 1])
		return -1;
	if (kind == YL_HP_BOOL) {
		if (n != 1 || (text[0] != 'Y' && text[0] != 'N'))
			return -1;
		*v = text[0] == 'Y';
		return 0;
	}
	if (!n || n > 20 || strspn(text, "0123456789") != n)
		return -1;
	x = strtoull(text, &end, 10);
	if (end != text + n || x < min || x > max)
		return -1;
	*v = x;
	return 0;
}

/* Parameter @id's value from its file at @path (the table's, or a test's). */
int yl_host_param_read(const char *path, enum yl_hp_id id, uint64_t *v)
{
	const struct yl_host_param *p = &yl_host_params[id];
	char buf[YL_HOST_PARAM_VLEN];

	if (yl_read_text(path, buf, sizeof(buf)) <= 0)
		return -1;
	return yl_host_param_parse(p->kind, p->min, p->max, buf, v);
}

/* The value as the parameter's file takes it. */
void yl_host_param_format(enum yl_hp_id id, uint64_t v, char *buf, size_t len)
{
	if (yl_host_params[id].kind == YL_HP_BOOL)
		snprintf(buf, len, "%c", v ? 'Y' : 'N');
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
}

int yl_host_param_write(const char *path, enum yl_hp_id id, uint64_t v)
{
	char buf[YL_HOST_PARAM_VLEN];

	yl_host_param_format(id, v, buf, sizeof(buf));
	return yl_write_text(path, buf);
}

/* "a, b, c": every name, for an error message. */
const char *yl_host_param_names(void)
{
	static char buf[YL_HP_NR * (YL_HOST_PARAM_LEN + 2)];
	size_t o = 0;
	unsigned int i;

	for (i = 0; i < YL_HP_NR; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", i ? ", " : "",
				      yl_host_params[i].name);
	return buf;
}
