// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include "json.h"
#include "util.h"
#include "warn.h"

static const char *const names[YL_WARN_NR] = {
	[YL_WARN_NO_HINTS] = "no_hints",
	[YL_WARN_PV_UNUSED] = "pv_unused",
	[YL_WARN_OVERRUN] = "phase_overrun",
	[YL_WARN_STARVED] = "starved",
	[YL_WARN_SPREAD] = "bench_spread",
};

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

void yl_warnings_print(const struct yl_warnings *w, FILE *f)
{
	unsigned int k;

	for (k = 0; k < w->n; k++)
		fprintf(f, "warning: %s\n", w->w[k].text);
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
