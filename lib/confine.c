// SPDX-License-Identifier: GPL-2.0
/*
 * Confining a whole process that runs no guest of the run's kind
 * (compare, merge, sim, caps, bench handoff) and the programs it starts:
 * a seccomp deny-list through libseccomp, capabilities through libcap.
 * vmm/host/ confines a run's threads, each with its own allow-list.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <seccomp.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include "confine.h"

/* Whether this thread has @c in its effective set. */
bool yl_cap_effective(cap_value_t c)
{
	cap_flag_value_t v = CAP_CLEAR;
	cap_t caps = cap_get_proc();

	if (caps) {
		cap_get_flag(caps, c, CAP_EFFECTIVE, &v);
		cap_free(caps);
	}
	return v == CAP_SET;
}

static int clear_caps(void)
{
	cap_t caps = cap_init();
	int r;

	if (!caps)
		return -1;
	r = cap_set_proc(caps);
	cap_free(caps);
	return r;
}

/*
 * Empty the calling thread's bounding set, so that no exec could ever
 * regain a capability.  Needs CAP_SETPCAP: a run without it (not root)
 * has nothing to bound.
 */
int yl_drop_bounding(void)
{
	cap_value_t c, last = (cap_value_t)cap_max_bits() - 1;

	if (!yl_cap_effective(CAP_SETPCAP))
		return 0;
	for (c = 0; c <= last; c++)
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) && errno != EINVAL)
			return -1;
	return 0;
}

/*
 * Every capability gone for good, bounding set included, so that the
 * program this process execs next (gnuplot) starts with none even as
 * uid 0.
 */
int yl_drop_all_caps(struct yl_err *err)
{
	if (yl_drop_bounding() || clear_caps())
		return yl_errf(err, "dropping every capability: %s", strerror(errno));
	return 0;
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
