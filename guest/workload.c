// SPDX-License-Identifier: GPL-2.0
/*
 * Workloads.  The lock workload checks its own work: the critical section
 * does a plain read-delay-write of one shared counter, so any failure of
 * mutual exclusion loses an update, and the last vCPU to finish compares
 * the counter with the sum of everybody's ops.
 */
#include "guest.h"

static uint32_t arrived __attribute__((aligned(64)));
static uint32_t go __attribute__((aligned(64)));

static void delay_cycles(uint64_t n)
{
	uint64_t t0 = rdtsc();

	while (rdtsc() - t0 < n)
		cpu_relax();
}

unsigned int hist_bucket(uint64_t v)
{
	unsigned int b = v ? 63 - (unsigned int)__builtin_clzll(v) : 0;

	return b < YL_HIST_BUCKETS ? b : YL_HIST_BUCKETS - 1;
}

/* Everyone waits until all vCPUs booted; the last one starts the clock. */
static uint64_t start_barrier(struct guest_cpu *gc)
{
	uint32_t n = __atomic_add_fetch(&arrived, 1, __ATOMIC_ACQ_REL);

	if (n == gc->bp->nr_vcpus) {
		WRITE_ONCE(summary()->start_tsc, rdtsc());
		__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	}
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		cpu_relax();
	return READ_ONCE(summary()->start_tsc);
}

static void critical_section(struct guest_cpu *gc)
{
	/* Plain, deliberately non-atomic update: a lost one is a failure. */
	struct yl_summary *s = summary();
	uint64_t c = READ_ONCE(s->shared_counter);

	delay_cycles(gc->bp->cs_cycles);
	WRITE_ONCE(s->shared_counter, c + 1);
}

static void one_op(struct guest_cpu *gc)
{
	struct yl_vcpu_result *rec = gc->rec;
	uint64_t t0 = rdtsc(), lat;

	lock_acquire(gc);
	lat = rdtsc() - t0;
	critical_section(gc);
	lock_release(gc);
	rec->ops++;
	rec->lat_hist[hist_bucket(lat)]++;
	rec->lat_sum += lat;
	if (lat > rec->lat_max)
		rec->lat_max = lat;
}

static int check_mutex(struct guest_cpu *gc, char *p, char *end)
{
	struct yl_summary *s = summary();
	uint32_t i;
	uint64_t sum = 0;

	for (i = 0; i < gc->bp->nr_vcpus; i++)
		sum += READ_ONCE(vcpu_record(i)->ops);
	s->ops_total = sum;
	if (sum == READ_ONCE(s->shared_counter))
		return 1;
	p = fmt_str(p, end, "mutual exclusion violated: counter ");
	p = fmt_u64(p, end, s->shared_counter);
	p = fmt_str(p, end, " != sum of ops ");
	fmt_u64(p, end, sum);
	return 0;
}

/* Every request sent was run by its target and seen completed by its sender. */
static int check_ipis(struct guest_cpu *gc, char *p, char *end)
{
	uint64_t sent = 0, recv = 0, acked = 0;
	uint32_t i;

	for (i = 0; i < gc->bp->nr_vcpus; i++) {
		const struct yl_vcpu_result *r = vcpu_record(i);

		sent += READ_ONCE(r->ipi_sent);
		recv += READ_ONCE(r->ipi_received);
		acked += READ_ONCE(r->ipi_acked);
	}
	if (sent == recv && recv == acked)
		return 1;
	p = fmt_str(p, end, "IPIs unaccounted: sent ");
	p = fmt_u64(p, end, sent);
	p = fmt_str(p, end, " received ");
	p = fmt_u64(p, end, recv);
	p = fmt_str(p, end, " acked ");
	fmt_u64(p, end, acked);
	return 0;
}

/*
 * The last vCPU to finish checks everybody's work.  With IPIs, the others
 * keep serving interrupts until all have drained their requests, since a
 * vCPU that left could not run a call still aimed at it.
 */
static void finish_phase(struct guest_cpu *gc)
{
	struct yl_summary *s = summary();
	uint32_t n = gc->bp->nr_vcpus;
	char msg[YL_MSG_LEN], *end = msg + sizeof(msg);

	WRITE_ONCE(gc->rec->state, YL_STATE_DONE);
	if (__atomic_add_fetch(&s->vcpus_done, 1, __ATOMIC_ACQ_REL) != n) {
		while (yl_wl_has_ipis(gc->bp->workload) &&
		       __atomic_load_n(&s->vcpus_done, __ATOMIC_ACQUIRE) != n)
			cpu_relax();
		irq_disable();
		guest_done(0);
	}
	irq_disable();
	s->end_tsc = rdtsc();
	if (yl_wl_has_locks(gc->bp->workload) && !check_mutex(gc, msg, end))
		guest_panic(gc, msg);
	if (yl_wl_has_ipis(gc->bp->workload) && !check_ipis(gc, msg, end))
		guest_panic(gc, msg);
	WRITE_ONCE(s->check_ok, 1);
	guest_done(0);
}

