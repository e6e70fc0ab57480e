// SPDX-License-Identifier: GPL-2.0
/*
 * Coop mode, see coop.h.  One mutex guards the scheduler: every call into
 * sched/ and every change of who owns a CPU happens under it.  A thread
 * gives its CPU away by clearing its own go word and setting the next
 * one's before it drops the lock, so at no moment do two threads own one
 * CPU; it then waits on its word outside the lock.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include "coop.h"
#include "vm.h"

#define YL_SIG_TICK	SIGUSR2

/*
 * The tick (and a kick from another CPU) is blocked in a vCPU thread
 * except inside KVM_RUN, where KVM_SET_SIGNAL_MASK lets it in: it ends a
 * KVM_RUN with EINTR, and one that comes while the thread is outside
 * makes its next KVM_RUN return at once, yet never wakes a thread that
 * waits for its turn.  It stays pending either way and is taken with
 * tick_take(), as QEMU's kvm_eat_signals() takes its SIG_IPI.  The
 * handler only runs if some other thread unblocks the signal.
 */
static void tick_handler(int sig)
{
	(void)sig;
}

void yl_coop_signal_init(void)
{
	yl_kick_signal(YL_SIG_TICK, tick_handler);
}

static void tick_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, YL_SIG_TICK);
}

/* Takes a pending tick, if there is one. */
static void tick_take(void)
{
	static const struct timespec zero;
	sigset_t set;

	tick_set(&set);
	while (sigtimedwait(&set, NULL, &zero) < 0 && errno == EINTR)
		;
}

/* This thread: the tick blocked, except inside this vCPU's KVM_RUN. */
static int tick_mask(struct yl_vcpu *v)
{
	struct {
		struct kvm_signal_mask m;
		uint8_t set[8];		/* the kernel's sigset_t on x86-64 */
	} km;
	sigset_t tick, old;

	tick_set(&tick);
	if (pthread_sigmask(SIG_BLOCK, &tick, &old))
		return -1;
	sigdelset(&old, YL_SIG_TICK);
	km.m.len = sizeof(km.set);
	memcpy(km.set, &old, sizeof(km.set));
	return ioctl(v->fd, KVM_SET_SIGNAL_MASK, &km);
}

static void futex_wait(uint32_t *w, uint32_t val)
{
	syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(uint32_t *w)
{
	syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static uint64_t now_ns(const struct yl_coop *c)
{
	return yl_now_ns() - c->t0;
}

static unsigned int cpu_of(const struct yl_coop *c, unsigned int t)
{
	return c->s->tasks[t].cpu;
}

static bool runnable(const struct yl_coop *c, unsigned int t)
{
	return c->s->tasks[t].state == YL_TASK_RUNNABLE;
}

static int parse_pcpus(struct yl_coop *c, const cpu_set_t *set,
		       struct yl_err *err)
{
	int cpu;

	c->nr_cpus = 0;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, set) && c->nr_cpus < YL_MAX_VCPUS)
			c->host_cpu[c->nr_cpus++] = cpu;
	if (!c->nr_cpus)
		return yl_errf(err, "--sched coop: no physical CPU in --pcpus");
	return 0;
}

int yl_coop_create(struct yl_coop *c, struct yl_vm *vm, struct yl_err *err)
{
	const struct yl_config *cfg = vm->cfg;
	struct yl_sched_params p;
	unsigned int task_cpu[YL_MAX_VCPUS], i;

	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	if (parse_pcpus(c, &cfg->pcpus, err))
		return -1;
	c->nr = vm->nr_vcpus;
	c->pol = cfg->policy;
	if (yl_sched_params_preset(&p, cfg->preset, c->nr_cpus))
		return yl_errf(err, "--preset %s: unknown", cfg->preset);
	if (cfg->hz)
		p.tick_ns = 1000000000ull / cfg->hz;	/* TICK_NSEC */
	for (i = 0; i < c->nr; i++)
		task_cpu[i] = i % c->nr_cpus;
	for (i = 0; i < c->nr_cpus; i++)
		c->running[i] = c->watch[i] = -1;
	c->s = yl_sched_create(&p, c->nr_cpus, c->nr, 0, task_cpu, NULL, NULL);
	c->v = calloc(c->nr, sizeof(*c->v));
	if (!c->s || !c->v || yl_target_init(&c->tgt, cfg->target, c->nr))
		return yl_errf(err, "out of memory");
	for (i = 0; i < c->nr; i++)
		c->v[i].pinned = -1;
	c->preempted = vm->mem + YL_COOP_PREEMPTED_GPA;
	c->vm = vm;
	return 0;
}

