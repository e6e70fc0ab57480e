/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a number came from: the host (name, CPU model, cores), its
 * kernel and KVM module, what about the platform makes its numbers
 * unlike hardware's, yieldlab's version, when, and the command line.
 * Taken once at start; every JSON file carries it (yj_header()) and
 * compare's summaries print it, so a number pasted into a mail can be
 * traced.
 */
#ifndef YL_PROVENANCE_H
#define YL_PROVENANCE_H

#include <stdio.h>
#include "json.h"

struct yl_prov {
	char hostname[65];
	char cpu_model[128];
	unsigned int cores;		/* online */
	char kernel[65];
	char kvm_module[32];
	char caveats[320];		/* "" on hardware */
	char started[32];		/* UTC, ISO 8601 */
	char cmdline[2048];		/* shell-quoted, control bytes as ? */
};

void yl_prov_init(int argc, char **argv, const char *kvm_module);
const struct yl_prov *yl_prov(void);
void yl_prov_caveats(char *buf, size_t len, const char *kvm_module,
		     const char *cpu_model);
void yj_prov(struct yj *j);
void yl_prov_line(FILE *f);

#endif
