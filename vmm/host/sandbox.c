// SPDX-License-Identifier: GPL-2.0
/*
 * seccomp filters through libseccomp (it resolves names per architecture
 * and builds the BPF, which we would otherwise write by hand), as
 * Firecracker and cloud-hypervisor confine their vCPU and VMM threads.
 * The lists hold what each thread kind was seen to call (glibc included)
 * in the KVM suite, with SCMP_ACT_TRAP for the rest: the SIGSYS handler
 * records the first violation, makes the call return -EPERM and wakes the
 * main thread through an eventfd, and the run ends with exit code 6.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <sys/eventfd.h>
#include <termios.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include "sandbox.h"

/* The first forbidden call, as the SIGSYS handler saw it. */
struct yl_violation {
	int nr;			/* the system call's number */
	pid_t tid;
	char thread[16];	/* the thread's name */
};

static bool sandbox_on;
static int probe = -1;		/* --seccomp-probe: a kind that tries getppid() */
static int notify_efd = -1;
static int violated;		/* 0, 1 while the first is recorded, 2 after */
static struct yl_violation first;
static __thread pid_t my_tid;
static __thread char my_name[16];

/* Every thread: memory, futexes, time, signals, its own exit, writes. */
static const int common_calls[] = {
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(close), SCMP_SYS(futex),
	SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mprotect), SCMP_SYS(madvise),
	SCMP_SYS(brk), SCMP_SYS(clock_gettime), SCMP_SYS(clock_nanosleep),
	SCMP_SYS(nanosleep), SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn),
	SCMP_SYS(exit), SCMP_SYS(exit_group), SCMP_SYS(gettid), SCMP_SYS(getpid),
	SCMP_SYS(sched_yield), SCMP_SYS(fstat), SCMP_SYS(newfstatat),
	SCMP_SYS(lseek), SCMP_SYS(pread64), SCMP_SYS(getrandom),
	SCMP_SYS(restart_syscall), SCMP_SYS(rseq), SCMP_SYS(set_robust_list),
	SCMP_SYS(sigaltstack),	/* sanitizer runtimes, before _exit() */
};

/* KVM_RUN and the exits handled on the vCPU's own thread; coop's timer. */
static const int vcpu_calls[] = {
	SCMP_SYS(ioctl), SCMP_SYS(sched_setaffinity),
	SCMP_SYS(sched_getaffinity), SCMP_SYS(timer_create),
	SCMP_SYS(timer_settime), SCMP_SYS(timer_delete), SCMP_SYS(rt_sigtimedwait),
	SCMP_SYS(rt_sigpending), SCMP_SYS(openat),
};

static const int sampler_calls[] = {
	SCMP_SYS(io_uring_enter), SCMP_SYS(ppoll), SCMP_SYS(poll),
};

/* Waiting, joining, restoring, reporting: no exec, no new threads. */
static const int main_calls[] = {
	SCMP_SYS(openat), SCMP_SYS(poll), SCMP_SYS(ppoll),
	SCMP_SYS(fsync), SCMP_SYS(rename), SCMP_SYS(unlinkat),
	SCMP_SYS(unlink), SCMP_SYS(rmdir), SCMP_SYS(flock), SCMP_SYS(statfs),
	SCMP_SYS(fcntl), SCMP_SYS(io_uring_enter), SCMP_SYS(timer_delete),
	SCMP_SYS(getdents64), SCMP_SYS(geteuid), SCMP_SYS(access),
	SCMP_SYS(faccessat), SCMP_SYS(faccessat2), SCMP_SYS(readlink),
	SCMP_SYS(capget), SCMP_SYS(capset), SCMP_SYS(prctl),
	SCMP_SYS(sched_getaffinity), SCMP_SYS(sched_setaffinity),
	SCMP_SYS(rt_sigtimedwait), SCMP_SYS(writev), SCMP_SYS(mremap),
	SCMP_SYS(uname),
	/*
	 * glibc's qsort() asks sysconf(_SC_PHYS_PAGES) before it mallocs for
	 * an array over 1 KiB: the report sorting more than 128 samples.
	 */
	SCMP_SYS(sysinfo),
};

/*
 * The main thread's ioctls after setup: the C library asking whether
 * stdout is a terminal (TCGETS) and how wide (TIOCGWINSZ).  No KVM
 * request: the vCPUs are set up by then.
 */
static const unsigned long main_ioctls[] = { TCGETS, TIOCGWINSZ };

/* The ioctls a vCPU thread makes (vcpu.c, coop.c). */
static const unsigned long vcpu_ioctls[] = {
	KVM_RUN, KVM_GET_REGS, KVM_GET_SREGS, KVM_SET_SIGNAL_MASK,
	KVM_SIGNAL_MSI,
};

