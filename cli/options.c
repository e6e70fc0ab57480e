// SPDX-License-Identifier: GPL-2.0
/*
 * The request's vocabulary: every enum's names, the value parsers, the
 * command table and the one option table (yl_opts[]), from which the
 * parser (cli.c), help, man page, completion and compare's axes derive.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <yieldlab/abi.h>
#include "cli.h"
#include "options.h"
#include "sched/eevdf.h"
#include "sched/policy.h"
#include "sim/params.h"

/* @names[@i], or NULL past its end: an option's name_at(). */
static const char *name_in(const char *const *names, size_t n, unsigned int i)
{
	return i < n ? names[i] : NULL;
}

/* ...and the name a report prints, "?" for a value with none. */
static const char *name_or_what(const char *const *names, size_t n, unsigned int i)
{
	return i < n && names[i] ? names[i] : "?";
}

static const char *const lock_names[] = {
	[YL_LOCK_TAS] = "tas",
	[YL_LOCK_TICKET] = "ticket",
	[YL_LOCK_TTAS] = "ttas",
	[YL_LOCK_MCS] = "mcs",
	[YL_LOCK_QSPIN] = "qspinlock",
};

static const char *lock_at(unsigned int i)
{
	return name_in(lock_names, ARRAY_SIZE(lock_names), i);
}

const char *yl_lock_name(unsigned int i)
{
	return name_or_what(lock_names, ARRAY_SIZE(lock_names), i);
}

static const char *const pv_names[] = {
	[YL_PV_NONE] = "none",
	[YL_PV_YIELD] = "yield",
	[YL_PV_HALT] = "halt",
};

static const char *pv_at(unsigned int i)
{
	return name_in(pv_names, ARRAY_SIZE(pv_names), i);
}

const char *yl_pv_name(unsigned int i)
{
	return name_or_what(pv_names, ARRAY_SIZE(pv_names), i);
}

/* --yield-to: enum yl_yield_to, then "auto" (YL_YIELD_TO_NR) */
static const char *const yield_to_names[] = {
	[YL_YIELD_TO_PREEMPTED] = "preempted",
	[YL_YIELD_TO_TURN] = "turn",
	[YL_YIELD_TO_NR] = "auto",
};

static const char *yield_to_at(unsigned int i)
{
	return name_in(yield_to_names, ARRAY_SIZE(yield_to_names), i);
}

const char *yl_yield_to_name(unsigned int i)
{
	return name_or_what(yield_to_names, ARRAY_SIZE(yield_to_names), i);
}

static const char *const workload_names[] = {
	[YL_WL_LOCK] = "lock",
	[YL_WL_EXITS] = "exits",
	[YL_WL_FAULT] = "fault",
	[YL_WL_HANG] = "hang",
	[YL_WL_IPI] = "ipi",
	[YL_WL_MIXED] = "mixed",
};

static const char *workload_at(unsigned int i)
{
	return name_in(workload_names, ARRAY_SIZE(workload_names), i);
}

const char *yl_workload_name(unsigned int i)
{
	return name_or_what(workload_names, ARRAY_SIZE(workload_names), i);
}

static const char *const ipi_via_names[] = {
	[YL_IPI_ICR] = "icr",
	[YL_IPI_HYPERCALL] = "hypercall",
};

static const char *ipi_via_at(unsigned int i)
{
	return name_in(ipi_via_names, ARRAY_SIZE(ipi_via_names), i);
}

const char *yl_ipi_via_name(unsigned int i)
{
	return name_or_what(ipi_via_names, ARRAY_SIZE(ipi_via_names), i);
}

static const char *const ipi_wait_names[] = {
	[YL_IPI_SYNC] = "sync",
	[YL_IPI_ASYNC] = "async",
};

static const char *ipi_wait_at(unsigned int i)
{
	return name_in(ipi_wait_names, ARRAY_SIZE(ipi_wait_names), i);
}

const char *yl_ipi_wait_name(unsigned int i)
{
	return name_or_what(ipi_wait_names, ARRAY_SIZE(ipi_wait_names), i);
}

/* --ipi-yield: enum yl_ipi_yield, then "auto" (YL_IPI_YIELD_NR) */
static const char *const ipi_yield_names[] = {
	[YL_IPI_YIELD_NONE] = "none",
	[YL_IPI_YIELD_FIRST] = "first",
	[YL_IPI_YIELD_ALL] = "all",
	[YL_IPI_YIELD_MULTI] = "multi",
	[YL_IPI_YIELD_NR] = "auto",
};

static const char *ipi_yield_at(unsigned int i)
{
	return name_in(ipi_yield_names, ARRAY_SIZE(ipi_yield_names), i);
}

const char *yl_ipi_yield_name(unsigned int i)
{
	return name_or_what(ipi_yield_names, ARRAY_SIZE(ipi_yield_names), i);
}

static const char *const guest_mode_names[] = {
	[YL_GMODE_KERNEL] = "kernel",
	[YL_GMODE_USER] = "user",
};

static const char *guest_mode_at(unsigned int i)
{
	return name_in(guest_mode_names, ARRAY_SIZE(guest_mode_names), i);
}

const char *yl_guest_mode_name(unsigned int i)
{
	return name_or_what(guest_mode_names, ARRAY_SIZE(guest_mode_names), i);
}

static const char *const sched_names[] = {
	[YL_SCHED_HOST] = "host",
	[YL_SCHED_COOP] = "coop",
};