void yl_coop_destroy(struct yl_coop *c)
{
	unsigned int i;

	for (i = 0; c->v && i < c->nr; i++)
		if (c->v[i].has_timer)
			timer_delete(c->v[i].timer);
	if (c->s)
		yl_sched_destroy(c->s);
	yl_target_free(&c->tgt);
	free(c->v);
	c->v = NULL;
	c->s = NULL;
}

/*
 * Binds a vCPU's thread to the host CPU of the sched/ CPU it now runs on.
 * The granting thread does it before the wake-up, for a thread that
 * handoff moved: woken first, it would wait on its old CPU, behind
 * whatever vCPU runs there, until the host preempted that one (a
 * millisecond or more) only to be moved then.
 */
static void follow_cpu(struct yl_coop *c, unsigned int t, bool self)
{
	int host = c->host_cpu[cpu_of(c, t)];
	cpu_set_t set;

	if (__atomic_load_n(&c->v[t].pinned, __ATOMIC_RELAXED) == host ||
	    (!self && !c->v[t].thread_known))
		return;
	CPU_ZERO(&set);
	CPU_SET(host, &set);
	if (!pthread_setaffinity_np(self ? pthread_self() : c->v[t].thread,
				    sizeof(set), &set))
		__atomic_store_n(&c->v[t].pinned, host, __ATOMIC_RELAXED);
}

/*
 * Drop the lock, then wake the threads granted a CPU under it: woken
 * while we still held it, one could preempt us only to block on it.
 */
static void unlock_and_wake(struct yl_coop *c)
{
	unsigned int w[YL_MAX_VCPUS], n = c->nr_wakes, i;

	memcpy(w, c->wakes, n * sizeof(*w));
	c->nr_wakes = 0;
	pthread_mutex_unlock(&c->lock);
	for (i = 0; i < n; i++) {
		struct yl_coop_vcpu *cv = &c->v[w[i]];

		if (__atomic_load_n(&cv->hinted_ns, __ATOMIC_RELAXED))
			__atomic_store_n(&cv->woken_ns, now_ns(c), __ATOMIC_RELAXED);
		futex_wake(&cv->go);
	}
}

/* Lock held: @t owns its CPU from now; it will enter when it sees go. */
static void grant(struct yl_coop *c, int t)
{
	c->running[cpu_of(c, (unsigned int)t)] = t;
	c->preempted[t] = 0;
	c->v[t].dispatches++;
	follow_cpu(c, (unsigned int)t, false);
	__atomic_store_n(&c->v[t].go, 1, __ATOMIC_RELEASE);
	if (c->nr_wakes < YL_MAX_VCPUS)
		c->wakes[c->nr_wakes++] = (unsigned int)t;
}

static bool target_eligible(struct yl_coop *c, unsigned int t, uint64_t now);

/* Lock held: the CPU's pick, which may settle a watched decision. */
static int pick(struct yl_coop *c, unsigned int cpu)
{
	uint64_t now = now_ns(c);	/* one instant for the look and the pick */
	int w = c->watch[cpu], next;
	bool at_pick = w >= 0 && target_eligible(c, (unsigned int)w, now);

	next = yl_sched_pick(c->s, cpu, now);
	if (w < 0)
		return next;
	if (c->watch_eligible[cpu])
		c->eligible_ran_next += next == w;
	else
		c->ineligible_ran_next += next == w;
	if (!at_pick) {
		c->ineligible_at_pick++;
		c->ineligible_at_pick_ran_next += next == w;
	}
	c->watch[cpu] = -1;
	return next;
}

/* Lock held: the CPU's next owner, or nobody. */
static void dispatch(struct yl_coop *c, unsigned int cpu)
{
	int next = pick(c, cpu);

	c->running[cpu] = -1;
	if (next >= 0)
		grant(c, next);
}

/*
 * Lock held: a CPU whose sched/ state asks for a reschedule but whose
 * owner is another thread gets that thread kicked out of KVM_RUN; an
 * idle one with work gets an owner.  The caller handles its own CPU.
 */
