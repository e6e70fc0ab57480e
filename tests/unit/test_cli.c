// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yieldlab/abi.h>
#include "cli/cli.h"
#include "cmd/help.h"
#include "sched/policy.h"
#include "vmm/host/sandbox.h"
#include "suites.h"

static int parse(struct yl_config *cfg, struct yl_err *err, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;
	char *a;

	argv[argc++] = "yieldlab";
	va_start(ap, err);
	while ((a = va_arg(ap, char *)) && argc < 31)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	return yl_cli_parse(cfg, argc, argv, err);
}

START_TEST(defaults)
{
	struct yl_config c;
	struct yl_err e;

	ck_assert_int_eq(parse(&c, &e, "run", NULL), 0);
	ck_assert_int_eq(c.cmd, YL_CMD_RUN);
	ck_assert_uint_eq(c.nr_vcpus, 4);
	ck_assert_uint_eq(c.lock, YL_LOCK_TICKET);
	ck_assert_uint_eq(c.pv, YL_PV_NONE);
	ck_assert_uint_eq(c.duration_ms, 1000);
	/* a waiter's budget is a time unless a count is asked for (issue 25, item 8) */
	ck_assert_uint_eq(c.spin_us, 100);
	ck_assert_uint_eq(c.spin_threshold, 0);
	ck_assert(!yl_given(&c, YL_O_PCPUS));
	ck_assert(c.exit_tp);
	ck_assert_str_eq(c.policy->name, "none");
	ck_assert_str_eq(c.preset, "6.18.0");
	ck_assert_uint_eq(c.yield_to, YL_YIELD_TO_NR);		/* auto */
	ck_assert_uint_eq(yl_yield_to(&c), YL_YIELD_TO_PREEMPTED);
	c.sched = YL_SCHED_COOP;
	ck_assert_uint_eq(yl_yield_to(&c), YL_YIELD_TO_TURN);
	c.sched = YL_SCHED_HOST;
	ck_assert_uint_eq(c.seccomp_probe, YL_THREAD_KINDS);
	ck_assert_uint_eq(yl_effective_timeout_s(&c), 1 + YL_DEF_TIMEOUT_SLACK_S);
}
END_TEST

START_TEST(all_options)
{
	struct yl_config c;
	struct yl_err e;

	ck_assert_int_eq(parse(&c, &e, "run", "--vcpus", "8", "--pcpus=0-2,5",
			       "--lock", "tas", "--pv=yield", "--cs", "0",
			       "--think", "500", "--duration", "250",
			       "--spin-threshold", "64", "--timeout", "9",
			       "--json", "out.json", "--guest", "g.bin",
			       "--workload", "hang", "--quiet", NULL), 0);
	ck_assert_uint_eq(c.nr_vcpus, 8);
	ck_assert_int_eq(CPU_COUNT(&c.pcpus), 4);
	ck_assert(CPU_ISSET(5, &c.pcpus) && !CPU_ISSET(3, &c.pcpus));
	ck_assert_uint_eq(c.lock, YL_LOCK_TAS);
	ck_assert_uint_eq(c.pv, YL_PV_YIELD);
	ck_assert_uint_eq(c.cs_ns, 0);
	ck_assert_uint_eq(c.think_ns, 500);
	ck_assert_uint_eq(c.duration_ms, 250);
	ck_assert_uint_eq(c.spin_threshold, 64);
	ck_assert_uint_eq(yl_effective_timeout_s(&c), 9);
	ck_assert_str_eq(c.json_path, "out.json");
	ck_assert_str_eq(c.guest_path, "g.bin");
	ck_assert_uint_eq(c.workload, YL_WL_HANG);
	ck_assert(c.quiet);
	ck_assert(c.exit_tp);
	ck_assert(yl_given(&c, YL_O_PCPUS) && yl_given(&c, YL_O_QUIET));
	ck_assert(!yl_given(&c, YL_O_SCHED));
	ck_assert_int_eq(parse(&c, &e, "run", "--exit-tracepoint", "off", NULL), 0);
	ck_assert(!c.exit_tp);
	ck_assert_int_eq(parse(&c, &e, "run", "--exit-tracepoint=on", "--wide", NULL), 0);
	ck_assert(c.exit_tp && c.wide);
}
END_TEST

