// SPDX-License-Identifier: GPL-2.0
/*
 * Coop mode's executor, see coop.h.  One mutex guards the scheduler:
 * every call into sched/ and every change of a CPU's current task happens
 * under it.  A CPU's current task is changed by that CPU's own thread,
 * except an idle CPU's, which any thread may give a task and then wake.
 * So a vCPU is only ever entered by the thread of the CPU it is current
 * on, and no thread ever waits for another to let go of a vCPU.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include "coop.h"
#include "internal.h"
#include "vmm/vm.h"

#define YL_SIG_TICK	SIGUSR2

/* The kernel's name (asm-generic/siginfo.h); glibc before 2.41 lacks it. */
#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id	_sigev_un._tid
#endif

/*
 * The tick (and a kick from another CPU) is blocked in an executor
 * thread except inside KVM_RUN, where the vCPU's KVM_SET_SIGNAL_MASK
 * lets it in: it ends a KVM_RUN with EINTR, and one that comes while the
 * thread is outside makes its next KVM_RUN return at once, yet never
 * wakes an idle thread.  It stays pending either way and is taken with
 * tick_take(), as QEMU's kvm_eat_signals() takes its SIG_IPI.
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

/*
 * A vCPU's signal mask inside KVM_RUN: the executor's own (the creating
 * thread's, which every executor inherits) with the tick let in.  It is
 * the vCPU's (vcpu->sigset, kvm_sigset_activate()), so it moves with the
 * vCPU from thread to thread.
 */
static int run_mask(int fd)
{
	struct {
		struct kvm_signal_mask m;
		uint8_t set[8];		/* the kernel's sigset_t on x86-64 */
	} km;
	sigset_t cur;

	if (pthread_sigmask(SIG_BLOCK, NULL, &cur))
		return -1;
	sigdelset(&cur, YL_SIG_TICK);
	km.m.len = sizeof(km.set);
	memcpy(km.set, &cur, sizeof(km.set));
	return ioctl(fd, KVM_SET_SIGNAL_MASK, &km);
}

void coop_tl_add(struct yl_coop *c, enum yl_tl_kind kind, unsigned int cpu,
		   unsigned int t, int32_t arg, int64_t val, uint64_t ts,
		   uint64_t dur)
{
	struct yl_tl_event e = {
		.ts_ns = ts, .dur_ns = dur, .val = val, .kind = (uint16_t)kind,
		.cpu = (uint16_t)cpu, .vm = (uint16_t)c->v[t].vm,
		.vcpu = (uint16_t)c->v[t].vcpu->idx, .arg = arg,
	};

	if (c->tl)
		yl_tl_add(c->tl, &e);
}

/* ------------------------------------------------- decisions, carried out */

/* Lock held: ask an idle CPU's thread to look again, after the unlock. */
static void wake_cpu(struct yl_coop_cpu *pc)
{
	__atomic_add_fetch(&pc->word, 1, __ATOMIC_RELEASE);
	if (pc->idle)
		yl_futex_wake(&pc->word, INT_MAX);
}

/* A CPU whose thread is in (or about to enter) KVM_RUN: out of it. */
static void kick_cpu(struct yl_coop_cpu *pc)
{
	if (__atomic_load_n(&pc->started, __ATOMIC_ACQUIRE))
		pthread_kill(pc->thread, YL_SIG_TICK);
}


