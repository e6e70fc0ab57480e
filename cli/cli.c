// SPDX-License-Identifier: GPL-2.0
/*
 * Command line.  Everything here is untrusted input: every value is range
 * checked and every error is one line that says what was wrong and what is
 * allowed.  Each option is declared once, in yl_opts[]; parsing, defaults,
 * the per-command checks and all help (help.c) loop over it.  Nothing here
 * touches KVM or the host; the checks that need the host's answer take it
 * as an argument so they can be unit tested.
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

/* One value into the field the table names. */
static int opt_set(struct yl_config *cfg, const struct yl_opt *o,
		   const char *v, struct yl_err *err)
{
	char *field = (char *)cfg + o->field;
	unsigned int u;
	uint64_t x;

	switch (o->kind) {
	case YL_OPT_FLAG:
		*(bool *)field = true;
		return 0;
	case YL_OPT_ONOFF:
		if (yl_cli_parse_enum(o, v, &u, err))
			return -1;
		*(bool *)field = u == 0;	/* "on" */
		return 0;
	case YL_OPT_UINT:
		if (yl_cli_parse_u64(o->name, v, o->min, o->max, &x, err))
			return -1;
		*(unsigned int *)field = (unsigned int)x;
		return 0;
	case YL_OPT_U64:
		return yl_cli_parse_u64(o->name, v, o->min, o->max, (uint64_t *)field, err);
	case YL_OPT_ENUM:
		return yl_cli_parse_enum(o, v, (unsigned int *)field, err);
	case YL_OPT_STR:
		if (strlen(v) < o->min || strlen(v) > o->max)
			return yl_usagef(err, "%s: needs %s of 1 to %llu characters",
				       o->name, o->metavar,
				       (unsigned long long)o->max);
		*(const char **)field = v;
		return 0;
	case YL_OPT_FUNC:
		return o->parse(cfg, v, err);
	}
	return yl_usagef(err, "%s: no parser", o->name);
}

/* Every default is a value the option's own parser reads. */
static void set_defaults(struct yl_config *cfg)
{
	struct yl_err err;
	unsigned int k;

	memset(cfg, 0, sizeof(*cfg));
	cfg->cmd = YL_CMD_RUN;
	cfg->help_cmd = YL_CMD_NR;
	for (k = 0; k < YL_O_NR; k++)
		if (yl_opts[k].def && opt_set(cfg, &yl_opts[k], yl_opts[k].def, &err))
			abort();	/* a bad table: test_cli catches it */
}

/*
 * The commands' names joined by @sep: all, those under @under ("bench":
 * exits|handoff), or with @runs_only those that take options.  Every
 * list a user reads (errors, completion) comes from here.
 */
size_t yl_cmd_names(char *buf, size_t len, const char *under, bool runs_only,
		    const char *sep)
{
	size_t n = 0, u = under ? strlen(under) : 0;
	unsigned int k;

	if (len)
		buf[0] = 0;
	for (k = 0; k < YL_CMD_NR; k++) {
		const char *name = yl_cmds[k].name;

		if ((runs_only && yl_cmd_is_meta(k)) ||
		    (u && (strncmp(name, under, u) || name[u] != ' ')))
			continue;
		yl_cli_join(buf, len, &n, sep, name + (u ? u + 1 : 0));
	}
	return n;
}

/*
 * The command named by @first, or by @first and @second ("bench exits"),
 * or -1; *used says how many words it took.
 */
static int find_cmd(const char *first, const char *second, int *used)
{
	char two[64];
	int k;

	snprintf(two, sizeof(two), "%s %s", first, second ? second : "");
	for (k = 0; k < YL_CMD_NR; k++) {
		*used = !strcmp(first, yl_cmds[k].name) ? 1 :
			!strcmp(two, yl_cmds[k].name) ? 2 : 0;
		if (*used)
			return k;
	}
	return -1;
}

