// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "outfile.h"

#define ALLOWED	"allowed: a regular file (replaced when complete), a character device, a FIFO with a reader, an open descriptor (/dev/fd/N), or - for standard output"

/*
 * "-": the file gets standard output, and the text a command prints there
 * goes to standard error from now on, so that `--json - | jq` reads JSON
 * alone.
 */
static int stdout_for_file(void)
{
	int fd;

	fflush(stdout);
	fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	if (fd >= 0 && dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * A name for one of our open descriptors (/dev/stdout, /dev/fd/N,
 * /proc/self/fd/N): its number, else -1.  Such a file is written through
 * that descriptor, as a shell's redirection meant; renaming over the name
 * would replace a link in /dev, and reopening a regular file behind it
 * would write over what is already there.
 */
static int fd_name(const char *path)
{
	static const char *const dirs[] = { "/dev/fd/", "/proc/self/fd/" };
	size_t k, n;
	char *end;
	long fd;

	if (!strcmp(path, "/dev/stdout"))
		return STDOUT_FILENO;
	if (!strcmp(path, "/dev/stderr"))
		return STDERR_FILENO;
	for (k = 0; k < ARRAY_SIZE(dirs); k++) {
		n = strlen(dirs[k]);
		if (strncmp(path, dirs[k], n) || !path[n])
			continue;
		fd = strtol(path + n, &end, 10);
		if (!*end && fd >= 0 && fd < 1024)
			return (int)fd;
	}
	return -1;
}

/*
 * "-", a character device (/dev/null, a terminal) or a FIFO (a shell's
 * process substitution, /dev/stdout on a pipe): written where it is.
 * Replacing one with a regular file by rename() would destroy a device
 * node.  A link to one is followed only if it is ours or root's: another
 * user's link must not steer our writes.  O_NONBLOCK on the open: a FIFO
 * nobody reads is refused instead of hanging us.
 */
static int open_in_place(struct yl_outfile *o, const char *path, struct yl_err *err)
{
	struct stat st;
	int fd;

	o->in_place = true;
	if (!strcmp(path, "-") || fd_name(path) == STDOUT_FILENO)
		fd = stdout_for_file();
	else if (fd_name(path) >= 0)
		fd = fcntl(fd_name(path), F_DUPFD_CLOEXEC, 3);
	else if (!lstat(path, &st) && S_ISLNK(st.st_mode) &&
		 st.st_uid != geteuid() && st.st_uid != 0)
		return yl_usagef(err, "%s %s: a link owned by uid %u; %s", o->opt, path,
			       (unsigned int)st.st_uid, ALLOWED);
	else
		fd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return yl_usagef(err, "%s %s: %s", o->opt, path,
			       errno == ENXIO ? "a FIFO that nobody reads" : strerror(errno));
	if (fstat(fd, &st) || !(S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode) ||
				(fd_name(path) >= 0 && S_ISREG(st.st_mode)) ||
				(!strcmp(path, "-") && S_ISREG(st.st_mode)))) {
		close(fd);
		return yl_usagef(err, "%s %s: changed while opened; %s", o->opt, path, ALLOWED);
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) ||
	    !(o->f = fdopen(fd, "w"))) {
		close(fd);
		return yl_usagef(err, "%s %s: %s", o->opt, path, strerror(errno));
	}
	return 0;
}

/*
 * Our temporary files (.NAME.PID.XXXXXX) beside @o's path whose writer
 * is dead (SIGKILL leaves them): removed, and only those we own, never
 * through a link (unlinkat removes the name itself).
 */
static void remove_stale(const struct yl_outfile *o, const char *base)
{
	char prefix[NAME_MAX + 2];
	struct dirent *e;
	struct stat st;
	size_t n;
	DIR *d;
	int dfd;

	n = (size_t)snprintf(prefix, sizeof(prefix), ".%s.", base);
	d = n < sizeof(prefix) ? opendir(o->dir) : NULL;
	if (!d)
		return;
	dfd = dirfd(d);
	while ((e = readdir(d))) {
		char *end;
		long pid;

		if (strncmp(e->d_name, prefix, n))
			continue;
		pid = strtol(e->d_name + n, &end, 10);
		if (pid <= 0 || *end != '.' || strlen(end) != 7)
			continue;
		if (!kill((pid_t)pid, 0) || errno != ESRCH)
			continue;	/* its writer may still be at work */
		if (!fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) &&
		    S_ISREG(st.st_mode) && st.st_uid == geteuid())
			unlinkat(dfd, e->d_name, 0);
	}
	closedir(d);
}