START_TEST(commands)
{
	struct yl_config c;
	struct yl_err e;

	ck_assert_int_eq(parse(&c, &e, "caps", NULL), 0);
	ck_assert_int_eq(c.cmd, YL_CMD_CAPS);
	ck_assert_int_eq(parse(&c, &e, "bench", "exits", "--exits", "500", NULL), 0);
	ck_assert_int_eq(c.cmd, YL_CMD_BENCH_EXITS);
	ck_assert_uint_eq(c.bench_exits, 500);
	ck_assert_int_eq(parse(&c, &e, "run", "--help", NULL), 0);
	ck_assert_int_eq(c.cmd, YL_CMD_HELP);
	ck_assert_int_eq(c.help_cmd, YL_CMD_RUN);
	ck_assert_int_eq(parse(&c, &e, "bench", "exits", "-h", NULL), 0);
	ck_assert_int_eq(c.help_cmd, YL_CMD_BENCH_EXITS);
	ck_assert_int_eq(parse(&c, &e, "help", "bench", "handoff", NULL), 0);
	ck_assert_int_eq(c.cmd, YL_CMD_HELP);
	ck_assert_int_eq(c.help_cmd, YL_CMD_BENCH_HANDOFF);
	ck_assert_int_eq(parse(&c, &e, "help", NULL), 0);
	ck_assert_int_eq(c.help_cmd, YL_CMD_NR);
	/* issue 25, item 17: these were exit 2; now the overview */
	ck_assert_int_eq(parse(&c, &e, "help", "bench", NULL), 0);
	ck_assert_int_eq(c.help_cmd, YL_CMD_NR);
	ck_assert_int_eq(parse(&c, &e, "help", "--help", NULL), 0);
	ck_assert_int_eq(c.cmd, YL_CMD_HELP);
	ck_assert_int_eq(c.help_cmd, YL_CMD_NR);
	ck_assert_int_eq(parse(&c, &e, "bench", "--help", NULL), 0);
	ck_assert_int_eq(c.cmd, YL_CMD_HELP);
	ck_assert_int_eq(c.help_cmd, YL_CMD_NR);
	ck_assert_int_eq(c.help_fmt, YL_HELP_TEXT);
	ck_assert_int_eq(parse(&c, &e, "help", "--man", NULL), 0);
	ck_assert_int_eq(c.help_fmt, YL_HELP_MAN);
	ck_assert_int_eq(parse(&c, &e, "--version", NULL), 0);
	ck_assert_int_eq(c.cmd, YL_CMD_VERSION);
	ck_assert_int_eq(parse(&c, &e, "caps", "--json", "c.json", NULL), 0);
	ck_assert_str_eq(c.json_path, "c.json");
}
END_TEST