/*
 * The time between ops.  With think_mode user it stands for guest user
 * mode, which coop reads from the vCPU's byte once it is preempted; the
 * byte is written before and after, never while another vCPU reads it.
 */
static void think(struct guest_cpu *gc)
{
	volatile uint8_t *user = (volatile uint8_t *)(uintptr_t)
				 (YL_COOP_USER_GPA + gc->idx);
	int mark = gc->bp->think_mode == YL_GMODE_USER &&
		   gc->bp->sched == YL_SCHED_COOP;

	if (mark)
		*user = 1;
	delay_cycles(gc->bp->think_cycles);
	if (mark)
		*user = 0;
}

static void lock_workload(struct guest_cpu *gc)
{
	uint64_t deadline = start_barrier(gc) + gc->bp->duration_cycles;

	WRITE_ONCE(gc->rec->state, YL_STATE_RUNNING);
	while (rdtsc() < deadline) {
		one_op(gc);
		think(gc);
	}
	finish_phase(gc);
}

/*
 * IPI ops with interrupts on; in the mixed workload each follows
 * ipi_every lock ops, so lock waiters also spin and halt with IPIs coming.
 */
static void ipi_workload(struct guest_cpu *gc)
{
	uint64_t deadline = start_barrier(gc) + gc->bp->duration_cycles, nr;
	int mixed = gc->bp->workload == YL_WL_MIXED;
	uint32_t every = gc->bp->ipi_every, i;	/* >= 1: boot_params_ok() */

	WRITE_ONCE(gc->rec->state, YL_STATE_RUNNING);
	irq_enable();
	for (nr = 0; rdtsc() < deadline; nr++) {
		for (i = 0; mixed && i < every && rdtsc() < deadline; i++) {
			one_op(gc);
			think(gc);
		}
		ipi_op(gc, nr);
		if (!mixed)
			think(gc);
	}
	ipi_drain(gc);
	finish_phase(gc);
}

/*
 * What sim's calibration needs of this guest (abi.h): a waiter's spin
 * loop, pv_spin() less its pv action; and one_op() with no critical
 * section and no think time, on a lock nobody else takes.
 */
static void time_guest(struct guest_cpu *gc)
{
	static uint64_t word, hist[YL_HIST_BUCKETS];
	uint64_t t0 = rdtsc(), i;

	for (i = 0; i < YL_BENCH_PAUSES; i++) {
		cpu_relax();
		(void)READ_ONCE(word);
	}
	WRITE_ONCE(gc->rec->bench_pause_cycles, rdtsc() - t0);
	t0 = rdtsc();
	for (i = 0; i < YL_BENCH_OPS; i++) {
		uint64_t t1 = rdtsc();

		lock_acquire(gc);
		hist[hist_bucket(rdtsc() - t1)]++;
		delay_cycles(0);
		WRITE_ONCE(word, word + 1);
		lock_release(gc);
		delay_cycles(0);
	}
	WRITE_ONCE(gc->rec->bench_op_cycles, rdtsc() - t0);
}

/*
 * One port exit per iteration, for duration_cycles (`run`), or until the
 * VMM stops running it when both limits are 0 (`bench exits`).
 */
static void exits_workload(struct guest_cpu *gc)
{
	uint64_t i, deadline;

	time_guest(gc);
	deadline = rdtsc() + gc->bp->duration_cycles;

	for (i = 0; !gc->bp->bench_exits || i < gc->bp->bench_exits; i++) {
		if (gc->bp->duration_cycles && rdtsc() >= deadline)
			break;
		outl(YL_PORT_BENCH, (uint32_t)i);
		gc->rec->bench_exits++;
	}
	guest_done(0);
}

void run_workload(struct guest_cpu *gc)
{
	switch (gc->bp->workload) {
	case YL_WL_LOCK:
		lock_workload(gc);
		break;
	case YL_WL_IPI:
	case YL_WL_MIXED:
		ipi_workload(gc);
		break;
	case YL_WL_EXITS:
		exits_workload(gc);
		break;
	case YL_WL_FAULT:
		/* Test workload: vCPU 0 touches memory nothing maps. */
		if (gc->idx == 0)
			(void)*(volatile uint64_t *)(uintptr_t)YL_FAULT_ADDR;
		for (;;)
			cpu_relax();
	case YL_WL_PROBE:
		WRITE_ONCE(gc->rec->state, YL_STATE_RUNNING);
		if (gc->idx == 0)
			pv_probe(gc);
		guest_done(0);
		break;
	case YL_WL_HANG:
		WRITE_ONCE(gc->rec->state, YL_STATE_RUNNING);
		for (;;) {
			cpu_relax();
			gc->rec->spins++;
		}
	}
	guest_panic(gc, "unknown workload");
}
