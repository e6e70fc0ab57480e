/* SPDX-License-Identifier: GPL-2.0 */
/* What the parser (cli.c) shares with the option table's file (options.c). */
#ifndef YL_CLI_OPTIONS_H
#define YL_CLI_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include "cli.h"

void yl_cli_join(char *buf, size_t len, size_t *n, const char *sep, const char *s);
int yl_cli_parse_enum(const struct yl_opt *o, const char *val, unsigned int *out,
		      struct yl_err *err);
int yl_cli_parse_u64(const char *opt, const char *val, uint64_t min, uint64_t max,
		     uint64_t *out, struct yl_err *err);

#endif
