// SPDX-License-Identifier: GPL-2.0
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>
#include "util.h"

int yl_errf(struct yl_err *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
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
int yl_kick_signal(int sig, void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}
