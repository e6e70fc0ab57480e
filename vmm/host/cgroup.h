/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroup v2 placement of a run (--cgroup PARENT, --cpu-weight).
 *
 * The VMs of one run are threads of one process, and cgroup v2 puts the
 * threads of one process in different cgroups only inside a threaded
 * subtree.  So the run makes PARENT/yieldlab.PID, moves the process there
 * (it becomes the threaded domain), and gives each VM a threaded child
 * vmK holding that VM's vCPU threads, with the cpu controller enabled
 * and vmK's cpu.weight set.  At the end the process moves back to the
 * cgroup it came from and every directory made is removed.
 */
#ifndef YL_CGROUP_H
#define YL_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "cli/cli.h"

#define YL_CG_PATH	384

struct yl_cgroup {
	bool on;
	char mount[YL_CG_PATH];		/* the cgroup2 mount */
	char parent[YL_CG_PATH];	/* --cgroup, resolved */
	char run[YL_CG_PATH];		/* parent/yieldlab.PID */
	char orig[YL_CG_PATH];		/* our cgroup at start */
	char common[YL_CG_PATH];	/* common ancestor of orig and run */
	unsigned int nr_vms;
	unsigned int weight[YL_MAX_VMS];
	unsigned int made;		/* directories made: run, vm0, ... */
	bool moved;			/* the process is in run */
};

int yl_cg_resolve(struct yl_cgroup *cg, const struct yl_config *cfg,
		  struct yl_err *err);
int yl_cg_check(const struct yl_cgroup *cg, struct yl_err *err);
int yl_cg_find_mount(char *buf, size_t len);
int yl_cg_cpu_offered(const char *mount, const char *controllers, struct yl_err *err);
void yl_cg_vm_path(const struct yl_cgroup *cg, unsigned int vm, char *buf,
		   size_t len);
int yl_cg_create(struct yl_cgroup *cg, struct yl_err *err);
int yl_cg_place(const struct yl_cgroup *cg, unsigned int vm, pid_t tid,
		struct yl_err *err);
int yl_cg_usage_us(const struct yl_cgroup *cg, unsigned int vm,
		   uint64_t *usec);
int yl_cg_remove(struct yl_cgroup *cg, FILE *log);
int yl_cg_replay_rmdir(const char *path);

/* Parsing helpers, exposed for the unit tests. */
int yl_cg_self_path(const char *proc_cgroup, char *buf, size_t len);
int yl_cg_has_word(const char *list, const char *word);
int yl_cg_common(const char *a, const char *b, char *buf, size_t len);
bool yl_cg_ours(const char *path);

#endif