static const char *sched_at(unsigned int i)
{
	return name_in(sched_names, ARRAY_SIZE(sched_names), i);
}

const char *yl_sched_mode_name(unsigned int i)
{
	return name_or_what(sched_names, ARRAY_SIZE(sched_names), i);
}

static const char *const pause_names[] = {
	[YL_PAUSE_EXITS_DEFAULT] = "kvm",
	[YL_PAUSE_EXITS_ON] = "on",
	[YL_PAUSE_EXITS_OFF] = "off",
};

static const char *pause_at(unsigned int i)
{
	return name_in(pause_names, ARRAY_SIZE(pause_names), i);
}

const char *yl_pause_exits_name(unsigned int i)
{
	return name_or_what(pause_names, ARRAY_SIZE(pause_names), i);
}

static const char *const onoff_names[] = {
	"on",
	"off",
};

static const char *onoff_at(unsigned int i)
{
	return name_in(onoff_names, ARRAY_SIZE(onoff_names), i);
}

static const char *const mode_names[] = {
	[YL_MODE_NATIVE] = "native",
	[YL_MODE_EMULATED] = "emulated",
	[YL_MODE_SIM] = "sim",
};

static const char *mode_at(unsigned int i)
{
	return name_in(mode_names, ARRAY_SIZE(mode_names), i);
}

const char *yl_mode_name(unsigned int i)
{
	return name_or_what(mode_names, ARRAY_SIZE(mode_names), i);
}

/* --emit's choices: enum yl_emit less its YL_EMIT_NONE */
static const char *const emit_names[] = {
	[YL_EMIT_PARALLEL - 1] = "parallel",
	[YL_EMIT_SLURM - 1] = "slurm",
};

static const char *emit_at(unsigned int i)
{
	return name_in(emit_names, ARRAY_SIZE(emit_names), i);
}

const char *yl_emit_name(unsigned int emit)
{
	return emit == YL_EMIT_NONE ? "none" :
	       name_or_what(emit_names, ARRAY_SIZE(emit_names), emit - 1);
}

static const char *policy_at(unsigned int i)
{
	const struct yl_policy *p = yl_policy_at(i);

	return p ? p->name : NULL;
}

static const char *target_at(unsigned int i)
{
	return i < YL_TARGET_NR ? yl_target_name((enum yl_target_kind)i) : NULL;
}

/* The thread kinds (config.h), then "none": --seccomp-probe's names. */
static const char *probe_at(unsigned int i)
{
	static const char *const names[YL_THREAD_KINDS + 1] = {
		[YL_THREAD_MAIN] = "main", [YL_THREAD_VCPU] = "vcpu",
		[YL_THREAD_SAMPLER] = "sampler", [YL_THREAD_KINDS] = "none",
	};

	return i <= YL_THREAD_KINDS ? names[i] : NULL;
}

const char *yl_thread_kind_name(unsigned int kind)
{
	return kind < YL_THREAD_KINDS ? probe_at(kind) : "?";
}

const char *yl_policy_name(const struct yl_config *cfg)
{
	return cfg->policy ? cfg->policy->name : "?";
}

/* How this run's guest sends IPIs: coop always through yieldlab's port. */
const char *yl_ipi_path_name(const struct yl_config *cfg)
{
	return cfg->sched == YL_SCHED_COOP ? "coop" : yl_ipi_via_name(cfg->ipi_via);
}

/* run: a CPU list; sim: how many CPUs the simulated host has */
static int parse_pcpus(struct yl_config *cfg, const char *v, struct yl_err *err)
{
	uint64_t n;

	if (cfg->cmd != YL_CMD_SIM)
		return yl_parse_cpulist(v, &cfg->pcpus, err);
	if (yl_cli_parse_u64("--pcpus", v, 1, YL_SIM_MAX_CPUS, &n, err))
		return -1;
	cfg->sim_pcpus = (unsigned int)n;
	return 0;
}

static const char *cost_at(unsigned int i)
{
	return i < YL_COST_NR ? yl_sim_costs[i].name : NULL;
}

/* --cost NAME=NS[,NAME=NS...]: sim's cost table names them */
static int parse_cost(struct yl_config *cfg, const char *v, struct yl_err *err)
{
	char buf[256], *rest = buf, *item, names[128];
	int k;

	if (strlen(v) >= sizeof(buf))
		return yl_usagef(err, "--cost: too long");
	strcpy(buf, v);
	/* strsep, not strtok: an empty item ('' or a,,b) is an error, not nothing */
	while ((item = strsep(&rest, ","))) {
		char *eq = strchr(item, '=');
		uint64_t ns;

		if (eq)
			*eq = 0;
		k = yl_sim_cost_find(item);
		if (!eq || k < 0) {
			yl_opt_names(&yl_opts[YL_O_COST], names, sizeof(names));
			return yl_usagef(err, "--cost '%s': allowed NAME=NS with NAME one of %s",
				       item, names);
		}
		if (yl_cli_parse_u64("--cost", eq + 1, k == YL_COST_PAUSE ? 1 : 0,
			      YL_MAX_NS, &ns, err))
			return -1;
		if (cfg->nr_costs >= YL_SIM_COST_SLOTS)
			return yl_usagef(err, "--cost: at most %d values", YL_SIM_COST_SLOTS);
		cfg->costs[cfg->nr_costs].k = (unsigned int)k;
		cfg->costs[cfg->nr_costs++].ns = ns;
	}
	return 0;
}

