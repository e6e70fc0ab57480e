// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <yieldlab/abi.h>
#include "json.h"
#include "lib/util.h"
#include "warn.h"

static const char *const names[YL_WARN_NR] = {
	[YL_WARN_NO_HINTS] = "no_hints",
	[YL_WARN_PV_UNUSED] = "pv_unused",
	[YL_WARN_OVERRUN] = "phase_overrun",
	[YL_WARN_STARVED] = "starved",
	[YL_WARN_SPREAD] = "bench_spread",
	[YL_WARN_SLOW_MOVES] = "slow_vcpu_moves",
	[YL_WARN_NO_CREDIT] = "no_credit",
};

/*
 * The warnings that say a run compared nothing: the policy or the
 * paravirt option it was run for never acted.  The others qualify
 * numbers that were still measured.
 */
bool yl_warn_compared_nothing(const struct yl_warnings *w, const char **id)
{
	unsigned int k;

	for (k = 0; k < w->n; k++)
		if (w->w[k].id == YL_WARN_NO_HINTS || w->w[k].id == YL_WARN_PV_UNUSED ||
		    w->w[k].id == YL_WARN_NO_CREDIT) {
			*id = names[w->w[k].id];
			return true;
		}
	return false;
}

/* --strict: an ok run (VM) that compared nothing exits 7; said once. */
int yl_warn_strict(const struct yl_warnings *w, bool strict, int code)
{
	const char *id;

	if (!strict || code != YL_EXIT_OK || !yl_warn_compared_nothing(w, &id))
		return code;
	fprintf(stderr, "yieldlab: --strict: the run compared nothing (warning %s): exit %d\n",
		id, YL_EXIT_NOTHING);
	return YL_EXIT_NOTHING;
}

const char *yl_warn_name(enum yl_warn_id id)
{
	return id < YL_WARN_NR ? names[id] : "?";
}

void yl_warn(struct yl_warnings *w, enum yl_warn_id id, const char *fmt, ...)
{
	va_list ap;

	if (w->n >= YL_WARN_MAX)
		return;
	w->w[w->n].id = id;
	va_start(ap, fmt);
	vsnprintf(w->w[w->n].text, sizeof(w->w[w->n].text), fmt, ap);
	va_end(ap);
	w->n++;
}

void yl_warnings_print(const struct yl_warnings *w, const char *prefix, FILE *f)
{
	unsigned int k;

	for (k = 0; k < w->n; k++)
		fprintf(f, "%swarning: %s\n", prefix, w->w[k].text);
}

void yl_warnings_json(const struct yl_warnings *w, struct yj *j)
{
	unsigned int k;

	yj_arr(j, "warnings");
	for (k = 0; k < w->n; k++) {
		yj_obj(j, NULL);
		yj_str(j, "id", yl_warn_name(w->w[k].id));
		yj_str(j, "text", w->w[k].text);
		yj_obj_end(j);
	}
	yj_arr_end(j);
}

/*
 * The decisions, each a pure function of the run's numbers so that the
 * unit tests can hold them to their thresholds.
 */

/* A coop policy that never acted compared nothing with --policy none. */
void yl_warn_hints(struct yl_warnings *w, const char *policy, bool pv_yield,
		   uint64_t hints, uint64_t acted)
{
	if (!strcmp(policy, "none"))
		return;
	if (!hints)
		yl_warn(w, YL_WARN_NO_HINTS, "--policy %s received no spin hint: %s",
			policy, pv_yield ? "no waiter spent its spin budget (try a smaller --spin-us)" :
			"the guest sends hints only with --pv yield");
	else if (!acted)
		yl_warn(w, YL_WARN_NO_HINTS, "--policy %s acted on none of its %" PRIu64
			" hints (see hint outcomes): the run compared nothing", policy, hints);
}

/* --pv yield|halt that never yielded or halted ran as --pv none. */
void yl_warn_pv(struct yl_warnings *w, unsigned int pv, uint64_t yields,
		uint64_t halts)
{
	if (pv == YL_PV_YIELD && !yields)
		yl_warn(w, YL_WARN_PV_UNUSED, "--pv yield: no waiter yielded, so this ran as --pv none (waiters yield when their spin budget is spent, --spin-us, and in host mode only to a holder the steal-time record shows preempted)");
	if (pv == YL_PV_HALT && !halts)
		yl_warn(w, YL_WARN_PV_UNUSED, "--pv halt: no waiter halted, so this ran as --pv none (waiters halt when their spin budget is spent, --spin-us)");
}

/*
 * lag-credit that honoured hints but never credited lag did exactly what
 * forfeit does: every target (and its groups) was already eligible.
 */
void yl_warn_credit(struct yl_warnings *w, const char *policy, uint64_t honoured,
		    uint64_t credits)
{
	if (!strcmp(policy, "lag-credit") && honoured && !credits)
		yl_warn(w, YL_WARN_NO_CREDIT, "--policy lag-credit credited no lag in %" PRIu64
			" honoured yields: every target was eligible, so this ran as forfeit",
			honoured);
}

/* Rates over a phase much longer than asked are from another experiment. */
void yl_warn_overrun(struct yl_warnings *w, double phase_ms, uint64_t duration_ms)
{
	if (phase_ms > 1.5 * (double)duration_ms)
		yl_warn(w, YL_WARN_OVERRUN, "the measured phase took %.1f ms for --duration %" PRIu64
			" ms (+%.0f %%): vCPUs waited that long for a pCPU to see the end",
			phase_ms, duration_ms, (phase_ms / (double)duration_ms - 1) * 100);
}

/*
 * vCPU threads that were runnable but ran less than half their pCPUs'
 * time lost it to another tenant; halted vCPUs are not runnable, so a
 * --pv halt run that idles does not count.
 */
void yl_warn_starved(struct yl_warnings *w, uint64_t run_ns, uint64_t wait_ns,
		     uint64_t capacity_ns)
{
	if (!capacity_ns || 2 * run_ns >= capacity_ns || wait_ns <= run_ns)
		return;
	yl_warn(w, YL_WARN_STARVED, "the vCPU threads ran %.0f %% of their pCPUs' time while waiting %.0f %% of it: another tenant took the rest",
		100.0 * (double)run_ns / (double)capacity_ns,
		100.0 * (double)wait_ns / (double)capacity_ns);
}

/* A benchmark ratio whose repetitions spread wider than @limit of it. */
void yl_warn_spread(struct yl_warnings *w, const char *what, double lo,
		    double mid, double hi, double limit)
{
	if (mid > 0 && (hi - lo) / mid > limit)
		yl_warn(w, YL_WARN_SPREAD, "%s spread %.3g..%.3g around its median %.3g (more than %.0f %%): the host is too noisy for this ratio",
			what, lo, hi, mid, limit * 100);
}
