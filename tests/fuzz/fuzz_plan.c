// SPDX-License-Identifier: GPL-2.0
/*
 * compare's and sim's side of the command line: a plan file (the bytes
 * up to the first NUL) and compare, merge or sim arguments (the rest,
 * NUL-separated).  The plan is built, checked cell by cell with run's
 * parser, written back and read again, its labels and every cell's and
 * --emit's command lines made; a sim command's configuration is built.
 * Every error is one printable line, and a plan written back reads back
 * to the same text (what --resume and merge rely on).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "compare/compare.h"
#include "sim/cmd/simcmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static void one_line(const struct yl_err *err)
{
	size_t i;

	for (i = 0; err->msg[i]; i++)
		if ((unsigned char)err->msg[i] < 0x20)
			abort();
}

static void plan_text_roundtrip(const struct yl_plan *p, const char *path)
{
	struct yl_config *cfg = calloc(1, sizeof(*cfg));
	char *text = yl_plan_text(p), *again = NULL;
	char *argv[] = { "yieldlab", "compare", "--plan", (char *)path, NULL };
	struct yl_plan q;
	struct yl_err err;
	FILE *f;

	if (!cfg || !text || !(f = fopen(path, "w"))) {
		free(cfg);
		free(text);
		return;
	}
	fputs(text, f);
	fclose(f);
	if (yl_cli_parse(cfg, 4, argv, &err) || yl_plan_build(&q, cfg, &err))
		abort();	/* what compare wrote, compare must read */
	again = yl_plan_text(&q);
	if (!again || strcmp(text, again))
		abort();
	yl_plan_free(&q);
	free(again);
	free(text);
	free(cfg);
}

static void use_plan(const struct yl_config *cfg, const char *path)
{
	const char *argv[2 * YL_MAX_AXES * YL_MAX_AXIS_VALUES + 16];
	static char lists[YL_PLAN_ARGS_BYTES];
	struct yl_plan p;
	struct yl_err err;
	char label[512];
	unsigned int c;

	if (yl_plan_build(&p, cfg, &err)) {
		one_line(&err);
		yl_plan_free(&p);
		return;
	}
	if (yl_plan_check(&p, false, &err))
		one_line(&err);
	for (c = 0; c < p.nr_cells && c < 64; c++) {
		yl_plan_label(&p, c, label, sizeof(label));
		yl_plan_run_args(&p, c, argv, YL_MAX_RUN_ARGS);
	}
	yl_plan_args(&p, argv, (int)(sizeof(argv) / sizeof(argv[0])), lists, sizeof(lists));
	plan_text_roundtrip(&p, path);
	yl_plan_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *copy = malloc(len + 1), *argv[34] = { "yieldlab" }, *p, path[64];
	const char *end;
	struct yl_config *cfg = calloc(1, sizeof(*cfg));
	struct yl_sim_config sc;
	struct yl_simcmd cmd;
	struct yl_err err;
	int argc = 1;
	FILE *f;

	if (!copy || !cfg)
		goto out;
	memcpy(copy, data, len);
	copy[len] = 0;
	snprintf(path, sizeof(path), "fuzz-plan.%d", (int)getpid());
	f = fopen(path, "w");
	if (!f)
		goto out;
	fputs(copy, f);		/* the plan: up to the first NUL */
	fclose(f);
	end = copy + len;
	for (p = copy + strlen(copy) + 1; argc < 31 && p < end; p += strlen(p) + 1)
		argv[argc++] = p;
	if (argc == 1)
		argv[argc++] = "compare";
	if (!strcmp(argv[1], "compare")) {
		argv[argc++] = "--plan";
		argv[argc++] = path;
	}
	argv[argc] = NULL;
	if (yl_cli_parse(cfg, argc, argv, &err)) {
		one_line(&err);
		goto out;
	}
	cfg->nr_calib = 0;	/* no files from the fuzzer */
	if (cfg->cmd == YL_CMD_COMPARE)
		use_plan(cfg, path);
	else if (cfg->cmd == YL_CMD_SIM && yl_simcmd_config(cfg, &sc, &cmd, &err))
		one_line(&err);
	unlink(path);
out:
	free(cfg);
	free(copy);
	return 0;
}