static bool is_help_flag(const char *s)
{
	return s && (!strcmp(s, "--help") || !strcmp(s, "-h"));
}

/* "bench": the first word of two-word commands, which alone names none. */
static bool is_cmd_group(const char *s)
{
	size_t n = strlen(s);
	int k;

	for (k = 0; k < YL_CMD_NR; k++)
		if (!strncmp(yl_cmds[k].name, s, n) && yl_cmds[k].name[n] == ' ')
			return true;
	return false;
}

static int parse_command(struct yl_config *cfg, int argc, char **argv,
			 int *i, struct yl_err *err)
{
	const char *c = argv[1];
	char names[128];
	int k, used;

	/* bench --help: the overview, which lists every bench command */
	if (is_cmd_group(c) && argc == 3 && is_help_flag(argv[2])) {
		cfg->cmd = YL_CMD_HELP;
		*i = 3;
		return 0;
	}
	if (!strcmp(c, "--help") || !strcmp(c, "-h"))
		c = "help";
	if (!strcmp(c, "--version"))
		c = "version";
	k = find_cmd(c, argc > 2 ? argv[2] : NULL, &used);
	if (k >= 0) {
		cfg->cmd = (enum yl_cmd)k;
		*i = 1 + used;
		return 0;
	}
	yl_cmd_names(names, sizeof(names), c, false, "|");
	if (*names)
		return yl_usagef(err, "%s '%s': unknown, allowed: %s", c,
			       argc > 2 ? argv[2] : "", names);
	yl_cmd_names(names, sizeof(names), NULL, false, "|");
	return yl_usagef(err, "command '%s': unknown, allowed: %s", c, names);
}

/* yieldlab help [COMMAND | --man | --bash-completion | --options] */
static int parse_help(struct yl_config *cfg, int argc, char **argv, int i,
		      struct yl_err *err)
{
	static const char *const fmts[] = {
		[YL_HELP_MAN] = "--man", [YL_HELP_BASH] = "--bash-completion",
		[YL_HELP_OPTIONS] = "--options",
	};
	char names[128];
	int k, used;

	if (i >= argc)
		return 0;
	if (i + 1 == argc && (is_help_flag(argv[i]) || is_cmd_group(argv[i])))
		return 0;	/* help --help, help bench: the overview */
	for (k = YL_HELP_MAN; k < (int)ARRAY_SIZE(fmts) && i + 1 == argc; k++)
		if (!strcmp(argv[i], fmts[k])) {
			cfg->help_fmt = (unsigned int)k;
			return 0;
		}
	k = find_cmd(argv[i], i + 1 < argc ? argv[i + 1] : NULL, &used);
	if (k >= 0 && i + used == argc) {
		cfg->help_cmd = (enum yl_cmd)k;
		return 0;
	}
	yl_cmd_names(names, sizeof(names), NULL, true, "|");
	return yl_usagef(err, "help: allowed one command (%s), --man, --bash-completion or --options",
		       names);
}

static const struct yl_opt *find_opt(const char *arg)
{
	unsigned int k;

	for (k = 0; k < YL_O_NR; k++) {
		size_t n = strlen(yl_opts[k].name);

		if (!strncmp(arg, yl_opts[k].name, n) &&
		    (arg[n] == 0 || (arg[n] == '=' && yl_opts[k].kind != YL_OPT_FLAG)))
			return &yl_opts[k];
	}
	return NULL;
}

/* Splits "--opt=value" or takes the next argument as the value. */
static const char *opt_value(int argc, char **argv, int *i,
			     const struct yl_opt *o, struct yl_err *err)
{
	const char *arg = argv[*i];
	size_t n = strlen(o->name);

	if (o->kind == YL_OPT_FLAG)
		return "";
	if (arg[n] == '=' && !o->parse2)
		return arg + n + 1;
	if (*i + 1 + !!o->parse2 >= argc || arg[n] == '=') {
		yl_usagef(err, "%s: needs %s (see yieldlab help)", o->name,
			o->parse2 ? o->metavar : "a value");
		return NULL;
	}
	return argv[++*i];
}

