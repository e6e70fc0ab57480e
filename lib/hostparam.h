/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host parameters of a host kernel built from kernel/ (docs/kernel.md):
 * its module parameters and debugfs knobs, each one's name, file and
 * allowed values in one table.  --host-param sets them (cli/hostparam.c,
 * vmm/host/knobs.c), the crash-safety record names them, a run reads them
 * into its JSON (vmm/stats/kcredit.c).  A name is never a path: only the
 * table's files are ever read or written.
 */
#ifndef YL_LIB_HOSTPARAM_H
#define YL_LIB_HOSTPARAM_H

#include <stddef.h>
#include <stdint.h>

#define YL_MAX_HOST_PARAMS	8
#define YL_HOST_PARAM_LEN	40	/* a name, with its NUL */
#define YL_HOST_PARAM_VLEN	24	/* a value as its file shows it */

/* The table's entries; the sched.yield_credit_* knobs in a row. */
enum yl_hp_id {
	YL_HP_IPI_FILTER, YL_HP_RELAXED_BOOST, YL_HP_IPI_WINDOW_NS,
	YL_HP_CREDIT_CURR, YL_HP_CREDIT_PCT, YL_HP_CREDIT_DEPTH,
	YL_HP_CREDIT_RESCHED_NS, YL_HP_NR
};

enum yl_hp_kind {
	YL_HP_BOOL,	/* a module parameter's bool: Y or N */
	YL_HP_U64,	/* a decimal in [min, max] */
};

struct yl_host_param {
	const char *name;	/* as --host-param takes it */
	const char *path;
	enum yl_hp_kind kind;
	uint64_t min, max;
	const char *what;
};

extern const struct yl_host_param yl_host_params[YL_HP_NR];

int yl_host_param_find(const char *name, size_t len);
int yl_host_param_parse(enum yl_hp_kind kind, uint64_t min, uint64_t max,
			const char *text, uint64_t *v);
int yl_host_param_read(const char *path, enum yl_hp_id id, uint64_t *v);
int yl_host_param_write(const char *path, enum yl_hp_id id, uint64_t v);
void yl_host_param_format(enum yl_hp_id id, uint64_t v, char *buf, size_t len);
const char *yl_host_param_names(void);

#endif
