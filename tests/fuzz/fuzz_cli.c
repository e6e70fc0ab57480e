// SPDX-License-Identifier: GPL-2.0
/*
 * The command line: NUL-separated arguments, parsed and checked against
 * a host as yieldlab would, every error one printable line.
 */
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *copy = malloc(len + 1), *argv[34] = { "yieldlab" }, *p;
	struct yl_config cfg;
	struct yl_err err;
	cpu_set_t allowed;
	int argc = 1;
	size_t i;

	if (!copy)
		return 0;
	memcpy(copy, data, len);
	copy[len] = 0;
	for (p = copy; argc < 33 && p <= copy + len; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	CPU_ZERO(&allowed);
	CPU_SET(0, &allowed);
	CPU_SET(1, &allowed);
	if (!yl_cli_parse(&cfg, argc, argv, &err)) {
		cfg.guest_path = NULL;	/* no files from the fuzzer */
		yl_cli_check_host(&cfg, &allowed, &err);
		yl_cli_check_kvm(&cfg, 1024, &err);
	} else {
		for (i = 0; err.msg[i]; i++)
			if ((unsigned char)err.msg[i] < 0x20)
				abort();	/* errors are one printable line */
	}
	yl_parse_cpulist(argv[1], &allowed, &err);
	free(copy);
	return 0;
}
