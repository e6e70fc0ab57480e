// SPDX-License-Identifier: GPL-2.0
/*
 * The simulated host: one event queue, the CPUs, and every call into
 * sched/ made as coop mode's executor makes it (vmm/coop/coop.c: reschedule(),
 * carry_out(), yl_coop_spin/halt/kick/ipi()), or with host semantics as
 * the kernel's KVM paths do (kvm_sched_yield(), kvm_vcpu_on_spin(),
 * kvm_vcpu_halt(), kvm_pv_kick_cpu_op()).  The guest between exits is
 * guest.c's.  A CPU's next event is computed, never polled: the running
 * vCPU's next guest step, and a tick only while it has a task to preempt.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

/* xorshift64*: the one source of randomness, seeded by --seed. */
uint64_t sim_rand(struct yl_sim *s)
{
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * 0x2545f4914f6cdd1dull;
}

void sim_fail(struct yl_sim *s, const char *fmt, ...)
{
	va_list ap;

	if (s->failure[0])
		return;
	va_start(ap, fmt);
	vsnprintf(s->failure, sizeof(s->failure), fmt, ap);
	va_end(ap);
}

bool sim_coop(const struct yl_sim *s)
{
	return s->c.sched == YL_SCHED_COOP;
}

void sim_tl(struct yl_sim *s, enum yl_tl_kind k, unsigned int t, int32_t arg,
	    int64_t val, uint64_t ts, uint64_t dur)
{
	struct yl_tl_event e = {
		.ts_ns = ts, .dur_ns = dur, .val = val, .kind = (uint16_t)k,
		.cpu = (uint16_t)(s->v[t].cpu >= 0 ? s->v[t].cpu :
				  (int)s->s->tasks[t].cpu),
		.vm = (uint16_t)s->v[t].vm, .vcpu = (uint16_t)s->v[t].idx,
		.arg = arg,
	};

	if (s->has_tl)
		yl_tl_add(&s->tl, &e);
}

static void push(struct yl_sim *s, uint64_t t, enum sim_ev k, unsigned int who)
{
	if (yl_eventq_push(&s->q, t, k, who))
		sim_fail(s, "out of memory for events");
}

/* The running vCPU's next guest step, replacing any planned before. */
void sim_replan(struct yl_sim *s, unsigned int t)
{
	struct sim_vcpu *v = &s->v[t];
	struct sim_cpu *pc;
	uint64_t at;

	if (v->cpu < 0)
		return;
	pc = &s->cpu[v->cpu];
	at = guest_next(s, t, v->run_t > s->now ? v->run_t : s->now);
	if (at == pc->ev_at)
		return;		/* the event already queued stands */
	pc->ev_at = at;
	if (at == UINT64_MAX)
		yl_eventq_cancel(&s->q, (uint32_t)v->cpu);
	else if (yl_eventq_set(&s->q, (uint32_t)v->cpu, at, EV_GUEST, (unsigned int)v->cpu))
		sim_fail(s, "out of memory for events");
}

/* ------------------------------------------------------------ the CPUs */

static void arm_tick(struct yl_sim *s, unsigned int cpu)
{
	struct sim_cpu *pc = &s->cpu[cpu];
	uint64_t tick = s->c.p.tick_ns, off = pc->tick_off;

	if (pc->tick_armed || s->s->cpus[cpu].nr_running < 2)
		return;
	pc->tick_armed = true;
	if (yl_eventq_set(&s->q, s->c.nr_cpus + cpu, (s->now + tick - off) / tick * tick + off,
			  EV_TICK, cpu))
		sim_fail(s, "out of memory for events");
}

static void close_slice(struct yl_sim *s, unsigned int t)
{
	uint64_t b = s->v[t].slice_t;

	sim_tl(s, YL_TL_RUN, t, -1, 0, b, s->now - b);
}

static void take_irq(struct yl_sim *s, unsigned int t);

