/* SPDX-License-Identifier: GPL-2.0 */
/* Help, man page and bash completion, made from cli/'s option table. */
#ifndef YL_HELP_H
#define YL_HELP_H

#include <stdio.h>
#include "cli/cli.h"

void yl_usage(FILE *f, enum yl_cmd cmd);
int yl_help(FILE *f, enum yl_help_format fmt, enum yl_cmd cmd);

#endif
