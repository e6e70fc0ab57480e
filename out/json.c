// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <math.h>
#include <yieldlab/abi.h>
#include "json.h"
#include "provenance.h"
#include "version.h"

void yj_init(struct yj *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->first[0] = true;
}

static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* Separator, indentation and "key": before every value. */
static void prefix(struct yj *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
	if (j->depth)
		fprintf(j->f, "\n%*s", 2 * j->depth, "");
	if (key) {
		put_string(j->f, key);
		fputs(": ", j->f);
	}
}

static void open_nested(struct yj *j, const char *key, char c)
{
	prefix(j, key);
	fputc(c, j->f);
	if (j->depth + 1 < YJ_MAX_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
}

static void close_nested(struct yj *j, char c)
{
	bool empty = j->first[j->depth];

	if (j->depth)
		j->depth--;
	if (!empty)
		fprintf(j->f, "\n%*s", 2 * j->depth, "");
	fputc(c, j->f);
	if (!j->depth)
		fputc('\n', j->f);
}

void yj_obj(struct yj *j, const char *key)
{
	open_nested(j, key, '{');
}

void yj_obj_end(struct yj *j)
{
	close_nested(j, '}');
}

void yj_arr(struct yj *j, const char *key)
{
	open_nested(j, key, '[');
}

void yj_arr_end(struct yj *j)
{
	close_nested(j, ']');
}

void yj_u64(struct yj *j, const char *key, uint64_t v)
{
	prefix(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void yj_i64(struct yj *j, const char *key, int64_t v)
{
	prefix(j, key);
	fprintf(j->f, "%" PRId64, v);
}

void yj_dbl(struct yj *j, const char *key, double v)
{
	prefix(j, key);
	if (isfinite(v))
		fprintf(j->f, "%.6g", v);
	else
		fputs("null", j->f);
}

void yj_str(struct yj *j, const char *key, const char *s)
{
	prefix(j, key);
	put_string(j->f, s);
}

void yj_bool(struct yj *j, const char *key, bool v)
{
	prefix(j, key);
	fputs(v ? "true" : "false", j->f);
}

void yj_null(struct yj *j, const char *key)
{
	prefix(j, key);
	fputs("null", j->f);
}

/*
 * Every JSON file yieldlab writes starts so: the schema it follows
 * (docs/schema/), the guest ABI, the build and the command.
 */
void yj_header(struct yj *j, const char *command)
{
	yj_u64(j, "schema_version", YL_SCHEMA_VERSION);
	yj_u64(j, "abi_version", YL_ABI_VERSION);
	yj_str(j, "yieldlab_version", YL_VERSION);
	yj_str(j, "command", command);
	yj_prov(j);
}

/* A log2 histogram of YL_HIST_BUCKETS buckets as an array. */
void yl_json_hist(struct yj *j, const char *key, const uint64_t *h)
{
	int b;

	yj_arr(j, key);
	for (b = 0; b < YL_HIST_BUCKETS; b++)
		yj_u64(j, NULL, h[b]);
	yj_arr_end(j);
}
