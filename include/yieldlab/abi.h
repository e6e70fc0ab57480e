/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between the yieldlab VMM and the bare-metal guest.
 *
 * Everything the two sides share is here: the guest-physical memory map,
 * the boot parameters the VMM writes, the results the guest writes, and the
 * I/O ports through which the guest talks to the VMM.  The guest includes
 * only this header; the VMM treats every value the guest writes as
 * untrusted and checks it against the limits defined here.
 *
 * The header is freestanding (stdint.h only) so both the guest, built with
 * -ffreestanding, and the VMM can include it.
 */
#ifndef YIELDLAB_ABI_H
#define YIELDLAB_ABI_H

#include <stdint.h>

#define YL_ABI_VERSION		8
#define YL_BOOT_MAGIC		0x4c444c59u	/* "YLDL" */

/* Largest vCPU count the contract sizes its tables for. */
#define YL_MAX_VCPUS		256

/*
 * Guest-physical memory map.  Page tables identity-map [0, YL_MEM_SIZE);
 * the first page is left unmapped so that a NULL dereference faults, and
 * nothing above YL_MEM_SIZE is mapped so that a wild pointer faults too.
 */
#define YL_MEM_SIZE		0x800000ull	/* 8 MiB */
#define YL_GDT_GPA		0x1000ull
#define YL_PML4_GPA		0x3000ull
#define YL_PDPT_GPA		0x4000ull
#define YL_PD_GPA		0x5000ull
#define YL_PT_GPA		0x6000ull	/* 4 KiB pages for the first 2 MiB */
#define YL_BOOT_GPA		0x8000ull
#define YL_STEAL_GPA		0x9000ull	/* YL_MAX_VCPUS x 64 B */
#define YL_RESULTS_GPA		0x10000ull
#define YL_RESULTS_END		0x100000ull
#define YL_IMAGE_GPA		0x100000ull	/* guest image load address */
#define YL_IMAGE_END		0x300000ull	/* image + bss must end here */
#define YL_IMAGE_MAX_FILE	0x100000ull	/* largest flat image file */
#define YL_STACK_GPA		0x300000ull
#define YL_STACK_SIZE		0x4000ull	/* per vCPU */

/* GDT selectors the VMM installs and the guest relies on. */
#define YL_SEL_CODE64		0x08
#define YL_SEL_DATA		0x10

/*
 * Ports: the guest's only way to talk to the VMM.  Each is one OUT
 * instruction (never a string instruction) so that one I/O exit equals one
 * KVM io_exits count.
 */
#define YL_PORT_CONSOLE		0x0500	/* outb: one console byte */
#define YL_PORT_DONE		0x0501	/* outl: vCPU finished, value = status */
#define YL_PORT_PANIC		0x0502	/* outl: message in record->msg */
#define YL_PORT_FAULT		0x0503	/* outl: CPU exception in record->fault */
#define YL_PORT_BENCH		0x0504	/* outl: exit-cost benchmark tick */

/*
 * yieldlab's paravirt interface, for a guest booted with sched = coop:
 * port-I/O calls that exit to yieldlab's scheduler, in place of KVM's
 * hypercalls, and a page of per-vCPU preempted bytes in place of the
 * steal-time areas' (vcpu_is_preempted()).
 */
#define YL_PORT_COOP_SPIN	0x0510	/* outl: spinning, waiting for a vCPU */
#define YL_PORT_COOP_HALT	0x0511	/* outl: halt until kicked */
#define YL_PORT_COOP_KICK	0x0512	/* outl: kick vCPU (value) */
#define YL_PORT_COOP_IPI	0x0513	/* outl: IPI (vector) to the sender's set */
#define YL_COOP_SPIN_NONE	0xffffu	/* SPIN value bits 0-15: no vCPU named */
#define YL_COOP_SPIN_LOCK	(1u << 16)	/* SPIN bits 16-23: why */
#define YL_COOP_SPIN_IPI	(2u << 16)
#define YL_COOP_PREEMPTED_GPA	0xd000ull	/* YL_MAX_VCPUS bytes, 1 = preempted */
/* Per sender: the set an IPI call goes to, one bit per vCPU. */
#define YL_COOP_IPI_GPA		0xd100ull
#define YL_COOP_IPI_WORDS	(YL_MAX_VCPUS / 64)
#define YL_COOP_IPI_SET_GPA(i)	(YL_COOP_IPI_GPA + (i) * 8ull * YL_COOP_IPI_WORDS)
/*
 * think_mode user: a byte per vCPU, 1 while it runs its think time, which
 * stands for guest user mode; coop reads it for a preempted vCPU as KVM
 * reads the CPL (kvm_arch_vcpu_preempted_in_kernel()).
 */
