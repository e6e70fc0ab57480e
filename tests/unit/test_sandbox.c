// SPDX-License-Identifier: GPL-2.0
/*
 * The seccomp filters themselves, without KVM: each test loads a filter
 * in a child process (filters are per thread and cannot be unloaded) and
 * reports what the kernel allowed as its exit status bits.  The child
 * leaves with _exit(): no exit handler (LeakSanitizer's ptrace among
 * them) runs under the filter.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "vmm/sampler.h"
#include "lib/confine.h"
#include "vmm/host/sandbox.h"
#include "suites.h"

static int in_child(int (*body)(void))
{
	int status;
	pid_t pid = fork();

	if (!pid)
		_exit(body());
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status), "child died of signal %d", WTERMSIG(status));
	return WEXITSTATUS(status);
}

static bool refused(long r)
{
	return r == -1 && errno == EPERM;
}

static int vcpu_body(void)
{
	pid_t parent = getppid();
	struct yl_err err;
	int bad = 0, fd;

	if (yl_sandbox_init(true, YL_THREAD_KINDS, &err) ||
	    yl_sandbox_enter(YL_THREAD_VCPU, true, &err))
		return 100;
	if (syscall(SYS_tgkill, getpid(), gettid(), 0))
		bad |= 1;	/* a kick to one of our own threads */
	if (!refused(syscall(SYS_tgkill, parent, parent, 0)))
		bad |= 2;	/* a signal to another process */
	if (!refused(syscall(SYS_openat, AT_FDCWD, "/tmp/yl-sandbox-x",
			     O_WRONLY | O_CREAT, 0600)))
		bad |= 4;	/* opening to write */
	fd = open("/proc/self/stat", O_RDONLY);
	if (fd < 0)
		bad |= 8;	/* reading its schedstat */
	close(fd);
	if (yl_sandbox_exit_code(0) != YL_EXIT_SECCOMP)
		bad |= 16;	/* the violations were recorded */
	/* "read-only" opens that create or truncate (issue 25's hole) */
	if (!refused(syscall(SYS_openat, AT_FDCWD, "/tmp/yl-sandbox-x",
			     O_RDONLY | O_CREAT, 0600)))
		bad |= 32;
	if (!refused(syscall(SYS_openat, AT_FDCWD, "/proc/self/stat",
			     O_RDONLY | O_TRUNC)))
		bad |= 64;
	if (!refused(syscall(SYS_openat, AT_FDCWD, "/tmp", O_RDONLY | __O_TMPFILE, 0600)))
		bad |= 128;	/* O_TMPFILE: a file made */
	return bad;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * No exec, no new process or thread, once the main thread is locked; but
 * the report's own work, such as qsort() of 1 000 samples (glibc reads
 * _SC_PHYS_PAGES through sysinfo() for arrays over 1 KiB), goes through.
 */
static int main_body(void)
{
	static double big[1000];
	char tio[128];	/* the kernel's struct termios, and room */
	struct yl_err err;
	int bad = 0, i;

	for (i = 0; i < 1000; i++)
		big[i] = (double)((i * 7919) % 1000);
	if (yl_sandbox_init(true, YL_THREAD_KINDS, &err) ||
	    yl_sandbox_enter(YL_THREAD_MAIN, true, &err))
		return 100;
	qsort(big, 1000, sizeof(*big), cmp_dbl);
	if (big[0] != 0 || big[999] != 999 || yl_sandbox_exit_code(0) != 0)
		return 8;
	if (!refused(execl("/bin/true", "true", (char *)NULL)))
		bad |= 1;
	if (!refused(fork()))
		bad |= 2;
	if (yl_sandbox_exit_code(0) != YL_EXIT_SECCOMP)
		bad |= 4;
	if (!refused(syscall(SYS_ioctl, 0, KVM_CREATE_VM, 0)))
		bad |= 16;	/* an ioctl it never makes after setup */
	errno = 0;
	if (syscall(SYS_ioctl, 0, TCGETS, tio) && errno == EPERM)
		bad |= 32;	/* isatty(), which stdio asks */
	return bad;
}

/*
 * The deny-list of compare, merge, sim, caps and bench handoff: the one
 * program opened beforehand runs through fexecve(); execve of anything,
 * execveat of another descriptor or path, a network socket and (with
 * no_rings) io_uring are refused.  The allowed /bin/sh really runs, and
 * its own /bin/true then cannot (the filter is inherited): the shell says
 * 126, "found but cannot execute", where a real run would say 0.
 */
