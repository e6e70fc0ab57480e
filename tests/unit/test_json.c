// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "out/json.h"
#include "suites.h"

START_TEST(nested_and_escaped)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct yj j;

	yj_init(&j, f);
	yj_obj(&j, NULL);
	yj_str(&j, "s", "a\"b\\c\n\x01");
	yj_u64(&j, "u", 18446744073709551615ull);
	yj_i64(&j, "i", -5);
	yj_dbl(&j, "nan", NAN);
	yj_arr(&j, "a");
	yj_u64(&j, NULL, 1);
	yj_u64(&j, NULL, 2);
	yj_arr_end(&j);
	yj_arr(&j, "empty");
	yj_arr_end(&j);
	yj_bool(&j, "b", true);
	yj_null(&j, "n");
	yj_obj_end(&j);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "\"s\": \"a\\\"b\\\\c\\u000a\\u0001\""));
	ck_assert_ptr_nonnull(strstr(buf, "\"u\": 18446744073709551615,"));
	ck_assert_ptr_nonnull(strstr(buf, "\"i\": -5,"));
	ck_assert_ptr_nonnull(strstr(buf, "\"nan\": null,"));
	ck_assert_ptr_nonnull(strstr(buf, "\"empty\": []"));
	ck_assert_ptr_nonnull(strstr(buf, "\"n\": null\n}"));
	free(buf);
}
END_TEST

Suite *json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("writer");

	tcase_add_test(tc, nested_and_escaped);
	suite_add_tcase(s, tc);
	return s;
}