/* Each bad invocation fails with one line that names the option. */
static const struct {
	const char *args[8];
	const char *needle;
} bad[] = {
	{ { "run", "--vcpus", "0" }, "--vcpus '0'" },
	{ { "run", "--vcpus", "257" }, "from 1 to 256" },
	{ { "run", "--vcpus", "-3" }, "--vcpus '-3'" },
	{ { "run", "--vcpus", "4x" }, "must be an integer" },
	{ { "run", "--vcpus", "99999999999999999999999" }, "must be an integer" },
	{ { "run", "--lock", "clh" }, "allowed: tas|ticket|ttas|mcs|qspinlock" },
	{ { "run", "--spin-us", "50", "--spin-threshold", "64" }, "--spin-threshold: not with --spin-us" },
	{ { "run", "--spin-us", "0" }, "--spin-us '0'" },
	/* issue 25, item 17: an empty cost table was taken as none */
	{ { "sim", "--cost", "" }, "--cost '': allowed NAME=NS" },
	{ { "sim", "--cost", "exit=5,,switch=9" }, "--cost '': allowed NAME=NS" },
	{ { "run", "--credit-budget", "5" }, "--credit-budget: only with --sched coop" },
	{ { "run", "--sched", "coop", "--credit-budget", "101" }, "from 0 to 100" },
	{ { "run", "--yield-to", "holder" }, "allowed: preempted|turn|auto" },
	{ { "run", "--pv", "spin" }, "allowed: none|yield|halt" },
	{ { "run", "--exit-tracepoint", "1" }, "--exit-tracepoint '1': unknown, allowed: on|off" },
	{ { "run", "--quiet=1" }, "unknown option '--quiet=1'" },
	{ { "run", "--pause-exits", "x" }, "allowed: kvm|on|off" },
	{ { "help", "fly" }, "help: allowed one command" },
	{ { "help", "run", "caps" }, "help: allowed one command" },
	{ { "version", "x" }, "version: takes no arguments" },
	{ { "run", "--duration", "-5" }, "--duration '-5'" },
	{ { "run", "--duration", "0" }, "--duration '0'" },
	{ { "run", "--cs", "-1" }, "--cs '-1'" },
	{ { "run", "--think", "2000000000" }, "from 0 to 1000000000" },
	{ { "run", "--timeout", "0" }, "--timeout '0'" },
	{ { "run", "--spin-threshold", "0" }, "--spin-threshold" },
	{ { "run", "--pcpus", "3-1" }, "--pcpus '3-1'" },
	{ { "run", "--pcpus", "0,,1" }, "CPU list" },
	{ { "run", "--pcpus", "a" }, "CPU list" },
	{ { "run", "--pcpus", "99999" }, "CPU list" },
	{ { "run", "--bogus" }, "unknown option '--bogus'" },
	{ { "run", "--vcpus" }, "--vcpus: needs a value" },
	{ { "fly" }, "command 'fly'" },
	{ { "bench", "nothing" }, "allowed: exits" },
	{ { "run", "--workload", "x" }, "allowed: lock|exits|fault|hang|ipi|mixed" },
	{ { "run", "--ipi-via", "x" }, "allowed: icr|hypercall" },
	{ { "run", "--ipi-wait", "x" }, "allowed: sync|async" },
	{ { "run", "--ipi-targets", "0" }, "--ipi-targets '0'" },
	{ { "run", "--ipi-targets", "2" }, "--ipi-targets: only with --workload ipi|mixed" },
	{ { "run", "--workload", "ipi", "--vcpus", "1" }, "needs --vcpus 2 or more" },
	{ { "run", "--workload", "ipi", "--ipi-every", "3" }, "--ipi-every: only with --workload mixed" },
	{ { "run", "--workload", "mixed", "--ipi-every", "0" }, "--ipi-every '0'" },
	{ { "run", "--workload", "mixed", "--ipi-targets", "4" }, "--ipi-targets 4: allowed 1 to 3" },
	{ { "run", "--json=" }, "--json: needs FILE of 1 to" },
	{ { "run", "--cgroup", "yl", "--cpu-weight", "0" }, "--cpu-weight '0'" },
	{ { "run", "--cgroup", "yl", "--cpu-weight", "10001" }, "1 to 10000" },
	{ { "run", "--cgroup", "yl", "--cpu-weight", "100,x" }, "--cpu-weight 'x'" },
	{ { "run", "--cgroup", "yl", "--cpu-weight", "100," }, "a value after the last ','" },
	{ { "run", "--cgroup", "yl", "--cpu-weight", ",100" }, "allowed W or W,W" },
	{ { "run", "--cgroup", "yl", "--cpu-weight", "1,2,3" }, "3 values for 1 VMs" },
	{ { "run", "--cgroup=" }, "--cgroup: needs PARENT of 1 to 255" },
	{ { "run", "--sched", "kernel" }, "allowed: host|coop" },
	{ { "run", "--policy", "handoff" }, "--policy: only with --sched coop" },
	{ { "run", "--target", "rr" }, "--target: only with --sched coop" },
	{ { "run", "--sched", "coop", "--policy", "steal" }, "allowed: none|yield|forfeit|lag-credit|handoff" },
	{ { "run", "--sched", "coop", "--target", "x" }, "allowed: hint|rr|ipi-pairs" },
	{ { "run", "--sched", "coop", "--preset", "5.15" }, "allowed: 6.12.0|6.12.32|6.12.63|6.18.0|7.0|host" },
	{ { "run", "--sched", "coop", "--hz", "50" }, "--hz '50'" },
	{ { "run", "--sched", "coop", "--vms", "2", "--cgroup", "x" }, "--cgroup: not with --sched coop" },
	{ { "run", "--sched", "coop", "--timeline-events", "64" }, "--timeline-events: only with --timeline FILE" },
	{ { "run", "--flat", "on" }, "--flat: only with --sched coop" },
	{ { "run", "--cpu-weight", "100" }, "--cpu-weight: only with --cgroup PARENT or --sched coop" },
	{ { "run", "--sched", "coop", "--workload", "ipi", "--ipi-via", "icr" }, "--ipi-via: not with --sched coop" },
	{ { "bench", "handon" }, "allowed: exits|handoff" },
	{ { "run", "--sample-ms", "0" }, "--sample-ms '0': must be an integer from 1 to 60000" },
	{ { "run", "--sample-ms", "60001" }, "from 1 to 60000" },
	{ { "run", "--vcpus", "\t4" }, "--vcpus '?4': must be an integer" },
	{ { "run", "--vcpus", "\n4" }, "--vcpus '?4'" },
	{ { "run", "--vcpus", " 4" }, "--vcpus ' 4'" },
	{ { "run", "--lock", "\x1b[2Jx" }, "--lock '?[2Jx'" },
	{ { "run", "--seccomp", "no" }, "--seccomp 'no': unknown, allowed: on|off" },
	{ { "run", "--seccomp-probe", "x" }, "allowed: main|vcpu|sampler" },
	{ { "bench", "exits", "--vcpus", "2" }, "--vcpus: not an option of 'bench exits'" },
	{ { "bench", "exits", "--sched-feature", "X" }, "not an option of 'bench exits'" },
	{ { "bench", "exits", "--cgroup", "x" }, "not an option of 'bench exits'" },
	{ { "bench", "exits", "--sample-ms", "5" }, "not an option of 'bench exits'" },
	{ { "bench", "handoff", "--vcpus", "4" }, "not an option of 'bench handoff'" },
	{ { "caps", "--pcpus", "0" }, "not an option of 'caps'" },
	{ { "run", "--host-param", "kvm.nope=1" }, "NAME one of kvm.yield_ipi_filter, " },
	{ { "run", "--host-param", "/etc/passwd=1" }, "--host-param '/etc/passwd'" },
	{ { "run", "--host-param", "kvm.yield_ipi_filter" }, "allowed NAME=VALUE" },
	{ { "run", "--host-param", "kvm.yield_ipi_filter=1" }, "'1': allowed Y or N" },
	{ { "run", "--host-param", "sched.yield_credit_pct=101" }, "from 0 to 100" },
	{ { "run", "--host-param", "sched.yield_credit_depth=0" }, "from 1 to 64" },
	{ { "run", "--host-param", "sched.yield_credit_pct=-1" }, "'-1': allowed an integer" },
	{ { "run", "--host-param", "sched.yield_credit_pct=5\n" }, "allowed an integer" },
	{ { "run", "--host-param", "kvm.yield_ipi_filter=Y", "--host-param",
	    "kvm.yield_ipi_filter=N" }, "kvm.yield_ipi_filter: given twice" },
	{ { "bench", "exits", "--host-param", "kvm.yield_ipi_filter=N" }, "not an option of 'bench exits'" },
};