static void resched_others(struct yl_coop *c, unsigned int mine)
{
	unsigned int cpu;

	for (cpu = 0; cpu < c->nr_cpus; cpu++) {
		int owner = c->running[cpu];

		if (cpu == mine || !c->s->cpus[cpu].need_resched)
			continue;
		if (owner < 0)
			dispatch(c, cpu);
		else if (c->v[owner].thread_known)
			pthread_kill(c->v[owner].thread, YL_SIG_TICK);
	}
}

/*
 * Wait, outside the lock, until we own a CPU again or the run stops.  A
 * tick or kick that came meanwhile was for the slice we gave up: after a
 * wait of a whole tick one is surely pending and is dropped here; after
 * a shorter one it may be, and costs at most a KVM_RUN that returns at
 * once and a tick early, which spares most hand-offs a system call.
 */
static void wait_turn(struct yl_coop *c, unsigned int me)
{
	struct yl_coop_vcpu *cv = &c->v[me];
	uint64_t slept = 0, t;

	while (!__atomic_load_n(&cv->go, __ATOMIC_ACQUIRE) &&
	       !__atomic_load_n(&c->stopping, __ATOMIC_ACQUIRE)) {
		if (!slept)
			slept = yl_now_ns();
		futex_wait(&cv->go, 0);
	}
	if (!slept && !__atomic_load_n(&cv->hinted_ns, __ATOMIC_RELAXED))
		return;
	t = yl_now_ns();
	cv->awake_ns = t - c->t0;
	if (slept && t - slept >= c->s->p.tick_ns)
		tick_take();
}

/* Lock held, we own our CPU: give it to whoever sched/ picks. */
static void reschedule(struct yl_coop *c, unsigned int me, bool slice_end)
{
	unsigned int cpu = cpu_of(c, me);
	int next = pick(c, cpu);

	if (next == (int)me)
		return;
	if (slice_end)
		c->v[me].preemptions++;
	__atomic_store_n(&c->v[me].go, 0, __ATOMIC_RELEASE);
	c->preempted[me] = runnable(c, me);
	c->running[cpu] = -1;
	if (next >= 0)
		grant(c, next);
	resched_others(c, cpu);
	unlock_and_wake(c);
	wait_turn(c, me);
	pthread_mutex_lock(&c->lock);
}

/* Lock held: whatever sched/ changed, every CPU acts on it, ours last. */
static void carry_out(struct yl_coop *c, unsigned int me)
{
	resched_others(c, cpu_of(c, me));
	if (c->s->cpus[cpu_of(c, me)].need_resched)
		reschedule(c, me, false);
}

/*
 * Lock held: a halted vCPU is woken (true); one not halted keeps the
 * wake-up for its next halt, as KVM's pv_unhalted does.
 */
static bool wake_halted(struct yl_coop *c, unsigned int t)
{
	if (c->s->tasks[t].state != YL_TASK_BLOCKED) {
		c->v[t].kicked = true;
		return false;
	}
	yl_sched_wake(c->s, t, now_ns(c));
	c->preempted[t] = 1;
	return true;
}

/*
 * This thread's periodic slice timer at sched/'s tick, as the kernel's
 * tick: it runs whether or not the thread owns a CPU (arming it at each
 * dispatch would put two system calls on every hand-off); a tick that
 * finds the thread waiting stays pending, blocked, and is dropped when
 * the thread gets a CPU again.
 */
static int make_timer(struct yl_coop *c, unsigned int me, pid_t tid)
{
	uint64_t tick = c->s->p.tick_ns;
	struct itimerspec its;
	struct sigevent ev;

	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = YL_SIG_TICK;
	ev._sigev_un._tid = tid;
	if (timer_create(CLOCK_MONOTONIC, &ev, &c->v[me].timer))
		return -1;
	c->v[me].has_timer = true;
	its.it_value.tv_sec = its.it_interval.tv_sec = (time_t)(tick / 1000000000ull);
	its.it_value.tv_nsec = its.it_interval.tv_nsec = (long)(tick % 1000000000ull);
	return timer_settime(c->v[me].timer, 0, &its, NULL);
}

/* In the vCPU thread, once past the start gate: wait for a CPU. */
int yl_coop_thread_start(struct yl_coop *c, struct yl_vcpu *v)
{
	struct yl_coop_vcpu *cv = &c->v[v->idx];
	int r;

	if (tick_mask(v))
		return -1;
	pthread_mutex_lock(&c->lock);
	cv->thread = pthread_self();
	cv->thread_known = true;
	r = make_timer(c, v->idx, v->tid);
	pthread_mutex_unlock(&c->lock);
	if (r)
		return -1;
	wait_turn(c, v->idx);
	return 0;
}