#define YL_COOP_USER_GPA	YL_COOP_IPI_SET_GPA(YL_MAX_VCPUS)

/* Who schedules the vCPUs (boot_params.sched). */
enum yl_sched_mode {
	YL_SCHED_HOST = 0,	/* the host kernel; KVM's paravirt interface */
	YL_SCHED_COOP = 1,	/* yieldlab; its paravirt interface above */
	YL_SCHED_NR
};

/* Workloads (boot_params.workload). */
enum yl_workload {
	YL_WL_LOCK = 0,		/* spinlock contention */
	YL_WL_EXITS = 1,	/* benchmark: one YL_PORT_BENCH exit per loop */
	YL_WL_FAULT = 2,	/* test: dereference an unmapped address */
	YL_WL_HANG = 3,		/* test: spin forever, never report done */
	YL_WL_IPI = 4,		/* function-call IPIs, every one acked */
	YL_WL_MIXED = 5,	/* lock ops with an IPI op after every ipi_every */
	YL_WL_PROBE = 6,	/* check: vCPU 0 makes one KVM hypercall, probe_hc,
				   at vCPU 1; whether it returns is the answer */
	YL_WL_NR
};

/* Which workloads take the lock, and which send IPIs: both sides check by these. */
static inline int yl_wl_has_locks(uint32_t wl)
{
	return wl == YL_WL_LOCK || wl == YL_WL_MIXED;
}

static inline int yl_wl_has_ipis(uint32_t wl)
{
	return wl == YL_WL_IPI || wl == YL_WL_MIXED;
}

/* Lock algorithms (boot_params.lock). */
enum yl_lock {
	YL_LOCK_TAS = 0,	/* test-and-set with PAUSE */
	YL_LOCK_TICKET = 1,	/* FIFO ticket lock */
	YL_LOCK_TTAS = 2,	/* test-and-test-and-set, exponential backoff */
	YL_LOCK_MCS = 3,	/* MCS queue lock: each waiter spins on its node */
	YL_LOCK_QSPIN = 4,	/* Linux qspinlock: locked byte, pending, MCS tail */
	YL_LOCK_NR
};

/* Paravirt backend for waiting (boot_params.pv). */
enum yl_pv {
	YL_PV_NONE = 0,		/* spin only */
	YL_PV_YIELD = 1,	/* KVM_HC_SCHED_YIELD to a preempted holder */
	YL_PV_HALT = 2,		/* HLT after the threshold; unlocker KVM_HC_KICK_CPU */
	YL_PV_NR
};

/* Whom --pv yield yields to (boot_params.yield_to). */
enum yl_yield_to {
	/* the holder if the steal-time page says preempted, else the waiter ahead if so */
	YL_YIELD_TO_PREEMPTED = 0,
	/* the vCPU whose turn it is (holder, else the waiter ahead), always */
	YL_YIELD_TO_TURN = 1,
	YL_YIELD_TO_NR
};

/* How an IPI is sent (boot_params.ipi_via). */
enum yl_ipi_via {
	YL_IPI_ICR = 0,		/* x2APIC ICR write: physical, or logical per cluster */
	YL_IPI_HYPERCALL = 1,	/* KVM_HC_SEND_IPI with a destination bitmap */
	YL_IPI_VIA_NR
};

/* Whether the sender waits for the targets (boot_params.ipi_wait). */
enum yl_ipi_wait {
	YL_IPI_SYNC = 0,	/* spin until every target acked, as smp_call_function(wait=1) */
	YL_IPI_ASYNC = 1,	/* go on; wait only to reuse a target's slot (csd_lock) */
	YL_IPI_WAIT_NR
};

/*
 * Whom an IPI's sender yields to once the IPI is sent (boot_params.ipi_yield),
 * as Linux's kvm_smp_send_call_func_ipi() does: a directed yield to a target
 * the steal-time page shows preempted.  The decision is
 * yl_ipi_yield_applies() and yl_ipi_yield_more(), for guest and sim alike.
 */
enum yl_ipi_yield {
	YL_IPI_YIELD_NONE = 0,	/* never */
	YL_IPI_YIELD_FIRST = 1,	/* the first preempted target, any IPI */
	YL_IPI_YIELD_ALL = 2,	/* every preempted target, one yield each */
	YL_IPI_YIELD_MULTI = 3,	/* the first, multi-destination IPIs only: Linux */
	YL_IPI_YIELD_NR
};

