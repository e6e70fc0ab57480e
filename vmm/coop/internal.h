/* SPDX-License-Identifier: GPL-2.0 */
/* What the executor (coop.c) and the guest's calls (calls.c) share. */
#ifndef YL_COOP_INTERNAL_H
#define YL_COOP_INTERNAL_H

#include <yieldlab/abi.h>
#include "coop.h"
#include "vmm/vm.h"

static inline uint64_t now_ns(const struct yl_coop *c)
{
	return yl_now_ns() - c->t0;
}

static inline unsigned int cpu_of(const struct yl_coop *c, unsigned int t)
{
	return c->s->tasks[t].cpu;
}

static inline bool runnable(const struct yl_coop *c, unsigned int t)
{
	return c->s->tasks[t].state == YL_TASK_RUNNABLE;
}

static inline struct yl_vm *vm_of(const struct yl_coop *c, unsigned int t)
{
	return c->v[t].vcpu->vm;
}

/* The guest's page of preempted bytes (abi.h), in the task's own VM. */
static inline volatile uint8_t *preempted(const struct yl_coop *c, unsigned int t)
{
	return vm_of(c, t)->mem + YL_COOP_PREEMPTED_GPA + c->v[t].vcpu->idx;
}

/* --think-mode user: the guest's byte, 1 while the task thinks (abi.h). */
static inline volatile uint8_t *coop_user(const struct yl_coop *c, unsigned int t)
{
	return vm_of(c, t)->mem + YL_COOP_USER_GPA + c->v[t].vcpu->idx;
}

static inline bool vm_stopped(const struct yl_coop *c, unsigned int t)
{
	return __atomic_load_n(&vm_of(c, t)->stop, __ATOMIC_ACQUIRE);
}

void coop_tl_add(struct yl_coop *c, enum yl_tl_kind kind, unsigned int cpu,
		 unsigned int t, int32_t arg, int64_t val, uint64_t ts, uint64_t dur);
bool coop_target_eligible(struct yl_coop *c, unsigned int t, uint64_t now);
void coop_reschedule(struct yl_coop *c, struct yl_coop_cpu *pc, bool slice_end);
void coop_resched_others(struct yl_coop *c, int mine);
void coop_carry_out(struct yl_coop *c, struct yl_coop_cpu *pc);

#endif