/* Main thread, every vCPU thread started: every vCPU joins, CPUs pick. */
void yl_coop_begin(struct yl_coop *c)
{
	unsigned int cpu, i;

	pthread_mutex_lock(&c->lock);
	c->t0 = yl_now_ns();
	yl_sched_start(c->s, 0);
	for (i = 0; i < c->nr; i++)
		c->preempted[i] = 1;
	for (cpu = 0; cpu < c->nr_cpus; cpu++)
		dispatch(c, cpu);
	unlock_and_wake(c);
}

/* Everyone leaves: each thread sees the VM's stop flag next. */
void yl_coop_stop(struct yl_coop *c)
{
	unsigned int i;

	__atomic_store_n(&c->stopping, true, __ATOMIC_RELEASE);
	for (i = 0; c->v && i < c->nr; i++)
		futex_wake(&c->v[i].go);
}

/* Hint, wake call, thread awake, entry: in order, or not one hand-off. */
static void count_phases(struct yl_coop *c, struct yl_coop_vcpu *cv,
			 uint64_t hinted, uint64_t now)
{
	uint64_t woken = __atomic_exchange_n(&cv->woken_ns, 0, __ATOMIC_RELAXED);
	uint64_t awake = cv->awake_ns;

	cv->awake_ns = 0;
	if (!woken || woken < hinted || awake < woken || now < awake)
		return;
	__atomic_add_fetch(&c->phase_sum_ns[0], woken - hinted, __ATOMIC_RELAXED);
	__atomic_add_fetch(&c->phase_sum_ns[1], awake - woken, __ATOMIC_RELAXED);
	__atomic_add_fetch(&c->phase_sum_ns[2], now - awake, __ATOMIC_RELAXED);
	__atomic_add_fetch(&c->phase_n, 1, __ATOMIC_RELAXED);
}

/* Lock-free: on the hand-off's own path, after the target woke. */
static void count_handoff(struct yl_coop *c, struct yl_coop_vcpu *cv,
			  uint64_t hinted)
{
	uint64_t now = now_ns(c), d = now - hinted, n;
	int b = d ? 63 - __builtin_clzll(d) : 0;

	if (!hinted)
		return;
	count_phases(c, cv, hinted, now);
	__atomic_add_fetch(&c->handoff_hist[b < YL_HIST_BUCKETS ? b : YL_HIST_BUCKETS - 1],
			   1, __ATOMIC_RELAXED);
	n = __atomic_fetch_add(&c->handoff_n, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&c->handoff_ring[n % YL_HANDOFF_SAMPLES],
			 d > UINT32_MAX ? UINT32_MAX : (uint32_t)d, __ATOMIC_RELAXED);
	__atomic_add_fetch(&c->handoff_sum_ns, d, __ATOMIC_RELAXED);
}

/*
 * Right before KVM_RUN: follow a migration, count the thread in, and time
 * a hand-off.  False if the run stops instead.
 */
bool yl_coop_enter(struct yl_coop *c, struct yl_vcpu *v)
{
	struct yl_coop_vcpu *cv = &c->v[v->idx];
	int n;

	if (__atomic_load_n(&c->stopping, __ATOMIC_ACQUIRE))
		return false;
	follow_cpu(c, v->idx, true);
	__atomic_add_fetch(&c->entries, 1, __ATOMIC_RELAXED);
	if (sched_getcpu() != c->host_cpu[cpu_of(c, v->idx)])
		__atomic_add_fetch(&c->misplaced, 1, __ATOMIC_RELAXED);
	if (__atomic_load_n(&cv->hinted_ns, __ATOMIC_RELAXED))
		count_handoff(c, cv, __atomic_exchange_n(&cv->hinted_ns, 0,
							 __ATOMIC_ACQ_REL));
	n = __atomic_add_fetch(&c->in_run, 1, __ATOMIC_SEQ_CST);
	for (int m = __atomic_load_n(&c->max_in_run, __ATOMIC_RELAXED); n > m;)
		if (__atomic_compare_exchange_n(&c->max_in_run, &m, n, false,
						__ATOMIC_RELAXED, __ATOMIC_RELAXED))
			break;
	return true;
}

