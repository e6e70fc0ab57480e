/* SPDX-License-Identifier: GPL-2.0 */
#ifndef YL_CONFIG_H
#define YL_CONFIG_H

/*
 * What a run was asked to do: filled by cli.c from its option table and
 * read, never written, by everything after.  Results go elsewhere (run.h's
 * struct yl_run_result).
 */
#include <sched.h>
#include <stdint.h>
#include <stdbool.h>
#include <yieldlab/abi.h>
#include "sched/policy.h"
#include "sim/params.h"
#include "hostparam.h"

struct yl_policy;

enum yl_cmd {
	YL_CMD_RUN,
	YL_CMD_CAPS,
	YL_CMD_BENCH_EXITS,
	YL_CMD_BENCH_HANDOFF,
	YL_CMD_COMPARE,
	YL_CMD_MERGE,
	YL_CMD_SIM,
	YL_CMD_HELP,
	YL_CMD_VERSION,
	YL_CMD_NR
};

/* The kinds of thread a run confines (vmm/host/sandbox.c); --seccomp-probe names one. */
enum yl_thread_kind {
	YL_THREAD_MAIN,		/* waits, restores the host, reports */
	YL_THREAD_VCPU,		/* KVM_RUN and the exits it handles */
	YL_THREAD_SAMPLER,	/* --sample-ms: io_uring reads */
	YL_THREAD_KINDS,
};

/* Every option, in the order of cli.c's table; cfg->given has a bit each. */
enum yl_opt_id {
	YL_O_VCPUS, YL_O_VMS, YL_O_PCPUS, YL_O_WORKLOAD, YL_O_LOCK, YL_O_PV,
	YL_O_YIELD_TO, YL_O_CS, YL_O_THINK, YL_O_THINK_MODE, YL_O_DURATION, YL_O_SPIN_US, YL_O_SPIN_THRESHOLD,
	YL_O_IPI_VIA, YL_O_IPI_WAIT, YL_O_IPI_TARGETS, YL_O_IPI_EVERY, YL_O_IPI_YIELD,
	YL_O_SCHED, YL_O_POLICY, YL_O_TARGET, YL_O_PRESET, YL_O_HZ, YL_O_FLAT,
	YL_O_CREDIT_CURR, YL_O_CREDIT_PCT, YL_O_CREDIT_DEPTH, YL_O_CREDIT_RESCHED_NS,
	YL_O_CREDIT_BUDGET,
	YL_O_TIMELINE, YL_O_TIMELINE_EVENTS,
	YL_O_SCHED_FEATURE, YL_O_HOST_PARAM, YL_O_PAUSE_EXITS, YL_O_HALT_POLL_NS,
	YL_O_CGROUP, YL_O_CPU_WEIGHT,
	YL_O_EXITS, YL_O_TIMEOUT, YL_O_SECCOMP, YL_O_SECCOMP_PROBE,
	YL_O_EXIT_TRACEPOINT, YL_O_SAMPLE_MS, YL_O_JSON, YL_O_WIDE,
	YL_O_QUIET, YL_O_GUEST,
	YL_O_REPS, YL_O_SEED, YL_O_BASELINE, YL_O_CONFIDENCE, YL_O_OUT,
	YL_O_PLAN, YL_O_RESUME, YL_O_ONLY, YL_O_MODE, YL_O_EMIT, YL_O_YIELDLAB,
	YL_O_COST, YL_O_CALIBRATE, YL_O_DIST, YL_O_PLACEMENT, YL_O_YES, YL_O_STRICT,
	YL_O_NR
};
#define YL_GIVEN_WORDS		((YL_O_NR + 63) / 64)

#define YL_SWEEP_ASK_RUNS	1000	/* compare: bigger sweeps need --yes */
#define YL_SWEEP_ASK_H		4
#define YL_STR_(x)		#x
#define YL_STR(x)		YL_STR_(x)

