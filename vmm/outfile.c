// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "outfile.h"

/*
 * mkstemp() creates with O_EXCL, so the temporary name never follows a
 * link planted there; rename() replaces PATH itself, never what a link
 * at PATH points to.
 */
int yl_outfile_open(struct yl_outfile *o, const char *opt, const char *path,
		    struct yl_err *err)
{
	char d[PATH_MAX], b[PATH_MAX];
	mode_t mask;
	struct stat st;
	int fd;

	memset(o, 0, sizeof(*o));
	o->opt = opt;
	if (strlen(path) >= sizeof(d))
		return yl_errf(err, "%s %s: path too long", opt, path);
	if (!stat(path, &st) && S_ISDIR(st.st_mode))
		return yl_errf(err, "%s %s: is a directory; allowed: a file name", opt, path);
	strcpy(d, path);
	strcpy(b, path);
	snprintf(o->dir, sizeof(o->dir), "%s", dirname(d));
	snprintf(o->path, sizeof(o->path), "%s", path);
	snprintf(o->tmp, sizeof(o->tmp), "%s/.%s.XXXXXX", o->dir, basename(b));
	fd = mkstemp(o->tmp);
	if (fd < 0)
		return yl_errf(err, "%s %s: cannot create a file in %s: %s",
			       opt, path, o->dir, strerror(errno));
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) || !(o->f = fdopen(fd, "w"))) {
		yl_errf(err, "%s %s: %s", opt, path, strerror(errno));
		close(fd);
		unlink(o->tmp);
		return -1;
	}
	return 0;
}

int yl_outfile_commit(struct yl_outfile *o, struct yl_err *err)
{
	int bad = fflush(o->f) || ferror(o->f) || fsync(fileno(o->f));

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
	unlink(o->tmp);
}

/* --json FILE, opened before anything runs; the error printed, 2 returned. */
int yl_json_open(struct yl_outfile *o, const char *path)
{
	struct yl_err err;

	if (!path || !yl_outfile_open(o, "--json", path, &err))
		return YL_EXIT_OK;
	fprintf(stderr, "yieldlab: %s\n", err.msg);
	return YL_EXIT_USAGE;
}

/* Puts an open --json file in place; a failure turns an ok @code into 3. */
int yl_json_commit(struct yl_outfile *o, int code)
{
	struct yl_err err;

	if (!o->f || !yl_outfile_commit(o, &err))
		return code;
	fprintf(stderr, "yieldlab: %s\n", err.msg);
	return code == YL_EXIT_OK ? YL_EXIT_HOST : code;
}
