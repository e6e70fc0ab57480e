/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A result file that is complete or absent: opened (as a temporary file
 * beside it) before the experiment runs, so that a bad path costs nothing,
 * and renamed over the name asked for only once written in full.  "-"
 * (standard output), a character device or a FIFO is written in place.
 */
#ifndef YL_OUTFILE_H
#define YL_OUTFILE_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include "util.h"

struct yl_outfile {
	const char *opt;		/* the option that named it, for errors */
	char path[PATH_MAX];
	char tmp[PATH_MAX + 16];
	char dir[PATH_MAX];		/* where tmp and path are */
	FILE *f;
	bool in_place;			/* -, a device or a FIFO */
};

int yl_outfile_open(struct yl_outfile *o, const char *opt, const char *path,
		    struct yl_err *err);
int yl_outfile_commit(struct yl_outfile *o, struct yl_err *err);
void yl_outfile_abort(struct yl_outfile *o);
const char *yl_outfile_dir(const struct yl_outfile *o);
int yl_json_open(struct yl_outfile *o, const char *path);
int yl_json_commit(struct yl_outfile *o, int code);

#endif