/* Parsed up to here; KVM's and the guest's limits are checked later. */
#define YL_MAX_NS		1000000000ull	/* cs/think: at most 1 s */
#define YL_MAX_DURATION_MS	3600000ull	/* one hour */
#define YL_MAX_TIMEOUT_S	86400ull
#define YL_MAX_SPIN_THRESHOLD	(1ull << 31)
#define YL_MAX_SPIN_US		1000000ull	/* one second */
#define YL_MAX_BENCH_EXITS	10000000ull
#define YL_MAX_SCHED_FEATS	16
#define YL_SCHED_FEAT_LEN	64
#define YL_MAX_HALT_POLL_NS	1000000000ull	/* 1 s */
#define YL_MAX_VMS		16
#define YL_MAX_IPI_EVERY	1000000u
#define YL_MIN_CPU_WEIGHT	1u	/* cgroup v2 cpu.weight's range */
#define YL_MAX_CPU_WEIGHT	10000u
#define YL_MAX_SAMPLE_MS	60000ull
#define YL_DEF_TIMEOUT_SLACK_S	60	/* run: --timeout is duration + this */
#define YL_DEF_BENCH_TIMEOUT_S	60
#define YL_MAX_RAW_OPTS		256	/* compare: run options as given */
#define YL_MAX_TIMELINE_EVENTS	(1ull << 24)	/* 40 B each: 640 MiB */
#define YL_MAX_PATHS		64	/* merge: directories */
#define YL_MAX_REPS		1000
#define YL_MAX_OUT_DIR		3072	/* + runs/NNNNN/meta.json < PATH_MAX */
#define YL_MAX_RUNS		100000	/* compare: cells x reps */
#define YL_SIM_COST_SLOTS	16	/* sim: --cost values */

/* --pause-exits: leave KVM's default, or force PAUSE exits on/off. */
enum yl_pause_exits {
	YL_PAUSE_EXITS_DEFAULT,
	YL_PAUSE_EXITS_ON,
	YL_PAUSE_EXITS_OFF,
	YL_PAUSE_EXITS_NR
};

/* --sched-feature [NO_]NAME */
struct yl_sched_feat {
	char name[YL_SCHED_FEAT_LEN];	/* without NO_ */
	bool on;
	bool orig;			/* the host's value, read before the run */
};

/* --host-param NAME=VALUE */
struct yl_host_param_set {
	unsigned int idx;		/* into yl_host_params[] */
	uint64_t val;
	uint64_t orig;			/* the host's value, read before the run */
};

/* compare: where the runs happen */
enum yl_mode {
	YL_MODE_NATIVE,		/* this host's /dev/kvm */
	YL_MODE_EMULATED,	/* the emulated KVM host, one boot for the sweep */
	YL_MODE_SIM,		/* yieldlab sim, here: simulated runs, any size */
	YL_MODE_NR
};

/* compare --emit: a script for another engine instead of running */
enum yl_emit {
	YL_EMIT_NONE,
	YL_EMIT_PARALLEL,	/* one command per line, for GNU parallel */
	YL_EMIT_SLURM,		/* an sbatch job-array script */
	YL_EMIT_NR
};

/* compare: a run option as given, its value not yet split or parsed */
struct yl_raw_opt {
	unsigned int opt;	/* enum yl_opt_id */
	const char *val;	/* "" for a flag */
};

