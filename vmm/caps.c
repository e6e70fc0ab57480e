// SPDX-License-Identifier: GPL-2.0
/*
 * `yieldlab caps`: what this host offers for a directed-yield experiment,
 * and which permissions yieldlab lacks for which option.  Everything is
 * read-only; nothing here changes the host.  Every line of the text is
 * also a field of the JSON (docs/schema/caps.json).
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
#include "json.h"
#include "outfile.h"
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

/* Each fact once: a line of the text and, with --json, a JSON field. */
struct caps_out {
	struct yj j;
	bool json;
};

static void fact(struct caps_out *o, const char *label, const char *val,
		 const char *note)
{
	printf("  %-28s %s%s%s\n", label, val, *note ? "  " : "", note);
	if (o->json)
		yj_str(&o->j, label, val);
}

static void section(struct caps_out *o, const char *title, const char *key)
{
	printf("%s:\n", title);
	if (o->json)
		yj_obj(&o->j, key);
}

static void section_end(struct caps_out *o)
{
	if (o->json)
		yj_obj_end(&o->j);
}

/* A file's first 4 KiB, trailing space trimmed, or why not. */
static void file_fact(struct caps_out *o, const char *label, const char *path)
{
	char buf[4096], why[300];
	ssize_t n = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	if (n < 0) {
		snprintf(why, sizeof(why), "(%s: %s)", path, strerror(errno));
		fact(o, label, why, "");
		return;
	}
	buf[n] = 0;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	fact(o, label, buf, "");
}

static void kvm_caps(struct caps_out *o, const struct yl_kvm *kvm)
{
	char name[64], val[32];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(caps); i++) {
		snprintf(name, sizeof(name), "KVM_CAP_%s", caps[i].name);
		snprintf(val, sizeof(val), "%d",
			 ioctl(kvm->fd, KVM_CHECK_EXTENSION, caps[i].cap));
		fact(o, name, val, caps[i].why);
	}
}

static int print_kvm(struct caps_out *o)
{
	struct yl_kvm kvm;
	struct yl_err err;
	char hex[16];
	uint32_t pv;
	unsigned int b;

	section(o, "KVM (/dev/kvm)", "kvm");
	if (yl_kvm_open(&kvm, &err)) {
		fact(o, "unavailable", err.msg, "");
		section_end(o);
		return -1;
	}
	fact(o, "vendor module", yl_kvm_impl_name(kvm.impl),
	     kvm.impl == YL_KVM_IMPL_PVM ?
	     "no VMX or SVM, so no pause-loop exiting; io_exits not counted" : "");
	kvm_caps(o, &kvm);
	pv = yl_cpuid_pv_features(&kvm.supported);
	snprintf(hex, sizeof(hex), "0x%x", pv);
	fact(o, "paravirt features", hex, "CPUID 0x40000001 EAX");
	for (b = 0; b < 32; b++)
		if ((1u << b) & YL_PV_WANTED)
			fact(o, yl_pv_feature_name(b), pv & (1u << b) ? "yes" : "no", "");
	yl_kvm_close(&kvm);
	section_end(o);
	return 0;
}

static void print_ple(struct caps_out *o)
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

	section(o, "pause-loop exiting and halt polling (module parameters)",
		"module_parameters");
	for (i = 0; i < ARRAY_SIZE(params); i++)
		if (!access(params[i], F_OK))
			file_fact(o, strrchr(params[i], '/') + 1, params[i]);
	section_end(o);
}

static void print_sched(struct caps_out *o)
{
	struct utsname u;

	section(o, "host scheduler", "host");
	if (!uname(&u))
		fact(o, "kernel", u.release, "");
	file_fact(o, "sched/features", "/sys/kernel/debug/sched/features");
	file_fact(o, "sched/base_slice_ns", "/sys/kernel/debug/sched/base_slice_ns");
	file_fact(o, "cgroup v2 controllers", "/sys/fs/cgroup/cgroup.controllers");
	section_end(o);
}

static bool have_cap(cap_t c, cap_value_t v)
{
	cap_flag_value_t f = CAP_CLEAR;

	return c && !cap_get_flag(c, v, CAP_EFFECTIVE, &f) && f == CAP_SET;
}

static void perm(struct caps_out *o, const char *label, bool yes,
		 const char *without)
{
	fact(o, label, yes ? "yes" : "no", yes ? "" : without);
}

static void print_perms(struct caps_out *o)
{
	cap_t c = cap_get_proc();
	bool kvm_rw = !access("/dev/kvm", R_OK | W_OK);

	section(o, "permissions", "permissions");
	perm(o, "/dev/kvm read/write", kvm_rw, kvm_rw ? "" : strerror(errno));
	perm(o, "CAP_SYS_ADMIN", have_cap(c, CAP_SYS_ADMIN),
	     "sched features (debugfs) and cgroups cannot be changed");
	perm(o, "CAP_PERFMON", have_cap(c, CAP_PERFMON) || have_cap(c, CAP_SYS_ADMIN),
	     "kvm:kvm_exit tracepoints cannot be counted");
	perm(o, "CAP_SYS_NICE", have_cap(c, CAP_SYS_NICE),
	     "cannot raise thread priority");
	if (c)
		cap_free(c);
	section_end(o);
}

int yl_cmd_caps(const struct yl_config *cfg)
{
	struct yl_outfile json = { 0 };
	struct caps_out o = { .json = cfg->json_path != NULL };
	int r;

	if (yl_json_open(&json, cfg->json_path))
		return YL_EXIT_USAGE;
	if (o.json) {
		yj_init(&o.j, json.f);
		yj_obj(&o.j, NULL);
		yj_header(&o.j, "caps");
	}
	r = print_kvm(&o);
	print_ple(&o);
	print_sched(&o);
	print_perms(&o);
	if (o.json)
		yj_obj_end(&o.j);
	return yl_json_commit(&json, r ? YL_EXIT_HOST : YL_EXIT_OK);
}