/* compare: a run option's value is kept as given, a list to sweep. */
static int keep_raw(struct yl_config *cfg, const struct yl_opt *o,
		    const char *v, struct yl_err *err)
{
	if (cfg->nr_raw >= YL_MAX_RAW_OPTS)
		return yl_usagef(err, "compare: more than %u run options",
			       YL_MAX_RAW_OPTS);
	cfg->raw[cfg->nr_raw].opt = (unsigned int)(o - yl_opts);
	cfg->raw[cfg->nr_raw++].val = v;
	return 0;
}

/* merge: the directories, the only arguments that are not options. */
static int keep_path(struct yl_config *cfg, const char *arg, struct yl_err *err)
{
	if (cfg->cmd != YL_CMD_MERGE)
		return yl_usagef(err, "unknown option '%s' (see yieldlab help %s)",
			       arg, yl_cmds[cfg->cmd].name);
	if (cfg->nr_paths >= YL_MAX_PATHS)
		return yl_usagef(err, "merge: more than %u directories", YL_MAX_PATHS);
	cfg->paths[cfg->nr_paths++] = arg;
	return 0;
}

static int set_opt(struct yl_config *cfg, const struct yl_opt *o, int argc,
		   char **argv, int *i, struct yl_err *err)
{
	const char *v;

	if (cfg->cmd == YL_CMD_COMPARE && !yl_opt_takes(o, cfg->cmd) &&
	    yl_opt_is_axis(o)) {
		v = opt_value(argc, argv, i, o, err);
		return v ? keep_raw(cfg, o, v, err) : -1;
	}
	if (!yl_opt_takes(o, cfg->cmd))
		return yl_usagef(err, "%s: not an option of '%s' (see yieldlab help %s)",
			       o->name, yl_cmds[cfg->cmd].name,
			       yl_cmds[cfg->cmd].name);
	v = opt_value(argc, argv, i, o, err);
	if (!v)
		return -1;
	if (o->parse2 ? o->parse2(cfg, v, argv[++*i], err) : opt_set(cfg, o, v, err))
		return -1;
	yl_set_given(cfg, (enum yl_opt_id)(o - yl_opts));
	return 0;
}

static int parse_args(struct yl_config *cfg, int argc, char **argv, int i,
		      struct yl_err *err)
{
	for (; i < argc; i++) {
		const struct yl_opt *o;

		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			cfg->help_cmd = cfg->cmd;
			cfg->cmd = YL_CMD_HELP;
			return 0;
		}
		o = find_opt(argv[i]);
		if (!o && argv[i][0] != '-' && keep_path(cfg, argv[i], err))
			return -1;
		if (!o && argv[i][0] == '-')
			return yl_usagef(err, "unknown option '%s' (see yieldlab help %s)",
				       argv[i], yl_cmds[cfg->cmd].name);
		if (o && set_opt(cfg, o, argc, argv, &i, err))
			return -1;
	}
	return 0;
}

/* The first option given from @group, or NULL. */
static const char *given_of(const struct yl_config *cfg, enum yl_opt_group g)
{
	unsigned int k;

	for (k = 0; k < YL_O_NR; k++)
		if (yl_opts[k].group == g && yl_given(cfg, (enum yl_opt_id)k))
			return yl_opts[k].name;
	return NULL;
}

