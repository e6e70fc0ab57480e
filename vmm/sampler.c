// SPDX-License-Identifier: GPL-2.0
/*
 * The --sample-ms monitor thread.  Ticks are absolute (drift-free); one
 * that comes late is taken late and the ones it overran are skipped, and
 * every sample keeps the time it was taken, so rates divide by the real
 * interval.  The last sample is taken by the main thread once every vCPU
 * thread has ended: it must equal what the threads read themselves.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <linux/kvm.h>
#include "vmm/host/privs.h"
#include "sampler.h"

static const char *const host_names[YL_SAMPLE_HOST_NR] = {
	"host_run_ns", "host_wait_ns",
};

const char *yl_sample_series_name(const struct yl_sampler *s, unsigned int k)
{
	if (k < s->nr_kstats)
		return s->ks->desc[s->kidx[k]].name;
	return host_names[k - s->nr_kstats];
}

static uint64_t *slot(const struct yl_sampler *s, unsigned int tick,
		      unsigned int src)
{
	return s->vals + ((size_t)tick * s->nr_src + src) * s->nr_series;
}

uint64_t yl_sample(const struct yl_sampler *s, unsigned int tick,
		   unsigned int src, unsigned int k)
{
	return slot(s, tick, src)[k];
}

int yl_sample_src_of(const struct yl_sampler *s, const struct yl_vcpu *v)
{
	unsigned int j;

	for (j = 0; j < s->nr_src; j++)
		if (s->src[j].v == v)
			return (int)j;
	return -1;
}

/* Scalar cumulative counters only: instants and histograms have no rate. */
static int pick_stats(struct yl_sampler *s, struct yl_err *err)
{
	uint32_t i;

	s->kidx = calloc(s->ks->nr_desc + 1, sizeof(*s->kidx));
	if (!s->kidx)
		return yl_errf(err, "out of memory");
	for (i = 0; i < s->ks->nr_desc; i++) {
		const struct yl_kstat_desc *d = &s->ks->desc[i];

		if (d->size == 1 &&
		    (d->flags & KVM_STATS_TYPE_MASK) == KVM_STATS_TYPE_CUMULATIVE)
			s->kidx[s->nr_kstats++] = i;
	}
	s->nr_series = s->nr_kstats + YL_SAMPLE_HOST_NR;
	return 0;
}

static int init_src(struct yl_sampler *s, struct yl_vm *vms, unsigned int n,
		    struct yl_err *err)
{
	unsigned int k, i, j = 0;
	char path[64];

	s->src = calloc(s->nr_src, sizeof(*s->src));
	if (!s->src)
		return yl_errf(err, "out of memory");
	for (j = 0; j < s->nr_src; j++)
		s->src[j].sched_fd = -1;	/* calloc's 0 is stdin */
	for (j = 0, k = 0; k < n; k++)
		for (i = 0; i < vms[k].nr_vcpus; i++, j++) {
			struct yl_sample_src *c = &s->src[j];

			c->v = &vms[k].vcpus[i];
			c->vm = k;
			c->kbuf = malloc(s->ks->data_len ? s->ks->data_len : 1);
			/* coop: a vCPU has no thread of its own to read */
			if (c->v->tid) {
				snprintf(path, sizeof(path), "/proc/self/task/%d/schedstat",
					 (int)c->v->tid);
				c->sched_fd = open(path, O_RDONLY | O_CLOEXEC);
			}
			if ((c->v->tid && c->sched_fd < 0) || !c->kbuf)
				return yl_errf(err, "--sample-ms: %s: %s", path,
					       c->sched_fd < 0 ? strerror(errno) :
					       "out of memory");
			if (c->v->ks.data_len != s->ks->data_len)
				return yl_errf(err, "--sample-ms: vCPUs differ in their KVM statistics layout");
		}
	return 0;
}

/* Room for every tick of the longest run the watchdog allows, within a cap. */
static int alloc_ticks(struct yl_sampler *s, const struct yl_config *cfg,
		       struct yl_err *err)
{
	uint64_t per_tick = 8ull * s->nr_src * s->nr_series + 8;
	uint64_t want = yl_effective_timeout_s(cfg) * 1000 / s->interval_ms + 2;
	uint64_t room = YL_SAMPLE_MAX_BYTES / per_tick;