/*
 * A regular file or a new name: mkstemp() creates with O_EXCL, so the
 * temporary name never follows a link planted there; rename() replaces
 * PATH itself, never what a link at PATH points to.
 */
static int open_replace(struct yl_outfile *o, const char *path, struct yl_err *err)
{
	char d[PATH_MAX], b[PATH_MAX];
	mode_t mask;
	int fd;

	strcpy(d, path);
	strcpy(b, path);
	snprintf(o->dir, sizeof(o->dir), "%s", dirname(d));
	remove_stale(o, basename(b));
	snprintf(o->tmp, sizeof(o->tmp), "%s/.%s.%d.XXXXXX", o->dir, basename(b),
		 (int)getpid());
	fd = mkstemp(o->tmp);
	if (fd < 0)
		return yl_usagef(err, "%s %s: cannot create a file in %s: %s",
			       o->opt, path, o->dir, strerror(errno));
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) || !(o->f = fdopen(fd, "w"))) {
		yl_usagef(err, "%s %s: %s", o->opt, path, strerror(errno));
		close(fd);
		unlink(o->tmp);
		return -1;
	}
	return 0;
}

int yl_outfile_open(struct yl_outfile *o, const char *opt, const char *path,
		    struct yl_err *err)
{
	struct stat st;

	memset(o, 0, sizeof(*o));
	o->opt = opt;
	if (strlen(path) >= sizeof(o->path) - 16)
		return yl_usagef(err, "%s %s: path too long", opt, path);
	snprintf(o->path, sizeof(o->path), "%s", path);
	if (!*path)
		return yl_usagef(err, "%s: an empty name; %s", opt, ALLOWED);
	if (!strcmp(path, "-") || fd_name(path) >= 0)
		return open_in_place(o, path, err);
	if (stat(path, &st))
		return open_replace(o, path, err);
	if (S_ISDIR(st.st_mode))
		return yl_usagef(err, "%s %s: is a directory; %s", opt, path, ALLOWED);
	if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))
		return open_in_place(o, path, err);
	if (!S_ISREG(st.st_mode))
		return yl_usagef(err, "%s %s: a block device or socket; %s", opt, path, ALLOWED);
	return open_replace(o, path, err);
}

int yl_outfile_commit(struct yl_outfile *o, struct yl_err *err)
{
	int bad = fflush(o->f) || ferror(o->f);

	if (o->in_place) {
		bad |= fclose(o->f);
		o->f = NULL;
		if (bad)
			return yl_errf(err, "%s %s: %s", o->opt, o->path, strerror(errno));
		return 0;
	}
	bad |= fsync(fileno(o->f));
	bad |= fclose(o->f);
	o->f = NULL;
	if (bad || rename(o->tmp, o->path)) {
		yl_errf(err, "%s %s: %s", o->opt, o->path, strerror(errno));
		unlink(o->tmp);
		return -1;
	}
	return 0;
}

void yl_outfile_abort(struct yl_outfile *o)
{
	if (!o->f)
		return;
	fclose(o->f);
	o->f = NULL;
	if (!o->in_place)
		unlink(o->tmp);
}

/* Where the file is renamed into at the end, or NULL (written in place). */
const char *yl_outfile_dir(const struct yl_outfile *o)
{
	return o->f && !o->in_place ? o->dir : NULL;
}

/* --json FILE, opened before anything runs; the error printed, its exit code returned. */
int yl_json_open(struct yl_outfile *o, const char *path)
{
	struct yl_err err;

	if (!path || !yl_outfile_open(o, "--json", path, &err))
		return YL_EXIT_OK;
	return yl_err_exit(&err);
}

/* Puts an open --json file in place; a failure turns an ok @code into 3. */
int yl_json_commit(struct yl_outfile *o, int code)
{
	struct yl_err err;

	if (!o->f || !yl_outfile_commit(o, &err))
		return code;
	yl_err_print(&err);
	return code == YL_EXIT_OK ? YL_EXIT_HOST : code;
}