/* @t is the CPU's task from now: coop's set_curr(). */
static void set_curr(struct yl_sim *s, unsigned int cpu, unsigned int t)
{
	struct sim_cpu *pc = &s->cpu[cpu];
	struct sim_vcpu *v = &s->v[t];
	const struct yl_se *se = &s->s->tasks[t].se;

	if (v->cpu >= 0 || pc->curr >= 0)
		sim_fail(s, "one vCPU per CPU: vm%u vcpu%u given CPU %u while on %d, CPU running %d",
			 v->vm, v->idx, cpu, v->cpu, pc->curr);
	s->idle_ns += s->now - pc->idle_since;
	pc->curr = (int)t;
	v->cpu = (int)cpu;
	v->preempted = false;
	vst(s, v)->dispatches++;
	v->slice_t = s->now;
	v->run_t = s->now + (pc->last != (int)t ? s->c.cost[YL_COST_SWITCH] : 0);
	pc->last = (int)t;
	if (v->scheduled_out) {		/* svm_vcpu_load(): shrink_ple_window() */
		v->ple_window = YL_SIM_PLE_WINDOW;
		v->scheduled_out = false;
	}
	v->ple_pauses = 0;
	if (v->hinted_t) {
		vst(s, v)->handoffs++;
		sim_tl(s, YL_TL_HANDOFF, t, -1, (int64_t)(s->now - v->hinted_t), s->now, 0);
		v->hinted_t = 0;
	}
	if (s->has_tl && se->cfs_rq)
		sim_tl(s, YL_TL_LAG, t, yl_entity_eligible(se->cfs_rq, se),
		       yl_entity_lag(se->cfs_rq, se), s->now, 0);
	if (v->nr_req)			/* interrupts waited for it */
		take_irq(s, t);
	sim_replan(s, t);
	arm_tick(s, cpu);
}

/*
 * kvm_arch_vcpu_put(): a vCPU leaving its CPU is preempted in user mode
 * if it was thinking and --think-mode user says that is user mode.
 */
static void note_mode(struct yl_sim *s, unsigned int t, bool slice_end)
{
	struct sim_vcpu *v = &s->v[t];
	bool user = s->c.think_mode == YL_GMODE_USER && v->gs == G_THINK;

	s->hint_tgt[v->vm].v[v->idx].user_mode = user;
	s->ple_tgt[v->vm].v[v->idx].user_mode = user;
	vst(s, v)->preempted_user += user && slice_end;
}

/*
 * The CPU runs whatever sched/ picks now.  @intr: it left the guest at
 * an instruction boundary (tick, resched IPI), so a vCPU it preempts is
 * shown preempted, as kvm_steal_time_set_preempted() does only then
 * (vcpu->arch.at_instruction_boundary); coop shows every slice end.
 */
static void reschedule(struct yl_sim *s, unsigned int cpu, bool intr)
{
	struct sim_cpu *pc = &s->cpu[cpu];
	int cur = pc->curr, next;

	if (cur >= 0)
		guest_settle(s, (unsigned int)cur, s->now);
	next = yl_sched_pick(s->s, cpu, s->now);
	if (next == cur)
		return;
	if (cur >= 0) {
		struct sim_vcpu *v = &s->v[cur];
		bool runnable = s->s->tasks[cur].state == YL_TASK_RUNNABLE;

		if (intr && runnable) {
			vst(s, v)->preemptions++;
			sim_tl(s, YL_TL_SLICE_END, (unsigned int)cur, -1, 0, s->now, 0);
		}
		v->preempted = intr && runnable;
		note_mode(s, (unsigned int)cur, intr && runnable);
		v->scheduled_out = true;
		close_slice(s, (unsigned int)cur);
		v->cpu = -1;
		pc->curr = -1;
		pc->ev_at = UINT64_MAX;
		yl_eventq_cancel(&s->q, cpu);
		pc->idle_since = s->now;
	}
	if (next >= 0)
		set_curr(s, cpu, (unsigned int)next);
}