	s->max_ticks = (unsigned int)(want < room ? want : room);
	if (s->max_ticks < 2)
		return yl_errf(err, "--sample-ms: %u vCPUs x %u statistics do not fit in %llu MiB",
			       s->nr_src, s->nr_series, YL_SAMPLE_MAX_BYTES >> 20);
	s->t_ns = calloc(s->max_ticks, sizeof(*s->t_ns));
	s->vals = calloc((size_t)s->max_ticks * s->nr_src * s->nr_series, 8);
	if (!s->t_ns || !s->vals)
		return yl_errf(err, "out of memory");
	return 0;
}

static int ring_error(int r, struct yl_err *err)
{
	return yl_errf(err, "--sample-ms: io_uring_queue_init: %s (io_uring disabled by kernel.io_uring_disabled?)",
		       strerror(-r));
}

/* Before anything changes on the host: can this process use io_uring? */
int yl_sampler_probe(const struct yl_config *cfg, struct yl_err *err)
{
	struct io_uring ring;
	int r;

	if (!cfg->sample_ms)
		return 0;
	r = io_uring_queue_init(2, &ring, 0);
	if (r < 0)
		return ring_error(r, err);
	io_uring_queue_exit(&ring);
	return 0;
}

/* Debian 12's liburing 2.3 declares but does not export these two calls. */
static int ring_register(struct io_uring *ring, unsigned int op, void *arg,
			 unsigned int n)
{
	return syscall(__NR_io_uring_register, ring->ring_fd, op, arg, n) ? -errno : 0;
}

/*
 * io_uring operations are not system calls, so no seccomp filter sees
 * them: a ring that could open, write or connect would undo the
 * sandbox.  @ring, created with IORING_SETUP_R_DISABLED, is given @fds
 * (-1: an empty slot), restricted to IORING_OP_READ of those registered
 * files with no further registration allowed, and only then enabled
 * (io_uring_register(2), IORING_REGISTER_RESTRICTIONS).  0 or -errno.
 */
int yl_ring_restrict_reads(struct io_uring *ring, const int *fds, unsigned int n)
{
	struct io_uring_restriction res[2] = {
		{ .opcode = IORING_RESTRICTION_SQE_OP, .sqe_op = IORING_OP_READ },
		{ .opcode = IORING_RESTRICTION_SQE_FLAGS_REQUIRED,
		  .sqe_flags = IOSQE_FIXED_FILE },
	};
	int r = io_uring_register_files(ring, fds, n);

	if (!r)
		r = ring_register(ring, IORING_REGISTER_RESTRICTIONS, res, ARRAY_SIZE(res));
	if (!r)
		r = ring_register(ring, IORING_REGISTER_ENABLE_RINGS, NULL, 0);
	return r;
}

/* Slot 2j: vCPU j's statistics fd, 2j+1 its schedstat fd or -1. */
static int restrict_ring(struct yl_sampler *s, struct yl_err *err)
{
	int *fds = malloc(2 * s->nr_src * sizeof(*fds)), r;
	unsigned int j;

	if (!fds)
		return yl_errf(err, "out of memory");
	for (j = 0; j < s->nr_src; j++) {
		fds[2 * j] = s->src[j].v->stats_fd;
		fds[2 * j + 1] = s->src[j].sched_fd;
	}
	r = yl_ring_restrict_reads(&s->ring, fds, 2 * s->nr_src);
	free(fds);
	if (r < 0)
		return yl_errf(err, "--sample-ms: restricting the io_uring ring: %s",
			       strerror(-r));
	return 0;
}

/* After the vCPU threads exist (their TIDs name their schedstat files). */
int yl_sampler_init(struct yl_sampler *s, const struct yl_config *cfg,
		    struct yl_vm *vms, unsigned int nr_vms, struct yl_err *err)
{
	unsigned int k;
	int r;

