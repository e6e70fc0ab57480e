/* SPDX-License-Identifier: GPL-2.0 */
/* --host-param NAME=VALUE: the option's parser over lib/hostparam.h's table. */
#ifndef YL_HOSTPARAM_H
#define YL_HOSTPARAM_H

#include "lib/hostparam.h"

struct yl_config;
struct yl_err;
int yl_parse_host_param(struct yl_config *cfg, const char *v,
			struct yl_err *err);

#endif
