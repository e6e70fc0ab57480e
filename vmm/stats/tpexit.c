// SPDX-License-Identifier: GPL-2.0
/*
 * kvm:kvm_exit counted per vCPU thread and exit reason.  One counting
 * perf event per reason, each with a tracepoint filter on exit_reason (the
 * filter applies to counting events too: perf_tp_event_match()), and one
 * unfiltered for the total.  No sampling, no ring buffer: the kernel does
 * the counting and we read one number per event at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include "tpexit.h"
#include "lib/util.h"

/* SVM_EXIT_REASONS in arch/x86/include/uapi/asm/svm.h */
static const struct yl_tp_reason svm_reasons[] = {
	{ 0x060, "interrupt" }, { 0x064, "vintr" }, { 0x072, "cpuid" },
	{ 0x077, "pause" }, { 0x078, "hlt" }, { 0x07b, "io" },
	{ 0x07c, "msr" }, { 0x081, "hypercall" }, { 0x400, "npf" },
	{ 0x401, "avic_incomplete_ipi" },
	{ 0x402, "avic_unaccelerated_access" },
};

/* VMX_EXIT_REASONS in arch/x86/include/uapi/asm/vmx.h */
static const struct yl_tp_reason vmx_reasons[] = {
	{ 1, "EXTERNAL_INTERRUPT" }, { 7, "INTERRUPT_WINDOW" }, { 10, "CPUID" },
	{ 12, "HLT" }, { 18, "VMCALL" }, { 30, "IO_INSTRUCTION" },
	{ 31, "MSR_READ" }, { 32, "MSR_WRITE" }, { 40, "PAUSE_INSTRUCTION" },
	{ 48, "EPT_VIOLATION" }, { 49, "EPT_MISCONFIG" },
	{ 52, "PREEMPTION_TIMER" },
};

static const char *const id_paths[] = {
	"/sys/kernel/tracing/events/kvm/kvm_exit/id",
	"/sys/kernel/debug/tracing/events/kvm/kvm_exit/id",
};

static bool host_is_amd(void)
{
	unsigned int a = 0, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	/* "AuthenticAMD" or "HygonGenuine" */
	return b == 0x68747541u || b == 0x6f677948u;
}

/* off (--exit-tracepoint off): no counter is opened, tracefs not read. */
void yl_tp_init(struct yl_tp *tp, bool off)
{
	char buf[32];
	unsigned int i;

	memset(tp, 0, sizeof(*tp));
	tp->reasons = host_is_amd() ? svm_reasons : vmx_reasons;
	tp->nr = host_is_amd() ? ARRAY_SIZE(svm_reasons) : ARRAY_SIZE(vmx_reasons);
	tp->io = yl_tp_find(tp, host_is_amd() ? "io" : "IO_INSTRUCTION");
	if (off) {
		snprintf(tp->why, sizeof(tp->why), "--exit-tracepoint off");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(id_paths); i++)
		if (yl_read_text(id_paths[i], buf, sizeof(buf)) > 0 &&
		    sscanf(buf, "%lu", &tp->id) == 1) {
			tp->ok = true;
			return;
		}
	snprintf(tp->why, sizeof(tp->why),
		 "kvm:kvm_exit tracepoint not readable (%s: %s; tracefs not mounted or not permitted)",
		 id_paths[0], strerror(errno));
}

static int open_one(const struct yl_tp *tp, pid_t tid, const char *filter)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_TRACEPOINT,
		.size = sizeof(a),
		.config = tp->id,
	};
	int fd = (int)syscall(SYS_perf_event_open, &a, tid, -1, -1,
			      PERF_FLAG_FD_CLOEXEC);

	if (fd < 0 || !filter)
		return fd;
	if (ioctl(fd, PERF_EVENT_IOC_SET_FILTER, filter)) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* No counter open: what a zeroed struct must become before any close. */
void yl_tp_reset(struct yl_tp_counts *c)
{
	unsigned int i;

	for (i = 0; i <= YL_TP_MAX_REASONS; i++)
		c->fd[i] = -1;
	c->valid = false;
}

/* Before the capability drop: perf_event_open may need CAP_PERFMON. */
int yl_tp_open(struct yl_tp *tp, pid_t tid, struct yl_tp_counts *c)
{
	char filter[48];
	unsigned int i;

	yl_tp_reset(c);
	if (!tp->ok)
		return -1;
	for (i = 0; i <= tp->nr; i++) {
		snprintf(filter, sizeof(filter), "exit_reason == %u",
			 i < tp->nr ? tp->reasons[i].code : 0);
		c->fd[i] = open_one(tp, tid, i < tp->nr ? filter : NULL);
		if (c->fd[i] < 0) {
			snprintf(tp->why, sizeof(tp->why),
				 "perf_event_open(kvm:kvm_exit%s): %s (needs CAP_PERFMON or a lower kernel.perf_event_paranoid)",
				 i < tp->nr ? ", filtered" : "", strerror(errno));
			tp->ok = false;
			yl_tp_close(c);
			return -1;
		}
	}
	c->valid = true;
	return 0;
}

void yl_tp_read(const struct yl_tp *tp, struct yl_tp_counts *c)
{
	unsigned int i;

	for (i = 0; c->valid && i <= tp->nr; i++)
		if (read(c->fd[i], &c->n[i], sizeof(c->n[i])) != sizeof(c->n[i]))
			c->valid = false;
}

void yl_tp_close(struct yl_tp_counts *c)
{
	unsigned int i;

	for (i = 0; i <= YL_TP_MAX_REASONS; i++)
		if (c->fd[i] >= 0)
			close(c->fd[i]);
	yl_tp_reset(c);
}

int yl_tp_find(const struct yl_tp *tp, const char *name)
{
	unsigned int i;

	for (i = 0; i < tp->nr; i++)
		if (!strcmp(tp->reasons[i].name, name))
			return (int)i;
	return -1;
}