	memset(s, 0, sizeof(*s));
	s->stop_efd = -1;
	s->interval_ms = (unsigned int)cfg->sample_ms;
	if (!s->interval_ms)
		return 0;
	s->ks = &vms[0].vcpus[0].ks;
	if (!s->ks->nr_desc)
		return yl_errf(err, "--sample-ms: this KVM has no binary statistics (KVM_GET_STATS_FD)");
	for (k = 0; k < nr_vms; k++)
		s->nr_src += vms[k].nr_vcpus;
	if (pick_stats(s, err) || init_src(s, vms, nr_vms, err) ||
	    alloc_ticks(s, cfg, err))
		return -1;
	r = io_uring_queue_init(2 * s->nr_src, &s->ring, IORING_SETUP_R_DISABLED);
	if (r < 0)
		return ring_error(r, err);
	s->ring_ok = true;
	if (restrict_ring(s, err))
		return -1;
	s->stop_efd = eventfd(0, EFD_CLOEXEC);
	if (s->stop_efd < 0)
		return yl_errf(err, "--sample-ms: eventfd: %s", strerror(errno));
	return 0;
}

/*
 * Queue one tick's reads; returns how many were queued.  The ring is
 * sized for a whole tick, so a missing SQE is a bug, counted as failed
 * reads rather than followed into a NULL.
 */
static unsigned int queue_reads(struct yl_sampler *s, bool final)
{
	unsigned int j, n = 0;

	for (j = 0; j < s->nr_src; j++) {
		struct yl_sample_src *c = &s->src[j];
		struct io_uring_sqe *q = io_uring_get_sqe(&s->ring);

		if (!q)
			goto full;
		io_uring_prep_read(q, (int)(2 * j), c->kbuf, s->ks->data_len,
				   s->ks->data_offset);
		q->flags |= IOSQE_FIXED_FILE;
		io_uring_sqe_set_data64(q, 2ull * j);
		n++;
		if (final || c->sched_fd < 0)
			continue;
		q = io_uring_get_sqe(&s->ring);
		if (!q)
			goto full;
		io_uring_prep_read(q, (int)(2 * j + 1), c->sbuf, sizeof(c->sbuf) - 1, 0);
		q->flags |= IOSQE_FIXED_FILE;
		io_uring_sqe_set_data64(q, 2ull * j + 1);
		n++;
	}
	return n;
full:
	s->failed_reads += (final ? s->nr_src : 2 * s->nr_src) - n;
	return n;
}

/*
 * The threads are gone at the final sample, and their schedstat with
 * them: what each read of itself last is the host's final word.
 */
static void store_final_host(struct yl_sampler *s, unsigned int tick)
{
	unsigned int j;

	for (j = 0; j < s->nr_src; j++) {
		const struct yl_hoststat *hs = &s->src[j].v->hs_after;
		uint64_t *v = slot(s, tick, j);
		const uint64_t *prev = tick ? slot(s, tick - 1, j) : NULL;

		v[s->nr_kstats + YL_SAMPLE_HOST_RUN] = hs->valid ? hs->run_ns :
			prev ? prev[s->nr_kstats + YL_SAMPLE_HOST_RUN] : 0;
		v[s->nr_kstats + YL_SAMPLE_HOST_WAIT] = hs->valid ? hs->wait_ns :
			prev ? prev[s->nr_kstats + YL_SAMPLE_HOST_WAIT] : 0;
	}
}

/* One completion into this tick's slot; a failed read keeps the last value. */
static void store(struct yl_sampler *s, unsigned int tick, uint64_t tag, int res)
{
	struct yl_sample_src *c = &s->src[tag / 2];
	uint64_t *v = slot(s, tick, (unsigned int)(tag / 2));
	const uint64_t *prev = tick ? slot(s, tick - 1, (unsigned int)(tag / 2)) : NULL;
	struct yl_hoststat hs;
	unsigned int k;

	if (!(tag & 1)) {
		bool ok = res == (int)s->ks->data_len;

		for (k = 0; k < s->nr_kstats; k++) {
			const struct yl_kstat_desc *d = &s->ks->desc[s->kidx[k]];

			if (ok)
				memcpy(&v[k], c->kbuf + d->offset, 8);
			else
				v[k] = prev ? prev[k] : 0;
		}
		s->failed_reads += !ok;
		return;
	}
	c->sbuf[res > 0 ? res : 0] = 0;
	if (res > 0 && !yl_parse_schedstat(c->sbuf, &hs)) {
		v[s->nr_kstats + YL_SAMPLE_HOST_RUN] = hs.run_ns;
		v[s->nr_kstats + YL_SAMPLE_HOST_WAIT] = hs.wait_ns;
		return;
	}
	for (k = s->nr_kstats; k < s->nr_series; k++)
		v[k] = prev ? prev[k] : 0;
	/* a tick between a thread's exit and the stop: it runs no more */
	if (res != -ESRCH)
		s->failed_reads++;
}

