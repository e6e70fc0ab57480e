// SPDX-License-Identifier: GPL-2.0
/*
 * Command line.  Everything here is untrusted input: every value is range
 * checked and every error is one line that says what was wrong and what is
 * allowed.  Nothing here touches KVM or the host; the checks that need the
 * host's answer take it as an argument so they can be unit tested.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yieldlab/abi.h>
#include "cli.h"
#include "policy.h"
#include "sandbox.h"

static const char *const lock_names[YL_LOCK_NR] = {
	[YL_LOCK_TAS] = "tas",
	[YL_LOCK_TICKET] = "ticket",
	[YL_LOCK_TTAS] = "ttas",
	[YL_LOCK_MCS] = "mcs",
	[YL_LOCK_QSPIN] = "qspinlock",
};

static const char *const pv_names[YL_PV_NR] = {
	[YL_PV_NONE] = "none",
	[YL_PV_YIELD] = "yield",
	[YL_PV_HALT] = "halt",
};

static const char *const workload_names[YL_WL_NR] = {
	[YL_WL_LOCK] = "lock",
	[YL_WL_EXITS] = "exits",
	[YL_WL_FAULT] = "fault",
	[YL_WL_HANG] = "hang",
	[YL_WL_IPI] = "ipi",
	[YL_WL_MIXED] = "mixed",
};

static const char *const ipi_via_names[YL_IPI_VIA_NR] = {
	[YL_IPI_ICR] = "icr",
	[YL_IPI_HYPERCALL] = "hypercall",
};

static const char *const ipi_wait_names[YL_IPI_WAIT_NR] = {
	[YL_IPI_SYNC] = "sync",
	[YL_IPI_ASYNC] = "async",
};

static const char *const sched_names[YL_SCHED_NR] = {
	[YL_SCHED_HOST] = "host",
	[YL_SCHED_COOP] = "coop",
};

/* How this run's guest sends IPIs: coop always through yieldlab's port. */
const char *yl_ipi_path_name(const struct yl_config *cfg)
{
	return cfg->sched == YL_SCHED_COOP ? "coop" : yl_ipi_via_name(cfg->ipi_via);
}

const char *yl_sched_mode_name(unsigned int mode)
{
	return mode < YL_SCHED_NR ? sched_names[mode] : "?";
}

const char *yl_lock_name(unsigned int lock)
{
	return lock < YL_LOCK_NR ? lock_names[lock] : "?";
}

const char *yl_pv_name(unsigned int pv)
{
	return pv < YL_PV_NR ? pv_names[pv] : "?";
}

const char *yl_workload_name(unsigned int wl)
{
	return wl < YL_WL_NR ? workload_names[wl] : "?";
}

const char *yl_ipi_via_name(unsigned int via)
{
	return via < YL_IPI_VIA_NR ? ipi_via_names[via] : "?";
}

const char *yl_ipi_wait_name(unsigned int wait)
{
	return wait < YL_IPI_WAIT_NR ? ipi_wait_names[wait] : "?";
}


static int parse_enum(const char *opt, const char *val,
		      const char *const *names, unsigned int n,
		      unsigned int *out, struct yl_err *err)
{
	char allowed[128] = "";
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!strcmp(val, names[i])) {
			*out = i;
			return 0;
		}
		strncat(allowed, i ? "|" : "", sizeof(allowed) - strlen(allowed) - 1);
		strncat(allowed, names[i], sizeof(allowed) - strlen(allowed) - 1);
	}
	return yl_errf(err, "%s '%s': unknown, allowed: %s", opt, val, allowed);
}

