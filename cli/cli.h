/* SPDX-License-Identifier: GPL-2.0 */
#ifndef YL_CLI_H
#define YL_CLI_H

/*
 * The command line: one table of commands and one of options (cli.c)
 * drive parsing, the which-command-takes-what checks, the usage text,
 * the man page and bash completion (help.c), so none can drift.
 */
#include <stdio.h>
#include "config.h"
#include "lib/util.h"

enum yl_opt_kind {
	YL_OPT_FLAG,		/* no value: sets a bool */
	YL_OPT_ONOFF,		/* on|off into a bool */
	YL_OPT_UINT,		/* decimal in [min, max] into an unsigned int */
	YL_OPT_U64,		/* decimal in [min, max] into a uint64_t */
	YL_OPT_ENUM,		/* one of name_at()'s names, its index */
	YL_OPT_STR,		/* a non-empty string, at most max characters */
	YL_OPT_FUNC,		/* parse() does it */
};

/* What an option is for: the usage text's sections, and some rules. */
enum yl_opt_group {
	YL_GRP_WORKLOAD,	/* the guest and what it runs on */
	YL_GRP_IPI,		/* only with --workload ipi|mixed */
	YL_GRP_HOST,		/* who schedules, and the host's knobs */
	YL_GRP_COOP,		/* only with --sched coop */
	YL_GRP_OUTPUT,		/* measurement and output */
	YL_GRP_SAFETY,		/* watchdog and sandbox */
	YL_GRP_TEST,		/* for yieldlab's own tests */
	YL_GRP_COMPARE,		/* sweeps: compare and merge */
	YL_GRP_SIM,		/* sim only: costs, calibration */
	YL_GRP_NR
};

/* struct yl_opt's flags */
#define YL_OF_LIST	1u	/* the value may hold commas: compare sweeps repeats */
#define YL_OF_NO_AXIS	2u	/* a run option compare sets itself */
#define YL_OF_SETTING	4u	/* the tool's setting, not the experiment's: compare
				   gives every run all its values, never sweeps it */

struct yl_opt {
	const char *name;		/* "--vcpus" */
	const char *metavar;		/* "N"; enums list their names instead */
	enum yl_opt_kind kind;
	enum yl_opt_group group;
	unsigned int cmds;		/* 1 << enum yl_cmd, per command */
	size_t field;			/* offsetof(struct yl_config, ...) */
	uint64_t min, max;
	const char *(*name_at)(unsigned int i);	/* NULL past the end */
	int (*parse)(struct yl_config *cfg, const char *v, struct yl_err *err);
	const char *def;		/* parsed before the arguments */
	const char *def_doc;		/* the default, when not a value */
	const char *help;
	unsigned int flags;		/* YL_OF_* */
	/* an option with two values (--emit KIND FILE): parse2, not parse */
	int (*parse2)(struct yl_config *cfg, const char *v, const char *v2,
		      struct yl_err *err);
};

struct yl_cmd_desc {
	const char *name;		/* "bench exits" */
	const char *args;
	const char *summary;
};

extern const struct yl_opt yl_opts[YL_O_NR];
extern const struct yl_cmd_desc yl_cmds[YL_CMD_NR];
extern const char *const yl_group_titles[YL_GRP_NR];

int yl_cli_parse(struct yl_config *cfg, int argc, char **argv,
		 struct yl_err *err);
int yl_cli_check_host(struct yl_config *cfg, const cpu_set_t *allowed,
		      struct yl_err *err);
int yl_cli_check_kvm(const struct yl_config *cfg, unsigned int kvm_max_vcpus,
		     struct yl_err *err);
int yl_parse_cpulist(const char *s, cpu_set_t *set, struct yl_err *err);
void yl_format_cpulist(const cpu_set_t *set, char *buf, size_t len);
uint64_t yl_effective_timeout_s(const struct yl_config *cfg);
unsigned int yl_vm_cpu_weight(const struct yl_config *cfg, unsigned int k);
size_t yl_opt_names(const struct yl_opt *o, char *buf, size_t len);
size_t yl_cmd_names(char *buf, size_t len, const char *under, bool runs_only,
		    const char *sep);

/* help and version take no options and run nothing. */
static inline bool yl_cmd_is_meta(unsigned int cmd)
{
	return cmd == YL_CMD_HELP || cmd == YL_CMD_VERSION;
}

static inline bool yl_opt_takes(const struct yl_opt *o, unsigned int cmd)
{
	return cmd < YL_CMD_NR && (o->cmds & (1u << cmd));
}

/* compare takes every run (and sim) option but those it sets, as a list of values */
static inline bool yl_opt_is_axis(const struct yl_opt *o)
{
	return (yl_opt_takes(o, YL_CMD_RUN) || yl_opt_takes(o, YL_CMD_SIM)) &&
	       !(o->flags & YL_OF_NO_AXIS);
}

/* ...so its help, man page and completion list them too */
static inline bool yl_opt_listed(const struct yl_opt *o, unsigned int cmd)
{
	return yl_opt_takes(o, cmd) || (cmd == YL_CMD_COMPARE && yl_opt_is_axis(o));
}

/* help.c: everything a user reads about the command line */
enum yl_help_format {
	YL_HELP_TEXT,		/* yieldlab help [COMMAND] */
	YL_HELP_MAN,		/* yieldlab help --man: yieldlab(1) */
	YL_HELP_BASH,		/* yieldlab help --bash-completion */
	YL_HELP_OPTIONS,	/* yieldlab help --options: one per line */
};
const char *yl_thread_kind_name(unsigned int kind);

const char *yl_lock_name(unsigned int lock);
const char *yl_pv_name(unsigned int pv);
const char *yl_yield_to_name(unsigned int yt);
/* --yield-to as the guest gets it: auto resolved for the --sched mode */
unsigned int yl_yield_to(const struct yl_config *c);
const char *yl_workload_name(unsigned int wl);
const char *yl_ipi_via_name(unsigned int via);
const char *yl_ipi_wait_name(unsigned int wait);
const char *yl_ipi_yield_name(unsigned int yield);
const char *yl_guest_mode_name(unsigned int mode);
/* --ipi-yield as the guest gets it: auto resolved, none without IPIs */
unsigned int yl_ipi_yield(const struct yl_config *c);
/* sched/'s parameters for a run or sim: the preset, then the options given */
int yl_cfg_sched_params(const struct yl_config *c, unsigned int ncpus,
			struct yl_sched_params *p);
const char *yl_sched_mode_name(unsigned int mode);
const char *yl_pause_exits_name(unsigned int pe);
const char *yl_ipi_path_name(const struct yl_config *cfg);
const char *yl_policy_name(const struct yl_config *cfg);
const char *yl_mode_name(unsigned int mode);
const char *yl_emit_name(unsigned int emit);

#endif