static void sigsys(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	uint64_t one = 1;
	int zero = 0;

	(void)sig;
	if (__atomic_compare_exchange_n(&violated, &zero, 1, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		first.nr = si->si_syscall;
		first.tid = my_tid;
		memcpy(first.thread, my_name, sizeof(first.thread));
		__atomic_store_n(&violated, 2, __ATOMIC_RELEASE);
	}
	uc->uc_mcontext.gregs[REG_RAX] = -EPERM;
	if (write(notify_efd, &one, sizeof(one)) < 0)
		return;
}

int yl_sandbox_init(bool on, int probe_kind, struct yl_err *err)
{
	struct sigaction sa;

	sandbox_on = on;
	probe = probe_kind;
	if (!on)
		return 0;
	notify_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (notify_efd < 0)
		return yl_errf(err, "seccomp: eventfd: %s", strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL))
		return yl_errf(err, "seccomp: SIGSYS handler: %s", strerror(errno));
	return 0;
}

int yl_sandbox_efd(void)
{
	return notify_efd;
}

static int allow(scmp_filter_ctx f, const int *calls, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (calls[i] >= 0 && seccomp_rule_add(f, SCMP_ACT_ALLOW, calls[i], 0))
			return -1;
	return 0;
}

static int allow_ioctls(scmp_filter_ctx f, const unsigned long *req, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct scmp_arg_cmp a = { 1, SCMP_CMP_EQ, req[i], 0 };

		if (seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, a))
			return -1;
	}
	return 0;
}

/*
 * Open flags that change a file system: a "read-only" open with O_CREAT
 * makes a file, with O_TRUNC empties one, so the access mode alone is
 * not enough.
 */
#define OPEN_WRITE_BITS	(O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND | O_EXCL | \
			 __O_TMPFILE | O_DIRECTORY | O_PATH)

/* vCPU threads: ioctl only for the KVM calls above; openat only to read. */
static int vcpu_rules(scmp_filter_ctx f)
{
	struct scmp_arg_cmp rdonly = { 2, SCMP_CMP_MASKED_EQ, OPEN_WRITE_BITS, O_RDONLY };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vcpu_calls); i++) {
		int nr = vcpu_calls[i];

		if (nr == SCMP_SYS(ioctl) || nr == SCMP_SYS(openat))
			continue;
		if (seccomp_rule_add(f, SCMP_ACT_ALLOW, nr, 0))
			return -1;
	}
	if (allow_ioctls(f, vcpu_ioctls, ARRAY_SIZE(vcpu_ioctls)))
		return -1;
	return seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1, rdonly);
}

/*
 * Signals only to our own threads (pthread_kill(): kicks, coop's ticks):
 * a root thread could otherwise signal any root process.
 */
static int own_tgkill(scmp_filter_ctx f)
{
	struct scmp_arg_cmp tgid = { 0, SCMP_CMP_EQ, (scmp_datum_t)getpid(), 0 };

	return seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1, tgid);
}

static int load(enum yl_thread_kind kind)
{
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_TRAP);
	int r = -1;

	if (!f)
		return -1;
	if (allow(f, common_calls, ARRAY_SIZE(common_calls)) || own_tgkill(f))
		goto out;
	if (kind == YL_THREAD_VCPU && vcpu_rules(f))
		goto out;
	if (kind == YL_THREAD_SAMPLER &&
	    allow(f, sampler_calls, ARRAY_SIZE(sampler_calls)))
		goto out;
	if (kind == YL_THREAD_MAIN && (allow(f, main_calls, ARRAY_SIZE(main_calls)) ||
					allow_ioctls(f, main_ioctls, ARRAY_SIZE(main_ioctls))))
		goto out;
	r = seccomp_load(f);
out:
	seccomp_release(f);
	return r;
}

/*
 * The calling thread: no_new_privs, then its filter (libseccomp sets
 * no_new_privs itself too, SCMP_FLTATR_CTL_NNP).  With --seccomp off,
 * or without @filter, no_new_privs only.
 */
int yl_sandbox_enter(enum yl_thread_kind kind, bool filter, struct yl_err *err)
{
	int r;

	my_tid = gettid();
	pthread_getname_np(pthread_self(), my_name, sizeof(my_name));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return yl_errf(err, "no_new_privs: %s", strerror(errno));
	if (!sandbox_on || !filter)
		return 0;
	r = load(kind);
	if (r)
		return yl_errf(err, "seccomp filter for the %s thread: %s",
			       yl_thread_kind_name(kind), strerror(-r));
	if (probe == (int)kind)
		getppid();	/* --seccomp-probe: forbidden everywhere */
	return 0;
}

static bool violated_first(struct yl_violation *v)
{
	if (__atomic_load_n(&violated, __ATOMIC_ACQUIRE) != 2)
		return false;
	*v = first;
	return true;
}

static void describe(const struct yl_violation *v, char *buf, size_t len)
{
	char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, v->nr);
	size_t i;

	snprintf(buf, len, "seccomp: thread %s (tid %d) made system call %s (%d), which its filter forbids; the call failed with EPERM and the run was stopped",
		 v->thread, (int)v->tid, name ? name : "?", v->nr);
	free(name);
	for (i = 0; buf[i]; i++)
		if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] >= 0x7f)
			buf[i] = '?';
}

/* A forbidden call anywhere, in the run or in its report, decides. */
int yl_sandbox_exit_code(int code)
{
	struct yl_violation v;
	char msg[256];

	if (!violated_first(&v))
		return code;
	describe(&v, msg, sizeof(msg));
	fprintf(stderr, "yieldlab: %s\n", msg);
	return YL_EXIT_SECCOMP;
}