static int tool_body(void)
{
	char *sh_argv[] = { "sh", "-c", "/bin/true 2>/dev/null; exit $?", NULL };
	int fds[1] = { open("/bin/sh", O_RDONLY | O_CLOEXEC) }, other, st, bad = 0;
	struct yl_err err;
	pid_t pid;

	other = open("/bin/true", O_RDONLY | O_CLOEXEC);
	if (fds[0] < 0 || other < 0 || yl_sandbox_tool(fds, 1, true, &err))
		return 100;
	if (!refused(execl("/bin/true", "true", (char *)NULL)))
		bad |= 1;
	if (!refused(syscall(SYS_execveat, other, "", sh_argv, environ, AT_EMPTY_PATH)))
		bad |= 2;
	if (!refused(syscall(SYS_execveat, fds[0], "/bin/true", sh_argv, environ, 0)))
		bad |= 4;
	if (!refused(socket(AF_INET, SOCK_STREAM, 0)))
		bad |= 8;
	if (!refused(syscall(SYS_io_uring_setup, 2, &(char[120]){ 0 })))
		bad |= 16;
	pid = fork();
	if (!pid) {
		fexecve(fds[0], sh_argv, environ);
		_exit(99);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 126)
		bad |= 32;
	return bad;
}

/* Without a violation, the exit code is the run's own. */
static int clean_body(void)
{
	struct yl_err err;

	if (yl_sandbox_init(true, YL_THREAD_KINDS, &err) ||
	    yl_sandbox_enter(YL_THREAD_SAMPLER, true, &err))
		return 100;
	return yl_sandbox_exit_code(3) == 3 ? 0 : 1;
}

START_TEST(vcpu_filter)
{
	ck_assert_int_eq(in_child(vcpu_body), 0);
}
END_TEST

START_TEST(main_filter)
{
	ck_assert_int_eq(in_child(main_body), 0);
}
END_TEST

START_TEST(tool_filter)
{
	ck_assert_int_eq(in_child(tool_body), 0);
}
END_TEST

/*
 * The sampler's ring (issue 25, item 5): io_uring operations bypass
 * seccomp, and a confined thread opened, wrote and unlinked files and
 * made an AF_INET socket through an unrestricted ring.  Restricted, it
 * reads its registered files and nothing else: an OPENAT, a read of an
 * unregistered descriptor, a new registration are refused.
 */
static int ring_result(struct io_uring *ring)
{
	struct io_uring_cqe *cqe;
	int res;

	if (io_uring_submit(ring) != 1 || io_uring_wait_cqe(ring, &cqe))
		return -9999;
	res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

START_TEST(ring_reads_only)
{
	int fds[2] = { open("/proc/self/stat", O_RDONLY | O_CLOEXEC), -1 }, other;
	struct io_uring ring;
	struct io_uring_sqe *q;
	char buf[256];

	other = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fds[0], 0);
	ck_assert_int_eq(io_uring_queue_init(4, &ring, IORING_SETUP_R_DISABLED), 0);
	ck_assert_int_eq(yl_ring_restrict_reads(&ring, fds, 2), 0);
	q = io_uring_get_sqe(&ring);
	io_uring_prep_read(q, 0, buf, sizeof(buf), 0);
	q->flags |= IOSQE_FIXED_FILE;
	ck_assert_int_gt(ring_result(&ring), 0);		/* its own read */
	q = io_uring_get_sqe(&ring);
	io_uring_prep_read(q, other, buf, sizeof(buf), 0);
	ck_assert_int_eq(ring_result(&ring), -EACCES);	/* not registered */
	q = io_uring_get_sqe(&ring);
	io_uring_prep_openat(q, AT_FDCWD, "/tmp/yl-ring-x", O_WRONLY | O_CREAT, 0600);
	q->flags |= IOSQE_FIXED_FILE;
	ck_assert_int_eq(ring_result(&ring), -EACCES);	/* no open */
	ck_assert_int_ne(access("/tmp/yl-ring-x", F_OK), 0);
	ck_assert_int_lt(io_uring_register_files_update(&ring, 1, &other, 1), 0);
	io_uring_queue_exit(&ring);
	close(fds[0]);
	close(other);
}
END_TEST

START_TEST(no_violation)
{
	ck_assert_int_eq(in_child(clean_body), 0);
}
END_TEST

Suite *sandbox_suite(void)
{
	Suite *s = suite_create("sandbox");
	TCase *tc = tcase_create("filters");

	tcase_add_test(tc, vcpu_filter);
	tcase_add_test(tc, main_filter);
	tcase_add_test(tc, no_violation);
	tcase_add_test(tc, tool_filter);
	tcase_add_test(tc, ring_reads_only);
	suite_add_tcase(s, tc);
	return s;
}