/*
 * Whatever sched/ changed is carried out: an idle CPU picks at once, a
 * busy one gets a resched IPI (coop: the kick signal).  Only the CPUs
 * of the tasks a decision involved can have been told to: @t's queue
 * CPU and home, and the caller's.
 */
static void carry_out_cpu(struct yl_sim *s, unsigned int cpu, unsigned int mine)
{
	struct sim_cpu *pc = &s->cpu[cpu];

	arm_tick(s, cpu);
	if (!s->s->cpus[cpu].need_resched)
		return;
	if (pc->curr < 0 || cpu == mine) {
		if (pc->curr < 0 || s->v[pc->curr].gs != G_PORT)
			reschedule(s, cpu, false);
		return;
	}
	if (!pc->resched_sent) {
		pc->resched_sent = true;
		push(s, s->now + s->c.cost[YL_COST_IPI], EV_RESCHED, cpu);
	}
}

static void carry_out(struct yl_sim *s, unsigned int mine, int t)
{
	if (t >= 0) {
		carry_out_cpu(s, s->s->tasks[t].cpu, mine);
		carry_out_cpu(s, s->s->tasks[t].home, mine);
	}
	carry_out_cpu(s, mine, mine);
}

static unsigned int cpu_of(const struct yl_sim *s, unsigned int t)
{
	return s->v[t].cpu >= 0 ? (unsigned int)s->v[t].cpu : s->s->tasks[t].cpu;
}

/* ------------------------------------------------- the guest's exits */

/*
 * A hint (coop's yl_coop_spin(), host mode's kvm_sched_yield()) or a
 * PAUSE exit (handle_pause()/pause_interception(): grow the window, then
 * kvm_vcpu_on_spin()): target choice and the policy decide, and every CPU
 * the decision touched acts on it.
 */
static void hint(struct yl_sim *s, unsigned int t, int target, bool ple)
{
	struct sim_vcpu *v = &s->v[t];
	unsigned int vm = v->vm, cpu = cpu_of(s, t);
	const struct yl_policy *pol = s->c.policy;
	struct yl_target *tg = ple ? &s->ple_tgt[vm] : &s->hint_tgt[vm];
	enum yl_outcome o;
	int chosen = -1;

	/*
	 * A PAUSE exit is counted with its hint, not when the filter fired:
	 * a run that ends between the two would count an exit with no hint,
	 * and hints - pause_exits would wrap.
	 */
	vst(s, v)->hints++;
	vst(s, v)->ple_exits += ple;
	yl_sched_update_curr(s->s, cpu, s->now);
	o = yl_directed_yield(s->s, pol, tg, t, target, s->now, &chosen);
	vst(s, v)->outcomes[o]++;
	sim_tl(s, YL_TL_HINT, t, chosen >= 0 ? (int32_t)s->v[chosen].idx : -1,
	       o, s->now, 0);
	if (ple && v->ple_window < YL_SIM_PLE_MAX)	/* grow_ple_window() */
		v->ple_window = v->ple_window * YL_SIM_PLE_GROW > YL_SIM_PLE_MAX ?
				YL_SIM_PLE_MAX : v->ple_window * YL_SIM_PLE_GROW;
	if (chosen >= 0 && yl_outcome_done(o) && s->v[chosen].cpu < 0)
		s->v[chosen].hinted_t = s->now;
	carry_out(s, cpu, chosen);
}

/* A halted vCPU is woken; one not halted keeps it for its halt. */
static void wake_halted(struct yl_sim *s, unsigned int t, unsigned int mine)
{
	if (s->s->tasks[t].state != YL_TASK_BLOCKED) {
		s->v[t].kicked = true;
		return;
	}
	yl_sched_wake(s->s, t, s->now);
	guest_woken(s, t);
	carry_out(s, mine, (int)t);
}

