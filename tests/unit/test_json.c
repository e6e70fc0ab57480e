// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "out/json.h"
#include "out/rundoc.h"
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

static void doc_head(struct yj *j, const void *ctx)
{
	(void)ctx;
	yl_doc_config(j, &(struct yl_doc_config){
		.sched = "coop", .pcpus = "0-1", .workload = "lock",
		.lock = "ticket", .pv = "yield", .yield_to = "port",
		.pause_exits = "off", .ipi_wait = "sync", .ipi_yield = "none",
		.think_mode = "kernel",
		.vcpus = 2,
	}, NULL, NULL);
}

static void doc_body(struct yj *j, const void *ctx, unsigned int vm, bool alone)
{
	(void)ctx;
	yl_doc_result(j, &(struct yl_doc_result){
		.status = "ok", .stopped_by = "duration", .ops = 10 + vm,
	});
	yj_bool(j, "alone", alone);
}

static void doc_combined(const void *ctx, struct yl_doc_combined *c)
{
	(void)ctx;
	c->status = "ok";
	c->ops = 21;
}

static void doc_after(struct yj *j, const void *ctx)
{
	(void)ctx;
	yj_str(j, "after", "combined");
}

static char *doc(unsigned int nr_vms)
{
	const struct yl_doc_ops ops = {
		.command = "sim", .nr_vms = nr_vms, .head = doc_head,
		.vm_body = doc_body, .combined = doc_combined,
		.after_combined = doc_after,
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct yj j;

	yj_init(&j, f);
	yl_doc_write(&j, &ops, NULL);
	fclose(f);
	return buf;
}

/* One skeleton for run and sim: one VM at the top, several under "vms". */
START_TEST(run_document)
{
	char *one = doc(1), *two = doc(2);

	ck_assert_ptr_nonnull(strstr(one, "\"command\": \"sim\""));
	ck_assert_ptr_nonnull(strstr(one, "\"alone\": true"));
	ck_assert_ptr_null(strstr(one, "\"combined\""));
	ck_assert_ptr_null(strstr(one, "\"vms\""));
	/* what only a real run has is left out, not made up */
	ck_assert_ptr_null(strstr(one, "\"guest\""));
	ck_assert_ptr_null(strstr(one, "\"ipi_interrupts\""));
	ck_assert_ptr_null(strstr(one, "\"guest_check_ok\""));
	ck_assert_ptr_null(strstr(one, "\"capabilities\""));
	ck_assert_ptr_nonnull(strstr(two, "\"combined\": {\n    \"vms\": 2,"));
	ck_assert_ptr_nonnull(strstr(two, "\"ops\": 21,"));
	ck_assert_ptr_nonnull(strstr(two, "\"after\": \"combined\""));
	ck_assert_ptr_nonnull(strstr(two, "\"index\": 1,"));
	ck_assert_ptr_nonnull(strstr(two, "\"ops\": 11,"));
	ck_assert_ptr_null(strstr(two, "\"alone\": true"));
	ck_assert(strstr(two, "\"after\"") < strstr(two, "\"vms\": ["));
	free(one);
	free(two);
}
END_TEST

Suite *json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("writer");

	tcase_add_test(tc, nested_and_escaped);
	tcase_add_test(tc, run_document);
	suite_add_tcase(s, tc);
	return s;
}
