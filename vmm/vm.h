/* SPDX-License-Identifier: GPL-2.0 */
#ifndef YL_VM_H
#define YL_VM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/kvm.h>
#include "cli/config.h"
#include "vmm/host/cgroup.h"
#include "cpuid.h"
#include "lib/kvmmod.h"
#include "vmm/stats/hoststat.h"
#include "vmm/stats/kcredit.h"
#include "vmm/stats/kstats.h"
#include "vmm/stats/tpexit.h"

struct yl_kvm {
	int fd;
	int run_size;
	unsigned int max_vcpus;
	enum yl_kvm_impl impl;
	struct yl_cpuid supported;
	struct yl_kcredit lag_credit;	/* the host kernel's, around the run */
};

/* How a vCPU's run ended. */
enum yl_vcpu_end {
	YL_END_NONE,		/* still running / never ran */
	YL_END_DONE,		/* guest reported done */
	YL_END_PANIC,		/* guest reported a panic message */
	YL_END_FAULT,		/* guest took a CPU exception */
	YL_END_UNHANDLED,	/* an exit yieldlab does not handle */
	YL_END_STOPPED,		/* stopped by the VMM (watchdog, signal, peer) */
	YL_END_HOST_ERROR,	/* an ioctl failed */
};

/* Userspace exits, by KVM exit reason; port I/O also by port. */
#define YL_NR_EXIT_REASONS	64

enum yl_io_port {
	YL_IOP_CONSOLE,
	YL_IOP_DONE,
	YL_IOP_PANIC,
	YL_IOP_FAULT,
	YL_IOP_BENCH,
	YL_IOP_COOP,
	YL_IOP_OTHER,
	YL_IOP_NR
};

struct yl_exit_stats {
	uint64_t count[YL_NR_EXIT_REASONS];
	uint64_t cycles[YL_NR_EXIT_REASONS];	/* handling time, host TSC */
	uint64_t io_port[YL_IOP_NR];
};

struct yl_vm;
struct yl_sampler;
struct yl_coop;
struct yl_vcpu;

/*
 * The calls a vCPU's exits make into coop's executor (vmm/coop/), which
 * sits above the VM: the executor hands them over when it takes the VMs
 * (yl_coop_calls), so nothing here depends on it.
 */
struct yl_coop_calls {
	void (*spin)(struct yl_coop *c, struct yl_vcpu *v, uint32_t arg);
	void (*halt)(struct yl_coop *c, struct yl_vcpu *v);
	void (*kick)(struct yl_coop *c, struct yl_vcpu *v, uint32_t target);
	int (*ipi)(struct yl_coop *c, struct yl_vcpu *v, uint32_t vector);
	void (*stop)(struct yl_coop *c);
};

/*
 * Where vCPU threads wait, once they exist, until the main thread has set
 * up what needs their thread IDs and its privileges (perf events), and
 * where each then runs pass() on itself (the capability drop: capabilities
 * are per thread) before its first KVM_RUN.  Every vCPU of every VM
 * starts the guest at about the same moment.
 */
struct yl_gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int waiting;		/* threads that reached the gate */
	int state;			/* 0 closed, 1 open, -1 abandoned */
	int (*pass)(const void *arg, struct yl_err *err);
	const void *arg;
};

struct yl_vcpu {
	struct yl_vm *vm;
	unsigned int idx;
	unsigned int task;		/* coop: its sched/ task */
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool started;
	pid_t tid;

	struct yl_exit_stats ex;
	int stats_fd;
	struct yl_kstats ks;
	uint64_t *ks_before, *ks_after;
	bool ks_valid;
	struct yl_hoststat hs_before, hs_after;
	uint64_t hs_t0, hs_t1;		/* when those were read */
	struct yl_tp_counts tp;		/* kvm:kvm_exit by reason */

	enum yl_vcpu_end end;
	uint32_t done_status;
	char detail[320];		/* what ended it, one line */
	bool regs_valid;
	struct kvm_regs regs;
	struct kvm_sregs sregs;