static void halt(struct yl_sim *s, unsigned int t)
{
	struct sim_vcpu *v = &s->v[t];
	unsigned int cpu = cpu_of(s, t);

	if (v->kicked) {	/* the kick (or an interrupt) came first */
		v->kicked = false;
		guest_woken(s, t);
		return;
	}
	vst(s, v)->halts++;
	v->gs = G_HALTED;
	sim_tl(s, YL_TL_HALT, t, -1, 0, s->now, 0);
	yl_sched_block(s->s, t, s->now);
	reschedule(s, cpu, false);
	carry_out(s, cpu, -1);
}

/*
 * The target choice that reads IPIs and pending interrupts (ipi-pairs):
 * coop's hint port's, host mode's PAUSE exits' (its hypercall names its
 * own target and reads neither).
 */
static struct yl_target *ipi_tgt(struct yl_sim *s, unsigned int vm)
{
	return sim_coop(s) ? &s->hint_tgt[vm] : &s->ple_tgt[vm];
}

/* An IPI from @from to @to: its interrupt arrives after the IPI cost. */
void sim_irq_send(struct yl_sim *s, unsigned int from, unsigned int to,
		  bool unicast)
{
	struct sim_vcpu *v = &s->v[from];

	push(s, s->now + s->c.cost[YL_COST_IPI], EV_IRQ, to);
	sim_tl(s, YL_TL_IPI, from, (int32_t)s->v[to].idx, 1, s->now, 0);
	if (unicast)		/* what ipi-pairs learns from */
		yl_target_ipi(ipi_tgt(s, v->vm), v->idx, s->v[to].idx,
			      YL_IPI_VECTOR, s->now);
}

/* The handler ran (it EOIs first): no interrupt pending any more. */
static void take_irq(struct yl_sim *s, unsigned int t)
{
	struct sim_vcpu *v = &s->v[t];
	struct yl_target *tg = ipi_tgt(s, v->vm);

	guest_irq(s, t);
	yl_target_eoi(tg, v->idx, YL_IPI_VECTOR);
	tg->v[v->idx].pending_irq = false;
}

/*
 * An interrupt reaches @t: a running vCPU takes it at once (the
 * injection costs it an in-kernel exit), a halted one wakes, a queued
 * one has it pending (kvm_arch_dy_has_pending_interrupt()) until it runs.
 */
static void irq_arrives(struct yl_sim *s, unsigned int t)
{
	struct sim_vcpu *v = &s->v[t];

	if (!v->nr_req)
		return;		/* coalesced into an earlier interrupt */
	ipi_tgt(s, v->vm)->v[v->idx].pending_irq = true;
	if (v->cpu >= 0) {
		guest_settle(s, t, s->now);
		take_irq(s, t);
		v->run_t += s->c.cost[YL_COST_HYPERCALL];
		sim_replan(s, t);
		return;
	}
	wake_halted(s, t, s->s->tasks[t].cpu);
}

void sim_port_done(struct yl_sim *s, unsigned int t, enum port p, int arg)
{
	unsigned int cpu = cpu_of(s, t);

	switch (p) {
	case P_HINT:
	case P_PLE:
		hint(s, t, arg, p == P_PLE);
		break;
	case P_HALT:
		halt(s, t);
		break;
	case P_KICK:
		sim_tl(s, YL_TL_KICK, t, (int32_t)s->v[arg].idx, 0, s->now, 0);
		wake_halted(s, (unsigned int)arg, cpu);
		break;
	case P_IPI:		/* guest.c sent them: nothing to decide */
		break;
	}
	/* a tick or resched IPI that came during the exit is taken now */
	if (s->v[t].cpu == (int)cpu && s->cpu[cpu].intr_pending) {
		s->cpu[cpu].intr_pending = false;
		guest_settle(s, t, s->now);
		if (yl_sched_tick(s->s, cpu, s->now) || s->s->cpus[cpu].need_resched)
			reschedule(s, cpu, sim_coop(s));
	}
}