/* Whether the sender of an IPI to @k targets yields at all. */
static inline int yl_ipi_yield_applies(uint32_t kind, uint32_t k)
{
	return kind != YL_IPI_YIELD_NONE && (kind != YL_IPI_YIELD_MULTI || k > 1);
}

/* Whether it goes on to the next preempted target after one yield. */
static inline int yl_ipi_yield_more(uint32_t kind)
{
	return kind == YL_IPI_YIELD_ALL;
}

/*
 * The guest mode a vCPU's think time stands for (boot_params.think_mode):
 * the guest runs in ring 0 only, so user mode is what it tells coop; on
 * a real host kernel every vCPU is preempted in kernel mode.
 */
enum yl_guest_mode {
	YL_GMODE_KERNEL = 0,
	YL_GMODE_USER = 1,
	YL_GMODE_NR
};

/* The vector the guest's IPI handler sits on. */
#define YL_IPI_VECTOR		0xf0

/* Address the fault workload dereferences: canonical, never mapped. */
#define YL_FAULT_ADDR		0xdead0000000ull

/* Boot parameters, written by the VMM at YL_BOOT_GPA before any vCPU runs. */
struct yl_boot_params {
	uint32_t magic;
	uint32_t abi_version;
	uint32_t nr_vcpus;
	uint32_t workload;
	uint32_t lock;
	uint32_t pv;
	uint64_t tsc_khz;
	uint64_t duration_cycles;	/* lock phase length */
	uint64_t cs_cycles;		/* time inside the critical section */
	uint64_t think_cycles;		/* time between releases and acquires */
	uint64_t spin_threshold;	/* PAUSEs before a PV action, if no spin_cycles */
	uint64_t bench_exits;		/* YL_WL_EXITS: exits per vCPU */
	uint32_t ipi_via;		/* enum yl_ipi_via */
	uint32_t ipi_wait;		/* enum yl_ipi_wait */
	uint32_t ipi_targets;		/* targets per IPI op, 1..nr_vcpus-1 */
	uint32_t ipi_every;		/* YL_WL_MIXED: lock ops per IPI op, >= 1 */
	uint32_t sched;			/* enum yl_sched_mode */
	uint32_t yield_to;		/* enum yl_yield_to */
	uint64_t spin_cycles;		/* a waiter's budget in TSC cycles; 0:
					   spin_threshold PAUSEs instead */
	uint32_t probe_hc;		/* YL_WL_PROBE: KVM_HC_SCHED_YIELD,
					   KVM_HC_KICK_CPU or KVM_HC_SEND_IPI */
	uint32_t ipi_yield;		/* enum yl_ipi_yield */
	uint32_t think_mode;		/* enum yl_guest_mode */
	uint32_t reserved;
};

/* Log2 histogram of TSC cycles: bucket b holds [2^b, 2^(b+1)), 0 holds 0-1. */
#define YL_HIST_BUCKETS		48
#define YL_BENCH_PAUSES		65536	/* spin-loop iterations timed */
#define YL_BENCH_OPS		4096	/* uncontended lock ops timed */

#define YL_MSG_LEN		128

/* What a CPU exception handler hands the VMM. */
struct yl_fault {
	uint64_t vector;
	uint64_t error_code;
	uint64_t rip;
	uint64_t cs;
	uint64_t rflags;
	uint64_t rsp;
	uint64_t cr2;
};

/* vCPU states written into yl_vcpu_result.state. */
enum yl_vcpu_state {
	YL_STATE_OFF = 0,
	YL_STATE_BOOTED = 1,
	YL_STATE_RUNNING = 2,
	YL_STATE_DONE = 3,
};

/*
 * One record per vCPU, written only by that vCPU (cache-line aligned so
 * that the hot path shares no line).  Counters are plain stores: the VMM
 * reads them after the vCPU stopped, or as partial results after a stop.
 */
