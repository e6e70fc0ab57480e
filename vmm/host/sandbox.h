/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Least privilege once the run is set up, per thread (capabilities, the
 * bounding set, no_new_privs and seccomp filters are all per thread):
 * each thread kind gets an allow-list of the system calls it makes, and
 * nothing else.  A forbidden call is not executed: it fails with EPERM,
 * and the run is stopped and names the call and the thread.
 */
#ifndef YL_SANDBOX_H
#define YL_SANDBOX_H

#include <stdbool.h>
#include "cli/cli.h"
#include "lib/util.h"


int yl_sandbox_init(bool on, int probe_kind, struct yl_err *err);
int yl_sandbox_enter(enum yl_thread_kind kind, bool filter, struct yl_err *err);
int yl_sandbox_efd(void);
int yl_sandbox_exit_code(int code);

#endif
