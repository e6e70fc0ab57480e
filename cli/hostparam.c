// SPDX-License-Identifier: GPL-2.0
/* hostparam.h: --host-param's parser. */
#include <string.h>
#include "config.h"
#include "hostparam.h"
#include "lib/util.h"

/* NAME=VALUE, NAME one of lib/hostparam.c's table and VALUE within its bounds. */
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
	if (strchr(v + n + 1, '\n') ||
	    yl_host_param_parse(p->kind, p->min, p->max, v + n + 1, &x)) {
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