/* Unsigned decimal in [min, max]; rejects signs, junk and overflow. */
static int parse_u64(const char *opt, const char *val, uint64_t min,
		     uint64_t max, uint64_t *out, struct yl_err *err)
{
	unsigned long long v;
	char *end;

	if (*val < '0' || *val > '9')	/* strtoull() takes space and signs */
		goto bad;
	errno = 0;
	v = strtoull(val, &end, 10);
	if (errno || *end)
		goto bad;
	if (v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	return yl_errf(err, "%s '%s': must be an integer from %llu to %llu",
		       opt, val, (unsigned long long)min,
		       (unsigned long long)max);
}

/* parse_u64() for the counts kept as unsigned int (max fits one). */
static int parse_uint(const char *opt, const char *val, unsigned int min,
		      unsigned int max, unsigned int *out, struct yl_err *err)
{
	uint64_t u = 0;

	if (parse_u64(opt, val, min, max, &u, err))
		return -1;
	*out = (unsigned int)u;
	return 0;
}

int yl_parse_cpulist(const char *s, cpu_set_t *set, struct yl_err *err)
{
	const char *p = s;

	CPU_ZERO(set);
	if (!*s)
		goto bad;
	while (*p) {
		unsigned long lo, hi;
		char *end;

		if (*p < '0' || *p > '9')
			goto bad;
		lo = strtoul(p, &end, 10);
		hi = lo;
		if (*end == '-') {
			p = end + 1;
			if (*p < '0' || *p > '9')
				goto bad;
			hi = strtoul(p, &end, 10);
		}
		if (lo > hi || hi >= CPU_SETSIZE)
			goto bad;
		for (; lo <= hi; lo++)
			CPU_SET(lo, set);
		p = end;
		if (*p == ',' && p[1])
			p++;
		else if (*p)
			goto bad;
	}
	return 0;
bad:
	return yl_errf(err, "--pcpus '%s': must be a CPU list like 0 or 0-3,6 with CPUs below %d",
		       s, CPU_SETSIZE);
}

void yl_format_cpulist(const cpu_set_t *set, char *buf, size_t len)
{
	size_t o = 0;
	int c = 0;

	buf[0] = 0;
	while (c < CPU_SETSIZE && o < len) {
		int lo;

		if (!CPU_ISSET(c, set)) {
			c++;
			continue;
		}
		lo = c;
		while (c + 1 < CPU_SETSIZE && CPU_ISSET(c + 1, set))
			c++;
		o += snprintf(buf + o, len - o, lo == c ? "%s%d" : "%s%d-%d",
			      o ? "," : "", lo, c);
		c++;
	}
}

static void set_defaults(struct yl_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->cmd = YL_CMD_RUN;
	cfg->nr_vcpus = YL_DEF_VCPUS;
	cfg->nr_vms = 1;
	cfg->workload = YL_WL_LOCK;
	cfg->lock = YL_LOCK_TICKET;
	cfg->pv = YL_PV_NONE;
	cfg->cs_ns = YL_DEF_CS_NS;
	cfg->think_ns = YL_DEF_THINK_NS;
	cfg->duration_ms = YL_DEF_DURATION_MS;
	cfg->spin_threshold = YL_DEF_SPIN_THRESHOLD;
	cfg->bench_exits = 20000;
	cfg->ipi_via = YL_IPI_ICR;
	cfg->ipi_wait = YL_IPI_SYNC;
	cfg->ipi_targets = 1;
	cfg->ipi_every = 1;
	cfg->sched = YL_SCHED_HOST;
	cfg->target = YL_TARGET_HINT;
	cfg->preset = "6.18";
	cfg->seccomp_probe = YL_THREAD_KINDS;	/* none */
#ifdef YL_SANITIZED
	/* LeakSanitizer stops the threads with ptrace, which no filter allows */
	cfg->no_seccomp = true;
#endif
}

/* Splits "--opt=value" or takes the next argument as the value. */
static const char *opt_value(int argc, char **argv, int *i, const char *arg,
			     const char *name, struct yl_err *err)
{
	size_t n = strlen(name);

	if (arg[n] == '=')
		return arg + n + 1;
	if (*i + 1 >= argc) {
		yl_errf(err, "%s: needs a value (see yieldlab --help)", name);
		return NULL;
	}
	return argv[++*i];
}

static bool opt_is(const char *arg, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(arg, name, n) && (arg[n] == 0 || arg[n] == '=');
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
		return yl_errf(err, "--sched-feature: at most %d allowed",
			       YL_MAX_SCHED_FEATS);
	if (!n || n >= YL_SCHED_FEAT_LEN || strspn(name,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != n)
		return yl_errf(err, "--sched-feature '%s': allowed [NO_]NAME, NAME of A-Z 0-9 _ (at most %d)",
			       v, YL_SCHED_FEAT_LEN - 1);
	for (i = 0; i < cfg->nr_feats; i++)
		if (!strcmp(cfg->feats[i].name, name))
			return yl_errf(err, "--sched-feature %s: given twice", name);
	memcpy(f->name, name, n + 1);
	f->on = on;
	cfg->nr_feats++;
	return 0;
}

static int parse_pause_exits(struct yl_config *cfg, const char *v,
			     struct yl_err *err)
{
	if (!strcmp(v, "on"))
		cfg->pause_exits = YL_PAUSE_EXITS_ON;
	else if (!strcmp(v, "off"))
		cfg->pause_exits = YL_PAUSE_EXITS_OFF;
	else
		return yl_errf(err, "--pause-exits '%s': allowed: on|off", v);
	return 0;
}

/* on|off into *off, the flag that turns the default (on) off. */
static int parse_on_off(const char *opt, const char *v, bool *off,
			struct yl_err *err)
{
	if (strcmp(v, "on") && strcmp(v, "off"))
		return yl_errf(err, "%s '%s': allowed: on|off", opt, v);
	*off = !strcmp(v, "off");
	return 0;
}

/* --seccomp-probe: the thread kinds sandbox.c names. */
static int parse_probe(struct yl_config *cfg, const char *v, struct yl_err *err)
{
	const char *names[YL_THREAD_KINDS];
	unsigned int k;

	for (k = 0; k < YL_THREAD_KINDS; k++)
		names[k] = yl_thread_kind_name(k);
	return parse_enum("--seccomp-probe", v, names, YL_THREAD_KINDS,
			  &cfg->seccomp_probe, err);
}

/* W[,W...]: one cpu.weight for every VM's cgroup, or one per VM. */
static int parse_weights(struct yl_config *cfg, const char *v,
			 struct yl_err *err)
{
	char one[16];

	cfg->nr_weights = 0;
	while (*v) {
		size_t n = strcspn(v, ",");

		if (cfg->nr_weights == YL_MAX_VMS)
			return yl_errf(err, "--cpu-weight: at most %d values (one per VM)",
				       YL_MAX_VMS);
		if (!n || n >= sizeof(one))
			return yl_errf(err, "--cpu-weight '%s': allowed W or W,W,... with W in %u-%u",
				       v, YL_MIN_CPU_WEIGHT, YL_MAX_CPU_WEIGHT);
		memcpy(one, v, n);
		one[n] = 0;
		if (parse_uint("--cpu-weight", one, YL_MIN_CPU_WEIGHT,
			       YL_MAX_CPU_WEIGHT,
			       &cfg->cpu_weight[cfg->nr_weights++], err))
			return -1;
		v += n;
		if (*v == ',' && !*++v)
			return yl_errf(err, "--cpu-weight: a value after the last ','");
	}
	if (!cfg->nr_weights)
		return yl_errf(err, "--cpu-weight: needs a value");
	return 0;
}

/* --policy: the names sched/ has, in its order. */
static int parse_policy(struct yl_config *cfg, const char *v, struct yl_err *err)
{
	const char *names[16];
	unsigned int n = 0;

	while (n < ARRAY_SIZE(names) && yl_policy_at(n)) {
		names[n] = yl_policy_at(n)->name;
		n++;
	}
	return parse_enum("--policy", v, names, n, &cfg->policy, err);
}

static int parse_target(struct yl_config *cfg, const char *v, struct yl_err *err)
{
	const char *names[YL_TARGET_NR];
	unsigned int k;

	for (k = 0; k < YL_TARGET_NR; k++)
		names[k] = yl_target_name((enum yl_target_kind)k);
	return parse_enum("--target", v, names, YL_TARGET_NR, &cfg->target, err);
}

static int parse_preset(struct yl_config *cfg, const char *v, struct yl_err *err)
{
	struct yl_sched_params p;

	if (yl_sched_params_preset(&p, v, 1))
		return yl_errf(err, "--preset '%s': unknown, allowed: 6.12|6.18", v);
	cfg->preset = v;
	return 0;
}

static int parse_option(struct yl_config *cfg, const char *opt,
			const char *v, struct yl_err *err)
{
	if (!strcmp(opt, "--vcpus"))
		return parse_uint(opt, v, 1, YL_VCPUS_PARSE_MAX, &cfg->nr_vcpus, err);
	if (!strcmp(opt, "--vms"))
		return parse_uint(opt, v, 1, YL_MAX_VMS, &cfg->nr_vms, err);
	if (!strcmp(opt, "--pcpus")) {
		cfg->pcpus_given = true;
		return yl_parse_cpulist(v, &cfg->pcpus, err);
	}
	if (!strcmp(opt, "--lock"))
		return parse_enum(opt, v, lock_names, YL_LOCK_NR, &cfg->lock, err);
	if (!strcmp(opt, "--pv"))
		return parse_enum(opt, v, pv_names, YL_PV_NR, &cfg->pv, err);
	if (!strcmp(opt, "--workload"))
		return parse_enum(opt, v, workload_names, YL_WL_NR,
				  &cfg->workload, err);
	if (!strcmp(opt, "--ipi-via")) {
		cfg->ipi_via_given = true;
		return parse_enum(opt, v, ipi_via_names, YL_IPI_VIA_NR,
				  &cfg->ipi_via, err);
	}
	if (!strcmp(opt, "--ipi-wait"))
		return parse_enum(opt, v, ipi_wait_names, YL_IPI_WAIT_NR,
				  &cfg->ipi_wait, err);
	if (!strcmp(opt, "--ipi-targets"))
		return parse_uint(opt, v, 1, YL_MAX_VCPUS - 1, &cfg->ipi_targets, err);
	if (!strcmp(opt, "--ipi-every"))
		return parse_uint(opt, v, 1, YL_MAX_IPI_EVERY, &cfg->ipi_every, err);
	if (!strcmp(opt, "--cs"))
		return parse_u64(opt, v, 0, YL_MAX_NS, &cfg->cs_ns, err);
	if (!strcmp(opt, "--think"))
		return parse_u64(opt, v, 0, YL_MAX_NS, &cfg->think_ns, err);
	if (!strcmp(opt, "--duration"))
		return parse_u64(opt, v, 1, YL_MAX_DURATION_MS,
				 &cfg->duration_ms, err);
	if (!strcmp(opt, "--spin-threshold"))
		return parse_u64(opt, v, 1, YL_MAX_SPIN_THRESHOLD,
				 &cfg->spin_threshold, err);
	if (!strcmp(opt, "--timeout"))
		return parse_u64(opt, v, 1, YL_MAX_TIMEOUT_S, &cfg->timeout_s, err);
	if (!strcmp(opt, "--exits"))
		return parse_u64(opt, v, 100, YL_MAX_BENCH_EXITS,
				 &cfg->bench_exits, err);
	if (!strcmp(opt, "--sched-feature"))
		return parse_sched_feat(cfg, v, err);
	if (!strcmp(opt, "--pause-exits"))
		return parse_pause_exits(cfg, v, err);
	if (!strcmp(opt, "--exit-tracepoint"))
		return parse_on_off(opt, v, &cfg->no_exit_tp, err);
	if (!strcmp(opt, "--halt-poll-ns")) {
		cfg->halt_poll_given = true;
		return parse_u64(opt, v, 0, YL_MAX_HALT_POLL_NS,
				 &cfg->halt_poll_ns, err);
	}
	if (!strcmp(opt, "--sched"))
		return parse_enum(opt, v, sched_names, YL_SCHED_NR, &cfg->sched, err);
	if (!strcmp(opt, "--policy"))
		return parse_policy(cfg, v, err);
	if (!strcmp(opt, "--target"))
		return parse_target(cfg, v, err);
	if (!strcmp(opt, "--preset"))
		return parse_preset(cfg, v, err);
	if (!strcmp(opt, "--hz"))
		return parse_uint(opt, v, 100, 1000, &cfg->hz, err);
	if (!strcmp(opt, "--sample-ms"))
		return parse_u64(opt, v, 1, YL_MAX_SAMPLE_MS, &cfg->sample_ms, err);
	if (!strcmp(opt, "--cpu-weight"))
		return parse_weights(cfg, v, err);
	if (!strcmp(opt, "--cgroup")) {
		if (!*v || strlen(v) >= 256)
			return yl_errf(err, "--cgroup: needs a cgroup v2 directory (at most 255 characters)");
		cfg->cgroup_parent = v;
		return 0;
	}
	if (!strcmp(opt, "--seccomp"))
		return parse_on_off(opt, v, &cfg->no_seccomp, err);
	if (!strcmp(opt, "--seccomp-probe"))
		return parse_probe(cfg, v, err);
	if (!strcmp(opt, "--json")) {
		if (!*v)
			return yl_errf(err, "--json: needs a file name");
		cfg->json_path = v;
		return 0;
	}
	if (!strcmp(opt, "--guest")) {
		if (!*v)
			return yl_errf(err, "--guest: needs a file name");
		cfg->guest_path = v;
		return 0;
	}
	return yl_errf(err, "unknown option '%s' (see yieldlab --help)", opt);
}

/* Which commands take an option: one bit per enum yl_cmd. */
#define C_RUN		(1u << YL_CMD_RUN)
#define C_EXITS		(1u << YL_CMD_BENCH_EXITS)
#define C_HANDOFF	(1u << YL_CMD_BENCH_HANDOFF)

static const struct {
	const char *name;
	unsigned int cmds;
} value_opts[] = {
	{ "--vcpus", C_RUN }, { "--pcpus", C_RUN | C_EXITS | C_HANDOFF },
	{ "--lock", C_RUN }, { "--pv", C_RUN }, { "--workload", C_RUN },
	{ "--cs", C_RUN }, { "--think", C_RUN },
	{ "--duration", C_RUN | C_HANDOFF }, { "--spin-threshold", C_RUN },
	{ "--timeout", C_RUN | C_EXITS | C_HANDOFF }, { "--exits", C_EXITS },
	{ "--json", C_RUN }, { "--guest", C_RUN }, { "--sched-feature", C_RUN },
	{ "--pause-exits", C_RUN }, { "--exit-tracepoint", C_RUN },
	{ "--halt-poll-ns", C_RUN }, { "--vms", C_RUN }, { "--ipi-via", C_RUN },
	{ "--ipi-wait", C_RUN }, { "--ipi-targets", C_RUN }, { "--ipi-every", C_RUN },
	{ "--cgroup", C_RUN }, { "--cpu-weight", C_RUN }, { "--sample-ms", C_RUN },
	{ "--sched", C_RUN }, { "--policy", C_RUN }, { "--target", C_RUN },
	{ "--preset", C_RUN }, { "--hz", C_RUN },
	{ "--seccomp", C_RUN | C_EXITS | C_HANDOFF },
	{ "--seccomp-probe", C_RUN | C_EXITS },
};

static const char *cmd_name(enum yl_cmd c)
{
	switch (c) {
	case YL_CMD_RUN:
		return "run";
	case YL_CMD_CAPS:
		return "caps";
	case YL_CMD_BENCH_EXITS:
		return "bench exits";
	case YL_CMD_BENCH_HANDOFF:
		return "bench handoff";
	case YL_CMD_HELP:
		break;
	}
	return "help";
}


static int parse_command(struct yl_config *cfg, int argc, char **argv,
			 int *i, struct yl_err *err)
{
	const char *c = argv[1];

	*i = 2;
	if (!strcmp(c, "run"))
		cfg->cmd = YL_CMD_RUN;
	else if (!strcmp(c, "caps"))
		cfg->cmd = YL_CMD_CAPS;
	else if (!strcmp(c, "bench")) {
		if (argc >= 3 && !strcmp(argv[2], "handoff"))
			cfg->cmd = YL_CMD_BENCH_HANDOFF;
		else if (argc >= 3 && !strcmp(argv[2], "exits"))
			cfg->cmd = YL_CMD_BENCH_EXITS;
		else
			return yl_errf(err, "bench '%s': unknown, allowed: exits|handoff",
				       argc < 3 ? "" : argv[2]);
		*i = 3;
	} else if (!strcmp(c, "help") || !strcmp(c, "--help") || !strcmp(c, "-h"))
		cfg->cmd = YL_CMD_HELP;
	else
		return yl_errf(err, "command '%s': unknown, allowed: run|caps|bench exits|bench handoff|help", c);
	return 0;
}

/* What one option allows depends on another: checked once all are read. */
static int check_cgroup(const struct yl_config *cfg, struct yl_err *err)
{
	if (cfg->nr_weights && !cfg->cgroup_parent)
		return yl_errf(err, "--cpu-weight: only with --cgroup PARENT");
	if (cfg->nr_weights > 1 && cfg->nr_weights != cfg->nr_vms)
		return yl_errf(err, "--cpu-weight: %u values for %u VMs; allowed: one, or one per VM",
			       cfg->nr_weights, cfg->nr_vms);
	return 0;
}

/* Coop mode, for now: one VM; IPIs go through yieldlab's port. */
static int check_coop(const struct yl_config *cfg, struct yl_err *err)
{
	if (cfg->sched != YL_SCHED_COOP) {
		if (cfg->coop_opt)
			return yl_errf(err, "%s: only with --sched coop", cfg->coop_opt);
		return 0;
	}
	if (cfg->nr_vms != 1)
		return yl_errf(err, "--sched coop: one VM per run for now (allowed: --vms 1)");
	if (cfg->ipi_via_given)
		return yl_errf(err, "--ipi-via: not with --sched coop, whose guest sends IPIs through yieldlab's port");
	return 0;
}

static int check_combination(const struct yl_config *cfg, struct yl_err *err)
{
	if (check_cgroup(cfg, err) || check_coop(cfg, err))
		return -1;
	if (!yl_wl_has_ipis(cfg->workload)) {
		if (cfg->ipi_opt)
			return yl_errf(err, "%s: only with --workload ipi|mixed",
				       cfg->ipi_opt);
		return 0;
	}
	if (cfg->ipi_every != 1 && cfg->workload != YL_WL_MIXED)
		return yl_errf(err, "--ipi-every: only with --workload mixed");
	if (cfg->nr_vcpus < 2)
		return yl_errf(err, "--workload %s: needs --vcpus 2 or more (IPIs go to other vCPUs)",
			       yl_workload_name(cfg->workload));
	if (cfg->ipi_targets > cfg->nr_vcpus - 1)
		return yl_errf(err, "--ipi-targets %u: allowed 1 to %u (--vcpus minus the sender)",
			       cfg->ipi_targets, cfg->nr_vcpus - 1);
	return 0;
}

int yl_cli_parse(struct yl_config *cfg, int argc, char **argv,
		 struct yl_err *err)
{
	int i;

	set_defaults(cfg);
	if (argc < 2)
		return yl_errf(err, "missing command: run|caps|bench exits|help (see yieldlab --help)");
	if (parse_command(cfg, argc, argv, &i, err))
		return -1;
	for (; i < argc; i++) {
		const char *arg = argv[i], *v, *name;
		unsigned int k;

		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			cfg->cmd = YL_CMD_HELP;
			return 0;
		}
		if (!strcmp(arg, "--quiet") && cfg->cmd == YL_CMD_RUN) {
			cfg->quiet = true;
			continue;
		}
		for (k = 0; k < ARRAY_SIZE(value_opts); k++)
			if (opt_is(arg, value_opts[k].name))
				break;
		if (k == ARRAY_SIZE(value_opts))
			return yl_errf(err, "unknown option '%s' (see yieldlab --help)", arg);
		name = value_opts[k].name;
		if (!(value_opts[k].cmds & (1u << cfg->cmd)))
			return yl_errf(err, "%s: not an option of '%s' (see yieldlab --help)",
				       name, cmd_name(cfg->cmd));
		v = opt_value(argc, argv, &i, arg, name, err);
		if (!v || parse_option(cfg, name, v, err))
			return -1;
		if (!strncmp(name, "--ipi-", 6))
			cfg->ipi_opt = name;
		if (!strcmp(name, "--policy") || !strcmp(name, "--target") ||
		    !strcmp(name, "--preset") || !strcmp(name, "--hz"))
			cfg->coop_opt = name;
	}
	return check_combination(cfg, err);
}

/*
 * Checks against this host's answer, still before anything is created:
 * the pCPU set must be inside our affinity mask (default: its first CPU),
 * and --guest must name a readable regular file that fits the image slot.
 */
int yl_cli_check_host(struct yl_config *cfg, const cpu_set_t *allowed,
		      struct yl_err *err)
{
	char want[256], have[256];
	cpu_set_t extra;
	struct stat st;
	int c;

	if (!cfg->pcpus_given) {
		CPU_ZERO(&cfg->pcpus);
		for (c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, allowed)) {
				CPU_SET(c, &cfg->pcpus);
				break;
			}
	}
	CPU_AND(&extra, &cfg->pcpus, allowed);
	if (!CPU_EQUAL(&extra, &cfg->pcpus)) {
		yl_format_cpulist(&cfg->pcpus, want, sizeof(want));
		yl_format_cpulist(allowed, have, sizeof(have));
		return yl_errf(err, "--pcpus %s: not inside this process's CPU affinity %s",
			       want, have);
	}
	if (!cfg->guest_path)
		return 0;
	if (stat(cfg->guest_path, &st))
		return yl_errf(err, "--guest %s: %s", cfg->guest_path,
			       strerror(errno));
	if (!S_ISREG(st.st_mode))
		return yl_errf(err, "--guest %s: not a regular file",
			       cfg->guest_path);
	if (st.st_size == 0 || (uint64_t)st.st_size > YL_IMAGE_MAX_FILE)
		return yl_errf(err, "--guest %s: %lld bytes, allowed 1 to %llu",
			       cfg->guest_path, (long long)st.st_size,
			       (unsigned long long)YL_IMAGE_MAX_FILE);
	return 0;
}