static int parse_calibrate(struct yl_config *cfg, const char *v,
			   struct yl_err *err)
{
	if (cfg->nr_calib >= ARRAY_SIZE(cfg->calib))
		return yl_usagef(err, "--calibrate: at most %zu files (bench exits, bench handoff)",
			       ARRAY_SIZE(cfg->calib));
	if (!*v || strlen(v) > 4095)
		return yl_usagef(err, "--calibrate: needs FILE of 1 to 4095 characters");
	cfg->calib[cfg->nr_calib++] = v;
	return 0;
}

/* [NO_]NAME, NAME as the kernel spells features: A-Z, 0-9, _. */
static int parse_sched_feat(struct yl_config *cfg, const char *v,
			    struct yl_err *err)
{
	struct yl_sched_feat *f = &cfg->feats[cfg->nr_feats];
	bool on = strncmp(v, "NO_", 3) != 0;
	const char *name = on ? v : v + 3;
	size_t n = strlen(name), i;

	if (cfg->nr_feats >= YL_MAX_SCHED_FEATS)
		return yl_usagef(err, "--sched-feature: at most %d allowed",
			       YL_MAX_SCHED_FEATS);
	if (!n || n >= YL_SCHED_FEAT_LEN || strspn(name,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != n)
		return yl_usagef(err, "--sched-feature '%s': allowed [NO_]NAME, NAME of A-Z 0-9 _ (at most %d)",
			       v, YL_SCHED_FEAT_LEN - 1);
	for (i = 0; i < cfg->nr_feats; i++)
		if (!strcmp(cfg->feats[i].name, name))
			return yl_usagef(err, "--sched-feature %s: given twice", name);
	memcpy(f->name, name, n + 1);
	f->on = on;
	cfg->nr_feats++;
	return 0;
}

/* W[,W...]: one cpu.weight for every VM's cgroup, or one per VM. */
static int parse_weights(struct yl_config *cfg, const char *v,
			 struct yl_err *err)
{
	char one[16];
	uint64_t w;

	cfg->nr_weights = 0;
	while (*v) {
		size_t n = strcspn(v, ",");

		if (cfg->nr_weights == YL_MAX_VMS)
			return yl_usagef(err, "--cpu-weight: at most %d values (one per VM)",
				       YL_MAX_VMS);
		if (!n || n >= sizeof(one))
			return yl_usagef(err, "--cpu-weight '%s': allowed W or W,W,... with W in %u-%u",
				       v, YL_MIN_CPU_WEIGHT, YL_MAX_CPU_WEIGHT);
		memcpy(one, v, n);
		one[n] = 0;
		if (yl_cli_parse_u64("--cpu-weight", one, YL_MIN_CPU_WEIGHT,
			      YL_MAX_CPU_WEIGHT, &w, err))
			return -1;
		cfg->cpu_weight[cfg->nr_weights++] = (unsigned int)w;
		v += n;
		if (*v == ',' && !*++v)
			return yl_usagef(err, "--cpu-weight: a value after the last ','");
	}
	if (!cfg->nr_weights)
		return yl_usagef(err, "--cpu-weight: needs a value");
	return 0;
}

static int parse_policy(struct yl_config *cfg, const char *v, struct yl_err *err)
{
	unsigned int i;

	if (yl_cli_parse_enum(&yl_opts[YL_O_POLICY], v, &i, err))
		return -1;
	cfg->policy = yl_policy_at(i);
	return 0;
}

/* sched/'s presets, then "host": the one for the kernel we run on */
static const char *preset_at(unsigned int i)
{
	unsigned int n = 0;

	while (yl_sched_preset_at(n))
		n++;
	return i < n ? yl_sched_preset_at(i) : i == n ? "host" : NULL;
}

static int parse_preset(struct yl_config *cfg, const char *v, struct yl_err *err)
{
	struct utsname u;
	unsigned int i;

	if (yl_cli_parse_enum(&yl_opts[YL_O_PRESET], v, &i, err))
		return -1;
	cfg->preset = yl_sched_preset_at(i);
	if (cfg->preset)
		return 0;
	if (uname(&u))
		return yl_errf(err, "--preset host: uname: %s", strerror(errno));
	cfg->preset = yl_sched_preset_for_release(u.release);
	if (!cfg->preset)
		return yl_usagef(err, "--preset host: no preset follows kernel %.64s; name one of the others (yieldlab --help)",
			       u.release);
	return 0;
}

/* --emit KIND FILE; "none" is the default, not a choice */
static int parse_emit(struct yl_config *cfg, const char *kind, const char *file,
		      struct yl_err *err)
{
	unsigned int i;

