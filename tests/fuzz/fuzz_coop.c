// SPDX-License-Identifier: GPL-2.0
/*
 * coop's paravirt ports as a hostile guest drives them: spin hints with
 * any target, halts, kicks, IPIs whose destination set the guest writes
 * into its IPI page, and slice ends.  Only a vCPU that owns a CPU makes a
 * call, as on real vCPUs; the scheduler is stopping, so no call waits for
 * a thread that does not exist.  Input: byte 0 the vCPU count (2-8),
 * then 4-byte records: op and CPU, then the argument's two low bytes; a
 * record with op 3 (IPI) takes the next 32 bytes as the IPI page.  No
 * executor thread exists: the calls are made as the thread of the vCPU's
 * CPU would make them.
 */
#include <stdio.h>
#include "vmm/coop/coop.h"
#include "fuzz_vm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static void one(struct yl_coop *c, struct fuzz_vm *f, const uint8_t *r,
		const uint8_t **page, const uint8_t *end)
{
	int me = c->cpu[(r[0] >> 4) % c->nr_cpus].curr;
	uint32_t arg = r[2] | (uint32_t)r[3] << 8 | (uint32_t)r[1] << 16;
	struct yl_vcpu *v;

	if (me < 0)
		return;
	v = &f->vcpus[me];
	switch (r[0] & 7) {
	case 0:
		yl_coop_spin(c, v, arg);
		break;
	case 1:
		yl_coop_halt(c, v);
		break;
	case 2:
		yl_coop_kick(c, v, arg & 0xff);
		break;
	case 3:
		if (*page + 8 * YL_COOP_IPI_WORDS <= end) {
			memcpy(f->vm.mem + YL_COOP_IPI_SET_GPA(me), *page,
			       8 * YL_COOP_IPI_WORDS);
			*page += 8 * YL_COOP_IPI_WORDS;
		}
		yl_coop_ipi(c, v, arg & 0x1ff);
		break;
	default:
		yl_coop_intr(c, v);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static char *argv[] = { "yieldlab", "run", "--sched", "coop", "--pcpus",
				"0-1", "--policy", "lag-credit", NULL };
	const uint8_t *p = data + 1, *end = data + len;
	static struct fuzz_vm *f;
	struct yl_coop c;
	struct yl_err err;
	unsigned int n = 0;

	if (len < 1)
		return 0;
	if (!f) {
		f = fuzz_vm_new(8);
		if (yl_cli_parse(&f->cfg, 8, argv, &err))
			abort();
	}
	f->vm.nr_vcpus = 2 + data[0] % 7;
	memset(f->vm.mem + YL_COOP_PREEMPTED_GPA, 0, YL_RESULTS_GPA - YL_COOP_PREEMPTED_GPA);
	f->cfg.target = data[0] >> 4 & 1 ? 1 : 0;
	if (yl_coop_create(&c, &f->vm, 1, &err))
		abort();
	f->vm.coop = &c;
	f->vm.coop_calls = &yl_coop_calls;
	yl_coop_begin(&c);
	yl_coop_stop(&c);
	while (p + 4 <= end && n++ < 256) {
		const uint8_t *rec = p;

		p += 4;
		one(&c, f, rec, &p, end);
	}
	yl_coop_destroy(&c);
	return 0;
}
