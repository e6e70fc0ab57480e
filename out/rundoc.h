/* SPDX-License-Identifier: GPL-2.0 */
#ifndef YL_RUNDOC_H
#define YL_RUNDOC_H

/*
 * The run document (docs/schema/run.json), written once for run and sim:
 * its skeleton (one VM at the top level, several under "vms" with a
 * "combined" summary), its config, result, combined and check objects.
 * Each producer fills the structs below from its own counts; what only a
 * real run has (a guest image, KVM's interrupts, capabilities) is marked
 * so, and sim leaves it out rather than writing a made-up value.
 */
#include <stdbool.h>
#include <stdint.h>

struct yj;

/* One --sched-feature: the value set and the one restored after. */
struct yl_doc_feat {
	const char *name;
	bool set, orig;
};

/* --host-param: a bool (Y/N) or a number */
struct yl_doc_param {
	const char *name;
	bool is_bool;
	uint64_t set, orig;
};

struct yl_doc_config {
	const char *sched, *pcpus, *workload, *lock, *pv, *yield_to;
	const char *pause_exits, *ipi_wait, *ipi_yield, *think_mode;
	uint64_t vcpus, nr_pcpus, cs_ns, think_ns, duration_ms;
	uint64_t spin_threshold, spin_us, timeout_s;
	uint64_t ipi_targets, ipi_every, sample_ms;
	bool seccomp;
	/* a run's only (run == true); sim has no image, KVM or host */
	bool run;
	const char *guest, *ipi_via;
	bool halt_poll_given;
	uint64_t halt_poll_ns;
	const struct yl_doc_feat *feats;
	unsigned int nr_feats;
	const struct yl_doc_param *params;
	unsigned int nr_params;
	const char *cgroup_parent;		/* NULL: none */
	const char *caps_at_start, *caps_after_setup;	/* NULL: not known */
};

struct yl_doc_result {
	const char *status, *stopped_by;
	int exit_code;
	bool complete;
	double wall_ms, lock_phase_ms, ops_per_s, ipi_ops_per_s, jain;
	uint64_t ops, ops_min, ops_max, spins, yields, halts, kicks;
	uint64_t ipi_ops, ipi_sent, ipi_received, ipi_acked, ipi_yields;
	uint64_t shared_counter;
	/* what a real guest counts beyond the model (run == true) */
	bool run;
	uint64_t ipi_irqs, ipi_hypercalls;
	bool guest_check_ok;
};

struct yl_doc_combined {
	const char *status;
	int exit_code;
	unsigned int vms;
	uint64_t ops, ipi_ops;
	double ops_per_s, ipi_ops_per_s;
};

/* What a producer writes where the skeleton leaves room for it. */
struct yl_doc_ops {
	const char *command;		/* "run" or "sim" */
	unsigned int nr_vms;
	/* config, host and what else precedes the results */
	void (*head)(struct yj *j, const void *ctx);
	/* one VM's result, warnings, checks, vCPUs ...; alone: the only one */
	void (*vm_body)(struct yj *j, const void *ctx, unsigned int vm, bool alone);
	/* several VMs: the combined summary, then what follows it */
	void (*combined)(const void *ctx, struct yl_doc_combined *out);
	void (*after_combined)(struct yj *j, const void *ctx);
};

void yl_doc_write(struct yj *j, const struct yl_doc_ops *ops, const void *ctx);
void yl_doc_config(struct yj *j, const struct yl_doc_config *c,
		   void (*tail)(struct yj *j, const void *ctx), const void *ctx);
void yl_doc_result(struct yj *j, const struct yl_doc_result *r);
void yl_doc_check(struct yj *j, const char *key, int state, const char *detail);

#endif
