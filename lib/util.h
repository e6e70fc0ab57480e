/* SPDX-License-Identifier: GPL-2.0 */
#ifndef YL_UTIL_H
#define YL_UTIL_H

#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>
#include <sys/types.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define READ_ONCE(x)	(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

/* Exit codes: one per kind of failure, documented in the README. */
enum yl_exit {
	YL_EXIT_OK = 0,
	YL_EXIT_CHECK = 1,	/* a guest or cross-check failed, guest panic */
	YL_EXIT_USAGE = 2,	/* bad command line or input file */
	YL_EXIT_HOST = 3,	/* KVM missing, a capability missing, host error */
	YL_EXIT_GUEST = 4,	/* guest fault or an exit yieldlab cannot handle */
	YL_EXIT_TIMEOUT = 5,	/* watchdog stopped the guest */
	YL_EXIT_SECCOMP = 6,	/* a thread made a forbidden system call */
	YL_EXIT_NOTHING = 7,	/* --strict: the run compared nothing */
	YL_EXIT_SIGNAL = 130,	/* a terminating signal stopped the run */
};

/*
 * An error: its one line for the caller to print, and its class, the exit
 * code, decided where the error is found (bad input there, not the host).
 */
struct yl_err {
	enum yl_exit code;
	char msg[512];
};

/* The host failed us (a system call, KVM, a missing capability): YL_EXIT_HOST. */
__attribute__((format(printf, 2, 3)))
int yl_errf(struct yl_err *e, const char *fmt, ...);
/* What the user gave is wrong (an option, a file's contents): YL_EXIT_USAGE. */
__attribute__((format(printf, 2, 3)))
int yl_usagef(struct yl_err *e, const char *fmt, ...);
/* Any other class (the watchdog, the guest). */
__attribute__((format(printf, 3, 4)))
int yl_errc(struct yl_err *e, enum yl_exit code, const char *fmt, ...);
/* Says @e as the command's one line; returns its exit code. */
int yl_err_exit(const struct yl_err *e);

static inline uint64_t yl_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

const char *yl_version(void);
void yl_err_print(const struct yl_err *e);
uint64_t yl_now_ns(void);
ssize_t yl_read_text(const char *path, char *buf, size_t len);
int yl_write_text(const char *path, const char *s);
int yl_cmp_dbl(const void *a, const void *b);
double yl_jain(double sum, double sum_sq, unsigned int n);
int yl_kick_signal(int sig, void (*handler)(int));
void yl_futex_wait(uint32_t *w, uint32_t val);
void yl_futex_wake(uint32_t *w, int n);
/* A turn passed between two threads through a futex word. */
void yl_turn_wait(uint32_t *w, uint32_t val);	/* while *w == val */
void yl_turn_set(uint32_t *w, uint32_t val);	/* and wake one waiter */
int yl_proc_starttime(int pid, unsigned long long *start);
int yl_stat_starttime(const char *stat, unsigned long long *start);

uint64_t yl_hist_quantile(const uint64_t *h, double p);

#endif