/* ---------------------------------------------------------- the events */

/*
 * The CPU's tick: coop's yl_coop_intr(), the kernel's sched_tick().  One
 * that comes during an exit is taken at its end (coop: the signal makes
 * the next KVM_RUN return at once), after the exit's own decision.
 */
static void tick(struct yl_sim *s, unsigned int cpu)
{
	struct sim_cpu *pc = &s->cpu[cpu];

	pc->tick_armed = false;
	if (pc->curr >= 0 && s->v[pc->curr].gs == G_PORT) {
		pc->intr_pending = true;
	} else if (pc->curr >= 0) {
		guest_settle(s, (unsigned int)pc->curr, s->now);
		if (yl_sched_tick(s->s, cpu, s->now))
			reschedule(s, cpu, true);
	}
	arm_tick(s, cpu);
}

/* A resched IPI (coop: the kick signal) is taken as the tick is. */
static void resched_ipi(struct yl_sim *s, unsigned int cpu)
{
	struct sim_cpu *pc = &s->cpu[cpu];

	pc->resched_sent = false;
	if (pc->curr >= 0 && s->v[pc->curr].gs == G_PORT)
		pc->intr_pending = true;
	else if (s->s->cpus[cpu].need_resched)
		reschedule(s, cpu, true);
}

static void guest_event(struct yl_sim *s, unsigned int cpu)
{
	int t = s->cpu[cpu].curr;

	if (t < 0) {
		sim_fail(s, "CPU %u: a guest step with no vCPU", cpu);
		return;
	}
	guest_settle(s, (unsigned int)t, s->now);
	guest_step(s, (unsigned int)t);
	if (s->v[t].cpu == (int)cpu)
		sim_replan(s, (unsigned int)t);
}

static void dispatch(struct yl_sim *s, const struct yl_ev *e)
{
	switch (e->kind) {
	case EV_GUEST:
		guest_event(s, e->who);
		break;
	case EV_TICK:
		tick(s, e->who);
		break;
	case EV_RESCHED:
		resched_ipi(s, e->who);
		break;
	case EV_IRQ:
		irq_arrives(s, e->who);
		break;
	default:
		s->ended = true;
	}
}

/* The end: every account up to now, then the invariants that must hold. */
static void finish(struct yl_sim *s)
{
	uint64_t busy = 0, ops[YL_SIM_MAX_VMS] = { 0 };
	unsigned int cpu, t, k;

	for (cpu = 0; cpu < s->c.nr_cpus; cpu++) {
		struct sim_cpu *pc = &s->cpu[cpu];

		if (pc->curr >= 0) {
			guest_settle(s, (unsigned int)pc->curr, s->now);
			close_slice(s, (unsigned int)pc->curr);
		} else {
			s->idle_ns += s->now - pc->idle_since;
			if (s->s->cpus[cpu].nr_running)	/* told to pick, never did */
				sim_fail(s, "CPU %u idle with %u runnable vCPUs queued",
					 cpu, s->s->cpus[cpu].nr_running);
		}
		yl_sched_update_curr(s->s, cpu, s->now);
	}
	for (t = 0; t < s->nr; t++) {
		struct yl_sim_vstat *st = &s->st[t];

		st->spins = s->v[t].spins;
		st->service_ns = yl_sched_service(s->s, t);
		busy += st->service_ns;
		ops[s->v[t].vm] += st->ops;
	}
	if (busy + s->idle_ns != (uint64_t)s->c.nr_cpus * s->now)
		sim_fail(s, "CPU time: vCPUs %llu ns + idle %llu ns != %u CPUs x %llu ns",
			 (unsigned long long)busy, (unsigned long long)s->idle_ns,
			 s->c.nr_cpus, (unsigned long long)s->now);
	for (k = 0; k < s->c.nr_vms; k++)
		if (ops[k] != s->lock[k].counter)
			sim_fail(s, "mutual exclusion: vm%u counter %llu != sum of ops %llu",
				 k, (unsigned long long)s->lock[k].counter,
				 (unsigned long long)ops[k]);
}

