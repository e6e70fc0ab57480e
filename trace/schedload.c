// SPDX-License-Identifier: GPL-2.0
/*
 * schedload: plain threads on one CPU for the real kernel's scheduler to
 * run, so that its sched_switch trace can be set beside sched/'s replay
 * of the same threads (trace/replay.c, trace/distance.py).  Nothing of
 * yieldlab: a Linux program, run as root in the emulated host.
 *
 *   schedload -d MS -w MS THREAD...
 *
 * THREAD is as spec.h reads it.
 * Thread i is named "ylt<i>", pinned to CPU 0 with its nice; this thread
 * waits on CPU 1.  After -w MS of warm-up "yl-start" goes to the trace
 * marker, after -d MS more "yl-stop".
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include "spec.h"

#define MAX_THREADS	YL_SPEC_MAX_THREADS

struct thr {
	struct yl_spec spec;
	pthread_t th;
	int idx;
};

static struct thr thr[MAX_THREADS];
static pthread_barrier_t go;
static volatile int stop;

static long long cpu_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec * 1000000000ll + t.tv_nsec;
}

static void pin(int cpu)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	if (sched_setaffinity(0, sizeof(s), &s)) {
		perror("schedload: sched_setaffinity");
		exit(2);
	}
}

/* Use @us of this thread's own CPU time (not wall time: it is shared). */
static void burn(long us)
{
	long long end = cpu_ns() + us * 1000ll;

	while (!stop && cpu_ns() < end)
		;
}

static void *body(void *arg)
{
	struct thr *t = arg;
	char name[16];
	struct timespec sl;

	snprintf(name, sizeof(name), "ylt%d", t->idx);
	prctl(PR_SET_NAME, name);
	pin(0);
	if (setpriority(PRIO_PROCESS, 0, t->spec.nice)) {
		perror("schedload: setpriority");
		exit(2);
	}
	pthread_barrier_wait(&go);
	sl.tv_sec = t->spec.sleep_us / 1000000;
	sl.tv_nsec = t->spec.sleep_us % 1000000 * 1000;
	while (!stop) {
		if (t->spec.kind == YL_SPEC_BUSY) {
			burn(1000000);
			continue;
		}
		burn(t->spec.run_us);
		if (t->spec.kind == YL_SPEC_SLEEP)
			nanosleep(&sl, NULL);
		else
			sched_yield();
	}
	return NULL;
}

static void mark(int fd, const char *what)
{
	if (fd >= 0 && write(fd, what, strlen(what)) < 0)
		perror("schedload: trace_marker");
}

static void msleep(long ms)
{
	struct timespec t = { ms / 1000, ms % 1000 * 1000000 };

	while (nanosleep(&t, &t) && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	long dur = 2000, warm = 200;
	int n = 0, i, opt, fd;

	while ((opt = getopt(argc, argv, "d:w:")) != -1) {
		if (opt == 'd')
			dur = atol(optarg);
		else if (opt == 'w')
			warm = atol(optarg);
		else
			return 2;
	}
	for (i = optind; i < argc; i++) {
		if (n == MAX_THREADS || yl_spec_parse(argv[i], &thr[n].spec)) {
			fprintf(stderr, "schedload: bad thread '%s': %s; at most %d\n",
				argv[i], YL_SPEC_USAGE, MAX_THREADS);
			return 2;
		}
		thr[n].idx = n;
		n++;
	}
	if (!n || dur <= 0 || warm < 0)
		return 2;
	pin(1);
	fd = open("/sys/kernel/tracing/trace_marker", O_WRONLY);
	pthread_barrier_init(&go, NULL, (unsigned int)n + 1);
	for (i = 0; i < n; i++)
		pthread_create(&thr[i].th, NULL, body, &thr[i]);
	pthread_barrier_wait(&go);
	msleep(warm);
	mark(fd, "yl-start");
	msleep(dur);
	mark(fd, "yl-stop");
	stop = 1;
	for (i = 0; i < n; i++)
		pthread_join(thr[i].th, NULL);
	return 0;
}