/* What one option allows depends on another: checked once all are read. */
static int check_cgroup(const struct yl_config *cfg, struct yl_err *err)
{
	if (cfg->nr_weights && !cfg->cgroup_parent && cfg->sched != YL_SCHED_COOP &&
	    cfg->cmd != YL_CMD_SIM)
		return yl_usagef(err, "--cpu-weight: only with --cgroup PARENT or --sched coop");
	if (cfg->cgroup_parent && cfg->sched == YL_SCHED_COOP)
		return yl_usagef(err, "--cgroup: not with --sched coop, whose VMs are groups of its own scheduler (--cpu-weight sets their shares)");
	if (cfg->nr_weights > 1 && cfg->nr_weights != cfg->nr_vms)
		return yl_usagef(err, "--cpu-weight: %u values for %u VMs; allowed: one, or one per VM",
			       cfg->nr_weights, cfg->nr_vms);
	return 0;
}

/*
 * sim: the workloads it models; in host mode the kernel's yield_to() and
 * kvm_vcpu_on_spin() decide, but sched/'s model of that kernel (preset,
 * tick, flat, credit budget) and the timeline apply to both modes.
 */
static int check_sim(const struct yl_config *cfg, struct yl_err *err)
{
	if (!yl_wl_has_locks(cfg->workload) && !yl_wl_has_ipis(cfg->workload))
		return yl_usagef(err, "sim --workload %s: allowed lock, ipi, mixed",
			       yl_workload_name(cfg->workload));
	/* host mode: the kernel's yield_to(), mainline's or the seed's */
	if (cfg->sched != YL_SCHED_COOP && yl_given(cfg, YL_O_POLICY) &&
	    !cfg->policy->kernel_path)
		return yl_usagef(err, "sim --sched host --policy %s: allowed forfeit (mainline's yield_to()) or lag-credit (the seed's), the policies a host kernel carries out",
			       cfg->policy->name);
	if (cfg->sched != YL_SCHED_COOP && cfg->target == YL_TARGET_HINT &&
	    yl_given(cfg, YL_O_TARGET))
		return yl_usagef(err, "sim --sched host --target hint: allowed rr (kvm_vcpu_on_spin()'s order) or ipi-pairs (the seed's), whom a PAUSE exit yields to");
	if (yl_given(cfg, YL_O_TIMELINE_EVENTS) && !cfg->timeline_path)
		return yl_usagef(err, "--timeline-events: only with --timeline FILE");
	return 0;
}

/* Coop mode: IPIs go through yieldlab's port; --timeline-events with --timeline. */
static int check_coop(const struct yl_config *cfg, struct yl_err *err)
{
	const char *o = given_of(cfg, YL_GRP_COOP);

	if (cfg->cmd == YL_CMD_SIM)
		return check_sim(cfg, err);
	if (cfg->sched != YL_SCHED_COOP) {
		if (o)
			return yl_usagef(err, "%s: only with --sched coop", o);
		if (cfg->think_mode == YL_GMODE_USER)
			return yl_usagef(err, "--think-mode user: only with --sched coop or in sim; on a host kernel the guest, which runs in ring 0 only, is always preempted in kernel mode");
		return 0;
	}
	if (yl_given(cfg, YL_O_TIMELINE_EVENTS) && !cfg->timeline_path)
		return yl_usagef(err, "--timeline-events: only with --timeline FILE");
	if (yl_given(cfg, YL_O_IPI_VIA))
		return yl_usagef(err, "--ipi-via: not with --sched coop, whose guest sends IPIs through yieldlab's port");
	return 0;
}

/*
 * compare: --resume takes its plan from DIR (--reps N with it extends
 * the plan by rounds); --emit and --only need --out
 */