int yl_sim_run(struct yl_sim *s)
{
	unsigned int cpu, t;
	struct yl_ev e;

	for (t = 0; t < s->nr; t++)
		guest_init(s, t);
	yl_sched_start(s->s, 0);
	for (cpu = 0; cpu < s->c.nr_cpus; cpu++)
		reschedule(s, cpu, false);
	push(s, s->c.duration_ns, EV_END, 0);
	while (!s->ended && !s->failure[0] && yl_eventq_pop(&s->q, &e)) {
		if (e.t < s->now) {
			sim_fail(s, "time went back: %llu after %llu",
				 (unsigned long long)e.t, (unsigned long long)s->now);
			break;
		}
		if (e.kind == EV_GUEST)
			s->cpu[e.who].ev_at = UINT64_MAX;	/* consumed */
		s->now = e.t;
		s->events++;
		dispatch(s, &e);
	}
	if (!s->failure[0])
		finish(s);
	return s->failure[0] ? -1 : 0;
}

/* --------------------------------------------------- making and results */

int yl_sim_config_default(struct yl_sim_config *c)
{
	unsigned int k;

	memset(c, 0, sizeof(*c));
	c->nr_vms = 1;
	c->vcpus = 4;
	c->nr_cpus = 1;
	c->sched = YL_SCHED_HOST;		/* run's defaults */
	c->workload = YL_WL_LOCK;
	c->lock = YL_LOCK_TICKET;
	c->pv = YL_PV_NONE;
	c->yield_to = YL_YIELD_TO_PREEMPTED;
	c->pause_exits = true;
	c->cs_ns = 1000;
	c->think_ns = 2000;
	c->duration_ns = 1000000000ull;
	c->spin_threshold = 4096;
	c->ipi_targets = 1;
	c->ipi_every = 1;
	c->policy = yl_policy_find("none");
	c->target = YL_TARGET_HINT;
	c->seed = 1;
	for (k = 0; k < YL_COST_NR; k++)
		c->cost[k] = yl_sim_costs[k].def_ns;
	return yl_sched_params_preset(&c->p, "6.18.0", c->nr_cpus);
}

static const char *check_config(const struct yl_sim_config *c)
{
	if (!c->nr_vms || c->nr_vms > YL_SIM_MAX_VMS || !c->vcpus ||
	    c->vcpus > YL_MAX_VCPUS || !c->nr_cpus || c->nr_cpus > YL_SIM_MAX_CPUS)
		return "VMs, vCPUs per VM or CPUs out of range";
	if (!yl_wl_has_locks(c->workload) && !yl_wl_has_ipis(c->workload))
		return "workload: allowed lock, ipi, mixed";
	if (yl_wl_has_ipis(c->workload) &&
	    (c->vcpus < 2 || !c->ipi_targets || c->ipi_targets >= c->vcpus ||
	     !c->ipi_every))
		return "IPIs need 2 or more vCPUs and 1 to vCPUs - 1 targets";
	if (c->lock >= YL_LOCK_NR || c->pv >= YL_PV_NR ||
	    c->yield_to >= YL_YIELD_TO_NR || c->ipi_yield >= YL_IPI_YIELD_NR ||
	    c->think_mode >= YL_GMODE_NR ||
	    c->sched >= YL_SCHED_NR ||
	    c->target >= YL_TARGET_NR || c->dist >= YL_SIM_DIST_NR ||
	    c->placement >= YL_SIM_PLACE_NR || !c->policy)
		return "an enum out of range";
	if (!c->cost[YL_COST_PAUSE] || !c->duration_ns ||
	    (!c->spin_threshold && !c->spin_ns) || !c->p.tick_ns)
		return "the PAUSE cost, duration, spin threshold and tick must be > 0";
	return NULL;
}