START_TEST(bad_invocations)
{
	struct yl_config c;
	struct yl_err e;
	char *argv[10] = { "yieldlab" };
	int argc = 1, k;

	for (k = 0; k < 8 && bad[_i].args[k]; k++)
		argv[argc++] = (char *)bad[_i].args[k];
	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(yl_cli_parse(&c, argc, argv, &e), -1);
	/* the class travels with the error: a bad command line is exit 2 */
	ck_assert_int_eq(e.code, YL_EXIT_USAGE);
	ck_assert_msg(strstr(e.msg, bad[_i].needle), "'%s' lacks '%s'",
		      e.msg, bad[_i].needle);
	for (k = 0; e.msg[k]; k++)
		ck_assert_msg((unsigned char)e.msg[k] >= 0x20 && e.msg[k] != 0x7f,
			      "error holds a control character: %s", e.msg);
}
END_TEST

START_TEST(cgroup_weights)
{
	struct yl_config c;
	struct yl_err e;

	ck_assert_int_eq(parse(&c, &e, "run", "--vms", "3", "--cgroup", "a/b",
			       "--cpu-weight", "1,250,10000", NULL), 0);
	ck_assert_str_eq(c.cgroup_parent, "a/b");
	ck_assert_uint_eq(c.nr_weights, 3);
	ck_assert_uint_eq(c.cpu_weight[0], 1);
	ck_assert_uint_eq(c.cpu_weight[1], 250);
	ck_assert_uint_eq(c.cpu_weight[2], 10000);
	ck_assert_int_eq(parse(&c, &e, "run", "--vms", "3", "--cgroup", "x",
			       "--cpu-weight=50", NULL), 0);
	ck_assert_uint_eq(c.nr_weights, 1);
	ck_assert_uint_eq(c.cpu_weight[0], 50);
	ck_assert_int_eq(parse(&c, &e, "run", "--sched", "coop", "--policy",
			       "lag-credit", "--target", "ipi-pairs", "--preset", "6.12.63",
			       "--hz", "1000", NULL), 0);
	ck_assert_uint_eq(c.sched, YL_SCHED_COOP);
	ck_assert_ptr_eq(c.policy, yl_policy_find("lag-credit"));
	ck_assert_uint_eq(c.target, YL_TARGET_IPI_PAIRS);
	ck_assert_str_eq(c.preset, "6.12.63");
	ck_assert_uint_eq(c.hz, 1000);
	ck_assert_int_eq(parse(&c, &e, "run", "--sched", "coop", "--vms", "2",
			       "--cpu-weight", "100,300", "--flat", "on", "--timeline",
			       "t.json", "--timeline-events", "64", NULL), 0);
	ck_assert(c.flat);
	ck_assert_uint_eq(c.nr_weights, 2);
	ck_assert_str_eq(c.timeline_path, "t.json");
	ck_assert_uint_eq(c.timeline_events, 64);
	ck_assert_int_eq(parse(&c, &e, "bench", "handoff", NULL), 0);
	ck_assert_int_eq(c.cmd, YL_CMD_BENCH_HANDOFF);
	ck_assert_int_eq(parse(&c, &e, "run", "--sample-ms", "250", NULL), 0);
	ck_assert_uint_eq(c.sample_ms, 250);
	ck_assert_int_eq(parse(&c, &e, "run", NULL), 0);
	ck_assert_uint_eq(c.sample_ms, 0);
	ck_assert_ptr_null(c.cgroup_parent);
	ck_assert_uint_eq(c.nr_weights, 0);
}
END_TEST

