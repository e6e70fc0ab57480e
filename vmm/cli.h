/* SPDX-License-Identifier: GPL-2.0 */
#ifndef YL_CLI_H
#define YL_CLI_H

#include <sched.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include "util.h"

struct yl_privs;

/* What `bench handoff` takes from a coop run before it is torn down. */
struct yl_handoff_out {
	uint64_t n, sum_ns, p50_ns;
	uint64_t phase_n, phase_sum_ns[3];	/* coop.h's YL_HANDOFF_PHASES */
};

enum yl_cmd {
	YL_CMD_RUN,
	YL_CMD_CAPS,
	YL_CMD_BENCH_EXITS,
	YL_CMD_BENCH_HANDOFF,
	YL_CMD_HELP,
};

/* Defaults: 4 vCPUs on one pCPU, so the default run shows contention. */
#define YL_DEF_VCPUS		4
#define YL_DEF_CS_NS		1000
#define YL_DEF_THINK_NS		2000
#define YL_DEF_DURATION_MS	1000
#define YL_DEF_SPIN_THRESHOLD	4096
#define YL_DEF_TIMEOUT_SLACK_S	60

/* Parsed up to here; KVM's and the guest's limits are checked later. */
#define YL_VCPUS_PARSE_MAX	1000000u
#define YL_MAX_NS		1000000000ull	/* cs/think: at most 1 s */
#define YL_MAX_DURATION_MS	3600000ull	/* one hour */
#define YL_MAX_TIMEOUT_S	86400ull
#define YL_MAX_SPIN_THRESHOLD	(1ull << 31)
#define YL_MAX_BENCH_EXITS	10000000ull
#define YL_MAX_SCHED_FEATS	16
#define YL_SCHED_FEAT_LEN	64
#define YL_MAX_HALT_POLL_NS	1000000000ull	/* 1 s */
#define YL_MAX_VMS		16
#define YL_MAX_IPI_EVERY	1000000u
#define YL_MIN_CPU_WEIGHT	1u	/* cgroup v2 cpu.weight's range */
#define YL_MAX_CPU_WEIGHT	10000u
#define YL_MAX_SAMPLE_MS	60000ull

/* --pause-exits: leave KVM's default, or force PAUSE exits on/off. */
enum yl_pause_exits {
	YL_PAUSE_EXITS_DEFAULT,
	YL_PAUSE_EXITS_ON,
	YL_PAUSE_EXITS_OFF,
};

/* --sched-feature [NO_]NAME */
struct yl_sched_feat {
	char name[YL_SCHED_FEAT_LEN];	/* without NO_ */
	bool on;
	bool orig;			/* the host's value, read before the run */
};

struct yl_config {
	enum yl_cmd cmd;
	unsigned int nr_vcpus;		/* per VM */
	unsigned int nr_vms;		/* --vms: guests sharing the pCPUs */
	cpu_set_t pcpus;
	bool pcpus_given;
	unsigned int workload;		/* enum yl_workload */
	unsigned int lock;		/* enum yl_lock */
	unsigned int pv;		/* enum yl_pv */
	uint64_t cs_ns;
	uint64_t think_ns;
	uint64_t duration_ms;
	uint64_t spin_threshold;
	uint64_t timeout_s;		/* 0: duration + slack */
	uint64_t bench_exits;
	const char *json_path;
	const char *guest_path;
	bool quiet;
	enum yl_pause_exits pause_exits;
	bool no_exit_tp;		/* --exit-tracepoint off */
	bool no_seccomp;		/* --seccomp off */
	unsigned int seccomp_probe;	/* --seccomp-probe KIND, else YL_THREAD_KINDS */
	bool halt_poll_given;
	uint64_t halt_poll_ns;
	unsigned int ipi_via;		/* enum yl_ipi_via */
	bool ipi_via_given;
	unsigned int ipi_wait;		/* enum yl_ipi_wait */
	unsigned int ipi_targets;
	unsigned int ipi_every;		/* mixed: lock ops per IPI op */
	const char *ipi_opt;		/* an --ipi-* option given, for errors */
	unsigned int nr_feats;
	struct yl_sched_feat feats[YL_MAX_SCHED_FEATS];
	uint64_t sample_ms;		/* --sample-ms, 0: no sampling */
	unsigned int sched;		/* enum yl_sched_mode */
	unsigned int policy;		/* --policy: yl_policy_at() index */
	unsigned int target;		/* --target: enum yl_target_kind */
	const char *preset;		/* --preset: sched/ parameters */
	unsigned int hz;		/* --hz: coop's tick, 0: the preset's */
	const char *coop_opt;		/* a coop-only option given, for errors */
	const char *cgroup_parent;	/* --cgroup */
	unsigned int nr_weights;	/* --cpu-weight: 0, 1 or nr_vms */
	unsigned int cpu_weight[YL_MAX_VMS];
	const struct yl_privs *privs;	/* set by yl_cmd_run, for the report */
	struct yl_handoff_out *handoff_out; /* bench handoff: coop's hand-offs */
};

int yl_cli_parse(struct yl_config *cfg, int argc, char **argv,
		 struct yl_err *err);
int yl_cli_check_host(struct yl_config *cfg, const cpu_set_t *allowed,
		      struct yl_err *err);
int yl_cli_check_kvm(const struct yl_config *cfg, unsigned int kvm_max_vcpus,
		     struct yl_err *err);
int yl_parse_cpulist(const char *s, cpu_set_t *set, struct yl_err *err);
void yl_format_cpulist(const cpu_set_t *set, char *buf, size_t len);
uint64_t yl_effective_timeout_s(const struct yl_config *cfg);
void yl_usage(FILE *f);

const char *yl_lock_name(unsigned int lock);
const char *yl_pv_name(unsigned int pv);
const char *yl_workload_name(unsigned int wl);
const char *yl_ipi_via_name(unsigned int via);
const char *yl_ipi_wait_name(unsigned int wait);
const char *yl_sched_mode_name(unsigned int mode);
const char *yl_ipi_path_name(const struct yl_config *cfg);

#endif