/* Lock held: the CPU's pick, which may settle a watched decision. */
static int pick(struct yl_coop *c, unsigned int cpu)
{
	uint64_t now = now_ns(c);	/* one instant for the look and the pick */
	int w = c->watch[cpu], next;
	bool at_pick = w >= 0 && coop_target_eligible(c, (unsigned int)w, now);

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

/* Lock held: the task's slice on its CPU is over. */
static void close_slice(struct yl_coop *c, struct yl_coop_cpu *pc, unsigned int t)
{
	uint64_t now = now_ns(c), s = c->v[t].run_start_ns;

	coop_tl_add(c, YL_TL_RUN, pc->idx, t, -1, 0, s, now > s ? now - s : 0);
}

/* Lock held: @t is the CPU's task from now; its thread enters it next. */
static void set_curr(struct yl_coop *c, struct yl_coop_cpu *pc, unsigned int t)
{
	struct yl_coop_vcpu *cv = &c->v[t];
	const struct yl_se *se = &c->s->tasks[t].se;
	uint64_t now = now_ns(c);

	__atomic_store_n(&pc->curr, (int)t, __ATOMIC_RELEASE);	/* next_task() */
	*preempted(c, t) = 0;
	cv->dispatches++;
	cv->run_start_ns = now;
	if (cv->hinted_ns && !cv->decided_ns)
		cv->decided_ns = now;
	if (c->tl)
		coop_tl_add(c, YL_TL_LAG, pc->idx, t, se->cfs_rq ?
		       yl_entity_eligible(se->cfs_rq, se) : 0,
		       se->cfs_rq ? yl_entity_lag(se->cfs_rq, se) : 0, now, 0);
}

/*
 * kvm_arch_vcpu_put(): the mode a vCPU leaves its CPU in is what the
 * strict round of kvm_vcpu_on_spin() reads (preempted_in_kernel).  With
 * --think-mode user the guest's byte says it (abi.h); it stands still
 * while the vCPU is off its CPU.
 */
static void note_mode(struct yl_coop *c, unsigned int t, bool slice_end)
{
	struct yl_target *tg = &c->tgt[c->v[t].vm];
	bool user = c->cfg->think_mode == YL_GMODE_USER &&
		    READ_ONCE(*coop_user(c, t)) == 1;

	tg->v[t - tg->base].user_mode = user;
	c->v[t].preempted_user += user && slice_end;
}

/* Lock held: the CPU runs whatever sched/ picks now. */
void coop_reschedule(struct yl_coop *c, struct yl_coop_cpu *pc, bool slice_end)
{
	int cur = pc->curr, next = pick(c, pc->idx);

	if (next == cur)
		return;
	if (cur >= 0) {
		if (slice_end) {
			c->v[cur].preemptions++;
			coop_tl_add(c, YL_TL_SLICE_END, pc->idx, (unsigned int)cur, -1, 0,
			       now_ns(c), 0);
		}
		/*
		 * kvm_steal_time_set_preempted() reports a vCPU scheduled
		 * out while runnable only at an instruction boundary: after
		 * an interrupt exit (our tick or kick), not after it left
		 * through a hypercall or I/O exit (the hint, a halt).
		 */
		*preempted(c, (unsigned int)cur) = slice_end &&
						   runnable(c, (unsigned int)cur);
		note_mode(c, (unsigned int)cur, slice_end);
		close_slice(c, pc, (unsigned int)cur);
	}
	__atomic_store_n(&pc->curr, -1, __ATOMIC_RELEASE);
	if (next >= 0)
		set_curr(c, pc, (unsigned int)next);
}

/*
 * Lock held: a CPU whose sched/ state asks for a reschedule gets it from
 * its own thread: one in KVM_RUN is kicked out of it, an idle one is
 * given its pick here and woken.  The caller's CPU is the caller's.
 */
void coop_resched_others(struct yl_coop *c, int mine)
{
	unsigned int cpu;

	for (cpu = 0; cpu < c->nr_cpus; cpu++) {
		struct yl_coop_cpu *pc = &c->cpu[cpu];

		if ((int)cpu == mine || !c->s->cpus[cpu].need_resched)
			continue;
		if (pc->curr >= 0) {
			kick_cpu(pc);
			continue;
		}
		coop_reschedule(c, pc, false);
		if (pc->curr >= 0)
			wake_cpu(pc);
	}
}

/* Lock held: whatever sched/ changed, every CPU acts on it, ours last. */
void coop_carry_out(struct yl_coop *c, struct yl_coop_cpu *pc)
{
	coop_resched_others(c, (int)pc->idx);
	if (c->s->cpus[pc->idx].need_resched)
		coop_reschedule(c, pc, false);
}

static void wake_all(struct yl_coop *c)
{
	unsigned int i;

	for (i = 0; i < c->nr_cpus; i++)
		wake_cpu(&c->cpu[i]);
}

/*
 * Lock held: every task's service until now, when the first one leaves:
 * CPU shares over the time every VM competed, without the tail in which
 * the VMs still running have the pCPUs to themselves.
 */
static void take_contended(struct yl_coop *c)
{
	uint64_t now = now_ns(c);
	unsigned int i, t;

	if (c->contended_taken || !c->begun)
		return;
	for (i = 0; i < c->nr_cpus; i++)
		yl_sched_update_curr(c->s, i, now);
	for (t = 0; t < c->nr; t++)
		c->v[t].contended_ns = yl_sched_service(c->s, t);
	c->contended_end = now;
	c->contended_taken = true;
}

/* Lock held: the CPU whose task @t is, or NULL. */
static struct yl_coop_cpu *owner_of(struct yl_coop *c, unsigned int t)
{
	unsigned int i;

	for (i = 0; i < c->nr_cpus; i++)
		if (c->cpu[i].curr == (int)t)
			return &c->cpu[i];
	return NULL;
}

/*
 * Lock held: the task leaves the scheduler for good (its guest is done,
 * or its VM stopped); its CPU, if it had one, picks again.
 */
static void finish_task(struct yl_coop *c, struct yl_coop_cpu *pc,
			unsigned int t, bool stopped)
{
	struct yl_coop_vcpu *cv = &c->v[t];
	struct yl_coop_cpu *owner = owner_of(c, t);

	if (cv->done)
		return;
	if (stopped && cv->vcpu->end == YL_END_NONE)
		cv->vcpu->end = YL_END_STOPPED;
	take_contended(c);
	if (owner)
		close_slice(c, owner, t);
	if (c->begun)
		yl_sched_exit(c->s, t, now_ns(c));
	*preempted(c, t) = 0;
	cv->done = true;
	c->left--;
	if (owner) {
		__atomic_store_n(&owner->curr, -1, __ATOMIC_RELEASE);
		if (owner == pc)
			coop_reschedule(c, owner, false);
		else
			wake_cpu(owner);
	}
	if (c->begun)
		coop_resched_others(c, pc ? (int)pc->idx : -1);
	yl_vcpu_finish(cv->vcpu);
	if (!c->left)
		wake_all(c);
}

/*
 * Lock held: the tasks of a stopped VM leave, but one that another CPU
 * runs: that CPU's thread was kicked and finishes it after its KVM_RUN.
 */
static void reap_stopped(struct yl_coop *c, struct yl_coop_cpu *pc)
{
	struct yl_coop_cpu *owner;
	unsigned int t;

	if (!__atomic_load_n(&c->stops, __ATOMIC_ACQUIRE))
		return;
	for (t = 0; t < c->nr; t++) {
		if (c->v[t].done || !vm_stopped(c, t))
			continue;
		owner = owner_of(c, t);
		if (!owner || owner == pc)
			finish_task(c, pc, t, true);
	}
}

/* ------------------------------------------------------ the executor */

/*
 * A hand-off as its target's thread took it, under the lock (a new hint
 * may choose the target again while it is being entered).
 */
struct taken {
	uint64_t hinted, decided, taken;
	int hint_cpu;
};

/* Hint, decision, taken, entry: in order, or not one hand-off. */
static void count_phases(struct yl_coop *c, const struct taken *h, uint64_t now)
{
	uint64_t hinted = h->hinted, decided = h->decided, taken = h->taken;

	if (!decided || decided < hinted || taken < decided || now < taken)
		return;
	__atomic_add_fetch(&c->phase_sum_ns[0], decided - hinted, __ATOMIC_RELAXED);
	__atomic_add_fetch(&c->phase_sum_ns[1], taken - decided, __ATOMIC_RELAXED);
	__atomic_add_fetch(&c->phase_sum_ns[2], now - taken, __ATOMIC_RELAXED);
	__atomic_add_fetch(&c->phase_n, 1, __ATOMIC_RELAXED);
}

/* On the hand-off's own path: its target is about to enter. */
static void count_handoff(struct yl_coop *c, struct yl_coop_cpu *pc,
			  unsigned int t, const struct taken *h)
{
	struct yl_coop_vcpu *cv = &c->v[t];
	uint64_t now = now_ns(c), d = now - h->hinted, n;
	int b = d ? 63 - __builtin_clzll(d) : 0;

	count_phases(c, h, now);
	__atomic_add_fetch(&c->handoff_hist[b < YL_HIST_BUCKETS ? b : YL_HIST_BUCKETS - 1],
			   1, __ATOMIC_RELAXED);
	n = __atomic_fetch_add(&c->handoff_n, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&c->handoff_ring[n % YL_HANDOFF_SAMPLES],
			 d > UINT32_MAX ? UINT32_MAX : (uint32_t)d, __ATOMIC_RELAXED);
	__atomic_add_fetch(&c->handoff_sum_ns, d, __ATOMIC_RELAXED);
	cv->handoffs++;		/* only its current CPU's thread enters it */
	if (h->hint_cpu == (int)pc->idx)
		__atomic_add_fetch(&c->handoff_same_thread, 1, __ATOMIC_RELAXED);
	coop_tl_add(c, YL_TL_HANDOFF, pc->idx, t, h->hint_cpu, (int64_t)d, now, 0);
}

/*
 * Right before KVM_RUN on the task's fd: count the entry, note a change
 * of fd or of thread, time a hand-off.  KVM_RUN from another thread than
 * the vCPU's last makes KVM take the new thread's pid (kvm_vcpu_ioctl()),
 * see docs/coop.md: counted per vCPU.
 */
static void enter(struct yl_coop *c, struct yl_coop_cpu *pc, unsigned int t,
		  const struct taken *h)
{
	struct yl_coop_vcpu *cv = &c->v[t];
	int n;

	if (__atomic_exchange_n(&cv->in_run, 1, __ATOMIC_ACQ_REL))
		__atomic_add_fetch(&c->double_entries, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&c->entries, 1, __ATOMIC_RELAXED);
	if (sched_getcpu() != pc->host_cpu)
		__atomic_add_fetch(&c->misplaced, 1, __ATOMIC_RELAXED);
	if (pc->last_task != (int)t) {
		pc->fd_switches++;
		pc->last_task = (int)t;
	}
	if (cv->last_thread != (int)pc->idx) {
		cv->thread_changes += cv->last_thread >= 0;
		cv->last_thread = (int)pc->idx;
	}
	if (h->hinted)
		count_handoff(c, pc, t, h);
	n = __atomic_add_fetch(&c->in_run, 1, __ATOMIC_SEQ_CST);
	for (int m = __atomic_load_n(&c->max_in_run, __ATOMIC_RELAXED); n > m;)
		if (__atomic_compare_exchange_n(&c->max_in_run, &m, n, false,
						__ATOMIC_RELAXED, __ATOMIC_RELAXED))
			break;
}

static void leave(struct yl_coop *c, unsigned int t)
{
	__atomic_sub_fetch(&c->in_run, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&c->v[t].in_run, 0, __ATOMIC_RELEASE);
}

/*
 * The task this CPU runs next, waiting while it has none; -1 once every
 * task is done.  A tick that came during a wait of a whole tick is
 * surely pending and is dropped: it was for no vCPU.
 */
static int next_task(struct yl_coop *c, struct yl_coop_cpu *pc,
		     struct taken *h)
{
	uint64_t slept = 0;
	int t = __atomic_load_n(&pc->curr, __ATOMIC_ACQUIRE);

	/*
	 * The vCPU it ran last, again, the common case after an exit: while
	 * a CPU has a task only its own thread changes it, and a running vCPU
	 * is no hint's target, so neither the lock nor a hand-off's times are
	 * needed.  A stopped VM always takes the locked path.
	 */
	memset(h, 0, sizeof(*h));
	if (t >= 0 && t == pc->last_task && !__atomic_load_n(&c->stops, __ATOMIC_ACQUIRE))
		return t;
	pthread_mutex_lock(&c->lock);
	for (;;) {
		reap_stopped(c, pc);
		t = pc->curr;
		if (t >= 0 || !c->left)
			break;
		pc->idle = true;
		pc->idle_waits++;
		if (!slept)
			slept = yl_now_ns();
		{
			uint32_t w = __atomic_load_n(&pc->word, __ATOMIC_ACQUIRE);

			pthread_mutex_unlock(&c->lock);
			yl_futex_wait(&pc->word, w);
			pthread_mutex_lock(&c->lock);
		}
		pc->idle = false;
	}
	if (t >= 0 && c->v[t].hinted_ns) {
		struct yl_coop_vcpu *cv = &c->v[t];

		*h = (struct taken){ cv->hinted_ns, cv->decided_ns, now_ns(c),
				     cv->hint_cpu };
		cv->hinted_ns = cv->decided_ns = 0;
	}
	pthread_mutex_unlock(&c->lock);
	if (slept && yl_now_ns() - slept >= c->s->p.tick_ns)
		tick_take();
	return t;
}

/* A tick (or a kick from another CPU) took the vCPU out of the guest. */
void yl_coop_intr(struct yl_coop *c, struct yl_vcpu *v)
{
	unsigned int t = v->task;
	struct yl_coop_cpu *pc;

	tick_take();
	pthread_mutex_lock(&c->lock);
	pc = &c->cpu[cpu_of(c, t)];
	if (pc->curr == (int)t && !c->v[t].done &&
	    yl_sched_tick(c->s, pc->idx, now_ns(c)))
		coop_reschedule(c, pc, true);
	pthread_mutex_unlock(&c->lock);
}

/* One KVM_RUN of task t on this CPU's thread, and its exit. */
static void run_task(struct yl_coop *c, struct yl_coop_cpu *pc, unsigned int t,
		     const struct taken *h)
{
	struct yl_vcpu *v = c->v[t].vcpu;
	enum yl_step step = YL_STEP_EXIT;
	int r, e;

	if (!vm_stopped(c, t)) {
		enter(c, pc, t, h);
		r = ioctl(v->fd, KVM_RUN, 0);
		e = errno;
		leave(c, t);
		step = yl_vcpu_handle(v, r, e);
		if (step == YL_STEP_INTR)
			yl_coop_intr(c, v);
	}
	if (step == YL_STEP_EXIT || step == YL_STEP_INTR) {
		if (!vm_stopped(c, t))
			return;
	}
	pthread_mutex_lock(&c->lock);
	finish_task(c, pc, t, step != YL_STEP_LEAVE && step != YL_STEP_ERROR);
	pthread_mutex_unlock(&c->lock);
}

static int make_timer(struct yl_coop *c, struct yl_coop_cpu *pc)
{
	uint64_t tick = c->s->p.tick_ns;
	struct itimerspec its;
	struct sigevent ev;

	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = YL_SIG_TICK;
	ev.sigev_notify_thread_id = pc->tid;
	if (timer_create(CLOCK_MONOTONIC, &ev, &pc->timer))
		return -1;
	pc->has_timer = true;
	its.it_value.tv_sec = its.it_interval.tv_sec = (time_t)(tick / 1000000000ull);
	its.it_value.tv_nsec = its.it_interval.tv_nsec = (long)(tick % 1000000000ull);
	return timer_settime(pc->timer, 0, &its, NULL);
}

/* Every VM stopped: nothing will begin. */
static bool all_stopped(const struct yl_coop *c)
{
	unsigned int k;

	for (k = 0; k < c->nr_vms; k++)
		if (!__atomic_load_n(&c->vms[k].stop, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

static void wait_begin(struct yl_coop *c)
{
	while (!__atomic_load_n(&c->begun, __ATOMIC_ACQUIRE) && !all_stopped(c))
		yl_futex_wait(&c->begun, 0);
}

/* This thread cannot run: every VM ends, the first vCPU says why. */
static void fail(struct yl_coop *c, struct yl_coop_cpu *pc, const char *why)
{
	unsigned int t, k;

	pthread_mutex_lock(&c->lock);
	for (t = 0; t < c->nr; t++) {
		struct yl_vcpu *v = c->v[t].vcpu;

		if (c->v[t].done || v->end != YL_END_NONE)
			continue;
		v->end = YL_END_HOST_ERROR;
		snprintf(v->detail, sizeof(v->detail), "coop pCPU %u's thread: %.250s",
			 pc->idx, why);
		break;
	}
	pthread_mutex_unlock(&c->lock);
	for (k = 0; k < c->nr_vms; k++)
		yl_vm_stop_all(&c->vms[k]);
}

static void *cpu_main(void *arg)
{
	struct yl_coop_cpu *pc = arg;
	struct yl_coop *c = pc->c;
	struct yl_err err;
	char name[16];
	sigset_t tick;
	int g;

	pc->tid = gettid();
	snprintf(name, sizeof(name), "yl-pcpu%u", pc->idx);
	pthread_setname_np(pthread_self(), name);
	tick_set(&tick);
	g = yl_gate_pass(c->gate, &err);
	if (g < 0)
		fail(c, pc, err.msg);
	else if (g > 0 && (pthread_sigmask(SIG_BLOCK, &tick, NULL) || make_timer(c, pc)))
		fail(c, pc, "its slice timer: timer_create/timer_settime failed");
	yl_hoststat_read(pc->tid, &pc->hs_before);
	if (g > 0) {
		struct taken h;
		int t;

		wait_begin(c);
		while ((t = next_task(c, pc, &h)) >= 0)
			run_task(c, pc, (unsigned int)t, &h);
	}
	yl_hoststat_read(pc->tid, &pc->hs_after);
	__atomic_add_fetch(&c->threads_out, 1, __ATOMIC_ACQ_REL);
	/*
	 * The main thread waits in poll() on the VMs' done eventfds: the
	 * last vCPU's finish woke it before this thread was out, so wake it
	 * again, or the run ends up to a poll period late.
	 */
	if (write(c->vms[0].done_efd, &(uint64_t){ 1 }, sizeof(uint64_t)) < 0)
		perror("eventfd");
	if (c->leave_gate)
		yl_gate_hold(c->leave_gate);	/* blocked: runs no more */
	return NULL;
}

/* The executor threads, each bound to its host CPU from its first step. */
int yl_coop_start(struct yl_coop *c, struct yl_err *err)
{
	pthread_attr_t attr;
	unsigned int i;
	int r = 0;

	c->gate = c->vms[0].gate;
	c->leave_gate = c->vms[0].leave_gate;
	for (i = 0; i < c->nr; i++)
		if (run_mask(c->v[i].vcpu->fd))
			return yl_errf(err, "KVM_SET_SIGNAL_MASK: %s", strerror(errno));
	for (i = 0; !r && i < c->nr_cpus; i++) {
		struct yl_coop_cpu *pc = &c->cpu[i];
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(pc->host_cpu, &set);
		pthread_attr_init(&attr);
		r = pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
		if (!r)
			r = pthread_create(&pc->thread, &attr, cpu_main, pc);
		pthread_attr_destroy(&attr);
		if (!r)
			__atomic_store_n(&pc->started, true, __ATOMIC_RELEASE);
	}
	if (r)
		return yl_errf(err, "starting coop's pCPU threads: %s", strerror(r));
	return 0;
}

/* Main thread, every executor past the gate: every vCPU joins, CPUs pick. */
void yl_coop_begin(struct yl_coop *c)
{
	unsigned int cpu;

	pthread_mutex_lock(&c->lock);
	c->t0 = yl_now_ns();
	yl_sched_start(c->s, 0);
	for (cpu = 0; cpu < c->nr_cpus; cpu++)
		coop_reschedule(c, &c->cpu[cpu], false);
	__atomic_store_n(&c->begun, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&c->lock);
	yl_futex_wake(&c->begun, INT_MAX);
	for (cpu = 0; cpu < c->nr_cpus; cpu++)
		yl_futex_wake(&c->cpu[cpu].word, INT_MAX);
}

/*
 * A VM stopped (yl_vm_stop_all() sets its flag first): every executor
 * looks, those in KVM_RUN are kicked out, idle ones woken.  No lock: it
 * may be called from an exit handler, on an executor thread.
 */
void yl_coop_stop(struct yl_coop *c)
{
	unsigned int i;

	__atomic_add_fetch(&c->stops, 1, __ATOMIC_RELEASE);
	yl_futex_wake(&c->begun, INT_MAX);
	for (i = 0; c->cpu && i < c->nr_cpus; i++) {
		__atomic_add_fetch(&c->cpu[i].word, 1, __ATOMIC_RELEASE);
		yl_futex_wake(&c->cpu[i].word, INT_MAX);
		kick_cpu(&c->cpu[i]);
	}
}

/* Every started executor left its loop (and holds at the leave gate). */
bool yl_coop_finished(struct yl_coop *c)
{
	unsigned int i, n = 0;

	for (i = 0; i < c->nr_cpus; i++)
		n += __atomic_load_n(&c->cpu[i].started, __ATOMIC_ACQUIRE);
	return __atomic_load_n(&c->threads_out, __ATOMIC_ACQUIRE) >= n;
}

/* After the leave gate opened: the threads end; tasks never run end too. */
void yl_coop_join(struct yl_coop *c)
{
	unsigned int i, t;

	for (i = 0; c->cpu && i < c->nr_cpus; i++)
		if (c->cpu[i].started) {
			pthread_join(c->cpu[i].thread, NULL);
			c->cpu[i].started = false;
		}
	for (t = 0; c->v && t < c->nr; t++)
		if (!c->v[t].done) {
			if (c->v[t].vcpu->end == YL_END_NONE)
				c->v[t].vcpu->end = YL_END_STOPPED;
			c->v[t].done = true;
			yl_vcpu_finish(c->v[t].vcpu);
		}
}