static int make_sched(struct yl_sim *s)
{
	unsigned int *cpu = calloc(s->nr, sizeof(*cpu)), t, k;
	int *group = calloc(s->nr, sizeof(*group));
	bool grouped = s->c.nr_vms > 1;

	if (!cpu || !group)
		goto fail;
	for (t = 0; t < s->nr; t++) {
		cpu[t] = t % s->c.nr_cpus;		/* as coop places them */
		group[t] = grouped ? (int)(t / s->c.vcpus) : -1;
	}
	for (t = s->nr; s->c.placement == YL_SIM_PLACE_RANDOM && t > 1; t--) {
		unsigned int r = (unsigned int)(sim_rand(s) % t), x = cpu[t - 1];

		cpu[t - 1] = cpu[r];	/* Fisher-Yates: the same counts per CPU */
		cpu[r] = x;
	}
	s->s = yl_sched_create(&s->c.p, s->c.nr_cpus, s->nr,
			       grouped ? s->c.nr_vms : 0, cpu, group, NULL);
	for (k = 0; s->s && grouped && s->c.cpu_weight && k < s->c.nr_vms; k++)
		yl_sched_set_group_shares(s->s, k,	/* sched_weight_from_cgroup() */
					  ((uint64_t)s->c.cpu_weight[k] * 1024 + 50) / 100);
fail:
	free(cpu);
	free(group);
	return s->s ? 0 : -1;
}

static int make_vms(struct yl_sim *s)
{
	unsigned int k, t, words = s->c.vcpus / 64 + 1;
	/* coop: the hint port's --target; host: KVM_HC_SCHED_YIELD names one */
	enum yl_target_kind hk = sim_coop(s) ? s->c.target : YL_TARGET_HINT;
	enum yl_target_kind pk = sim_coop(s) ? YL_TARGET_RR : s->c.target;

	s->hint_tgt = calloc(s->c.nr_vms, sizeof(*s->hint_tgt));
	s->ple_tgt = calloc(s->c.nr_vms, sizeof(*s->ple_tgt));
	s->lock = calloc(s->c.nr_vms, sizeof(*s->lock));
	s->v = calloc(s->nr, sizeof(*s->v));
	s->st = calloc(s->nr, sizeof(*s->st));
	s->cpu = calloc(s->c.nr_cpus, sizeof(*s->cpu));
	if (!s->hint_tgt || !s->ple_tgt || !s->lock || !s->v || !s->st || !s->cpu)
		return -1;
	for (k = 0; k < s->c.nr_vms; k++) {
		if (yl_target_init_vm(&s->hint_tgt[k], hk, k * s->c.vcpus, s->c.vcpus) ||
		    yl_target_init_vm(&s->ple_tgt[k], pk, k * s->c.vcpus, s->c.vcpus))
			return -1;
		s->lock[k].owner = s->lock[k].last_owner = NO_VCPU;
		s->lock[k].head = s->lock[k].tail = NO_VCPU;
	}
	for (t = 0; t < s->nr; t++) {
		s->v[t].vm = t / s->c.vcpus;
		s->v[t].idx = t % s->c.vcpus;
		s->v[t].cpu = -1;
		s->v[t].req_from = calloc(words, sizeof(uint64_t));
		if (!s->v[t].req_from)
			return -1;
	}
	for (k = 0; k < s->c.nr_cpus; k++) {
		s->cpu[k].curr = s->cpu[k].last = -1;
		s->cpu[k].ev_at = UINT64_MAX;
		s->cpu[k].tick_off = sim_rand(s) % s->c.p.tick_ns;
	}
	return 0;
}

