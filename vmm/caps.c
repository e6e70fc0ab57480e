// SPDX-License-Identifier: GPL-2.0
/*
 * `yieldlab caps`: what this host offers for a directed-yield experiment,
 * and which permissions yieldlab lacks for which option.  Everything is
 * read-only; nothing here changes the host.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <linux/kvm.h>
#include "run.h"

struct named_cap {
	int cap;
	const char *name;
	const char *why;
};

static const struct named_cap caps[] = {
	{ KVM_CAP_USER_MEMORY, "USER_MEMORY", "required" },
	{ KVM_CAP_IRQCHIP, "IRQCHIP", "required: in-kernel APIC" },
	{ KVM_CAP_SET_TSS_ADDR, "SET_TSS_ADDR", "required" },
	{ KVM_CAP_EXT_CPUID, "EXT_CPUID", "required" },
	{ KVM_CAP_MP_STATE, "MP_STATE", "required: APs start RUNNABLE" },
	{ KVM_CAP_IMMEDIATE_EXIT, "IMMEDIATE_EXIT", "required: race-free stop" },
	{ KVM_CAP_GET_TSC_KHZ, "GET_TSC_KHZ", "required: guest timing" },
	{ KVM_CAP_BINARY_STATS_FD, "BINARY_STATS_FD", "required: KVM statistics" },
	{ KVM_CAP_MAX_VCPUS, "MAX_VCPUS", "vCPU limit" },
	{ KVM_CAP_NR_VCPUS, "NR_VCPUS", "recommended vCPU count" },
	{ KVM_CAP_X86_DISABLE_EXITS, "X86_DISABLE_EXITS", "PAUSE exits on/off (bit 2 = PAUSE)" },
	{ KVM_CAP_HALT_POLL, "HALT_POLL", "per-VM halt polling" },
	{ KVM_CAP_ENFORCE_PV_FEATURE_CPUID, "ENFORCE_PV_FEATURE_CPUID", "" },
	{ KVM_CAP_X2APIC_API, "X2APIC_API", "" },
	{ KVM_CAP_SPLIT_IRQCHIP, "SPLIT_IRQCHIP", "" },
};

static void print_file(const char *label, const char *path)
{
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		printf("  %-28s (%s: %s)\n", label, path, strerror(errno));
		return;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		printf("  %-28s (%s: %s)\n", label, path, strerror(errno));
		return;
	}
	buf[n] = 0;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	printf("  %-28s %s\n", label, buf);
}

static int print_kvm(void)
{
	struct yl_kvm kvm;
	struct yl_err err;
	uint32_t pv;
	size_t i;
	unsigned int b;

	printf("KVM (/dev/kvm):\n");
	if (yl_kvm_open(&kvm, &err)) {
		printf("  unavailable: %s\n", err.msg);
		return -1;
	}
	printf("  %-32s %s%s\n", "vendor module", yl_kvm_impl_name(kvm.impl),
	       kvm.impl == YL_KVM_IMPL_PVM ?
	       "  no VMX or SVM, so no pause-loop exiting; io_exits not counted" : "");
	for (i = 0; i < ARRAY_SIZE(caps); i++) {
		int v = ioctl(kvm.fd, KVM_CHECK_EXTENSION, caps[i].cap);

		printf("  KVM_CAP_%-24s %-6d %s\n", caps[i].name, v, caps[i].why);
	}
	pv = yl_cpuid_pv_features(&kvm.supported);
	printf("paravirt features (CPUID 0x40000001 EAX 0x%x):\n", pv);
	for (b = 0; b < 32; b++)
		if ((1u << b) & YL_PV_WANTED)
			printf("  %-28s %s\n", yl_pv_feature_name(b),
			       pv & (1u << b) ? "yes" : "no");
	yl_kvm_close(&kvm);
	return 0;
}

static void print_ple(void)
{
	static const char *const params[] = {
		"/sys/module/kvm_intel/parameters/ple_gap",
		"/sys/module/kvm_intel/parameters/ple_window",
		"/sys/module/kvm_intel/parameters/ple_window_grow",
		"/sys/module/kvm_intel/parameters/ple_window_max",
		"/sys/module/kvm_amd/parameters/pause_filter_count",
		"/sys/module/kvm_amd/parameters/pause_filter_thresh",
		"/sys/module/kvm_amd/parameters/pause_filter_count_grow",
		"/sys/module/kvm_amd/parameters/pause_filter_count_max",
		"/sys/module/kvm_amd/parameters/npt",
		"/sys/module/kvm_amd/parameters/avic",
		"/sys/module/kvm_intel/parameters/enable_apicv",
		"/sys/module/kvm/parameters/halt_poll_ns",
		"/sys/module/kvm/parameters/halt_poll_ns_grow",
		"/sys/module/kvm/parameters/halt_poll_ns_shrink",
	};
	size_t i;

	printf("pause-loop exiting and halt polling (module parameters):\n");
	for (i = 0; i < ARRAY_SIZE(params); i++)
		if (!access(params[i], F_OK))
			print_file(strrchr(params[i], '/') + 1, params[i]);
}

static void print_sched(void)
{
	struct utsname u;

	printf("host scheduler:\n");
	if (!uname(&u))
		printf("  %-28s %s\n", "kernel", u.release);
	print_file("sched/features", "/sys/kernel/debug/sched/features");
	print_file("sched/base_slice_ns", "/sys/kernel/debug/sched/base_slice_ns");
	print_file("cgroup v2 controllers", "/sys/fs/cgroup/cgroup.controllers");
}

static bool have_cap(cap_t c, cap_value_t v)
{
	cap_flag_value_t f = CAP_CLEAR;

	return c && !cap_get_flag(c, v, CAP_EFFECTIVE, &f) && f == CAP_SET;
}

static void print_perms(void)
{
	cap_t c = cap_get_proc();

	printf("permissions:\n");
	printf("  %-28s %s\n", "/dev/kvm read/write",
	       access("/dev/kvm", R_OK | W_OK) ? strerror(errno) : "yes");
	printf("  %-28s %s\n", "CAP_SYS_ADMIN",
	       have_cap(c, CAP_SYS_ADMIN) ? "yes" :
	       "no: sched features (debugfs) and cgroups cannot be changed");
	printf("  %-28s %s\n", "CAP_PERFMON",
	       have_cap(c, CAP_PERFMON) || have_cap(c, CAP_SYS_ADMIN) ? "yes" :
	       "no: kvm:kvm_exit tracepoints cannot be counted");
	printf("  %-28s %s\n", "CAP_SYS_NICE",
	       have_cap(c, CAP_SYS_NICE) ? "yes" : "no: cannot raise thread priority");
	if (c)
		cap_free(c);
}

int yl_cmd_caps(const struct yl_config *cfg)
{
	int r;

	(void)cfg;
	r = print_kvm();
	print_ple();
	print_sched();
	print_perms();
	return r ? YL_EXIT_HOST : YL_EXIT_OK;
}