static int check_compare(const struct yl_config *cfg, struct yl_err *err)
{
	static const enum yl_opt_id not_with_resume[] = {
		YL_O_PLAN, YL_O_SEED, YL_O_BASELINE, YL_O_CONFIDENCE,
		YL_O_OUT, YL_O_ONLY, YL_O_EMIT,	/* --reps: more rounds of it */
	};
	unsigned int k;

	if (cfg->cmd == YL_CMD_MERGE && !cfg->nr_paths)
		return yl_usagef(err, "merge: needs one or more compare directories");
	if (cfg->cmd != YL_CMD_COMPARE)
		return 0;
	for (k = 0; k < ARRAY_SIZE(not_with_resume) && yl_given(cfg, YL_O_RESUME); k++)
		if (yl_given(cfg, not_with_resume[k]))
			return yl_usagef(err, "%s: not with --resume, which continues DIR's own plan",
				       yl_opts[not_with_resume[k]].name);
	if (yl_given(cfg, YL_O_RESUME) && cfg->nr_raw)
		return yl_usagef(err, "%s: not with --resume, which continues DIR's own plan",
			       yl_opts[cfg->raw[0].opt].name);
	if (yl_given(cfg, YL_O_EMIT) && yl_given(cfg, YL_O_ONLY))
		return yl_usagef(err, "--emit: not with --only (its commands use --only)");
	if ((yl_given(cfg, YL_O_EMIT) || yl_given(cfg, YL_O_ONLY)) &&
	    !yl_given(cfg, YL_O_OUT))
		return yl_usagef(err, "%s: needs --out DIR, where each run writes",
			       yl_given(cfg, YL_O_EMIT) ? "--emit" : "--only");
	return 0;
}

static int check_combination(const struct yl_config *cfg, struct yl_err *err)
{
	const char *o = given_of(cfg, YL_GRP_IPI);

	if (check_compare(cfg, err))
		return -1;

	if (check_cgroup(cfg, err) || check_coop(cfg, err))
		return -1;
	if (yl_given(cfg, YL_O_SPIN_US) && yl_given(cfg, YL_O_SPIN_THRESHOLD))
		return yl_usagef(err, "--spin-threshold: not with --spin-us; allowed one budget, a time or a count of PAUSEs");
	if (!yl_wl_has_ipis(cfg->workload)) {
		if (o)
			return yl_usagef(err, "%s: only with --workload ipi|mixed", o);
		return 0;
	}
	if (cfg->ipi_every != 1 && cfg->workload != YL_WL_MIXED)
		return yl_usagef(err, "--ipi-every: only with --workload mixed");
	if (cfg->nr_vcpus < 2)
		return yl_usagef(err, "--workload %s: needs --vcpus 2 or more (IPIs go to other vCPUs)",
			       yl_workload_name(cfg->workload));
	if (cfg->ipi_targets > cfg->nr_vcpus - 1)
		return yl_usagef(err, "--ipi-targets %u: allowed 1 to %u (--vcpus minus the sender)",
			       cfg->ipi_targets, cfg->nr_vcpus - 1);
	return 0;
}

int yl_cli_parse(struct yl_config *cfg, int argc, char **argv,
		 struct yl_err *err)
{
	char names[128];
	int i = 1;	/* the first argument after the command, once known */

	set_defaults(cfg);
	if (argc < 2) {
		yl_cmd_names(names, sizeof(names), NULL, false, "|");
		return yl_usagef(err, "missing command: %s (see yieldlab help)", names);
	}
	if (parse_command(cfg, argc, argv, &i, err))
		return -1;
	if (cfg->cmd == YL_CMD_HELP)
		return parse_help(cfg, argc, argv, i, err);
	if (cfg->cmd == YL_CMD_VERSION && i < argc)
		return yl_usagef(err, "version: takes no arguments");
	if (parse_args(cfg, argc, argv, i, err))
		return -1;
	return cfg->cmd == YL_CMD_HELP ? 0 : check_combination(cfg, err);
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

