// SPDX-License-Identifier: GPL-2.0
/*
 * `yieldlab caps`: what this host offers for a directed-yield experiment,
 * and which permissions yieldlab lacks for which option.  Nothing here
 * changes the host; the hypercall probes run throw-away VMs.  Every line
 * of the text is also a typed field of the JSON, under a snake_case key
 * (docs/schema/caps.json).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <linux/kvm.h>
#include "vmm/host/cgroup.h"
#include "vmm/hcprobe.h"
#include "out/json.h"
#include "lib/outfile.h"
#include "vmm/run/run.h"
#include "vmm/stats/kcredit.h"

struct named_cap {
	int cap;
	const char *name;	/* KVM_CAP_<name>; its key, lower case */
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

/* Each fact once: a line of the text and, with --json, a typed field. */
struct caps_out {
	struct yj j;
	bool json;
};

static void line(const char *label, const char *val, const char *note)
{
	printf("  %-28s %s%s%s\n", label, val, *note ? "  " : "", note);
}

static void fact_str(struct caps_out *o, const char *key, const char *label,
		     const char *val, const char *note)
{
	line(label, val, note);
	if (o->json)
		yj_str(&o->j, key, val);
}

static void fact_int(struct caps_out *o, const char *key, const char *label,
		     long long val, const char *note)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", val);
	line(label, buf, note);
	if (o->json)
		yj_i64(&o->j, key, val);
}

static void fact_bool(struct caps_out *o, const char *key, const char *label,
		      bool val, const char *note)
{
	line(label, val ? "yes" : "no", note);
	if (o->json)
		yj_bool(&o->j, key, val);
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

/* "KVM_CAP_IRQCHIP" -> "irqchip": JSON keys are snake_case. */
static void lower_key(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < len; i++)
		dst[i] = (char)(src[i] >= 'A' && src[i] <= 'Z' ? src[i] - 'A' + 'a' : src[i]);
	dst[i] = 0;
}

/* A small file, trailing space trimmed; false (and why in @buf) if unreadable. */
static bool read_trimmed(const char *path, char *buf, size_t len)
{
	ssize_t n = yl_read_text(path, buf, len);

	if (n < 0) {
		snprintf(buf, len, "(%s: %s)", path, strerror(errno));
		return false;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	return true;
}

/* A number as a number, anything else as the host wrote it. */
static void file_fact(struct caps_out *o, const char *key, const char *label,
		      const char *path)
{
	char buf[4096], *end;
	long long v;

	if (!read_trimmed(path, buf, sizeof(buf))) {
		line(label, "-", buf);	/* the JSON's null: not readable here */
		if (o->json)
			yj_null(&o->j, key);
		return;
	}
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (*buf && !*end && !errno)
		fact_int(o, key, label, v, "");
	else
		fact_str(o, key, label, buf, *buf ? "" : "(empty)");
}

static void kvm_caps(struct caps_out *o, const struct yl_kvm *kvm)
{
	char label[64], key[64];
	size_t i;

	section(o, "KVM capabilities (KVM_CHECK_EXTENSION)", "caps");
	for (i = 0; i < ARRAY_SIZE(caps); i++) {
		snprintf(label, sizeof(label), "KVM_CAP_%s", caps[i].name);
		lower_key(key, sizeof(key), caps[i].name);
		fact_int(o, key, label, ioctl(kvm->fd, KVM_CHECK_EXTENSION, caps[i].cap),
			 caps[i].why);
	}
	section_end(o);
}

/*
 * CPUID's paravirt bits say what KVM offers; whether a hypercall comes
 * back is another matter (kvm_pvm: it stalls the vCPU), so each is tried.
 */
static void kvm_pv(struct caps_out *o, struct yl_kvm *kvm)
{
	uint32_t pv = yl_cpuid_pv_features(&kvm->supported);
	char key[64], why[400];
	unsigned int b, k;

	section(o, "paravirt features (CPUID 0x40000001 EAX)", "pv_features");
	for (b = 0; b < 32; b++)
		if ((1u << b) & YL_PV_WANTED) {
			lower_key(key, sizeof(key), yl_pv_feature_name(b));
			fact_bool(o, key, yl_pv_feature_name(b), pv & (1u << b), "");
		}
	section_end(o);
	section(o, "hypercalls (one call each in a throw-away VM)", "hypercalls");
	for (k = 0; k < ARRAY_SIZE(yl_hcs); k++) {
		enum yl_hc_verdict v = yl_hc_probe(kvm, yl_hcs[k].nr, why, sizeof(why));

		lower_key(key, sizeof(key), yl_hcs[k].name + 7);	/* less KVM_HC_ */
		line(yl_hcs[k].name, yl_hc_verdict_text(v),
		     v == YL_HC_STALLS ? "host-mode runs that use it are refused" : why);
		if (o->json)
			yj_str(&o->j, key, yl_hc_verdict_name(v));
	}
	section_end(o);
}

static int print_kvm(struct caps_out *o)
{
	struct yl_kvm kvm;
	struct yl_err err;

	section(o, "KVM (/dev/kvm)", "kvm");
	if (yl_kvm_open(&kvm, &err)) {
		fact_bool(o, "available", "available", false, err.msg);
		section_end(o);
		return -1;
	}
	fact_bool(o, "available", "available", true, "");
	fact_str(o, "vendor_module", "vendor module", yl_kvm_impl_name(kvm.impl),
		 kvm.impl == YL_KVM_IMPL_PVM ?
		 "no VMX or SVM, so no pause-loop exiting; io_exits not counted" : "");
	kvm_caps(o, &kvm);
	kvm_pv(o, &kvm);
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
			file_fact(o, strrchr(params[i], '/') + 1,
				  strrchr(params[i], '/') + 1, params[i]);
	section_end(o);
}

/* Where tracefs shows the kvm:kvm_exit event, or NULL. */
static const char *kvm_exit_event(void)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing/events/kvm/kvm_exit/id",
		"/sys/kernel/debug/tracing/events/kvm/kvm_exit/id",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dirs); i++)
		if (!access(dirs[i], R_OK))
			return dirs[i];
	return NULL;
}

