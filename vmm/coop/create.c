// SPDX-License-Identifier: GPL-2.0
/*
 * Coop mode's executor, made and unmade: its CPUs from --pcpus, its
 * sched/ scheduler with one group per VM, its target choices and its
 * timeline.  Nothing here runs a vCPU (coop.c does).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "coop.h"
#include "internal.h"
#include "vmm/vm.h"

static int parse_pcpus(struct yl_coop *c, const cpu_set_t *set,
		       struct yl_err *err)
{
	int cpu;

	c->nr_cpus = 0;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, set) && c->nr_cpus < YL_MAX_VCPUS)
			c->nr_cpus++;
	if (!c->nr_cpus)
		return yl_errf(err, "--sched coop: no physical CPU in --pcpus");
	c->cpu = calloc(c->nr_cpus, sizeof(*c->cpu));
	if (!c->cpu)
		return yl_errf(err, "out of memory");
	c->nr_cpus = 0;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, set) && c->nr_cpus < YL_MAX_VCPUS)
			c->cpu[c->nr_cpus++].host_cpu = cpu;
	return 0;
}

/*
 * cpu.weight to a group's shares, as sched_weight_from_cgroup() does
 * (kernel/sched/sched.h): weight 100 is NICE_0_LOAD, 1024.
 */
static uint64_t shares_of(unsigned int weight)
{
	return ((uint64_t)weight * 1024 + 50) / 100;
}

/* One scheduler for every VM: a group per VM when there are several. */
static int make_sched(struct yl_coop *c, struct yl_err *err)
{
	const struct yl_config *cfg = c->cfg;
	unsigned int *task_cpu = calloc(c->nr, sizeof(*task_cpu));
	int *task_group = calloc(c->nr, sizeof(*task_group));
	struct yl_sched_params p;
	unsigned int t, k;
	int r = 0;

	if (yl_cfg_sched_params(cfg, c->nr_cpus, &p))
		r = yl_errf(err, "--preset %s: unknown", cfg->preset);
	else if (!task_cpu || !task_group)
		r = yl_errf(err, "out of memory");
	if (r)
		goto out;
	for (t = 0; t < c->nr; t++) {
		task_cpu[t] = t % c->nr_cpus;
		task_group[t] = c->nr_vms > 1 ? (int)(t / c->per_vm) : -1;
	}
	c->s = yl_sched_create(&p, c->nr_cpus, c->nr, c->nr_vms > 1 ? c->nr_vms : 0,
			       task_cpu, task_group, NULL);
	if (!c->s) {
		r = yl_errf(err, "out of memory");
		goto out;
	}
	for (k = 0; c->nr_vms > 1 && k < c->nr_vms; k++)
		if (yl_vm_cpu_weight(cfg, k))
			yl_sched_set_group_shares(c->s, k,
						  shares_of(yl_vm_cpu_weight(cfg, k)));
out:
	free(task_cpu);
	free(task_group);
	return r;
}

static int make_targets(struct yl_coop *c, struct yl_err *err)
{
	unsigned int k;

	c->tgt = calloc(c->nr_vms, sizeof(*c->tgt));
	if (!c->tgt)
		return yl_errf(err, "out of memory");
	for (k = 0; k < c->nr_vms; k++)
		if (yl_target_init_vm(&c->tgt[k], c->cfg->target, k * c->per_vm,
				      c->per_vm))
			return yl_errf(err, "out of memory");
	return 0;
}

static int make_timeline(struct yl_coop *c, struct yl_err *err)
{
	if (!c->cfg->timeline_path)
		return 0;
	c->tl = calloc(1, sizeof(*c->tl));
	if (!c->tl || yl_tl_init(c->tl, c->cfg->timeline_events))
		return yl_errf(err, "--timeline: %llu events do not fit in memory",
			       (unsigned long long)c->cfg->timeline_events);
	return 0;
}

int yl_coop_create(struct yl_coop *c, struct yl_vm *vms, unsigned int nr_vms,
		   struct yl_err *err)
{
	unsigned int t, i;

	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	c->cfg = vms[0].cfg;
	c->vms = vms;
	c->nr_vms = nr_vms;
	c->per_vm = vms[0].nr_vcpus;
	c->nr = c->left = nr_vms * c->per_vm;
	c->pol = c->cfg->policy;
	if (parse_pcpus(c, &c->cfg->pcpus, err) || make_sched(c, err) ||
	    make_targets(c, err) || make_timeline(c, err))
		return -1;
	c->v = calloc(c->nr, sizeof(*c->v));
	if (!c->v)
		return yl_errf(err, "out of memory");
	for (t = 0; t < c->nr; t++) {
		struct yl_vcpu *v = &vms[t / c->per_vm].vcpus[t % c->per_vm];

		c->v[t].vcpu = v;
		c->v[t].vm = t / c->per_vm;
		c->v[t].last_thread = -1;
		v->task = t;
	}
	for (i = 0; i < c->nr_cpus; i++) {
		c->cpu[i].c = c;
		c->cpu[i].idx = i;
		c->cpu[i].curr = c->cpu[i].last_task = -1;
		c->watch[i] = -1;
	}
	return 0;
}

void yl_coop_destroy(struct yl_coop *c)
{
	unsigned int k, i;

	for (i = 0; c->cpu && i < c->nr_cpus; i++)
		if (c->cpu[i].has_timer)
			timer_delete(c->cpu[i].timer);
	if (c->s)
		yl_sched_destroy(c->s);
	for (k = 0; c->tgt && k < c->nr_vms; k++)
		yl_target_free(&c->tgt[k]);
	if (c->tl)
		yl_tl_free(c->tl);
	free(c->tl);
	free(c->tgt);
	free(c->v);
	free(c->cpu);
	c->tl = NULL;
	c->tgt = NULL;
	c->v = NULL;
	c->cpu = NULL;
	c->s = NULL;
}
