/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The simulator's insides, shared by sim.c (the host: events, CPUs and
 * the calls into sched/, as coop.c makes them) and guest.c (what the test
 * guest does between exits).
 */
#ifndef YL_SIM_INTERNAL_H
#define YL_SIM_INTERNAL_H

#include "eventq.h"
#include "sim.h"
#include "out/timeline.h"

enum sim_ev {
	EV_GUEST,	/* who = CPU (and key): its vCPU's guest reached its next step */
	EV_TICK,	/* who = CPU (key: nr_cpus + CPU): the scheduler tick */
	EV_RESCHED,	/* who = CPU: a resched IPI (coop: the kick signal) */
	EV_IRQ,		/* who = vCPU: an IPI's interrupt arrives */
	EV_END,		/* the measured phase is over */
};

/* What a vCPU's guest is doing; it progresses only while it runs. */
enum gstate {
	G_THINK,	/* between a release and the next acquire (or IPI op) */
	G_CS,		/* in the critical section */
	G_SPIN,		/* waiting for the lock */
	G_IPI_SPIN,	/* waiting for an IPI target to run our call */
	G_PORT,		/* in an exit: its action comes at its end */
	G_HALTED,	/* blocked in a halt until kicked or interrupted */
};

/* An exit's action, carried out when its cost has been paid. */
enum port {
	P_HINT,		/* coop SPIN port / host KVM_HC_SCHED_YIELD */
	P_PLE,		/* host: a PAUSE-loop exit, kvm_vcpu_on_spin() */
	P_HALT,		/* coop HALT port / host HLT */
	P_KICK,		/* coop KICK port / host KVM_HC_KICK_CPU */
	P_IPI,		/* coop IPI port / host ICR write */
};

#define NO_VCPU	(-1)

/*
 * KVM's PAUSE filter as SVM sets it (arch/x86/kvm/svm/svm.c, x86.h):
 * pause_filter_count 3000 PAUSEs, grown x2 by each PAUSE exit
 * (grow_ple_window()) up to USHRT_MAX, back to 3000 when the vCPU is
 * loaded after being scheduled out (svm_vcpu_load(), shrink_ple_window()
 * with pause_filter_count_shrink 0).
 */
#define YL_SIM_PLE_WINDOW	3000u
#define YL_SIM_PLE_GROW		2u
#define YL_SIM_PLE_MAX		65535u

/* The hot state first: what every event of a vCPU reads. */
struct sim_vcpu {
	uint64_t run_t;		/* its guest progresses from here */
	uint64_t left;		/* ns of running left in THINK/CS */
	uint64_t port_left;	/* ns of the exit left, in G_PORT */
	uint64_t spun;		/* ns spun since the last pv action */
	uint64_t pause_frac;	/* ns spun not yet a whole PAUSE */
	uint64_t spins;		/* PAUSEs, into the counts at the end */
	int cpu;		/* the CPU running it, -1 */
	uint8_t gs;		/* enum gstate */
	uint8_t port;		/* enum port, in G_PORT */
	uint8_t resume;		/* enum gstate after the port */
	bool granted;		/* a FIFO lock's turn, or TAS/TTAS: it won */
	bool kicked;		/* pv_unhalted: a kick before the halt */
	bool halted_flag;	/* the guest's halted[] (unlockers kick it) */
	bool preempted;		/* steal time's / coop's preempted byte */
	bool scheduled_out;	/* host: vcpu->scheduled_out, for the PLE window */
	int32_t port_arg;	/* the port's target */
	int32_t q_next, q_prev;	/* FIFO lock queue */
	unsigned int vm, idx;	/* its VM, its index in it */
	bool ipi_acking;	/* G_IPI_SPIN: sync wait (else a busy slot) */
	bool ipi_after_yield;	/* the hint after an IPI: then wait */
	uint32_t ipi_yield_next;	/* --ipi-yield all: the next target to try */
	uint64_t ipi_t0;		/* when the op's requests went out */
	uint64_t ple_pauses;	/* host: PAUSEs since the last PAUSE exit */
	uint32_t ple_window;	/* host: SVM's pause_filter_count */
	uint32_t backoff;	/* TTAS: PAUSEs to back off after a lost race */
	uint64_t backoff_left;	/* ns of backoff left */
	uint64_t slice_t;	/* dispatched at (timeline) */
	uint64_t acq_t;		/* lock_acquire() began */
	uint64_t hinted_t;	/* a hint chose it: when (hand-off latency) */
	/* IPIs: this vCPU as sender */
	uint64_t ipi_nr;	/* IPI ops begun */
	uint32_t lock_ops_left;	/* mixed: lock ops before the next IPI op */
	uint32_t ipi_wait_on;	/* the vCPU (task) being waited for */
	/* as receiver: senders (in the VM) with a request not yet run */
	uint64_t *req_from;	/* bitmap [vcpus / 64 + 1] */
	unsigned int nr_req;
};

