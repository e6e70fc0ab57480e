// SPDX-License-Identifier: GPL-2.0
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <yieldlab/abi.h>
#include "util.h"

/*
 * Error messages quote untrusted text (arguments, file contents): they
 * stay one printable line, whatever was quoted.
 */
static void err_set(struct yl_err *e, enum yl_exit code, const char *fmt,
		    va_list ap)
{
	char *p;

	e->code = code;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	for (p = e->msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

int yl_errf(struct yl_err *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_set(e, YL_EXIT_HOST, fmt, ap);
	va_end(ap);
	return -1;
}

int yl_usagef(struct yl_err *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_set(e, YL_EXIT_USAGE, fmt, ap);
	va_end(ap);
	return -1;
}

int yl_errc(struct yl_err *e, enum yl_exit code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_set(e, code, fmt, ap);
	va_end(ap);
	return -1;
}

/* The one line a command says when it stops on @e. */
void yl_err_print(const struct yl_err *e)
{
	fprintf(stderr, "yieldlab: %s\n", e->msg);
}

int yl_err_exit(const struct yl_err *e)
{
	yl_err_print(e);
	return e->code ? (int)e->code : YL_EXIT_HOST;
}

uint64_t yl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A small text file, NUL-terminated; returns the bytes read or -1. */
ssize_t yl_read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return n;
}

/* A short string into a file (sysfs, cgroupfs, debugfs); 0 or -1. */
int yl_write_text(const char *path, const char *s)
{
	size_t n = strlen(s);
	int fd = open(path, O_WRONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -1;
	r = write(fd, s, n) == (ssize_t)n ? 0 : -1;
	close(fd);
	return r;
}

/* qsort() order for doubles. */
int yl_cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * Jain's fairness index (sum x)^2 / (n sum x^2) of n values from their sum
 * and sum of squares: 1 when all are equal, 1/n when one has everything;
 * 1 for all-zero values, which are equal.
 */
double yl_jain(double sum, double sum_sq, unsigned int n)
{
	return n && sum_sq > 0 ? sum * sum / ((double)n * sum_sq) : 1.0;
}

/*
 * A signal that kicks a thread out of KVM_RUN: no SA_RESTART, so the
 * ioctl (or a futex wait) returns EINTR instead of resuming.
 */
/* Sleep while *@w is @val, as the futex word says (one check, may wake early). */
void yl_futex_wait(uint32_t *w, uint32_t val)
{
	syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

/* Wake up to @n sleepers on @w. */
void yl_futex_wake(uint32_t *w, int n)
{
	syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

void yl_turn_wait(uint32_t *w, uint32_t val)
{
	while (__atomic_load_n(w, __ATOMIC_ACQUIRE) == val)
		yl_futex_wait(w, val);
}

void yl_turn_set(uint32_t *w, uint32_t val)
{
	__atomic_store_n(w, val, __ATOMIC_RELEASE);
	yl_futex_wake(w, 1);
}

int yl_kick_signal(int sig, void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

/*
 * Field 22 of a /proc/PID/stat line, the start time in clock ticks after
 * boot: with the PID it names one process for the life of the system.
 * The command (field 2) may hold spaces and parentheses: skip to the last
 * ')'.
 */
int yl_stat_starttime(const char *stat, unsigned long long *start)
{
	const char *p = strrchr(stat, ')');
	int field;

	if (!p)
		return -1;
	for (field = 2; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -1;
	}
	return sscanf(p + 1, "%llu", start) == 1 && *start ? 0 : -1;
}

int yl_proc_starttime(int pid, unsigned long long *start)
{
	char path[64], buf[1024];

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (yl_read_text(path, buf, sizeof(buf)) < 0)
		return -1;
	return yl_stat_starttime(buf, start);
}

/* Upper bound, in the histogram's unit, of the bucket holding the p-quantile. */
uint64_t yl_hist_quantile(const uint64_t *h, double p)
{
	uint64_t total = 0, seen = 0;
	int b;

	for (b = 0; b < YL_HIST_BUCKETS; b++)
		total += h[b];
	if (!total)
		return 0;
	for (b = 0; b < YL_HIST_BUCKETS; b++) {
		seen += h[b];
		if ((double)seen >= p * (double)total)
			break;
	}
	return b >= 63 ? UINT64_MAX : 2ull << b;
}