struct yl_config {
	enum yl_cmd cmd;
	enum yl_cmd help_cmd;		/* help: which command, YL_CMD_NR all */
	unsigned int help_fmt;		/* help: enum yl_help_format */
	uint64_t given[YL_GIVEN_WORDS];	/* a bit per enum yl_opt_id given */
	unsigned int nr_vcpus;		/* per VM */
	unsigned int nr_vms;		/* --vms: guests sharing the pCPUs */
	cpu_set_t pcpus;
	enum yl_workload workload;
	enum yl_lock lock;
	enum yl_pv pv;
	unsigned int yield_to;		/* --yield-to: YL_YIELD_TO_NR is auto */
	uint64_t cs_ns;
	uint64_t think_ns;
	unsigned int think_mode;	/* --think-mode: enum yl_guest_mode */
	uint64_t duration_ms;
	uint64_t spin_threshold;	/* PAUSEs; 0: spin_us decides */
	uint64_t spin_us;		/* a waiter's spin budget in time */
	unsigned int probe_hc;		/* YL_WL_PROBE's hypercall (hcprobe.c) */
	uint64_t timeout_s;		/* 0: the command's default */
	uint64_t bench_exits;
	const char *json_path;
	const char *guest_path;
	bool quiet;
	bool strict;			/* --strict: compared nothing is exit 7 */
	bool wide;			/* --wide: every column */
	enum yl_pause_exits pause_exits;
	bool exit_tp;			/* --exit-tracepoint */
	bool seccomp;			/* --seccomp */
	unsigned int seccomp_probe;	/* --seccomp-probe KIND, else YL_THREAD_KINDS */
	uint64_t halt_poll_ns;		/* if given */
	enum yl_ipi_via ipi_via;
	enum yl_ipi_wait ipi_wait;
	unsigned int ipi_targets;
	unsigned int ipi_every;		/* mixed: lock ops per IPI op */
	unsigned int ipi_yield;		/* --ipi-yield: YL_IPI_YIELD_NR is auto */
	unsigned int nr_feats;
	struct yl_sched_feat feats[YL_MAX_SCHED_FEATS];
	unsigned int nr_params;
	struct yl_host_param_set params[YL_MAX_HOST_PARAMS];
	uint64_t sample_ms;		/* --sample-ms, 0: no sampling */
	enum yl_sched_mode sched;
	const struct yl_policy *policy;	/* --policy, as yl_policy_find() */
	enum yl_target_kind target;	/* --target */
	const char *preset;		/* --preset: sched/ parameters */
	unsigned int hz;		/* --hz: coop's tick, 0: the preset's */
	bool credit_curr;		/* --credit-curr: the preset's if not given */
	unsigned int credit_pct;	/* --credit-pct */
	unsigned int credit_depth;	/* --credit-depth */
	uint64_t credit_resched_ns;	/* --credit-resched-ns */
	unsigned int credit_budget;	/* --credit-budget: % of time, 0 none */
	bool flat;			/* --flat: sched/flat's pick across VMs */
	const char *timeline_path;	/* --timeline */
	uint64_t timeline_events;	/* --timeline-events: the ring */
	const char *cgroup_parent;	/* --cgroup */
	unsigned int nr_weights;	/* --cpu-weight: 0, 1 or nr_vms */
	unsigned int cpu_weight[YL_MAX_VMS];
	/* compare and merge */
	unsigned int nr_raw;		/* compare: run options, in order */
	struct yl_raw_opt raw[YL_MAX_RAW_OPTS];
	unsigned int nr_paths;		/* merge: the directories */
	const char *paths[YL_MAX_PATHS];
	unsigned int reps;
	uint64_t seed;
	const char *baseline;		/* VALUE or OPTION=VALUE */
	unsigned int confidence;	/* percent */
	const char *out_dir;
	const char *plan_path;
	const char *resume_dir;
	uint64_t only;			/* --only K, if given */
	enum yl_mode mode;
	enum yl_emit emit;
	const char *emit_path;
	const char *yieldlab_path;	/* --yieldlab: what emitted commands run */
	bool yes;			/* --yes: a sweep past the size that asks */
	/* sim */
	unsigned int sim_pcpus;		/* --pcpus N: a count */
	unsigned int nr_costs;		/* --cost NAME=NS, in order */
	struct { unsigned int k; uint64_t ns; } costs[YL_SIM_COST_SLOTS];
	unsigned int nr_calib;		/* --calibrate FILE */
	const char *calib[2];
	enum yl_sim_dist dist;		/* sim --dist */
	enum yl_sim_placement placement;	/* sim --placement */
};

/*
 * The option table's parser stores an enum option through an unsigned int
 * (cli.c's opt_set()): each enum field must be one (GCC makes an enum with
 * no negative value an unsigned int, a compatible type).
 */
_Static_assert(sizeof(enum yl_workload) == sizeof(unsigned int), "enum yl_workload is an unsigned int");
_Static_assert(sizeof(enum yl_lock) == sizeof(unsigned int), "enum yl_lock is an unsigned int");
_Static_assert(sizeof(enum yl_pv) == sizeof(unsigned int), "enum yl_pv is an unsigned int");
_Static_assert(sizeof(enum yl_pause_exits) == sizeof(unsigned int), "enum yl_pause_exits is an unsigned int");
_Static_assert(sizeof(enum yl_ipi_via) == sizeof(unsigned int), "enum yl_ipi_via is an unsigned int");
_Static_assert(sizeof(enum yl_ipi_wait) == sizeof(unsigned int), "enum yl_ipi_wait is an unsigned int");
_Static_assert(sizeof(enum yl_sched_mode) == sizeof(unsigned int), "enum yl_sched_mode is an unsigned int");
_Static_assert(sizeof(enum yl_target_kind) == sizeof(unsigned int), "enum yl_target_kind is an unsigned int");
_Static_assert(sizeof(enum yl_mode) == sizeof(unsigned int), "enum yl_mode is an unsigned int");
_Static_assert(sizeof(enum yl_emit) == sizeof(unsigned int), "enum yl_emit is an unsigned int");
_Static_assert(sizeof(enum yl_sim_dist) == sizeof(unsigned int), "enum yl_sim_dist is an unsigned int");
_Static_assert(sizeof(enum yl_sim_placement) == sizeof(unsigned int), "enum yl_sim_placement is an unsigned int");

static inline bool yl_given(const struct yl_config *cfg, enum yl_opt_id o)
{
	return cfg->given[o / 64] & (1ull << (o % 64));
}

static inline void yl_set_given(struct yl_config *cfg, enum yl_opt_id o)
{
	cfg->given[o / 64] |= 1ull << (o % 64);
}

#endif