START_TEST(host_checks)
{
	struct yl_config c;
	struct yl_err e;
	cpu_set_t allowed;
	char path[] = "/tmp/yl-test-guest-XXXXXX";
	int fd;

	CPU_ZERO(&allowed);
	CPU_SET(2, &allowed);
	CPU_SET(3, &allowed);
	/* default pCPU: the first allowed one */
	ck_assert_int_eq(parse(&c, &e, "run", NULL), 0);
	ck_assert_int_eq(yl_cli_check_host(&c, &allowed, &e), 0);
	ck_assert_int_eq(CPU_COUNT(&c.pcpus), 1);
	ck_assert(CPU_ISSET(2, &c.pcpus));
	/* pCPU outside the affinity mask */
	ck_assert_int_eq(parse(&c, &e, "run", "--pcpus", "1-2", NULL), 0);
	ck_assert_int_eq(yl_cli_check_host(&c, &allowed, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "not inside this process's CPU affinity 2-3"));
	/* KVM limit */
	ck_assert_int_eq(parse(&c, &e, "run", "--vcpus", "200", NULL), 0);
	ck_assert_int_eq(yl_cli_check_kvm(&c, 128, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "at most 128"));
	ck_assert_int_eq(yl_cli_check_kvm(&c, 4096, &e), 0);
	ck_assert_int_eq(parse(&c, &e, "run", "--vcpus", "256", NULL), 0);
	ck_assert_int_eq(yl_cli_check_kvm(&c, 4096, &e), 0);
	ck_assert_int_eq(yl_cli_check_kvm(&c, 200, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "KVM allows at most 200"));
	/* --guest: missing, empty, oversize */
	ck_assert_int_eq(parse(&c, &e, "run", "--guest", "/nonexistent/x", NULL), 0);
	ck_assert_int_eq(yl_cli_check_host(&c, &allowed, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "No such file"));
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(parse(&c, &e, "run", "--guest", path, NULL), 0);
	ck_assert_int_eq(yl_cli_check_host(&c, &allowed, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "0 bytes"));
	ck_assert_int_eq(ftruncate(fd, YL_IMAGE_MAX_FILE + 1), 0);
	ck_assert_int_eq(yl_cli_check_host(&c, &allowed, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "allowed 1 to"));
	ck_assert_int_eq(ftruncate(fd, 4096), 0);
	ck_assert_int_eq(yl_cli_check_host(&c, &allowed, &e), 0);
	close(fd);
	unlink(path);
}
END_TEST