struct yl_sim *yl_sim_create(const struct yl_sim_config *c, char *err,
			     size_t errlen)
{
	const char *why = check_config(c);
	struct yl_sim *s;

	if (why) {
		snprintf(err, errlen, "%s", why);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->c = *c;
	if (!sim_coop(s) && !c->policy->kernel_path)	/* none: mainline's */
		s->c.policy = yl_policy_find("forfeit");
	if (!sim_coop(s) && c->target == YL_TARGET_HINT)	/* PAUSE exits */
		s->c.target = YL_TARGET_RR;
	s->nr = c->nr_vms * c->vcpus;
	s->rng = c->seed * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
	if (!s->rng)
		s->rng = 1;
	if (make_sched(s) || make_vms(s) ||
	    yl_eventq_init(&s->q, 4 * (size_t)(s->nr + c->nr_cpus), 2 * c->nr_cpus) ||
	    (c->timeline_events && yl_tl_init(&s->tl, c->timeline_events))) {
		yl_sim_destroy(s);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->has_tl = c->timeline_events > 0;
	return s;
}

void yl_sim_destroy(struct yl_sim *s)
{
	unsigned int k;

	if (!s)
		return;
	for (k = 0; s->hint_tgt && k < s->c.nr_vms; k++)
		yl_target_free(&s->hint_tgt[k]);
	for (k = 0; s->ple_tgt && k < s->c.nr_vms; k++)
		yl_target_free(&s->ple_tgt[k]);
	for (k = 0; s->v && k < s->nr; k++)
		free(s->v[k].req_from);
	if (s->s)
		yl_sched_destroy(s->s);
	if (s->has_tl)
		yl_tl_free(&s->tl);
	yl_eventq_free(&s->q);
	free(s->hint_tgt);
	free(s->ple_tgt);
	free(s->lock);
	free(s->v);
	free(s->st);
	free(s->cpu);
	free(s);
}

const char *yl_sim_failure(const struct yl_sim *s)
{
	return s->failure[0] ? s->failure : NULL;
}

const struct yl_sim_config *yl_sim_config_of(const struct yl_sim *s)
{
	return &s->c;
}

const struct yl_sim_vstat *yl_sim_vstat(const struct yl_sim *s, unsigned int t)
{
	return &s->st[t];
}

uint64_t yl_sim_events(const struct yl_sim *s)
{
	return s->events;
}

uint64_t yl_sim_idle_ns(const struct yl_sim *s)
{
	return s->idle_ns;
}

uint64_t yl_sim_mutex_counter(const struct yl_sim *s)
{
	uint64_t n = 0;
	unsigned int k;

	for (k = 0; k < s->c.nr_vms; k++)
		n += s->lock[k].counter;
	return n;
}

uint64_t yl_sim_max_in_cs(const struct yl_sim *s)
{
	return s->max_in_cs;
}

void yl_sim_spin_stat(const struct yl_sim *s, uint64_t out[YL_SPIN_NR])
{
	unsigned int vm;

	memset(out, 0, YL_SPIN_NR * sizeof(*out));
	for (vm = 0; vm < s->c.nr_vms; vm++) {
		yl_target_add_spin_stat(&s->hint_tgt[vm], out);
		yl_target_add_spin_stat(&s->ple_tgt[vm], out);
	}
}

const struct yl_sched *yl_sim_sched(const struct yl_sim *s)
{
	return s->s;
}

static const char *outcome_of(int o)
{
	return yl_outcome_name((enum yl_outcome)o);
}

int yl_sim_timeline(const struct yl_sim *s, FILE *f)
{
	struct yl_tl_names n = {
		.nr_cpus = s->c.nr_cpus, .host_cpu = NULL, .outcome = outcome_of,
		.policy = s->c.policy->name, .preset = s->c.p.preset,
		.generator = "yieldlab sim --timeline",
	};

	return s->has_tl ? yl_tl_write(&s->tl, &n, f) : -1;
}
