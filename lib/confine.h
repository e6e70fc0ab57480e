/* SPDX-License-Identifier: GPL-2.0 */
#ifndef YL_CONFINE_H
#define YL_CONFINE_H

#include <stdbool.h>
#include <sys/capability.h>
#include "util.h"

bool yl_cap_effective(cap_value_t c);
int yl_drop_bounding(void);
int yl_drop_all_caps(struct yl_err *err);
int yl_sandbox_tool(int *exec_fds, unsigned int n, bool no_rings,
		    struct yl_err *err);

#endif