void yl_coop_leave(struct yl_coop *c, struct yl_vcpu *v)
{
	(void)v;
	__atomic_sub_fetch(&c->in_run, 1, __ATOMIC_SEQ_CST);
}

/* A tick (or a kick from another CPU) took us out of the guest. */
void yl_coop_tick(struct yl_coop *c, struct yl_vcpu *v)
{
	unsigned int me = v->idx;

	tick_take();
	pthread_mutex_lock(&c->lock);
	if (yl_sched_tick(c->s, cpu_of(c, me), now_ns(c)))
		reschedule(c, me, true);
	unlock_and_wake(c);
}

/* A receiver's ipi_received, as the guest keeps it (untrusted: a count). */
static uint64_t ipi_received(const struct yl_coop *c, unsigned int r)
{
	const struct yl_vcpu_result *rec = (const void *)(c->vm->mem +
						       YL_VCPU_RESULT_GPA(r));

	return __atomic_load_n(&rec->ipi_received, __ATOMIC_RELAXED);
}

/*
 * ipi-pairs needs to know when a receiver EOIed (kvm_lapic's EOI, which
 * stays in the kernel here): a receiver whose handled count moved past
 * its mark has run the handler, which EOIs first.  Looked at when a hint
 * comes, the one moment target choice reads it.
 */
static void settle_eois(struct yl_coop *c)
{
	unsigned int r;

	for (r = 0; r < c->nr; r++)
		if (c->v[r].eoi_wait && ipi_received(c, r) > c->v[r].eoi_mark) {
			yl_target_eoi(&c->tgt, r, YL_IPI_VECTOR);
			c->v[r].eoi_wait = false;
		}
}

/* Was the hinted target eligible on its queue before the policy acted? */
static bool target_eligible(struct yl_coop *c, unsigned int t, uint64_t now)
{
	const struct yl_se *se = &c->s->tasks[t].se;

	yl_sched_update_curr(c->s, cpu_of(c, t), now);
	return se->on_rq && yl_entity_eligible(se->cfs_rq, se);
}

/*
 * An honoured hint whose target is on the yielder's CPU: watch whether
 * the pick the yielder makes next, in the same critical section, is it.
 */
static void watch_decision(struct yl_coop *c, unsigned int t, bool eligible)
{
	unsigned int cpu = cpu_of(c, t);

	c->watch[cpu] = (int)t;
	c->watch_eligible[cpu] = eligible;
	if (eligible)
		c->honoured_eligible++;
	else
		c->honoured_ineligible++;
}

/*
 * The trapped spin: kvm_vcpu_on_spin() with sched/'s target choice and
 * policy.  Whatever they changed is carried out: our CPU reschedules if
 * asked to, other CPUs' owners are kicked.
 */
void yl_coop_spin(struct yl_coop *c, struct yl_vcpu *v, uint32_t arg)
{
	unsigned int me = v->idx, hint = arg & 0xffffu;
	bool hinted = hint < c->nr && hint != me, eligible = false;
	enum yl_outcome o;
	int chosen = -1;
	uint64_t now, exited = now_ns(c);	/* the hand-off latency's start */

	pthread_mutex_lock(&c->lock);
	now = now_ns(c);
	c->v[me].hints++;
	settle_eois(c);
	yl_sched_update_curr(c->s, cpu_of(c, me), now);
	if (hinted)
		eligible = target_eligible(c, hint, now);
	o = yl_directed_yield(c->s, c->pol, &c->tgt, me,
			      hint < c->nr ? (int)hint : -1, now, &chosen);
	c->v[me].outcomes[o]++;
	c->outcomes[o]++;
	/* watched only where the next pick is ours, made right below */
	if (o == YL_OUT_HONOURED && hinted && chosen == (int)hint &&
	    cpu_of(c, hint) == cpu_of(c, me))
		watch_decision(c, hint, eligible);
	if (chosen >= 0 && yl_outcome_done(o))
		__atomic_store_n(&c->v[chosen].hinted_ns, exited ? exited : 1,
				 __ATOMIC_RELEASE);
	carry_out(c, me);
	c->watch[cpu_of(c, me)] = -1;	/* no pick came: nothing to settle */
	unlock_and_wake(c);
}