/* KVM's limit first, so that a host below the guest's limit is named. */
int yl_cli_check_kvm(const struct yl_config *cfg, unsigned int kvm_max_vcpus,
		     struct yl_err *err)
{
	if (cfg->nr_vcpus > kvm_max_vcpus)
		return yl_errf(err, "--vcpus %u: this host's KVM allows at most %u (KVM_CAP_MAX_VCPUS)",
			       cfg->nr_vcpus, kvm_max_vcpus);
	if (cfg->nr_vcpus > YL_MAX_VCPUS)
		return yl_errf(err, "--vcpus %u: yieldlab's guest supports at most %u",
			       cfg->nr_vcpus, YL_MAX_VCPUS);
	return 0;
}

uint64_t yl_effective_timeout_s(const struct yl_config *cfg)
{
	if (cfg->timeout_s)
		return cfg->timeout_s;
	return (cfg->duration_ms + 999) / 1000 + YL_DEF_TIMEOUT_SLACK_S;
}

void yl_usage(FILE *f)
{
	fputs(
"usage: yieldlab run [options]      run the spinlock guest and report\n"
"       yieldlab caps               what this host's KVM and scheduler offer\n"
"       yieldlab bench exits        cost per exit: yieldlab's loop vs bare KVM_RUN\n"
"       yieldlab bench handoff      coop hand-off latency vs a futex ping-pong\n"
"\n"
"run options:\n"
"  --vcpus N            vCPUs per VM (1-256 and at most what KVM allows,\n"
"                       default 4)\n"
"  --vms K              K guests, each with --vcpus vCPUs, all sharing\n"
"                       --pcpus; reported one by one and combined (1-16,\n"
"                       default 1)\n"
"  --pcpus LIST         physical CPUs the vCPU threads share, e.g. 0 or 0-3,6\n"
"                       (default: the first CPU of our affinity mask)\n"
"  --lock tas|ttas|ticket|mcs|qspinlock\n"
"                       lock algorithm (default ticket)\n"
"  --pv none|yield|halt waiting backend after --spin-threshold PAUSEs: spin\n"
"                       only; KVM_HC_SCHED_YIELD to a preempted holder (or the\n"
"                       waiter ahead); or HLT until the unlocker sends\n"
"                       KVM_HC_KICK_CPU, as Linux's pv spinlocks do (default none)\n"
"  --cs NS              critical-section length (default 1000)\n"
"  --think NS           time between release and next acquire (default 2000)\n"
"  --duration MS        lock phase length (default 1000)\n"
"  --spin-threshold N   PAUSEs before a paravirt action (default 4096)\n"
"  --timeout S          watchdog: stop a guest that has not finished after S\n"
"                       seconds (default duration + 60 s)\n"
"  --sched-feature [NO_]NAME\n"
"                       set a host scheduler feature (debugfs sched/features)\n"
"                       for the run; repeatable; restored on every exit, and\n"
"                       by the next start if the run was killed\n"
"  --pause-exits on|off PAUSE exits (pause-loop exiting) for this VM\n"
"                       (KVM_CAP_X86_DISABLE_EXITS; default: KVM's)\n"
"  --exit-tracepoint on|off\n"
"                       count kernel-side exits per reason with per-thread\n"
"                       perf counters on kvm:kvm_exit, where tracefs allows\n"
"                       (default on); off spares every vCPU context switch\n"
"                       the switching of those counters (bench handoff: off)\n"
"  --halt-poll-ns N     this VM's halt polling, 0-1000000000 (KVM_CAP_HALT_POLL;\n"
"                       default: the kvm module's halt_poll_ns)\n"
"  --cgroup PARENT      place the run in cgroup v2: PARENT/yieldlab.PID, one\n"
"                       threaded child per VM for its vCPU threads (PARENT\n"
"                       absolute, or under the cgroup2 mount; its children\n"
"                       must have the cpu controller); removed after the run\n"
"  --cpu-weight W[,W..] cpu.weight of each VM's cgroup, 1-10000: one for all\n"
"                       VMs or one per VM (default: the kernel's, 100)\n"
"  --sched host|coop    who schedules the vCPUs: the host kernel (KVM's yield_to\n"
"                       and paravirt interface), or yieldlab with sched/'s EEVDF\n"
"                       queues, one per --pcpus CPU, and yieldlab's paravirt\n"
"                       ports (default host)\n"
"  --policy none|yield|forfeit|lag-credit|handoff\n"
"                       coop: what a spin hint does (default none)\n"
"  --target hint|rr|ipi-pairs\n"
"                       coop: who a spin hint yields to (default hint)\n"
"  --preset 6.12|6.18   coop: the kernel whose EEVDF defaults sched/ follows\n"
"                       (default 6.18)\n"
"  --hz N               coop: the scheduler tick, as CONFIG_HZ, 100-1000\n"
"                       (default the preset's, 250)\n"
"  --sample-ms N        record every vCPU's KVM statistics and host schedstat\n"
"                       every N ms (1-60000) from a monitor thread, all in one\n"
"                       io_uring batch per tick; per-interval rates in the JSON\n"
"                       and a time-series summary in the table\n"
"  --json FILE          write every statistic as JSON\n"
"  --guest FILE         load another flat guest image (at most 1 MiB)\n"
"  --workload lock|ipi|mixed|exits|fault|hang\n"
"                       lock: spinlock contention; ipi: function-call IPIs;\n"
"                       mixed: a lock op then an IPI op; the others are for\n"
"                       tests (default lock)\n"
"  --ipi-via icr|hypercall\n"
"                       x2APIC ICR writes (logical per cluster for several\n"
"                       targets) or KVM_HC_SEND_IPI (default icr)\n"
"  --ipi-wait sync|async\n"
"                       sync: the sender spins until every target acked;\n"
"                       async: it waits only to reuse a target's slot\n"
"                       (default sync); --pv yield also yields once to a\n"
"                       preempted target after sending, as Linux does\n"
"  --ipi-targets K      targets per IPI, 1 (unicast) to vCPUs-1 (default 1)\n"
"  --ipi-every N        mixed: lock ops between IPI ops (default 1)\n"
"  --seccomp on|off     confine every thread to the system calls it needs once\n"
"                       set up (seccomp; a forbidden call stops the run,\n"
"                       exit 6); off for debugging (default on)\n"
"  --seccomp-probe main|vcpu|sampler\n"
"                       for tests: that thread tries a forbidden call (getppid)\n"
"  --quiet              no table on stdout (JSON and errors only)\n"
"bench exits options: --exits N (exits per round, default 20000), --pcpus,\n"
"  --timeout S (watchdog, default 60), --seccomp, --seccomp-probe vcpu\n"
"bench handoff options: --duration MS, --pcpus, --timeout S, --seccomp\n"
"\n"
"examples:\n"
"  yieldlab run                                  4 vCPUs on 1 pCPU, ticket lock\n"
"  yieldlab run --vcpus 8 --pcpus 0 --pv yield   8:1 with directed yield\n"
"  yieldlab run --vcpus 16 --pcpus 0-3 --lock tas --json out.json\n"
"  yieldlab caps\n"
"\n"
"exit codes: 0 ok, 1 a check failed or the guest panicked, 2 bad usage,\n"
"  3 host/KVM cannot do it, 4 guest fault or unhandled exit, 5 watchdog,\n"
"  6 a thread made a system call its seccomp filter forbids,\n"
"  130 stopped by a signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGALRM...)\n", f);
}
