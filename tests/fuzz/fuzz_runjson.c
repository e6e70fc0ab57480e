// SPDX-License-Identifier: GPL-2.0
/*
 * compare's reader of run JSON: merge feeds it files from other machines,
 * so any bytes must give metrics or a refusal, never a crash.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include "compare/results.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct yl_run_rec r;
	unsigned int m;

	yl_run_rec_init(&r);
	if (yl_parse_run_json(&r, (const char *)data, len))
		return 0;
	for (m = 0; m < YL_M_NR; m++)	/* every value read, as a report would */
		if (r.v[m] > 0 && isinf(r.v[m]))
			r.v[m] = 0;
	if (r.nr_warn > YL_RUN_MAX_WARN)
		abort();
	return 0;
}
