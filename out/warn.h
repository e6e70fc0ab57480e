/* SPDX-License-Identifier: GPL-2.0 */
#ifndef YL_WARN_H
#define YL_WARN_H

/*
 * A run that completed but compared nothing: a policy that got no hint,
 * a paravirt option never used, a phase far longer than asked, threads
 * starved by another tenant, a benchmark whose spread drowns its ratio.
 * Each is a line under the status and an entry of the JSON's warnings[].
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct yj;

enum yl_warn_id {
	YL_WARN_NO_HINTS,	/* coop: the policy received no hint */
	YL_WARN_PV_UNUSED,	/* --pv yield|halt: no yield or halt made */
	YL_WARN_OVERRUN,	/* the phase overran --duration by > 50 % */
	YL_WARN_STARVED,	/* vCPU threads got far less than their pCPUs */
	YL_WARN_SPREAD,		/* a benchmark's spread makes its ratio moot */
	YL_WARN_SLOW_MOVES,	/* coop: vCPUs changed thread, RCU not expedited */
	YL_WARN_NO_CREDIT,	/* lag-credit honoured hints but credited nothing */
	YL_WARN_NR
};

#define YL_WARN_MAX	8

struct yl_warnings {
	unsigned int n;
	struct {
		enum yl_warn_id id;
		char text[256];
	} w[YL_WARN_MAX];
};

__attribute__((format(printf, 3, 4)))
void yl_warn(struct yl_warnings *w, enum yl_warn_id id, const char *fmt, ...);
const char *yl_warn_name(enum yl_warn_id id);
void yl_warnings_print(const struct yl_warnings *w, const char *prefix, FILE *f);
void yl_warnings_json(const struct yl_warnings *w, struct yj *j);

void yl_warn_hints(struct yl_warnings *w, const char *policy, bool pv_yield,
		   uint64_t hints, uint64_t acted);
void yl_warn_pv(struct yl_warnings *w, unsigned int pv, uint64_t yields,
		uint64_t halts);
void yl_warn_credit(struct yl_warnings *w, const char *policy, uint64_t honoured,
		    uint64_t credits);
void yl_warn_overrun(struct yl_warnings *w, double phase_ms, uint64_t duration_ms);
void yl_warn_starved(struct yl_warnings *w, uint64_t run_ns, uint64_t wait_ns,
		     uint64_t capacity_ns);
bool yl_warn_compared_nothing(const struct yl_warnings *w, const char **id);
int yl_warn_strict(const struct yl_warnings *w, bool strict, int code);
void yl_warn_spread(struct yl_warnings *w, const char *what, double lo,
		    double mid, double hi, double limit);

#endif