struct sim_cpu {
	int curr;		/* vCPU, -1 idle */
	int last;		/* the vCPU it ran last (switch cost) */
	uint64_t ev_at;		/* when its EV_GUEST (key: the CPU) is due, or UINT64_MAX */
	bool tick_armed, resched_sent;
	bool intr_pending;	/* a tick or resched IPI came during an exit */
	uint64_t tick_off;	/* its ticks' phase, drawn from the seed */
	uint64_t idle_since;
};

/* One lock (each VM has its own guest and so its own lock). */
struct sim_lock {
	int owner;		/* vCPU in (or granted) the CS, -1 */
	int last_owner;		/* queue_owner: the last to take it */
	int head, tail;		/* FIFO locks' queue of waiters */
	unsigned int waiters;	/* TAS/TTAS: spinning for it */
	uint64_t counter;	/* the guest's shared counter */
	unsigned int in_cs;
};

struct yl_sim {
	struct yl_sim_config c;
	struct yl_sched *s;
	struct yl_target *hint_tgt;	/* [vm]: coop's --target, host's hint path */
	struct yl_target *ple_tgt;	/* [vm]: host's kvm_vcpu_on_spin() */
	struct yl_eventq q;
	struct sim_cpu *cpu;
	struct sim_vcpu *v;
	struct yl_sim_vstat *st;	/* [nr]: counts, apart from the hot state */
	struct sim_lock *lock;		/* [vm] */
	unsigned int nr;		/* vCPUs, all VMs */
	uint64_t now, events, rng;
	uint64_t idle_ns, max_in_cs;
	bool ended;
	bool contended_taken;
	char failure[256];
	struct yl_timeline tl;
	bool has_tl;
};

static inline struct yl_sim_vstat *vst(struct yl_sim *s, const struct sim_vcpu *v)
{
	return &s->st[v - s->v];
}

/* sim.c: the host side, for guest.c */
uint64_t sim_rand(struct yl_sim *s);
void sim_fail(struct yl_sim *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sim_replan(struct yl_sim *s, unsigned int t);
void sim_port_done(struct yl_sim *s, unsigned int t, enum port p, int arg);
void sim_irq_send(struct yl_sim *s, unsigned int from, unsigned int to,
		  bool unicast);
void sim_tl(struct yl_sim *s, enum yl_tl_kind k, unsigned int t, int32_t arg,
	    int64_t val, uint64_t ts, uint64_t dur);
bool sim_coop(const struct yl_sim *s);

/* guest.c */
void guest_init(struct yl_sim *s, unsigned int t);
uint64_t guest_next(struct yl_sim *s, unsigned int t, uint64_t from);
void guest_settle(struct yl_sim *s, unsigned int t, uint64_t now);
void guest_step(struct yl_sim *s, unsigned int t);
void guest_woken(struct yl_sim *s, unsigned int t);
void guest_irq(struct yl_sim *s, unsigned int t);

#endif