/* Every source in one batch: one io_uring_enter() submits and waits. */
static void take_sample(struct yl_sampler *s, bool final)
{
	unsigned int tick = s->nr_ticks, want, n, got = 0;
	struct io_uring_cqe *cqe;

	n = want = queue_reads(s, final);
	s->t_ns[tick] = yl_now_ns() - s->t0_ns;
	if (io_uring_submit_and_wait(&s->ring, want) < 0)
		want = 0;
	while (got < want && !io_uring_wait_cqe(&s->ring, &cqe)) {
		store(s, tick, io_uring_cqe_get_data64(cqe), cqe->res);
		io_uring_cqe_seen(&s->ring, cqe);
		got++;
	}
	if (got < n) {		/* the ring failed: keep the last values */
		s->failed_reads += n - got;
		if (tick)
			memcpy(slot(s, tick, 0), slot(s, tick - 1, 0),
			       8ull * s->nr_src * s->nr_series);
	}
	if (final)
		store_final_host(s, tick);
	s->nr_ticks++;
}

/* Until the next tick or a stop; true if stopped. */
static bool wait_tick(struct yl_sampler *s, uint64_t *next)
{
	uint64_t now = yl_now_ns(), step = s->interval_ms * 1000000ull;
	struct pollfd p = { .fd = s->stop_efd, .events = POLLIN };
	struct timespec ts;

	*next += step;
	while (*next <= now)
		*next += step;		/* late: skip the overrun ticks */
	ts.tv_sec = (time_t)((*next - now) / 1000000000ull);
	ts.tv_nsec = (long)((*next - now) % 1000000000ull);
	return ppoll(&p, 1, &ts, NULL) > 0;
}

static void *sampler_thread(void *arg)
{
	struct yl_sampler *s = arg;
	uint64_t next = s->t0_ns;

	pthread_setname_np(pthread_self(), "yl-sampler");
	if (yl_privs_lock_thread(NULL, YL_THREAD_SAMPLER, &s->lock_err)) {
		s->lock_failed = true;
		return NULL;
	}
	for (;;) {
		take_sample(s, false);
		/* keep one slot for the final sample of yl_sampler_stop() */
		if (s->nr_ticks >= s->max_ticks - 1) {
			s->truncated = true;
			break;
		}
		if (wait_tick(s, &next))
			break;
	}
	return NULL;
}

int yl_sampler_start(struct yl_sampler *s, struct yl_err *err)
{
	int r;

	if (!s->interval_ms)
		return 0;
	s->t0_ns = yl_now_ns();
	r = pthread_create(&s->thread, NULL, sampler_thread, s);
	if (r)
		return yl_errf(err, "--sample-ms: starting the monitor thread: %s",
			       strerror(r));
	s->started = true;
	return 0;
}

/* After every vCPU thread ended: stop ticking, take the last sample. */
void yl_sampler_stop(struct yl_sampler *s)
{
	uint64_t one = 1;

	if (!s->started)
		return;
	if (write(s->stop_efd, &one, sizeof(one)) < 0)
		s->failed_reads++;
	pthread_join(s->thread, NULL);
	s->started = false;
	if (s->lock_failed) {
		fprintf(stderr, "yieldlab: --sample-ms: %s; no samples taken\n",
			s->lock_err.msg);
		return;
	}
	take_sample(s, true);
}

void yl_sampler_free(struct yl_sampler *s)
{
	unsigned int j;

	yl_sampler_stop(s);
	for (j = 0; s->src && j < s->nr_src; j++) {
		if (s->src[j].sched_fd >= 0)
			close(s->src[j].sched_fd);
		free(s->src[j].kbuf);
	}
	if (s->ring_ok)
		io_uring_queue_exit(&s->ring);
	if (s->stop_efd >= 0)
		close(s->stop_efd);
	free(s->src);
	free(s->kidx);
	free(s->t_ns);
	free(s->vals);
	memset(s, 0, sizeof(*s));
	s->stop_efd = -1;
}
