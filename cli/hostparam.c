// SPDX-License-Identifier: GPL-2.0
/* hostparam.h: the host parameters a run may set, and their values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "hostparam.h"
#include "lib/util.h"

#define KVM_PARAM(n)	"/sys/module/kvm/parameters/" n
#define SCHED_KNOB(n)	"/sys/kernel/debug/sched/" n

const struct yl_host_param yl_host_params[] = {
	{ "kvm.yield_ipi_filter", KVM_PARAM("yield_ipi_filter"), YL_HP_BOOL, 0, 1,
	  "track IPIs and try the receiver first in kvm_vcpu_on_spin() (patches 0005-0006)" },
	{ "kvm.enable_relaxed_boost", KVM_PARAM("enable_relaxed_boost"), YL_HP_BOOL, 0, 1,
	  "kvm_vcpu_on_spin()'s relaxed round after a strict one that boosted no one" },
	{ "kvm.ipi_window_ns", KVM_PARAM("ipi_window_ns"), YL_HP_U64, 0, 10000000000ull,
	  "how long a tracked IPI keeps its receiver confirmed" },
	{ "sched.yield_credit_curr", SCHED_KNOB("yield_credit_curr"), YL_HP_U64, 0, 1,
	  "credit a level that is its run queue's current entity (the shared ancestor)" },
	{ "sched.yield_credit_pct", SCHED_KNOB("yield_credit_pct"), YL_HP_U64, 0, 100,
	  "the credit's margin, % of one weighted slice; 0: to zero lag" },
	{ "sched.yield_credit_depth", SCHED_KNOB("yield_credit_depth"), YL_HP_U64, 1, 64,
	  "the margin's queue-depth factor is at most this" },
	{ "sched.yield_credit_resched_ns", SCHED_KNOB("yield_credit_resched_ns"), YL_HP_U64,
	  0, 4000000000ull, "the forced reschedule's rate limit per run queue" },
};
const unsigned int yl_nr_host_params = ARRAY_SIZE(yl_host_params);

_Static_assert(ARRAY_SIZE(yl_host_params) <= 32, "yl_host_param_names()'s buffer");

/* The index of the parameter named by @name's first @len bytes, or -1. */
int yl_host_param_find(const char *name, size_t len)
{
	unsigned int i;

	for (i = 0; i < yl_nr_host_params; i++)
		if (strlen(yl_host_params[i].name) == len &&
		    !memcmp(yl_host_params[i].name, name, len))
			return (int)i;
	return -1;
}

/*
 * A value as the command line or the parameter's file gives it (one
 * trailing newline allowed): Y or N for a bool, else a decimal within the
 * table's bounds.  0, or -1 with *v untouched.
 */
int yl_host_param_parse(const struct yl_host_param *p, const char *text,
			uint64_t *v)
{
	size_t n = strcspn(text, "\n");
	unsigned long long x;
	char *end;

	if (text[n] && text[n + 1])
		return -1;
	if (p->kind == YL_HP_BOOL) {
		if (n != 1 || (text[0] != 'Y' && text[0] != 'N'))
			return -1;
		*v = text[0] == 'Y';
		return 0;
	}
	if (!n || n > 20 || strspn(text, "0123456789") != n)
		return -1;
	x = strtoull(text, &end, 10);
	if (end != text + n || x < p->min || x > p->max)
		return -1;
	*v = x;
	return 0;
}

/* The value as the parameter's file takes it. */
void yl_host_param_format(const struct yl_host_param *p, uint64_t v,
			  char *buf, size_t len)
{
	if (p->kind == YL_HP_BOOL)
		snprintf(buf, len, "%c", v ? 'Y' : 'N');
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
}

/* "a, b, c": every name, for an error message. */
const char *yl_host_param_names(void)
{
	static char buf[32 * YL_HOST_PARAM_LEN];
	size_t o = 0;
	unsigned int i;

	for (i = 0; i < yl_nr_host_params; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", i ? ", " : "",
				      yl_host_params[i].name);
	return buf;
}

/* NAME=VALUE, NAME one of hostparam.c's table and VALUE within its bounds. */
int yl_parse_host_param(struct yl_config *cfg, const char *v,
			 struct yl_err *err)
{
	size_t n = strcspn(v, "=");
	int idx = v[n] ? yl_host_param_find(v, n) : -1;
	const struct yl_host_param *p;
	unsigned int i;
	uint64_t x;

	if (idx < 0)
		return yl_usagef(err, "--host-param '%.*s': allowed NAME=VALUE, NAME one of %s",
				 (int)n, v, yl_host_param_names());
	p = &yl_host_params[idx];
	if (strchr(v + n + 1, '\n') || yl_host_param_parse(p, v + n + 1, &x)) {
		if (p->kind == YL_HP_BOOL)
			return yl_usagef(err, "--host-param %s: '%s': allowed Y or N", p->name,
					 v + n + 1);
		return yl_usagef(err, "--host-param %s: '%s': allowed an integer from %llu to %llu",
				 p->name, v + n + 1, (unsigned long long)p->min,
				 (unsigned long long)p->max);
	}
	if (cfg->nr_params >= YL_MAX_HOST_PARAMS)
		return yl_usagef(err, "--host-param: at most %d allowed", YL_MAX_HOST_PARAMS);
	for (i = 0; i < cfg->nr_params; i++)
		if (cfg->params[i].idx == (unsigned int)idx)
			return yl_usagef(err, "--host-param %s: given twice", p->name);
	cfg->params[cfg->nr_params++] = (struct yl_host_param_set){ .idx = (unsigned int)idx,
								     .val = x };
	return 0;
}
