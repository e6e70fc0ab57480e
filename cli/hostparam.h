/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host parameters a run may set for its duration (--host-param NAME=VALUE):
 * the module parameters and debugfs knobs of a host kernel built from
 * kernel/ (docs/kernel.md).  One table holds each one's name, file and
 * allowed values; the option, the crash-safety record, the JSON and the
 * docs all go by it.  A name is never a path: only the table's files are
 * ever written.
 */
#ifndef YL_HOSTPARAM_H
#define YL_HOSTPARAM_H

#include <stddef.h>
#include <stdint.h>

#define YL_MAX_HOST_PARAMS	8
#define YL_HOST_PARAM_LEN	40	/* a name, with its NUL */
#define YL_HOST_PARAM_VLEN	24	/* a value as its file shows it */

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

extern const struct yl_host_param yl_host_params[];
extern const unsigned int yl_nr_host_params;

int yl_host_param_find(const char *name, size_t len);
int yl_host_param_parse(const struct yl_host_param *p, const char *text,
			uint64_t *v);
void yl_host_param_format(const struct yl_host_param *p, uint64_t v,
			  char *buf, size_t len);
const char *yl_host_param_names(void);

struct yl_config;
struct yl_err;
int yl_parse_host_param(struct yl_config *cfg, const char *v,
			 struct yl_err *err);

#endif
