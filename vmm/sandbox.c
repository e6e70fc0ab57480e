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

static const char *const kind_names[YL_THREAD_KINDS] = {
	[YL_THREAD_MAIN] = "main",
	[YL_THREAD_VCPU] = "vcpu",
	[YL_THREAD_SAMPLER] = "sampler",
};

const char *yl_thread_kind_name(unsigned int kind)
{
	return kind < YL_THREAD_KINDS ? kind_names[kind] : "?";
}

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
			       kind_names[kind], strerror(-r));
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

/*
 * What none of the commands that run no guest of their own needs
 * (compare, merge, sim, caps, bench handoff), nor their children: a
 * compare's runs inherit this filter and stack their own on it, so it is
 * a list of what to refuse, not of what to allow.
 */
static const int tool_denied[] = {
	SCMP_SYS(execve), SCMP_SYS(mount), SCMP_SYS(umount2),
	SCMP_SYS(pivot_root), SCMP_SYS(chroot), SCMP_SYS(init_module),
	SCMP_SYS(finit_module), SCMP_SYS(delete_module), SCMP_SYS(kexec_load),
	SCMP_SYS(kexec_file_load), SCMP_SYS(bpf), SCMP_SYS(reboot),
	SCMP_SYS(swapon), SCMP_SYS(swapoff), SCMP_SYS(keyctl), SCMP_SYS(add_key),
	SCMP_SYS(request_key), SCMP_SYS(userfaultfd), SCMP_SYS(open_by_handle_at),
	SCMP_SYS(name_to_handle_at), SCMP_SYS(iopl), SCMP_SYS(ioperm),
	SCMP_SYS(acct), SCMP_SYS(settimeofday), SCMP_SYS(clock_settime),
	SCMP_SYS(clock_adjtime), SCMP_SYS(adjtimex), SCMP_SYS(sethostname),
	SCMP_SYS(setdomainname), SCMP_SYS(quotactl), SCMP_SYS(fanotify_init),
	SCMP_SYS(process_vm_readv), SCMP_SYS(process_vm_writev),
	SCMP_SYS(unshare), SCMP_SYS(setns), SCMP_SYS(personality),
#ifndef YL_SANITIZED
	SCMP_SYS(ptrace),	/* LeakSanitizer stops threads with it */
#endif
};

/* Besides: no socket but AF_UNIX (the C library's nscd, syslog). */
static int tool_sockets(scmp_filter_ctx f)
{
	struct scmp_arg_cmp domain = { 0, SCMP_CMP_NE, AF_UNIX, 0 };

	return seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket), 1, domain);
}

#define TOOL_EXEC_FD	900	/* where the programs we may run are kept open */

/*
 * Only the programs opened as @exec_fds run, by fexecve() (execveat with
 * AT_EMPTY_PATH on that descriptor): with execve refused, not even a
 * gnuplot told to `system("sh")` can start a shell.  The descriptors move
 * to TOOL_EXEC_FD.. so that one range test covers them all (a default-
 * allow filter can only refuse what lies outside).  Close-on-exec: a
 * program run this way does not inherit the others.
 */
static int tool_exec(scmp_filter_ctx f, int *exec_fds, unsigned int n)
{
	struct scmp_arg_cmp below = { 0, SCMP_CMP_LT, TOOL_EXEC_FD, 0 };
	struct scmp_arg_cmp above = { 0, SCMP_CMP_GE, TOOL_EXEC_FD + n, 0 };
	struct scmp_arg_cmp path = { 4, SCMP_CMP_NE, AT_EMPTY_PATH, 0 };
	int no = SCMP_ACT_ERRNO(EPERM);
	unsigned int k;

	for (k = 0; k < n; k++) {
		if (exec_fds[k] < 0 ||
		    dup3(exec_fds[k], TOOL_EXEC_FD + (int)k, O_CLOEXEC) < 0)
			return -EBADF;
		close(exec_fds[k]);
		exec_fds[k] = TOOL_EXEC_FD + (int)k;
	}
	if (!n)
		return seccomp_rule_add(f, no, SCMP_SYS(execveat), 0);
	return seccomp_rule_add(f, no, SCMP_SYS(execveat), 1, below) ?:
	       seccomp_rule_add(f, no, SCMP_SYS(execveat), 1, above) ?:
	       seccomp_rule_add(f, no, SCMP_SYS(execveat), 1, path);
}

/*
 * The calling process (it must have no other thread yet): no_new_privs
 * and the deny-list above, refused calls failing with EPERM.  @no_rings:
 * the command and its children never use io_uring, whose operations no
 * filter sees.  The default action is to allow, execveat included, which
 * therefore gets its own refusal for every other descriptor.
 */
int yl_sandbox_tool(int *exec_fds, unsigned int n, bool no_rings,
		    struct yl_err *err)
{
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_ALLOW);
	size_t i;
	int r = -1;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return yl_errf(err, "no_new_privs: %s", strerror(errno));
	if (!f)
		return yl_errf(err, "seccomp: out of memory");
	for (i = 0; i < ARRAY_SIZE(tool_denied); i++)
		if (seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), tool_denied[i], 0))
			goto out;
	if (tool_sockets(f) || (no_rings &&
	    seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(io_uring_setup), 0)))
		goto out;
	r = tool_exec(f, exec_fds, n);
	if (!r)
		r = seccomp_load(f);
out:
	seccomp_release(f);
	if (r)
		return yl_errf(err, "seccomp filter for this command: %s",
			       strerror(r < 0 ? -r : EINVAL));
	return 0;
}
