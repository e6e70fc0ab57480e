// SPDX-License-Identifier: GPL-2.0
/*
 * compare's files: whole files written and read the safe way (lib/), a
 * compare directory held to lib/safeio.c's rules, words quoted for a
 * shell that reads them back.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "compare.h"
#include "lib/outfile.h"
#include "lib/safeio.h"

/* @text as the file @path, complete or absent (outfile.c's way). */
int yl_write_file(const char *path, const char *text)
{
	struct yl_outfile o;
	struct yl_err err;

	if (yl_outfile_open(&o, "--out", path, &err))
		return -1;
	if (fputs(text, o.f) == EOF) {
		yl_outfile_abort(&o);
		return -1;
	}
	return yl_outfile_commit(&o, &err);
}

/* A regular file whole (safeio.c's rules), or NULL with errno set. */
char *yl_read_file(const char *path, size_t max)
{
	struct yl_err err;

	return yl_read_regular(path, max, NULL, "", &err);
}

/*
 * A compare directory whose plan we run or whose files we write: it and
 * its runs/ (where it exists) held to safeio.c's rules, so that no other
 * user chose the plan or can plant a link where we write.
 */
int yl_compare_dir_trusted(const char *dir, const char *what, struct yl_err *err)
{
	char path[PATH_MAX];

	if (yl_dir_trusted(dir, what, err))
		return -1;
	snprintf(path, sizeof(path), "%s/runs", dir);
	if (access(path, F_OK) && errno == ENOENT)
		return 0;
	return yl_dir_trusted(path, what, err);
}

/* As the shell reads it back: plain words bare, others in single quotes. */
void yl_shell_quote(FILE *f, const char *s)
{
	const char *p;

	if (*s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789_./=,:+-@%") == strlen(s)) {
		fputs(s, f);
		return;
	}
	fputc('\'', f);
	for (p = s; *p; p++)
		if (*p == '\'')
			fputs("'\\''", f);
		else
			fputc(*p, f);
	fputc('\'', f);
}
