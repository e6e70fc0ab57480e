/* SPDX-License-Identifier: GPL-2.0 */
/*
 * yieldlab sim: a discrete-event simulation of an oversubscribed host.
 * The vCPUs are sched/'s tasks, scheduled by the same calls coop mode
 * makes (or, with host semantics, the calls the host kernel's KVM paths
 * make), and the guest is modelled as guest/ behaves: its lock's hand-over
 * order, spinning with a hint or a halt every spin_threshold PAUSEs, kicks
 * and IPIs.  Time is simulated; nothing here reads a clock or touches KVM.
 * Depends on sched/ and include/yieldlab/abi.h's names only.
 */
#ifndef YL_SIM_SIM_H
#define YL_SIM_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <yieldlab/abi.h>
#include "sched/policy.h"
#include "params.h"


struct yl_sim_config {
	unsigned int nr_vms, vcpus;	/* vCPUs per VM */
	unsigned int nr_cpus;
	unsigned int sched;		/* enum yl_sched_mode */
	unsigned int workload;		/* enum yl_workload: lock, ipi, mixed */
	unsigned int lock;		/* enum yl_lock */
	unsigned int pv;		/* enum yl_pv */
	unsigned int yield_to;		/* enum yl_yield_to, resolved */
	uint64_t cs_ns, think_ns, duration_ns;
	uint64_t spin_threshold;	/* PAUSEs; 0: spin_ns decides */
	uint64_t spin_ns;		/* a waiter's budget in time */
	unsigned int ipi_wait;		/* enum yl_ipi_wait */
	unsigned int ipi_yield;		/* enum yl_ipi_yield */
	unsigned int think_mode;	/* enum yl_guest_mode */
	unsigned int ipi_targets, ipi_every;
	const struct yl_policy *policy;	/* coop's; host: forfeit */
	unsigned int target;		/* enum yl_target_kind */
	struct yl_sched_params p;
	const unsigned int *cpu_weight;	/* [nr_vms] cpu.weight; NULL: 100 */
	bool pause_exits;		/* host: PLE as SVM's pause filter */
	uint64_t seed;
	unsigned int dist;		/* enum yl_sim_dist */
	unsigned int placement;		/* enum yl_sim_placement */
	uint64_t cost[YL_COST_NR];
	uint64_t timeline_events;	/* 0: no timeline */
};

/* A vCPU's counts: what run's guest record and coop's account carry. */
struct yl_sim_vstat {
	uint64_t ops, spins, yields, halts, kicks;
	uint64_t lat_sum, lat_max, lat_hist[YL_HIST_BUCKETS];
	uint64_t ipi_rtt_hist[YL_HIST_BUCKETS];	/* sync: send to the last ack */
	uint64_t ipi_ops, ipi_sent, ipi_received, ipi_acked, ipi_yields;
	uint64_t dispatches, preemptions, hints, handoffs, ple_exits;
	uint64_t preempted_user;	/* slice ends in user mode (--think-mode) */
	uint64_t outcomes[YL_OUT_NR];
	uint64_t service_ns;
};

struct yl_sim;

int yl_sim_config_default(struct yl_sim_config *c);
/* NULL with a reason in err (at most errlen bytes) on a bad config. */
struct yl_sim *yl_sim_create(const struct yl_sim_config *c, char *err,
			     size_t errlen);
void yl_sim_destroy(struct yl_sim *s);
/* Runs to the end; 0, or -1 when an invariant failed (yl_sim_failure()). */
int yl_sim_run(struct yl_sim *s);
const char *yl_sim_failure(const struct yl_sim *s);

/* Results, once run. */
const struct yl_sim_config *yl_sim_config_of(const struct yl_sim *s);
const struct yl_sim_vstat *yl_sim_vstat(const struct yl_sim *s, unsigned int t);
uint64_t yl_sim_events(const struct yl_sim *s);
uint64_t yl_sim_idle_ns(const struct yl_sim *s);
uint64_t yl_sim_mutex_counter(const struct yl_sim *s);
uint64_t yl_sim_max_in_cs(const struct yl_sim *s);

/* The scheduler it drove, for its counts (read only). */
const struct yl_sched *yl_sim_sched(const struct yl_sim *s);
/* kvm_vcpu_on_spin()'s counters, summed over every VM's target choice */
void yl_sim_spin_stat(const struct yl_sim *s, uint64_t out[YL_SPIN_NR]);
/* --timeline: the events, as coop's timeline (Chrome trace-event JSON). */
int yl_sim_timeline(const struct yl_sim *s, FILE *f);

#endif
