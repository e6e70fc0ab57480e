/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Files and directories that another local user may have written.
 * yieldlab runs as root: a plan, a compare directory, a calibration file
 * is hostile until proven otherwise.  Reads take regular files only,
 * opened without blocking and without following a final link, and
 * bounded in size; a directory we write into or run a plan from must be
 * ours (or root's) and writable by nobody else, nor may any directory
 * above it let another user swap it (sshd's StrictModes rule).
 */
#ifndef YL_SAFEIO_H
#define YL_SAFEIO_H

#include <stddef.h>
#include <stdio.h>
#include <fcntl.h>
#include "util.h"

/* Open flags for reading a file of untrusted origin. */
#define YL_O_READ_UNTRUSTED	(O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)

char *yl_read_regular(const char *path, size_t max, size_t *len, const char *what,
		      struct yl_err *err);
int yl_dir_trusted(const char *path, const char *what, struct yl_err *err);
int yl_mkdir_trusted(const char *path, const char *what, struct yl_err *err);
FILE *yl_fopen_write(const char *path);
int yl_open_program(const char *name);

#endif
