// SPDX-License-Identifier: GPL-2.0
/*
 * The report built from a guest's results page: the summary and every
 * vCPU's record are the guest's to write.  Input: byte 0 the vCPU count
 * (1-8), byte 1 the workload, the rest the results area.
 */
#include <stdio.h>
#include "fuzz_vm.h"
#include "vmm/report/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static FILE *null;
	static struct fuzz_vm *f;
	size_t area = YL_VCPU_RESULT_GPA(8) - YL_RESULTS_GPA, n;
	struct yl_report r;

	if (len < 2)
		return 0;
	if (!f) {
		null = fopen("/dev/null", "w");
		f = fuzz_vm_new(8);
	}
	f->vm.nr_vcpus = 1 + data[0] % 8;
	f->cfg.workload = data[1] % YL_WL_NR;
	n = len - 2 < area ? len - 2 : area;
	memset(f->vm.mem + YL_RESULTS_GPA, 0, area);
	memcpy(f->vm.mem + YL_RESULTS_GPA, data + 2, n);
	f->vcpus[0].end = data[0] & 0x80 ? YL_END_DONE : YL_END_STOPPED;
	if (!yl_report_build(&r, &f->vm, (enum yl_run_stop)(data[1] >> 6 & 3), 2,
			     123456789)) {
		yl_reports_warn_starved(&r, 1);
		yl_reports_print(&r, 1, null);
		yl_report_errors(&r, null);
		yl_reports_json(&r, 1, NULL, null);
		yl_report_free(&r);
	}
	return 0;
}
