// SPDX-License-Identifier: GPL-2.0
/*
 * Every small text parser of ours that reads a file another party
 * wrote: crash-safety records and their names, /proc/PID/stat, debugfs
 * sched/features, /proc/self/cgroup and cgroup word lists.
 */
#include <string.h>
#include "vmm/host/cgroup.h"
#include "vmm/host/knobs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char buf[YL_RECORD_MAX], out[256];
	unsigned long long start;
	struct yl_record rec;
	struct yl_err err;
	unsigned int i;
	bool on;
	int pid;

	if (len >= sizeof(buf))
		return 0;
	memcpy(buf, data, len);
	buf[len] = 0;
	yl_record_name_parse(buf, &pid, &start);
	yl_stat_starttime(buf, &start);
	yl_feat_state(buf, "RUN_TO_PARITY", &on);
	yl_cg_self_path(buf, out, sizeof(out));
	yl_cg_has_word(buf, "cpu");
	if (!yl_record_parse(buf, &rec, &err))
		for (i = 0; i < rec.nr_dirs; i++)
			yl_cg_ours(rec.dirs[i]);
	return 0;
}