static void print_host(struct caps_out *o)
{
	char mount[YL_CG_PATH], path[YL_CG_PATH + 32];
	const char *ev = kvm_exit_event();
	struct yl_kcredit kc;
	struct utsname u;

	section(o, "host scheduler and counters", "host");
	if (!uname(&u))
		fact_str(o, "kernel", "kernel", u.release, "");
	file_fact(o, "sched_features", "sched/features", "/sys/kernel/debug/sched/features");
	file_fact(o, "base_slice_ns", "sched/base_slice_ns", "/sys/kernel/debug/sched/base_slice_ns");
	if (!yl_cg_find_mount(mount, sizeof(mount))) {
		fact_str(o, "cgroup2_mount", "cgroup v2 mount", mount,
			 strcmp(mount, "/sys/fs/cgroup") ? "hybrid: cgroup v1 at /sys/fs/cgroup" : "");
		snprintf(path, sizeof(path), "%s/cgroup.subtree_control", mount);
		file_fact(o, "cgroup2_root_subtree_control", "cgroup v2 root's children get", path);
	} else {
		fact_str(o, "cgroup2_mount", "cgroup v2 mount", "", "none: --cgroup cannot be used");
	}
	fact_bool(o, "kvm_exit_tracepoint", "tracepoint kvm:kvm_exit", ev,
		  ev ? "exit reasons per vCPU (--exit-tracepoint); kvm_pvm's stays silent" :
		  "no tracefs kvm events: exit reasons are not counted");
	yl_kcredit_begin(&kc);
	fact_bool(o, "lag_credit", "yield_to() lag credit (kernel/)", kc.valid,
		  !kc.valid ? "not a kernel of kernel/ (or debugfs not readable)" :
		  kc.feature ? "YIELD_TO_LAG_CREDIT on; runs record its counters (docs/kernel.md)" :
		  "YIELD_TO_LAG_CREDIT off; runs record its counters (docs/kernel.md)");
	section_end(o);
}

static bool have_cap(cap_t c, cap_value_t v)
{
	cap_flag_value_t f = CAP_CLEAR;

	return c && !cap_get_flag(c, v, CAP_EFFECTIVE, &f) && f == CAP_SET;
}

static void print_perms(struct caps_out *o)
{
	cap_t c = cap_get_proc();
	bool kvm_rw = !access("/dev/kvm", R_OK | W_OK), b;

	section(o, "permissions", "permissions");
	fact_bool(o, "dev_kvm_rw", "/dev/kvm read/write", kvm_rw, kvm_rw ? "" : strerror(errno));
	b = have_cap(c, CAP_SYS_ADMIN);
	fact_bool(o, "cap_sys_admin", "CAP_SYS_ADMIN", b,
		  b ? "" : "sched features (debugfs) and cgroups cannot be changed");
	b = have_cap(c, CAP_PERFMON) || have_cap(c, CAP_SYS_ADMIN);
	fact_bool(o, "cap_perfmon", "CAP_PERFMON", b,
		  b ? "" : "kvm:kvm_exit tracepoints cannot be counted");
	b = have_cap(c, CAP_SYS_NICE);
	fact_bool(o, "cap_sys_nice", "CAP_SYS_NICE", b, b ? "" : "cannot raise thread priority");
	if (c)
		cap_free(c);
	section_end(o);
}

int yl_cmd_caps(const struct yl_config *cfg)
{
	struct yl_outfile json = { 0 };
	struct caps_out o = { .json = cfg->json_path != NULL };
	int r;

	r = yl_json_open(&json, cfg->json_path);
	if (r)
		return r;
	if (o.json) {
		yj_init(&o.j, json.f);
		yj_obj(&o.j, NULL);
		yj_header(&o.j, "caps");
	}
	r = print_kvm(&o);
	print_ple(&o);
	print_host(&o);
	print_perms(&o);
	if (o.json)
		yj_obj_end(&o.j);
	return yl_json_commit(&json, r ? YL_EXIT_HOST : YL_EXIT_OK);
}
