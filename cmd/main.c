// SPDX-License-Identifier: GPL-2.0
#include <signal.h>
#include <stdio.h>
#include "vmm/host/privs.h"
#include "out/provenance.h"
#include "vmm/vm.h"
#include "vmm/run/run.h"
#include "lib/confine.h"
#include "vmm/host/sandbox.h"
#include "compare/compare.h"
#include "help.h"
#include "sim/cmd/simcmd.h"

/*
 * Commands that start no guest of the run's kind confine themselves
 * before reading anything (sandbox.c's yl_sandbox_tool()): sim needs no
 * capability at all; caps and bench handoff make VMs of their own, so
 * keep theirs.  compare and merge do it themselves, once the programs
 * they may run are open.
 */
static int confine(enum yl_cmd cmd)
{
	struct yl_err err;
	int r = 0;

	if (cmd == YL_CMD_SIM)
		r = yl_drop_all_caps(&err) ?: yl_sandbox_tool(NULL, 0, true, &err);
	else if (cmd == YL_CMD_CAPS || cmd == YL_CMD_BENCH_HANDOFF)
		r = yl_sandbox_tool(NULL, 0, cmd == YL_CMD_CAPS, &err);
	if (r)
		yl_err_print(&err);
	return r;
}

int main(int argc, char **argv)
{
	struct yl_config cfg;
	struct yl_err err;

	/* A reader that went away is an EPIPE to handle, not our death. */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		yl_usage(stderr, YL_CMD_NR);
		return YL_EXIT_USAGE;
	}
	if (yl_cli_parse(&cfg, argc, argv, &err))
		return yl_err_exit(&err);
	/* sim's numbers owe nothing to this host's KVM */
	yl_prov_init(argc, argv, cfg.cmd == YL_CMD_SIM ? "none" :
		     yl_kvm_impl_name(yl_kvm_impl_probe("/sys/module")));
	if (confine(cfg.cmd))
		return YL_EXIT_HOST;
	switch (cfg.cmd) {
	case YL_CMD_HELP:
		return yl_help(stdout, cfg.help_fmt, cfg.help_cmd);
	case YL_CMD_VERSION:
		printf("yieldlab %s\n", yl_version());
		return fflush(stdout) ? YL_EXIT_HOST : YL_EXIT_OK;
	case YL_CMD_CAPS:
		return yl_cmd_caps(&cfg);
	case YL_CMD_BENCH_EXITS:
		return yl_cmd_bench_exits(&cfg);
	case YL_CMD_BENCH_HANDOFF:
		return yl_cmd_bench_handoff(&cfg);
	case YL_CMD_COMPARE:
		return yl_cmd_compare(&cfg);
	case YL_CMD_MERGE:
		return yl_cmd_merge(&cfg);
	case YL_CMD_SIM:
		return yl_cmd_sim(&cfg);
	case YL_CMD_RUN:
	case YL_CMD_NR:
		break;
	}
	return yl_cmd_run(&cfg);
}
