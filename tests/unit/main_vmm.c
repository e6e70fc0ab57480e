// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include "suites.h"

int main(void)
{
	SRunner *sr = srunner_create(cli_suite());
	int failed;

	srunner_add_suite(sr, layout_suite());
	srunner_add_suite(sr, cpuid_suite());
	srunner_add_suite(sr, kstats_suite());
	srunner_add_suite(sr, hoststat_suite());
	srunner_add_suite(sr, abi_suite());
	srunner_add_suite(sr, json_suite());
	srunner_add_suite(sr, knobs_suite());
	srunner_add_suite(sr, privs_suite());
	srunner_add_suite(sr, cgroup_suite());
	srunner_add_suite(sr, report_suite());
	srunner_add_suite(sr, sandbox_suite());
	srunner_add_suite(sr, warn_suite());
	srunner_add_suite(sr, timeline_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
