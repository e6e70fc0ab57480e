// SPDX-License-Identifier: GPL-2.0
/*
 * Sanitizer builds (scripts/sanitize.sh) run inside the emulated host,
 * where no environment reaches the binary: their options are compiled in.
 * A report makes the process exit 86 (ASan, TSan) or abort (UBSan, built
 * with -fno-sanitize-recover), so a test that expects exit 0 fails on it.
 */
#ifdef YL_SANITIZED
const char *__asan_default_options(void);
const char *__tsan_default_options(void);
const char *__ubsan_default_options(void);

const char *__asan_default_options(void)
{
	return "detect_leaks=1:exitcode=86:abort_on_error=0";
}

const char *__tsan_default_options(void)
{
	return "exitcode=86:second_deadlock_stack=1";
}

const char *__ubsan_default_options(void)
{
	return "print_stacktrace=1:halt_on_error=1";
}
#else
/* ISO C wants a translation unit to declare something. */
typedef int yl_not_sanitized;
#endif