	char con[128];
	size_t con_len;
	uint64_t con_tokens_ns;		/* console rate limit, see console_flush() */
	uint64_t con_last_ns;
	uint64_t con_dropped;		/* lines not printed for it */
	uint64_t bench_left;		/* bench: stop after this many */
};

struct yl_vm {
	struct yl_kvm *kvm;
	const struct yl_config *cfg;
	int fd;
	uint8_t *mem;
	unsigned int nr_vcpus;
	struct yl_vcpu *vcpus;
	uint64_t tsc_khz;

	int stats_fd;
	struct yl_kstats ks;
	uint64_t *ks_before, *ks_after;
	bool ks_valid;

	struct yl_gate *gate;		/* NULL: threads run at once */
	struct yl_gate *leave_gate;	/* where finished vCPU threads wait, so
					   that their CPU time is all counted
					   (see check_cgroup()); NULL: they exit */
	struct yl_tp *tp;		/* NULL: no tracepoint counting */
	struct yl_coop *coop;		/* --sched coop, else NULL */
	const struct yl_coop_calls *coop_calls;	/* what its exits call there */
	bool pause_exits_off;		/* KVM_X86_DISABLE_EXITS_PAUSE set */
	const struct yl_sampler *sampler; /* --sample-ms, else NULL */
	char cgroup[YL_CG_PATH + 16];	/* --cgroup: this VM's, else "" */
	unsigned int cg_weight;		/* cpu.weight written, 0: left at 100 */
	bool cg_valid;
	uint64_t cg_usage_us;		/* its cpu.stat usage_usec at the end */

	int stop;			/* set once: every vCPU must leave */
	unsigned int finished;		/* vCPU threads that returned */
	int done_efd;			/* written when a vCPU thread returns */
};

int yl_kvm_open(struct yl_kvm *kvm, struct yl_err *err);
void yl_kvm_close(struct yl_kvm *kvm);
int yl_vm_check_knobs(const struct yl_config *cfg, const struct yl_kvm *kvm,
		      struct yl_err *err);
int yl_vm_create(struct yl_vm *vm, struct yl_kvm *kvm,
		 const struct yl_config *cfg, const void *image, size_t len,
		 struct yl_err *err);
void yl_vm_destroy(struct yl_vm *vm);
int yl_vm_start(struct yl_vm *vm, struct yl_err *err);
void yl_vm_stop_all(struct yl_vm *vm);
void yl_vm_join(struct yl_vm *vm);
void yl_gate_init(struct yl_gate *g);
void yl_gate_wait_all(struct yl_gate *g, unsigned int n);
void yl_gate_set(struct yl_gate *g, int state);
void yl_gate_hold(struct yl_gate *g);

/* vcpu.c: what a KVM_RUN's return, or one exit's handling, says to do next */
enum yl_step {
	YL_STEP_EXIT,		/* an exit, handled: run on */
	YL_STEP_INTR,		/* a signal ended KVM_RUN */
	YL_STEP_LEAVE,		/* the vCPU is done (or ended the run) */
	YL_STEP_ERROR,		/* KVM_RUN failed: the run ends */
};

void yl_vcpu_signal_init(void);
enum yl_step yl_vcpu_handle(struct yl_vcpu *v, int r, int e);
int yl_vcpu_loop(struct yl_vcpu *v);
enum yl_step yl_vcpu_dispatch(struct yl_vcpu *v);
void yl_vcpu_begin(struct yl_vcpu *v);
void yl_vcpu_finish(struct yl_vcpu *v);
int yl_gate_pass(struct yl_gate *g, struct yl_err *err);
void *yl_vcpu_thread(void *arg);
const char *yl_exit_reason_name(unsigned int reason);
const char *yl_io_port_name(unsigned int port_class);
const char *yl_vcpu_end_name(enum yl_vcpu_end end);

/* The embedded guest (guest_blob.S). */
extern const unsigned char yl_guest_image[];
extern const unsigned char yl_guest_image_end[];

#endif