/* kvm_wait()'s HLT: sleep until kicked, unless the kick came first. */
void yl_coop_halt(struct yl_coop *c, struct yl_vcpu *v)
{
	unsigned int me = v->idx;

	pthread_mutex_lock(&c->lock);
	c->v[me].halts++;
	if (!c->v[me].kicked) {
		yl_sched_block(c->s, me, now_ns(c));
		reschedule(c, me, false);
	}
	c->v[me].kicked = false;
	unlock_and_wake(c);
}

/* kvm_kick_cpu(): wake a halted vCPU, or let its next halt return. */
void yl_coop_kick(struct yl_coop *c, struct yl_vcpu *v, uint32_t target)
{
	unsigned int me = v->idx;

	if (target >= c->nr || target == me)
		return;
	pthread_mutex_lock(&c->lock);
	c->v[me].kicks_sent++;
	c->v[target].kicks_received++;
	if (wake_halted(c, target))
		carry_out(c, me);
	unlock_and_wake(c);
}

/* The guest is done on this vCPU: it leaves, its CPU goes to the next. */
void yl_coop_exit(struct yl_coop *c, struct yl_vcpu *v)
{
	unsigned int me = v->idx, cpu;

	pthread_mutex_lock(&c->lock);
	if (c->v[me].has_timer) {
		timer_delete(c->v[me].timer);
		c->v[me].has_timer = false;
	}
	cpu = cpu_of(c, me);
	yl_sched_exit(c->s, me, now_ns(c));
	c->preempted[me] = 0;
	__atomic_store_n(&c->v[me].go, 0, __ATOMIC_RELEASE);
	if (c->running[cpu] == (int)me)
		dispatch(c, cpu);
	resched_others(c, cpu);
	unlock_and_wake(c);
}

/* KVM_SIGNAL_MSI: a fixed, edge interrupt to one vCPU, physical destination. */
static int inject(struct yl_coop *c, unsigned int t, uint32_t vector)
{
	struct kvm_msi msi = {
		.address_lo = 0xfee00000u | (t << 12),
		.data = vector,
	};

	return ioctl(c->vm->fd, KVM_SIGNAL_MSI, &msi) < 0 ? -1 : 0;
}

/*
 * The guest's IPI call: the set comes from the sender's slot of the IPI
 * page; every target must be another vCPU of this VM.  A unicast IPI is
 * what ipi-pairs learns from (kvm_pv_send_ipi() in the seed's patches).
 */
int yl_coop_ipi(struct yl_coop *c, struct yl_vcpu *v, uint32_t vector)
{
	const uint64_t *set = (const void *)(c->vm->mem + YL_COOP_IPI_SET_GPA(v->idx));
	unsigned int me = v->idx, t, n = 0, last = 0;
	uint64_t w[YL_COOP_IPI_WORDS];
	int bad = 0;

	if (vector < 32 || vector > 255)
		return -1;
	memcpy(w, set, sizeof(w));
	pthread_mutex_lock(&c->lock);
	c->v[me].ipi_calls++;
	for (t = 0; t < YL_MAX_VCPUS; t++) {
		if (!(w[t / 64] & (1ull << (t % 64))))
			continue;
		if (t >= c->nr || t == me || inject(c, t, vector)) {
			bad = -1;
			continue;
		}
		c->v[t].ipis_injected++;
		wake_halted(c, t);	/* an interrupt ends a halt too */
		last = t;
		n++;
	}
	if (n == 1) {
		yl_target_ipi(&c->tgt, me, last, vector, now_ns(c));
		c->v[last].eoi_mark = ipi_received(c, last);
		c->v[last].eoi_wait = true;
	}
	carry_out(c, me);
	unlock_and_wake(c);
	return bad;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* What `bench handoff` reads once the run is over: quantiles, not a mean. */
void yl_coop_handoffs(const struct yl_coop *c, struct yl_handoff_out *h)
{
	static uint32_t s[YL_HANDOFF_SAMPLES];
	uint64_t n = c->handoff_n < YL_HANDOFF_SAMPLES ? c->handoff_n :
		     YL_HANDOFF_SAMPLES;

	memset(h, 0, sizeof(*h));
	h->n = c->handoff_n;
	h->sum_ns = c->handoff_sum_ns;
	h->phase_n = c->phase_n;
	memcpy(h->phase_sum_ns, c->phase_sum_ns, sizeof(h->phase_sum_ns));
	if (!n)
		return;
	memcpy(s, c->handoff_ring, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_u32);
	h->p10_ns = s[n / 10];
	h->p50_ns = s[n / 2];
	h->p90_ns = s[n * 9 / 10];
}