START_TEST(cpulist_roundtrip)
{
	cpu_set_t s;
	struct yl_err e;
	char buf[64];

	ck_assert_int_eq(yl_parse_cpulist("0-3,5,7-8", &s, &e), 0);
	yl_format_cpulist(&s, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0-3,5,7-8");
	ck_assert_int_eq(yl_parse_cpulist("4", &s, &e), 0);
	yl_format_cpulist(&s, buf, sizeof(buf));
	ck_assert_str_eq(buf, "4");
	ck_assert_int_eq(yl_parse_cpulist("1,", &s, &e), -1);
}
END_TEST

/* The table every help text and the parser derive from is whole. */
START_TEST(option_table)
{
	unsigned int k, j;

	for (k = 0; k < YL_O_NR; k++) {
		const struct yl_opt *o = &yl_opts[k];

		ck_assert_msg(o->name && !strncmp(o->name, "--", 2), "option %u unnamed", k);
		ck_assert_msg(o->help && *o->help, "%s: no help", o->name);
		ck_assert_msg(o->cmds, "%s: no command takes it", o->name);
		ck_assert_msg(o->group < YL_GRP_NR, "%s: no group", o->name);
		ck_assert_msg(o->name_at || o->kind == YL_OPT_FLAG || o->metavar,
			      "%s: no metavar", o->name);
		ck_assert_msg(o->kind != YL_OPT_ENUM || o->name_at, "%s: names", o->name);
		ck_assert_msg(o->kind != YL_OPT_FUNC || o->parse || o->parse2,
			      "%s: parser", o->name);
		ck_assert_msg(!(o->def && o->def_doc), "%s: two defaults", o->name);
		for (j = 0; j < k; j++)
			ck_assert_msg(strcmp(o->name, yl_opts[j].name), "%s twice", o->name);
	}
	for (k = 0; k < YL_GRP_NR; k++)
		ck_assert_ptr_nonnull(yl_group_titles[k]);
	for (k = 0; k < YL_CMD_NR; k++)
		ck_assert(yl_cmds[k].name && yl_cmds[k].summary);
}
END_TEST

static char *help_text(enum yl_help_format fmt, enum yl_cmd cmd)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(yl_help(f, fmt, cmd), 0);
	fclose(f);
	return buf;
}

/* Each command's help, the man page and completion name all its options. */
START_TEST(help_names_every_option)
{
	char *man = help_text(YL_HELP_MAN, YL_CMD_NR);
	char *bash = help_text(YL_HELP_BASH, YL_CMD_NR);
	char *all = help_text(YL_HELP_TEXT, YL_CMD_NR), *line;
	unsigned int c, k;
	size_t len;

	for (c = 0; c < YL_CMD_NR; c++)
		ck_assert_msg(strstr(all, yl_cmds[c].name), "help lacks %s", yl_cmds[c].name);
	for (c = YL_CMD_RUN; c <= YL_CMD_NR; c++) {
		char *t = help_text(YL_HELP_TEXT, (enum yl_cmd)c);

		for (k = 0; k < YL_O_NR; k++) {
			bool takes = yl_opt_takes(&yl_opts[k], c);
			char want[64], want_nl[64];

			/* an option's own entry: its name, then its value or help */
			snprintf(want, sizeof(want), "\n  %s ", yl_opts[k].name);
			snprintf(want_nl, sizeof(want_nl), "\n  %s\n", yl_opts[k].name);
			ck_assert_msg(c >= YL_CMD_HELP ||
				      !(strstr(t, want) || strstr(t, want_nl)) == !takes,
				      "help %u: %s", c, yl_opts[k].name);
		}
		for (line = t; *line; line += len + !!line[len]) {
			len = strcspn(line, "\n");
			ck_assert_msg(len <= 79, "help %u: %.*s", c, (int)len, line);
		}
		free(t);
	}
	for (k = 0; k < YL_O_NR; k++) {
		const char *n = yl_opts[k].name;
		char esc[64];
		size_t o = 0;

		for (; *n && o + 3 < sizeof(esc); n++) {
			if (*n == '-')
				esc[o++] = '\\';
			esc[o++] = *n;
		}
		esc[o] = 0;
		ck_assert_msg(strstr(man, esc), "man page lacks %s", yl_opts[k].name);
		ck_assert_msg(strstr(bash, yl_opts[k].name), "completion lacks %s",
			      yl_opts[k].name);
	}
	free(man);
	free(bash);
	free(all);
}
END_TEST

Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, defaults);
	tcase_add_test(tc, all_options);
	tcase_add_test(tc, commands);
	tcase_add_loop_test(tc, bad_invocations, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, host_checks);
	tcase_add_test(tc, cgroup_weights);
	tcase_add_test(tc, cpulist_roundtrip);
	tcase_add_test(tc, option_table);
	tcase_add_test(tc, help_names_every_option);
	suite_add_tcase(s, tc);
	return s;
}
