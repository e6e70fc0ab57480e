// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <unistd.h>
#include <sys/stat.h>
#include "safeio.h"

/* Why a file we are about to read is refused, or NULL. */
static const char *not_regular(const struct stat *st)
{
	if (S_ISREG(st->st_mode))
		return NULL;
	if (S_ISFIFO(st->st_mode))
		return "a FIFO";
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		return "a device";
	if (S_ISDIR(st->st_mode))
		return "a directory";
	return "not a regular file";
}

/*
 * The whole of @path, NUL-terminated, if it is a regular file of at most
 * @max bytes.  O_NONBLOCK: a FIFO planted where a file was expected is
 * refused at once instead of hanging the open; O_NOFOLLOW: a link in its
 * place is refused (ELOOP).  @what names the option in the error.
 */
char *yl_read_regular(const char *path, size_t max, size_t *len, const char *what,
		      struct yl_err *err)
{
	int fd = open(path, YL_O_READ_UNTRUSTED);
	const char *bad;
	struct stat st;
	size_t n = 0;
	ssize_t r = 0;
	int read_errno;
	char *buf;

	if (fd < 0) {
		yl_usagef(err, "%s %s: %s", what, path,
			errno == ELOOP ? "a symbolic link; allowed: a regular file" :
			strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st)) {
		yl_usagef(err, "%s %s: %s", what, path, strerror(errno));
		close(fd);
		return NULL;
	}
	bad = not_regular(&st);
	if (bad) {
		yl_usagef(err, "%s %s: %s; allowed: a regular file", what, path, bad);
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	buf = malloc(max + 1);
	while (buf && n <= max && (r = read(fd, buf + n, max + 1 - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		n += (size_t)r;
	}
	read_errno = errno;
	close(fd);
	if (!buf) {
		yl_errf(err, "%s %s: out of memory", what, path);
		errno = ENOMEM;
		return NULL;
	}
	if (r < 0) {		/* not a truncated file taken as whole */
		yl_errf(err, "%s %s: %s", what, path, strerror(read_errno));
		free(buf);
		errno = read_errno;
		return NULL;
	}
	if (n > max) {
		yl_usagef(err, "%s %s: larger than allowed", what, path);
		free(buf);
		errno = EFBIG;
		return NULL;
	}
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

static bool owner_trusted(const struct stat *st)
{
	return st->st_uid == geteuid() || st->st_uid == 0;
}

/* Group write is another user's write unless the group is our own. */
static bool others_write(const struct stat *st)
{
	return (st->st_mode & S_IWOTH) ||
	       ((st->st_mode & S_IWGRP) && st->st_gid != getegid());
}

/*
 * @path: a directory, not a link, ours or root's, that no other user can
 * write; and each directory above it ours or root's and writable by
 * nobody else unless sticky (/tmp), so that nobody can rename it away
 * and put another in its place after this check.
 */
int yl_dir_trusted(const char *path, const char *what, struct yl_err *err)
{
	char abs[PATH_MAX], *slash;
	struct stat st;

	if (lstat(path, &st))
		return yl_usagef(err, "%s %s: %s", what, path, strerror(errno));
	if (S_ISLNK(st.st_mode) && !owner_trusted(&st))
		return yl_usagef(err, "%s %s: a link owned by uid %u; allowed: a directory of yours or root's",
			       what, path, (unsigned int)st.st_uid);
	if (!realpath(path, abs) || stat(abs, &st))
		return yl_usagef(err, "%s %s: %s", what, path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return yl_usagef(err, "%s %s: not a directory", what, path);
	if (!owner_trusted(&st) || others_write(&st))
		return yl_usagef(err, "%s %s: owned by uid %u with mode %03o; allowed: a directory of yours or root's that no other user can write",
			       what, path, (unsigned int)st.st_uid,
			       (unsigned int)(st.st_mode & 0777));
	while ((slash = strrchr(abs, '/'))) {
		slash[slash == abs] = 0;
		if (stat(abs, &st))
			return yl_usagef(err, "%s %s: %s: %s", what, path, abs, strerror(errno));
		if (!owner_trusted(&st) || (others_write(&st) && !(st.st_mode & S_ISVTX)))
			return yl_usagef(err, "%s %s: %s above it is owned by uid %u with mode %03o, so another user could replace it; allowed: a path whose directories only you or root can change",
				       what, path, abs, (unsigned int)st.st_uid,
				       (unsigned int)(st.st_mode & 07777));
		if (slash == abs)
			break;
	}
	return 0;
}

/* @path made (0755) if missing, then held to yl_dir_trusted()'s rules. */
int yl_mkdir_trusted(const char *path, const char *what, struct yl_err *err)
{
	if (mkdir(path, 0755) && errno != EEXIST)
		return yl_errf(err, "%s %s: %s", what, path, strerror(errno));
	return yl_dir_trusted(path, what, err);
}

/*
 * @path for writing, created or truncated, inside a directory already
 * held to yl_dir_trusted(): never through a link, never a FIFO or device.
 */
FILE *yl_fopen_write(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK |
		      O_NOCTTY | O_CLOEXEC, 0644);
	struct stat st;
	FILE *f;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f)
		close(fd);
	return f;
}

/*
 * A program to run later by fexecve(), opened now: @name as given if it
 * holds a slash, else the first regular executable file of that name in
 * PATH.  -1 if there is none.  Holding the file open lets a seccomp
 * filter allow running exactly it (sandbox.c) and nothing else.
 */
int yl_open_program(const char *name)
{
	const char *path = getenv("PATH"), *p, *end;
	char buf[PATH_MAX];
	struct stat st;
	int fd;

	if (strchr(name, '/')) {
		fd = open(name, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
				!(st.st_mode & 0111))) {
			close(fd);
			return -1;
		}
		return fd;
	}
	for (p = path && *path ? path : "/usr/bin:/bin"; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ':');
		if (end == p || snprintf(buf, sizeof(buf), "%.*s/%s", (int)(end - p), p,
					 name) >= (int)sizeof(buf) || buf[0] != '/')
			continue;	/* a relative PATH entry is the cwd's: skipped */
		fd = yl_open_program(buf);
		if (fd >= 0)
			return fd;
	}
	return -1;
}
