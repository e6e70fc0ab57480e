/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VM as the report and the exit decoder see it, with no KVM behind it:
 * guest memory, vCPU records and a kvm_run page that a fuzzer fills.
 */
#ifndef YL_FUZZ_VM_H
#define YL_FUZZ_VM_H

#include <stdlib.h>
#include <string.h>
#include <yieldlab/abi.h>
#include "cli/cli.h"
#include "vmm/vm.h"

#define FUZZ_RUN_SIZE	4096

struct fuzz_vm {
	struct yl_config cfg;
	struct yl_kvm kvm;
	struct yl_vm vm;
	struct yl_vcpu vcpus[8];
	uint8_t run[8][FUZZ_RUN_SIZE];
};

static inline struct fuzz_vm *fuzz_vm_new(unsigned int nr_vcpus)
{
	static char *argv[] = { "yieldlab", "run", NULL };
	struct fuzz_vm *f = calloc(1, sizeof(*f));
	struct yl_err err;
	unsigned int i;

	if (!f || yl_cli_parse(&f->cfg, 2, argv, &err))
		abort();
	f->kvm.fd = -1;
	f->kvm.run_size = FUZZ_RUN_SIZE;
	f->vm.kvm = &f->kvm;
	f->vm.cfg = &f->cfg;
	f->vm.fd = -1;
	f->vm.mem = calloc(1, YL_MEM_SIZE);
	f->vm.nr_vcpus = nr_vcpus;
	f->vm.vcpus = f->vcpus;
	f->vm.tsc_khz = 2000000;
	f->vm.stats_fd = -1;
	f->vm.done_efd = -1;
	if (!f->vm.mem)
		abort();
	for (i = 0; i < nr_vcpus; i++) {
		f->vcpus[i].vm = &f->vm;
		f->vcpus[i].idx = i;
		f->vcpus[i].fd = -1;
		f->vcpus[i].stats_fd = -1;
		f->vcpus[i].run = (struct kvm_run *)f->run[i];
	}
	return f;
}

static inline void fuzz_vm_free(struct fuzz_vm *f)
{
	free(f->vm.mem);
	free(f);
}

#endif
