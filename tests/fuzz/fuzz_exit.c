// SPDX-License-Identifier: GPL-2.0
/*
 * The exit decoder (vcpu.c): a kvm_run page and the guest's own record
 * (panic message, fault frame) as a hostile guest could leave them.
 * Input: up to FUZZ_RUN_SIZE bytes of kvm_run, then the vCPU's record.
 */
#include <stdio.h>
#include "fuzz_vm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct fuzz_vm *f;
	size_t n = len < FUZZ_RUN_SIZE ? len : FUZZ_RUN_SIZE, rest = len - n;
	struct yl_vcpu *v;

	if (!f)
		f = fuzz_vm_new(2);	/* console lines: rate-limited on stderr */
	v = &f->vcpus[0];
	memset(f->run[0], 0, FUZZ_RUN_SIZE);
	memcpy(f->run[0], data, n);
	if (rest > sizeof(struct yl_vcpu_result))
		rest = sizeof(struct yl_vcpu_result);
	memcpy(f->vm.mem + YL_VCPU_RESULT_GPA(0), data + n, rest);
	v->end = YL_END_NONE;
	v->detail[0] = 0;
	v->bench_left = f->run[0][FUZZ_RUN_SIZE - 1];
	yl_vcpu_dispatch(v);
	f->vm.stop = 0;
	return 0;
}