struct yl_vcpu_result {
	uint32_t state;
	uint32_t apic_id;
	uint64_t ops;			/* critical sections completed */
	uint64_t spins;			/* PAUSEs while waiting for a lock */
	uint64_t yields;		/* KVM_HC_SCHED_YIELD issued */
	uint64_t yields_failed;		/* ...that returned an error */
	uint64_t preempted_seen;	/* waits where the holder was preempted */
	uint64_t lat_sum;		/* acquire latency, cycles */
	uint64_t lat_max;
	uint64_t bench_exits;		/* YL_WL_EXITS iterations done */
	uint64_t halts;			/* HLTs executed while waiting (pv halt) */
	uint64_t kicks;			/* KVM_HC_KICK_CPU issued */
	/*
	 * IPIs.  sent counts (op, target) requests this vCPU made, received
	 * the requests its handler ran, acked the completions it saw come
	 * back: summed over the VM all three are equal.  irqs counts handler
	 * entries, fewer than received when IPIs coalesce in the IRR.
	 */
	uint64_t ipi_ops;		/* IPI operations (1..k targets each) */
	uint64_t ipi_sent;
	uint64_t ipi_received;
	uint64_t ipi_acked;
	uint64_t ipi_irqs;
	uint64_t ipi_icr_writes;	/* x2APIC ICR WRMSRs issued */
	uint64_t ipi_hypercalls;	/* KVM_HC_SEND_IPI issued */
	uint64_t ipi_hc_failed;		/* ...that returned an error or fewer CPUs */
	uint64_t ipi_yields;		/* KVM_HC_SCHED_YIELD to a preempted target */
	uint64_t ipi_rtt_sum;		/* sync: send to last ack, cycles */
	uint64_t ipi_rtt_max;
	/*
	 * YL_WL_EXITS, timed before the first exit, for sim's calibration:
	 * YL_BENCH_PAUSES iterations of a waiter's spin loop (PAUSE, a load
	 * of the word), and YL_BENCH_OPS uncontended lock ops with empty
	 * critical section and think time (what an op costs beside them).
	 */
	uint64_t bench_pause_cycles;
	uint64_t bench_op_cycles;
	uint64_t lat_hist[YL_HIST_BUCKETS];
	uint64_t ipi_rtt_hist[YL_HIST_BUCKETS];	/* sync: round trip, sender side */
	uint64_t ipi_lat_hist[YL_HIST_BUCKETS];	/* send to handler, receiver side */
	struct yl_fault fault;
	char msg[YL_MSG_LEN];
	uint64_t spin_pauses;		/* spin_cycles as PAUSEs of this vCPU's loop */
} __attribute__((aligned(64)));

/*
 * Run-wide state.  shared_counter is the plain counter the lock protects,
 * updated inside every critical section, so the VMM can check mutual
 * exclusion itself; the rest is written by the last vCPU to finish.
 */
struct yl_summary {
	uint64_t shared_counter __attribute__((aligned(64)));
	uint32_t vcpus_done __attribute__((aligned(64)));
	uint32_t check_ok;		/* guest's own mutual-exclusion check */
	uint64_t ops_total;		/* sum of ops seen by the last finisher */
	uint64_t start_tsc;		/* when the lock phase started */
	uint64_t end_tsc;		/* when the last vCPU finished */
} __attribute__((aligned(64)));

#define YL_SUMMARY_GPA		YL_RESULTS_GPA
#define YL_VCPU_RESULT_GPA(i)	(YL_RESULTS_GPA + 4096ull + \
				 (uint64_t)(i) * sizeof(struct yl_vcpu_result))

_Static_assert(sizeof(struct yl_vcpu_result) % 64 == 0,
	       "per-vCPU record must be whole cache lines");
_Static_assert(YL_RESULTS_GPA + 4096 + YL_MAX_VCPUS *
	       sizeof(struct yl_vcpu_result) <= YL_RESULTS_END,
	       "results area overflows its region");
_Static_assert(YL_STEAL_GPA + YL_MAX_VCPUS * 64 <= YL_COOP_PREEMPTED_GPA &&
	       YL_COOP_PREEMPTED_GPA + YL_MAX_VCPUS <= YL_COOP_IPI_GPA &&
	       YL_COOP_USER_GPA + YL_MAX_VCPUS <= YL_RESULTS_GPA,
	       "the coop preempted bytes or IPI sets overlap their neighbours");
_Static_assert(YL_STEAL_GPA + YL_MAX_VCPUS * 64 <= YL_RESULTS_GPA,
	       "steal-time areas overflow their region");
_Static_assert(YL_STACK_GPA + YL_MAX_VCPUS * YL_STACK_SIZE <= YL_MEM_SIZE,
	       "stacks overflow guest memory");
_Static_assert(sizeof(struct yl_boot_params) <= 4096,
	       "boot parameters must fit one page");

#endif /* YIELDLAB_ABI_H */