	if (yl_cli_parse_enum(&yl_opts[YL_O_EMIT], kind, &i, err))
		return -1;
	if (!*file || strlen(file) > 4095)
		return yl_usagef(err, "--emit %s: needs FILE of 1 to 4095 characters",
			       kind);
	cfg->emit = i + 1;
	cfg->emit_path = file;
	return 0;
}

#define C(x)		(1u << YL_CMD_##x)
#define C_BENCH		(C(BENCH_EXITS) | C(BENCH_HANDOFF))
#define F(f)		offsetof(struct yl_config, f)

#ifdef YL_SANITIZED
/* LeakSanitizer stops the threads with ptrace, which no filter allows */
#define SECCOMP_DEF	"off"
#else
#define SECCOMP_DEF	"on"
#endif

const struct yl_cmd_desc yl_cmds[YL_CMD_NR] = {
	[YL_CMD_RUN] = { "run", "[options]",
		"run the test guest, its vCPUs on fewer pCPUs, and report" },
	[YL_CMD_CAPS] = { "caps", "[--json FILE]",
		"what this host's KVM and scheduler offer, and what is missing" },
	[YL_CMD_BENCH_EXITS] = { "bench exits", "[options]",
		"cost per exit: yieldlab's vCPU loop against bare KVM_RUN" },
	[YL_CMD_BENCH_HANDOFF] = { "bench handoff", "[options]",
		"coop's hint-to-KVM_RUN hand-off against a futex ping-pong" },
	[YL_CMD_COMPARE] = { "compare", "[--plan FILE] [run options as lists] [options]",
		"sweep run options; say which wins, by how much, how surely" },
	[YL_CMD_MERGE] = { "merge", "[--out DIR] DIR...",
		"one report from compare directories (--emit, several hosts)" },
	[YL_CMD_SIM] = { "sim", "[options]",
		"simulate run's experiment on sched/, at any size, from a seed" },
	[YL_CMD_HELP] = { "help", "[COMMAND]",
		"this text, or one command's options" },
	[YL_CMD_VERSION] = { "version", "",
		"yieldlab's version, as --version" },
};

const char *const yl_group_titles[YL_GRP_NR] = {
	[YL_GRP_WORKLOAD] = "guest and workload",
	[YL_GRP_IPI] = "IPIs (--workload ipi|mixed)",
	[YL_GRP_HOST] = "who schedules the vCPUs, and the host's knobs",
	[YL_GRP_COOP] = "coop scheduling (--sched coop)",
	[YL_GRP_OUTPUT] = "measurement and output",
	[YL_GRP_SAFETY] = "watchdog and sandbox",
	[YL_GRP_TEST] = "for yieldlab's own tests",
	[YL_GRP_COMPARE] = "sweeps",
	[YL_GRP_SIM] = "simulation (sim)",
};

const struct yl_opt yl_opts[YL_O_NR] = {
	[YL_O_VCPUS] = { "--vcpus", "N", YL_OPT_UINT, YL_GRP_WORKLOAD, C(RUN) | C(SIM),
		F(nr_vcpus), 1, YL_MAX_VCPUS, .def = "4",
		.help = "vCPUs per VM, and at most what KVM allows" },
	[YL_O_VMS] = { "--vms", "K", YL_OPT_UINT, YL_GRP_WORKLOAD, C(RUN) | C(SIM),
		F(nr_vms), 1, YL_MAX_VMS, .def = "1",
		.help = "K guests, each with --vcpus vCPUs, all sharing --pcpus; reported one by one and combined" },
	[YL_O_PCPUS] = { "--pcpus", "LIST", YL_OPT_FUNC, YL_GRP_WORKLOAD,
		C(RUN) | C(SIM) | C_BENCH, .parse = parse_pcpus, .flags = YL_OF_LIST,
		.def_doc = "the first CPU of our affinity mask; sim: 1",
		.help = "physical CPUs the vCPU threads share, e.g. 0 or 0-3,6; sim: how many CPUs the simulated host has, a count" },
	[YL_O_WORKLOAD] = { "--workload", NULL, YL_OPT_ENUM, YL_GRP_WORKLOAD,
		C(RUN) | C(SIM), F(workload), .name_at = workload_at, .def = "lock",
		.help = "lock: spinlock contention; ipi: function-call IPIs; mixed: lock ops with an IPI op between; exits, fault and hang are for tests" },
	[YL_O_LOCK] = { "--lock", NULL, YL_OPT_ENUM, YL_GRP_WORKLOAD, C(RUN) | C(SIM),
		F(lock), .name_at = lock_at, .def = "ticket",
		.help = "the guest's lock algorithm" },
	[YL_O_PV] = { "--pv", NULL, YL_OPT_ENUM, YL_GRP_WORKLOAD, C(RUN) | C(SIM), F(pv),
		.name_at = pv_at, .def = "none",
		.help = "what a waiter does after --spin-threshold PAUSEs: keep spinning; KVM_HC_SCHED_YIELD to a preempted holder (the hint coop's policies act on); or HLT until the unlocker's KVM_HC_KICK_CPU, as Linux's pv spinlocks" },
	[YL_O_YIELD_TO] = { "--yield-to", NULL, YL_OPT_ENUM, YL_GRP_WORKLOAD, C(RUN) | C(SIM),
		F(yield_to), .name_at = yield_to_at, .def = "auto",
		.help = "with --pv yield, whom a waiter yields to: preempted, the holder if its steal-time page says preempted, else the waiter ahead if so, else nobody (Linux guests' vcpu_is_preempted() test); turn, always the vCPU whose turn it is; auto: preempted in host mode, turn in coop, where the hint is the PAUSE-loop exit coop's policies act on" },
	[YL_O_CS] = { "--cs", "NS", YL_OPT_U64, YL_GRP_WORKLOAD, C(RUN) | C(SIM),
		F(cs_ns), 0, YL_MAX_NS, .def = "1000",
		.help = "critical-section length in ns" },
	[YL_O_THINK] = { "--think", "NS", YL_OPT_U64, YL_GRP_WORKLOAD, C(RUN) | C(SIM),
		F(think_ns), 0, YL_MAX_NS, .def = "2000",
		.help = "ns between a release and the next acquire" },
	[YL_O_THINK_MODE] = { "--think-mode", NULL, YL_OPT_ENUM, YL_GRP_WORKLOAD,
		C(RUN) | C(SIM), F(think_mode), .name_at = guest_mode_at, .def = "kernel",
		.help = "the guest mode --think stands for: kernel, or user, so that a vCPU preempted while thinking is preempted in user mode, which kvm_vcpu_on_spin()'s strict round skips unless an interrupt is pending for it (--target rr|ipi-pairs); coop and sim only, the guest runs in ring 0" },
	[YL_O_DURATION] = { "--duration", "MS", YL_OPT_U64, YL_GRP_WORKLOAD,
		C(RUN) | C(SIM) | C(BENCH_HANDOFF), F(duration_ms), 1, YL_MAX_DURATION_MS,
		.def = "1000", .help = "length of the measured phase in ms" },
	[YL_O_SPIN_US] = { "--spin-us", "US", YL_OPT_U64, YL_GRP_WORKLOAD,
		C(RUN) | C(SIM), F(spin_us), 1, YL_MAX_SPIN_US, .def = "100",
		.help = "how long a waiter spins (by the guest's TSC) before its --pv action: the same budget on every host, whatever a PAUSE costs there (10 ns on hardware, 1.5 us on kvm_pvm)" },
	[YL_O_SPIN_THRESHOLD] = { "--spin-threshold", "N", YL_OPT_U64,
		YL_GRP_WORKLOAD, C(RUN) | C(SIM), F(spin_threshold), 1,
		YL_MAX_SPIN_THRESHOLD, .def_doc = "none: --spin-us decides",
		.help = "count PAUSEs instead: a waiter acts after N of them, however long they take (not with --spin-us)" },
	[YL_O_IPI_VIA] = { "--ipi-via", NULL, YL_OPT_ENUM, YL_GRP_IPI, C(RUN),
		F(ipi_via), .name_at = ipi_via_at, .def = "icr",
		.help = "x2APIC ICR writes (logical per cluster for several targets) or KVM_HC_SEND_IPI" },
	[YL_O_IPI_WAIT] = { "--ipi-wait", NULL, YL_OPT_ENUM, YL_GRP_IPI, C(RUN) | C(SIM),
		F(ipi_wait), .name_at = ipi_wait_at, .def = "sync",
		.help = "sync: the sender spins until every target acked; async: it waits only to reuse a target's slot; with --pv yield the sender also yields once to a preempted target, as Linux does" },
	[YL_O_IPI_TARGETS] = { "--ipi-targets", "K", YL_OPT_UINT, YL_GRP_IPI,
		C(RUN) | C(SIM), F(ipi_targets), 1, YL_MAX_VCPUS - 1, .def = "1",
		.help = "targets per IPI, at most --vcpus minus the sender" },
	[YL_O_IPI_EVERY] = { "--ipi-every", "N", YL_OPT_UINT, YL_GRP_IPI,
		C(RUN) | C(SIM), F(ipi_every), 1, YL_MAX_IPI_EVERY, .def = "1",
		.help = "--workload mixed: lock ops between two IPI ops" },
	[YL_O_IPI_YIELD] = { "--ipi-yield", NULL, YL_OPT_ENUM, YL_GRP_IPI,
		C(RUN) | C(SIM), F(ipi_yield), .name_at = ipi_yield_at, .def = "auto",
		.help = "after sending, the sender yields to a target shown preempted: none; first, the first such target; all, each of them; multi, the first, and only for an IPI to several targets, as Linux's kvm_smp_send_call_func_ipi() (the single-target path never yields); auto: first with --pv yield, else none. Separate from --pv, which is the lock waiters' (and in coop every spinner's PAUSE-loop stand-in)" },
	[YL_O_SCHED] = { "--sched", NULL, YL_OPT_ENUM, YL_GRP_HOST, C(RUN) | C(SIM),
		F(sched), .name_at = sched_at, .def = "host",
		.help = "who schedules the vCPUs: the host kernel (its yield_to() path and KVM's paravirt interface), or yieldlab, with sched/'s EEVDF run queues, one per --pcpus CPU, and yieldlab's paravirt ports" },
	[YL_O_POLICY] = { "--policy", NULL, YL_OPT_FUNC, YL_GRP_COOP, C(RUN) | C(SIM),
		.name_at = policy_at, .parse = parse_policy, .def = "none",
		.help = "what a spin hint (--pv yield) does" },
	[YL_O_TARGET] = { "--target", NULL, YL_OPT_ENUM, YL_GRP_COOP, C(RUN) | C(SIM),
		F(target), .name_at = target_at, .def = "hint",
		.help = "whom a spin hint yields to: the vCPU the guest names, kvm_vcpu_on_spin()'s round robin, or the seed's IPI pairs first" },
	[YL_O_PRESET] = { "--preset", NULL, YL_OPT_FUNC, YL_GRP_COOP, C(RUN) | C(SIM),
		.name_at = preset_at, .parse = parse_preset,
		.def = "6.18.0",
		.help = "the exact kernel version whose EEVDF defaults sched/ follows, from that version to the next preset (docs/model.md has the table); host: the preset for this machine's kernel (uname -r), an error where none is known" },
	[YL_O_HZ] = { "--hz", "N", YL_OPT_UINT, YL_GRP_COOP, C(RUN) | C(SIM), F(hz),
		100, 1000, .def_doc = "the preset's, 250",
		.help = "the scheduler tick, as CONFIG_HZ" },
	[YL_O_FLAT] = { "--flat", NULL, YL_OPT_ONOFF, YL_GRP_COOP, C(RUN) | C(SIM),
		F(flat), .name_at = onoff_at, .def = "off",
		.help = "with --vms > 1, on: the flattened pick (sched/flat): every vCPU on its CPU's root queue, weighted by its share of its VM's shares, instead of under a group entity per VM (compare sweeps it: --flat off,on)" },
	[YL_O_CREDIT_CURR] = { "--credit-curr", NULL, YL_OPT_ONOFF, YL_GRP_COOP,
		C(RUN) | C(SIM), F(credit_curr), .name_at = onoff_at,
		.def_doc = "the model's, on (the cover letter shifts curr in place)",
		.help = "lag-credit: credit a level of the target's chain that is its run queue's current entity, i.e. the group entity the target shares with the yielder; off skips it, as the host kernel's sched.yield_credit_curr=0" },
	[YL_O_CREDIT_PCT] = { "--credit-pct", "PCT", YL_OPT_UINT, YL_GRP_COOP,
		C(RUN) | C(SIM), F(credit_pct), 0, 100,
		.def_doc = "the model's, 25",
		.help = "lag-credit: the margin a level is credited to, PCT% of one weighted slice times its depth factor (--credit-depth); 0 credits to zero lag alone. The cover letter gives no formula: this is yieldlab's reading, as the host kernel's sched.yield_credit_pct" },
	[YL_O_CREDIT_DEPTH] = { "--credit-depth", "N", YL_OPT_UINT, YL_GRP_COOP,
		C(RUN) | C(SIM), F(credit_depth), 1, 64,
		.def_doc = "the model's, 4",
		.help = "lag-credit: the margin's depth factor, min(entities queued beside the target, N), as sched.yield_credit_depth" },
	[YL_O_CREDIT_RESCHED_NS] = { "--credit-resched-ns", "NS", YL_OPT_U64, YL_GRP_COOP,
		C(RUN) | C(SIM), F(credit_resched_ns), 0, YL_MAX_NS,
		.def_doc = "the model's, 6000000 (the cover letter's 6 ms)",
		.help = "lag-credit: the forced reschedule after a credit happens at most once per NS per run queue; 0: every time. As sched.yield_credit_resched_ns" },
	[YL_O_CREDIT_BUDGET] = { "--credit-budget", "PCT", YL_OPT_UINT, YL_GRP_COOP,
		C(RUN) | C(SIM), F(credit_budget), 0, 100, .def = "0",
		.help = "lag-credit: the credit a CPU grants may not exceed PCT% of the time that passed (a bucket of one base slice); 0, the seed's behaviour, leaves it unbounded, which can starve another VM (docs/model.md)" },
	[YL_O_TIMELINE] = { "--timeline", "FILE", YL_OPT_STR, YL_GRP_COOP,
		C(RUN) | C(SIM), F(timeline_path), 1, 4095, .flags = YL_OF_NO_AXIS,
		.help = "write the executor's last --timeline-events events as Chrome trace-event JSON (Perfetto, chrome://tracing): a track per pCPU with the vCPU it ran, hints with their outcome, hand-offs, kicks, IPIs, halts, slice ends, each vCPU's lag at its dispatches" },
	[YL_O_TIMELINE_EVENTS] = { "--timeline-events", "N", YL_OPT_U64,
		YL_GRP_COOP, C(RUN) | C(SIM), F(timeline_events), 16,
		YL_MAX_TIMELINE_EVENTS, .def = "262144",
		.help = "--timeline's ring: the last N events are kept (40 bytes each)" },
	[YL_O_SCHED_FEATURE] = { "--sched-feature", "[NO_]NAME", YL_OPT_FUNC,
		YL_GRP_HOST, C(RUN), .parse = parse_sched_feat,
		.help = "set a host scheduler feature (debugfs sched/features) for the run; repeatable; restored on every exit, and by the next start if the run was killed" },
	[YL_O_HOST_PARAM] = { "--host-param", "NAME=VALUE", YL_OPT_FUNC,
		YL_GRP_HOST, C(RUN), .parse = yl_parse_host_param,
		.help = "set a module parameter or debugfs knob of a host kernel of kernel/ for the run (the names: docs/kernel.md; a wrong one lists them); repeatable; restored as --sched-feature is" },
	[YL_O_PAUSE_EXITS] = { "--pause-exits", NULL, YL_OPT_ENUM, YL_GRP_HOST,
		C(RUN) | C(SIM), F(pause_exits), .name_at = pause_at, .def = "kvm",
		.help = "pause-loop exiting for this VM (KVM_CAP_X86_DISABLE_EXITS): as KVM sets it, forced on, or off" },
	[YL_O_HALT_POLL_NS] = { "--halt-poll-ns", "NS", YL_OPT_U64, YL_GRP_HOST,
		C(RUN), F(halt_poll_ns), 0, YL_MAX_HALT_POLL_NS,
		.def_doc = "the kvm module's halt_poll_ns",
		.help = "this VM's halt polling (KVM_CAP_HALT_POLL)" },
	[YL_O_CGROUP] = { "--cgroup", "PARENT", YL_OPT_STR, YL_GRP_HOST, C(RUN),
		F(cgroup_parent), 1, 255, .flags = YL_OF_LIST,
		.help = "run in cgroup v2 PARENT/yieldlab.PID, one threaded child per VM for its vCPU threads (PARENT absolute or under the cgroup2 mount, with the cpu controller for its children); removed after the run" },
	[YL_O_CPU_WEIGHT] = { "--cpu-weight", "W[,W...]", YL_OPT_FUNC,
		YL_GRP_HOST, C(RUN) | C(SIM), .parse = parse_weights, .flags = YL_OF_LIST,
		.def_doc = "the kernel's, 100",
		.help = "each VM's cpu.weight, 1-10000, one for all VMs or one per VM: of its cgroup (with --cgroup), or in coop mode its group's shares in sched/ (100 is 1024, as sched_weight_from_cgroup())" },
	[YL_O_EXITS] = { "--exits", "N", YL_OPT_U64, YL_GRP_OUTPUT,
		C(BENCH_EXITS), F(bench_exits), 100, YL_MAX_BENCH_EXITS,
		.def = "20000", .help = "exits per measured round" },
	[YL_O_TIMEOUT] = { "--timeout", "S", YL_OPT_U64, YL_GRP_SAFETY,
		C(RUN) | C_BENCH, F(timeout_s), 1, YL_MAX_TIMEOUT_S,
		.def_doc = "--duration + 60 s; bench exits: 60 s",
		.help = "watchdog: stop a guest that has not finished S seconds after the run started, its setup included" },
	[YL_O_SECCOMP] = { "--seccomp", NULL, YL_OPT_ONOFF, YL_GRP_SAFETY,
		C(RUN) | C_BENCH, F(seccomp), .name_at = onoff_at,
		.def = SECCOMP_DEF,
		.help = "confine every thread to the system calls it needs once set up; a forbidden call stops the run with exit 6; off for debugging" },
	[YL_O_SECCOMP_PROBE] = { "--seccomp-probe", NULL, YL_OPT_ENUM,
		YL_GRP_TEST, C(RUN) | C(BENCH_EXITS), F(seccomp_probe),
		.name_at = probe_at, .def = "none",
		.help = "that thread makes a forbidden system call (getppid)" },
	[YL_O_EXIT_TRACEPOINT] = { "--exit-tracepoint", NULL, YL_OPT_ONOFF,
		YL_GRP_OUTPUT, C(RUN), F(exit_tp), .name_at = onoff_at,
		.def = "on",
		.help = "count kernel-side exits per reason with per-thread perf counters on kvm:kvm_exit, where tracefs allows; off spares every vCPU context switch the switching of those counters" },
	[YL_O_SAMPLE_MS] = { "--sample-ms", "MS", YL_OPT_U64, YL_GRP_OUTPUT,
		C(RUN), F(sample_ms), 1, YL_MAX_SAMPLE_MS,
		.def_doc = "no sampling",
		.help = "record every vCPU's KVM statistics and host schedstat every MS from a monitor thread (one io_uring batch per tick): rates per interval in the JSON, a summary in the report" },
	[YL_O_JSON] = { "--json", "FILE", YL_OPT_STR, YL_GRP_OUTPUT,
		C(RUN) | C(SIM) | C(CAPS) | C_BENCH, F(json_path), 1, 4095,
		.flags = YL_OF_NO_AXIS,
		.help = "write every statistic as JSON (docs/schema/), replacing FILE only once complete" },
	[YL_O_WIDE] = { "--wide", NULL, YL_OPT_FLAG, YL_GRP_OUTPUT, C(RUN),
		F(wide), .flags = YL_OF_NO_AXIS,
		.help = "every per-vCPU column, however wide the table" },
	[YL_O_QUIET] = { "--quiet", NULL, YL_OPT_FLAG, YL_GRP_OUTPUT, C(RUN) | C(SIM),
		F(quiet), .flags = YL_OF_NO_AXIS,
		.help = "no report on stdout (JSON, warnings and errors only)" },
	[YL_O_GUEST] = { "--guest", "FILE", YL_OPT_STR, YL_GRP_TEST, C(RUN),
		F(guest_path), 1, 4095, .flags = YL_OF_LIST,
		.help = "load another flat guest image (at most 1 MiB)" },
	[YL_O_REPS] = { "--reps", "N", YL_OPT_UINT, YL_GRP_COMPARE, C(COMPARE),
		F(reps), 1, YL_MAX_REPS, .def = "10",
		.help = "repetitions of every cell, one per round; each round runs the cells in its own seeded random order (10: a 95% verdict can stand with one pair against it; with --resume DIR: extend DIR's sweep to N rounds)" },
	[YL_O_SEED] = { "--seed", "N", YL_OPT_U64, YL_GRP_COMPARE, C(COMPARE) | C(SIM),
		F(seed), 0, UINT64_MAX, .def = "1",
		.help = "seeds the run order and the bootstrap: the same plan and seed give the same order and, from the same runs, the same intervals; sim: seeds the simulation, whose JSON the same seed gives byte for byte (but its provenance: when, and the command line)" },
	[YL_O_BASELINE] = { "--baseline", "[OPTION=]VALUE", YL_OPT_STR,
		YL_GRP_COMPARE, C(COMPARE) | C(MERGE), F(baseline), 1, 255,
		.def_doc = "the first value of --policy if swept, else of the first option with several",
		.help = "the cell every other is compared with: a value of the compared option, or OPTION=VALUE to compare along another; merge: judge the same runs so" },
	[YL_O_CONFIDENCE] = { "--confidence", "PCT", YL_OPT_UINT, YL_GRP_COMPARE,
		C(COMPARE), F(confidence), 50, 99, .def = "95",
		.help = "level of every interval, and of the better/worse/no difference verdicts" },
	[YL_O_OUT] = { "--out", "DIR", YL_OPT_STR, YL_GRP_COMPARE,
		C(COMPARE) | C(MERGE), F(out_dir), 1, YL_MAX_OUT_DIR,
		.def_doc = "compare-DATE-TIME; merge: the first DIR",
		.help = "directory for the plan, every run's command, JSON and stderr, and the report (a new or empty one)" },
	[YL_O_PLAN] = { "--plan", "FILE", YL_OPT_STR, YL_GRP_COMPARE, C(COMPARE),
		F(plan_path), 1, 4095,
		.help = "read the sweep from FILE, one option per line without its dashes (e.g. 'policy none,handoff'); options on the command line replace the file's" },
	[YL_O_RESUME] = { "--resume", "DIR", YL_OPT_STR, YL_GRP_COMPARE,
		C(COMPARE), F(resume_dir), 1, YL_MAX_OUT_DIR,
		.help = "continue the sweep in DIR with its own plan: runs finished are kept, the rest run in the planned order" },
	[YL_O_ONLY] = { "--only", "K", YL_OPT_U64, YL_GRP_COMPARE, C(COMPARE),
		F(only), 0, YL_MAX_RUNS - 1,
		.help = "run only run K of the plan into --out (what --emit's commands do); merge builds the report" },
	[YL_O_MODE] = { "--mode", NULL, YL_OPT_ENUM, YL_GRP_COMPARE, C(COMPARE),
		F(mode), .name_at = mode_at, .def = "native",
		.help = "where the runs happen: this host's /dev/kvm, or the emulated KVM host (scripts/emuhost.py), the whole sweep in one boot and the report built here; or sim: every run is a yieldlab sim with its own seed, and sim's options (--cost, --dist, --calibrate) may be swept too" },
	[YL_O_EMIT] = { "--emit", "KIND FILE", YL_OPT_FUNC,
		YL_GRP_COMPARE, C(COMPARE), .name_at = emit_at, .parse2 = parse_emit,
		.help = "run nothing: write one command per run for GNU parallel, or an sbatch job-array script, each run into --out; then yieldlab merge" },
	[YL_O_COST] = { "--cost", "NAME=NS[,...]", YL_OPT_FUNC, YL_GRP_SIM,
		C(SIM), .name_at = cost_at, .parse = parse_cost, .flags = YL_OF_SETTING,
		.help = "what an exit, a switch, a hypercall, an IPI, a PAUSE or a lock hand-over costs in the simulation, in ns (docs/sim.md has the defaults); after --calibrate, whatever the order" },
	[YL_O_CALIBRATE] = { "--calibrate", "FILE", YL_OPT_FUNC, YL_GRP_SIM,
		C(SIM), .parse = parse_calibrate, .flags = YL_OF_SETTING,
		.help = "take the costs a bench measures from its --json FILE: bench exits (exit) and bench handoff (switch); repeatable, one of each" },
	[YL_O_DIST] = { "--dist", NULL, YL_OPT_ENUM, YL_GRP_SIM, C(SIM), F(dist),
		.name_at = yl_sim_dist_name, .def = "const",
		.help = "how --cs and --think lengths are drawn: always the value (as the guest does), uniform in [v/2, 3v/2), or exponential with mean v" },
	[YL_O_PLACEMENT] = { "--placement", NULL, YL_OPT_ENUM, YL_GRP_SIM, C(SIM),
		F(placement), .name_at = yl_sim_placement_name, .def = "spread",
		.help = "which CPU's queue each vCPU joins (there is no load balancer): spread, vCPU t on CPU t mod N as coop places them, so a VM's vCPUs share no CPU while it has no more than --pcpus; random, as many per CPU but which ones drawn from --seed" },
	[YL_O_YIELDLAB] = { "--yieldlab", "PATH", YL_OPT_STR, YL_GRP_COMPARE,
		C(COMPARE), F(yieldlab_path), 1, 4095,
		.def_doc = "this binary",
		.help = "the yieldlab that runs each run (and that --emit's commands name)" },
	[YL_O_STRICT] = { "--strict", NULL, YL_OPT_FLAG, YL_GRP_OUTPUT, C(RUN) | C(SIM),
		F(strict), .flags = YL_OF_NO_AXIS,
		.help = "a run that compared nothing (a warning no_hints, pv_unused or no_credit) exits 7, not 0" },
	[YL_O_YES] = { "--yes", NULL, YL_OPT_FLAG, YL_GRP_COMPARE, C(COMPARE), F(yes),
		.help = "start a sweep of more than " YL_STR(YL_SWEEP_ASK_RUNS) " runs or " YL_STR(YL_SWEEP_ASK_H) " hours (estimated): without it such a sweep only says how big it is" },
};

