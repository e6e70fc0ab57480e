/* SPDX-License-Identifier: GPL-2.0 */
/* A small streaming JSON writer: objects, arrays, numbers, strings. */
#ifndef YL_JSON_H
#define YL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define YJ_MAX_DEPTH 16

/* docs/schema/: bumped when a field changes meaning or goes away */
#define YL_SCHEMA_VERSION 1

struct yj {
	FILE *f;
	int depth;
	bool first[YJ_MAX_DEPTH];
};

void yj_init(struct yj *j, FILE *f);
void yj_obj(struct yj *j, const char *key);
void yj_obj_end(struct yj *j);
void yj_arr(struct yj *j, const char *key);
void yj_arr_end(struct yj *j);
void yj_u64(struct yj *j, const char *key, uint64_t v);
void yj_i64(struct yj *j, const char *key, int64_t v);
void yj_dbl(struct yj *j, const char *key, double v);
void yj_str(struct yj *j, const char *key, const char *s);
void yj_bool(struct yj *j, const char *key, bool v);
void yj_null(struct yj *j, const char *key);
void yj_header(struct yj *j, const char *command);
void yl_json_hist(struct yj *j, const char *key, const uint64_t *h);

#endif
