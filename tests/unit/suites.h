/* SPDX-License-Identifier: GPL-2.0 */
#ifndef YL_TEST_SUITES_H
#define YL_TEST_SUITES_H

#include <check.h>

Suite *cli_suite(void);
Suite *layout_suite(void);
Suite *cpuid_suite(void);
Suite *kstats_suite(void);
Suite *hoststat_suite(void);
Suite *abi_suite(void);
Suite *json_suite(void);
Suite *knobs_suite(void);
Suite *privs_suite(void);
Suite *cgroup_suite(void);
Suite *report_suite(void);
Suite *sandbox_suite(void);
Suite *warn_suite(void);
Suite *timeline_suite(void);
Suite *stats_suite(void);
Suite *compare_suite(void);

#endif