	if (!yl_given(cfg, YL_O_PCPUS)) {
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
		return yl_usagef(err, "--pcpus %s: not inside this process's CPU affinity %s",
			       want, have);
	}
	if (!cfg->guest_path)
		return 0;
	if (stat(cfg->guest_path, &st))
		return yl_usagef(err, "--guest %s: %s", cfg->guest_path,
			       strerror(errno));
	if (!S_ISREG(st.st_mode))
		return yl_usagef(err, "--guest %s: not a regular file",
			       cfg->guest_path);
	if (st.st_size == 0 || (uint64_t)st.st_size > YL_IMAGE_MAX_FILE)
		return yl_usagef(err, "--guest %s: %lld bytes, allowed 1 to %llu",
			       cfg->guest_path, (long long)st.st_size,
			       (unsigned long long)YL_IMAGE_MAX_FILE);
	return 0;
}

/* KVM's limit; the guest's (YL_MAX_VCPUS) was checked by the parser. */
int yl_cli_check_kvm(const struct yl_config *cfg, unsigned int kvm_max_vcpus,
		     struct yl_err *err)
{
	if (cfg->nr_vcpus > kvm_max_vcpus)
		return yl_usagef(err, "--vcpus %u: this host's KVM allows at most %u (KVM_CAP_MAX_VCPUS)",
			       cfg->nr_vcpus, kvm_max_vcpus);
	return 0;
}

/*
 * --yield-to auto: host mode keeps Linux guests' test (yield only to a
 * vCPU shown preempted), coop always names whose turn it is, since its
 * hint stands for the PAUSE-loop exit, which KVM takes preempted or not.
 */
unsigned int yl_yield_to(const struct yl_config *c)
{
	if (c->yield_to < YL_YIELD_TO_NR)
		return c->yield_to;
	return c->sched == YL_SCHED_COOP ? YL_YIELD_TO_TURN : YL_YIELD_TO_PREEMPTED;
}

/*
 * --ipi-yield auto keeps what --pv yield has always meant for an IPI's
 * sender: one yield, to the first target shown preempted.  A workload
 * without IPIs has no sender.
 */
unsigned int yl_ipi_yield(const struct yl_config *c)
{
	if (!yl_wl_has_ipis(c->workload))
		return YL_IPI_YIELD_NONE;
	if (c->ipi_yield < YL_IPI_YIELD_NR)
		return c->ipi_yield;
	return c->pv == YL_PV_YIELD ? YL_IPI_YIELD_FIRST : YL_IPI_YIELD_NONE;
}

/*
 * The one place a run's options become sched/'s parameters, for coop and
 * sim alike: the preset's, then each option that was given.
 */
int yl_cfg_sched_params(const struct yl_config *c, unsigned int ncpus,
			struct yl_sched_params *p)
{
	if (yl_sched_params_preset(p, c->preset, ncpus))
		return -1;
	if (c->hz)
		p->tick_ns = 1000000000ull / c->hz;	/* TICK_NSEC */
	p->flat = c->flat;
	p->credit_budget_pct = c->credit_budget;
	if (yl_given(c, YL_O_CREDIT_CURR))
		p->credit_curr = c->credit_curr;
	if (yl_given(c, YL_O_CREDIT_PCT))
		p->credit_pct = c->credit_pct;
	if (yl_given(c, YL_O_CREDIT_DEPTH))
		p->credit_depth_max = c->credit_depth;
	if (yl_given(c, YL_O_CREDIT_RESCHED_NS))
		p->credit_resched_ns = c->credit_resched_ns;
	return 0;
}

/* --cpu-weight for VM k: one value for all VMs, or one each; 0 if not given. */
unsigned int yl_vm_cpu_weight(const struct yl_config *cfg, unsigned int k)
{
	if (!cfg->nr_weights)
		return 0;
	return cfg->cpu_weight[cfg->nr_weights == 1 ? 0 : k];
}

uint64_t yl_effective_timeout_s(const struct yl_config *cfg)
{
	if (cfg->timeout_s)
		return cfg->timeout_s;
	if (cfg->cmd == YL_CMD_BENCH_EXITS)
		return YL_DEF_BENCH_TIMEOUT_S;
	return (cfg->duration_ms + 999) / 1000 + YL_DEF_TIMEOUT_SLACK_S;
}
