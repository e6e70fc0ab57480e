/* SPDX-License-Identifier: GPL-2.0 */
/* sched/'s state as JSON (and its credit as text), as coop's report and sim's write it. */
#ifndef YL_SCHEDJSON_H
#define YL_SCHEDJSON_H

#include <stdio.h>
#include "json.h"
#include "sched/sched.h"

void yl_json_sched(struct yj *j, const struct yl_sched *s, const char *policy,
		   const char *target, unsigned int nr_vms);
void yl_json_credit(struct yj *j, const struct yl_sched *s);
void yl_print_credit(FILE *f, const struct yl_sched *s);
void yl_json_spin(struct yj *j, const uint64_t *stat);
void yl_print_spin(FILE *f, const uint64_t *stat);

#endif
