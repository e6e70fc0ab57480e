// SPDX-License-Identifier: GPL-2.0
/* sim/'s unit tests: its event queue and its engine; sim/ and sched/ only. */
#include <check.h>

TCase *eventq_tcase(void);
TCase *sim_tcase(void);

int main(void)
{
	Suite *s = suite_create("sim");
	SRunner *sr;
	int failed;

	suite_add_tcase(s, eventq_tcase());
	suite_add_tcase(s, sim_tcase());
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
